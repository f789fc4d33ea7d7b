"""The loopback fakes answer real python-telegram-bot and openai clients like the real services."""

from __future__ import annotations

import asyncio
import base64
import datetime as dtm
import html
import json
import ssl
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import openai
import pytest
import pytest_asyncio
import telegram
from hypothesis import given
from hypothesis import strategies as st
from openai.types.chat import ChatCompletionFunctionToolParam, ChatCompletionMessageParam
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.request import HTTPXRequest

from tests.fakes import WaitTimeoutError
from tests.fakes.openai import FakeOpenAI, Reply, ToolCall, context_length_error
from tests.fakes.telegram import (
    MAX_DOWNLOAD_SIZE,
    MEDIA_KINDS,
    FakeTelegram,
    HtmlParseError,
    RecordedRequest,
    parse_html,
)

pytest_plugins = ["tests.fakes.plugin"]

USER = 4242
WEIGHT_TOOL: ChatCompletionFunctionToolParam = {
    "type": "function",
    "function": {
        "name": "log_weight",
        "description": "Store the user's weight.",
        "parameters": {
            "type": "object",
            "properties": {"kg": {"type": "number"}},
            "required": ["kg"],
        },
    },
}


# Each httpx client loads the CA bundle (~50 ms, two per Bot); the fake speaks plain HTTP, so
# one context shared by every client keeps this file fast.
_TLS = ssl.create_default_context()


def make_bot(fake: FakeTelegram, token: str | None = None) -> telegram.Bot:
    return telegram.Bot(
        token or fake.token,
        base_url=f"{fake.base_url}/bot",
        base_file_url=f"{fake.base_url}/file/bot",
        request=HTTPXRequest(httpx_kwargs={"verify": _TLS}),
        get_updates_request=HTTPXRequest(httpx_kwargs={"verify": _TLS}),
    )


@pytest_asyncio.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    async with make_bot(fake_telegram) as bot:
        yield bot


@pytest_asyncio.fixture
async def client(fake_openai: FakeOpenAI) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(
        base_url=fake_openai.base_url, api_key="test", max_retries=0, timeout=5.0
    ) as client:
        yield client


def ask(text: str) -> list[ChatCompletionMessageParam]:
    return [{"role": "system", "content": "You are a coach."}, {"role": "user", "content": text}]


# --------------------------------------------------------------------------- HTML parsing


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("<b>bold</b> plain", "bold plain", [{"type": "bold", "offset": 0, "length": 4}]),
        (
            "<strong>a</strong><em>b</em><ins>c</ins><del>d</del>",
            "abcd",
            [
                {"type": "bold", "offset": 0, "length": 1},
                {"type": "italic", "offset": 1, "length": 1},
                {"type": "underline", "offset": 2, "length": 1},
                {"type": "strikethrough", "offset": 3, "length": 1},
            ],
        ),
        (
            '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
            "st",
            [
                {"type": "spoiler", "offset": 0, "length": 1},
                {"type": "spoiler", "offset": 1, "length": 1},
            ],
        ),
        (
            '<a href="https://example.com/?a=1&amp;b=2">link</a>',
            "link",
            [
                {
                    "type": "text_link",
                    "offset": 0,
                    "length": 4,
                    "url": "https://example.com/?a=1&b=2",
                }
            ],
        ),
        (
            '<pre><code class="language-python">x = 1</code></pre>',
            "x = 1",
            [{"type": "pre", "offset": 0, "length": 5, "language": "python"}],
        ),
        ("<code>c</code>", "c", [{"type": "code", "offset": 0, "length": 1}]),
        (
            "<blockquote expandable>q</blockquote><blockquote>r</blockquote>",
            "qr",
            [
                {"type": "expandable_blockquote", "offset": 0, "length": 1},
                {"type": "blockquote", "offset": 1, "length": 1},
            ],
        ),
        ("💪 <b>x</b>", "💪 x", [{"type": "bold", "offset": 3, "length": 1}]),
        (
            "<b>nested <i>both</i></b>",
            "nested both",
            [
                {"type": "bold", "offset": 0, "length": 11},
                {"type": "italic", "offset": 7, "length": 4},
            ],
        ),
        ("&lt;3 &amp; &#128170; &#x1F4AA; &quot;", '<3 & 💪 💪 "', []),
        ("<b></b>empty tags make no entity", "empty tags make no entity", []),
    ],
)
def test_parse_html_gives_telegram_text_and_entities(
    source: str, text: str, entities: list[dict[str, Any]]
) -> None:
    parsed = parse_html(source)

    assert parsed.text == text
    assert parsed.entities == entities


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("💪 <p>", 'Unsupported start tag "p" at byte offset 5'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("</b>", "Unexpected end tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("x <", "Unclosed start tag at byte offset 2"),
        ("R&D", 'Unescaped "&" at byte offset 1'),
        ("1 > 0", 'Unescaped ">" at byte offset 2'),
    ],
)
def test_parse_html_refuses_like_telegram(source: str, error: str) -> None:
    with pytest.raises(HtmlParseError) as raised:
        parse_html(source)

    assert str(raised.value) == error


@pytest.mark.parametrize(
    ("source", "text"),
    [("R&D", "R&D"), ("1 > 0", "1 > 0"), ("&lt no semicolon", "< no semicolon")],
)
def test_parse_html_lenient_mode_lets_bare_ampersand_and_gt_through(source: str, text: str) -> None:
    assert parse_html(source, strict=False).text == text


@given(st.text())
def test_escaped_text_parses_back_to_itself(text: str) -> None:
    parsed = parse_html(html.escape(text))

    assert parsed.text == text
    assert parsed.entities == []


def test_peak_rate_counts_the_busiest_window() -> None:
    fake = FakeTelegram()
    for moment, method in [
        (10.0, "sendMessage"),
        (10.1, "sendMessage"),
        (10.2, "getUpdates"),
        (10.9, "sendMessage"),
        (11.5, "sendMessage"),
        (13.0, "sendMessage"),
    ]:
        fake.requests.append(RecordedRequest(method, {}, moment, USER, status=200))

    assert fake.peak_rate() == 4.0
    assert fake.peak_rate(methods=["sendMessage"]) == 3.0
    assert fake.peak_rate(window=0.5) == 6.0


# --------------------------------------------------------------------------- Bot API


async def test_get_me_returns_the_bot_and_a_wrong_token_is_unauthorized(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    me = await bot.get_me()

    assert me.is_bot
    assert me.id == 123456
    assert me.username == fake_telegram.bot_user["username"]
    with pytest.raises(InvalidToken):
        async with make_bot(fake_telegram, "999:wrong"):
            pass
    assert fake_telegram.requests[-1].status == 401


async def test_html_message_is_accepted_with_entities_and_recorded(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    sent = await bot.send_message(USER, "<b>Squat</b> 3×8 &amp; rest", parse_mode="HTML")

    assert sent.text == "Squat 3×8 & rest"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 5)]
    assert sent.from_user is not None
    assert sent.from_user.id == 123456
    (call,) = fake_telegram.calls("sendMessage", chat_id=USER)
    assert call.params["parse_mode"] == "HTML"
    assert fake_telegram.sent_to(USER)[0]["text"] == "Squat 3×8 & rest"


@pytest.mark.parametrize(
    "text",
    ["weight < 80 kg", "<br>", "<b>unclosed", "<b><i>crossed</b></i>", "R&D"],
)
async def test_malformed_html_is_refused_with_400(
    fake_telegram: FakeTelegram, bot: telegram.Bot, text: str
) -> None:
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(USER, text, parse_mode="HTML")

    assert fake_telegram.requests[-1].status == 400
    assert str(fake_telegram.requests[-1].description).startswith(
        "Bad Request: can't parse entities: "
    )
    assert fake_telegram.sent_to(USER) == []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"text": "x" * 4097}, "Message is too long"),
        ({"text": "💪" * 2049}, "Message is too long"),
        ({"text": "   "}, "Message text is empty"),
        ({"text": "<b></b>", "parse_mode": "HTML"}, "Message text is empty"),
    ],
)
async def test_text_limits_are_enforced(
    bot: telegram.Bot, kwargs: dict[str, Any], error: str
) -> None:
    with pytest.raises(BadRequest, match=error):
        await bot.send_message(USER, **kwargs)


async def test_longest_text_counts_utf16_units_and_is_accepted(bot: telegram.Bot) -> None:
    sent = await bot.send_message(USER, "💪" * 2048)

    assert sent.text == "💪" * 2048


async def test_animation_upload_returns_a_reusable_file_id(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    first = await bot.send_animation(
        USER, b"GIF89a fake frames", filename="squat.gif", caption="<i>Squat</i>", parse_mode="HTML"
    )
    assert first.animation is not None
    file_id = first.animation.file_id

    again = await bot.send_animation(USER, file_id)

    assert again.animation is not None
    assert again.animation.file_id == file_id
    assert first.caption == "Squat"
    assert [upload.data for upload in fake_telegram.uploads] == [b"GIF89a fake frames"]
    assert [m["message_id"] for m in fake_telegram.sent_to(USER)] == [1, 2]


@pytest.mark.parametrize("media", ["https://media.example/refused.mp4", "NoSuchFileId"])
async def test_refused_url_and_unknown_file_id_are_wrong_file_identifiers(
    fake_telegram: FakeTelegram, bot: telegram.Bot, media: str
) -> None:
    fake_telegram.refuse_url("https://media.example/refused.mp4")

    with pytest.raises(BadRequest):
        await bot.send_video(USER, media)

    assert fake_telegram.requests[-1].description == (
        "Bad Request: wrong file identifier/HTTP URL specified"
    )


async def test_caption_over_1024_is_refused(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_photo(USER, "https://media.example/plank.jpg", caption="c" * 1025)


async def test_media_group_returns_one_message_per_item(bot: telegram.Bot) -> None:
    photo = await bot.send_photo(USER, "https://media.example/plank.jpg")
    largest = photo.photo[-1].file_id

    album = await bot.send_media_group(
        USER,
        [
            telegram.InputMediaPhoto(largest, caption="Plank"),
            telegram.InputMediaVideo("https://media.example/plank.mp4"),
        ],
    )

    assert [m.message_id for m in album] == [2, 3]
    assert album[0].media_group_id == album[1].media_group_id is not None
    assert album[0].caption == "Plank"


async def test_blocked_user_raises_forbidden(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    fake_telegram.block_user(USER)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "Time to train!")

    assert fake_telegram.calls("sendMessage")[0].status == 403


async def test_kicked_my_chat_member_update_also_blocks(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    fake_telegram.chat_member_update(USER, "kicked")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(USER, "typing")

    fake_telegram.chat_member_update(USER, "member")

    assert await bot.send_chat_action(USER, "typing") is True


async def test_flood_control_raises_retry_after(
    fake_telegram: FakeTelegram, bot: telegram.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without it PTB 22 warns that retry_after will become a timedelta.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake_telegram.fail_next("sendMessage", 429, retry_after=3)

    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(USER, "first")
    retried = await bot.send_message(USER, "second")

    assert raised.value.retry_after == dtm.timedelta(seconds=3)
    assert retried.text == "second"
    assert fake_telegram.calls("sendMessage")[0].description == "Too Many Requests: retry after 3"


@pytest.mark.parametrize(
    ("status", "error"),
    [(500, NetworkError), (502, NetworkError), (400, BadRequest), (409, Conflict)],
)
async def test_injected_failures_reach_the_client(
    fake_telegram: FakeTelegram, bot: telegram.Bot, status: int, error: type[Exception]
) -> None:
    fake_telegram.fail_next(None, status, count=2)

    for _ in range(2):
        with pytest.raises(error):
            await bot.send_message(USER, "hello")

    assert (await bot.send_message(USER, "hello")).text == "hello"


async def test_unknown_chat_is_not_found(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    fake_telegram.unknown_chat(-100777)

    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(-100777, "hello group")


async def test_get_updates_returns_a_queued_update_and_honours_offset(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    queued = fake_telegram.user_sends(USER, "/start")

    (first,) = await bot.get_updates(timeout=5)

    assert first.update_id == queued["update_id"]
    assert first.message is not None
    assert first.message.text == "/start"
    assert first.message.entities[0].type == "bot_command"
    assert len(await bot.get_updates(timeout=0)) == 1  # not confirmed yet

    async def user_writes_later() -> None:
        await asyncio.sleep(0.3)
        fake_telegram.user_sends(USER, "I weigh 82 kg")

    writer = asyncio.create_task(user_writes_later())
    started = time.monotonic()
    (second,) = await bot.get_updates(offset=first.update_id + 1, timeout=5)
    waited = time.monotonic() - started
    await writer

    assert second.message is not None
    assert second.message.text == "I weigh 82 kg"
    assert 0.25 < waited < 2.0
    assert [u["update_id"] for u in fake_telegram.pending_updates] == [second.update_id]


async def test_empty_long_poll_waits_its_timeout(bot: telegram.Bot) -> None:
    started = time.monotonic()

    updates = await bot.get_updates(timeout=dtm.timedelta(seconds=0.4))

    assert updates == ()
    assert 0.35 < time.monotonic() - started < 1.5


async def test_stopping_the_fake_releases_a_pending_long_poll(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await asyncio.sleep(0.1)
    started = time.monotonic()

    await fake_telegram.stop()

    assert await poll == ()
    assert time.monotonic() - started < 1.0


async def test_webhook_is_recorded_and_blocks_polling(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    assert await bot.set_webhook("https://coach.example/hook", secret_token="s3cret-Token_1")

    info = await bot.get_webhook_info()
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()

    assert info.url == "https://coach.example/hook"
    assert fake_telegram.webhook_secret is None
    assert fake_telegram.calls("setWebhook")[0].params["secret_token"] == "s3cret-Token_1"
    assert await bot.get_updates(timeout=0) == ()


async def test_edits_deletes_and_copies_change_the_visible_chat(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("OK", callback_data="ok")]]
    )
    sent = await bot.send_message(USER, "draft", reply_markup=keyboard)

    edited = await bot.edit_message_text("final", chat_id=USER, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("final", chat_id=USER, message_id=sent.message_id)
    copied = await bot.copy_message(USER + 1, USER, sent.message_id)
    await bot.delete_message(USER, sent.message_id)

    assert isinstance(edited, telegram.Message)
    assert edited.reply_markup is None  # editing text without a keyboard removes it
    assert fake_telegram.sent_to(USER) == []
    assert [m["text"] for m in fake_telegram.sent_to(USER + 1)] == ["final"]
    assert copied.message_id == 1
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(USER, sent.message_id)


async def test_message_draft_is_accepted_in_private_chats_only(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    assert await bot.send_message_draft(USER, 7, "<b>Think</b>ing", parse_mode="HTML") is True
    with pytest.raises(BadRequest):
        await bot.send_message_draft(-100123, 7, "group")

    assert fake_telegram.drafts_to(USER) == ["Thinking"]
    assert fake_telegram.sent_to(USER) == []


async def test_commands_are_stored_per_scope(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    await bot.set_my_commands([("start", "Start"), ("bmi", "Body mass index")])
    await bot.set_my_commands([("start", "Старт")], language_code="ru")

    commands = await bot.get_my_commands()
    await bot.delete_my_commands(language_code="ru")

    assert [c.command for c in commands] == ["start", "bmi"]
    assert fake_telegram.commands(language_code="ru") == []
    with pytest.raises(BadRequest):
        await bot.set_my_commands([("Bad-Command", "nope")])


async def test_callback_query_can_be_answered_once(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("Yes", callback_data="yes")]]
    )
    sent = await bot.send_message(USER, "Log it?", reply_markup=keyboard)
    update = telegram.Update.de_json(fake_telegram.user_presses(USER, "yes", sent.message_id), bot)
    assert update.callback_query is not None
    query_id = update.callback_query.id

    assert await bot.answer_callback_query(query_id, text="Logged") is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    assert update.callback_query.data == "yes"
    assert isinstance(update.callback_query.message, telegram.Message)
    assert update.callback_query.message.text == "Log it?"


async def test_wait_for_helpers_see_messages_sent_concurrently(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    async def reply_later() -> None:
        await asyncio.sleep(0.1)
        await bot.send_message(USER, "one")
        await bot.send_message(USER, "two")

    sender = asyncio.create_task(reply_later())
    messages = await fake_telegram.wait_for_messages(USER, 2, timeout=3)
    calls = await fake_telegram.wait_for("sendMessage", count=2)
    await sender

    assert [m["text"] for m in messages] == ["one", "two"]
    assert [c.params["text"] for c in calls] == ["one", "two"]
    with pytest.raises(WaitTimeoutError, match="3 message"):
        await fake_telegram.wait_for_messages(USER, 3, timeout=0.1)


async def test_plain_http_clients_may_send_json_and_get(fake_telegram: FakeTelegram) -> None:
    api = f"{fake_telegram.base_url}/bot{fake_telegram.token}"
    async with httpx.AsyncClient() as http:
        posted = (
            await http.post(f"{api}/sendMessage", json={"chat_id": USER, "text": "123"})
        ).json()
        got = (await http.get(f"{api}/getMe")).json()
        missing = await http.post(f"{api}/noSuchMethod")

    assert posted["result"]["text"] == "123"
    assert got["result"]["id"] == 123456
    assert missing.status_code == 404
    assert missing.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


# --------------------------------------------------------------------------- playing users


async def test_user_sends_in_a_group_builds_a_parsable_update(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    raw = fake_telegram.user_sends(
        USER, "/bmi@fitcoach_test_bot 180 cm", chat_id=-100555, chat_type="supergroup"
    )

    update = telegram.Update.de_json(raw, bot)

    assert update.effective_chat is not None
    assert update.effective_chat.type == "supergroup"
    assert update.effective_user is not None
    assert update.effective_user.id == USER
    assert update.effective_user.language_code == "en"
    assert update.message is not None
    assert update.message.parse_entities(["bot_command"]).popitem()[1] == "/bmi@fitcoach_test_bot"


@pytest.mark.parametrize("kind", MEDIA_KINDS)
async def test_user_media_updates_parse_with_ptb(
    fake_telegram: FakeTelegram, bot: telegram.Bot, kind: str
) -> None:
    raw = fake_telegram.user_sends_media(USER, kind, caption="my form")

    message = telegram.Update.de_json(raw, bot).message

    assert message is not None
    assert getattr(message, kind)
    if kind not in ("location", "sticker"):
        assert message.caption == "my form"


async def test_user_edits_and_blocks_produce_their_update_types(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    sent = fake_telegram.user_sends(USER, "I weigh 80 kg")

    edited = telegram.Update.de_json(
        fake_telegram.user_edits(USER, sent["message"]["message_id"], "I weigh 82 kg"), bot
    )
    blocked = telegram.Update.de_json(fake_telegram.chat_member_update(USER, "kicked"), bot)

    assert edited.edited_message is not None
    assert edited.edited_message.text == "I weigh 82 kg"
    assert blocked.my_chat_member is not None
    assert blocked.my_chat_member.new_chat_member.status == "kicked"
    assert blocked.my_chat_member.old_chat_member.status == "member"


# --------------------------------------------------------------------------- OpenAI


async def test_plain_completion_echoes_the_last_user_message(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    completion = await client.chat.completions.create(model="coach-1", messages=ask("Hi coach"))

    assert completion.choices[0].message.content == "Echo: Hi coach"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.total_tokens == (
        completion.usage.prompt_tokens + completion.usage.completion_tokens
    )
    (request,) = fake_openai.requests
    assert request.model == "coach-1"
    assert request.system_text == "You are a coach."
    assert request.user_text == "Hi coach"
    assert not request.stream


async def test_stream_delivers_scripted_chunks_then_usage(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.script(
        Reply(chunks=["Three ", "sets ", "of eight."], prompt_tokens=40, completion_tokens=6)
    )

    stream = await client.chat.completions.create(
        model="coach-1", messages=ask("Plan?"), stream=True, stream_options={"include_usage": True}
    )
    pieces: list[str] = []
    finish: list[str] = []
    usage = None
    async for chunk in stream:
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
            if chunk.choices[0].finish_reason:
                finish.append(chunk.choices[0].finish_reason)
        if chunk.usage is not None:
            usage = chunk.usage

    assert "".join(pieces) == "Three sets of eight."
    assert pieces[1:4] == ["Three ", "sets ", "of eight."]
    assert finish == ["stop"]
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (40, 6, 46)
    assert fake_openai.requests[0].stream


async def test_streamed_tool_call_fragments_assemble(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.script(
        Reply(tool_calls=[ToolCall("log_weight", {"kg": 82.5}, id="call_weight")]),
        Reply(tool_calls=[ToolCall("log_weight", '{"kg": 80}')]),
    )

    stream = await client.chat.completions.create(
        model="coach-1", messages=ask("I weigh 82.5"), tools=[WEIGHT_TOOL], stream=True
    )
    calls: dict[int, dict[str, str]] = {}
    fragments = 0
    async for chunk in stream:
        for delta in chunk.choices[0].delta.tool_calls or [] if chunk.choices else []:
            fragments += 1
            call = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
            call["id"] += delta.id or ""
            if delta.function is not None:
                call["name"] += delta.function.name or ""
                call["arguments"] += delta.function.arguments or ""
    async with client.chat.completions.stream(
        model="coach-1", messages=ask("I weigh 80"), tools=[WEIGHT_TOOL]
    ) as helper:
        final = await helper.get_final_completion()

    assert calls == {0: {"id": "call_weight", "name": "log_weight", "arguments": '{"kg": 82.5}'}}
    assert fragments > 2
    assert fake_openai.requests[0].tools == [WEIGHT_TOOL]
    (tool_call,) = final.choices[0].message.tool_calls or []
    assert final.choices[0].finish_reason == "tool_calls"
    assert json.loads(tool_call.function.arguments) == {"kg": 80}


async def test_server_error_without_retries_raises_internal_server_error(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.fail_next(500)

    with pytest.raises(openai.InternalServerError):
        await client.chat.completions.create(model="coach-1", messages=ask("hi"))

    assert len(fake_openai.requests) == 1
    assert fake_openai.requests[0].status == 500


async def test_rate_limit_is_retried_after_the_advertised_pause(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail_next(429, count=2, retry_after=0.05)

    async with openai.AsyncOpenAI(
        base_url=fake_openai.base_url, api_key="test", max_retries=2
    ) as c:
        completion = await c.chat.completions.create(model="coach-1", messages=ask("again"))

    assert completion.choices[0].message.content == "Echo: again"
    assert [r.status for r in fake_openai.requests] == [429, 429, 200]


async def test_context_length_error_carries_its_code(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.fail_next(400, context_length_error())

    with pytest.raises(openai.BadRequestError) as raised:
        await client.chat.completions.create(model="coach-1", messages=ask("long"))

    assert raised.value.code == "context_length_exceeded"


async def test_tools_refusal_mode_answers_400(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.refuse_tools = True

    with pytest.raises(openai.BadRequestError, match="tools is not supported"):
        await client.chat.completions.create(
            model="coach-1", messages=ask("x"), tools=[WEIGHT_TOOL]
        )
    plain = await client.chat.completions.create(model="coach-1", messages=ask("x"))

    assert plain.choices[0].message.content == "Echo: x"


async def test_broken_tool_protocol_is_refused(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    orphan_tool_result: list[ChatCompletionMessageParam] = [
        *ask("x"),
        {"role": "tool", "tool_call_id": "call_missing", "content": "{}"},
    ]

    with pytest.raises(openai.BadRequestError, match="role 'tool' must be a response"):
        await client.chat.completions.create(model="coach-1", messages=orphan_tool_result)


async def test_hang_ends_in_the_client_timeout(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.hang_next()

    with pytest.raises(openai.APITimeoutError):
        await client.with_options(timeout=0.3).chat.completions.create(
            model="coach-1", messages=ask("hello?")
        )
    (request,) = await fake_openai.wait_for_requests(1, done=True)

    assert request.disconnected


async def test_latency_and_responder_shape_the_answer(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    async def by_user(body: dict[str, Any]) -> Reply:
        return Reply(text=f"Plan for {body['user']}", chunk_delay=0.01)

    fake_openai.responder = by_user
    fake_openai.latency = 0.3
    started = time.monotonic()

    stream = await client.chat.completions.create(
        model="coach-1", messages=ask("go"), stream=True, user="u-7"
    )
    first_token_at = None
    text = ""
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            first_token_at = first_token_at or time.monotonic() - started
            text += chunk.choices[0].delta.content

    assert text == "Plan for u-7"
    assert first_token_at is not None
    assert first_token_at >= 0.3


async def test_concurrent_requests_are_counted_in_flight(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.latency = 0.2

    answers = await asyncio.gather(
        *(client.chat.completions.create(model="coach-1", messages=ask(n)) for n in ("a", "b"))
    )

    assert sorted(a.choices[0].message.content or "" for a in answers) == ["Echo: a", "Echo: b"]
    assert fake_openai.max_in_flight == 2
    assert fake_openai.in_flight == 0


async def test_stream_error_event_raises_api_error(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.script(
        Reply(
            text="partial answer",
            stream_error={"error": {"message": "overloaded", "type": "server_error"}},
        )
    )

    stream = await client.chat.completions.create(model="coach-1", messages=ask("x"), stream=True)
    with pytest.raises(openai.APIError, match="overloaded"):
        async for _ in stream:
            pass


# --------------------------------------------------------------------------- Telegram faults


async def test_fail_always_refuses_every_call_with_the_given_description(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    fake_telegram.fail("setMyCommands", 400, "Bad Request: BOT_COMMANDS_TOO_MUCH")

    for _ in range(3):
        with pytest.raises(BadRequest, match="Bot_commands_too_much"):
            await bot.set_my_commands([("start", "Start")])
    fake_telegram.clear_faults("setMyCommands")

    assert await bot.set_my_commands([("start", "Start")])
    assert [r.status for r in fake_telegram.calls("setMyCommands")] == [400, 400, 400, 200]


async def test_fail_a_number_of_times_then_answer(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    fake_telegram.fail("sendMessage", 403, times=2)

    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(USER, "hi")

    assert (await bot.send_message(USER, "hi")).text == "hi"


async def test_delay_answers_late_and_hang_ends_in_the_client_timeout(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    fake_telegram.delay("getMe", 0.3, times=1)
    fake_telegram.hang("sendChatAction")
    started = time.monotonic()

    me = await bot.get_me()
    delayed = time.monotonic() - started
    with pytest.raises(telegram.error.TimedOut):
        await bot.send_chat_action(USER, "typing", read_timeout=0.3)
    [hung] = await fake_telegram.wait_for("sendChatAction")

    assert me.username == "fitcoach_test_bot"
    assert delayed >= 0.3
    assert hung.status == 499


async def test_raw_answer_reaches_the_client_unparsed(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    fake_telegram.answer_raw("getMe", "<html>502 Bad Gateway</html>", times=1)

    with pytest.raises(telegram.error.TelegramError, match="Invalid server response"):
        await bot.get_me()

    assert (await bot.get_me()).id == fake_telegram.bot_user["id"]


async def test_instant_polls_ignore_the_timeout_and_are_counted(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    fake_telegram.instant_polls = True
    started = time.monotonic()

    for _ in range(3):
        assert await bot.get_updates(timeout=dtm.timedelta(seconds=5)) == ()

    assert time.monotonic() - started < 1.0
    assert fake_telegram.poll_count == 3


async def test_removed_method_answers_404(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    fake_telegram.remove_method("sendMessageDraft")

    # PTB reads every 404 as a wrong token: that is what an old server looks like to it.
    with pytest.raises(InvalidToken, match="Not Found"):
        await bot.send_message_draft(USER, 7, "thinking")

    assert fake_telegram.calls("sendMessageDraft")[0].status == 404


async def test_registered_file_is_fetched_and_downloaded(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    update = fake_telegram.user_sends_media(USER, "voice", data=b"OggS voice note")
    voice = update["message"]["voice"]

    file = await bot.get_file(voice["file_id"])
    data = await file.download_as_bytearray()

    assert bytes(data) == b"OggS voice note"
    assert file.file_size == len(b"OggS voice note")
    assert fake_telegram.downloads == [("voice/file_0.bin", 200)]
    assert file.file_path is not None
    assert file.file_path.endswith("/voice/file_0.bin")


async def test_photo_bytes_are_served_for_the_photo_size(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    update = fake_telegram.user_sends_media(USER, "photo", "my squat", data=b"\xff\xd8 jpeg")
    [photo] = telegram.Update.de_json(update, bot).message.photo  # type: ignore[union-attr]

    file = await photo.get_file()

    assert bytes(await file.download_as_bytearray()) == b"\xff\xd8 jpeg"


async def test_files_over_20_mb_cannot_be_fetched(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    small = fake_telegram.add_file(b"x" * 10, "document")
    big = fake_telegram.add_file(b"x" * (MAX_DOWNLOAD_SIZE + 1), "video")

    assert (await bot.get_file(small["file_id"])).file_size == 10
    with pytest.raises(BadRequest, match="File is too big"):
        await bot.get_file(big["file_id"])


@pytest.mark.parametrize("method", ["sendPhoto", "sendVideo", "sendAnimation"])
async def test_uploads_are_recorded_and_get_a_fresh_file_id(
    fake_telegram: FakeTelegram, bot: telegram.Bot, method: str
) -> None:
    kind = method.removeprefix("send").lower()
    send = getattr(bot, f"send_{kind}")

    first = await send(USER, b"bytes-1", filename=f"a.{kind}")
    second = await send(USER, b"bytes-2", filename=f"b.{kind}")

    ids = [(m.photo[-1] if kind == "photo" else getattr(m, kind)).file_id for m in (first, second)]
    [upload] = fake_telegram.calls(method)[0].files.values()
    assert ids[0] != ids[1]
    assert (upload.filename, upload.data) == (f"a.{kind}", b"bytes-1")
    file = await bot.get_file(ids[1])
    assert bytes(await file.download_as_bytearray()) == b"bytes-2"


async def test_media_group_uploads_are_recorded(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    sent = await bot.send_media_group(
        USER,
        [
            telegram.InputMediaPhoto(b"one", filename="1.jpg"),
            telegram.InputMediaPhoto(b"two", filename="2.jpg"),
        ],
    )

    uploads = fake_telegram.calls("sendMediaGroup")[0].files.values()
    assert sorted((u.filename, u.data) for u in uploads) == [("1.jpg", b"one"), ("2.jpg", b"two")]
    assert len({m.photo[-1].file_id for m in sent}) == 2


async def test_refused_file_id_can_be_replaced_by_an_upload(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    first = await bot.send_animation(USER, b"GIF89a", filename="demo.gif")
    assert first.animation is not None
    fake_telegram.refuse_file_id(first.animation.file_id)

    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_animation(USER, first.animation.file_id)
    again = await bot.send_animation(USER, b"GIF89a", filename="demo.gif")

    assert again.animation is not None
    assert again.animation.file_id != first.animation.file_id


async def test_commands_descriptions_and_menu_button_are_recorded_per_language(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    await bot.set_my_commands([("start", "Start")])
    await bot.set_my_commands([("start", "Начать")], language_code="ru")
    await bot.set_my_description("Your coach", language_code="en")
    await bot.set_my_short_description("Coach")
    await bot.set_chat_menu_button(menu_button=telegram.MenuButtonCommands())
    await bot.set_chat_menu_button(
        USER, telegram.MenuButtonWebApp("Plan", telegram.WebAppInfo("https://app.example/"))
    )

    assert fake_telegram.command_languages() == ["", "ru"]
    assert fake_telegram.commands(language_code="ru") == [
        {"command": "start", "description": "Начать"}
    ]
    assert fake_telegram.description("en") == "Your coach"
    assert fake_telegram.description(short=True) == "Coach"
    assert fake_telegram.menu_button() == {"type": "commands"}
    assert fake_telegram.menu_button(USER)["web_app"] == {"url": "https://app.example/"}
    assert isinstance(await bot.get_chat_menu_button(USER), telegram.MenuButtonWebApp)


# --------------------------------------------------------------------------- OpenAI faults


async def test_transcription_records_the_upload_and_answers_scripted_text(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.script_transcription("I did five sets of squats")

    scripted = await client.audio.transcriptions.create(
        model="whisper-1", file=("note.ogg", b"OggS 123", "audio/ogg")
    )
    default = await client.audio.transcriptions.create(
        model="whisper-1", file=("again.ogg", b"OggS", "audio/ogg")
    )

    assert scripted.text == "I did five sets of squats"
    assert default.text == fake_openai.transcript
    first = fake_openai.transcriptions[0]
    assert (first.file_name, first.size, first.model, first.status) == (
        "note.ogg",
        8,
        "whisper-1",
        200,
    )


async def test_transcription_can_fail(fake_openai: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake_openai.fail_transcription(400)

    with pytest.raises(openai.BadRequestError):
        await client.audio.transcriptions.create(model="whisper-1", file=("x.ogg", b"?"))

    assert fake_openai.transcriptions[0].status == 400


def _photo_question(data_url: str) -> list[ChatCompletionMessageParam]:
    return [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Is my form right?"},
                {"type": "image_url", "image_url": {"url": data_url, "detail": "low"}},
            ],
        }
    ]


async def test_image_parts_are_recorded_with_their_bytes_and_type(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    url = "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8 jpeg").decode()

    answer = await client.chat.completions.create(model="m", messages=_photo_question(url))

    [image] = fake_openai.requests[0].images
    assert (image.mime_type, image.data, image.detail) == ("image/jpeg", b"\xff\xd8 jpeg", "low")
    assert fake_openai.requests[0].user_text == "Is my form right?"
    assert answer.choices[0].message.content == "Echo: Is my form right?"


async def test_images_can_be_refused_like_a_model_without_vision(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.refuse_images = True

    with pytest.raises(openai.BadRequestError, match="image_url is only supported"):
        await client.chat.completions.create(
            model="m", messages=_photo_question("https://img.example/a.png")
        )


async def _read_stream(client: openai.AsyncOpenAI) -> tuple[str, str | None]:
    stream = await client.chat.completions.create(model="m", messages=ask("go"), stream=True)
    text, finish = "", None
    async for chunk in stream:
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
            finish = chunk.choices[0].finish_reason or finish
    return text, finish


async def test_truncated_stream_ends_without_finish_reason(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.script(Reply(chunks=["a", "b", "c"], stream_break="truncate", break_after=2))

    assert await _read_stream(client) == ("ab", None)


async def test_dropped_stream_raises_a_connection_error(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.script(Reply(chunks=["a", "b", "c"], stream_break="drop", break_after=1))

    with pytest.raises((openai.APIConnectionError, httpx.RemoteProtocolError)):
        await _read_stream(client)


async def test_malformed_chunk_cannot_be_decoded(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.script(Reply(chunks=["a", "b"], stream_break="malformed", break_after=1))

    with pytest.raises(json.JSONDecodeError):
        await _read_stream(client)


async def test_stalled_stream_ends_in_the_read_timeout(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(chunks=["a", "b"], stream_break="stall", break_after=1))

    async with openai.AsyncOpenAI(
        base_url=fake_openai.base_url, api_key="t", max_retries=0, timeout=0.4
    ) as client:
        with pytest.raises((openai.APITimeoutError, httpx.ReadTimeout)):
            await _read_stream(client)


async def test_length_finish_and_empty_answer_reach_the_client(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.script(Reply(text="cut off mid", finish_reason="length"), Reply(text=""))

    assert await _read_stream(client) == ("cut off mid", "length")
    assert await _read_stream(client) == ("", "stop")


async def test_malformed_tool_arguments_are_sent_as_given(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.script(Reply(tool_calls=[ToolCall("log_weight", '{"kg": 80,')]))

    answer = await client.chat.completions.create(
        model="m", messages=ask("log it"), tools=[WEIGHT_TOOL]
    )

    [call] = answer.choices[0].message.tool_calls or []
    assert call.function.arguments == '{"kg": 80,'  # type: ignore[union-attr]


async def test_rate_limit_sends_retry_after_seconds(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.rate_limit(retry_after=7)

    with pytest.raises(openai.RateLimitError) as raised:
        await client.chat.completions.create(model="m", messages=ask("x"))

    assert raised.value.response.headers["retry-after"] == "7"
