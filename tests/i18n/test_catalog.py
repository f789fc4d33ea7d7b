"""The message catalog: every key in every language, placeholders alike, languages picked right."""

from __future__ import annotations

import string
from typing import Any

import pytest

from bot.i18n import LANGUAGES, catalog_files, pick_language, read_catalog, t, tn


def _messages(language: str) -> dict[str, Any]:
    messages: dict[str, Any] = {}
    for name in catalog_files(language):
        for message in read_catalog(language, name):  # type: ignore[attr-defined]
            if message.id:
                key = message.id if isinstance(message.id, str) else message.id[0]
                assert key not in messages, f"{key} appears twice in {language}"
                messages[key] = message.string
    return messages


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_the_same_files() -> None:
    assert {language: catalog_files(language) for language in LANGUAGES} == {
        language: catalog_files("en") for language in LANGUAGES
    }


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_every_key_exists_non_empty_with_the_same_placeholders(language: str) -> None:
    english = _messages("en")
    other = _messages(language)
    assert set(other) == set(english)
    for key, text in other.items():
        forms = text if isinstance(text, tuple | list) else (text,)
        english_forms = english[key] if isinstance(english[key], tuple | list) else (english[key],)
        expected = set().union(*(_fields(form) for form in english_forms))
        for form in forms:
            assert form.strip(), f"{key} is empty in {language}"
            assert _fields(form) <= expected | {"count"}, f"{key} in {language}: {form!r}"


def test_english_has_no_empty_message() -> None:
    for key, text in _messages("en").items():
        forms = text if isinstance(text, tuple | list) else (text,)
        assert all(form.strip() for form in forms), key


@pytest.mark.parametrize(
    ("chosen", "telegram", "expected"),
    [
        ("ru", "de", "ru"),
        (None, "de-AT", "de"),
        (None, "pt-BR", "en"),
        (None, None, "en"),
        ("xx", "es", "es"),
        ("ES", None, "es"),
    ],
)
def test_pick_language(chosen: str | None, telegram: str | None, expected: str) -> None:
    assert pick_language(chosen, telegram) == expected


def test_unknown_language_falls_back_to_english() -> None:
    assert t("pt", "error.apology") == t("en", "error.apology")


def test_unknown_key_is_an_error() -> None:
    with pytest.raises(KeyError):
        t("en", "no.such.key")
    with pytest.raises(KeyError):
        tn("ru", "no.such.key", 3)
