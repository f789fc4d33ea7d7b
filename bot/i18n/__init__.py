"""The message catalog: every text a user can see, in English, Russian, Spanish and German.

Texts live in gettext ``.po`` files under ``locales/<language>/``, one file per feature; Babel
reads them at first use and the standard library's ``gettext`` answers, plural forms included.
Message ids are stable keys (``help.title``), not English sentences, so an English edit never
orphans a translation. Placeholders use ``str.format`` names: ``{name}``.
"""

from __future__ import annotations

import functools
import gettext
import io
from importlib import resources
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES: Final[tuple[str, ...]] = ("en", "ru", "es", "de")
DEFAULT_LANGUAGE: Final = "en"
LANGUAGE_NAMES: Final[dict[str, str]] = {
    "en": "English",
    "ru": "Русский",
    "es": "Español",
    "de": "Deutsch",
}


def base_language(code: str | None) -> str | None:
    """``ru-RU``, ``pt_BR``, ``DE`` → ``ru``, ``pt``, ``de``: any language, ours or not."""
    if not code:
        return None
    return code.strip().lower().replace("_", "-").split("-")[0] or None


def normalise_language(code: str | None) -> str | None:
    """``ru-RU``, ``pt_BR``, ``DE`` → one of LANGUAGES, or None when we do not speak it."""
    base = base_language(code)
    return base if base in LANGUAGES else None


def pick_language(chosen: str | None, telegram_code: str | None = None) -> str:
    """The user's own choice first, then their Telegram app's language, else English."""
    return normalise_language(chosen) or normalise_language(telegram_code) or DEFAULT_LANGUAGE


def t(language: str | None, key: str, /, **params: object) -> str:
    """The text for ``key`` in ``language`` (English when it has none), placeholders filled."""
    text = _translations(normalise_language(language) or DEFAULT_LANGUAGE).gettext(key)
    if text == key:
        raise KeyError(f"message {key!r} is not in the catalog")
    return text.format(**params) if params else text


def tn(language: str | None, key: str, count: int, /, **params: object) -> str:
    """Like ``t`` for a text that depends on a number: the language's plural form for ``count``."""
    text = _translations(normalise_language(language) or DEFAULT_LANGUAGE).ngettext(key, key, count)
    if text == key:
        raise KeyError(f"message {key!r} is not in the catalog")
    return text.format(count=count, **params)


class Text(str):
    """A catalog message with its parameters, rendered later in the reader's language.

    As a ``str`` it is the English text, so logs, tests and the model-facing prompts read it
    as before; ``render`` gives any language. A parameter may itself be a Text (rendered in
    the same language) or a tuple of them (rendered as bulleted lines).
    """

    key: str
    params: dict[str, object]

    def __new__(cls, key: str, /, **params: object) -> Text:
        text = super().__new__(cls, _render(DEFAULT_LANGUAGE, key, params))
        text.key = key
        text.params = params
        return text

    def render(self, language: str | None) -> str:
        """This message in ``language``, parameters included."""
        return _render(language, self.key, self.params)


def localise(language: str | None, text: str) -> str:
    """``text`` in ``language`` when it is a catalog Text; any other string as it is."""
    return text.render(language) if isinstance(text, Text) else text


def _render(language: str | None, key: str, params: dict[str, object]) -> str:
    return t(language, key, **{name: _value(language, value) for name, value in params.items()})


def _value(language: str | None, value: object) -> object:
    if isinstance(value, Text):
        return value.render(language)
    if isinstance(value, tuple):
        return "\n".join(f"• {_value(language, item)}" for item in value)
    return value


def all_languages(key: str, /, **params: object) -> dict[str, str]:
    """``key`` in every language, for texts Telegram shows per language (command menus)."""
    return {language: t(language, key, **params) for language in LANGUAGES}


def catalog_files(language: str) -> list[str]:
    """The ``.po`` file names of one language, sorted (for tests and tools)."""
    folder = resources.files(__name__).joinpath("locales", language)
    return sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".po"))


def read_catalog(language: str, name: str) -> object:
    """One ``.po`` file as a Babel catalog (for tests and tools)."""
    folder = resources.files(__name__).joinpath("locales", language)
    with folder.joinpath(name).open("rb") as handle:
        return read_po(handle, locale=language)


@functools.cache
def _translations(language: str) -> gettext.NullTranslations:
    """Every ``.po`` file of ``language`` chained, with English behind for missing keys."""
    chain: gettext.NullTranslations | None = None
    for name in catalog_files(language):
        buffer = io.BytesIO()
        write_mo(buffer, read_catalog(language, name))  # type: ignore[arg-type]
        buffer.seek(0)
        part = gettext.GNUTranslations(buffer)
        if chain is None:
            chain = part
        else:
            chain.add_fallback(part)
    if chain is None:
        chain = gettext.NullTranslations()
    if language != DEFAULT_LANGUAGE:
        chain.add_fallback(_translations(DEFAULT_LANGUAGE))
    return chain
