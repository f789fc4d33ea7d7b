"""The Mini App's static files: every text they name is in the catalog, nothing from a CDN."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from bot.i18n import LANGUAGES
from bot.transport.api import page_texts

STATIC = resources.files("bot.webapp").joinpath("static")


def _read(name: str) -> str:
    return STATIC.joinpath(name).read_text(encoding="utf-8")


def test_every_text_the_page_names_is_in_the_catalog() -> None:
    html, script = _read("index.html"), _read("app.js")
    named = set(re.findall(r'data-(?:text|placeholder)="([a-z_]+)"', html))
    named |= set(re.findall(r'\btext\("([a-z_]+)"', script))
    named |= {"height", "weight", "age", "sex"}  # the BMI card names what is missing by key
    assert named, "the page names no texts?"
    for language in LANGUAGES:
        assert named <= set(page_texts(language)), language


@pytest.mark.parametrize("name", ["index.html", "app.js", "chart.js", "style.css"])
def test_only_telegrams_script_comes_from_elsewhere(name: str) -> None:
    urls = set(re.findall(r"https?://[^\s\"')]+", _read(name)))
    assert urls <= {"https://telegram.org/js/telegram-web-app.js", "http://www.w3.org/2000/svg"}
