"""User commands: /start, /help and the recording of who writes to the bot."""

from __future__ import annotations

from telegram import Update

from bot.handlers.context import Context
from bot.services.users import UserInfo

WELCOME = (
    "Hi {name}! I'm FitCoach, your fitness coach in Telegram.\n"
    "I give general fitness information, not medical advice.\n"
    "Tell me about yourself with /profile, or just ask me anything about training."
)

HELP = (
    "/start - welcome and what I can do\n"
    "/help - this list\n"
    "/profile - show or set your height, weight, age, goal\n"
    "/bmi - your BMI and a healthy weight range\n"
    "/exercise name - how to do an exercise, with a demo\n"
    "/reset - start a new conversation (your profile stays)\n"
    "/forget - delete everything I know about you\n"
    "/export - download everything I store about you"
)


async def record_user(update: Update, context: Context) -> None:
    """Remember who wrote, before any other handler runs."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    chat = update.effective_chat
    private_chat = chat.id if chat is not None and chat.type == "private" else None
    await context.services.users.record(
        UserInfo(
            user_id=user.id,
            first_name=user.first_name,
            last_name=user.last_name,
            username=user.username,
            language_code=user.language_code,
            chat_id=private_chat,
        )
    )


async def start(update: Update, context: Context) -> None:
    """Greet the user and invite them to set their profile."""
    message = update.effective_message
    user = update.effective_user
    if message is None:
        return
    name = user.first_name if user is not None else "there"
    await message.reply_text(WELCOME.format(name=name))


async def help_command(update: Update, context: Context) -> None:
    """List the commands."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(HELP)
