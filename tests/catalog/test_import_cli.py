"""`python -m bot catalog ...`: wger (served from a loopback server) and free-exercise-db
imports merge into the database without duplicates; failures are one clear line."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.__main__ import main
from bot.catalog.importers import ImportedExercise, parse_wger_exerciseinfo
from bot.catalog.loader import load_catalog
from bot.domain.exercises import Catalog, CatalogMedia
from bot.services.catalog import CatalogService, seed_catalog
from bot.services.catalog_import import merge_imports
from bot.storage import Database
from bot.storage import exercises as rows

FIXTURES = Path(__file__).parent / "fixtures"
WGER_PAGE: dict[str, Any] = json.loads((FIXTURES / "wger_exerciseinfo.json").read_text("utf-8"))
FREE_DB = FIXTURES / "free_exercise_db.json"
SQUAT_GIF = "https://wger.de/media/exercise-images/849/30b2631d-d7ec-415c-800b-7eb082314c0a.gif"


class WgerServer:
    """wger's exerciseinfo endpoint on loopback, paging the fixture's results.

    Its ``next`` links name wger.de, as the real API's do, so following them works only
    when the importer keeps to the base URL it was given.
    """

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.status = 200
        self.body: bytes | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.paths.append(self.path)
                status, body = server.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def answer(self, path: str) -> tuple[int, bytes]:
        if self.body is not None or self.status != 200:
            return self.status, self.body or b'{"detail": "unavailable"}'
        url = urlsplit(path)
        if url.path != "/api/v2/exerciseinfo/":
            return 404, b'{"detail": "Not found."}'
        query = parse_qs(url.query)
        limit, offset = int(query["limit"][0]), int(query["offset"][0])
        results = WGER_PAGE["results"]
        following = offset + limit
        page = {
            "count": len(results),
            "next": (
                f"https://wger.de/api/v2/exerciseinfo/?limit={limit}&offset={following}"
                if following < len(results)
                else None
            ),
            "previous": None,
            "results": results[offset:following],
        }
        return 200, json.dumps(page).encode()

    def __enter__(self) -> WgerServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.shutdown()
        self._http.server_close()


@pytest.fixture
def wger() -> Iterator[WgerServer]:
    with WgerServer() as server:
        yield server


@pytest.fixture
def database_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """DATABASE_URL for the command (and no bot token); root logging restored afterwards."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield url
    root.handlers[:] = handlers
    root.setLevel(level)


def _stored(url: str) -> tuple[CatalogService, list[CatalogMedia]]:
    async def read() -> tuple[CatalogService, list[CatalogMedia]]:
        database = Database(url)
        try:
            service = await CatalogService.open(database)
            async with database.transaction() as session:
                media = await rows.all_media(session)
            return service, media
        finally:
            await database.dispose()

    return asyncio.run(read())


def test_wger_import_follows_next_and_merges_names_once(
    wger: WgerServer, database_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["catalog", "import-wger", "--base-url", wger.base_url, "--page-size", "2"]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert wger.paths == [
        "/api/v2/exerciseinfo/?limit=2&offset=0",
        "/api/v2/exerciseinfo/?limit=2&offset=2",
    ]
    assert "wger: 3 exercises read" in first
    assert "3 media skipped" in first
    service, media = _stored(database_env)
    low_bar = service.lookup("low bar squat").exercise
    assert low_bar is not None
    assert low_bar.slug == "barbell-back-squat"
    # No cues of our own to give it, and too like our kettlebell swing: listed, not added.
    assert "not added" in first
    assert "2 Handed Kettlebell Swing" in first
    assert len(service.catalog) == len(load_catalog())

    assert main(argv) == 0
    second = capsys.readouterr().out
    assert "0 enriched, 2 unchanged; 0 new demos" in second
    _, media_again = _stored(database_env)
    assert len(media_again) == len(media)
    assert [m.url for m in media_again].count(SQUAT_GIF) == 1


async def test_wger_demos_are_added_to_the_database_once(database: Database) -> None:
    packaged = load_catalog()
    without_gif = packaged.require("barbell-back-squat").model_copy(update={"media": []})
    curated = Catalog([without_gif if e.slug == without_gif.slug else e for e in packaged])
    await seed_catalog(database, curated)
    imported = parse_wger_exerciseinfo(WGER_PAGE)
    report = await merge_imports(database, "wger", imported)
    again = await merge_imports(database, "wger", imported)
    assert (report.media_added, again.media_added) == (1, 0)
    assert report.media_skipped == 3
    service = await CatalogService.open(database)
    [demo] = await service.demos_for(service.catalog.require("barbell-back-squat"))
    assert (demo.url, demo.origin, demo.author, demo.license) == (
        SQUAT_GIF,
        "wger",
        "enros7500",
        "CC-BY-SA 4.0",
    )
    # The curated file does not list it, yet seeding again leaves the imported demo alone.
    await seed_catalog(database, curated)
    assert [d.url for d in await service.demos_for(without_gif)] == [SQUAT_GIF]


def test_free_exercise_db_import_adds_text_only_exercises_once(
    database_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["catalog", "import-free-exercise-db", str(FREE_DB)]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert "free-exercise-db: 5 exercises read; 1 added" in first
    assert "Arnold Dumbbell Press" in first  # too like the Arnold press we have: left out
    service, media = _stored(database_env)
    added = service.lookup("band pull apart").exercise
    assert added is not None
    assert "back" in added.primary_muscles or "shoulders" in added.primary_muscles
    assert len(added.cues) >= 3
    assert all(item.url is None or "free-exercise-db" not in item.url for item in media)
    count = len(service.catalog)

    assert main(argv) == 0
    assert "0 added" in capsys.readouterr().out
    service_again, media_again = _stored(database_env)
    assert len(service_again.catalog) == count
    assert media_again == media


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (None, None, "cannot reach the wger API at http://127.0.0.1:"),
        (503, None, "the wger API answered HTTP 503"),
        (200, b"<html>maintenance</html>", "not JSON"),
        (200, b'{"detail": "no results here"}', "has no list of results"),
    ],
    ids=["refused", "http-503", "not-json", "not-a-page"],
)
def test_wger_failures_are_one_clear_line(
    wger: WgerServer,
    database_env: str,
    capsys: pytest.CaptureFixture[str],
    status: int | None,
    body: bytes | None,
    message: str,
) -> None:
    base_url = f"http://127.0.0.1:{_closed_port()}" if status is None else wger.base_url
    wger.status, wger.body = status or 200, body
    assert main(["catalog", "import-wger", "--base-url", base_url]) == 1
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.err.startswith("fitcoach: ")
    assert len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ("{not json", "is not JSON"), ("[1, 2]", "is not a list of")],
    ids=["missing", "not-json", "not-exercises"],
)
def test_free_exercise_db_file_problems_are_one_clear_line(
    database_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    message: str,
) -> None:
    path = tmp_path / "exercises.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["catalog", "import-free-exercise-db", str(path)]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


async def test_a_long_imported_name_gets_a_short_slug_that_fits_a_button(
    database: Database,
) -> None:
    await seed_catalog(database)
    long_name = (
        "Zottman Alternating Seated Hammer Rotation Isometric Pause Variation For Forearm Endurance"
    )
    item = ImportedExercise(
        source="free-exercise-db",
        source_id="long",
        name=long_name,
        primary_muscles=("forearms",),
        category="dumbbell",
        instructions=("Sit tall on a bench. Rotate the palms slowly. Pause at the top.",),
    )
    report = await merge_imports(database, "free-exercise-db", [item])
    assert report.added == 1
    service = await CatalogService.open(database)
    added = service.lookup(long_name).exercise
    assert added is not None
    assert added.slug == "zottman-alternating-seated-hammer-rotation"
    assert len(f"ex:x:{added.slug}".encode()) <= 64
