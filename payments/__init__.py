"""Rabta payments package."""
