"""A new Russian-, then German-speaking user tours the bot: every answer in their language."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import settled

USER = 3701
JSON = dict[str, Any]
TWO_SECONDS = b"OggS" + b"\x00" * 7996
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4

# Common English words: one of them in an answer means an English sentence leaked.
ENGLISH = frozenset(
    re.findall(
        r"\w+",
        """
    about after again also back been before being below both cannot could does done down
    each even every first from give have here into just keep know last like little long
    look made make many more most much must need never next nothing only other over please
    read right same says send sent should show some still such take than that their them
    then there these they this those time today under until using very want week well were
    what when where which while will with would your yours cant didnt dont wasnt isnt
    saved logged undone deleted delete undo weight height unknown found sorry profile
    value range accepted example examples units metric imperial language choose chart
    progress record welcome help start photo voice note credits source sources licence
    license variant variants exercise exercises demo video image body mass index healthy
    """,
    )
)
# Words that are German too. Commands, units and key=value examples are not matched at all;
# exercise names (English-only catalog data) are removed before matching.
ALLOWED = {"demo", "imperial"}
EXERCISE_NAMES = ("Barbell back squat", "Bodyweight squat")
_WORD = re.compile(r"(?<![/\w=@.])[A-Za-z]{4,}(?![\w=])")


def english_words(text: str) -> list[str]:
    for name in EXERCISE_NAMES:
        text = text.replace(name, "")
    return [w for w in _WORD.findall(text) if w.lower() in ENGLISH and w.lower() not in ALLOWED]


def _text(message: JSON) -> str:
    return str(message.get("text") or message.get("caption") or "")


def _buttons(message: JSON) -> list[tuple[str, str]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(b["text"], b.get("callback_data", b.get("url", ""))) for row in rows for b in row]


class Tour:
    def __init__(self, bot: RunningBot) -> None:
        self.bot = bot
        self.language = "ru"
        self.log: list[str] = []

    async def settle(self, before: list[JSON]) -> list[JSON]:
        await settled(self.bot)
        after = self.bot.telegram.sent_to(USER)
        old = {m["message_id"]: m for m in before}
        return [m for m in after if old.get(m["message_id"]) != m]

    async def send(self, text: str) -> list[JSON]:
        before = self.bot.telegram.sent_to(USER)
        self.bot.telegram.user_sends(USER, text, first_name="Аня", language_code=self.language)
        await self.bot.telegram.wait_for_messages(USER, len(before) + 1, timeout=15)
        return self.note(text, await self.settle(before))

    async def press(self, data: str, message: JSON) -> list[JSON]:
        before = self.bot.telegram.sent_to(USER)
        self.bot.telegram.user_presses(USER, data, message["message_id"])
        return self.note(f"[press {data}]", await self.settle(before))

    async def media(self, kind: str, data: bytes) -> list[JSON]:
        before = self.bot.telegram.sent_to(USER)
        self.bot.telegram.user_sends_media(
            USER, kind, data=data, first_name="Аня", language_code=self.language
        )
        await self.bot.telegram.wait_for_messages(USER, len(before) + 1, timeout=15)
        return self.note(f"[{kind}]", await self.settle(before))

    def note(self, what: str, messages: list[JSON]) -> list[JSON]:
        assert messages, f"no answer to {what}"
        self.log.append(f"{what}: {[_text(m) for m in messages]}")
        return messages

    async def say(self, text: str) -> str:
        """Send ``text``; the answer's text, checked to be free of English sentences."""
        answer = "\n".join(_text(m) for m in await self.send(text))
        assert english_words(answer) == [], (text, answer)
        return answer


async def test_a_russian_then_german_user_is_answered_in_their_language(bot: RunningBot) -> None:
    await bot.start(user_messages_per_minute=600)
    tour = Tour(bot)

    assert (await tour.say("/start")).startswith("Привет, Аня!")
    help_text = await tour.say("/help")
    assert "/log - Записать тренировку" in help_text
    assert "/credits - Кто сделал демонстрации упражнений" in help_text
    menu = {c["command"]: c["description"] for c in bot.telegram.commands(language_code="ru")}
    assert menu["weight"] == "Записать сегодняшний вес"
    assert all(english_words(description) == [] for description in menu.values())

    [profile] = await tour.send("/profile")
    assert "Нажмите кнопку" in _text(profile)
    labels = [label for label, _ in _buttons(profile)]
    assert labels[:3] == ["Рост", "Вес", "Возраст"]
    [question] = await tour.press("pf:ask:height", profile)
    assert _text(question).startswith("Какой у вас рост?")
    assert "Рост: 180 cm" in await tour.say("180 см")
    refused = await tour.say("/profile height=175 weight=тяжело age=30")
    assert refused.startswith("Ничего не изменено.")
    assert "«тяжело»" in refused
    saved = await tour.say("/profile weight=80 age=30 sex=f")
    assert "Вес: 80 kg" in saved
    assert "Рост: 180 cm" in saved
    [units] = await tour.send("/units")
    assert [label for label, _ in _buttons(units)][:2] == [
        "Метрические (см, кг)",
        "Имперские (ft, lb)",
    ]
    assert "ИМТ: 24.7" in await tour.say("/bmi")

    # Exercise names, muscles, equipment and cues are English-only catalog data: only our
    # labels around them are checked.
    messages = await tour.send("/exercise присед")
    card = "\n".join(_text(m) for m in messages)
    assert card.startswith("Barbell back squat\nМышцы: quadriceps")
    assert "Уровень: средний" in card
    [variants] = [m for m in messages if _buttons(m)]
    assert _text(variants) == "Другие варианты:"
    [other] = await tour.press(_buttons(variants)[0][1], variants)
    assert "Уровень: начальный" in _text(other)
    assert (await tour.say("/exercise zzzz")).startswith("Я не знаю упражнения «zzzz».")
    credits = "\n".join(_text(m) for m in await tour.send("/credits"))
    assert credits.startswith("Демонстрации упражнений и их авторы")
    assert "Источники и лицензии" in credits

    [logged] = await tour.send("/log присед 3х5 100кг")
    assert _text(logged) == "Записано: Barbell back squat 3×5 @ 100 kg"
    [(undo_label, undo)] = _buttons(logged)
    assert undo_label == "↩ Отменить"
    [undone] = await tour.press(undo, logged)
    assert _text(undone).startswith("Отменено")
    empty = await tour.say("/log")
    assert "/log присед 5x5 100кг" in empty
    await tour.send("/log присед 1х5 100кг")
    assert (await tour.say("/log")).startswith("Ваши последние подходы")
    assert (await tour.say("/weight 80,5")).startswith("Сохранено: 80.5 kg")
    refused = await tour.say("/weight тяжело")
    assert "«тяжело»" in refused
    assert "/weight 179 lb" in refused
    assert "/weight 81.4" in await tour.say("/progress вес")
    assert "/log присед 5x5 100кг" in await tour.say("/progress")
    assert "/forget" in await tour.say("/export")

    # The fake model echoes what it got; the Russian question must reach it as written.
    assert await tour.say("Сколько подходов делать на присед?") == (
        "Echo: Сколько подходов делать на присед?"
    )
    bot.openai.script_transcription("Как часто тренироваться?")
    shown, answer = await tour.media("voice", TWO_SECONDS)
    assert _text(shown) == "🎤 Как часто тренироваться?"
    assert _text(answer) == "Echo: Как часто тренироваться?"
    [seen] = await tour.media("photo", JPEG)
    assert _text(seen).startswith("Echo: ")

    assert (await tour.say("/language de")).startswith("Erledigt")
    tour.language = "de"
    help_text = await tour.say("/help")
    assert "/log - Training eintragen" in help_text
    menu = {c["command"]: c["description"] for c in bot.telegram.commands(language_code="de")}
    assert menu["weight"] == "Heutiges Körpergewicht eintragen"
    refused = await tour.say("/log Kniebeuge ???")
    assert "Nichts wurde eingetragen." in refused
    assert "/log Kniebeuge 5x5 100kg" in refused
    assert "„schwer“" in await tour.say("/weight schwer")
