"""The benchmark scenarios: each starts bots as processes on fresh fakes and returns its figures."""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.erasure import measure_secure_delete
from bench.harness import (
    BotKind,
    BotProcess,
    RequestLog,
    count_by_kind,
    fakes,
    is_reply,
    seed_users,
    sqlite_url,
)
from bench.report import Figure, percentile
from bot.llm.tokens import TOKENS_PER_MESSAGE, TOKENS_PER_REPLY, estimate_tokens
from tests.fakes.openai import Reply, text_of
from tests.fakes.telegram import FakeTelegram, RecordedRequest

__all__ = [
    "SCENARIOS",
    "BenchConfig",
    "Outcome",
    "broadcast",
    "charts",
    "concurrency",
    "cost_per_message",
    "crowd_streaming",
    "erasure",
    "memory_growth",
    "startup_and_size",
    "streaming",
]

JSON = dict[str, Any]

# Telegram's overall limit for one bot, and the targets the figures are held to.
TELEGRAM_RATE = 30.0
CPU_RATIO_TARGET = 1.5
WAIT_MARGIN_TARGET = 0.050
REQUESTS_PER_ANSWER_TARGET = 3.0
FIRST_WORDS_TARGET = 0.5
PROMPT_GROWTH_TARGET = 1.10
BROADCAST_SUSTAINED_TARGET = 25.0
STARTUP_TARGET = 3.0
HISTORY_TOKEN_BUDGET = 4000
ERASURE_TURNS = 400
ERASURE_TURNS_QUICK = 50

QUESTIONS = (
    "How many sets of squats should I do this week?",
    "Is it fine to train legs two days in a row?",
    "What should I eat before a morning run?",
    "How long should I rest between sets of bench press?",
    "Can you give me a 20 minute home workout?",
    "How do I get better at pull-ups?",
    "Is walking 10,000 steps a day enough cardio?",
    "What is a good warm-up before deadlifts?",
    "How much protein do I need after training?",
    "How do I stay motivated to train in winter?",
)
# A short answer, in the Markdown a model writes: what "a short answer" costs is measured on it.
ANSWER = (
    "Good question! Here is a simple plan:\n\n"
    "- **Warm up** for 5 minutes.\n"
    "- Do 3 sets of 8 to 12 reps, resting about 90 seconds between sets.\n"
    "- Add a little weight when the last set feels easy.\n\n"
    "Keep the form clean and stop if something hurts. Tell me how it goes and we will adjust "
    "the plan next week."
)
ANSWER_MARK = "Good question!"
LONG_ANSWER = (
    "Start with five minutes of easy cardio, then do three rounds of ten bodyweight squats, "
    "ten push-ups against a bench, ten walking lunges on each leg and a thirty second plank. "
    "Rest a minute between rounds, breathe steadily, and finish with some gentle stretching "
    "for your hips and shoulders before you call it a day."
)
SUMMARY = (
    "- Trains about four times a week: squats, rows, presses and short runs.\n"
    "- Knees feel fine; sleeps about seven hours; eats a normal breakfast.\n"
    "- Goal: steady progress without injuries."
)
TURN_FILLER = (
    "Today I trained for about forty minutes: squats, rows, presses and a short run. "
    "My knees felt fine, I slept seven hours and had eggs and oats for breakfast. "
    "Tomorrow I want to do some mobility work and a longer walk with friends. "
)
BROADCAST_TEXT = "Spring challenge: 10,000 steps a day for a week. Tell me how it goes!"
ADMIN_ID = 42
WARMUP_USER = 999
FIRST_USER = 10_001
SETTLE_SECONDS = 0.5
_WORDS = re.compile(r"\S+\s*")


@dataclass(frozen=True)
class BenchConfig:
    """Sizes of every scenario; ``quick`` shrinks them for a smoke run."""

    workdir: Path
    quick: bool = False
    users: int = 5
    messages_per_user: int = 10
    concurrent_users: int = 40
    model_seconds: float = 1.0
    stream_seconds: float = 4.5
    first_token_seconds: float = 0.5
    turns: int = 200
    turn_chars: int = 600
    broadcast_users: int = 1000
    db_users: int = 10_000
    startups: int = 3
    crowd_users: int = 100
    crowd_stream_seconds: float = 5.0
    long_answer_chars: int = 2400
    long_answer_chunks: int = 600
    long_answer_seconds: float = 3.0
    long_answers: int = 3

    @classmethod
    def create(cls, workdir: Path, *, quick: bool = False) -> BenchConfig:
        if not quick:
            return cls(workdir=workdir)
        return cls(
            workdir=workdir,
            quick=True,
            users=2,
            messages_per_user=3,
            concurrent_users=10,
            stream_seconds=1.5,
            first_token_seconds=0.3,
            turns=30,
            broadcast_users=60,
            db_users=1000,
            startups=1,
            crowd_users=20,
            crowd_stream_seconds=2.0,
            long_answer_seconds=1.0,
            long_answers=1,
        )

    def directory(self, name: str) -> Path:
        """A fresh directory for one bot run: its database, log and working directory."""
        path = self.workdir / name
        suffix = 1
        while path.exists():
            suffix += 1
            path = self.workdir / f"{name}-{suffix}"
        path.mkdir(parents=True)
        return path


@dataclass
class Outcome:
    """What one scenario found: figures for the table, raw series and notes for the JSON."""

    figures: list[Figure] = field(default_factory=list)
    series: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def is_summary_request(body: JSON) -> bool:
    """The coach asking to fold older turns into its summary (not a user's question)."""
    messages = body.get("messages") or []
    return bool(messages) and "<conversation_excerpt>" in text_of(messages[-1])


def instant_responder(body: JSON) -> Reply:
    """The short answer at once; the coach's summary requests get a plausible summary."""
    return Reply(text=SUMMARY if is_summary_request(body) else ANSWER)


def _question(user_id: int, index: int) -> str:
    return QUESTIONS[(user_id + index) % len(QUESTIONS)]


def _counted_methods(telegram: FakeTelegram) -> set[str]:
    # getUpdates is a long poll Telegram does not count against the sending limit.
    return {r.method for r in telegram.requests} - {"getUpdates"}


async def _warm_up(telegram: FakeTelegram, log: RequestLog) -> None:
    """One answered message first: the figures describe a running bot, not its first request."""
    sent = time.monotonic()
    telegram.user_sends(WARMUP_USER, "Hello!")
    await log.reply_to(WARMUP_USER, sent, timeout=60)
    await asyncio.sleep(0.2)


def _off_script(replies: Sequence[RecordedRequest]) -> int:
    """Replies that are not the model's answer: a safety message, an apology, a slow-down."""
    return sum(1 for reply in replies if ANSWER_MARK not in str(reply.params.get("text", "")))


def _breakdown(counts: dict[str, int], answers: int) -> str:
    parts = [f"{kind} {count / answers:.2f}" for kind, count in counts.items() if count]
    return ", ".join(parts) or "none"


# ------------------------------------------------------------------------- 1. cost per message


@dataclass
class CostRun:
    """One bot answering ``users`` x ``messages`` with an instant model."""

    kind: BotKind
    cpu_per_message: float
    waits: list[float]
    #: The same bot answering one user alone, after the measured run.
    lone_waits: list[float]
    counts: dict[str, int]
    answers: int
    off_script: int
    #: Most Telegram requests in any 1 s of the measured run.
    peak_rate: float = 0.0

    @property
    def requests_per_answer(self) -> float:
        return sum(self.counts.values()) / self.answers


async def run_cost(
    kind: BotKind, config: BenchConfig, *, profile_to: Path | None = None
) -> CostRun:
    """Users each send their next message once the previous one is answered."""
    async with fakes() as (telegram, model):
        model.responder = instant_responder
        bot = BotProcess(
            kind, telegram, model, config.directory(f"cost-{kind}"), profile_to=profile_to
        )
        async with bot, RequestLog(telegram, bot) as log:
            await _warm_up(telegram, log)
            replies: list[RecordedRequest] = []

            async def user(user_id: int) -> list[float]:
                waits = []
                for index in range(config.messages_per_user):
                    sent = time.monotonic()
                    telegram.user_sends(user_id, _question(user_id, index))
                    reply = await log.reply_to(user_id, sent, timeout=60)
                    replies.append(reply)
                    waits.append(reply.time - sent)
                return waits

            bot.profile_start()
            cpu_before = bot.cpu_seconds()
            started = time.monotonic()
            per_user = await asyncio.gather(*(user(FIRST_USER + n) for n in range(config.users)))
            await asyncio.sleep(SETTLE_SECONDS)  # work after the answer counts too
            cpu = bot.cpu_seconds() - cpu_before
            requests = log.since(started)
            peak = telegram.peak_rate(1.0, _counted_methods(telegram))
            measured = list(replies)
            await bot.profile_stop()
            lone = await user(FIRST_USER + config.users)
    answers = config.users * config.messages_per_user
    return CostRun(
        kind=kind,
        cpu_per_message=cpu / answers,
        waits=[wait for waits in per_user for wait in waits],
        lone_waits=lone,
        counts=count_by_kind(requests),
        answers=answers,
        off_script=_off_script(measured),
        peak_rate=peak,
    )


async def cost_per_message(config: BenchConfig) -> Outcome:
    """1. CPU per message, one user's wait and Telegram requests per answer, coach vs relay."""
    relay = await run_cost("relay", config)
    coach = await run_cost("coach", config)
    name = f"1. cost per message ({config.users} users x {config.messages_per_user}, instant model)"
    ratio = coach.cpu_per_message / relay.cpu_per_message
    relay_wait = percentile(relay.waits, 0.5)
    coach_wait = percentile(coach.waits, 0.5)
    outcome = Outcome()
    outcome.figures = [
        Figure(name, "CPU per message, relay", relay.cpu_per_message, "s"),
        Figure(
            name,
            "CPU per message, coach",
            coach.cpu_per_message,
            "s",
            target=f"<= {CPU_RATIO_TARGET}x relay",
            met=ratio <= CPU_RATIO_TARGET,
            detail=f"{ratio:.2f}x relay",
        ),
        Figure(
            name,
            "wait p50, relay",
            relay_wait,
            "s",
            detail=f"no rate limiter, peak {relay.peak_rate:.0f} requests/s",
        ),
        Figure(
            name,
            "wait p50, coach",
            coach_wait,
            "s",
            target=f"<= relay + {WAIT_MARGIN_TARGET * 1000:.0f} ms",
            met=coach_wait <= relay_wait + WAIT_MARGIN_TARGET,
            detail=f"relay + {(coach_wait - relay_wait) * 1000:.0f} ms; "
            f"p90 {percentile(coach.waits, 0.9) * 1000:.0f} ms; "
            f"peak {coach.peak_rate:.0f} requests/s",
        ),
        Figure(
            name,
            "wait p50, one user alone, coach",
            percentile(coach.lone_waits, 0.5),
            "s",
            detail=f"relay alone {percentile(relay.lone_waits, 0.5) * 1000:.0f} ms",
        ),
        Figure(
            name,
            "Telegram requests per answer, relay",
            relay.requests_per_answer,
            "requests",
            detail=_breakdown(relay.counts, relay.answers),
        ),
        Figure(
            name,
            "Telegram requests per answer, coach",
            coach.requests_per_answer,
            "requests",
            target=f"<= {REQUESTS_PER_ANSWER_TARGET:.0f}",
            met=coach.requests_per_answer <= REQUESTS_PER_ANSWER_TARGET,
            detail=_breakdown(coach.counts, coach.answers),
        ),
    ]
    outcome.series["cost"] = {
        run.kind: {
            "cpu_seconds_per_message": run.cpu_per_message,
            "waits_seconds": [round(w, 4) for w in run.waits],
            "lone_user_waits_seconds": [round(w, 4) for w in run.lone_waits],
            "requests": run.counts,
            "answers": run.answers,
        }
        for run in (relay, coach)
    }
    for run in (relay, coach):
        if run.off_script:
            outcome.notes.append(
                f"{run.kind}: {run.off_script} of {run.answers} answers were not the model's "
                "answer (a safety or error message?)"
            )
    return outcome


# ------------------------------------------------------------------------- 2. concurrency


@dataclass
class BurstRun:
    kind: BotKind
    times: list[float]
    requests: int
    peak_rate: float
    off_script: int


async def run_burst(kind: BotKind, config: BenchConfig) -> BurstRun:
    """Every user sends one message at the same moment; the model takes ``model_seconds``."""
    async with fakes() as (telegram, model):
        model.responder = instant_responder
        bot = BotProcess(kind, telegram, model, config.directory(f"burst-{kind}"))
        async with bot, RequestLog(telegram, bot) as log:
            await _warm_up(telegram, log)
            model.latency = config.model_seconds
            users = [FIRST_USER + n for n in range(config.concurrent_users)]
            started = time.monotonic()
            for user_id in users:
                telegram.user_sends(user_id, _question(user_id, 0))
            replies = await asyncio.gather(
                *(log.reply_to(user_id, started, timeout=120) for user_id in users)
            )
            await asyncio.sleep(SETTLE_SECONDS)
            requests = count_by_kind(log.since(started))
            peak = telegram.peak_rate(1.0, _counted_methods(telegram))
    return BurstRun(
        kind=kind,
        times=[reply.time - started for reply in replies],
        requests=sum(requests.values()),
        peak_rate=peak,
        off_script=_off_script(replies),
    )


async def concurrency(config: BenchConfig) -> Outcome:
    """2. Many users at once with a slow model: time to answer, within Telegram's 30/s."""
    relay = await run_burst("relay", config)
    coach = await run_burst("coach", config)
    users = config.concurrent_users
    name = f"2. concurrency ({users} users at once, {config.model_seconds:g} s model)"
    # Each answer may take the three requests a short answer is allowed, at 30 a second.
    allowed = config.model_seconds + REQUESTS_PER_ANSWER_TARGET * users / TELEGRAM_RATE
    coach_max = max(coach.times)
    outcome = Outcome()
    outcome.figures = [
        Figure(
            name,
            "time to answer p50 / max, relay",
            percentile(relay.times, 0.5),
            "s",
            detail=f"max {max(relay.times):.2f} s; no rate limiter, peak {relay.peak_rate:.0f}/s",
        ),
        Figure(name, "time to answer p50, coach", percentile(coach.times, 0.5), "s"),
        Figure(
            name,
            "time to answer max, coach",
            coach_max,
            "s",
            target=f"<= {allowed:.2f} s ({config.model_seconds:g} s + {users}x3 requests at 30/s)",
            met=coach_max <= allowed,
            detail=f"{coach.requests} requests, {coach.requests / users:.2f} per answer",
        ),
        Figure(
            name,
            "Telegram requests/s peak, coach",
            coach.peak_rate,
            "/s",
            target=f"<= {TELEGRAM_RATE:.0f}/s",
            met=coach.peak_rate <= TELEGRAM_RATE,
        ),
    ]
    outcome.notes.extend(
        f"{run.kind}: {run.off_script} of {users} answers were not the model's answer"
        for run in (relay, coach)
        if run.off_script
    )
    outcome.series["concurrency"] = {
        run.kind: {"times_seconds": sorted(round(t, 4) for t in run.times), "peak": run.peak_rate}
        for run in (relay, coach)
    }
    return outcome


# ------------------------------------------------------------------------- 3. streaming


@dataclass
class StreamRun:
    kind: BotKind
    first_words: float
    final: float
    first_words_after_token: float
    final_after_last_token: float
    drafts: int


def _streaming_responder(config: BenchConfig) -> Callable[[JSON], Reply]:
    chunks = _WORDS.findall(LONG_ANSWER)
    writing = config.stream_seconds - config.first_token_seconds
    step = writing / (len(chunks) - 1)

    def respond(body: JSON) -> Reply:
        if body.get("stream"):
            return Reply(
                chunks=chunks,
                latency=config.first_token_seconds,
                delays=[0.0] + [step] * (len(chunks) - 1),
            )
        # Not streamed: the whole answer when the last token would have been written.
        return Reply(text=LONG_ANSWER, latency=config.stream_seconds)

    return respond


async def run_stream(kind: BotKind, config: BenchConfig) -> StreamRun:
    async with fakes() as (telegram, model):
        bot = BotProcess(kind, telegram, model, config.directory(f"stream-{kind}"))
        async with bot, RequestLog(telegram, bot) as log:
            model.responder = instant_responder
            await _warm_up(telegram, log)
            model.responder = _streaming_responder(config)
            user_id = FIRST_USER
            requests_before = len(model.requests)
            sent = time.monotonic()
            telegram.user_sends(user_id, "Can you give me a 20 minute home workout?")
            visible = await log.first(
                lambda r: (
                    r.ok
                    and r.chat_id == user_id
                    and r.method in ("sendMessageDraft", "sendMessage", "editMessageText")
                    and r.time >= sent
                ),
                timeout=60,
            )
            final = await log.reply_to(user_id, sent, timeout=60)
            asked = model.requests[requests_before]
            drafts = sum(1 for r in log.since(sent) if r.method == "sendMessageDraft" and r.ok)
    streamed = asked.stream
    first_token = asked.time + (config.first_token_seconds if streamed else config.stream_seconds)
    last_token = asked.time + config.stream_seconds
    return StreamRun(
        kind=kind,
        first_words=visible.time - sent,
        final=final.time - sent,
        first_words_after_token=visible.time - first_token,
        final_after_last_token=final.time - last_token,
        drafts=drafts,
    )


async def streaming(config: BenchConfig) -> Outcome:
    """3. A streamed answer: how soon the first words show, and when the final message lands."""
    relay = await run_stream("relay", config)
    coach = await run_stream("coach", config)
    name = (
        f"3. streaming ({config.stream_seconds:g} s answer, "
        f"first token at {config.first_token_seconds:g} s)"
    )
    outcome = Outcome()
    outcome.figures = [
        Figure(
            name,
            "first words = final message, relay",
            relay.final,
            "s",
            detail="no streaming: the whole answer at once",
        ),
        Figure(
            name,
            "first words after sending, coach",
            coach.first_words,
            "s",
            detail=f"{coach.drafts} drafts while writing",
        ),
        Figure(
            name,
            "first words after the model's first token, coach",
            coach.first_words_after_token,
            "s",
            target=f"<= {FIRST_WORDS_TARGET:g} s",
            met=coach.first_words_after_token <= FIRST_WORDS_TARGET,
        ),
        Figure(
            name,
            "final message after sending, coach",
            coach.final,
            "s",
            detail=f"{coach.final_after_last_token * 1000:.0f} ms after the last token",
        ),
    ]
    return outcome


# ------------------------------------------------------------------------- 3b. a streaming crowd


@dataclass
class CrowdRun:
    first_words: list[float]
    finals: list[float]
    counts: dict[str, int]
    peak_rate: float
    off_script: int
    #: When the model was asked for each answer (from the sending moment).
    asked: list[float]
    cpu_seconds: float
    #: Requests by kind in each second from the sending moment.
    timeline: list[dict[str, int]] = field(default_factory=list)


def _crowd_responder(config: BenchConfig) -> Callable[[JSON], Reply]:
    """The short answer streamed word by word, first token at 0.5 s, last at the stream's end."""
    chunks = _WORDS.findall(ANSWER)
    first = min(config.first_token_seconds, config.crowd_stream_seconds / 2)
    step = (config.crowd_stream_seconds - first) / (len(chunks) - 1)

    def respond(body: JSON) -> Reply:
        if is_summary_request(body) or not body.get("stream"):
            return instant_responder(body)
        return Reply(chunks=chunks, latency=first, delays=[0.0] + [step] * (len(chunks) - 1))

    return respond


async def run_crowd(config: BenchConfig) -> CrowdRun:
    """Every user writes at the same moment and each answer streams for ``crowd_stream_seconds``."""
    async with fakes() as (telegram, model):
        model.responder = instant_responder
        bot = BotProcess("coach", telegram, model, config.directory("crowd-coach"))
        async with bot, RequestLog(telegram, bot) as log:
            await _warm_up(telegram, log)
            model.responder = _crowd_responder(config)
            users = [FIRST_USER + n for n in range(config.crowd_users)]
            requests_before = len(model.requests)
            cpu_before = bot.cpu_seconds()
            started = time.monotonic()
            for user_id in users:
                telegram.user_sends(user_id, _question(user_id, 0))

            async def visible(user_id: int) -> RecordedRequest:
                return await log.first(
                    lambda r: (
                        r.ok
                        and r.chat_id == user_id
                        and r.method in ("sendMessageDraft", "sendMessage", "editMessageText")
                        and r.time >= started
                    ),
                    timeout=120,
                )

            shown = await asyncio.gather(*(visible(user_id) for user_id in users))
            replies = await asyncio.gather(
                *(log.reply_to(user_id, started, timeout=120) for user_id in users)
            )
            await asyncio.sleep(SETTLE_SECONDS)
            cpu = bot.cpu_seconds() - cpu_before
            counts = count_by_kind(log.since(started))
            peak = telegram.peak_rate(1.0, _counted_methods(telegram))
            asked = [r.time - started for r in model.requests[requests_before:] if r.stream]
            timeline: list[dict[str, int]] = []
            for request in log.since(started):
                second = int(request.time - started)
                while len(timeline) <= second:
                    timeline.append({})
                timeline[second][request.method] = timeline[second].get(request.method, 0) + 1
    return CrowdRun(
        first_words=[request.time - started for request in shown],
        finals=[reply.time - started for reply in replies],
        counts=counts,
        peak_rate=peak,
        off_script=_off_script(replies),
        asked=asked,
        cpu_seconds=cpu,
        timeline=timeline,
    )


def _long_answer(config: BenchConfig) -> list[str]:
    """``long_answer_chars`` of prose in ``long_answer_chunks`` equal chunks."""
    size = config.long_answer_chars // config.long_answer_chunks
    text = (LONG_ANSWER + " ") * (config.long_answer_chars // len(LONG_ANSWER) + 1)
    return [text[i * size : (i + 1) * size] for i in range(config.long_answer_chunks)]


async def run_long_answer(config: BenchConfig) -> tuple[float, dict[str, int]]:
    """CPU of the coach per long streamed answer, one user at a time."""
    chunks = _long_answer(config)
    step = config.long_answer_seconds / len(chunks)

    def respond(body: JSON) -> Reply:
        if is_summary_request(body) or not body.get("stream"):
            return instant_responder(body)
        return Reply(chunks=chunks, latency=0.0, chunk_delay=step)

    async with fakes() as (telegram, model):
        model.responder = instant_responder
        bot = BotProcess("coach", telegram, model, config.directory("long-coach"))
        async with bot, RequestLog(telegram, bot) as log:
            await _warm_up(telegram, log)
            model.responder = respond
            cpu_before = bot.cpu_seconds()
            started = time.monotonic()
            for index in range(config.long_answers):
                sent = time.monotonic()
                telegram.user_sends(FIRST_USER, _question(FIRST_USER, index))
                await log.reply_to(FIRST_USER, sent, timeout=60)
            await asyncio.sleep(SETTLE_SECONDS)
            cpu = bot.cpu_seconds() - cpu_before
            counts = count_by_kind(log.since(started))
    return cpu / config.long_answers, counts


async def crowd_streaming(config: BenchConfig) -> Outcome:
    """3b. Many streamed answers at once within Telegram's 30/s, and what a long stream costs."""
    crowd = await run_crowd(config)
    long_cpu, long_counts = await run_long_answer(config)
    users = config.crowd_users
    name = f"3b. streaming crowd ({users} users at once, {config.crowd_stream_seconds:g} s answers)"
    # Every answer's final message needs one request; 30 a second is all Telegram allows.
    allowed = config.crowd_stream_seconds + users / TELEGRAM_RATE
    answers = sum(crowd.counts.values()) / users
    last_final = max(crowd.finals)
    outcome = Outcome()
    outcome.figures = [
        Figure(
            name,
            "model asked, everyone",
            max(crowd.asked, default=0.0),
            "s",
            detail=f"p50 {percentile(crowd.asked, 0.5):.2f} s; bot CPU {crowd.cpu_seconds:.1f} s "
            f"in all, {crowd.cpu_seconds / users * 1000:.0f} ms per answer",
        ),
        Figure(
            name,
            "first words, everyone",
            max(crowd.first_words),
            "s",
            detail=f"p50 {percentile(crowd.first_words, 0.5):.2f} s",
        ),
        Figure(
            name,
            "final message, everyone",
            last_final,
            "s",
            target=f"<= {allowed:.2f} s ({config.crowd_stream_seconds:g} s + {users} at 30/s)",
            met=last_final <= allowed,
            detail=f"p50 {percentile(crowd.finals, 0.5):.2f} s",
        ),
        Figure(
            name,
            "Telegram requests/s peak",
            crowd.peak_rate,
            "/s",
            target=f"<= {TELEGRAM_RATE:.0f}/s",
            met=crowd.peak_rate <= TELEGRAM_RATE,
        ),
        Figure(
            name,
            "Telegram requests per answer",
            answers,
            "requests",
            detail=_breakdown(crowd.counts, users),
        ),
        Figure(
            name,
            f"CPU per long answer ({config.long_answer_chars:,} characters in "
            f"{config.long_answer_chunks} chunks)",
            long_cpu,
            "s",
            detail=_breakdown(long_counts, config.long_answers),
        ),
    ]
    if crowd.off_script:
        outcome.notes.append(f"coach: {crowd.off_script} of {users} answers were not the model's")
    outcome.series["crowd_streaming"] = {
        "first_words_seconds": sorted(round(t, 4) for t in crowd.first_words),
        "finals_seconds": sorted(round(t, 4) for t in crowd.finals),
        "model_asked_seconds": sorted(round(t, 4) for t in crowd.asked),
        "requests_per_second": crowd.timeline,
        "requests": crowd.counts,
        "peak": crowd.peak_rate,
        "long_answer_cpu_seconds": long_cpu,
    }
    return outcome


# ------------------------------------------------------------------------- 4. memory growth


def _turn_text(turn: int, length: int) -> str:
    text = f"Turn {turn}. "
    while len(text) < length:
        text += TURN_FILLER
    return text[:length].rstrip() + "."


def prompt_tokens(messages: Sequence[JSON]) -> int:
    """The prompt's size as FitCoach estimates it (uncalibrated), message framing included."""
    return TOKENS_PER_REPLY + sum(
        TOKENS_PER_MESSAGE + estimate_tokens(text_of(m)) for m in messages
    )


async def memory_growth(config: BenchConfig) -> Outcome:
    """4. Prompt size per turn over a long conversation: it must level off at the budget."""
    user_id = FIRST_USER
    async with fakes() as (telegram, model):
        model.responder = instant_responder
        bot = BotProcess(
            "coach",
            telegram,
            model,
            config.directory("memory-coach"),
            settings={"HISTORY_TOKEN_BUDGET": str(HISTORY_TOKEN_BUDGET)},
        )
        waits: list[float] = []
        cpu: list[float] = []
        async with bot, RequestLog(telegram, bot) as log:
            for turn in range(1, config.turns + 1):
                cpu.append(bot.cpu_seconds())
                sent = time.monotonic()
                telegram.user_sends(user_id, _turn_text(turn, config.turn_chars))
                reply = await log.reply_to(user_id, sent, timeout=60)
                waits.append(reply.time - sent)
            await asyncio.sleep(SETTLE_SECONDS)
            cpu.append(bot.cpu_seconds())
        prompts = [r for r in model.requests if r.stream]
        summaries = [r for r in model.requests if not r.stream]
    if len(prompts) != config.turns:
        raise RuntimeError(f"expected {config.turns} model requests, saw {len(prompts)}")
    tokens = [prompt_tokens(r.messages) for r in prompts]
    chars = [len(json.dumps(r.messages, ensure_ascii=False)) for r in prompts]
    system = [prompt_tokens([m for m in r.messages if m.get("role") == "system"]) for r in prompts]
    history = [total - own for total, own in zip(tokens, system, strict=True)]
    n = config.turns
    plateau = max(tokens[n // 4 : n // 2])
    late = max(tokens[n // 2 :])
    growth = late / plateau
    name = (
        f"4. memory growth ({n} turns of {config.turn_chars} chars, "
        f"budget {HISTORY_TOKEN_BUDGET:,} tokens)"
    )
    every = max(1, n // 10)
    shown = sorted({0, *range(every - 1, n, every), n - 1})
    window = min(20, n)
    # CPU of a turn includes its share of folding: a summary request every few turns.
    cpu_first = (cpu[window] - cpu[0]) / window
    cpu_last = (cpu[-1] - cpu[-1 - window]) / window
    outcome = Outcome()
    outcome.figures = [
        Figure(
            name,
            "prompt size, max",
            max(tokens),
            "tokens",
            detail=f"{max(chars):,} chars; history {max(history):,} tokens + system prompt",
        ),
        Figure(
            name,
            f"prompt growth, turns {n // 2 + 1}-{n} over {n // 4 + 1}-{n // 2}",
            growth,
            "x",
            target=f"<= {PROMPT_GROWTH_TARGET:.2f}x (flat at the budget)",
            met=growth <= PROMPT_GROWTH_TARGET,
            detail=f"{late:,} vs {plateau:,} tokens",
        ),
        Figure(
            name,
            "summary requests",
            len(summaries),
            "count",
            detail=f"one per {n / max(len(summaries), 1):.0f} turns",
        ),
        Figure(
            name,
            f"wait p50, last {window} turns",
            statistics.median(waits[-window:]),
            "s",
            detail=f"first {window} turns: {statistics.median(waits[:window]) * 1000:.0f} ms",
        ),
        Figure(
            name,
            f"CPU per turn, last {window} turns",
            cpu_last,
            "s",
            detail=f"first {window} turns: {cpu_first * 1000:.0f} ms",
        ),
    ]
    outcome.series["memory"] = {
        "turn": [i + 1 for i in range(n)],
        "prompt_tokens": tokens,
        "prompt_chars": chars,
        "history_tokens": history,
        "wait_seconds": [round(w, 4) for w in waits],
        "cpu_seconds_at_turn_start": [round(c, 4) for c in cpu],
        "summary_requests": len(summaries),
    }
    outcome.notes.append(
        "prompt tokens at turn "
        + ", ".join(f"{i + 1}: {tokens[i]:,}" for i in shown)
        + f" (max {max(tokens):,}; chars max {max(chars):,})"
    )
    # Folding makes a sawtooth; the most in each block shows whether the ceiling stays put.
    blocks = range(0, n, every)
    outcome.notes.append(
        "prompt tokens, most in turns "
        + ", ".join(f"{b + 1}-{min(b + every, n)}: {max(tokens[b : b + every]):,}" for b in blocks)
    )
    return outcome


# ------------------------------------------------------------------------- 5. broadcast


async def broadcast(config: BenchConfig) -> Outcome:
    """5. An admin broadcast to every user: sustained and peak sending rate."""
    directory = config.directory("broadcast-coach")
    database_url = sqlite_url(directory / "coach.db")
    recipients = [ADMIN_ID, *(FIRST_USER + n for n in range(config.broadcast_users - 1))]
    await seed_users(database_url, recipients)
    async with fakes() as (telegram, model):
        bot = BotProcess(
            "coach",
            telegram,
            model,
            directory,
            database_url=database_url,
            settings={"ADMIN_IDS": str(ADMIN_ID)},
        )
        async with bot, RequestLog(telegram, bot) as log:
            sent = time.monotonic()
            telegram.user_sends(ADMIN_ID, f"/broadcast {BROADCAST_TEXT}")
            panel = await log.first(
                lambda r: (
                    is_reply(r)
                    and r.chat_id == ADMIN_ID
                    and r.time >= sent
                    and "bc:send:" in str(r.params.get("reply_markup"))
                ),
                timeout=30,
            )
            panel_id = int(panel.result["message_id"])
            [shown] = [m for m in telegram.sent_to(ADMIN_ID) if m["message_id"] == panel_id]
            buttons = [b for row in shown["reply_markup"]["inline_keyboard"] for b in row]
            data = next(
                b["callback_data"] for b in buttons if b["callback_data"].startswith("bc:send")
            )
            pressed = time.monotonic()
            telegram.user_presses(ADMIN_ID, data, panel_id)
            report = await log.first(
                lambda r: (
                    is_reply(r)
                    and r.chat_id == ADMIN_ID
                    and str(r.params.get("text", "")).startswith("Broadcast #")
                ),
                timeout=config.broadcast_users / 10 + 60,
            )
            copies = sorted(
                r.time
                for r in log.since(pressed)
                if is_reply(r) and r.params.get("text") == BROADCAST_TEXT
            )
            peak = telegram.peak_rate(1.0, _counted_methods(telegram))
    span = copies[-1] - copies[0] if len(copies) > 1 else float("nan")
    sustained = len(copies) / span
    name = f"5. broadcast ({len(recipients):,} users)"
    outcome = Outcome()
    outcome.figures = [
        Figure(
            name,
            "sustained rate",
            sustained,
            "/s",
            target=f">= {BROADCAST_SUSTAINED_TARGET:g}/s",
            met=sustained >= BROADCAST_SUSTAINED_TARGET,
            detail=f"{len(copies):,} copies in {span:.1f} s",
        ),
        Figure(
            name,
            "peak rate (any 1 s, all requests)",
            peak,
            "/s",
            target=f"<= {TELEGRAM_RATE:.0f}/s",
            met=peak <= TELEGRAM_RATE,
        ),
    ]
    outcome.notes.append(f"broadcast report: {report.params.get('text')}")
    if len(copies) != len(recipients):
        outcome.notes.append(f"broadcast: {len(copies)} copies for {len(recipients)} users")
    return outcome


# ------------------------------------------------------------------------- 6. start-up and size


async def _start_once(kind: BotKind, config: BenchConfig) -> float:
    async with fakes() as (telegram, model):
        bot = BotProcess(kind, telegram, model, config.directory(f"startup-{kind}"))
        async with bot:
            return bot.startup_seconds


async def _rss_after_one_answer(
    kind: BotKind, config: BenchConfig, directory: Path, database_url: str | None
) -> tuple[float, float]:
    """(start-up seconds, RSS in MB once the bot has answered one message)."""
    async with fakes() as (telegram, model):
        model.responder = instant_responder
        bot = BotProcess(kind, telegram, model, directory, database_url=database_url)
        async with bot, RequestLog(telegram, bot) as log:
            await _warm_up(telegram, log)
            return bot.startup_seconds, bot.rss_bytes() / 2**20


async def startup_and_size(config: BenchConfig) -> Outcome:
    """6. Start-up to the first poll (migrations included) and memory with many users stored."""
    coach_starts = [await _start_once("coach", config) for _ in range(config.startups)]
    relay_starts = [await _start_once("relay", config) for _ in range(config.startups)]
    directory = config.directory("size-coach")
    database_url = sqlite_url(directory / "coach.db")
    await seed_users(database_url, range(FIRST_USER, FIRST_USER + config.db_users))
    seeded_start, coach_rss = await _rss_after_one_answer("coach", config, directory, database_url)
    _, relay_rss = await _rss_after_one_answer(
        "relay", config, config.directory("size-relay"), None
    )
    startup = statistics.median(coach_starts)
    name = "6. start-up and size"
    return Outcome(
        figures=[
            Figure(
                name,
                "start-up to first poll, coach (fresh database, migrations)",
                startup,
                "s",
                target=f"<= {STARTUP_TARGET:g} s",
                met=max(coach_starts) <= STARTUP_TARGET,
                detail=f"median of {len(coach_starts)}, max {max(coach_starts):.2f} s; "
                f"relay {statistics.median(relay_starts):.2f} s",
            ),
            Figure(
                name,
                f"start-up to first poll, coach ({config.db_users:,} users stored)",
                seeded_start,
                "s",
                target=f"<= {STARTUP_TARGET:g} s",
                met=seeded_start <= STARTUP_TARGET,
            ),
            Figure(
                name,
                f"memory (RSS), coach ({config.db_users:,} users, after one answer)",
                coach_rss,
                "MB",
                detail=f"relay {relay_rss:.1f} MB",
            ),
        ],
        series={"startup": {"coach_seconds": coach_starts, "relay_seconds": relay_starts}},
    )


async def erasure(config: BenchConfig) -> Outcome:
    """7. What secure_delete costs when storing turns and at /forget (bench/erasure.py)."""
    turns = ERASURE_TURNS_QUICK if config.quick else ERASURE_TURNS
    figures, series = await measure_secure_delete(config.directory("secure-delete"), turns)
    return Outcome(figures=figures, series=series)


# ------------------------------------------------------------------------- 8. charts

CHART_ROUNDS = 10
CHART_ROUNDS_QUICK = 3
# /progress draws in a worker thread; a chart should still arrive well within a second.
CHART_TARGET = 0.250


async def charts(config: BenchConfig) -> Outcome:
    """8. /progress chart render time (bot/charts/progress.py bench_chart), off the event loop."""
    from bot.charts.progress import bench_chart

    rounds = CHART_ROUNDS_QUICK if config.quick else CHART_ROUNDS
    measured = await asyncio.to_thread(bench_chart, rounds)
    name = f"8. progress charts (median of {rounds} renders, 1000x600 PNG)"
    figures = [
        Figure(
            name,
            f"render, {chart.replace('_', ' ')}",
            measured[f"{chart}_ms"] / 1000,
            "s",
            target=f"<= {CHART_TARGET * 1000:.0f} ms",
            met=measured[f"{chart}_ms"] / 1000 <= CHART_TARGET,
            detail=f"CPU {measured[f'{chart}_cpu_ms']:.0f} ms",
        )
        for chart in ("body_weight", "exercise", "weekly")
    ]
    figures.append(
        Figure(name, "first render of all three (imports, fonts)", measured["first_ms"] / 1000, "s")
    )
    return Outcome(figures=figures, series={"charts": measured})


Scenario = Callable[[BenchConfig], Awaitable[Outcome]]

#: Every scenario by its command-line name, in the order they run.
SCENARIOS: dict[str, Scenario] = {
    "cost": cost_per_message,
    "concurrency": concurrency,
    "streaming": streaming,
    "crowd": crowd_streaming,
    "memory": memory_growth,
    "broadcast": broadcast,
    "startup": startup_and_size,
    "erasure": erasure,
    "charts": charts,
}
