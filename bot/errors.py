"""The one exception tree of FitCoach; every layer raises these and the edges translate them."""

from __future__ import annotations

from bot.i18n import Text


class FitCoachError(Exception):
    """Root of every error FitCoach raises on purpose."""


class ConfigError(FitCoachError):
    """A setting is missing or malformed; the message names it and the fix."""


class UserInputError(FitCoachError):
    """Something a user typed cannot be accepted; the message is safe to show them.

    ``field`` names what was wrong (``height``, ``weight``...) when there is one.

    ``message`` is usually a ``bot.i18n.Text``: a catalog key with parameters (``code`` and
    ``params``), English as a string, rendered in the user's language by ``text.render``.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def text(self) -> Text:
        """The message as catalog Text (plain strings become a verbatim message)."""
        return (
            self.message
            if isinstance(self.message, Text)
            else Text("error.verbatim", text=self.message)
        )

    @property
    def code(self) -> str:
        """The catalog key of the message: what went wrong, for code and tests."""
        return self.text.key

    @property
    def params(self) -> dict[str, object]:
        return self.text.params


class AmbiguousInputError(UserInputError):
    """The input has more than one sensible reading; ask the user instead of guessing."""


class StorageError(FitCoachError):
    """The database could not be reached or refused an operation."""


class NotFoundError(FitCoachError):
    """A looked-up thing (user, exercise, broadcast) does not exist."""


class LLMError(FitCoachError):
    """The language model could not produce an answer."""


class LLMTimeoutError(LLMError):
    """The model did not answer within OPENAI_TIMEOUT (after the client's retries)."""


class LLMRateLimitError(LLMError):
    """The model server kept answering 429 after the client's retries.

    ``retry_after`` is the wait in seconds the server asked for, when it said one.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LLMUnavailableError(LLMError):
    """The model server failed (5xx, connection refused, malformed answer)."""


class LLMIncompleteError(LLMUnavailableError):
    """The answer broke off after part of it had arrived (a cut stream, a stall, bad data)."""


class LLMContextLengthError(LLMError):
    """The prompt was longer than the model's context window."""


class LLMToolsUnsupportedError(LLMError):
    """The server refused a request because it does not support tool calling."""


class LLMImagesUnsupportedError(LLMError):
    """The server refused a request because its model cannot read images."""


class DownloadError(FitCoachError):
    """A file a user sent could not be fetched from Telegram."""


class ImportSourceError(FitCoachError):
    """An exercise data source (the wger API, a free-exercise-db file) could not be read."""
