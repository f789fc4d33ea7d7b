"""The bot in Russian end to end, and /language switching to German, on the loopback Bot API."""

from __future__ import annotations

import json
from typing import Any

from bot.i18n import LANGUAGES, t
from tests.e2e.conftest import RunningBot

USER = 3001
ADMIN = 3042
OTHER = 3003

JSON = dict[str, Any]


async def _send(bot: RunningBot, text: str, *, language: str = "ru", user: int = USER) -> JSON:
    """Send ``text`` from a user whose Telegram app speaks ``language``; the bot's one answer."""
    before = len(bot.telegram.sent_to(user))
    bot.telegram.user_sends(user, text, first_name="Аня", language_code=language)
    messages = await bot.telegram.wait_for_messages(user, before + 1, timeout=10)
    return messages[before]


def _buttons(message: JSON) -> list[tuple[str, str]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


async def test_start_help_and_menu_speak_russian(bot: RunningBot) -> None:
    await bot.start(admin_ids=str(ADMIN))
    welcome = await _send(bot, "/start")
    assert welcome["text"].startswith("Привет, Аня!")
    assert "не медицинский совет" in welcome["text"]
    assert _buttons(welcome) == [("Заполнить профиль", "pf:show")]

    help_message = await _send(bot, "/help")
    assert help_message["text"].startswith("Что я умею")
    assert "/bmi - Ваш ИМТ и здоровый диапазон веса" in help_message["text"]
    assert "/language - Выбрать язык моих ответов" in help_message["text"]
    assert "/broadcast" not in help_message["text"]

    english = bot.telegram.commands()
    russian = bot.telegram.commands(language_code="ru")
    assert [c["command"] for c in russian] == [c["command"] for c in english]
    described = {c["command"]: c["description"] for c in russian}
    assert described["bmi"] == "Ваш ИМТ и здоровый диапазон веса"
    assert {c["command"]: c["description"] for c in english}["bmi"] == (
        "Your BMI and a healthy weight range"
    )
    for language in LANGUAGES[1:]:
        assert bot.telegram.commands(language_code=language), language
    assert "broadcast" not in {c["command"] for c in russian}


async def test_an_admin_gets_the_admin_menu_in_their_language(bot: RunningBot) -> None:
    await bot.start(admin_ids=str(ADMIN))
    admin_scope = {"type": "chat", "chat_id": ADMIN}
    english = {c["command"]: c["description"] for c in bot.telegram.commands(admin_scope)}
    assert english["broadcast"] == "Send a message to every user"  # a stranger so far

    await _send(bot, "/start", user=ADMIN)
    russian = {c["command"]: c["description"] for c in bot.telegram.commands(admin_scope)}
    assert russian["broadcast"] == "Отправить сообщение всем пользователям"
    assert russian["bmi"] == "Ваш ИМТ и здоровый диапазон веса"
    help_message = await _send(bot, "/help", user=ADMIN)
    assert "/stats - Пользователи, сообщения, токены, рассылки" in help_message["text"]


async def test_profile_error_in_russian_echoes_the_input_and_changes_nothing(
    bot: RunningBot,
) -> None:
    await bot.start()
    error = await _send(bot, "/profile height=высокий weight=80")
    text = error["text"]
    assert text.startswith("Ничего не изменено. Исправьте, пожалуйста:")
    assert "Рост: Я не смог разобрать «высокий»." in text
    assert "Допустимый диапазон: 50–272 cm" in text

    profile = await _send(bot, "/profile")
    assert profile["text"].startswith("Ваш профиль")
    assert "Рост: не указано" in profile["text"]
    assert "Вес: не указано" in profile["text"]
    assert ("Рост", "pf:ask:height") in _buttons(profile)

    saved = await _send(bot, "/profile height=180 cm weight=81 kg age=35 goal=lose")
    assert saved["text"].startswith("Сохранено. Ваш профиль")
    assert "Цель: похудеть" in saved["text"]


async def test_bmi_in_russian(bot: RunningBot) -> None:
    await bot.start()
    missing = await _send(bot, "/bmi")
    assert missing["text"].startswith("Чтобы посчитать ИМТ, мне нужно: рост и вес.")

    await _send(bot, "/profile height=180 cm weight=81 kg age=35")
    report = await _send(bot, "/bmi")
    assert report["text"].startswith("Ваши показатели")
    assert "ИМТ: 25.0 (предожирение (избыточный вес), классы ВОЗ для взрослых)" in report["text"]
    assert "Здоровый вес при этом росте:" in report["text"]
    assert "Общая информация о фитнесе, не медицинский совет." in report["text"]


async def test_language_switches_to_german_over_the_telegram_app(bot: RunningBot) -> None:
    await bot.start()
    choice = await _send(bot, "/language")
    assert choice["text"] == t("ru", "language.ask")
    assert _buttons(choice) == [
        ("English", "lang:en"),
        ("Русский", "lang:ru"),
        ("Español", "lang:es"),
        ("Deutsch", "lang:de"),
    ]
    bot.telegram.user_presses(USER, "lang:de", choice["message_id"])
    await bot.telegram.wait_for(
        lambda r: r.method == "editMessageText" and r.chat_id == USER, count=1, timeout=10
    )
    edited = next(m for m in bot.telegram.sent_to(USER) if m["message_id"] == choice["message_id"])
    assert edited["text"] == "Erledigt: Ab jetzt antworte ich auf Deutsch."

    # The app still says Russian; the stored choice wins.
    help_message = await _send(bot, "/help")
    assert help_message["text"].startswith("Was ich kann")
    assert "/bmi - Dein BMI und ein gesunder Gewichtsbereich" in help_message["text"]

    uploads_before = len(bot.telegram.uploads)
    export = await _send(bot, "/export")
    assert export["caption"].startswith("Alles, was ich über dich speichere.")
    [upload] = bot.telegram.uploads[uploads_before:]
    assert json.loads(upload.data.decode("utf-8"))["user"]["language"] == "de"


async def test_forget_deletes_the_language_with_the_user(bot: RunningBot) -> None:
    await bot.start()
    await _send(bot, "/language de")
    confirm = await _send(bot, "/forget")
    assert confirm["text"].startswith("Das löscht dein Profil")
    bot.telegram.user_presses(USER, "forget:yes", confirm["message_id"])
    await bot.telegram.wait_for(
        lambda r: r.method == "editMessageText" and r.chat_id == USER, count=1, timeout=10
    )
    # A stranger again: the Telegram app's Russian is back.
    again = await _send(bot, "/help")
    assert again["text"].startswith("Что я умею")


async def test_language_by_argument_and_unknown_language(bot: RunningBot) -> None:
    await bot.start()
    unknown = await _send(bot, "/language klingon", language="en")
    assert unknown["text"] == "I don't speak “klingon”. Choose one of: en, ru, es, de."
    switched = await _send(bot, "/language es", language="en")
    assert switched["text"] == "Hecho: a partir de ahora respondo en español."
    start = await _send(bot, "/start", language="en")
    assert start["text"].startswith("¡Hola, Аня!")


async def test_a_russian_admin_previews_follows_and_reads_the_report_in_russian(
    bot: RunningBot,
) -> None:
    await bot.start(admin_ids=str(ADMIN))
    await _send(bot, "/language ru", user=ADMIN, language="en")
    bot.telegram.user_sends(OTHER, "/start", language_code="de")
    await bot.telegram.wait_for_messages(OTHER, 1, timeout=10)

    bot.telegram.user_sends(ADMIN, "/broadcast Всем привет", language_code="en")
    messages = await bot.telegram.wait_for_messages(ADMIN, 3, timeout=10)
    panel = messages[-1]
    assert panel["text"] == "Выше — предпросмотр. Отправить его: 2 человека?"
    assert [text for text, _ in _buttons(panel)] == ["Отправить", "Отмена"]
    send = next(data for _, data in _buttons(panel) if data.startswith("bc:send"))
    bot.telegram.user_presses(ADMIN, send, panel["message_id"])
    [report] = await bot.telegram.wait_for(
        lambda r: (
            r.method == "sendMessage"
            and r.chat_id == ADMIN
            and str(r.params.get("text", "")).startswith("Рассылка №1")
        ),
        timeout=15,
    )
    assert report.params["text"] == (
        "Рассылка №1 завершена: доставлено: 2 человека, заблокировали бота: 0, ошибок: 0."
    )
    stats = await _send(bot, "/stats", user=ADMIN, language="en")
    assert stats["text"].startswith("Статистика FitCoach (дни по UTC)")
