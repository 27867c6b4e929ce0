"""Provider logs (RapidPro's channel log): every provider HTTP call we make and every webhook we receive.

Kept with method, path, status, elapsed time and redacted bodies for
`PROVIDER_LOG_RETENTION_DAYS`. Recording is a Redis push (cheap on the hot path);
a periodic job moves the entries into the `provider_log` table.
"""
