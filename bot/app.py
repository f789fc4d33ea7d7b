"""Builds the PTB Application from settings and runs it: migrate, open services, poll, stop."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import signal
from typing import Any

from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.errors import ConfigError, FitCoachError
from bot.handlers import register_handlers
from bot.handlers.admin import start_broadcasts, stop_broadcasts
from bot.handlers.commands import set_command_menu
from bot.handlers.context import BotData, Context
from bot.handlers.reminders import start_reminders, stop_reminders
from bot.handlers.webapp import set_app_menu_button
from bot.llm.client import ChatModel
from bot.llm.transcription import Transcriber
from bot.logs import quiet_http_loggers
from bot.services.broadcast import BroadcastService
from bot.services.catalog import CatalogService, seed_catalog
from bot.services.coach import CoachService
from bot.services.delivery import DemoDelivery
from bot.services.inbox import InboxService
from bot.services.limits import SlidingWindowLimiter
from bot.services.plans import PlanService
from bot.services.registry import Services
from bot.services.reminders import ReminderService
from bot.services.senses import SensesService
from bot.services.stats import StatsService
from bot.services.training import TrainingService
from bot.services.users import UserService
from bot.storage import Database
from bot.storage.migrate import upgrade
from bot.transport.api import REQUESTS_PER_MINUTE, ApiContext
from bot.transport.http import HttpServer, WebhookRoute, build_http_app
from bot.transport.inbox import InboxPoller, InboxWorker
from bot.transport.ratelimit import PriorityRateLimiter
from bot.transport.webhook import derive_secret, inbox_acceptor, webhook_path

logger = logging.getLogger(__name__)

FitCoachApp = Application[Any, Context, Any, Any, BotData, Any]

# In-flight replies get this long to finish after SIGTERM before the process exits.
SHUTDOWN_GRACE_SECONDS = 10.0
POLL_TIMEOUT_SECONDS = 10


class BotApiRequest(HTTPXRequest):
    """PTB's HTTP transport; an answer that is not JSON becomes one plain TelegramError.

    PTB's own parser logs such an answer in full with a traceback before raising.
    """

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        try:
            decoded = json.loads(payload.decode("utf-8", "replace"))
        except ValueError:
            raise TelegramError("Invalid server response: not JSON") from None
        if not isinstance(decoded, dict):
            raise TelegramError("Invalid server response: not a JSON object")
        return decoded


def build_application(settings: Settings) -> FitCoachApp:
    """The real PTB Application: rate limiter, typed context, handlers.

    It has no Updater: updates come through the inbox (bot.transport.inbox), whose workers
    keep each chat's order and call ``process_update``.
    """
    api_url = settings.telegram_api_url
    context_types = ContextTypes(context=Context, bot_data=BotData)
    application: FitCoachApp = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .context_types(context_types)
        .rate_limiter(PriorityRateLimiter(bulk_rate=settings.broadcast_rate, max_retries=3))
        .updater(None)  # the inbox polls: an update is stored before it is acknowledged
        .request(BotApiRequest(connection_pool_size=64))
        .get_updates_request(BotApiRequest(read_timeout=POLL_TIMEOUT_SECONDS + 5))
        .build()
    )
    application.bot_data.settings = settings
    register_handlers(application)
    return application


async def open_services(application: FitCoachApp) -> None:
    """Create the database handle and every service, once, before the first update.

    Called by ``serve`` after ``initialize``; the same role as PTB's ``post_init``.
    """
    settings = application.bot_data.settings
    assert settings is not None
    database = Database(settings.database_url)
    model = ChatModel(
        api_key=settings.openai_api_key.get_secret_value() or "not-set",
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        timeout=settings.openai_timeout,
    )
    media = await CatalogService.open(database)
    reminders = ReminderService(database)
    vision = _vision_model(settings, model)
    training = TrainingService(database, media)
    application.bot_data.services = Services(
        database=database,
        model=model,
        users=UserService(database),
        coach=CoachService(
            database,
            model,
            history_budget=settings.history_token_budget,
            daily_token_limit=settings.daily_token_limit,
            demos=media,
            reminders=reminders,
            vision=vision,
            training=training,
        ),
        media=media,
        demos=DemoDelivery(media),
        limits=SlidingWindowLimiter(settings.user_messages_per_minute, 60.0),
        broadcast=BroadcastService(database),
        training=training,
        stats=StatsService(database),
        plans=PlanService(database, model, lambda: media.catalog, training=training),
        reminders=reminders,
        senses=SensesService(
            database,
            transcriber=_transcriber(settings),
            vision=vision,
            max_voice_seconds=settings.max_voice_seconds,
            vision_detail=settings.vision_detail,
            daily_token_limit=settings.daily_token_limit,
        ),
    )


def _transcriber(settings: Settings) -> Transcriber | None:
    """Speech to text, on the chat server unless TRANSCRIPTION_BASE_URL names another."""
    if not settings.transcription_enabled:
        return None
    key = settings.transcription_api_key or settings.openai_api_key
    return Transcriber(
        api_key=key.get_secret_value() or "not-set",
        base_url=settings.transcription_base_url or settings.openai_base_url,
        model=settings.transcription_model,
        timeout=settings.openai_timeout,
    )


def _vision_model(settings: Settings, chat: ChatModel) -> ChatModel | None:
    """The chat model itself unless VISION_MODEL names another; None turns photos off."""
    name = settings.vision_model_name
    if not name:
        return None
    if name == chat.model:
        return chat
    return ChatModel(
        api_key=settings.openai_api_key.get_secret_value() or "not-set",
        base_url=settings.openai_base_url,
        model=name,
        timeout=settings.openai_timeout,
    )


async def close_services(application: FitCoachApp) -> None:
    services = application.bot_data.services
    if services is not None:
        application.bot_data.services = None
        await services.aclose()  # the broadcast sender was stopped in _stop, before shutdown


async def migrate(settings: Settings) -> None:
    """Check the database answers, bring its schema to the newest revision, seed the catalog."""
    database = Database(settings.database_url)
    try:
        await database.check()
        await upgrade(database.engine)
        await seed_catalog(database)
        logger.info("Database %s is at the newest schema", database.description)
    finally:
        await database.dispose()


async def serve(
    settings: Settings, stop: asyncio.Event | None = None, *, own_process: bool = False
) -> None:
    """Run the bot until ``stop`` is set (or SIGTERM/SIGINT arrives), then stop cleanly.

    ``own_process``: the bot is the whole process (``python -m bot``), so what start-up left
    on the heap can be set aside from the garbage collector (see ``_settle_heap``).
    """
    stop = stop or asyncio.Event()
    quiet_http_loggers()  # request URLs hold the bot token
    await migrate(settings)
    application = build_application(settings)
    try:
        await application.initialize()
    except InvalidToken as exc:
        await application.bot.shutdown()  # getMe failed after the HTTP clients opened
        raise ConfigError(
            "Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized): copy the token again from "
            "@BotFather (/token) into TELEGRAM_BOT_TOKEN."
        ) from exc
    except NetworkError as exc:
        await application.bot.shutdown()
        raise FitCoachError(
            f"cannot reach the Telegram Bot API at {settings.telegram_api_url}: {exc.message}"
        ) from exc
    except (TelegramError, KeyError, TypeError, ValueError, AttributeError) as exc:
        # Something answered getMe, but not with a bot: a wrong TELEGRAM_API_URL or a proxy.
        await application.bot.shutdown()
        detail = exc.message if isinstance(exc, TelegramError) else type(exc).__name__
        raise FitCoachError(
            f"cannot read the getMe answer of {settings.telegram_api_url} ({detail}): check that "
            "TELEGRAM_API_URL points at a Telegram Bot API server"
        ) from exc
    server: HttpServer | None = None
    poller: InboxPoller | None = None
    worker: InboxWorker | None = None
    inbox: InboxService | None = None
    try:
        await open_services(application)
        services = application.bot_data.services
        assert services is not None
        inbox = InboxService(services.database)
        await inbox.open()
        await application.start()
        start_broadcasts(application)  # resumes broadcasts a restart interrupted
        start_reminders(application)  # sends what came due while the bot was down
        await _publish_command_menu(application, settings)
        await set_app_menu_button(application.bot, settings.web_app_url)
        worker = InboxWorker(application, inbox)
        worker.start()  # takes what a previous run left pending first
        server = await _start_http(application, settings, inbox)
        poller = await _start_updates(application, settings, inbox)
        if own_process:
            _settle_heap()  # once updates flow: start-up is not held up by it
        with _stop_on_signals(stop):
            await stop.wait()
        logger.info("Stopping: finishing replies in flight (up to %.0f s)", SHUTDOWN_GRACE_SECONDS)
    finally:
        await _stop(application, server, poller, worker, inbox)


def _settle_heap() -> None:
    """Keep what start-up built (modules, the catalog, the SQL and Markdown machinery) out of
    every later garbage collection.

    Those objects live as long as the process, yet each full collection walked all of them
    again: measured on the benchmark's 50 messages, a pause of about 180 ms every few seconds,
    a tenth of the CPU per message and a stall for every chat at once.
    """
    gc.collect()
    gc.freeze()


async def _publish_command_menu(application: FitCoachApp, settings: Settings) -> None:
    """Set the command menu; the bot answers commands without it, so a refusal only warns."""
    services = application.bot_data.services
    try:
        admin_languages = (
            await services.users.reading_languages(settings.admin_ids) if services else None
        )
        await set_command_menu(application.bot, settings.admin_ids, admin_languages)
    except TelegramError as exc:
        logger.warning("Command menu not published (%s); commands still work", exc)


ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


async def _start_http(
    application: FitCoachApp, settings: Settings, inbox: InboxService
) -> HttpServer | None:
    """With WEBHOOK_URL or WEB_APP_URL, serve /healthz, the webhook and the Mini App."""
    if not (settings.webhook_url or settings.web_app_url):
        return None
    services = application.bot_data.services
    assert services is not None
    token = settings.telegram_bot_token.get_secret_value()
    webhook = None
    if settings.webhook_url:
        webhook = WebhookRoute(
            path=webhook_path(settings.webhook_url),
            secret=_webhook_secret(settings),
            accept_update=inbox_acceptor(inbox),
            bot=application.bot,
        )
    api = None
    if settings.web_app_url:
        api = ApiContext(
            users=services.users,
            catalog=services.media,
            bot_token=token,
            max_age=settings.web_app_auth_max_age,
            limiter=SlidingWindowLimiter(REQUESTS_PER_MINUTE, 60.0),
            training=services.training,
            plans=services.plans,
        )
    app = build_http_app(running=lambda: bool(application.running), webhook=webhook, api=api)
    server = HttpServer(app, settings.port)
    await server.start()
    logger.info("HTTP server listening on port %d", settings.port)
    return server


def _webhook_secret(settings: Settings) -> str:
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    return derive_secret(settings.telegram_bot_token.get_secret_value())


async def _start_updates(
    application: FitCoachApp, settings: Settings, inbox: InboxService
) -> InboxPoller | None:
    """Poll by default; with WEBHOOK_URL, register the webhook the HTTP server answers."""
    if settings.webhook_url:
        await _set_webhook(application, settings, settings.webhook_url)
        return None
    poller = InboxPoller(
        application, inbox, timeout=POLL_TIMEOUT_SECONDS, allowed_updates=ALLOWED_UPDATES
    )
    await poller.start()
    logger.info("Polling %s for updates", application.bot.username)
    return poller


async def _set_webhook(application: FitCoachApp, settings: Settings, url: str) -> None:
    try:
        await application.bot.set_webhook(
            url=url,
            secret_token=_webhook_secret(settings),
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
            max_connections=40,
        )
    except TelegramError as exc:
        raise FitCoachError(f"Telegram refused WEBHOOK_URL {url}: {exc.message}") from exc
    logger.info("Webhook set: Telegram posts to %s; listening on port %d", url, settings.port)


async def _stop(
    application: FitCoachApp,
    server: HttpServer | None,
    poller: InboxPoller | None,
    worker: InboxWorker | None,
    inbox: InboxService | None,
) -> None:
    # Cancelled (the process is being killed, or a test's crash): nothing gets to finish.
    task = asyncio.current_task()
    hard = task is not None and task.cancelling() > 0
    # No new updates; Telegram delivers again what we did not store.
    if server is not None:
        await server.stop()
    if poller is not None:
        await poller.stop()
    if worker is not None:
        # What is still pending stays in the inbox for the next start (or another instance).
        await worker.stop(SHUTDOWN_GRACE_SECONDS, hard=hard)
    await stop_broadcasts(application)  # before the bot's HTTP client closes
    await stop_reminders(application)
    if application.running:
        await application.stop()
    await application.shutdown()
    if inbox is not None:
        await inbox.close()
    await close_services(application)


@contextlib.contextmanager
def _stop_on_signals(stop: asyncio.Event) -> Any:
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            # Not in the main thread (tests) or not supported here: the caller sets ``stop``.
            pass
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
