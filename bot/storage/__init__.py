"""Persistence: the only package that imports SQLAlchemy."""

from bot.storage.engine import Database

__all__ = ["Database"]
