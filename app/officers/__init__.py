"""Officer accounts of the agency console (domain code: the console, the CLI and the seed use it)."""
