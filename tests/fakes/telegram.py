"""A loopback fake of the Telegram Bot API that real clients (python-telegram-bot) talk HTTP to.

It answers like Telegram (objects, errors, HTML entity parsing, limits), records every request,
lets a test inject failures, and plays users whose updates the bot receives.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes import ChangeSignal, LoopbackServer, interruptible_sleep, wait_until

__all__ = [
    "MAX_DOWNLOAD_SIZE",
    "MEDIA_KINDS",
    "TEST_TOKEN",
    "FakeTelegram",
    "HtmlParseError",
    "ParsedText",
    "RecordedRequest",
    "UploadedFile",
    "parse_html",
    "parse_multipart",
    "utf16_len",
]

JSON = dict[str, Any]

#: The token the fixture's fake accepts; any other answers 401.
TEST_TOKEN = "123456:TEST-token"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
#: getFile refuses larger files ("file is too big"): 20 MB, core.telegram.org/bots/api#getfile.
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024

#: What ``user_sends_media`` can send.
MEDIA_KINDS = ("animation", "video", "photo", "sticker", "location", "voice", "document")

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_WRONG_FILE = "Bad Request: wrong file identifier/HTTP URL specified"
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Form fields Telegram reads as strings; every other form value is JSON (PTB json-dumps
# non-string values), so "123" in `text` must stay a string while `chat_id=123` is a number.
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "url",
        "secret_token",
        "callback_query_id",
        "inline_message_id",
        "animation",
        "video",
        "photo",
        "document",
        "sticker",
        "voice",
        "audio",
        "thumbnail",
        "action",
        "language_code",
        "emoji",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
    }
)
_PREFIX = {
    "animation": "CgACAgQAAxkB",
    "video": "BAACAgQAAxkB",
    "photo": "AgACAgQAAxkB",
    "document": "BQACAgQAAxkB",
    "sticker": "CAACAgQAAxkB",
    "voice": "AwACAgQAAxkB",
}
_BOT_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------- HTML entities


class HtmlParseError(ValueError):
    """Telegram refused the HTML; ``str(error)`` is the text after "can't parse entities: "."""


@dataclass(frozen=True)
class ParsedText:
    """Visible text and MessageEntity dicts, as Telegram returns them after parsing."""

    text: str
    entities: list[JSON]


_ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
# tdlib's is_space(): the NUL stands for "end of text" in its C-string scanning.
_SPACE = frozenset(" \t\r\n\v\0")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HEX = frozenset("0123456789abcdefABCDEF")
_DIGITS = frozenset("0123456789")
_NAME_TOKEN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    out_index: int


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference at ``text[pos] == "&"`` as tdlib does (";" optional)."""
    n = len(text)

    def at(i: int) -> str:
        return text[i] if i < n else "\0"

    end = pos + 1
    if at(end) == "#":
        end += 1
        code = 0
        if at(end) == "x":
            end += 1
            while at(end) in _HEX:
                code = code * 16 + int(text[end], 16)
                end += 1
                if code >= 0x10FFFF:
                    return None
        else:
            while at(end) in _DIGITS:
                code = code * 10 + int(text[end])
                end += 1
                if code >= 0x10FFFF:
                    return None
        if code == 0 or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while at(end).isascii() and at(end).isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if at(end) == ";":
        end += 1
    return char, end


def parse_html(text: str, *, strict: bool = True) -> ParsedText:
    """Parse Bot API HTML like Telegram's server (tdlib ``parse_html``) does.

    Raises ``HtmlParseError`` with Telegram's wording for unsupported or unbalanced tags and a
    bare ``<``. Telegram itself lets a bare ``&`` or ``>`` through as text; with ``strict``
    (the default) those are refused too, because the documentation requires escaping them and a
    bare ``&lt`` in model output would silently turn into ``<``.
    """
    n = len(text)

    def at(i: int) -> str:
        return text[i] if i < n else "\0"

    out: list[str] = []
    utf16 = 0
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    i = 0
    while i < n:
        char = text[i]
        if char == "&":
            decoded = _decode_entity(text, i)
            if decoded is not None:
                out.append(decoded[0])
                utf16 += utf16_len(decoded[0])
                i = decoded[1]
                continue
            if strict:
                raise HtmlParseError(f'Unescaped "&" at byte offset {_byte_offset(text, i)}')
        if char != "<":
            if strict and char == ">":
                raise HtmlParseError(f'Unescaped ">" at byte offset {_byte_offset(text, i)}')
            out.append(char)
            utf16 += utf16_len(char)
            i += 1
            continue

        begin = i
        begin_bytes = _byte_offset(text, begin)
        i += 1
        if at(i) != "/":
            while at(i) not in _SPACE and at(i) != ">":
                i += 1
            if i >= n or text[i] == "\0":
                raise HtmlParseError(f"Unclosed start tag at byte offset {begin_bytes}")
            tag = text[begin + 1 : i].lower()
            if tag not in _ALLOWED_TAGS:
                raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {begin_bytes}')
            argument = ""
            while at(i) != ">":
                while i < n and at(i) in _SPACE:
                    i += 1
                if at(i) == ">":
                    break
                attribute_begin = i
                while at(i) not in _SPACE and at(i) not in "=>":
                    i += 1
                attribute = text[attribute_begin:i]
                if not attribute:
                    raise HtmlParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin_bytes}'
                    )
                while i < n and at(i) in _SPACE:
                    i += 1
                if at(i) != "=":
                    if tag == "blockquote" and attribute == "expandable":
                        argument = "1"
                        continue
                    raise HtmlParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {begin_bytes}'
                    )
                i += 1
                while i < n and at(i) in _SPACE:
                    i += 1
                if i >= n:
                    raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin_bytes}')
                if at(i) not in "'\"":
                    token_begin = i
                    while at(i) in _NAME_TOKEN:
                        i += 1
                    value = text[token_begin:i].lower()
                    if at(i) not in _SPACE and at(i) != ">":
                        raise HtmlParseError(
                            "Unexpected end of name token at byte offset "
                            f"{_byte_offset(text, token_begin)}"
                        )
                else:
                    quote = text[i]
                    i += 1
                    chars: list[str] = []
                    while i < n and text[i] != quote:
                        if text[i] == "&":
                            decoded = _decode_entity(text, i)
                            if decoded is not None:
                                chars.append(decoded[0])
                                i = decoded[1]
                                continue
                        chars.append(text[i])
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(chars)
                if i >= n:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {begin_bytes}")
                if tag == "a" and attribute == "href":
                    argument = value
                elif tag == "code" and attribute == "class" and value.startswith("language-"):
                    argument = value.removeprefix("language-")
                elif tag == "span" and attribute == "class" and value.startswith("tg-"):
                    argument = value.removeprefix("tg-")
                elif tag == "tg-emoji" and attribute == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attribute == "expandable":
                    argument = "1"
                # Telegram ignores any other attribute.
            if tag == "span" and argument != "spoiler":
                raise HtmlParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin_bytes}'
                )
            stack.append(_OpenTag(tag, argument, utf16, len(out)))
            i += 1
            continue

        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {begin_bytes}")
        i += 1
        while at(i) not in _SPACE and at(i) != ">":
            i += 1
        end_name = text[begin + 2 : i]
        while i < n and at(i) in _SPACE:
            i += 1
        if at(i) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {begin_bytes}")
        opened = stack.pop()
        if end_name and end_name != opened.name:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {begin_bytes}, expected "</{opened.name}>", '
                f'found "</{end_name}>"'
            )
        i += 1
        if utf16 > opened.utf16_offset:
            _close_entity(opened, utf16 - opened.utf16_offset, "".join(out), entities)
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        entity.pop("_language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), entities)


def _close_entity(opened: _OpenTag, length: int, visible: str, entities: list[JSON]) -> None:
    offset = opened.utf16_offset
    name = opened.name
    last = entities[-1] if entities else None
    same_range = last is not None and last["offset"] == offset and last["length"] == length
    if name in _SIMPLE_ENTITY:
        entities.append({"type": _SIMPLE_ENTITY[name], "offset": offset, "length": length})
    elif name == "tg-emoji":
        if opened.argument:
            entities.append(
                {
                    "type": "custom_emoji",
                    "offset": offset,
                    "length": length,
                    "custom_emoji_id": opened.argument,
                }
            )
    elif name == "a":
        url = opened.argument or visible[opened.out_index :]
        entities.append({"type": "text_link", "offset": offset, "length": length, "url": url})
    elif name == "pre":
        if last is not None and same_range and last["type"] == "code":
            language = last.get("_language")
            last.clear()
            last.update({"type": "pre", "offset": offset, "length": length})
            if language:
                last["language"] = language
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif name == "code":
        if last is not None and same_range and last["type"] == "pre" and opened.argument:
            last["language"] = opened.argument
        else:
            entities.append(
                {"type": "code", "offset": offset, "length": length, "_language": opened.argument}
            )
    elif name == "blockquote":
        kind = "expandable_blockquote" if opened.argument else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})


def _strip(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Trim surrounding whitespace as Telegram does, moving and clipping the entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    end = lead + utf16_len(stripped)
    kept: list[JSON] = []
    for entity in entities:
        start = max(int(entity["offset"]), lead)
        stop = min(int(entity["offset"]) + int(entity["length"]), end)
        if stop > start:
            kept.append({**entity, "offset": start - lead, "length": stop - start})
    return stripped, kept


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """One HTTP request to the fake, with Telegram's answer once it is given."""

    method: str
    params: JSON
    #: time.monotonic() when the request arrived.
    time: float
    chat_id: int | str | None
    files: dict[str, UploadedFile] = field(default_factory=dict)
    http_method: str = "POST"
    #: 0 while the request is still being answered (a long poll, for instance).
    status: int = 0
    result: Any = None
    description: str | None = None

    @property
    def done(self) -> bool:
        """Whether the answer has been sent."""
        return self.status != 0

    @property
    def ok(self) -> bool:
        """Whether Telegram answered ``ok: true``."""
        return self.status == 200


class _ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass
class _Failure:
    """One injected fault: an error answer, a pause, a hang or a raw body."""

    method: str | None
    status: int
    description: str
    retry_after: int | None
    #: None: every matching call, forever.
    remaining: int | None
    #: Seconds to wait before answering (the error, or the normal answer when status is 0).
    delay: float = 0.0
    #: Never answer; the client's timeout ends the request.
    hang: bool = False
    #: Answer with exactly these bytes (and ``status``) instead of a Bot API document.
    raw: bytes | None = None


def _default_description(status: int, retry_after: int | None) -> str:
    if status == 429:
        return f"Too Many Requests: retry after {retry_after or 1}"
    return {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }.get(status, "Error")


def parse_multipart(
    body: bytes, content_type: str
) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """Form fields and file parts of a multipart/form-data body (ValueError without boundary)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if match is None:
        raise ValueError("multipart boundary is missing")
    delimiter = b"--" + match.group(1).encode("latin-1")
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for raw_part in body.split(delimiter)[1:]:
        if raw_part.startswith(b"--"):
            break
        part = raw_part.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, _, content = part.partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name_match = re.search(r'(?:^|;)\s*name="([^"]*)"', disposition)
        if name_match is None:
            continue
        name = name_match.group(1)
        filename_match = re.search(r'filename="([^"]*)"', disposition)
        if filename_match is not None or "content-type" in headers:
            files[name] = UploadedFile(
                field=name,
                filename=filename_match.group(1) if filename_match else None,
                content_type=headers.get("content-type"),
                data=content,
            )
        else:
            fields[name] = content.decode("utf-8")
    return fields, files


def _decode_form(raw: Mapping[str, str]) -> JSON:
    params: JSON = {}
    for key, value in raw.items():
        if key in _STRING_FIELDS:
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def _chat_key(value: Any) -> int | str:
    if isinstance(value, bool):
        raise _ApiError(400, "Bad Request: chat not found")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        return text


def _int_param(params: JSON, name: str, default: int | None = None) -> int:
    value = params.get(name, default)
    if value is None:
        raise _ApiError(400, f"Bad Request: {name} is empty")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _ApiError(400, f"Bad Request: invalid {name} specified") from None


# --------------------------------------------------------------------------- the fake


_Handler = Callable[["FakeTelegram", JSON, dict[str, UploadedFile]], Awaitable[Any]]


class FakeTelegram:
    """Telegram Bot API on loopback: ``Bot(token, base_url=f"{fake.base_url}/bot")``.

    ``requests`` holds every request in arrival order. Failures are injected with
    ``fail_next``, ``block_user``, ``unknown_chat`` and ``refuse_url``; users are played with
    ``user_sends`` and friends, whose updates ``getUpdates`` delivers (or a test posts them to a
    webhook itself).
    """

    def __init__(self, token: str = TEST_TOKEN, *, strict_html: bool = True) -> None:
        self.token = token
        #: Also refuse a bare "&" or ">" in HTML (Telegram lets them through); see parse_html.
        self.strict_html = strict_html
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "FitCoach Test",
            "username": "fitcoach_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.requests: list[RecordedRequest] = []
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        #: file_ids this bot may send; file_ids belong to one bot, so clearing this set
        #: mimics a token change and every cached file_id then answers 400.
        self.known_file_ids: set[str] = set()
        self._server = LoopbackServer(
            Starlette(
                routes=[
                    Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                    Route("/file/bot{token}/{file_path:path}", self._download, methods=["GET"]),
                ]
            )
        )
        self._changed = ChangeSignal()
        self._closing = asyncio.Event()
        self._updates: list[JSON] = []
        self._last_update_id = 100_000
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._users: dict[int, JSON] = {}
        self._chats: dict[int | str, JSON] = {}
        self._messages: dict[int | str, dict[int, JSON]] = {}
        self._next_message_id: dict[int | str, int] = {}
        self._blocked: set[int | str] = set()
        self._unknown: set[int | str] = set()
        self._refused_urls: set[str] = set()
        self._failures: list[_Failure] = []
        self._files: dict[str, Any] = {}
        self._file_counter = 0
        self._callback_counter = 0
        self._open_callback_queries: set[str] = set()
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._drafts: dict[int, list[str]] = {}
        #: getUpdates ignores ``timeout`` and answers at once, like a proxy that cuts long polls.
        self.instant_polls = False
        self._removed_methods: set[str] = set()
        self._contents: dict[str, bytes] = {}
        self._file_paths: dict[str, str] = {}
        self._refused_file_ids: set[str] = set()
        self._menu_buttons: dict[int | None, JSON] = {}
        self._descriptions: dict[tuple[str, str], str] = {}
        #: Every file download: (file_path, HTTP status).
        self.downloads: list[tuple[str, int]] = []

    # ---------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; the Bot API lives under ``/bot{token}/``."""
        return self._server.base_url

    async def start(self) -> None:
        """Start serving on a free loopback port."""
        self._closing.clear()
        await self._server.start()

    async def stop(self) -> None:
        """Release long polls and close the server."""
        self._closing.set()
        self._changed.notify()
        await self._server.stop()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ---------------------------------------------------------------- injection

    def block_user(self, chat_id: int) -> None:
        """Sends to ``chat_id`` answer 403 "Forbidden: bot was blocked by the user"."""
        self._blocked.add(chat_id)

    def unblock_user(self, chat_id: int) -> None:
        """Undo ``block_user``."""
        self._blocked.discard(chat_id)

    def unknown_chat(self, chat_id: int | str) -> None:
        """Requests aimed at ``chat_id`` answer 400 "Bad Request: chat not found"."""
        self._unknown.add(chat_id)

    def refuse_url(self, url: str) -> None:
        """A media send by this URL answers 400 "wrong file identifier/HTTP URL specified"."""
        self._refused_urls.add(url)

    def fail_next(
        self,
        method: str | None,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """The next ``count`` calls of ``method`` (None: any method, getUpdates too) fail.

        A 429 carries ``parameters.retry_after`` (default 1 s), as Telegram's flood control does.
        """
        self.fail(method, status, description, retry_after=retry_after, times=count)

    def fail(
        self,
        method: str | None,
        status: int,
        description: str | None = None,
        *,
        times: int | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer ``method`` (None: any) with ``status`` and ``description``, ``times`` times.

        ``times=None`` fails every call until ``clear_faults``; ``description`` defaults to
        Telegram's wording for the status ("Bad Request", "Forbidden", ...); ``delay`` waits
        before answering. Faults are matched in the order they were added.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        self._add_fault(
            _Failure(
                method=self._canonical(method) if method else None,
                status=status,
                description=description or _default_description(status, retry_after),
                retry_after=retry_after,
                remaining=times,
                delay=delay,
            )
        )

    def delay(self, method: str | None, seconds: float, *, times: int | None = None) -> None:
        """Answer ``method`` normally, but only after ``seconds``."""
        self._add_fault(_Failure(self._method_or_none(method), 0, "", None, times, delay=seconds))

    def hang(self, method: str | None, *, times: int | None = None) -> None:
        """Never answer ``method``: the client's read timeout ends it (``status`` 499)."""
        self._add_fault(_Failure(self._method_or_none(method), 0, "", None, times, hang=True))

    def answer_raw(
        self, method: str | None, body: bytes | str, status: int = 200, *, times: int | None = None
    ) -> None:
        """Answer ``method`` with exactly ``body`` (e.g. broken JSON or a result missing fields)."""
        raw = body.encode() if isinstance(body, str) else body
        self._add_fault(_Failure(self._method_or_none(method), status, "", None, times, raw=raw))

    def clear_faults(self, method: str | None = None) -> None:
        """Drop the injected faults of ``method`` (None: all of them)."""
        wanted = self._method_or_none(method)
        self._failures = [f for f in self._failures if method is not None and f.method != wanted]

    def remove_method(self, method: str) -> None:
        """Make ``method`` unknown, as on an older server: it answers 404 "Not Found"."""
        self._removed_methods.add(self._canonical(method))

    def refuse_file_id(self, file_id: str) -> None:
        """Sending ``file_id`` answers 400 "wrong file identifier/HTTP URL specified"."""
        self._refused_file_ids.add(file_id)

    def add_file(
        self,
        data: bytes,
        kind: str = "document",
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> JSON:
        """Register a file the bot may fetch with getFile and download; returns its object.

        ``kind`` is one of "voice", "photo", "document", "animation", "video", "sticker"; a
        photo is returned as one PhotoSize. The bytes are served at ``/file/bot{token}/...``.
        """
        if kind not in _PREFIX:
            raise ValueError(f"kind must be one of {sorted(_PREFIX)}, not {kind!r}")
        media: JSON = self._new_file(kind, len(data))
        if kind == "photo":
            media.update(width=1280, height=720)
        elif kind == "voice":
            media.update(duration=max(1, len(data) // 4000), mime_type=mime_type or "audio/ogg")
        else:
            if file_name is not None:
                media["file_name"] = file_name
            if mime_type is not None:
                media["mime_type"] = mime_type
        self._files[media["file_id"]] = [media] if kind == "photo" else media
        self._contents[media["file_id"]] = data
        return copy.deepcopy(media)

    def _method_or_none(self, method: str | None) -> str | None:
        return self._canonical(method) if method else None

    def _add_fault(self, failure: _Failure) -> None:
        self._failures.append(failure)

    # ---------------------------------------------------------------- playing users

    def user_sends(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str | None = None,
        language_code: str | None = "en",
        username: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """Queue an Update with a text Message from ``user_id``; returns the update dict.

        Group messages need ``chat_id`` (negative) and ``chat_type`` "group" or "supergroup".
        """
        user = self._user(user_id, first_name, language_code, username)
        chat = self._chat_for(user, chat_id, chat_type)
        content: JSON = {"text": text}
        entities = self._command_entities(text)
        if entities:
            content["entities"] = entities
        if reply_to_message_id is not None:
            replied = self._messages.get(chat["id"], {}).get(reply_to_message_id)
            if replied is not None:
                content["reply_to_message"] = self._without_reply(replied)
        message = self._new_message(chat["id"], user, content)
        return self._enqueue("message", message)

    def user_presses(
        self,
        user_id: int,
        callback_data: str,
        message_id: int,
        *,
        chat_id: int | None = None,
    ) -> JSON:
        """Queue a callback_query Update for a button under message ``message_id``."""
        user = self._user(user_id, None, None, None)
        chat_key = chat_id if chat_id is not None else user_id
        chat = self._chat(chat_key)
        self._callback_counter += 1
        query_id = f"{self.bot_user['id']}{self._callback_counter:09d}"
        self._open_callback_queries.add(query_id)
        stored = self._messages.get(chat_key, {}).get(message_id)
        message: JSON = (
            copy.deepcopy(stored)
            if stored is not None
            # What Telegram sends when the message is gone: an InaccessibleMessage.
            else {"chat": chat, "message_id": message_id, "date": 0}
        )
        query = {
            "id": query_id,
            "from": user,
            "chat_instance": str(abs(hash((self.bot_user["id"], chat_key))) % 10**18),
            "data": callback_data,
            "message": message,
        }
        return self._enqueue("callback_query", query)

    def user_sends_media(
        self,
        user_id: int,
        kind: str,
        caption: str | None = None,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str | None = None,
        language_code: str | None = "en",
        data: bytes | None = None,
    ) -> JSON:
        """Queue an Update with a media Message (one of ``MEDIA_KINDS``) from ``user_id``.

        With ``data`` (voice, photo, document) the file carries those bytes: the bot can
        fetch them with getFile and download them.
        """
        if kind not in MEDIA_KINDS:
            raise ValueError(f"kind must be one of {MEDIA_KINDS}, not {kind!r}")
        user = self._user(user_id, first_name, language_code, None)
        chat = self._chat_for(user, chat_id, chat_type)
        content: JSON = {}
        if data is not None:
            if kind not in ("voice", "photo", "document"):
                raise ValueError("data can be given for a voice, photo or document only")
            if kind == "photo":
                content["photo"] = [self.add_file(data, "photo")]
            elif kind == "voice":
                content["voice"] = self.add_file(data, "voice")
            else:
                content["document"] = self.add_file(
                    data, "document", file_name="upload.bin", mime_type="application/octet-stream"
                )
        elif kind == "location":
            content["location"] = {"latitude": 51.507351, "longitude": -0.127758}
        elif kind == "sticker":
            content["sticker"] = {
                **self._new_file("sticker", 24_000),
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "💪",
            }
        elif kind == "voice":
            content["voice"] = {
                **self._new_file("voice", 18_000),
                "duration": 4,
                "mime_type": "audio/ogg",
            }
        elif kind == "document":
            content["document"] = {
                **self._new_file("document", 120_000),
                "file_name": "training-plan.pdf",
                "mime_type": "application/pdf",
            }
        else:
            content.update(self._media_content(kind, self._fresh_media(kind, 250_000)))
        if kind in ("sticker", "voice", "document") and data is None:
            # The bot may send a user's file back by its file_id.
            self._files[content[kind]["file_id"]] = content[kind]
        if caption is not None and kind not in ("location", "sticker"):
            content["caption"] = caption
            entities = self._command_entities(caption)
            if entities:
                content["caption_entities"] = entities
        message = self._new_message(chat["id"], user, content)
        return self._enqueue("message", message)

    def user_edits(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> JSON:
        """Queue an edited_message Update: ``user_id`` changed their message to ``text``."""
        chat_key = chat_id if chat_id is not None else user_id
        stored = self._messages.get(chat_key, {}).get(message_id)
        if stored is None or stored["from"]["id"] != user_id:
            raise ValueError(f"user {user_id} has no message {message_id} in chat {chat_key}")
        stored["text"] = text
        stored.pop("entities", None)
        entities = self._command_entities(text)
        if entities:
            stored["entities"] = entities
        stored["edit_date"] = int(time.time())
        return self._enqueue("edited_message", copy.deepcopy(stored))

    def chat_member_update(
        self, user_id: int, new_status: str = "kicked", *, chat_id: int | None = None
    ) -> JSON:
        """Queue a my_chat_member Update: the user blocked ("kicked") or restarted ("member").

        Like Telegram, a block also makes later sends to that chat answer 403.
        """
        if new_status not in ("kicked", "member"):
            raise ValueError("new_status must be 'kicked' or 'member'")
        user = self._user(user_id, None, None, None)
        chat_key = chat_id if chat_id is not None else user_id
        chat = self._chat_for(user, chat_id, "private" if chat_id is None else "group")
        bot = self._bot_sender()
        kicked: JSON = {"status": "kicked", "user": bot, "until_date": 0}
        member: JSON = {"status": "member", "user": bot}
        if new_status == "kicked":
            self._blocked.add(chat_key)
            old, new = member, kicked
        else:
            self._blocked.discard(chat_key)
            old, new = kicked, member
        update: JSON = {
            "chat": chat,
            "from": user,
            "date": int(time.time()),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        return self._enqueue("my_chat_member", update)

    # ---------------------------------------------------------------- inspection

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by a getUpdates offset."""
        return copy.deepcopy(self._updates)

    @property
    def uploads(self) -> list[UploadedFile]:
        """Every uploaded file part, in request order."""
        return [upload for request in self.requests for upload in request.files.values()]

    def calls(
        self, method: str | None = None, *, chat_id: int | str | None = None
    ) -> list[RecordedRequest]:
        """Answered requests, optionally of one method and/or aimed at one chat."""
        wanted = self._canonical(method) if method else None
        return [
            request
            for request in self.requests
            if request.done
            and (wanted is None or request.method == wanted)
            and (chat_id is None or request.chat_id == chat_id)
        ]

    def sent_to(self, chat_id: int | str) -> list[JSON]:
        """The bot's messages visible in ``chat_id`` now (edits applied, deletions gone)."""
        bot_id = self.bot_user["id"]
        messages = self._messages.get(chat_id, {})
        return [
            copy.deepcopy(messages[message_id])
            for message_id in sorted(messages)
            if messages[message_id]["from"]["id"] == bot_id
        ]

    def drafts_to(self, chat_id: int) -> list[str]:
        """Visible texts of the accepted sendMessageDraft calls to ``chat_id``, in order."""
        return list(self._drafts.get(chat_id, []))

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command list setMyCommands stored for ``scope`` and ``language_code``."""
        return copy.deepcopy(self._commands.get(self._scope_key(scope, language_code), []))

    def command_languages(self, scope: JSON | None = None) -> list[str]:
        """The language codes with a command list for ``scope`` ("" is the default list)."""
        scope_key = self._scope_key(scope, "")[0]
        return sorted(language for key, language in self._commands if key == scope_key)

    def menu_button(self, chat_id: int | None = None) -> JSON:
        """The MenuButton setChatMenuButton stored for ``chat_id`` (None: the default)."""
        return copy.deepcopy(self._menu_buttons.get(chat_id, {"type": "commands"}))

    def description(self, language_code: str = "", *, short: bool = False) -> str:
        """The (short) description setMy(Short)Description stored for ``language_code``."""
        return self._descriptions.get(("short" if short else "long", language_code), "")

    @property
    def poll_count(self) -> int:
        """getUpdates requests received so far (answered or still waiting)."""
        return sum(1 for request in self.requests if request.method == "getUpdates")

    def peak_rate(
        self,
        window: float = 1.0,
        methods: Iterable[str] | None = None,
        *,
        chat_id: int | str | None = None,
    ) -> float:
        """Highest number of requests in any ``window`` seconds, divided by ``window``."""
        wanted = {self._canonical(m) for m in methods} if methods is not None else None
        times = sorted(
            request.time
            for request in self.requests
            if (wanted is None or request.method in wanted)
            and (chat_id is None or request.chat_id == chat_id)
        )
        best = 0
        start = 0
        for end, moment in enumerate(times):
            while moment - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best / window

    async def wait_for(
        self,
        predicate: Callable[[RecordedRequest], bool] | str,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline per wait reads best in tests
        *,
        count: int = 1,
    ) -> list[RecordedRequest]:
        """Wait until ``count`` answered requests match; returns all matches so far.

        ``predicate`` may be a method name.
        """
        matches: Callable[[RecordedRequest], bool]
        if isinstance(predicate, str):
            method = self._canonical(predicate)
            matches = lambda request: request.method == method  # noqa: E731
        else:
            matches = predicate

        def check() -> list[RecordedRequest] | None:
            found = [r for r in self.requests if r.done and matches(r)]
            return found if len(found) >= count else None

        return await wait_until(self._changed, check, timeout, self._describe_requests)

    async def wait_for_messages(
        self,
        chat_id: int | str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline per wait reads best in tests
    ) -> list[JSON]:
        """Wait until ``chat_id`` shows at least ``count`` bot messages; returns them."""

        def check() -> list[JSON] | None:
            messages = self.sent_to(chat_id)
            return messages if len(messages) >= count else None

        def describe() -> str:
            shown = [m.get("text", m.get("caption")) for m in self.sent_to(chat_id)]
            return f"{count} message(s) in chat {chat_id}, saw {shown}; {self._describe_requests()}"

        return await wait_until(self._changed, check, timeout, describe)

    async def wait_polling(
        self,
        timeout: float = 15.0,  # noqa: ASYNC109 - a deadline per wait reads best in tests
    ) -> None:
        """Wait until the bot has started long-polling (a getUpdates arrived, answered or not)."""

        def check() -> bool | None:
            return True if any(r.method == "getUpdates" for r in self.requests) else None

        await wait_until(self._changed, check, timeout, self._describe_requests)

    async def wait_for_confirmed(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline per wait reads best in tests
    ) -> None:
        """Wait until every queued update was confirmed by a getUpdates offset."""

        def check() -> bool | None:
            return True if not self._updates else None

        def describe() -> str:
            return f"confirmation of updates {[u['update_id'] for u in self._updates]}"

        await wait_until(self._changed, check, timeout, describe)

    # ---------------------------------------------------------------- HTTP

    async def _endpoint(self, request: Request) -> Response:
        method = self._canonical(request.path_params["method"])
        record = RecordedRequest(
            method=method,
            params={},
            time=time.monotonic(),
            chat_id=None,
            http_method=request.method,
        )
        self.requests.append(record)
        try:
            record.params, record.files = await self._read_params(request)
            if record.params.get("chat_id") is not None:
                record.chat_id = _chat_key(record.params["chat_id"])
            self._changed.notify()  # arrivals matter too: a long poll is answered much later
            if request.path_params["token"] != self.token:
                raise _ApiError(401, "Unauthorized")
            handler = _HANDLERS.get(method)
            if handler is None or method in self._removed_methods:
                raise _ApiError(404, "Not Found")
            fault = self._take_failure(method)
            if fault is not None:
                if fault.hang:
                    await self._hang(request, record)
                    return JSONResponse({}, status_code=504)
                if fault.delay and await interruptible_sleep(fault.delay, self._closing):
                    raise _ApiError(504, "Gateway Timeout")
                if fault.raw is not None:
                    record.status = fault.status
                    record.description = "raw answer"
                    self._changed.notify()
                    return Response(fault.raw, status_code=fault.status)
                if fault.status:
                    parameters = (
                        {"retry_after": fault.retry_after}
                        if fault.retry_after is not None
                        else None
                    )
                    raise _ApiError(fault.status, fault.description, parameters)
            if record.chat_id is not None:
                self._check_chat(record.chat_id)
            result = await handler(self, record.params, record.files)
        except _ApiError as error:
            record.status = error.status
            record.description = error.description
            body: JSON = {
                "ok": False,
                "error_code": error.status,
                "description": error.description,
            }
            if error.parameters:
                body["parameters"] = error.parameters
            self._changed.notify()
            return JSONResponse(body, status_code=error.status)
        record.status = 200
        record.result = copy.deepcopy(result)
        self._changed.notify()
        return JSONResponse({"ok": True, "result": result})

    async def _read_params(self, request: Request) -> tuple[JSON, dict[str, UploadedFile]]:
        params: JSON = _decode_form(dict(request.query_params))
        files: dict[str, UploadedFile] = {}
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        if not body:
            return params, files
        if content_type.startswith("application/json"):
            try:
                decoded = json.loads(body)
            except ValueError:
                decoded = None
            if not isinstance(decoded, dict):
                raise _ApiError(400, "Bad Request: JSON object expected")
            params.update(decoded)
        elif content_type.startswith("multipart/form-data"):
            try:
                fields, files = parse_multipart(body, content_type)
            except ValueError:
                raise _ApiError(400, "Bad Request: multipart boundary is missing") from None
            params.update(_decode_form(fields))
        else:
            params.update(
                _decode_form(dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)))
            )
        return params, files

    # ---------------------------------------------------------------- helpers

    @staticmethod
    def _canonical(method: str) -> str:
        # Telegram matches method names case-insensitively.
        return _CANONICAL.get(method.lower(), method)

    def _describe_requests(self) -> str:
        tail = [
            f"{r.method}({r.chat_id})={r.status}{' ' + r.description if r.description else ''}"
            for r in self.requests[-12:]
        ]
        return f"{len(self.requests)} request(s), last: {tail}"

    def _take_failure(self, method: str) -> _Failure | None:
        for failure in self._failures:
            if failure.method is None or failure.method == method:
                if failure.remaining is not None:
                    failure.remaining -= 1
                    if failure.remaining <= 0:
                        self._failures.remove(failure)
                return failure
        return None

    async def _hang(self, request: Request, record: RecordedRequest) -> None:
        while not self._closing.is_set():
            if await request.is_disconnected():
                break
            await interruptible_sleep(0.05, self._closing)
        record.status = 499
        record.description = "no answer: the client gave up"
        self._changed.notify()

    async def _download(self, request: Request) -> Response:
        file_path = request.path_params["file_path"]
        file_id = self._file_paths.get(file_path)
        if request.path_params["token"] != self.token or file_id is None:
            self.downloads.append((file_path, 404))
            self._changed.notify()
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        self.downloads.append((file_path, 200))
        self._changed.notify()
        return Response(self._contents.get(file_id, b""), media_type="application/octet-stream")

    def _check_chat(self, chat_id: int | str) -> None:
        if chat_id in self._unknown:
            raise _ApiError(400, "Bad Request: chat not found")
        if chat_id in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")

    def _bot_sender(self) -> JSON:
        return {key: self.bot_user[key] for key in ("id", "is_bot", "first_name", "username")}

    def _user(
        self,
        user_id: int,
        first_name: str | None,
        language_code: str | None,
        username: str | None,
    ) -> JSON:
        user = self._users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        )
        if first_name is not None:
            user["first_name"] = first_name
        if language_code is not None:
            user["language_code"] = language_code
        if username is not None:
            user["username"] = username
        return copy.deepcopy(user)

    def _chat_for(self, user: JSON, chat_id: int | None, chat_type: str) -> JSON:
        if chat_type != "private" and chat_id is None:
            raise ValueError(f"a {chat_type} message needs its chat_id")
        if chat_type == "private":
            chat: JSON = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
        else:
            chat = {"id": chat_id, "type": chat_type, "title": f"Group {chat_id}"}
        self._chats[chat["id"]] = chat
        return copy.deepcopy(chat)

    def _chat(self, chat_id: int | str) -> JSON:
        known = self._chats.get(chat_id)
        if known is not None:
            return copy.deepcopy(known)
        if isinstance(chat_id, int) and chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        if isinstance(chat_id, str):
            return {"id": -1001000000000, "type": "channel", "title": chat_id, "username": chat_id}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}

    def _new_message(self, chat_id: int | str, sender: JSON, content: JSON) -> JSON:
        message_id = self._next_message_id.get(chat_id, 0) + 1
        self._next_message_id[chat_id] = message_id
        message: JSON = {
            "message_id": message_id,
            "from": sender,
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            **content,
        }
        self._messages.setdefault(chat_id, {})[message_id] = message
        return message

    @staticmethod
    def _without_reply(message: JSON) -> JSON:
        replied = copy.deepcopy(message)
        replied.pop("reply_to_message", None)
        return replied

    def _enqueue(self, kind: str, payload: JSON) -> JSON:
        self._last_update_id += 1
        update = {"update_id": self._last_update_id, kind: copy.deepcopy(payload)}
        self._updates.append(update)
        self._changed.notify()
        return copy.deepcopy(update)

    @staticmethod
    def _command_entities(text: str) -> list[JSON]:
        return [
            {
                "type": "bot_command",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            }
            for match in _BOT_COMMAND.finditer(text)
        ]

    def _format(
        self, raw: Any, parse_mode: Any, entities: Any, *, limit: int, caption: bool
    ) -> tuple[str, list[JSON]]:
        text = "" if raw is None else str(raw)
        if isinstance(parse_mode, str) and parse_mode.lower() == "html":
            try:
                parsed = parse_html(text, strict=self.strict_html)
            except HtmlParseError as error:
                raise _ApiError(400, f"Bad Request: can't parse entities: {error}") from None
            text, found = parsed.text, parsed.entities
        else:
            # Markdown modes are passed through unparsed: FitCoach renders HTML only.
            found = [dict(e) for e in entities] if isinstance(entities, list) else []
        text, found = _strip(text, found)
        if utf16_len(text) > limit:
            what = "message caption is too long" if caption else "message is too long"
            raise _ApiError(400, f"Bad Request: {what}")
        return text, found

    def _text_content(self, params: JSON) -> JSON:
        text, entities = self._format(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_TEXT_LENGTH,
            caption=False,
        )
        if not text:
            raise _ApiError(400, "Bad Request: message text is empty")
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        return content

    def _caption_content(self, params: JSON) -> JSON:
        caption, entities = self._format(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            limit=MAX_CAPTION_LENGTH,
            caption=True,
        )
        content: JSON = {}
        if caption:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        return content

    def _extras(self, chat_id: int | str, params: JSON) -> JSON:
        """reply_markup and reply_to_message of a new bot message."""
        extras: JSON = {}
        markup = params.get("reply_markup")
        # Telegram echoes only inline keyboards back in the Message.
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            extras["reply_markup"] = markup
        reply = params.get("reply_parameters")
        reply_id = reply.get("message_id") if isinstance(reply, dict) else None
        if reply_id is None:
            reply_id = params.get("reply_to_message_id")
        if reply_id is not None:
            replied = self._messages.get(chat_id, {}).get(int(reply_id))
            if replied is not None:
                extras["reply_to_message"] = self._without_reply(replied)
            elif not (isinstance(reply, dict) and reply.get("allow_sending_without_reply")):
                raise _ApiError(400, "Bad Request: message to be replied not found")
        return extras

    def _target(self, params: JSON) -> int | str:
        if params.get("chat_id") in (None, ""):
            raise _ApiError(400, "Bad Request: chat_id is empty")
        return _chat_key(params["chat_id"])

    def _new_file(self, kind: str, size: int) -> JSON:
        self._file_counter += 1
        file_id = f"{_PREFIX[kind]}AAIB{self._file_counter:06d}FakeFile{kind.capitalize()}"
        self.known_file_ids.add(file_id)
        return {
            "file_id": file_id,
            "file_unique_id": f"AgAD{self._file_counter:06d}",
            "file_size": size,
        }

    def _fresh_media(self, kind: str, size: int) -> Any:
        """A new Telegram file object of ``kind`` (photo: the list of sizes)."""
        media: Any
        if kind == "photo":
            media = [
                {**self._new_file("photo", max(size * w // 1280, 1)), "width": w, "height": h}
                for w, h in ((90, 51), (320, 180), (800, 450), (1280, 720))
            ]
            for photo in media:
                self._files[photo["file_id"]] = media
            return media
        if kind == "animation":
            media = {
                **self._new_file("animation", size),
                "width": 480,
                "height": 270,
                "duration": 3,
                "file_name": "demo.mp4",
                "mime_type": "video/mp4",
            }
        elif kind == "video":
            media = {
                **self._new_file("video", size),
                "width": 640,
                "height": 360,
                "duration": 5,
                "mime_type": "video/mp4",
            }
        else:
            media = {
                **self._new_file("document", size),
                "file_name": "file.bin",
                "mime_type": "application/octet-stream",
            }
        self._files[media["file_id"]] = media
        return media

    def _uploaded_media(self, kind: str, upload: UploadedFile) -> Any:
        """A fresh file object for uploaded bytes, which getFile then serves back."""
        media = self._fresh_media(kind, len(upload.data))
        for item in media if isinstance(media, list) else [media]:
            self._contents[item["file_id"]] = upload.data
        return media

    @staticmethod
    def _media_content(kind: str, media: Any) -> JSON:
        content: JSON = {kind: copy.deepcopy(media)}
        if kind == "animation":
            # Telegram duplicates an animation as a document for older clients.
            content["document"] = {
                k: media[k]
                for k in ("file_id", "file_unique_id", "file_name", "mime_type", "file_size")
            }
        return content

    def _resolve_media(
        self, kind: str, value: Any, files: dict[str, UploadedFile], field_name: str
    ) -> Any:
        if value is None and field_name in files:
            return self._uploaded_media(kind, files[field_name])
        if not isinstance(value, str) or not value:
            raise _ApiError(400, f"Bad Request: there is no {kind} in the request")
        if value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
            if upload is None:
                raise _ApiError(400, _WRONG_FILE)
            return self._uploaded_media(kind, upload)
        if value.startswith(("http://", "https://")):
            if value in self._refused_urls:
                raise _ApiError(400, _WRONG_FILE)
            return self._fresh_media(kind, 1_000_000)
        if (
            value not in self.known_file_ids
            or value not in self._files
            or value in self._refused_file_ids
        ):
            raise _ApiError(400, _WRONG_FILE)
        return copy.deepcopy(self._files[value])

    def _find_message(self, params: JSON, action: str) -> JSON:
        chat_id = self._target(params)
        message_id = _int_param(params, "message_id")
        message = self._messages.get(chat_id, {}).get(message_id)
        if message is None:
            raise _ApiError(400, f"Bad Request: message to {action} not found")
        return message

    @staticmethod
    def _scope_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) and scope else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _deliverable(self) -> list[JSON]:
        if self._allowed_updates:
            allowed = set(self._allowed_updates)
            # Telegram does not even keep updates of types the bot did not ask for.
            self._updates = [
                u for u in self._updates if next(k for k in u if k != "update_id") in allowed
            ]
        return self._updates

    # ---------------------------------------------------------------- methods

    async def _get_me(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        return dict(self.bot_user)

    async def _log_out(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        return True

    async def _set_webhook(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if url and not url.startswith("https://"):
            raise _ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
            raise _ApiError(400, "Bad Request: secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = params["allowed_updates"] or None
        self.webhook_url = url
        self.webhook_secret = str(secret) if secret is not None and url else None
        return True

    async def _delete_webhook(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook_url = ""
        self.webhook_secret = None
        return True

    async def _get_webhook_info(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        info: JSON = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            info["max_connections"] = 40
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
        return info

    async def _get_updates(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        if self.webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int_param(params, "offset", 0)
        limit = min(max(_int_param(params, "limit", 100), 1), 100)
        timeout = 0.0 if self.instant_polls else max(float(params.get("timeout") or 0), 0.0)
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = params["allowed_updates"] or None
        self._confirm(offset)
        # A newer long poll ends the older one, as on Telegram (two bot instances conflict).
        self._poll_generation += 1
        generation = self._poll_generation
        self._changed.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._changed.event
            if self._poll_generation != generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            ready = self._deliverable()
            remaining = deadline - loop.time()
            if ready or remaining <= 0 or self._closing.is_set():
                return copy.deepcopy(ready[:limit])
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue

    async def _send_message(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        chat_id = self._target(params)
        content = self._text_content(params)
        content.update(self._extras(chat_id, params))
        return self._new_message(chat_id, self._bot_sender(), content)

    async def _send_message_draft(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        chat_id = self._target(params)
        if not isinstance(chat_id, int) or chat_id <= 0:
            raise _ApiError(400, "Bad Request: message drafts can be sent to private chats only")
        if _int_param(params, "draft_id") == 0:
            raise _ApiError(400, "Bad Request: draft_id must be non-zero")
        text, _ = self._format(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_TEXT_LENGTH,
            caption=False,
        )
        self._drafts.setdefault(chat_id, []).append(text)
        return True

    async def _send_animation(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        return self._send_media("animation", params, files)

    async def _send_video(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        return self._send_media("video", params, files)

    async def _send_photo(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        return self._send_media("photo", params, files)

    async def _send_document(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        return self._send_media("document", params, files)

    def _send_media(self, kind: str, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat_id = self._target(params)
        content = self._caption_content(params)
        media = self._resolve_media(kind, params.get(kind), files, kind)
        content.update(self._media_content(kind, media))
        content.update(self._extras(chat_id, params))
        return self._new_message(chat_id, self._bot_sender(), content)

    async def _send_media_group(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        chat_id = self._target(params)
        items = params.get("media")
        if not isinstance(items, list) or not 2 <= len(items) <= 10:
            raise _ApiError(400, "Bad Request: media group must contain 2-10 items")
        prepared: list[JSON] = []
        for item in items:
            kind = item.get("type") if isinstance(item, dict) else None
            if kind not in ("photo", "video", "document", "audio"):
                raise _ApiError(400, f"Bad Request: wrong media type {kind!r} in the media group")
            content = self._caption_content(item)
            media_kind = kind if kind in ("photo", "video") else "document"
            media = self._resolve_media(media_kind, item.get("media"), files, "media")
            content.update(self._media_content(media_kind, media))
            prepared.append(content)
        group_id = str(13_000_000_000_000_000 + self._file_counter)
        extras = self._extras(chat_id, params)
        return [
            self._new_message(
                chat_id, self._bot_sender(), {**content, "media_group_id": group_id, **extras}
            )
            for content in prepared
        ]

    async def _send_chat_action(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        self._target(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _set_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _ApiError(400, "Bad Request: commands must be a list of at most 100 commands")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.fullmatch(
                str(command.get("command", ""))
            ):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._scope_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _delete_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        self._commands.pop(self._scope_key(params.get("scope"), params.get("language_code")), None)
        return True

    async def _get_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        return self.commands(params.get("scope"), str(params.get("language_code") or ""))

    async def _get_file(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        file_id = str(params.get("file_id") or "")
        stored = self._files.get(file_id)
        if (
            stored is None
            or file_id not in self.known_file_ids
            or file_id in self._refused_file_ids
        ):
            raise _ApiError(400, "Bad Request: invalid file_id")
        media = (
            next(p for p in stored if p["file_id"] == file_id)
            if isinstance(stored, list)
            else stored
        )
        size = int(media.get("file_size") or 0)
        if size > MAX_DOWNLOAD_SIZE:
            raise _ApiError(400, "Bad Request: file is too big")
        folder = "photos" if file_id.startswith(_PREFIX["photo"]) else "documents"
        if file_id.startswith(_PREFIX["voice"]):
            folder = "voice"
        path = self._file_paths_by_id().get(file_id)
        if path is None:
            path = f"{folder}/file_{len(self._file_paths)}.bin"
            self._file_paths[path] = file_id
        return {
            "file_id": file_id,
            "file_unique_id": media["file_unique_id"],
            "file_size": size,
            "file_path": path,
        }

    def _file_paths_by_id(self) -> dict[str, str]:
        return {file_id: path for path, file_id in self._file_paths.items()}

    async def _set_chat_menu_button(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "commands",
            "web_app",
            "default",
        ):
            raise _ApiError(400, "Bad Request: unsupported menu button type")
        if button["type"] == "web_app" and not str(
            (button.get("web_app") or {}).get("url", "")
        ).startswith("https://"):
            raise _ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        chat = params.get("chat_id")
        self._menu_buttons[None if chat is None else int(chat)] = button
        return True

    async def _get_chat_menu_button(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        chat = params.get("chat_id")
        return self.menu_button(None if chat is None else int(chat))

    async def _set_my_description(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        return self._store_description("long", "description", 512, params)

    async def _set_my_short_description(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        return self._store_description("short", "short_description", 120, params)

    def _store_description(self, kind: str, name: str, limit: int, params: JSON) -> bool:
        text = str(params.get(name) or "")
        if len(text) > limit:
            raise _ApiError(400, f"Bad Request: {name} is too long")
        self._descriptions[(kind, str(params.get("language_code") or ""))] = text
        return True

    async def _get_my_description(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        return {"description": self.description(str(params.get("language_code") or ""))}

    async def _get_my_short_description(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        language = str(params.get("language_code") or "")
        return {"short_description": self.description(language, short=True)}

    async def _answer_callback_query(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callback_queries:
            raise _ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._open_callback_queries.discard(query_id)
        return True

    async def _copy_message(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        chat_id = self._target(params)
        from_chat = _chat_key(params.get("from_chat_id"))
        source = self._messages.get(from_chat, {}).get(_int_param(params, "message_id"))
        if source is None:
            raise _ApiError(400, "Bad Request: message to copy not found")
        content = {
            key: copy.deepcopy(value)
            for key, value in source.items()
            if key
            in (
                "text",
                "entities",
                "caption",
                "caption_entities",
                "animation",
                "document",
                "video",
                "photo",
                "sticker",
                "voice",
                "location",
            )
        }
        if "caption" in params:
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(self._caption_content(params))
        content.update(self._extras(chat_id, params))
        message = self._new_message(chat_id, self._bot_sender(), content)
        return {"message_id": message["message_id"]}

    async def _edit_message_text(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        if params.get("inline_message_id"):
            self._text_content(params)
            return True
        message = self._find_message(params, "edit")
        if message["from"]["id"] != self.bot_user["id"]:
            raise _ApiError(400, "Bad Request: message can't be edited")
        if "text" not in message:
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        content = self._text_content(params)
        markup = params.get("reply_markup")
        new_markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        if (
            content["text"] == message["text"]
            and content.get("entities", []) == message.get("entities", [])
            and new_markup == message.get("reply_markup")
        ):
            raise _ApiError(400, _NOT_MODIFIED)
        message["text"] = content["text"]
        message.pop("entities", None)
        if "entities" in content:
            message["entities"] = content["entities"]
        # Editing the text without reply_markup removes the keyboard, as on Telegram.
        message.pop("reply_markup", None)
        if new_markup is not None:
            message["reply_markup"] = new_markup
        message["edit_date"] = int(time.time())
        return message

    async def _edit_message_reply_markup(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        if params.get("inline_message_id"):
            return True
        message = self._find_message(params, "edit")
        if message["from"]["id"] != self.bot_user["id"]:
            raise _ApiError(400, "Bad Request: message can't be edited")
        markup = params.get("reply_markup")
        new_markup = markup if isinstance(markup, dict) and markup.get("inline_keyboard") else None
        if new_markup == message.get("reply_markup"):
            raise _ApiError(400, _NOT_MODIFIED)
        message.pop("reply_markup", None)
        if new_markup is not None:
            message["reply_markup"] = new_markup
        message["edit_date"] = int(time.time())
        return message

    async def _delete_message(self, params: JSON, files: dict[str, UploadedFile]) -> Any:
        message = self._find_message(params, "delete")
        del self._messages[message["chat"]["id"]][message["message_id"]]
        return True


_HANDLERS: dict[str, _Handler] = {
    "getMe": FakeTelegram._get_me,
    "logOut": FakeTelegram._log_out,
    "close": FakeTelegram._log_out,
    "setWebhook": FakeTelegram._set_webhook,
    "deleteWebhook": FakeTelegram._delete_webhook,
    "getWebhookInfo": FakeTelegram._get_webhook_info,
    "getUpdates": FakeTelegram._get_updates,
    "sendMessage": FakeTelegram._send_message,
    "sendMessageDraft": FakeTelegram._send_message_draft,
    "editMessageText": FakeTelegram._edit_message_text,
    "editMessageReplyMarkup": FakeTelegram._edit_message_reply_markup,
    "deleteMessage": FakeTelegram._delete_message,
    "copyMessage": FakeTelegram._copy_message,
    "sendAnimation": FakeTelegram._send_animation,
    "sendVideo": FakeTelegram._send_video,
    "sendPhoto": FakeTelegram._send_photo,
    "sendDocument": FakeTelegram._send_document,
    "sendMediaGroup": FakeTelegram._send_media_group,
    "sendChatAction": FakeTelegram._send_chat_action,
    "setMyCommands": FakeTelegram._set_my_commands,
    "deleteMyCommands": FakeTelegram._delete_my_commands,
    "getMyCommands": FakeTelegram._get_my_commands,
    "answerCallbackQuery": FakeTelegram._answer_callback_query,
    "getFile": FakeTelegram._get_file,
    "setChatMenuButton": FakeTelegram._set_chat_menu_button,
    "getChatMenuButton": FakeTelegram._get_chat_menu_button,
    "setMyDescription": FakeTelegram._set_my_description,
    "getMyDescription": FakeTelegram._get_my_description,
    "setMyShortDescription": FakeTelegram._set_my_short_description,
    "getMyShortDescription": FakeTelegram._get_my_short_description,
}
_CANONICAL = {name.lower(): name for name in _HANDLERS}
