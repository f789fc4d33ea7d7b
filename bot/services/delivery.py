"""Exercise demos on their way to a chat: which to send, in which order, from where, and what
to send instead.

The service never talks to Telegram: the handler layer passes a ``DemoPort`` that renders
captions and the card, sends one demo or one album, and says what Telegram answered. A demo
goes by file_id when one is known; a packaged file is uploaded once and its file_id kept, so
later sends (and restarts) go by file_id. A demo that cannot be sent never costs the answer:
``/exercise`` shows the card's text instead, and an answer of the coach stays as it is.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Final, Protocol

from bot.catalog.loader import read_media_file
from bot.domain.exercises import Exercise, MediaKind
from bot.errors import NotFoundError
from bot.llm.prompts import MAX_DEMOS_PER_ANSWER
from bot.services.catalog import Demo

logger = logging.getLogger(__name__)

__all__ = [
    "ALBUM_MAX",
    "ALBUM_MIN",
    "ByFileId",
    "ByUpload",
    "ByUrl",
    "Caption",
    "CardShown",
    "DemoDelivery",
    "DemoPort",
    "DemoStore",
    "OutgoingMedia",
    "Refused",
    "SendResult",
    "Sent",
    "Unavailable",
]

# sendMediaGroup takes 2-10 photos or videos (no animations).
ALBUM_MIN: Final = 2
ALBUM_MAX: Final = 10


# --- what goes through the port -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ByFileId:
    """A file Telegram already has: instant, no size limit, valid for this bot only."""

    file_id: str


@dataclass(frozen=True, slots=True)
class ByUrl:
    """A file Telegram fetches itself (photos up to 5 MB, others up to 20 MB)."""

    url: str


@dataclass(frozen=True, slots=True)
class ByUpload:
    """Bytes sent with the request (multipart), under ``filename``."""

    data: bytes
    filename: str

    def __repr__(self) -> str:  # never print the bytes
        return f"ByUpload({self.filename!r}, {len(self.data)} bytes)"


@dataclass(frozen=True, slots=True)
class OutgoingMedia:
    """One demo to send: how Telegram shows it, and where the file comes from."""

    kind: MediaKind
    source: ByFileId | ByUrl | ByUpload


@dataclass(frozen=True, slots=True)
class Sent:
    """Telegram showed it; the file_id of each item sent (None where the answer had none)."""

    file_ids: tuple[str | None, ...]

    @property
    def file_id(self) -> str | None:
        return self.file_ids[0] if self.file_ids else None


@dataclass(frozen=True, slots=True)
class Refused:
    """Telegram rejected the file itself: the URL, the upload or the file_id."""

    reason: str


@dataclass(frozen=True, slots=True)
class Unavailable:
    """Not sent, and nothing is wrong with the item: network, timeout, 5xx, 429 beyond retries,
    or a problem with the chat or the caption."""

    reason: str


SendResult = Sent | Refused | Unavailable


@dataclass(frozen=True, slots=True)
class Caption:
    """A demo's caption in HTML, and whether it holds the whole card."""

    html: str
    holds_card: bool


class DemoPort(Protocol):
    """What demo delivery needs from the messaging layer. Implementations never raise."""

    def caption(self, exercise: Exercise, demos: Sequence[Demo], *, card: bool) -> Caption:
        """The caption for these demos: the card when asked for and it fits, else the name;
        with the credits their licences ask for."""
        ...

    async def send_media(self, chat_id: int, media: OutgoingMedia, caption: str) -> SendResult:
        """Send one animation, video or photo with its caption."""
        ...

    async def send_album(
        self, chat_id: int, media: Sequence[OutgoingMedia], caption: str
    ) -> SendResult:
        """Send 2-10 photos or videos as one album, the caption under the first."""
        ...

    async def send_card(self, chat_id: int, exercise: Exercise) -> bool:
        """Send the exercise's card as text; False when it could not be sent."""
        ...


class DemoStore(Protocol):
    """Where demos and their send state live (``CatalogService``)."""

    async def demos_for(self, exercise: Exercise) -> list[Demo]: ...

    async def remember_file_id(self, demo: Demo, file_id: str) -> None: ...

    async def forget_file_id(self, demo: Demo) -> None: ...

    async def mark_failing(self, demo: Demo, reason: str) -> None: ...


class CardShown(enum.Enum):
    """How an exercise's card reached the chat."""

    IN_CAPTION = "in caption"  # a demo with the whole card as its caption
    AFTER_DEMO = "after demo"  # a demo captioned with the name, then the card as text
    TEXT_ONLY = "text only"  # no demo could be sent: the card as text
    NOTHING = "nothing"  # not even the text went out


class _Status(enum.Enum):
    SENT = "sent"
    NONE = "none"  # no demo left to try: none stored, or all refused
    UNAVAILABLE = "unavailable"  # Telegram or the network failed: stop trying for now


@dataclass(frozen=True, slots=True)
class _Delivery:
    status: _Status
    holds_card: bool = False


# --- the policy ---------------------------------------------------------------------------------


class DemoDelivery:
    """Sends exercise demos through a ``DemoPort``; every public method is safe to call
    after an answer was sent: failures are logged, never raised."""

    def __init__(
        self,
        store: DemoStore,
        *,
        read_file: Callable[[str], bytes] = read_media_file,
        max_per_answer: int = MAX_DEMOS_PER_ANSWER,
    ) -> None:
        self._store = store
        self._read_file = read_file
        self._max_per_answer = max_per_answer
        # One upload per packaged file at a time: a second send waits, then goes by file_id.
        self._upload_locks: dict[int, asyncio.Lock] = {}
        self._uploaded: dict[int, str] = {}

    async def send_card(self, port: DemoPort, chat_id: int, exercise: Exercise) -> CardShown:
        """The exercise's card with its demo: as the demo's caption when it fits, else after
        it; the card's text alone when no demo can be sent."""
        try:
            delivery = await self._deliver(port, chat_id, exercise, card=True)
        except Exception:
            logger.exception("Demo of %s not sent to %s", exercise.slug, chat_id)
            delivery = _Delivery(_Status.UNAVAILABLE)
        if delivery.status is _Status.SENT and delivery.holds_card:
            return CardShown.IN_CAPTION
        if not await port.send_card(chat_id, exercise):
            return CardShown.NOTHING
        return CardShown.AFTER_DEMO if delivery.status is _Status.SENT else CardShown.TEXT_ONLY

    async def send_for_answer(
        self, port: DemoPort, chat_id: int, exercises: Sequence[Exercise]
    ) -> int:
        """Each exercise's first demo that can be sent, credited; returns how many went.

        The answer is complete without them: an exercise without a demo that can be sent
        gets nothing, and once Telegram or the network fails the rest are not tried.
        """
        return await self.send_each(
            port, chat_id, list(exercises)[: self._max_per_answer], pause=0.0
        )

    async def send_each(
        self,
        port: DemoPort,
        chat_id: int,
        exercises: Sequence[Exercise],
        *,
        pause: float,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> int:
        """Every exercise's first demo that can be sent, one message each, ``pause`` apart.

        Animations cannot form an album, and Telegram takes about one message a second in a
        chat; exercises without a demo are passed over. Once Telegram or the network fails
        the rest are not tried. Returns how many went.
        """
        sent = 0
        for exercise in exercises:
            if sent and pause > 0:
                await sleep(pause)
            try:
                delivery = await self._deliver(port, chat_id, exercise, card=False)
            except Exception:
                logger.exception("Demo of %s not sent to %s", exercise.slug, chat_id)
                return sent
            if delivery.status is _Status.SENT:
                sent += 1
            elif delivery.status is _Status.UNAVAILABLE:
                break
        return sent

    # --- one exercise -----------------------------------------------------------------------

    async def _deliver(
        self, port: DemoPort, chat_id: int, exercise: Exercise, *, card: bool
    ) -> _Delivery:
        """Try the exercise's demos in order until one is sent; refused ones are marked."""
        demos = await self._store.demos_for(exercise)
        album_tried = False
        while demos:
            first = demos[0]
            album = (
                [d for d in demos if d.kind == "photo"][:ALBUM_MAX] if first.kind == "photo" else []
            )
            if len(album) >= ALBUM_MIN and not album_tried:
                album_tried = True
                caption = port.caption(exercise, album, card=card)
                status = await self._send_album(port, chat_id, album, caption.html)
                if status is not _Status.NONE:
                    return _Delivery(status, caption.holds_card and status is _Status.SENT)
                # Telegram does not say which photo spoiled the album: try them one at a time,
                # so the bad ones are marked and the next album leaves them out.
            caption = port.caption(exercise, [first], card=card)
            status = await self._send_one(port, chat_id, first, caption.html)
            if status is not _Status.NONE:
                return _Delivery(status, caption.holds_card and status is _Status.SENT)
            demos = demos[1:]
        return _Delivery(_Status.NONE)

    async def _send_one(self, port: DemoPort, chat_id: int, demo: Demo, caption: str) -> _Status:
        if demo.cached_file_id is None and demo.file_id is None and demo.file is not None:
            async with self._upload_locks.setdefault(demo.id, asyncio.Lock()):
                uploaded = self._uploaded.get(demo.id)
                if uploaded is None:
                    return await self._send_once(port, chat_id, demo, caption)
            # Another send uploaded it while this one waited: go by its file_id.
            demo = replace(demo, cached_file_id=uploaded)
        return await self._send_once(port, chat_id, demo, caption)

    async def _send_once(self, port: DemoPort, chat_id: int, demo: Demo, caption: str) -> _Status:
        media = await self._media(demo)
        if media is None:
            return _Status.NONE
        result = await port.send_media(chat_id, media, caption)
        if isinstance(result, Sent):
            await self._remember(demo, media, result.file_id)
            return _Status.SENT
        if isinstance(result, Unavailable):
            logger.warning("Demo %d not sent to %s: %s", demo.id, chat_id, result.reason)
            return _Status.UNAVAILABLE
        if isinstance(media.source, ByFileId) and demo.cached_file_id is not None:
            # file_ids belong to one bot: after a token change the URL or the file still works.
            logger.info("Cached file_id of demo %d refused: sending it anew", demo.id)
            await self._forget(demo)
            return await self._send_one(port, chat_id, demo.without_cache(), caption)
        await self._mark_failing(demo, result.reason)
        return _Status.NONE

    async def _send_album(
        self,
        port: DemoPort,
        chat_id: int,
        photos: Sequence[Demo],
        caption: str,
        *,
        retried: bool = False,
    ) -> _Status:
        media = [await self._media(photo) for photo in photos]
        ready = [item for item in media if item is not None]
        if len(ready) != len(media):
            return _Status.NONE  # one at a time, skipping the missing file
        result = await port.send_album(chat_id, ready, caption)
        if isinstance(result, Sent):
            for photo, item, file_id in zip(photos, ready, result.file_ids, strict=False):
                await self._remember(photo, item, file_id)
            return _Status.SENT
        if isinstance(result, Unavailable):
            logger.warning("Album not sent to %s: %s", chat_id, result.reason)
            return _Status.UNAVAILABLE
        cached = [photo for photo in photos if _resendable(photo)]
        if cached and not retried:
            for photo in cached:
                await self._forget(photo)
            fresh = [photo.without_cache() for photo in photos]
            return await self._send_album(port, chat_id, fresh, caption, retried=True)
        logger.info("Album of %d photos refused (%s)", len(photos), result.reason)
        return _Status.NONE

    # --- where a demo comes from, and what Telegram said about it ---------------------------

    async def _media(self, demo: Demo) -> OutgoingMedia | None:
        """By file_id when there is one, else the packaged file's bytes, else the URL."""
        if demo.cached_file_id is not None:
            return OutgoingMedia(demo.kind, ByFileId(demo.cached_file_id))
        if demo.file_id is not None:
            return OutgoingMedia(demo.kind, ByFileId(demo.file_id))
        if demo.file is not None:
            try:
                data = await asyncio.to_thread(self._read_file, demo.file)
            except NotFoundError as error:
                # Not Telegram's fault, and a later release may ship it: skip, do not mark.
                logger.warning("Demo %d skipped: %s", demo.id, error)
                return None
            return OutgoingMedia(demo.kind, ByUpload(data, PurePosixPath(demo.file).name))
        if demo.url is not None:
            return OutgoingMedia(demo.kind, ByUrl(demo.url))
        return None

    async def _remember(self, demo: Demo, media: OutgoingMedia, file_id: str | None) -> None:
        if file_id is None or isinstance(media.source, ByFileId):
            return
        if isinstance(media.source, ByUpload):
            self._uploaded[demo.id] = file_id
        try:
            await self._store.remember_file_id(demo, file_id)
        except Exception:
            logger.warning("Could not keep the file_id of demo %d", demo.id, exc_info=True)

    async def _forget(self, demo: Demo) -> None:
        self._uploaded.pop(demo.id, None)
        try:
            await self._store.forget_file_id(demo)
        except Exception:
            logger.warning("Could not drop the file_id of demo %d", demo.id, exc_info=True)

    async def _mark_failing(self, demo: Demo, reason: str) -> None:
        try:
            await self._store.mark_failing(demo, reason)
        except Exception:
            logger.warning("Could not mark demo %d failing", demo.id, exc_info=True)


def _resendable(demo: Demo) -> bool:
    """A cached file_id with a URL or a file behind it, to send from there again."""
    return demo.cached_file_id is not None and (demo.url is not None or demo.file is not None)
