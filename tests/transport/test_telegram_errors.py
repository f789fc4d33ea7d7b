"""Telegram's refusals, as the Bot API words them, map to the kind callers branch on."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.services.broadcast import DeliveryOutcome
from bot.transport.telegram_errors import TelegramErrorKind as Kind
from bot.transport.telegram_errors import delivery_outcome, kind_of


@pytest.mark.parametrize(
    ("description", "kind"),
    [
        (
            "Bad Request: message is not modified: specified new message content and reply "
            "markup are exactly the same as a current content and reply markup of the message",
            Kind.MESSAGE_NOT_MODIFIED,
        ),
        (
            'Bad Request: can\'t parse entities: Unsupported start tag "2" at byte offset 5',
            Kind.CANT_PARSE_ENTITIES,
        ),
        (
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag b",
            Kind.CANT_PARSE_ENTITIES,
        ),
        (
            "Bad Request: can't find end of the entity starting at byte offset 12",
            Kind.CANT_PARSE_ENTITIES,
        ),
        ("Bad Request: message is too long", Kind.MESSAGE_TOO_LONG),
        ("Bad Request: message caption is too long", Kind.MESSAGE_TOO_LONG),
        ("Bad Request: MEDIA_CAPTION_TOO_LONG", Kind.MESSAGE_TOO_LONG),
        ("Bad Request: message drafts can be sent to private chats only", Kind.DRAFT_UNSUPPORTED),
        ("Bad Request: TEXTDRAFT_PEER_INVALID", Kind.DRAFT_UNSUPPORTED),
        ("Bad Request: message to edit not found", Kind.MESSAGE_GONE),
        ("Bad Request: message can't be edited", Kind.MESSAGE_GONE),
        ("Bad Request: MESSAGE_ID_INVALID", Kind.MESSAGE_GONE),
        ("Bad Request: message to copy not found", Kind.MESSAGE_GONE),
        ("Bad Request: chat not found", Kind.CHAT_NOT_FOUND),
        ("Bad Request: user not found", Kind.CHAT_NOT_FOUND),
        ("Bad Request: PEER_ID_INVALID", Kind.CHAT_NOT_FOUND),
        ("Bad Request: wrong file identifier/HTTP URL specified", Kind.MEDIA_REFUSED),
        ("Bad Request: failed to get HTTP URL content", Kind.MEDIA_REFUSED),
        ("Bad Request: wrong type of the web page content", Kind.MEDIA_REFUSED),
        ("Bad Request: wrong remote file identifier specified: Wrong padding", Kind.MEDIA_REFUSED),
        ("Bad Request: IMAGE_PROCESS_FAILED", Kind.MEDIA_REFUSED),
        ("Bad Request: WEBPAGE_MEDIA_EMPTY", Kind.MEDIA_REFUSED),
        ("Bad Request: PHOTO_INVALID_DIMENSIONS", Kind.MEDIA_REFUSED),
        ("Bad Request: not enough rights to send text messages to the chat", Kind.OTHER),
        ("Bad Request: message text is empty", Kind.OTHER),
    ],
)
def test_bad_request_descriptions(description: str, kind: Kind) -> None:
    assert kind_of(BadRequest(description)) is kind


@pytest.mark.parametrize(
    "description",
    [
        "Forbidden: bot was blocked by the user",
        "Forbidden: user is deactivated",
        "Forbidden: bot was kicked from the group chat",
        "Forbidden: bot can't initiate conversation with a user",
    ],
)
def test_every_forbidden_is_a_block(description: str) -> None:
    assert kind_of(Forbidden(description)) is Kind.BLOCKED


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (RetryAfter(3), Kind.RETRY_AFTER),
        (TimedOut(), Kind.NETWORK),
        (NetworkError("Bad Gateway"), Kind.NETWORK),
        (TelegramError("Conflict: terminated by other getUpdates request"), Kind.OTHER),
        (ValueError("not from Telegram"), Kind.OTHER),
    ],
)
def test_other_errors(error: BaseException, kind: Kind) -> None:
    assert kind_of(error) is kind


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), DeliveryOutcome.BLOCKED),
        (BadRequest("Bad Request: chat not found"), DeliveryOutcome.BLOCKED),
        (RetryAfter(3), DeliveryOutcome.RETRY),
        (TimedOut(), DeliveryOutcome.RETRY),
        (NetworkError("Bad Gateway"), DeliveryOutcome.RETRY),
        (BadRequest("Bad Request: message is too long"), DeliveryOutcome.FAILED),
        (TelegramError("something else"), DeliveryOutcome.FAILED),
    ],
)
def test_a_failed_background_send_is_blocked_retried_or_failed(
    error: TelegramError, outcome: DeliveryOutcome
) -> None:
    assert delivery_outcome(error) is outcome
