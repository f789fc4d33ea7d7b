"""Find concepts (a symptom, a qualifier, a body part) in a message, sentence by sentence.

A concept is a set of phrases; a phrase is a run of word patterns. Words match exactly,
by prefix (``stem*``, for inflection) or with one typo on longer words; ``_`` is any word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import product

from rapidfuzz.distance import OSA

WILDCARD = "_"
# Typos are forgiven only on words this long: short words have too many real neighbours.
_FUZZY_MIN = 6
# How many words before a concept a negation still reaches ("I don't have any chest pain").
_NEGATION_REACH = 4
# Words remembered with their patterns; ordinary chat repeats a small vocabulary.
_CACHE_SIZE = 50_000

_SENTENCE = re.compile(r"[^.!?;\n…]+")
_WORD = re.compile(r"[\w']+")
_CLAUSE_MARK = re.compile(r"[,:()\-–—/]")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that start a new clause: a negation before them does not reach past them.
_CLAUSE_WORDS = _words(
    "but and though although however yet "
    "но и а однако "
    "pero y aunque sino "
    "aber und doch sondern jedoch"
)
_NEGATIONS = _words(
    "no not never none nor neither without dont don't doesnt doesn't didnt didn't isnt isn't "
    "wasnt wasn't arent aren't havent haven't hasnt hasn't hadnt hadn't wont won't "
    "нет не ни без никогда нету боюсь "
    "nunca sin ni tampoco evitar prevenir miedo "
    "nicht nie niemals ohne vermeiden angst"
)
# "avoid fainting", "prevent", "fear of", "избежать", "evitar", "keine", "vermeide".
_NEGATION_PREFIXES = (
    "avoid",
    "prevent",
    "fear",
    "избега",
    "избеж",
    "предотвра",
    "evit",
    "kein",
    "vermeid",
)
# Fear words deny only what follows "of"/"to" ("afraid of fainting"); "I'm worried, my chest
# hurts" and "I'm afraid my chest hurts" report a symptom.
_FEARS = _words("afraid scared terrified")
_FEAR_LINKS = _words("of to")
# "чуть не упала в обморок" is "nearly fainted", not a negation.
_NEARLY = _words("чуть едва почти")
# Negations that follow what they deny: "боли в груди нет", "die Brust schmerzt nicht".
_AFTER_NEGATIONS = _words("нет nicht")


def fold_word(word: str) -> tuple[str, ...]:
    """A word and, when it spells umlauts out (``muede``), the same word without them."""
    plain = word.replace("ae", "a").replace("oe", "o").replace("ue", "u")
    return (word,) if plain == word else (word, plain)


@dataclass(frozen=True, slots=True)
class Hit:
    """One concept found in a sentence: word positions ``start``..``end`` (exclusive)."""

    concept: str
    start: int
    end: int
    negated: bool


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence's text, its words' character spans and the concepts found in it."""

    text: str
    spans: tuple[tuple[int, int], ...]
    hits: tuple[Hit, ...]
    concepts: frozenset[str]

    def fragment(self, hits: Iterable[Hit]) -> str:
        chosen = list(hits)
        start = min(hit.start for hit in chosen)
        end = max(hit.end for hit in chosen)
        return self.text[self.spans[start][0] : self.spans[end - 1][1]]


Phrase = tuple[str, ...]


class Lexicon:
    """Concept phrases compiled for fast lookup; a veto ``!name`` drops the hits it overlaps."""

    def __init__(self, concepts: Mapping[str, str], fold: Callable[[str], str]) -> None:
        # Phrases are "|"-separated, words space-separated; both are folded like the text.
        # One-word phrases by their word; longer ones by their first two words.
        self._single: dict[str, list[str]] = {}
        self._multi: dict[tuple[str, str], list[tuple[str, Phrase]]] = {}
        self._exact: dict[str, set[str]] = {}
        self._prefix: dict[str, set[str]] = {}
        self._fuzzy: dict[str, set[str]] = {}
        for concept, source in concepts.items():
            for raw in source.split("|"):
                phrase = tuple(fold(raw).split())
                if not phrase:
                    continue
                if len(phrase) == 1:
                    self._single.setdefault(phrase[0], []).append(concept)
                else:
                    self._multi.setdefault((phrase[0], phrase[1]), []).append((concept, phrase))
                for pattern in phrase:
                    self._register(pattern)
        self._cache: dict[str, frozenset[str]] = {}
        self._prefix_lengths = sorted({len(stem) for stem in self._prefix})
        self._fuzzy_lengths = sorted(
            {len(pattern.rstrip("*")) for keys in self._fuzzy.values() for pattern in keys}
        )

    def _register(self, pattern: str) -> None:
        if pattern == WILDCARD:
            return
        stem = pattern.rstrip("*")
        table = self._prefix if pattern.endswith("*") else self._exact
        table.setdefault(stem, set()).add(pattern)
        if len(stem) == _FUZZY_MIN - 1 and not pattern.endswith("*"):
            self._fuzzy.setdefault(stem, set()).add(pattern)
        if len(stem) >= _FUZZY_MIN:
            for key in {stem} | {stem[:i] + stem[i + 1 :] for i in range(len(stem))}:
                self._fuzzy.setdefault(key, set()).add(pattern)

    def patterns(self, word: str) -> frozenset[str]:
        """The word patterns ``word`` matches, typos included (remembered per word)."""
        known = self._cache.get(word)
        if known is None:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            known = self._cache[word] = self._lookup(word)
        return known

    def _lookup(self, word: str) -> frozenset[str]:
        found: set[str] = set()
        for form in fold_word(word):
            found |= self._exact.get(form, set())
            for length in self._prefix_lengths:
                if length > len(form):
                    break
                found |= self._prefix.get(form[:length], set())
        if found or len(word) < _FUZZY_MIN:
            return frozenset(found)
        return frozenset(self._typos(word))

    def _typos(self, word: str) -> set[str]:
        # A slip within a stem's first letters shows as a shared one-letter deletion.
        heads = {word[:length] for length in self._fuzzy_lengths if length <= len(word)}
        heads |= {word[: length + 1] for length in self._fuzzy_lengths if length < len(word)}
        heads.add(word)
        candidates: set[str] = set()
        fuzzy = self._fuzzy
        for head in heads:
            for key in (head, *(head[:i] + head[i + 1 :] for i in range(len(head)))):
                if key in fuzzy:
                    candidates |= fuzzy[key]
        return {pattern for pattern in candidates if _one_slip(pattern, word)}

    def sentence(self, text: str) -> Sentence:
        """Find every concept in one sentence, with vetoes applied and negations marked."""
        matches = list(_WORD.finditer(text))
        words = [match.group() for match in matches]
        spans = tuple(match.span() for match in matches)
        found = [self.patterns(word) for word in words]
        raw: list[tuple[str, int, int]] = []
        count = len(words)
        for index, patterns in enumerate(found):
            following = (*found[index + 1], WILDCARD) if index + 1 < count else ()
            for first in patterns:
                raw.extend((concept, index, index + 1) for concept in self._single.get(first, ()))
                for second in following:
                    for concept, phrase in self._multi.get((first, second), ()):
                        end = index + len(phrase)
                        if end <= count and all(
                            pattern == WILDCARD or pattern in found[index + offset]
                            for offset, pattern in enumerate(phrase[2:], start=2)
                        ):
                            raw.append((concept, index, end))
        if not raw:
            return Sentence(text=text, spans=spans, hits=(), concepts=frozenset())
        vetoes = [(concept[1:], start, end) for concept, start, end in raw if concept[0] == "!"]
        kept = [
            hit
            for hit in raw
            if hit[0][0] != "!"
            and not any(
                concept == hit[0] and start < hit[2] and hit[1] < end
                for concept, start, end in vetoes
            )
        ]
        covered = {position for _, start, end in kept for position in range(start, end)}
        clauses = _clauses(text, words, spans)
        hits = tuple(
            Hit(
                concept=concept,
                start=start,
                end=end,
                negated=_negated(words, clauses, covered, start, end),
            )
            for concept, start, end in dict.fromkeys(kept)
        )
        return Sentence(
            text=text, spans=spans, hits=hits, concepts=frozenset(hit.concept for hit in hits)
        )


def _one_slip(pattern: str, word: str) -> bool:
    """One substitution, swap, extra or missing letter, never in the first letter."""
    stem = pattern.rstrip("*")
    if stem[0] != word[0]:
        return False
    if not pattern.endswith("*"):
        # A five-letter word only forgives an extra letter ("orrina").
        if len(stem) < _FUZZY_MIN and len(word) != len(stem) + 1:
            return False
        return OSA.distance(stem, word, score_cutoff=1) <= 1
    # A prefix drops a letter only in a short word: "desayuno" is no slip of "desmay*".
    lengths = range(len(stem) - (len(word) <= len(stem) + 1), len(stem) + 2)
    return any(
        OSA.distance(stem, word[:length], score_cutoff=1) <= 1
        for length in lengths
        if length <= len(word)
    )


def _clauses(text: str, words: list[str], spans: tuple[tuple[int, int], ...]) -> list[int]:
    marks = [match.start() for match in _CLAUSE_MARK.finditer(text)]
    clause = 0
    result: list[int] = []
    next_mark = 0
    for word, (start, _) in zip(words, spans, strict=True):
        if word in _CLAUSE_WORDS or (next_mark < len(marks) and marks[next_mark] < start):
            clause += 1
        while next_mark < len(marks) and marks[next_mark] < start:
            next_mark += 1
        result.append(clause)
    return result


def _is_negation(words: list[str], position: int) -> bool:
    word = words[position]
    if word in _FEARS:
        return position + 1 < len(words) and words[position + 1] in _FEAR_LINKS
    if word == "не" and position > 0 and words[position - 1] in _NEARLY:
        return False
    return word in _NEGATIONS or word.startswith(_NEGATION_PREFIXES)


def _negated(words: list[str], clauses: list[int], covered: set[int], start: int, end: int) -> bool:
    for position in range(max(0, start - _NEGATION_REACH), start):
        if (
            position not in covered
            and clauses[position] == clauses[start]
            and _is_negation(words, position)
        ):
            return True
    for position in range(end, min(len(words), end + 2)):
        if (
            position not in covered
            and clauses[position] == clauses[end - 1]
            and words[position] in _AFTER_NEGATIONS
        ):
            return True
    return False


def sentences(lexicon: Lexicon, text: str) -> list[Sentence]:
    """Split normalised ``text`` into sentences and find the concepts in each."""
    return [lexicon.sentence(match.group()) for match in _SENTENCE.finditer(text)]


@dataclass(frozen=True, slots=True)
class Rule:
    """Concepts that together raise a flag: one of each group, within ``span`` words.

    With ``elsewhere``, another rule must also hold somewhere in the same message.
    """

    groups: tuple[frozenset[str], ...]
    span: int = 12
    negatable: bool = True
    elsewhere: Rule | None = None
    # Concepts that, anywhere in the sentence, explain the symptom away (beetroot, red urine).
    unless: frozenset[str] = frozenset()

    def possible(self, concepts: frozenset[str]) -> bool:
        """Whether ``concepts`` has one concept of each group (ignoring place and negation)."""
        return all(not group.isdisjoint(concepts) for group in self.groups)

    def match(self, sentence: Sentence) -> tuple[Hit, ...] | None:
        """The hits that satisfy this rule in ``sentence``, or ``None``."""
        if not self.possible(sentence.concepts) or not self.unless.isdisjoint(sentence.concepts):
            return None
        choices = [
            [
                hit
                for hit in sentence.hits
                if hit.concept in group and not (self.negatable and hit.negated)
            ]
            for group in self.groups
        ]
        for combination in product(*choices):
            start = min(hit.start for hit in combination)
            end = max(hit.end for hit in combination)
            if end - start <= self.span:
                return combination
        return None


def rule(
    *groups: str,
    span: int = 12,
    negatable: bool = True,
    elsewhere: Rule | None = None,
    unless: str = "",
) -> Rule:
    """``rule("chest", "pain pressure")``: each argument is a space-separated group of concepts."""
    return Rule(
        groups=tuple(frozenset(group.split()) for group in groups),
        span=span,
        negatable=negatable,
        elsewhere=elsewhere,
        unless=frozenset(unless.split()),
    )
