"""Pydantic shapes of the API; the OpenAPI document is generated from them."""
