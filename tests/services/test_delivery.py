"""DemoDelivery: order, file_id first, packaged files uploaded once, refused and unavailable
sends, albums, and what goes out instead, against an in-memory store and a fake port."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import pytest

from bot.catalog.loader import load_catalog
from bot.domain.exercises import Exercise, MediaKind
from bot.errors import NotFoundError
from bot.services.catalog import Demo
from bot.services.delivery import (
    ByFileId,
    ByUpload,
    ByUrl,
    Caption,
    CardShown,
    DemoDelivery,
    OutgoingMedia,
    Refused,
    SendResult,
    Sent,
    Unavailable,
)

WRONG_FILE = "Bad Request: wrong file identifier/HTTP URL specified"
GIF = b"GIF89a-demo"
SQUAT = load_catalog().require("barbell-back-squat")
PUSH_UP = load_catalog().require("push-up")
PLANK = load_catalog().require("plank")
LUNGE = load_catalog().require("goblet-squat")


def demo(
    demo_id: int,
    *,
    kind: MediaKind = "animation",
    url: str | None = None,
    file: str | None = None,
    file_id: str | None = None,
    cached: str | None = None,
    slug: str = SQUAT.slug,
) -> Demo:
    return Demo(
        id=demo_id,
        exercise_slug=slug,
        kind=kind,
        url=url,
        file_id=file_id,
        cached_file_id=cached,
        license="CC0 1.0",
        author="A",
        file=file,
    )


class Store:
    """The demos of each exercise and their send state, in memory."""

    def __init__(self, *demos: Demo) -> None:
        self.demos = list(demos)
        self.marked: dict[int, str] = {}
        self.remembered: list[tuple[int, str]] = []
        self.forgotten: list[int] = []
        self.broken = False

    async def demos_for(self, exercise: Exercise) -> list[Demo]:
        if self.broken:
            raise RuntimeError("database is gone")
        return [
            d for d in self.demos if d.exercise_slug == exercise.slug and d.id not in self.marked
        ]

    def _update(self, demo_id: int, cached: str | None) -> None:
        self.demos = [
            replace(d, cached_file_id=cached) if d.id == demo_id else d for d in self.demos
        ]

    async def remember_file_id(self, demo: Demo, file_id: str) -> None:
        self.remembered.append((demo.id, file_id))
        self._update(demo.id, file_id)

    async def forget_file_id(self, demo: Demo) -> None:
        self.forgotten.append(demo.id)
        self._update(demo.id, None)

    async def mark_failing(self, demo: Demo, reason: str) -> None:
        self.marked[demo.id] = reason


Answer = Callable[[OutgoingMedia], SendResult]


def telegram(refused: set[str] | frozenset[str] = frozenset(), *, down: bool = False) -> Answer:
    """Sends like Telegram: a new file_id for URLs and uploads, refusals by URL or file_id."""
    counter = iter(range(1, 1000))

    def answer(media: OutgoingMedia) -> SendResult:
        if down:
            return Unavailable("NetworkError: Internal Server Error")
        source = media.source
        if isinstance(source, ByFileId):
            if source.file_id in refused:
                return Refused(WRONG_FILE)
            return Sent((source.file_id,))
        if isinstance(source, ByUrl) and source.url in refused:
            return Refused(WRONG_FILE)
        if isinstance(source, ByUpload) and source.filename in refused:
            return Refused("Bad Request: IMAGE_PROCESS_FAILED")
        return Sent((f"new-{next(counter)}",))

    return answer


@dataclass
class Port:
    """Records what was sent; answers with ``answer`` (and ``album``), renders captions."""

    answer: Answer = field(default_factory=telegram)
    album: Callable[[Sequence[OutgoingMedia]], SendResult] | None = None
    card_fits: bool = True
    card_sends: bool = True
    pause: float = 0.0
    sent: list[tuple[int, OutgoingMedia, str]] = field(default_factory=list)
    albums: list[list[OutgoingMedia]] = field(default_factory=list)
    cards: list[str] = field(default_factory=list)

    def caption(self, exercise: Exercise, demos: Sequence[Demo], *, card: bool) -> Caption:
        holds = card and self.card_fits
        return Caption(f"{'card' if holds else 'name'} of {exercise.slug}", holds)

    async def send_media(self, chat_id: int, media: OutgoingMedia, caption: str) -> SendResult:
        await asyncio.sleep(self.pause)
        self.sent.append((chat_id, media, caption))
        return self.answer(media)

    async def send_album(
        self, chat_id: int, media: Sequence[OutgoingMedia], caption: str
    ) -> SendResult:
        self.albums.append(list(media))
        if self.album is not None:
            return self.album(media)
        results = [self.answer(item) for item in media]
        for result in results:
            if not isinstance(result, Sent):
                return result
        return Sent(tuple(r.file_id for r in results if isinstance(r, Sent)))

    async def send_card(self, chat_id: int, exercise: Exercise) -> bool:
        self.cards.append(exercise.slug)
        return self.card_sends

    @property
    def sources(self) -> list[ByFileId | ByUrl | ByUpload]:
        return [media.source for _, media, _ in self.sent]


def files(**contents: bytes) -> Callable[[str], bytes]:
    """A packaged-file reader over ``{"name.gif": bytes}`` under ``demos/``."""

    def read(path: str) -> bytes:
        name = path.removeprefix("demos/")
        if name not in contents:
            raise NotFoundError(f"no {path}")
        return contents[name]

    return read


# --- /exercise ----------------------------------------------------------------------------------


async def test_a_url_demo_carries_the_card_and_its_file_id_is_kept() -> None:
    store = Store(demo(1, url="https://x/squat.gif"))
    port = Port()
    shown = await DemoDelivery(store).send_card(port, 7, SQUAT)
    assert shown is CardShown.IN_CAPTION
    assert port.sent == [
        (7, OutgoingMedia("animation", ByUrl("https://x/squat.gif")), "card of barbell-back-squat")
    ]
    assert store.remembered == [(1, "new-1")]
    assert port.cards == []

    await DemoDelivery(store).send_card(port, 7, SQUAT)
    assert port.sources[1] == ByFileId("new-1")
    assert store.remembered == [(1, "new-1")]  # a send by file_id has nothing new to keep


async def test_a_card_too_long_for_a_caption_follows_the_demo() -> None:
    port = Port(card_fits=False)
    shown = await DemoDelivery(Store(demo(1, url="https://x/a.gif"))).send_card(port, 7, SQUAT)
    assert shown is CardShown.AFTER_DEMO
    assert port.sent[0][2] == "name of barbell-back-squat"
    assert port.cards == [SQUAT.slug]


async def test_without_demos_the_card_is_sent_as_text() -> None:
    port = Port()
    assert await DemoDelivery(Store()).send_card(port, 7, SQUAT) is CardShown.TEXT_ONLY
    assert (port.sent, port.cards) == ([], [SQUAT.slug])


async def test_nothing_when_even_the_card_text_fails() -> None:
    port = Port(card_sends=False, answer=telegram(down=True))
    shown = await DemoDelivery(Store(demo(1, url="https://x/a.gif"))).send_card(port, 7, SQUAT)
    assert shown is CardShown.NOTHING


async def test_a_packaged_file_is_uploaded_once_then_sent_by_file_id() -> None:
    store = Store(demo(1, file="demos/squat.gif"))
    delivery = DemoDelivery(store, read_file=files(**{"squat.gif": GIF}))
    port = Port()
    assert await delivery.send_card(port, 7, SQUAT) is CardShown.IN_CAPTION
    assert port.sources == [ByUpload(GIF, "squat.gif")]
    assert store.remembered == [(1, "new-1")]

    # A restarted bot (a new service) reads the file_id back from the store.
    await DemoDelivery(store, read_file=files()).send_card(port, 8, SQUAT)
    assert port.sources[1] == ByFileId("new-1")


async def test_concurrent_first_sends_upload_the_file_once() -> None:
    store = Store(demo(1, file="demos/squat.gif"))
    delivery = DemoDelivery(store, read_file=files(**{"squat.gif": GIF}))
    port = Port(pause=0.05)
    await asyncio.gather(*(delivery.send_card(port, chat, SQUAT) for chat in (1, 2, 3)))
    uploads = [s for s in port.sources if isinstance(s, ByUpload)]
    assert len(uploads) == 1
    assert port.sources.count(ByFileId("new-1")) == 2


async def test_a_refused_file_id_is_forgotten_and_the_file_uploaded_again_once() -> None:
    store = Store(demo(1, file="demos/squat.gif", cached="stale"))
    delivery = DemoDelivery(store, read_file=files(**{"squat.gif": GIF}))
    port = Port(answer=telegram({"stale"}))
    assert await delivery.send_card(port, 7, SQUAT) is CardShown.IN_CAPTION
    assert port.sources == [ByFileId("stale"), ByUpload(GIF, "squat.gif")]
    assert (store.forgotten, store.remembered, store.marked) == ([1], [(1, "new-1")], {})


async def test_a_refused_file_id_of_a_url_goes_back_to_the_url() -> None:
    store = Store(demo(1, url="https://x/a.gif", cached="stale"))
    port = Port(answer=telegram({"stale"}))
    assert await DemoDelivery(store).send_card(port, 7, SQUAT) is CardShown.IN_CAPTION
    assert port.sources == [ByFileId("stale"), ByUrl("https://x/a.gif")]


async def test_a_refused_file_id_whose_url_is_refused_too_is_marked_after_one_retry() -> None:
    store = Store(demo(1, url="https://x/a.gif", cached="stale"))
    port = Port(answer=telegram({"stale", "https://x/a.gif"}))
    assert await DemoDelivery(store).send_card(port, 7, SQUAT) is CardShown.TEXT_ONLY
    assert len(port.sent) == 2
    assert store.marked == {1: WRONG_FILE}


async def test_a_refused_url_is_marked_and_the_next_demo_is_tried() -> None:
    store = Store(demo(1, url="https://x/bad.gif"), demo(2, url="https://x/good.gif"))
    port = Port(answer=telegram({"https://x/bad.gif"}))
    assert await DemoDelivery(store).send_card(port, 7, SQUAT) is CardShown.IN_CAPTION
    assert port.sources == [ByUrl("https://x/bad.gif"), ByUrl("https://x/good.gif")]
    assert store.marked == {1: WRONG_FILE}


async def test_a_refused_upload_is_marked_and_the_card_text_is_sent() -> None:
    store = Store(demo(1, file="demos/broken.gif"))
    delivery = DemoDelivery(store, read_file=files(**{"broken.gif": b"not a gif"}))
    port = Port(answer=telegram({"broken.gif"}))
    assert await delivery.send_card(port, 7, SQUAT) is CardShown.TEXT_ONLY
    assert store.marked == {1: "Bad Request: IMAGE_PROCESS_FAILED"}


async def test_a_refused_admin_file_id_is_marked() -> None:
    store = Store(demo(1, file_id="ADMIN"), demo(2, url="https://x/a.gif"))
    port = Port(answer=telegram({"ADMIN"}))
    assert await DemoDelivery(store).send_card(port, 7, SQUAT) is CardShown.IN_CAPTION
    assert store.marked == {1: WRONG_FILE}
    assert store.forgotten == []


async def test_a_file_the_package_lacks_is_skipped_without_marking_it() -> None:
    store = Store(demo(1, file="demos/missing.gif"), demo(2, url="https://x/a.gif"))
    port = Port()
    delivery = DemoDelivery(store, read_file=files())
    assert await delivery.send_card(port, 7, SQUAT) is CardShown.IN_CAPTION
    assert port.sources == [ByUrl("https://x/a.gif")]
    assert store.marked == {}


async def test_when_telegram_is_unavailable_the_card_text_goes_and_nothing_is_marked() -> None:
    store = Store(demo(1, url="https://x/a.gif"), demo(2, url="https://x/b.gif"))
    port = Port(answer=telegram(down=True))
    assert await DemoDelivery(store).send_card(port, 7, SQUAT) is CardShown.TEXT_ONLY
    assert len(port.sent) == 1  # no second demo while Telegram is failing
    assert (store.marked, store.forgotten, store.remembered) == ({}, [], [])
    assert port.cards == [SQUAT.slug]


async def test_a_store_that_fails_costs_the_demo_not_the_card() -> None:
    store = Store(demo(1, url="https://x/a.gif"))
    store.broken = True
    port = Port()
    assert await DemoDelivery(store).send_card(port, 7, SQUAT) is CardShown.TEXT_ONLY


async def test_a_file_id_that_cannot_be_kept_still_counts_as_sent() -> None:
    store = Store(demo(1, url="https://x/a.gif"))

    async def broken(demo: Demo, file_id: str) -> None:
        raise RuntimeError("database is gone")

    store.remember_file_id = broken  # type: ignore[method-assign]
    port = Port()
    assert await DemoDelivery(store).send_card(port, 7, SQUAT) is CardShown.IN_CAPTION
    assert port.cards == []


# --- albums -------------------------------------------------------------------------------------


def photos(*urls: str, cached: dict[str, str] | None = None) -> list[Demo]:
    cached = cached or {}
    return [
        demo(index, kind="photo", url=url, cached=cached.get(url), slug=PUSH_UP.slug)
        for index, url in enumerate(urls, start=1)
    ]


async def test_two_photos_go_as_one_album_and_both_file_ids_are_kept() -> None:
    store = Store(*photos("https://x/1.png", "https://x/2.png"))
    port = Port()
    assert await DemoDelivery(store).send_card(port, 7, PUSH_UP) is CardShown.IN_CAPTION
    assert [[m.source for m in album] for album in port.albums] == [
        [ByUrl("https://x/1.png"), ByUrl("https://x/2.png")]
    ]
    assert store.remembered == [(1, "new-1"), (2, "new-2")]
    assert port.sent == []


async def test_a_refused_album_with_cached_ids_is_resent_from_the_urls_once() -> None:
    store = Store(*photos("https://x/1.png", "https://x/2.png", cached={"https://x/1.png": "old"}))
    port = Port(answer=telegram({"old"}))
    assert await DemoDelivery(store).send_card(port, 7, PUSH_UP) is CardShown.IN_CAPTION
    assert [m.source for m in port.albums[1]] == [
        ByUrl("https://x/1.png"),
        ByUrl("https://x/2.png"),
    ]
    assert store.forgotten == [1]


async def test_a_refused_album_falls_back_to_one_photo_at_a_time() -> None:
    store = Store(*photos("https://x/bad.png", "https://x/good.png"))
    port = Port(answer=telegram({"https://x/bad.png"}))
    assert await DemoDelivery(store).send_card(port, 7, PUSH_UP) is CardShown.IN_CAPTION
    assert len(port.albums) == 1
    assert port.sources == [ByUrl("https://x/bad.png"), ByUrl("https://x/good.png")]
    assert store.marked == {1: WRONG_FILE}


async def test_an_unavailable_album_sends_the_card_text() -> None:
    store = Store(*photos("https://x/1.png", "https://x/2.png"))
    port = Port(album=lambda media: Unavailable("TimedOut: Timed out"))
    assert await DemoDelivery(store).send_card(port, 7, PUSH_UP) is CardShown.TEXT_ONLY
    assert port.sent == []


# --- under the coach's answer -------------------------------------------------------------------


async def test_an_answer_gets_at_most_three_demos() -> None:
    exercises = [SQUAT, PUSH_UP, PLANK, LUNGE]
    store = Store(
        *(demo(i, url=f"https://x/{e.slug}.gif", slug=e.slug) for i, e in enumerate(exercises))
    )
    port = Port()
    assert await DemoDelivery(store).send_for_answer(port, 7, exercises) == 3
    assert [caption for _, _, caption in port.sent] == [f"name of {e.slug}" for e in exercises[:3]]


async def test_an_answer_gets_nothing_instead_of_a_refused_demo() -> None:
    store = Store(
        demo(1, url="https://x/bad.gif"),
        demo(2, url="https://x/push.gif", slug=PUSH_UP.slug),
    )
    port = Port(answer=telegram({"https://x/bad.gif"}))
    assert await DemoDelivery(store).send_for_answer(port, 7, [SQUAT, PUSH_UP]) == 1
    assert port.cards == []
    assert store.marked == {1: WRONG_FILE}


async def test_an_answer_stops_its_demos_when_telegram_is_unavailable() -> None:
    store = Store(
        demo(1, url="https://x/squat.gif"),
        demo(2, url="https://x/push.gif", slug=PUSH_UP.slug),
    )
    port = Port(answer=telegram(down=True))
    assert await DemoDelivery(store).send_for_answer(port, 7, [SQUAT, PUSH_UP]) == 0
    assert len(port.sent) == 1
    assert port.cards == []


@pytest.mark.parametrize("broken", [True, False])
async def test_an_answer_never_raises_for_its_demos(broken: bool) -> None:
    store = Store(demo(1, url="https://x/squat.gif"))
    store.broken = broken
    port = Port()
    sent = await DemoDelivery(store).send_for_answer(port, 7, [SQUAT])
    assert sent == (0 if broken else 1)
