"""The sandbox wallet: a small stand-alone merchant API that behaves like a mobile wallet.

Run it with `python -m sandbox_wallet --port 8100`. See `scenarios.py` for how the
payer's number or the amount picks what happens to a charge.
"""

from sandbox_wallet.app import create_app
from sandbox_wallet.config import SandboxConfig

__all__ = ["SandboxConfig", "create_app"]
