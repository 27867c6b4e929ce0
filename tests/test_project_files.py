"""The files a newcomer reads first agree with the code: settings, licence, links."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _env_example() -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(\S*)", line)
        if match:
            entries[match.group(2)] = "" if match.group(1) else match.group(3)
    return entries


def test_env_example_lists_every_setting_with_its_default() -> None:
    listed = _env_example()
    assert set(listed) == set(Settings.model_fields)
    for name, value in listed.items():
        default = Settings.model_fields[name].default
        if value and default is not None:
            assert value == str(default), f"{name}: .env.example says {value!r}, the default is {default!r}"


def test_the_license_file_is_the_one_pyproject_declares() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0" and project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text and "END OF TERMS AND CONDITIONS" in text


def test_every_relative_link_in_the_readme_resolves_in_a_clone() -> None:
    links = re.findall(r"\]\(([^)#]+)\)", (ROOT / "README.md").read_text())
    relative = [link for link in links if "://" not in link]
    assert "docs/architecture.md" in relative
    assert all((ROOT / link).exists() for link in relative), relative
