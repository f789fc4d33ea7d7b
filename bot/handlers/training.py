"""/log, /weight and /progress: the training log's commands, its buttons and its confirmations.

Callback data of this module's buttons is packed and unpacked by ``TrainingButton`` only.
Charts are drawn off the event loop (matplotlib takes tens of milliseconds).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import groupby
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.charts.progress import body_weight_chart, exercise_chart, weekly_chart
from bot.domain.profile import UnitSystem
from bot.domain.training import LoggedSet, PrKind
from bot.domain.workout_parser import WorkoutParseError
from bot.errors import UserInputError
from bot.handlers.context import Context
from bot.handlers.privacy import in_private_chat
from bot.handlers.render import edit_html, send_html
from bot.handlers.users import language_of
from bot.i18n import t
from bot.services.training import (
    ChartKind,
    LogEntry,
    LogResult,
    Progress,
    UnknownExerciseError,
    display_weight,
)
from bot.text.limits import CAPTION_LIMIT
from bot.text.markdown import escape

logger = logging.getLogger(__name__)

PREFIX: Final = "tl"
_DELETE_COLUMNS: Final = 5
_PR_ORDER: Final = (PrKind.WEIGHT, PrKind.E1RM, PrKind.REP_MAX, PrKind.REPS)


# --- callback data ----------------------------------------------------------------------------


class ButtonAction(StrEnum):
    """What a training-log button does."""

    UNDO = "u"  # target: a batch id
    DELETE = "d"  # target: a set's id


@dataclass(frozen=True, slots=True)
class TrainingButton:
    """One button's data: ``tl:<action>:<target>[:<owner>]`` (under Telegram's 64 bytes).

    A button shown in a group carries the user it belongs to: anyone there can tap it.
    """

    action: ButtonAction
    target: str
    owner: int | None = None

    def pack(self) -> str:
        owner = "" if self.owner is None else f":{self.owner}"
        return f"{PREFIX}:{self.action.value}:{self.target}{owner}"

    @classmethod
    def unpack(cls, data: str | None) -> TrainingButton | None:
        """The button from its data; None for anything this module did not pack."""
        prefix, _, rest = (data or "").partition(":")
        action, _, rest = rest.partition(":")
        target, _, owner = rest.partition(":")
        if prefix != PREFIX or not target or (owner and not owner.lstrip("-").isdigit()):
            return None
        try:
            return cls(ButtonAction(action), target, int(owner) if owner else None)
        except ValueError:
            return None


def undo_markup(language: str, batch_id: str, owner: int | None = None) -> InlineKeyboardMarkup:
    """The Undo button under a confirmation (bound to ``owner`` where others can see it)."""
    data = TrainingButton(ButtonAction.UNDO, batch_id, owner).pack()
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(language, "training.undo_button"), callback_data=data)]]
    )


# --- rendering --------------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{round(value, 1):g}"


def weight_text(kg: float, units: UnitSystem) -> str:
    """A lifted weight in the user's units: ``102.5 kg``, ``225 lb``."""
    unit = "kg" if units is UnitSystem.METRIC else "lb"
    return f"{_number(display_weight(kg, units))} {unit}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{_number(seconds)} s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _distance(metres: float) -> str:
    return f"{_number(metres / 1000)} km" if metres >= 1000 else f"{_number(metres)} m"


def _work(logged: LoggedSet) -> str:
    parts = []
    if logged.reps is not None:
        parts.append(str(logged.reps))
    if logged.distance_m is not None:
        parts.append(_distance(logged.distance_m))
    if logged.duration_s is not None:
        parts.append(_duration(logged.duration_s))
    return " ".join(parts) or "1"


def sets_text(sets: Sequence[LoggedSet], units: UnitSystem) -> str:
    """Sets in one phrase: ``5×5 @ 100 kg``, ``3×5 @ 100 kg, 1×3 @ 110 kg``, ``5 km 27:30``."""
    groups: list[str] = []
    for weight, same_weight in groupby(sets, key=lambda s: s.weight_kg):
        works = [_work(s) for s in same_weight]
        counted = [(work, len(list(run))) for work, run in groupby(works)]
        if len(counted) == 1:
            work, count = counted[0]
            body = f"{count}×{work}" if count > 1 or work.isdigit() else work
        else:
            body = ", ".join(f"{count}×{work}" if count > 1 else work for work, count in counted)
        if weight:
            body += f" @ {weight_text(weight, units)}"
        groups.append(body)
    return ", ".join(groups)


def _records(language: str, name: str, kinds: frozenset[PrKind]) -> str:
    named = ", ".join(
        t(language, f"training.pr_{kind.value}") for kind in _PR_ORDER if kind in kinds
    )
    return t(language, "training.record", name=name, kinds=named)


def confirmation_html(language: str, result: LogResult, *, key: str = "training.logged") -> str:
    """One line per exercise, then a line per exercise that set a record."""
    lines = [
        escape(t(language, key, line=f"{line.name} {sets_text(line.sets, result.units)}"))
        for line in result.exercises
    ]
    lines += [
        escape(_records(language, line.name, line.records))
        for line in result.exercises
        if line.records
    ]
    return "\n".join(lines)


def _entry_line(entry: LogEntry, units: UnitSystem) -> str:
    day = entry.logged.performed_at.date()
    return f"{day:%d.%m} {entry.logged.exercise_name} {sets_text([entry.logged], units)}"


def _listing(
    language: str, entries: Sequence[LogEntry], units: UnitSystem
) -> tuple[str, InlineKeyboardMarkup | None]:
    if not entries:
        return escape(t(language, "training.list_empty")), None
    lines = [escape(t(language, "training.list_title"))]
    lines += [f"{n}. {escape(_entry_line(e, units))}" for n, e in enumerate(entries, start=1)]
    buttons = [
        InlineKeyboardButton(
            f"✖ {n}", callback_data=TrainingButton(ButtonAction.DELETE, str(e.id)).pack()
        )
        for n, e in enumerate(entries, start=1)
    ]
    rows = [buttons[i : i + _DELETE_COLUMNS] for i in range(0, len(buttons), _DELETE_COLUMNS)]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _parse_error_html(language: str, error: WorkoutParseError) -> str:
    problem = t(language, f"training.error.{error.code.value}", fragment=error.fragment)
    return "\n".join(
        (
            escape(problem),
            escape(t(language, "training.nothing_logged")),
            "",
            escape(t(language, "training.examples")),
        )
    )


def _unknown_html(language: str, error: UnknownExerciseError) -> str:
    suggestions = ", ".join(error.suggestions)
    return "\n".join(
        (
            escape(
                t(language, "training.unknown_exercise", name=error.name, suggestions=suggestions)
            ),
            escape(t(language, "training.nothing_logged")),
        )
    )


# --- /log -------------------------------------------------------------------------------------


async def log_answer(update: Update, context: Context, chat_id: int, arguments: str) -> None:
    """/log in ``chat_id``: log the sets in ``arguments``, or list the latest with Delete."""
    if update.effective_user is None:
        return
    language = language_of(update, context)
    user_id = update.effective_user.id
    training = context.services.training
    if not arguments:
        entries = await training.recent(user_id)
        text, markup = _listing(language, entries, await training.units(user_id))
        await send_html(context.bot, chat_id, text, reply_markup=markup)
        return
    try:
        result = await training.log_text(user_id, arguments)
    except WorkoutParseError as error:
        await send_html(context.bot, chat_id, _parse_error_html(language, error))
        return
    except UnknownExerciseError as error:
        await send_html(context.bot, chat_id, _unknown_html(language, error))
        return
    await send_html(
        context.bot,
        chat_id,
        confirmation_html(language, result),
        reply_markup=undo_markup(language, result.batch_id),
    )


async def on_button(update: Update, context: Context) -> None:
    """Undo a logged batch, or delete one set from the listing."""
    query = update.callback_query
    if query is None or update.effective_user is None:
        return
    button = TrainingButton.unpack(query.data)
    language = language_of(update, context)
    user_id = update.effective_user.id
    # In a group anyone sees the button: only its owner may use it (unbound ones: nobody).
    if button is not None and not in_private_chat(query.message) and button.owner != user_id:
        await query.answer(t(language, "privacy.not_your_button"), show_alert=True)
        return
    await query.answer()
    if button is None:
        return
    training = context.services.training
    if button.action is ButtonAction.UNDO:
        removed = await training.undo(user_id, button.target)
        key = "training.undone" if removed else "training.undo_gone"
        await edit_html(context.bot, query, escape(t(language, key)))
        return
    units = await training.units(user_id)
    deleted = (
        await training.delete_entry(user_id, int(button.target))
        if button.target.isdigit()
        else None
    )
    header = (
        t(language, "training.deleted", line=_entry_line(deleted, units))
        if deleted is not None
        else t(language, "training.delete_gone")
    )
    text, markup = _listing(language, await training.recent(user_id), units)
    await edit_html(context.bot, query, f"{escape(header)}\n\n{text}", reply_markup=markup)


# --- /weight ----------------------------------------------------------------------------------


def _signed(kg: float, units: UnitSystem) -> str:
    value = display_weight(kg, units)
    unit = "kg" if units is UnitSystem.METRIC else "lb"
    return f"{value:+.1f} {unit}"


async def weight_answer(update: Update, context: Context, chat_id: int, arguments: str) -> None:
    """/weight in ``chat_id``: save the weigh-in in ``arguments``, or say how to write one."""
    if update.effective_user is None:
        return
    language = language_of(update, context)
    if not arguments:
        await context.bot.send_message(chat_id, t(language, "training.weight_usage"))
        return
    try:
        result = await context.services.training.log_weight(update.effective_user.id, arguments)
    except UserInputError as error:
        usage = t(language, "training.weight_usage")
        await context.bot.send_message(chat_id, f"{error.text.render(language)}\n{usage}")
        return
    units = result.units
    lines = [
        t(
            language,
            "training.weight_saved",
            weight=weight_text(result.saved.weight_kg, units),
            date=result.saved.on.isoformat(),
        )
    ]
    # Under 18 or underweight: no change line, it would invite weighing in for a number.
    if result.previous is not None and not result.careful:
        change = _signed(result.saved.weight_kg - result.previous.weight_kg, units)
        lines.append(
            t(
                language,
                "training.weight_change",
                date=result.previous.on.isoformat(),
                change=change,
            )
        )
    await context.bot.send_message(chat_id, "\n".join(lines))


# --- /progress --------------------------------------------------------------------------------


def _empty_text(language: str, progress: Progress) -> str:
    if progress.kind is ChartKind.WEIGHT:
        if progress.careful:
            return t(language, "training.progress_weight_hidden")
        return t(language, "training.progress_empty_weight")
    if progress.kind is ChartKind.WEEKLY:
        return t(language, "training.progress_empty_weekly")
    return t(
        language,
        "training.progress_empty_exercise",
        name=progress.name,
        example=progress.name.lower(),
    )


def _title(language: str, progress: Progress) -> str:
    if progress.kind is ChartKind.WEIGHT:
        return t(language, "training.chart_weight")
    if progress.kind is ChartKind.WEEKLY:
        return t(language, "training.chart_weekly")
    key = "training.chart_e1rm" if progress.e1rm else "training.chart_top"
    return t(language, key, name=progress.name)


def render_chart(language: str, progress: Progress) -> bytes:
    """Draw the chart for ``progress`` (blocking: call it in a worker thread)."""
    title = _title(language, progress)
    unit = "kg" if progress.units is UnitSystem.METRIC else "lb"
    points = list(progress.points)
    if progress.kind is ChartKind.WEIGHT:
        return body_weight_chart(
            points,
            title=title,
            y_label=unit,
            measured_label=t(language, "training.chart_measured"),
            average_label=t(language, "training.chart_average"),
        )
    if progress.kind is ChartKind.WEEKLY:
        sets = t(language, "training.chart_sets")
        return weekly_chart([(d, {sets: v}) for d, v in points], title=title, y_label=sets)
    return exercise_chart(points, title=title, y_label=unit)


def caption_text(language: str, progress: Progress) -> str:
    """Latest, best (or range) and change over the period, in the user's units."""
    if progress.kind is ChartKind.WEEKLY:
        unit, signed = "", f"{progress.change:+g}"
    else:
        unit = " kg" if progress.units is UnitSystem.METRIC else " lb"
        signed = f"{progress.change:+.1f}{unit}"
    key = "training.caption_weight" if progress.kind is ChartKind.WEIGHT else "training.caption"
    text = t(
        language,
        key,
        title=_title(language, progress),
        days=progress.days,
        latest=f"{_number(progress.latest)}{unit}",
        best=f"{_number(progress.best)}{unit}",
        lowest=f"{_number(progress.lowest)}{unit}",
        change=signed,
    )
    return text[:CAPTION_LIMIT]


async def progress_answer(update: Update, context: Context, chat_id: int, arguments: str) -> None:
    """/progress in ``chat_id``: the chart and its numbers, or what to log to get one."""
    if update.effective_user is None:
        return
    language = language_of(update, context)
    bot = context.bot
    try:
        data = await context.services.training.progress(update.effective_user.id, arguments)
    except UnknownExerciseError as error:
        await bot.send_message(chat_id, t(language, "training.progress_unknown", name=error.name))
        return
    except UserInputError:
        await bot.send_message(chat_id, t(language, "training.bad_period"))
        return
    if not data.enough:
        await bot.send_message(chat_id, _empty_text(language, data))
        return
    png = await asyncio.to_thread(render_chart, language, data)
    await bot.send_photo(
        chat_id, InputFile(png, filename="progress.png"), caption=caption_text(language, data)
    )
