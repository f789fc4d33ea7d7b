"""The Mini App API on a real database: signed sessions only, profile, metrics, exercises."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from bot.catalog import loader
from bot.domain.exercises import Catalog, MediaItem
from bot.domain.plans import PlanPreferences, WeeklyPlan
from bot.domain.profile import Profile, parse_profile_args
from bot.errors import UserInputError
from bot.i18n import t
from bot.llm.client import ChatModel
from bot.services.catalog import CatalogService, seed_catalog
from bot.services.limits import SlidingWindowLimiter
from bot.services.plans import PlanService
from bot.services.training import TrainingService
from bot.services.users import UserInfo, UserService
from bot.storage import Database
from bot.storage import plans as plan_rows
from bot.transport.api import ApiContext
from bot.transport.http import build_http_app
from bot.transport.initdata import sign
from tests.factories import exercise, media_item

TOKEN = "123456:TEST-token"
NOW = 1_700_000_000.0
USER = 4242
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x00\x00\x00\x00\x00,"


def init_data(
    user_id: int = USER, *, language: str = "en", auth_date: float = NOW, token: str = TOKEN
) -> str:
    fields = {
        "query_id": "AAH-test",
        "user": json.dumps({"id": user_id, "first_name": "Ann", "language_code": language}),
        "auth_date": str(int(auth_date)),
    }
    return urlencode({**fields, "hash": sign(fields, token)})


def auth(user_id: int = USER, **kwargs: object) -> dict[str, str]:
    return {"Authorization": f"tma {init_data(user_id, **kwargs)}"}  # type: ignore[arg-type]


class Api:
    def __init__(
        self,
        client: httpx.AsyncClient,
        users: UserService,
        today: list[datetime],
        database: Database,
    ) -> None:
        self.client = client
        self.users = users
        self.today = today  # the training log's and the plans' clock
        self.database = database

    def next_day(self) -> None:
        self.today[0] += timedelta(days=1)


@pytest.fixture
async def api(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Api]:
    # One exercise with a demo file shipped "in the package" (a folder standing in for it).
    (tmp_path / "demos").mkdir()
    (tmp_path / "demos" / "test-squat.gif").write_bytes(GIF)
    monkeypatch.setattr(loader, "data_root", lambda: tmp_path)
    gif = MediaItem(kind="animation", file="demos/test-squat.gif", license="CC0", author="E")
    catalog = Catalog(
        [
            exercise("test-squat", "Test squat", media=[gif]),
            exercise("wall-sit", "Wall sit", media=[media_item("https://example.org/wall.png")]),
            exercise("push-up", "Push-up", primary_muscles=["chest"]),
        ]
    )
    await seed_catalog(database, catalog)
    users = UserService(database)
    catalog_service = await CatalogService.open(database)
    today = [datetime(2026, 3, 2, 9, 0, tzinfo=UTC)]
    context = ApiContext(
        users=users,
        catalog=catalog_service,
        training=TrainingService(database, catalog_service, now=lambda: today[0]),
        plans=PlanService(
            database,
            # Never asked here: the API only reads accepted plans.
            ChatModel(api_key="unused", base_url="http://127.0.0.1:9", model="m", timeout=1),
            lambda: catalog_service.catalog,
            clock=lambda: today[0],
        ),
        bot_token=TOKEN,
        max_age=3600,
        limiter=SlidingWindowLimiter(30, 60.0),
        clock=lambda: NOW + 10,
    )
    app = build_http_app(running=lambda: True, api=context)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield Api(client, users, today, database)


def assert_error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return str(body["error"]["message"])


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "tma"},
        {"Authorization": "Bearer x"},
        {"Authorization": "tma not%%a=query&&"},
        {"Authorization": f"tma {init_data()}".replace("Ann", "Bob")},
        {"Authorization": f"tma {init_data(token='654321:OTHER-token')}"},
        {"Authorization": f"tma {init_data(auth_date=NOW - 3600)}"},  # 3610 s old > 3600
    ],
    ids=["missing", "empty", "bearer", "garbled", "tampered", "other-bot", "stale"],
)
async def test_requests_without_a_valid_signed_session_get_401_and_change_nothing(
    api: Api, headers: dict[str, str]
) -> None:
    for method, path, body in (
        ("GET", "/api/v1/profile", None),
        ("PATCH", "/api/v1/profile", {"height": "180 cm"}),
        ("GET", "/api/v1/metrics", None),
        ("GET", "/api/v1/exercises", None),
        ("GET", "/api/v1/exercises/test-squat/demos/1", None),
        ("POST", "/api/v1/training/log", {"text": "test squat 3x5 100kg"}),
        ("GET", "/api/v1/training/log", None),
        ("DELETE", "/api/v1/training/log/1", None),
        ("POST", "/api/v1/body-weights", {"text": "80 kg"}),
        ("GET", "/api/v1/plan", None),
        ("GET", "/api/v1/plan/today", None),
    ):
        answer = await api.client.request(method, path, json=body, headers=headers)
        assert_error(answer, 401, "unauthorized")
    assert await api.users.profile(USER) == Profile()


async def test_the_user_is_the_one_telegram_signed_not_one_the_client_names(api: Api) -> None:
    await api.client.patch("/api/v1/profile", json={"age": "40"}, headers=auth(USER))
    other = await api.client.get("/api/v1/profile?user_id=4242", headers=auth(777))
    assert other.json()["age"] is None
    me = await api.client.get("/api/v1/me", headers=auth(USER, language="ru-RU"))
    assert me.json() == {"user_id": USER, "first_name": "Ann", "language": "ru"}


async def test_profile_is_set_like_slash_profile_and_read_back(api: Api) -> None:
    empty = await api.client.get("/api/v1/profile", headers=auth())
    assert empty.status_code == 200
    assert empty.json()["height_cm"] is None
    saved = await api.client.patch(
        "/api/v1/profile",
        json={"height": "5'11\"", "weight": "180 lb", "age": "34", "units": "imperial"},
        headers=auth(),
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["height_cm"] == pytest.approx(180.34)
    assert body["weight_kg"] == pytest.approx(81.65, abs=0.01)
    assert (body["age"], body["units"]) == (34, "imperial")
    assert body["shown"] == {"height": "5 ft 11 in", "weight": "180 lb"}
    stored = await api.users.profile(USER)
    assert stored.age == 34


async def test_a_bad_field_changes_nothing_and_says_what_slash_profile_says(api: Api) -> None:
    await api.client.patch("/api/v1/profile", json={"weight": "80 kg"}, headers=auth())
    answer = await api.client.patch(
        "/api/v1/profile", json={"weight": "70 kg", "height": "9 m", "age": "5"}, headers=auth()
    )
    message = assert_error(answer, 422, "invalid_profile")
    with pytest.raises(UserInputError) as expected:
        parse_profile_args("weight=70 kg height=9 m age=5", Profile())
    assert message == expected.value.message
    assert sorted(answer.json()["error"]["fields"]) == ["age", "height"]
    assert (await api.users.profile(USER)).weight_kg == 80.0


async def test_a_value_with_an_equals_sign_is_refused_in_the_users_language(api: Api) -> None:
    answer = await api.client.patch(
        "/api/v1/profile", json={"weight": "80 age=13"}, headers=auth(language="de")
    )
    assert assert_error(answer, 422, "invalid_profile") == t("de", "webapp.error.equals_sign")
    assert await api.users.profile(USER) == Profile()


async def test_unknown_fields_and_wrong_types_get_the_error_shape(api: Api) -> None:
    answer = await api.client.patch("/api/v1/profile", json={"user_id": 1}, headers=auth())
    assert_error(answer, 422, "invalid_request")
    answer = await api.client.patch("/api/v1/profile", json={"age": 34}, headers=auth())
    assert_error(answer, 422, "invalid_request")


async def test_metrics_follow_the_profile_with_labels_in_the_users_language(api: Api) -> None:
    missing = await api.client.get("/api/v1/metrics", headers=auth())
    assert missing.json()["bmi"] is None
    assert missing.json()["missing"] == ["height", "weight", "age"]
    await api.client.patch(
        "/api/v1/profile",
        json={"height": "180 cm", "weight": "82.5 kg", "age": "34", "sex": "male"},
        headers=auth(),
    )
    answer = await api.client.get("/api/v1/metrics", headers=auth(language="es"))
    body = answer.json()
    assert (body["bmi"], body["bmi_class"]) == (25.5, "pre_obese")
    assert body["bmi_class_label"] == t("es", "webapp.bmi_class.pre_obese")
    assert body["healthy_range_kg"] == [59.9, 80.7]
    assert body["disclaimer"] == t("es", "webapp.bmi.disclaimer")
    assert body["bmr_kcal"] == 1785


async def test_exercise_search_detail_and_demo_file(api: Api) -> None:
    listed = await api.client.get("/api/v1/exercises", headers=auth())
    slugs = {e["slug"] for e in listed.json()["exercises"]}
    assert slugs == {"test-squat", "wall-sit", "push-up"}
    found = await api.client.get("/api/v1/exercises", params={"q": "squat"}, headers=auth())
    assert [e["slug"] for e in found.json()["exercises"]] == ["test-squat"]
    chest = await api.client.get("/api/v1/exercises", params={"muscle": "chest"}, headers=auth())
    assert [e["slug"] for e in chest.json()["exercises"]] == ["push-up"]
    unknown = await api.client.get("/api/v1/exercises?muscle=tail", headers=auth())
    assert_error(unknown, 422, "invalid_request")

    detail = (await api.client.get("/api/v1/exercises/test-squat", headers=auth())).json()
    assert detail["cues"] == ["One.", "Two.", "Three."]
    [demo] = detail["demos"]
    assert demo["src"].startswith("/api/v1/exercises/test-squat/demos/")
    assert demo["credit"]
    gif = await api.client.get(demo["src"], headers=auth())
    assert (gif.status_code, gif.headers["content-type"], gif.content) == (200, "image/gif", GIF)
    wall = (await api.client.get("/api/v1/exercises/wall-sit", headers=auth())).json()
    assert wall["demos"][0]["src"] == "https://example.org/wall.png"

    missing = await api.client.get("/api/v1/exercises/no-such-move", headers=auth())
    assert_error(missing, 404, "not_found")
    other_demo = await api.client.get("/api/v1/exercises/push-up/demos/1", headers=auth())
    assert_error(other_demo, 404, "not_found")


async def test_each_user_is_held_to_the_rate_limit(api: Api) -> None:
    for _ in range(30):
        assert (await api.client.get("/api/v1/me", headers=auth())).status_code == 200
    refused = await api.client.get("/api/v1/me", headers=auth())
    assert_error(refused, 429, "rate_limited")
    assert int(refused.headers["Retry-After"]) >= 1
    assert (await api.client.get("/api/v1/me", headers=auth(777))).status_code == 200


async def test_texts_openapi_page_and_unknown_paths(api: Api) -> None:
    texts = await api.client.get("/api/v1/texts", params={"lang": "ru"})
    assert texts.json()["language"] == "ru"
    assert texts.json()["texts"]["save"] == t("ru", "webapp.page.save")
    schema = (await api.client.get("/api/v1/openapi.json")).json()
    assert {"/api/v1/profile", "/api/v1/metrics", "/api/v1/exercises/{slug}"} <= set(
        schema["paths"]
    )
    assert "patch" in schema["paths"]["/api/v1/profile"]
    page = await api.client.get("/app/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert (await api.client.get("/app")).status_code in (307, 308)
    assert_error(await api.client.get("/api/v1/nothing-here"), 404, "not_found")


async def test_an_oversized_body_is_refused_before_it_is_read(api: Api) -> None:
    answer = await api.client.patch(
        "/api/v1/profile", content=b"{" + b" " * 20_000 + b"}", headers=auth()
    )
    assert_error(answer, 413, "too_large")

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * 1000

    streamed = await api.client.patch("/api/v1/profile", content=chunks(), headers=auth())
    assert_error(streamed, 413, "too_large")
    assert await api.users.profile(USER) == Profile()


async def test_profile_errors_come_in_the_users_language_and_their_choice_comes_first(
    api: Api,
) -> None:
    answer = await api.client.patch(
        "/api/v1/profile", json={"age": "5"}, headers=auth(language="de")
    )
    message = assert_error(answer, 422, "invalid_profile")
    with pytest.raises(UserInputError) as expected:
        parse_profile_args("age=5", Profile())
    assert message == expected.value.text.render("de")
    assert message != expected.value.text.render("en")

    await api.users.set_language(UserInfo(user_id=USER, first_name="Ann"), "es")
    me = await api.client.get("/api/v1/me", headers=auth(language="de"))
    assert me.json()["language"] == "es"


async def test_training_log_add_list_delete_and_records(api: Api) -> None:
    first = await api.client.post(
        "/api/v1/training/log", json={"text": "test squat 3x5 100kg"}, headers=auth()
    )
    assert first.status_code == 201, first.text
    [line] = first.json()["exercises"]
    assert (line["slug"], len(line["sets"]), line["records"]) == ("test-squat", 3, [])
    api.next_day()
    second = await api.client.post(
        "/api/v1/training/log", json={"text": "test squat 3x5 105kg"}, headers=auth()
    )
    assert "weight" in second.json()["exercises"][0]["records"]

    refused = await api.client.post(
        "/api/v1/training/log",
        json={"text": "wall sit 1x60s; test squat 3x5 9000kg"},
        headers=auth(),
    )
    assert_error(refused, 422, "invalid_log")
    listed = (await api.client.get("/api/v1/training/log", headers=auth())).json()["sets"]
    assert len(listed) == 6
    assert listed[0]["weight_kg"] == 105.0  # newest first

    newest = listed[0]["id"]
    assert_error(
        await api.client.delete(f"/api/v1/training/log/{newest}", headers=auth(777)),
        404,
        "not_found",
    )  # another user's set
    assert (
        await api.client.delete(f"/api/v1/training/log/{newest}", headers=auth())
    ).status_code == 204
    assert_error(
        await api.client.delete(f"/api/v1/training/log/{newest}", headers=auth()), 404, "not_found"
    )
    [record] = (await api.client.get("/api/v1/training/records", headers=auth())).json()["records"]
    assert (record["exercise"], record["heaviest_kg"]) == ("Test squat", 105.0)

    series = await api.client.get(
        "/api/v1/training/series", params={"exercise": "test squat", "days": 30}, headers=auth()
    )
    body = series.json()
    assert (body["kind"], body["days"], len(body["points"])) == ("exercise", 30, 2)


async def test_body_weights_make_a_series_and_the_profile_follows(api: Api) -> None:
    first = await api.client.post("/api/v1/body-weights", json={"text": "82.5 kg"}, headers=auth())
    assert first.status_code == 201, first.text
    api.next_day()
    await api.client.post("/api/v1/body-weights", json={"text": "81.9"}, headers=auth())
    series = (await api.client.get("/api/v1/body-weights?days=30", headers=auth())).json()
    assert series["kind"] == "weight"
    assert series["points"] == [["2026-03-02", 82.5], ["2026-03-03", 81.9]]
    assert (await api.users.profile(USER)).weight_kg == 81.9
    bad = await api.client.post("/api/v1/body-weights", json={"text": "heavy"}, headers=auth())
    assert_error(bad, 422, "invalid_weight")


PLAN = {
    "days": [
        {
            "weekday": "mon",
            "focus": "Full body",
            "exercises": [
                {"slug": "push-up", "sets": 3, "reps": 10, "rest_seconds": 60},
                {"slug": "wall-sit", "sets": 2, "seconds": 45, "rest_seconds": 60},
            ],
        },
        {
            "weekday": "thu",
            "focus": "Legs",
            "exercises": [{"slug": "test-squat", "sets": 3, "reps": 8, "rest_seconds": 90}],
        },
    ],
    "progression": "Add a rep a week.",
}


async def test_the_plan_and_todays_session_once_a_plan_is_accepted(api: Api) -> None:
    for path in ("/api/v1/plan", "/api/v1/plan/today"):
        message = assert_error(
            await api.client.get(path, headers=auth(language="ru")), 404, "no_plan"
        )
        assert message == t("ru", "webapp.error.no_plan")
    await api.client.patch("/api/v1/profile", json={"age": "30"}, headers=auth())
    async with api.database.transaction() as session:
        plan_id = await plan_rows.add_proposal(
            session, USER, WeeklyPlan.model_validate(PLAN), PlanPreferences(days_per_week=2)
        )
    # A proposal is not the plan yet.
    assert_error(await api.client.get("/api/v1/plan", headers=auth()), 404, "no_plan")
    async with api.database.transaction() as session:
        assert await plan_rows.accept(session, USER, plan_id, api.today[0])

    plan = await api.client.get("/api/v1/plan", headers=auth())
    assert plan.status_code == 200, plan.text
    body = plan.json()
    assert body["id"] == plan_id
    assert [day["weekday"] for day in body["plan"]["days"]] == ["mon", "thu"]
    assert body["names"] == {
        "push-up": "Push-up",
        "test-squat": "Test squat",
        "wall-sit": "Wall sit",
    }
    # Another user sees no plan of this one's.
    assert_error(await api.client.get("/api/v1/plan", headers=auth(777)), 404, "no_plan")

    today = (await api.client.get("/api/v1/plan/today", headers=auth())).json()  # a Monday
    assert today["day"] == "2026-03-02"
    assert [item["slug"] for item in today["session"]["exercises"]] == ["push-up", "wall-sit"]
    assert today["names"] == {"push-up": "Push-up", "wall-sit": "Wall sit"}
    api.next_day()
    rest = (await api.client.get("/api/v1/plan/today", headers=auth())).json()
    assert rest == {"day": "2026-03-03", "session": None, "names": {}}
