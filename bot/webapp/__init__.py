"""The Mini App's page: static files served by bot.transport.http under /app/."""
