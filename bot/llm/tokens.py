"""Offline token estimates: a conservative count by script, calibrated by the server's usage.

tiktoken downloads its encodings on first use and cannot run offline; every server also has
its own tokenizer, so an estimate that errs high and learns from ``usage`` is the safer tool.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

# Chat templates wrap each message in role markers and separators.
TOKENS_PER_MESSAGE = 4
# The template also primes the assistant's reply.
TOKENS_PER_REPLY = 3
# Each tool definition adds a little framing around its JSON schema.
TOKENS_PER_TOOL = 8

_RUN = re.compile(
    r"(?P<latin>[A-Za-z\u00c0-\u024f\u1e00-\u1eff]+)"
    r"|(?P<cyrillic>[\u0400-\u052f]+)"
    r"|(?P<digits>[0-9]+)"
    r"|(?P<newlines>[\r\n]+)"
    r"|(?P<spaces>[ \t]+)"
    r"|(?P<other>.)",
    re.DOTALL,
)


class _Message(Protocol):
    @property
    def role(self) -> str: ...

    @property
    def content(self) -> str: ...


class _Tool(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def parameters(self) -> Mapping[str, Any]: ...


@functools.lru_cache(maxsize=8192)
def estimate_tokens(text: str) -> int:
    """Return a conservative (rather high) token count for ``text``.

    BPE tokenizers give an English word about 1.3 tokens; Cyrillic, accented Latin and other
    scripts split into more pieces, and CJK or emoji can take one or more tokens per character.
    Digits are counted one by one because several open models tokenize them that way.
    """
    total = 0.0
    for match in _RUN.finditer(text):
        kind = match.lastgroup
        run = match.group()
        if kind == "latin":
            total += math.ceil(len(run) / (4 if run.isascii() else 3))
        elif kind == "cyrillic":
            total += math.ceil(len(run) / 2.5)
        elif kind == "digits" or kind == "newlines":
            total += len(run)
        elif kind == "spaces":
            # A single space merges into the next word; longer runs (indentation) do not.
            total += (len(run) - 1) / 4
        else:
            total += _other_char_tokens(run)
    return math.ceil(total)


def _other_char_tokens(char: str) -> float:
    code = ord(char)
    if code > 0xFFFF:
        return 2.0  # emoji and other astral characters take several bytes, often 2+ tokens
    if (
        0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul
        or 0xF900 <= code <= 0xFAFF
    ):
        return 1.5
    # Punctuation, symbols and letters of other scripts: about one token each.
    return 1.0


class TokenEstimator:
    """Estimates prompt sizes and learns a correction ratio from the server's ``usage``.

    The ratio rises at once when the server counts more than we predicted and falls only
    gradually (and never below what was observed, plus a margin), so budgets stay safe.
    """

    def __init__(
        self,
        *,
        ratio: float = 1.0,
        smoothing: float = 0.2,
        margin: float = 1.1,
        min_ratio: float = 0.5,
        max_ratio: float = 4.0,
        min_sample: int = 32,
    ) -> None:
        if not 0 < min_ratio <= ratio <= max_ratio:
            raise ValueError("ratio must lie within [min_ratio, max_ratio] and be positive")
        if not 0 < smoothing <= 1:
            raise ValueError("smoothing must be in (0, 1]")
        self._ratio = ratio
        self._smoothing = smoothing
        self._margin = margin
        self._min_ratio = min_ratio
        self._max_ratio = max_ratio
        self._min_sample = min_sample

    @property
    def ratio(self) -> float:
        """The current factor applied to raw estimates."""
        return self._ratio

    def estimate(self, text: str) -> int:
        """Estimate the tokens of one piece of text, calibrated."""
        return math.ceil(estimate_tokens(text) * self._ratio)

    def estimate_messages(
        self, messages: Iterable[_Message], *, tools: Iterable[_Tool] = ()
    ) -> int:
        """Estimate the prompt tokens of a chat request, with per-message and tool overhead."""
        raw = TOKENS_PER_REPLY
        for message in messages:
            raw += TOKENS_PER_MESSAGE + estimate_tokens(message.content)
        for tool in tools:
            schema = json.dumps(dict(tool.parameters), ensure_ascii=False)
            raw += TOKENS_PER_TOOL + estimate_tokens(f"{tool.name} {tool.description} {schema}")
        return math.ceil(raw * self._ratio)

    def calibrate(self, estimated: int, actual_prompt_tokens: int) -> None:
        """Learn from one request: ``estimated`` is what this estimator predicted for it."""
        # Tiny prompts are dominated by template overhead, and some servers report 0.
        if estimated < self._min_sample or actual_prompt_tokens <= 0:
            return
        target = self._ratio * (actual_prompt_tokens / estimated) * self._margin
        if target >= self._ratio:
            new_ratio = target
        else:
            new_ratio = self._ratio + self._smoothing * (target - self._ratio)
        self._ratio = min(self._max_ratio, max(self._min_ratio, new_ratio))
