"""Rabta ussd package."""
