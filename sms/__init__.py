"""Rabta sms package."""
