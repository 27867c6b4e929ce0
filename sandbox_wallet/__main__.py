"""`python -m sandbox_wallet --port 8100`: serve the sandbox wallet (threaded, on loopback by default)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os

from werkzeug.serving import make_server

from sandbox_wallet.app import create_app
from sandbox_wallet.config import SandboxConfig


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox_wallet", description="Rabta's sandbox mobile wallet")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_WALLET_PORT", "8100")))
    parser.add_argument("--callback-url", help="where to POST callbacks (default: $SANDBOX_WALLET_CALLBACK_URL)")
    parser.add_argument("--db", help="SQLite file that keeps charges across restarts (default: $SANDBOX_WALLET_DB; "
                                     "unset: memory only)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s sandbox_wallet: %(message)s")
    config = SandboxConfig.from_env()
    if args.callback_url:
        config.callback_url = args.callback_url
    if args.db:
        config.db_path = args.db
    server = make_server(args.host, args.port, create_app(config), threaded=True)
    logging.getLogger("sandbox_wallet").info("listening on http://%s:%s, callbacks to %s", args.host, args.port,
                                             config.callback_url)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
