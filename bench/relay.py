"""The baseline bot: python-telegram-bot plus AsyncOpenAI, one model call and one reply per message.

No database, no rate limiter, no streaming, no memory: what relaying a message costs at least.
Run it as ``python -m bench.relay`` with TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL, OPENAI_BASE_URL,
OPENAI_API_KEY and OPENAI_MODEL in the environment.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from openai import AsyncOpenAI
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

SYSTEM_PROMPT = "You are a friendly fitness coach. Answer briefly."

RelayApp = Application[Any, Any, Any, Any, Any, Any]


def build_relay(token: str, api_url: str, client: AsyncOpenAI, model: str) -> RelayApp:
    """The relay Application: every text message goes to the model, its answer goes back."""

    async def relay(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.text is None:
            return
        completion = await client.chat.completions.create(
            model=model,
            messages=[
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": message.text},
            ],
        )
        await message.reply_text(completion.choices[0].message.content or "…")

    async def close_client(application: RelayApp) -> None:
        await client.close()

    application: RelayApp = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        # Chats are served side by side, as the coach serves them: a fair floor for latency.
        .concurrent_updates(True)
        .post_shutdown(close_client)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, relay))
    return application


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    client = AsyncOpenAI(
        api_key=os.environ.get("OPENAI_API_KEY") or "not-set",
        base_url=os.environ.get("OPENAI_BASE_URL") or None,
    )
    application = build_relay(
        token=os.environ["TELEGRAM_BOT_TOKEN"],
        api_url=os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/"),
        client=client,
        model=os.environ.get("OPENAI_MODEL", "gpt-4o-mini"),
    )
    application.run_polling(allowed_updates=[Update.MESSAGE], poll_interval=0.0)


if __name__ == "__main__":
    main()
