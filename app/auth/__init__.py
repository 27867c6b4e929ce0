"""Who is who: citizens' one-time sign-in codes and sessions (JWT + rotating refresh tokens), and
agencies' API keys. Channels (the app API, the console) authenticate through these functions."""
