"""The phone simulator (`/simulator`): feature phones in the browser, on the real USSD and SMS endpoints."""
