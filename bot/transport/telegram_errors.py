"""What kind of refusal a Telegram error is, so callers branch on a kind and not on its wording.

The Bot API states most refusals only as a 400 description ("Bad Request: message is not
modified: ..."); this is the one place that reads those descriptions.
"""

from __future__ import annotations

from enum import StrEnum

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.services.broadcast import DeliveryOutcome


class TelegramErrorKind(StrEnum):
    """Why Telegram refused a request, as far as a caller needs to know."""

    BLOCKED = "blocked"  # 403: blocked by the user, deactivated account, kicked from the group
    CHAT_NOT_FOUND = "chat_not_found"  # the chat or user does not exist (any more)
    CANT_PARSE_ENTITIES = "cant_parse_entities"  # the HTML or Markdown was refused
    MESSAGE_NOT_MODIFIED = "message_not_modified"  # an edit that changes nothing
    MESSAGE_TOO_LONG = "message_too_long"  # text or caption over Telegram's limit
    DRAFT_UNSUPPORTED = "draft_unsupported"  # sendMessageDraft refused (older server, group)
    MESSAGE_GONE = "message_gone"  # the message to edit is deleted or too old to edit
    MEDIA_REFUSED = "media_refused"  # the file_id or URL could not be fetched or used
    RETRY_AFTER = "retry_after"  # flood control: wait and try again
    NETWORK = "network"  # timeouts, dropped connections, Telegram's 5xx
    OTHER = "other"


# Checked in order: the first kind with a matching fragment wins, so the more specific
# fragments come before the broad media words ("file", "url").
_SIGNS: tuple[tuple[TelegramErrorKind, tuple[str, ...]], ...] = (
    (TelegramErrorKind.MESSAGE_NOT_MODIFIED, ("message is not modified",)),
    (
        TelegramErrorKind.CANT_PARSE_ENTITIES,
        ("can't parse entities", "can't find end", "unsupported start tag", "unclosed start tag"),
    ),
    (
        TelegramErrorKind.MESSAGE_TOO_LONG,
        ("message is too long", "message_too_long", "caption is too long", "caption_too_long"),
    ),
    (TelegramErrorKind.DRAFT_UNSUPPORTED, ("draft",)),
    (
        TelegramErrorKind.MESSAGE_GONE,
        (
            "message to edit not found",
            "message to delete not found",
            "message to copy not found",
            "message can't be edited",
            "message_id_invalid",
        ),
    ),
    (
        TelegramErrorKind.CHAT_NOT_FOUND,
        ("chat not found", "user not found", "peer_id_invalid", "chat_id_invalid"),
    ),
    (
        TelegramErrorKind.MEDIA_REFUSED,
        (
            "file",
            "url",
            "web page",
            "webpage",
            "image_process",
            "photo_invalid",
            "media_empty",
        ),
    ),
)


def kind_of(error: BaseException) -> TelegramErrorKind:
    """The kind of a Telegram error; anything else (or an unknown refusal) is OTHER."""
    if isinstance(error, RetryAfter):
        return TelegramErrorKind.RETRY_AFTER
    if isinstance(error, Forbidden):
        return TelegramErrorKind.BLOCKED
    if isinstance(error, BadRequest):
        text = error.message.lower()
        for kind, signs in _SIGNS:
            if any(sign in text for sign in signs):
                return kind
        return TelegramErrorKind.OTHER
    # BadRequest is a NetworkError in python-telegram-bot, so this test comes after it.
    if isinstance(error, NetworkError):
        return TelegramErrorKind.NETWORK
    if isinstance(error, TelegramError):
        return TelegramErrorKind.OTHER
    return TelegramErrorKind.OTHER


_OUTCOMES = {
    TelegramErrorKind.BLOCKED: DeliveryOutcome.BLOCKED,  # blocked the bot, or account deleted
    TelegramErrorKind.CHAT_NOT_FOUND: DeliveryOutcome.BLOCKED,
    TelegramErrorKind.RETRY_AFTER: DeliveryOutcome.RETRY,  # still flooded after our retries
    TelegramErrorKind.NETWORK: DeliveryOutcome.RETRY,  # timeouts, connection errors, 5xx
}


def delivery_outcome(error: TelegramError) -> DeliveryOutcome:
    """What a failed send to one user means for background sending (broadcasts, reminders)."""
    return _OUTCOMES.get(kind_of(error), DeliveryOutcome.FAILED)
