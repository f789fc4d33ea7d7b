"""Markdown from the model turned into Telegram-safe HTML, split or truncated to Telegram's limits.

Pure text work (no telegram import): every function returns HTML that Telegram's parser accepts.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Final, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.text.limits import CAPTION_LIMIT, ELLIPSIS, MESSAGE_LIMIT, utf16_length

# html=False makes markdown-it treat raw HTML as literal text, which we then escape: nothing the
# model writes can become a tag. linkify stays off (it needs an extra package).
_MAX_NESTING: Final = 40
_MD: Final = MarkdownIt("commonmark", {"html": False, "maxNesting": _MAX_NESTING}).enable(
    ["table", "strikethrough"]
)

_ALLOWED_SCHEMES: Final = frozenset({"http", "https", "tg", "mailto"})
_SCHEME_RE: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_LANGUAGE_RE: Final = re.compile(r"[A-Za-z0-9_+#.-]{1,32}")
_BULLETS: Final = ("•", "◦", "▪")
_RULE: Final = "─" * 12

# Inline markdown-it token types mapped to the Telegram tag they become.
_INLINE_TAGS: Final = {"strong_open": "b", "em_open": "i", "s_open": "s"}


def escape(text: str) -> str:
    """Escape user or model text for Telegram HTML (text content and attribute values alike)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def markdown_to_html(md: str) -> str:
    """Render Markdown as Telegram HTML: only allowed tags, always balanced, all text escaped."""
    tokens = _MD.parse(md)
    if any(token.level >= _MAX_NESTING - 1 for token in tokens):
        # markdown-it silently drops blocks nested deeper than maxNesting; showing the source
        # as plain text loses nothing.
        return escape(md).strip("\n")
    return _Renderer().blocks(_block_tree(tokens), _Ctx()).strip("\n")


def partial_markdown_to_html(prefix: str) -> str:
    """Render the first part of a Markdown answer still being written, as the whole will look.

    Emphasis, code spans and fences the model opened but has not closed yet are closed (an
    opener with nothing after it is dropped), so ``**Warm-up`` shows bold rather than its
    asterisks. Should markers still show through, the text is shown without them.
    """
    rendered = markdown_to_html(_complete_prefix(prefix))
    if _LEFTOVER_MARKER.search(html_to_plain(_CODE_HTML.sub("", rendered))):
        return escape(_without_markers(prefix)).strip("\n")
    return rendered


def _without_markers(text: str) -> str:
    """``text`` without paired markers, also those that meet once the ones between are gone
    (``*`*`` would otherwise become ``**``)."""
    shorter = _MARKERS.sub("", text)
    while shorter != text:
        text, shorter = shorter, _MARKERS.sub("", shorter)
    return text


_FENCE: Final = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)
# A last line that is only list or rule markers so far ("-", "* ", "1."): it could briefly
# turn the line above into a heading or show a bullet with nothing in it.
_MARKER_LINE: Final = re.compile(r"\n[ \t]*(?:[-*+=_]+|[0-9]+[.)])?[ \t]*$")
_LEFTOVER_MARKER: Final = re.compile(r"\*\*|__|~~")
_MARKERS: Final = re.compile(r"\*\*|__|~~|`+")
# A link still being written ("[text](https://ex"): its text alone until it is complete.
_OPEN_LINK: Final = re.compile(r"!?\[([^\[\]]*)(?:\]\([^()\s]*)?$")
_CODE_HTML: Final = re.compile(r"<code[^>]*>.*?</code>", re.DOTALL)


def _complete_prefix(prefix: str) -> str:
    """``prefix`` with every construct it left open closed again."""
    fences = list(_FENCE.finditer(prefix))
    opened: str | None = None
    for fence in fences:
        marker = fence.group(1)
        if opened is None:
            opened = marker
        elif marker[0] == opened[0] and len(marker) >= len(opened):
            opened = None
    if opened is not None:
        return prefix.rstrip("`~") + "\n" + opened  # inside a code block: close the block
    text = _MARKER_LINE.sub("", prefix.rstrip())
    paragraph_start = text.rfind("\n\n") + 1
    head, last = text[:paragraph_start], text[paragraph_start:]
    return head + _close_inline(_OPEN_LINK.sub(r"\1", last))


def _close_inline(text: str) -> str:
    """Close the emphasis, strikethrough and code spans a paragraph leaves open."""
    stack: list[tuple[str, int]] = []  # (delimiter run, where its text starts)
    position = 0
    code: str | None = None
    while position < len(text):
        char = text[position]
        end = position
        while end < len(text) and text[end] == char:
            end += 1
        run = text[position:end]
        if char == "\\":
            position += 2
            continue
        if char == "`":
            if code is None:
                code = run
                stack.append((run, end))
            elif run == code:
                code = None
                stack.pop()
        elif code is None and char in "*_~" and (char != "~" or len(run) == 2):
            before = text[position - 1] if position else " "
            # At the end more text is coming: a run there may still open something.
            after = text[end] if end < len(text) else "x"
            can_open = not after.isspace() and not (char == "_" and before.isalnum())
            can_close = not before.isspace() and not (char == "_" and after.isalnum())
            if can_close and stack and stack[-1][0] == run:
                stack.pop()
            elif can_open:
                stack.append((run, end))
        position = end
    while stack and stack[-1][1] >= len(text):
        # An opener with nothing after it yet: drop it rather than close it on nothing.
        text = text[: len(text) - len(stack.pop()[0])].rstrip()
    return text + "".join(run for run, _ in reversed(stack))


# ---------------------------------------------------------------------------------------------
# Markdown rendering


@dataclass(slots=True)
class _Block:
    token: Token
    children: list[_Block] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Ctx:
    in_quote: bool = False
    list_depth: int = 0


def _block_tree(tokens: Sequence[Token]) -> list[_Block]:
    """Nest the flat block token stream; block depth is bounded by markdown-it's maxNesting."""
    root: list[_Block] = []
    stack: list[list[_Block]] = [root]
    for token in tokens:
        if token.nesting == 1:
            node = _Block(token)
            stack[-1].append(node)
            stack.append(node.children)
        elif token.nesting == -1:
            if len(stack) > 1:
                stack.pop()
        else:
            stack[-1].append(_Block(token))
    return root


def _allowed_href(href: str) -> str | None:
    """The href when Telegram may link to it, else None (relative, javascript:, data: ...)."""
    match = _SCHEME_RE.match(href)
    if match is None or match.group(1).lower() not in _ALLOWED_SCHEMES:
        return None
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in href):
        return None
    return href


def _inline_plain(tokens: Sequence[Token]) -> str:
    """Visible text of inline tokens without any markup (image alts, table cells)."""
    parts: list[str] = []
    # An explicit stack instead of recursion: image alts may nest images arbitrarily deep.
    pending: list[Iterator[Token]] = [iter(tokens)]
    while pending:
        token = next(pending[-1], None)
        if token is None:
            pending.pop()
            continue
        if token.type in ("text", "text_special", "code_inline", "html_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image" and token.children:
            pending.append(iter(token.children))
    return "".join(parts)


def _display_width(text: str) -> int:
    """Columns ``text`` takes in a monospace font: wide (CJK, emoji) count two, combining zero."""
    width = 0
    previous = 0
    for ch in text:
        if ch == "\ufe0f":
            # Emoji presentation selector: the character before it is drawn as a wide emoji.
            width += 1 if previous == 1 else 0
            previous = 2
            continue
        if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufe0e":
            continue
        previous = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        width += previous
    return width


def _indent_following_lines(text: str, indent: str) -> str:
    """Indent every line but the first, except code blocks and lines starting a block entity.

    Code keeps its own indentation, and spaces before a <pre> or <blockquote> would show up as
    a stray line above the block.
    """
    lines = text.split("\n")
    result = [lines[0]]
    in_pre = _ends_in_pre(lines[0], in_pre=False)
    for line in lines[1:]:
        starts_block = line.startswith(("<pre", "<blockquote"))
        result.append(line if in_pre or starts_block or not line else indent + line)
        in_pre = _ends_in_pre(line, in_pre=in_pre)
    return "\n".join(result)


_PRE_TAG_RE: Final = re.compile(r"<pre>|</pre>")


def _ends_in_pre(line: str, *, in_pre: bool) -> bool:
    # Text is always escaped, so every "<pre>" or "</pre>" in rendered output is a tag.
    for match in _PRE_TAG_RE.finditer(line):
        in_pre = match.group() == "<pre>"
    return in_pre


class _Renderer:
    """Walks markdown-it tokens and emits only the tags Telegram understands."""

    def blocks(self, nodes: Sequence[_Block], ctx: _Ctx, separator: str = "\n\n") -> str:
        rendered = (self.block(node, ctx) for node in nodes)
        return separator.join(part for part in rendered if part)

    def block(self, node: _Block, ctx: _Ctx) -> str:
        token = node.token
        kind = token.type
        if kind == "paragraph_open":
            return self.blocks(node.children, ctx)
        if kind == "inline":
            return self.inline(token.children or [])
        if kind == "heading_open":
            inner = self.blocks(node.children, ctx)
            return f"<b>{inner}</b>" if inner else ""
        if kind in ("bullet_list_open", "ordered_list_open"):
            return self.list(node, ctx)
        if kind == "blockquote_open":
            # Telegram refuses nested blockquotes: inner quotes merge into the outer one.
            inner = self.blocks(node.children, _Ctx(True, ctx.list_depth))
            if ctx.in_quote or not inner:
                return inner
            return f"<blockquote>{inner}</blockquote>"
        if kind in ("fence", "code_block"):
            return self.code(token)
        if kind == "hr":
            return _RULE
        if kind == "table_open":
            return self.table(node)
        if kind in ("html_block", "html_inline"):
            return escape(token.content.rstrip("\n"))
        return self.blocks(node.children, ctx)

    def list(self, node: _Block, ctx: _Ctx) -> str:
        ordered = node.token.type == "ordered_list_open"
        # markdown-it hides the paragraphs of tight lists; tight items sit on adjacent lines.
        tight = any(
            child.token.type == "paragraph_open" and child.token.hidden
            for item in node.children
            for child in item.children
        )
        separator = "\n" if tight else "\n\n"
        inner_ctx = _Ctx(ctx.in_quote, ctx.list_depth + 1)
        items: list[str] = []
        for number, item in enumerate(node.children, start=_list_start(node.token)):
            if ordered:
                marker = f"{item.token.info or number}."
            else:
                marker = _BULLETS[ctx.list_depth % len(_BULLETS)]
            body = self.blocks(item.children, inner_ctx, separator)
            # Continuation lines start roughly under the item's text: in Telegram's proportional
            # font a digit is about two spaces wide, a bullet or a dot about one.
            indent = " " * (2 * len(marker) if ordered else 3)
            items.append(f"{marker} {_indent_following_lines(body, indent)}" if body else marker)
        return separator.join(items)

    def code(self, token: Token) -> str:
        content = token.content.rstrip("\n")
        if not content.strip():
            return ""
        language = token.info.split()[0] if token.type == "fence" and token.info.split() else ""
        if _LANGUAGE_RE.fullmatch(language):
            return f'<pre><code class="language-{language}">{escape(content)}</code></pre>'
        return f"<pre>{escape(content)}</pre>"

    def table(self, node: _Block) -> str:
        rows: list[list[str]] = []
        aligns: list[str] = []
        for section in node.children:
            for row in section.children:
                cells: list[str] = []
                for cell in row.children:
                    inline = [c.token for c in cell.children if c.token.type == "inline"]
                    cells.append(" ".join(_inline_plain(t.children or []) for t in inline).strip())
                    if not rows:
                        aligns.append(str(cell.token.attrs.get("style", "")))
                rows.append(cells)
        if not rows:
            return ""
        columns = max(len(row) for row in rows)
        rows = [row + [""] * (columns - len(row)) for row in rows]
        aligns += [""] * (columns - len(aligns))
        widths = [max(_display_width(row[c]) for row in rows) for c in range(columns)]
        lines = [
            " | ".join(_pad(row[c], widths[c], aligns[c]) for c in range(columns)) for row in rows
        ]
        lines.insert(1, "-+-".join("-" * width for width in widths))
        return "<pre>" + escape("\n".join(line.rstrip() for line in lines)) + "</pre>"

    def inline(self, tokens: Sequence[Token]) -> str:
        out: list[str] = []
        # For each open token: the closing tag to emit ("" when the tag was suppressed), the
        # href of a link, and where its text starts (so an empty link text can show the URL).
        stack: list[tuple[str, str | None, int]] = []
        open_tags: list[str] = []
        for token in tokens:
            kind = token.type
            if kind in ("text", "text_special", "html_inline"):
                out.append(escape(token.content))
            elif kind in ("softbreak", "hardbreak"):
                out.append("\n")
            elif kind == "code_inline":
                # Telegram drops code entities inside links, so link text stays plain there.
                text = escape(token.content)
                out.append(text if "a" in open_tags else f"<code>{text}</code>")
            elif kind in _INLINE_TAGS:
                tag = _INLINE_TAGS[kind]
                # Re-opening a tag that is already open adds nothing visible, and without this
                # `***...***` runs would nest hundreds of identical entities.
                if tag in open_tags:
                    stack.append(("", None, len(out)))
                else:
                    out.append(f"<{tag}>")
                    open_tags.append(tag)
                    stack.append((f"</{tag}>", None, len(out)))
            elif kind == "link_open":
                href = _allowed_href(str(token.attrs.get("href", "")))
                if href is None or "a" in open_tags:
                    stack.append(("", None, len(out)))
                else:
                    out.append(f'<a href="{escape(href)}">')
                    open_tags.append("a")
                    stack.append(("</a>", href, len(out)))
            elif kind.endswith("_close"):
                if not stack:
                    continue
                closing, href, text_start = stack.pop()
                if closing:
                    if href is not None and not html_to_plain("".join(out[text_start:])).strip():
                        out.append(escape(href))
                    out.append(closing)
                    open_tags.pop()
            elif kind == "image":
                out.append(self.image(token, in_link="a" in open_tags))
            else:
                out.append(escape(token.content))
        # markdown-it always balances inline tokens; closing leftovers keeps that a guarantee.
        while stack:
            closing, _, _ = stack.pop()
            out.append(closing)
        return "".join(out)

    def image(self, token: Token, *, in_link: bool) -> str:
        alt = _inline_plain(token.children or []).strip()
        src = _allowed_href(str(token.attrs.get("src", "")))
        if src is None or in_link:
            return escape(alt)
        return f'<a href="{escape(src)}">{escape(alt or "image")}</a>'


def _list_start(token: Token) -> int:
    return int(token.attrs.get("start", 1))


def _pad(text: str, width: int, style: str) -> str:
    gap = width - _display_width(text)
    if "right" in style:
        return " " * gap + text
    if "center" in style:
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap


# ---------------------------------------------------------------------------------------------
# Visible text, splitting and truncation


class _Kind(IntEnum):
    TEXT = 0
    OPEN = 1
    CLOSE = 2


class _Atom(NamedTuple):
    """One indivisible piece of HTML: a tag, an entity or a single code point of text."""

    kind: _Kind
    raw: str
    text: str = ""  # visible text (tags: empty; entities: the character they stand for)
    units: int = 0  # UTF-16 length of text
    name: str = ""  # tag name, for tags


_HTML_PIECE_RE: Final = re.compile(
    r"(?P<tag></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?>)"
    r"|(?P<entity>&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)"
    r"|(?P<text>[^<&]+|[<&])"
)
_TAG_NAME_RE: Final = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")


def _text_atoms(text: str) -> list[_Atom]:
    return [_Atom(_Kind.TEXT, ch, ch, 2 if ord(ch) > 0xFFFF else 1) for ch in text]


def _html_atoms(source: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for match in _HTML_PIECE_RE.finditer(source):
        piece = match.group(0)
        if match.lastgroup == "tag":
            name_match = _TAG_NAME_RE.match(piece)
            name = name_match.group(1).lower() if name_match else ""
            kind = _Kind.CLOSE if piece.startswith("</") else _Kind.OPEN
            atoms.append(_Atom(kind, piece, name=name))
        elif match.lastgroup == "entity":
            text = html.unescape(piece)
            if len(text) == 1:
                atoms.append(_Atom(_Kind.TEXT, piece, text, utf16_length(text)))
            else:  # not an entity after all: its characters are visible as written
                atoms.extend(_text_atoms(piece))
        else:
            # Text outside tags holds no entities here, so each character is one atom; a stray
            # `<` or `&` (invalid input) is kept as a visible character rather than dropped.
            atoms.extend(_text_atoms(piece))
    return atoms


def html_to_plain(html_text: str) -> str:
    """The visible text of Telegram HTML: tags dropped, entities decoded."""
    return "".join(atom.text for atom in _html_atoms(html_text))


def visible_length(html_text: str) -> int:
    """Length Telegram counts against its limits: visible text in UTF-16 code units."""
    return sum(atom.units for atom in _html_atoms(html_text))


class _Break(IntEnum):
    """Kinds of places to cut, from least to most preferred; hard cuts come only after these."""

    WORD = 1
    LINE = 2
    PARAGRAPH = 3


_TITLE_MAX: Final = 120

# Characters that attach to the one before them: cutting before them would split a glyph.
_JOINERS: Final = frozenset("\u200d\ufe0e\ufe0f\u20e3")


def _can_hard_cut(before: str, after: str) -> bool:
    if after in _JOINERS or before == "\u200d" or unicodedata.combining(after):
        return False
    if 0x1F3FB <= ord(after) <= 0x1F3FF:  # skin-tone modifier
        return False
    # Two regional indicators form one flag.
    return not (0x1F1E6 <= ord(before) <= 0x1F1FF and 0x1F1E6 <= ord(after) <= 0x1F1FF)


def _find_cut(atoms: Sequence[_Atom], start: int, limit: int, *, by_block: bool) -> int:
    """Index to end the chunk starting at ``start``; its visible length is at most ``limit``.

    ``by_block`` ranks paragraph over line over word breaks (splitting); otherwise as much text
    as fits is kept (truncation). Hard cuts come only when no break will do.
    """
    used = 0
    newlines = 0
    line_begin = start
    title = False
    candidates: list[tuple[int, _Break, int]] = []  # (index after the break, kind, units before)
    end = len(atoms)
    for index in range(start, len(atoms)):
        atom = atoms[index]
        if atom.kind is not _Kind.TEXT:
            continue
        if used + atom.units > limit:
            end = index
            break
        used += atom.units
        if atom.text == "\n":
            if not newlines:
                title = _is_title(atoms[line_begin:index])
            newlines += 1
            line_begin = index + 1
            # A title stays with the paragraph it introduces: the break after it is only a line.
            kind = _Break.PARAGRAPH if newlines >= 2 and not title else _Break.LINE
            candidates.append((index + 1, kind, used))
        elif atom.text.isspace():
            # Spaces after a newline are the next line's indentation, not a place to cut.
            if not newlines:
                candidates.append((index + 1, _Break.WORD, used))
        else:
            newlines = 0
    else:
        return len(atoms)
    cut = _choose(candidates, limit, by_block=by_block)
    if cut is None:
        cut = _hard_cut(atoms, start, end)
    # Closing tags right after the cut belong to this chunk, opening tags right before it to the
    # next one: this avoids chunks that end in an empty reopened entity.
    while cut < len(atoms) and atoms[cut].kind is _Kind.CLOSE:
        cut += 1
    while cut > start and atoms[cut - 1].kind is _Kind.OPEN:
        cut -= 1
    return cut


def _hard_cut(atoms: Sequence[_Atom], start: int, end: int) -> int:
    """The last place before ``end`` (a text atom) that does not split a glyph."""
    after = end
    for before in range(end - 1, start - 1, -1):
        if atoms[before].kind is not _Kind.TEXT:
            continue
        if _can_hard_cut(atoms[before].text, atoms[after].text):
            return after
        after = before
    return end  # one glyph cluster longer than the limit: cut it anyway


def _is_title(line: Sequence[_Atom]) -> bool:
    """Whether a line reads as a heading: short and all bold, or a lead-in ending with a colon."""
    pieces = [a for a in line if a.kind is not _Kind.TEXT or not a.text.isspace()]
    text = "".join(a.text for a in pieces)
    if not text or utf16_length(text) > _TITLE_MAX:
        return False
    if text.endswith(":"):
        return True
    first = pieces[0]
    if first.kind is not _Kind.OPEN or first.name not in ("b", "strong"):
        return False
    depth = 0
    for position, atom in enumerate(pieces):
        if atom.name == first.name:
            depth += 1 if atom.kind is _Kind.OPEN else -1
            if depth == 0:
                return position == len(pieces) - 1
    return False


def _choose(candidates: list[tuple[int, _Break, int]], limit: int, *, by_block: bool) -> int | None:
    """Where to cut among the soft breaks, or None when only a hard cut will do."""
    if not by_block:
        # Truncation keeps as much as fits: back up to a word break only when it loses little.
        late = [c for c in candidates if c[2] * 5 >= limit * 4]
        return late[-1][0] if late else None
    # A break in the first half of the window would waste most of a message; take one there
    # only when the latter half has none, and still before cutting a word.
    late = [c for c in candidates if c[2] * 2 >= limit]
    for kind in (_Break.PARAGRAPH, _Break.LINE, _Break.WORD):
        of_kind = [c for c in late if c[1] is kind]
        if of_kind:
            return of_kind[-1][0]
    if candidates:
        best = max(kind for _, kind, _ in candidates)
        return next(c[0] for c in reversed(candidates) if c[1] is best)
    return None


def _apply_tags(stack: list[_Atom], atoms: Iterable[_Atom]) -> list[_Atom]:
    """The open-tag stack after ``atoms``, starting from ``stack``."""
    result = list(stack)
    for atom in atoms:
        if atom.kind is _Kind.OPEN:
            result.append(atom)
        elif atom.kind is _Kind.CLOSE:
            for depth in range(len(result) - 1, -1, -1):
                if result[depth].name == atom.name:
                    del result[depth:]
                    break
    return result


def _trim(atoms: list[_Atom], *, leading_newlines: bool) -> list[_Atom]:
    """Drop whitespace at a cut: trailing whitespace, and newlines the chunk would start with.

    Tags among the dropped whitespace are kept; leading spaces are kept as code indentation.
    """
    trimmed = list(atoms)
    index = len(trimmed) - 1
    while index >= 0:
        atom = trimmed[index]
        if atom.kind is _Kind.TEXT:
            if not atom.text.isspace():
                break
            del trimmed[index]
        index -= 1
    if leading_newlines:
        index = 0
        while index < len(trimmed):
            atom = trimmed[index]
            if atom.kind is _Kind.TEXT:
                if atom.text not in ("\n", "\r"):
                    break
                del trimmed[index]
                continue
            index += 1
    return trimmed


def _closing(stack: Sequence[_Atom]) -> str:
    return "".join(f"</{atom.name}>" for atom in reversed(stack))


def _split_atoms(atoms: list[_Atom], limit: int) -> list[str]:
    if limit < 2:
        # An astral character is two UTF-16 units; a smaller limit could never make progress.
        raise ValueError(f"limit must be at least 2, got {limit}")
    chunks: list[str] = []
    stack: list[_Atom] = []
    start = 0
    while start < len(atoms):
        cut = _find_cut(atoms, start, limit, by_block=True)
        piece = atoms[start:cut]
        end_stack = _apply_tags(stack, piece)
        body = _trim(piece, leading_newlines=start > 0)
        if any(not atom.text.isspace() for atom in body if atom.kind is _Kind.TEXT):
            opening = "".join(atom.raw for atom in stack)
            chunks.append(opening + "".join(atom.raw for atom in body) + _closing(end_stack))
        stack = end_stack
        start = cut
    return chunks


def split_html(html_text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split Telegram HTML into messages of at most ``limit`` visible UTF-16 units each.

    Cuts prefer paragraph, then line, then word boundaries, and never fall inside a tag or an
    entity; tags open at a cut are closed and reopened, so each chunk is valid on its own.
    Whitespace-only input gives no chunks (Telegram refuses empty messages).
    """
    atoms = _html_atoms(html_text)
    if sum(atom.units for atom in atoms) <= limit and limit >= 2:
        return [html_text] if any(not a.text.isspace() for a in atoms if a.text) else []
    return _split_atoms(atoms, limit)


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split plain text into messages of at most ``limit`` UTF-16 units, at the best boundaries.

    Same preferences as :func:`split_html`; whitespace at cuts is dropped, blank chunks too.
    """
    return _split_atoms(_text_atoms(text), limit)


def truncate_html(html_text: str, limit: int = CAPTION_LIMIT) -> str:
    """Shorten Telegram HTML to ``limit`` visible UTF-16 units, ending with … when cut."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    atoms = _html_atoms(html_text)
    if sum(atom.units for atom in atoms) <= limit:
        return html_text
    cut = _find_cut(atoms, 0, limit - utf16_length(ELLIPSIS), by_block=False)
    piece = atoms[:cut]
    body = _trim(piece, leading_newlines=False)
    return "".join(atom.raw for atom in body) + ELLIPSIS + _closing(_apply_tags([], piece))
