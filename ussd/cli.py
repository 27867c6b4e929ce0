"""`rabta ussd menu | simulate | funnel`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import click
import requests
from flask.cli import with_appcontext

from app.runtime import current
from app.webhooks import AT_TOKEN_HEADER
from ussd import funnel
from ussd.screens import SCREENS, START, Branch, Final, Menu, Pick, Prompt, Restore, Task, targets


@click.group("ussd")
def ussd_cli() -> None:
    """The USSD channel (Africa's Talking)."""


def menu_lines(root: str = START) -> Iterator[str]:
    """The menu graph as an indented tree; a screen already shown is printed as a reference."""
    seen: set[str] = set()

    def describe(screen_id: str) -> str:
        screen = SCREENS[screen_id]
        kind = {Menu: "menu", Prompt: "input", Pick: "list", Final: "end", Task: "task", Branch: "if",
                Restore: "resume"}[type(screen)]
        detail = ""
        if isinstance(screen, Task):
            detail = f" [{screen.effect}]"
        elif isinstance(screen, Branch):
            detail = f" [{screen.test}]"
        elif isinstance(screen, Prompt):
            detail = f" [{screen.parser}{', secret' if screen.field is None else ''}]"
        return f"{screen_id} ({kind}){detail}"

    def walk(screen_id: str, depth: int, how: str) -> Iterator[str]:
        label = f"{'  ' * depth}{how}{describe(screen_id)}"
        if screen_id in seen:
            yield f"{label} ^"
            return
        seen.add(screen_id)
        yield label
        screen = SCREENS[screen_id]
        for index, target in enumerate(dict.fromkeys(targets(screen)), start=1):
            yield from walk(target, depth + 1, _edge_label(screen, target, index))

    yield from walk(root, 0, "")
    yield "navigation everywhere: 0 back, 00 home, 98 more;  ^ = shown above"


def _edge_label(screen: object, target: str, index: int) -> str:
    if isinstance(screen, Menu):
        numbers = [str(n) for n, option in enumerate(screen.options, start=1) if option.target == target]
        return f"{'/'.join(numbers) or index} -> "
    if isinstance(screen, Task):
        outcomes = [name for name, to in screen.outcomes if to == target] or ["error"]
        return f"{'/'.join(outcomes)} -> "
    if isinstance(screen, Branch):
        return "yes -> " if target == screen.yes else "no -> "
    if isinstance(screen, Restore):
        return "the saved screen, or -> "
    if isinstance(screen, Prompt) and target == screen.resume_to and target != screen.then:
        return "(resumes at) -> "
    return "-> "


@ussd_cli.command("menu")
def menu() -> None:
    """Print the menu tree."""
    for line in menu_lines():
        click.echo(line)


@ussd_cli.command("funnel")
@click.option("--days", default=1, show_default=True, help="How many days back, today included.")
@with_appcontext
def show_funnel(days: int) -> None:
    """Arrivals, completions, back-outs and timeouts per screen."""
    click.echo(funnel.table(funnel.read(current().redis, days=days)))


@ussd_cli.command("simulate")
@click.argument("phone")
@click.option("--url", default=None, help="Base URL of a running Rabta (default: PUBLIC_BASE_URL).")
@click.option("--service-code", default="*384*786#", show_default=True)
@with_appcontext
def simulate(phone: str, url: str | None, service_code: str) -> None:
    """Dial the USSD menu from the terminal, over HTTP, exactly as Africa's Talking does."""
    settings = current().settings
    base = (url or settings.PUBLIC_BASE_URL).rstrip("/")
    session_id = f"SIM{uuid.uuid4().hex[:20]}"
    inputs: list[str] = []
    form = {"sessionId": session_id, "serviceCode": service_code, "phoneNumber": phone, "networkCode": "99999"}
    http = requests.Session()
    if settings.AT_WEBHOOK_TOKEN:  # a header, not ?token=, so the secret stays out of access logs
        http.headers[AT_TOKEN_HEADER] = settings.AT_WEBHOOK_TOKEN
    status = "Incomplete"
    try:
        while True:
            response = http.post(f"{base}/ussd/africastalking", data={**form, "text": "*".join(inputs)}, timeout=15)
            if response.status_code != 200:
                click.echo(f"[HTTP {response.status_code}] {response.text}")
                status = "Failed"
                break
            click.echo("-" * 32 + "\n" + response.text[4:] + "\n" + "-" * 32)
            if response.text.startswith("END"):
                status = "Success"
                break
            inputs.append(click.prompt(">", default="", show_default=False, prompt_suffix=" "))
    except (click.Abort, EOFError):
        click.echo("\n(session cancelled)")
    except requests.ConnectionError:
        raise click.ClickException(f"nothing answers at {base}: start Rabta (make dev), or point the simulator at "
                                   "it with --url or PORT / PUBLIC_BASE_URL") from None
    http.post(f"{base}/ussd/africastalking/events", timeout=15,
              data={"sessionId": session_id, "phoneNumber": phone, "serviceCode": service_code,
                    "status": status, "input": inputs[-1] if inputs else "", "hopsCount": len(inputs) + 1})
