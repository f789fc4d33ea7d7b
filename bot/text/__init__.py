"""Text work shared by every layer: Markdown to Telegram HTML, Telegram's length rules."""
