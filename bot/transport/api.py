"""The Mini App's HTTP API (/api/v1): the profile, body metrics and the exercise library.

Every call but /texts carries ``Authorization: tma <initData>``; the user is who Telegram
signed, never an id the client sends. Every failure answers ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi import Path as FastAPIPath
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from bot.catalog.loader import read_media_file
from bot.domain.exercises import Exercise
from bot.domain.metrics import NOTE_BMI_LIMITS, BodyReport
from bot.domain.plans import PlanDay, WeeklyPlan
from bot.domain.profile import Profile
from bot.domain.training import LogEntry
from bot.domain.units import format_height, format_waist, format_weight, format_weight_range
from bot.domain.workout_parser import WorkoutParseError
from bot.errors import NotFoundError, UserInputError
from bot.i18n import (
    DEFAULT_LANGUAGE,
    localise,
    normalise_language,
    pick_language,
    read_catalog,
    t,
)
from bot.services.catalog import CatalogService, Demo
from bot.services.limits import SlidingWindowLimiter
from bot.services.plans import PlanService
from bot.services.training import LogResult, Progress, TrainingService
from bot.services.users import UserInfo, UserService
from bot.transport.initdata import (
    InitDataError,
    WebAppUser,
    init_data_from_header,
    verify_init_data,
)

logger = logging.getLogger(__name__)

PREFIX = "/api/v1"
# A page load costs a handful of calls; this leaves room for browsing without letting one
# signed session hammer the database.
REQUESTS_PER_MINUTE = 120
PAGE_TEXT_PREFIX = "webapp.page."
_MEDIA_TYPES = {
    "gif": "image/gif",
    "mp4": "video/mp4",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}


@dataclass
class ApiContext:
    """What the API needs, handed down from the application at start."""

    users: UserService
    catalog: CatalogService
    bot_token: str
    max_age: float
    limiter: SlidingWindowLimiter
    training: TrainingService | None = None
    plans: PlanService | None = None
    clock: Callable[[], float] = time.time


class ApiError(Exception):
    """A refusal with its HTTP status, a stable code and a message for the user."""

    def __init__(
        self, status: int, code: str, message: str, *, fields: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers: dict[str, str] = {}


@dataclass(frozen=True)
class Session:
    """A checked Mini App session: the signed user and the language to answer in."""

    user: WebAppUser
    language: str


# --- models --------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: list[str] | None = None


class ErrorOut(BaseModel):
    """The one shape of every failure."""

    error: ErrorBody


class MeOut(BaseModel):
    user_id: int
    first_name: str
    language: str


class TextsOut(BaseModel):
    language: str
    texts: dict[str, str]


class ProfileOut(BaseModel):
    """The stored profile in SI units, with each measure also written in the user's units."""

    height_cm: float | None
    weight_kg: float | None
    waist_cm: float | None
    age: int | None
    sex: str | None
    units: str
    goal: str | None
    activity: str | None
    bmi_scale: str
    shown: dict[str, str] = Field(description="height, weight, waist in the user's units")


class ProfilePatch(BaseModel):
    """Fields to set, each written as in ``/profile key=value`` (``180 cm``, ``5'11"``,
    ``82.5 kg``, ``none`` to unset); all are applied or none."""

    model_config = ConfigDict(extra="forbid")

    height: str | None = Field(default=None, max_length=40)
    weight: str | None = Field(default=None, max_length=40)
    waist: str | None = Field(default=None, max_length=40)
    age: str | None = Field(default=None, max_length=40)
    sex: str | None = Field(default=None, max_length=40)
    units: str | None = Field(default=None, max_length=40)
    goal: str | None = Field(default=None, max_length=40)
    activity: str | None = Field(default=None, max_length=40)
    bmi_scale: str | None = Field(default=None, max_length=40)


class MetricsOut(BaseModel):
    """Body metrics as /bmi computes them, labels in the user's language."""

    units: str
    bmi: float | None
    bmi_prime: float | None
    bmi_class: str | None = Field(description="WHO class code, adults only")
    bmi_class_label: str | None
    teen_percentile: float | None
    teen_category: str | None
    healthy_range_kg: tuple[float, float] | None
    healthy_range_shown: str | None
    weight_kg: float | None
    bmr_kcal: int | None
    tdee_kcal: int | None
    waist_to_height: float | None
    missing: list[str]
    notes: list[str]
    disclaimer: str


class ExerciseSummary(BaseModel):
    slug: str
    name: str
    primary_muscles: list[str]
    level: str
    has_demo: bool


class ExerciseList(BaseModel):
    exercises: list[ExerciseSummary]
    muscle_groups: list[str]


class DemoOut(BaseModel):
    kind: str
    src: str = Field(description="our /api/v1 path (fetch with the header) or an https URL")
    credit: str
    license: str
    author: str
    source_page: str | None


class ExerciseDetail(BaseModel):
    slug: str
    name: str
    aliases: list[str]
    primary_muscles: list[str]
    secondary_muscles: list[str]
    equipment: list[str]
    level: str
    category: str
    cues: list[str]
    demos: list[DemoOut]


class SetOut(BaseModel):
    """One logged set; weights in kg (the page shows them in the user's units)."""

    id: int | None = Field(description="the stored set's id (for DELETE); null in a new batch")
    batch_id: str | None
    exercise: str
    slug: str | None
    performed_at: str
    reps: int | None
    weight_kg: float | None
    rir: float | None
    rpe: float | None
    duration_s: float | None
    distance_m: float | None


class LogIn(BaseModel):
    """Sets written as for /log: ``squat 3x5 100kg``, one exercise a line."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000)


class LoggedExerciseOut(BaseModel):
    exercise: str
    slug: str | None
    sets: list[SetOut]
    records: list[str] = Field(description="record kinds these sets set: weight, rep_max, ...")


class LogOut(BaseModel):
    batch_id: str
    exercises: list[LoggedExerciseOut]


class LogList(BaseModel):
    sets: list[SetOut]


class RecordOut(BaseModel):
    exercise: str
    heaviest_kg: float | None
    best_e1rm_kg: float | None
    most_reps: int | None
    best_weight_by_reps: dict[int, float]


class RecordList(BaseModel):
    records: list[RecordOut]


class WeightIn(BaseModel):
    """Today's weigh-in as for /weight: ``81.4``, ``179 lb``, ``12st 9``."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=40)


class SeriesOut(BaseModel):
    """Points of a chart in the user's units, oldest first."""

    kind: str
    units: str
    days: int
    name: str
    e1rm: bool
    points: list[tuple[str, float]]


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut} for status in (401, 404, 422, 429)
}


# --- the app ------------------------------------------------------------------------------


class PlanOut(BaseModel):
    """The accepted weekly plan, with the catalog names of its exercises."""

    id: int
    accepted_at: datetime | None
    plan: WeeklyPlan
    names: dict[str, str] = Field(description="exercise slug -> catalog name")


class TodayOut(BaseModel):
    """Today's session from the plan, in the user's time zone; ``session`` null on a rest day."""

    day: date
    session: PlanDay | None
    names: dict[str, str] = Field(description="exercise slug -> catalog name")


def add_api(app: FastAPI, context: ApiContext) -> None:
    """Mount /api/v1 on ``app``."""
    app.state.fitcoach_api = context
    app.include_router(_router(context), prefix=PREFIX, responses=ERRORS)


def install_error_shape(app: FastAPI) -> None:
    """Every failure of the app (ours, FastAPI's, unknown paths) as ``{"error": {...}}``."""

    async def api_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, ApiError)
        body = ErrorOut(
            error=ErrorBody(code=error.code, message=error.message, fields=error.fields)
        )
        return JSONResponse(
            body.model_dump(exclude_none=True), status_code=error.status, headers=error.headers
        )

    async def invalid(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        language = _header_language(request)
        fields = sorted({str(item["loc"][-1]) for item in error.errors() if item.get("loc")})
        message = t(language, "webapp.error.invalid_request", fields=", ".join(fields))
        return await api_error(request, ApiError(422, "invalid_request", message, fields=fields))

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        key = "webapp.error.not_found" if error.status_code == 404 else "webapp.error.bad_request"
        message = t(_header_language(request), key)
        return await api_error(request, ApiError(error.status_code, code, message))

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)


def _context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.fitcoach_api
    return context


async def _session(request: Request) -> Session:
    """The signed user of this request, within the rate limit; 401/429 otherwise."""
    context = _context(request)
    try:
        init_data = init_data_from_header(request.headers.get("authorization"))
        user = verify_init_data(
            init_data, context.bot_token, max_age=context.max_age, now=context.clock()
        )
    except InitDataError as error:
        logger.debug("Mini App request refused: %s", error.reason)
        message = t(_header_language(request), "webapp.error.unauthorized")
        raise ApiError(401, "unauthorized", message) from None
    if not context.limiter.allow(user.id):
        language = pick_language(None, user.language_code)
        refusal = ApiError(429, "rate_limited", t(language, "webapp.error.rate_limited"))
        refusal.headers["Retry-After"] = str(max(1, round(context.limiter.retry_after(user.id))))
        raise refusal
    # As for a message: names kept current, and the language chosen with /language first.
    chosen = await context.users.record(_user_info(user))
    return Session(user=user, language=pick_language(chosen, user.language_code))


Signed = Annotated[Session, Depends(_session)]


def _router(context: ApiContext) -> APIRouter:
    router = APIRouter()

    @router.get("/texts", response_model=TextsOut)
    async def texts(lang: Annotated[str | None, Query(max_length=16)] = None) -> TextsOut:
        """The page's texts in a language (no session needed: the page shows some of them
        before it has one, e.g. when opened outside Telegram)."""
        language = pick_language(lang)
        return TextsOut(language=language, texts=page_texts(language))

    @router.get("/me", response_model=MeOut)
    async def me(signed: Signed) -> MeOut:
        return MeOut(
            user_id=signed.user.id, first_name=signed.user.first_name, language=signed.language
        )

    @router.get("/profile", response_model=ProfileOut)
    async def get_profile(signed: Signed) -> ProfileOut:
        return _profile_out(await context.users.profile(signed.user.id))

    @router.patch("/profile", response_model=ProfileOut)
    async def patch_profile(signed: Signed, patch: ProfilePatch) -> ProfileOut:
        """Set fields as ``/profile key=value`` does: all or nothing, the same messages."""
        given = patch.model_dump(exclude_none=True)
        if any("=" in value for value in given.values()):
            # The values are joined into /profile's key=value text: an "=" would add a key.
            bad = sorted(key for key, value in given.items() if "=" in value)
            message = t(signed.language, "webapp.error.equals_sign")
            raise ApiError(422, "invalid_profile", message, fields=bad)
        arguments = " ".join(f"{key}={value}" for key, value in given.items())
        try:
            updated = await context.users.update_profile(_user_info(signed.user), arguments)
        except UserInputError as error:
            fields = [f for f in (error.field or "").split(",") if f]
            message = error.text.render(signed.language)
            raise ApiError(422, "invalid_profile", message, fields=fields) from None
        return _profile_out(updated.profile)

    @router.get("/metrics", response_model=MetricsOut)
    async def metrics(signed: Signed) -> MetricsOut:
        profile, report = await context.users.body_report(signed.user.id)
        return _metrics_out(profile, report, signed.language)

    @router.get("/exercises", response_model=ExerciseList)
    async def exercises(
        signed: Signed,
        q: Annotated[str, Query(max_length=100)] = "",
        muscle: Annotated[str | None, Query(max_length=40)] = None,
    ) -> ExerciseList:
        try:
            found = context.catalog.search(q, muscle)
        except UserInputError as error:
            message = error.text.render(signed.language)
            raise ApiError(422, "invalid_request", message, fields=["muscle"]) from None
        return ExerciseList(
            exercises=[_summary(exercise, context.catalog) for exercise in found],
            muscle_groups=context.catalog.muscle_groups(),
        )

    @router.get("/exercises/{slug}", response_model=ExerciseDetail)
    async def exercise(signed: Signed, slug: str) -> ExerciseDetail:
        found = _exercise(context.catalog, slug, signed.language)
        demos = await context.catalog.demos_for(found)
        return _detail(found, demos)

    @router.get(
        "/exercises/{slug}/demos/{demo_id}",
        response_class=Response,
        responses={200: {"content": {media: {} for media in sorted(set(_MEDIA_TYPES.values()))}}},
    )
    async def demo_file(signed: Signed, slug: str, demo_id: int) -> Response:
        """A demo shipped in the package (the bytes; fetch it with the header)."""
        found = _exercise(context.catalog, slug, signed.language)
        for demo in await context.catalog.demos_for(found):
            if demo.id == demo_id and demo.file is not None:
                try:
                    data = read_media_file(demo.file)
                except NotFoundError:
                    break
                extension = demo.file.rsplit(".", 1)[-1].lower()
                return Response(
                    data,
                    media_type=_MEDIA_TYPES.get(extension, "application/octet-stream"),
                    headers={"Cache-Control": "private, max-age=86400"},
                )
        raise ApiError(404, "not_found", t(signed.language, "webapp.error.not_found"))

    if context.training is not None:
        _training_routes(router, context.training)
    if context.plans is not None:
        _plan_routes(router, context.plans)
    return router


def _plan_routes(router: APIRouter, plans: PlanService) -> None:
    """The accepted plan and today's session (404 until the user accepted a plan)."""

    def no_plan(signed: Session) -> ApiError:
        return ApiError(404, "no_plan", t(signed.language, "webapp.error.no_plan"))

    @router.get("/plan", response_model=PlanOut)
    async def current_plan(signed: Signed) -> PlanOut:
        stored = await plans.current(signed.user.id)
        if stored is None:
            raise no_plan(signed)
        names = plans.exercise_names()
        slugs = {item.slug for day in stored.plan.days for item in day.exercises}
        return PlanOut(
            id=stored.id,
            accepted_at=stored.accepted_at,
            plan=stored.plan,
            names={slug: names.get(slug, slug) for slug in sorted(slugs)},
        )

    @router.get("/plan/today", response_model=TodayOut)
    async def todays_session(signed: Signed) -> TodayOut:
        found = await plans.today(signed.user.id)
        if found is None:
            raise no_plan(signed)
        names = plans.exercise_names()
        items = found.session.exercises if found.session is not None else []
        return TodayOut(
            day=found.day,
            session=found.session,
            names={item.slug: names.get(item.slug, item.slug) for item in items},
        )


def _training_routes(router: APIRouter, training: TrainingService) -> None:
    """The training log: sets, personal records, weigh-ins and chart series."""

    @router.get("/training/log", response_model=LogList)
    async def recent_sets(
        signed: Signed, limit: Annotated[int, Query(ge=1, le=200)] = 50
    ) -> LogList:
        entries = await training.recent(signed.user.id, limit)
        return LogList(sets=[_set_out(entry) for entry in entries])

    @router.post("/training/log", response_model=LogOut, status_code=201)
    async def log_sets(signed: Signed, body: LogIn) -> LogOut:
        try:
            result = await training.log_text(signed.user.id, body.text)
        except WorkoutParseError as error:
            message = " ".join(
                (
                    t(
                        signed.language,
                        f"training.error.{error.code.value}",
                        fragment=error.fragment,
                    ),
                    t(signed.language, "training.nothing_logged"),
                )
            )
            raise ApiError(422, "invalid_log", message, fields=["text"]) from None
        except UserInputError as error:  # a name that looks like a typo of a known exercise
            message = error.text.render(signed.language)
            raise ApiError(422, "invalid_log", message, fields=["text"]) from None
        return _log_out(result)

    @router.delete("/training/log/{entry_id}", status_code=204, response_class=Response)
    async def delete_set(
        signed: Signed, entry_id: Annotated[int, FastAPIPath(ge=1, le=2**63 - 1)]
    ) -> Response:
        if await training.delete_entry(signed.user.id, entry_id) is None:
            raise ApiError(404, "not_found", t(signed.language, "webapp.error.not_found"))
        return Response(status_code=204)

    @router.get("/training/records", response_model=RecordList)
    async def records(signed: Signed) -> RecordList:
        found = await training.records(signed.user.id)
        return RecordList(
            records=[
                RecordOut(
                    exercise=name,
                    heaviest_kg=record.heaviest_kg,
                    best_e1rm_kg=record.best_e1rm.kg if record.best_e1rm is not None else None,
                    most_reps=record.most_reps,
                    best_weight_by_reps=dict(record.best_weight_by_reps),
                )
                for name, record in sorted(found.items())
            ]
        )

    @router.get("/training/series", response_model=SeriesOut)
    async def exercise_series(
        signed: Signed,
        exercise: Annotated[str, Query(min_length=1, max_length=100)],
        days: Annotated[int, Query(ge=1, le=999)] = 90,
    ) -> SeriesOut:
        """An exercise's best estimated 1RM (or top weight) per session."""
        return await _series(training, signed, f"{exercise} {days}d")

    @router.get("/body-weights", response_model=SeriesOut)
    async def body_weights(
        signed: Signed, days: Annotated[int, Query(ge=1, le=999)] = 90
    ) -> SeriesOut:
        return await _series(training, signed, f"weight {days}d")

    @router.post("/body-weights", response_model=SeriesOut, status_code=201)
    async def log_weight(signed: Signed, body: WeightIn) -> SeriesOut:
        """Store today's weigh-in (the profile's weight follows); the series comes back."""
        try:
            await training.log_weight(signed.user.id, body.text)
        except UserInputError as error:
            message = error.text.render(signed.language)
            raise ApiError(422, "invalid_weight", message, fields=["text"]) from None
        return await _series(training, signed, "weight 90d")


async def _series(training: TrainingService, signed: Session, arguments: str) -> SeriesOut:
    try:
        progress = await training.progress(signed.user.id, arguments)
    except UserInputError as error:
        message = error.text.render(signed.language)
        raise ApiError(422, "invalid_request", message) from None
    return _series_out(progress)


# --- helpers -------------------------------------------------------------------------------


@functools.cache
def page_texts(language: str) -> dict[str, str]:
    """Every ``webapp.page.*`` text in ``language``, keyed without the prefix."""
    catalog: Any = read_catalog("en", "webapp.po")
    keys = sorted(str(m.id) for m in catalog if str(m.id).startswith(PAGE_TEXT_PREFIX))
    return {key.removeprefix(PAGE_TEXT_PREFIX): t(language, key) for key in keys}


def _header_language(request: Request) -> str:
    """The language of a request without a session: the browser's first language we speak."""
    for part in request.headers.get("accept-language", "").split(","):
        language = normalise_language(part.split(";")[0])
        if language is not None:
            return language
    return DEFAULT_LANGUAGE


def _user_info(user: WebAppUser) -> UserInfo:
    return UserInfo(
        user_id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )


def _profile_out(profile: Profile) -> ProfileOut:
    shown: dict[str, str] = {}
    if profile.height_cm is not None:
        shown["height"] = format_height(profile.height_cm, profile.units)
    if profile.weight_kg is not None:
        shown["weight"] = format_weight(profile.weight_kg, profile.units)
    if profile.waist_cm is not None:
        shown["waist"] = format_waist(profile.waist_cm, profile.units)
    return ProfileOut(
        height_cm=profile.height_cm,
        weight_kg=profile.weight_kg,
        waist_cm=profile.waist_cm,
        age=profile.age,
        sex=profile.sex.value if profile.sex else None,
        units=profile.units.value,
        goal=profile.goal.value if profile.goal else None,
        activity=profile.activity.value if profile.activity else None,
        bmi_scale=profile.bmi_scale.value,
        shown=shown,
    )


def _metrics_out(profile: Profile, report: BodyReport, language: str) -> MetricsOut:
    bmi_class = report.adult_class.name.lower() if report.adult_class is not None else None
    healthy = report.healthy_range_kg
    return MetricsOut(
        units=report.units.value,
        bmi=report.bmi,
        bmi_prime=report.bmi_prime,
        bmi_class=bmi_class,
        bmi_class_label=t(language, f"webapp.bmi_class.{bmi_class}") if bmi_class else None,
        teen_percentile=report.teen.percentile if report.teen is not None else None,
        teen_category=report.teen.category.name.lower() if report.teen is not None else None,
        healthy_range_kg=healthy,
        healthy_range_shown=(
            format_weight_range(healthy[0], healthy[1], report.units) if healthy else None
        ),
        weight_kg=profile.weight_kg,
        bmr_kcal=report.bmr_kcal,
        tdee_kcal=report.tdee_kcal,
        waist_to_height=report.waist_to_height,
        missing=list(report.missing),
        # The disclaimer says what NOTE_BMI_LIMITS says, so it is not repeated.
        notes=[localise(language, n) for n in report.notes if n != NOTE_BMI_LIMITS],
        disclaimer=t(language, "webapp.bmi.disclaimer"),
    )


def _exercise(catalog: CatalogService, slug: str, language: str) -> Exercise:
    found = catalog.exercise(slug)
    if found is None:
        raise ApiError(404, "not_found", t(language, "webapp.error.not_found"))
    return found


def _summary(exercise: Exercise, catalog: CatalogService) -> ExerciseSummary:
    return ExerciseSummary(
        slug=exercise.slug,
        name=exercise.name,
        primary_muscles=list(exercise.primary_muscles),
        level=exercise.level,
        has_demo=catalog.has_demo(exercise.slug),
    )


def _detail(exercise: Exercise, demos: list[Demo]) -> ExerciseDetail:
    shown: list[DemoOut] = []
    for demo in demos:
        src: str | None = None
        if demo.file is not None:
            src = f"{PREFIX}/exercises/{exercise.slug}/demos/{demo.id}"
        elif demo.url is not None:
            src = demo.url
        if src is None:
            continue  # an admin's upload lives in Telegram only (a file_id)
        shown.append(
            DemoOut(
                kind=demo.kind,
                src=src,
                credit=demo.credit(),
                license=demo.license,
                author=demo.author,
                source_page=demo.source_page,
            )
        )
    return ExerciseDetail(
        slug=exercise.slug,
        name=exercise.name,
        aliases=exercise.aliases,
        primary_muscles=list(exercise.primary_muscles),
        secondary_muscles=list(exercise.secondary_muscles),
        equipment=exercise.equipment,
        level=exercise.level,
        category=exercise.category,
        cues=exercise.cues,
        demos=shown,
    )


def _set_fields(logged: Any) -> dict[str, Any]:
    return {
        "exercise": logged.exercise_name,
        "slug": logged.exercise_slug,
        "performed_at": logged.performed_at.isoformat(),
        "reps": logged.reps,
        "weight_kg": logged.weight_kg,
        "rir": logged.rir,
        "rpe": logged.rpe,
        "duration_s": logged.duration_s,
        "distance_m": logged.distance_m,
    }


def _set_out(entry: LogEntry) -> SetOut:
    return SetOut(id=entry.id, batch_id=entry.batch_id, **_set_fields(entry.logged))


def _log_out(result: LogResult) -> LogOut:
    return LogOut(
        batch_id=result.batch_id,
        exercises=[
            LoggedExerciseOut(
                exercise=line.name,
                slug=line.slug,
                sets=[
                    SetOut(id=None, batch_id=result.batch_id, **_set_fields(s)) for s in line.sets
                ],
                records=sorted(kind.value for kind in line.records),
            )
            for line in result.exercises
        ],
    )


def _series_out(progress: Progress) -> SeriesOut:
    return SeriesOut(
        kind=progress.kind.value,
        units=progress.units.value,
        days=progress.days,
        name=progress.name,
        e1rm=progress.e1rm,
        points=[(day.isoformat(), value) for day, value in progress.points],
    )
