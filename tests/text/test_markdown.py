"""Proof that model Markdown becomes HTML Telegram accepts, and stays valid when split or cut."""

from __future__ import annotations

import ast
import html
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.text import markdown as formatting
from bot.text.limits import CAPTION_LIMIT, MESSAGE_LIMIT, utf16_length
from bot.text.markdown import (
    escape,
    html_to_plain,
    markdown_to_html,
    split_html,
    split_text,
    truncate_html,
    visible_length,
)

# ---------------------------------------------------------------------------------------------
# An independent validator of Telegram's HTML parse mode (Bot API 10 "Formatting options").

TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
}
SCHEMES = ("http://", "https://", "tg://", "mailto:")
ENTITY_RE = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")
START_TAG_RE = re.compile(r'<[a-z-]+(?: [a-z]+(?:="[^"<>]*")?)?>')


class TelegramHTML(HTMLParser):
    """Collects every way a string breaks Telegram's HTML rules, and its visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.errors: list[str] = []
        self.stack: list[str] = []
        self.text: list[str] = []
        # Inside <pre>: whether anything but a language <code> came first.
        self.pre_has_content = False
        self.pre_code_closed = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or ""
        if not START_TAG_RE.fullmatch(raw):
            self.errors.append(f"malformed start tag {raw!r}")
        if tag not in TAGS:
            self.errors.append(f"tag <{tag}> not allowed")
        self.check_attrs(tag, attrs)
        self.check_nesting(tag)
        if tag == "pre":
            self.pre_has_content = False
            self.pre_code_closed = False
        self.stack.append(tag)

    def check_attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = attrs[0][1] if len(attrs) == 1 and attrs[0][0] == "href" else None
            if href is None or not href.lower().startswith(SCHEMES):
                self.errors.append(f"<a> needs one allowed href, got {attrs}")
        elif tag == "span":
            if attrs != [("class", "tg-spoiler")]:
                self.errors.append(f"<span> attributes {attrs}")
        elif tag == "code" and attrs:
            value = attrs[0][1] or ""
            if len(attrs) != 1 or attrs[0][0] != "class" or not value.startswith("language-"):
                self.errors.append(f"<code> attributes {attrs}")
            if self.stack[-1:] != ["pre"]:
                self.errors.append("language class outside <pre>")
        elif tag == "blockquote":
            if attrs not in ([], [("expandable", None)]):
                self.errors.append(f"<blockquote> attributes {attrs}")
        elif attrs:
            self.errors.append(f"<{tag}> takes no attributes, got {attrs}")

    def check_nesting(self, tag: str) -> None:
        if "code" in self.stack:
            self.errors.append(f"<{tag}> inside <code>")
        if "pre" in self.stack and not (
            tag == "code" and self.stack[-1] == "pre" and not self.pre_has_content
        ):
            self.errors.append(f"<{tag}> inside <pre>")
        if tag == "blockquote" and "blockquote" in self.stack:
            self.errors.append("nested <blockquote>")
        if tag == "a" and "a" in self.stack:
            self.errors.append("nested <a>")
        if tag in ("code", "pre") and "a" in self.stack:
            self.errors.append(f"<{tag}> inside <a>")
        if "pre" in self.stack:
            self.pre_has_content = True

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> does not close {self.stack[-1:]}")
            return
        self.stack.pop()
        if tag == "code" and self.stack[-1:] == ["pre"]:
            self.pre_code_closed = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.errors.append(f"self-closing <{tag}/>")

    def handle_data(self, data: str) -> None:
        for ch in "<>&":
            if ch in data:
                self.errors.append(f"unescaped {ch!r} in {data!r}")
        self.content(data)

    def handle_entityref(self, name: str) -> None:
        self.content(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.content(html.unescape(f"&#{name};"))

    def content(self, text: str) -> None:
        if self.stack[-1:] == ["pre"]:
            if self.pre_code_closed:
                self.errors.append("text after </code> in <pre>")
            self.pre_has_content = True
        self.text.append(text)

    def handle_comment(self, data: str) -> None:
        self.errors.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.errors.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.errors.append(f"processing instruction {data!r}")

    def unknown_decl(self, data: str) -> None:
        self.errors.append(f"unknown declaration {data!r}")


def validate(markup: str) -> str:
    """Fail unless Telegram would accept ``markup``; return its visible text."""
    parser = TelegramHTML()
    parser.feed(markup)
    parser.close()
    errors = list(parser.errors)
    if parser.stack:
        errors.append(f"unclosed {parser.stack}")
    # html.parser accepts "&amp" without ";" and names Telegram does not know; Telegram does not.
    for match in re.finditer(r"&", markup):
        if not ENTITY_RE.match(markup, match.start()):
            errors.append(
                f"bare & at {match.start()}: {markup[match.start() : match.start() + 8]!r}"
            )
    assert not errors, f"{errors} in {markup!r}"
    visible = "".join(parser.text)
    assert html_to_plain(markup) == visible
    assert visible_length(markup) == len(visible.encode("utf-16-le")) // 2
    return visible


def assert_reassembles(original: str, texts: list[str]) -> None:
    """``texts``, in order, make up ``original`` with only whitespace lost at the cuts."""
    cursor = 0
    for text in texts:
        while (
            cursor < len(original)
            and original[cursor].isspace()
            and not original.startswith(text, cursor)
        ):
            cursor += 1
        assert original.startswith(text, cursor), (text, original[cursor : cursor + len(text)])
        cursor += len(text)
    assert original[cursor:].strip() == ""


def assert_valid_chunks(markup: str, chunks: list[str], limit: int) -> None:
    for chunk in chunks:
        validate(chunk)
        assert visible_length(chunk) <= limit
        assert html_to_plain(chunk).strip()
    assert_reassembles(html_to_plain(markup), [html_to_plain(chunk) for chunk in chunks])


# ---------------------------------------------------------------------------------------------
# markdown_to_html

RENDERING = [
    ("# Title", "<b>Title</b>"),
    ("Title\n===", "<b>Title</b>"),
    ("**bold** and __bold__", "<b>bold</b> and <b>bold</b>"),
    ("*it* and _it_", "<i>it</i> and <i>it</i>"),
    ("~~gone~~", "<s>gone</s>"),
    ("use `x < 1`", "use <code>x &lt; 1</code>"),
    (
        "```python\nif a < b:\n    pass\n```",
        '<pre><code class="language-python">if a &lt; b:\n    pass</code></pre>',
    ),
    ("```\nplain\n```", "<pre>plain</pre>"),
    ("    indented <code>", "<pre>indented &lt;code&gt;</pre>"),
    ("[site](https://example.com)", '<a href="https://example.com">site</a>'),
    (
        "<https://example.com/a?b=1&c=2>",
        '<a href="https://example.com/a?b=1&amp;c=2">https://example.com/a?b=1&amp;c=2</a>',
    ),
    ("[me](tg://user?id=42)", '<a href="tg://user?id=42">me</a>'),
    ("<coach@example.com>", '<a href="mailto:coach@example.com">coach@example.com</a>'),
    ("[](https://example.com)", '<a href="https://example.com">https://example.com</a>'),
    ("[relative](/path)", "relative"),
    (
        "![squat](https://example.com/squat.gif)",
        '<a href="https://example.com/squat.gif">squat</a>',
    ),
    ("![squat](/squat.gif)", "squat"),
    ("- one\n- two", "• one\n• two"),
    ("3. three\n4. four", "3. three\n4. four"),
    ("1) one", "1. one"),
    ("> quoted\n> text", "<blockquote>quoted\ntext</blockquote>"),
    ("> > > deep", "<blockquote>deep</blockquote>"),
    ("above\n\n---\n\nbelow", "above\n\n────────────\n\nbelow"),
    ("hard  \nbreak", "hard\nbreak"),
    ("soft\nbreak", "soft\nbreak"),
    ("**Привет**, _мир_", "<b>Привет</b>, <i>мир</i>"),
    ("[`code` link](https://example.com)", '<a href="https://example.com">code link</a>'),
    ("", ""),
]


@pytest.mark.parametrize(("markdown", "expected"), RENDERING)
def test_markdown_renders_to_telegram_tags(markdown: str, expected: str) -> None:
    html_text = markdown_to_html(markdown)
    assert html_text == expected
    validate(html_text)


NASTY = [
    pytest.param("**unbalanced", "**unbalanced", id="unbalanced-bold"),
    pytest.param("**bold *ital**", "*bold ital", id="crossed-emphasis"),
    pytest.param("snake_case_name and _stray", "snake_case_name and _stray", id="stray-underscore"),
    pytest.param("<script>alert(1)</script>", "<script>alert(1)</script>", id="script-tag"),
    pytest.param("a < b && c > d", "a < b && c > d", id="bare-comparisons"),
    pytest.param("<b>bold?</b> <i", "<b>bold?</b> <i", id="raw-inline-html"),
    pytest.param("<div>\n<p>block</p>\n</div>", "<div>\n<p>block</p>\n</div>", id="raw-html-block"),
    pytest.param(
        "<!-- hidden --> <!DOCTYPE x> <?php ?>",
        "<!-- hidden --> <!DOCTYPE x> <?php ?>",
        id="html-decls",
    ),
    pytest.param("```\nif (a < b && c > d) {}\n```", "if (a < b && c > d) {}", id="fence-with-lt"),
    pytest.param(
        "```js\nunclosed <b> fence\n\nstill code",
        "unclosed <b> fence\n\nstill code",
        id="unclosed-fence",
    ),
    pytest.param('```"><script>\nx\n```', "x", id="hostile-fence-info"),
    pytest.param("[x](javascript:alert(1))", "[x](javascript:alert(1))", id="javascript-link"),
    pytest.param("[x](JAVASCRIPT:alert(1))", "[x](JAVASCRIPT:alert(1))", id="javascript-upper"),
    pytest.param("[x](<javascript:alert(1)>)", None, id="javascript-angle"),
    pytest.param("[x](data:text/html,<b>)", None, id="data-link"),
    pytest.param("[x](ftp://example.com)", "x", id="ftp-link"),
    pytest.param('[x](https://e.com/"onmouseover="a)', "x", id="quote-in-href"),
    pytest.param('[x](https://e.com "title with "quotes"")', None, id="quoted-title"),
    pytest.param("[a [b](https://b.com)](https://a.com)", "[a b](https://a.com)", id="nested-link"),
    pytest.param("[![img](https://e.com/i.png)](https://e.com)", "img", id="image-in-link"),
    pytest.param("&amp; &lt; &copy; &#0; &bogus; \x00", None, id="entities-and-nul"),
    pytest.param("*" * 3000 + "a" + "*" * 3000, "a", id="deep-emphasis"),
    pytest.param("> " * 10 + "deep", "deep", id="deep-quotes"),
    pytest.param("> " * 200 + "deep", "> " * 200 + "deep", id="too-deep-quotes-as-source"),
    pytest.param("- " * 200 + "deep", "- " * 200 + "deep", id="too-deep-lists-as-source"),
    pytest.param("👍🏽 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🇺🇦 👨‍👩‍👧", "👍🏽 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🇺🇦 👨‍👩‍👧", id="emoji-astral"),
    pytest.param("**Жим лёжа** — 3×8, _отдых_ 90 с", "Жим лёжа — 3×8, отдых 90 с", id="cyrillic"),
    pytest.param("> quote with ```code``` and\n> ```\n> block\n> ```", None, id="code-in-quote"),
    pytest.param("# `code` **in** heading", "code in heading", id="code-in-heading"),
    pytest.param("| a | b |\n|---|---|\n| <x> | & |", None, id="table-with-specials"),
    pytest.param("\\*not bold\\* \\<b\\>", "*not bold* <b>", id="backslash-escapes"),
]


@pytest.mark.parametrize(("markdown", "visible"), NASTY)
def test_nasty_markdown_still_gives_valid_html(markdown: str, visible: str | None) -> None:
    text = validate(markdown_to_html(markdown))
    if visible is not None:
        assert text == visible


def test_raw_html_is_escaped_never_passed_through() -> None:
    html_text = markdown_to_html("<script>alert(1)</script> <b onclick=x>hi</b>")
    assert "<script" not in html_text
    assert "<b onclick" not in html_text
    assert "&lt;script&gt;" in html_text


def test_unsafe_link_schemes_never_become_links() -> None:
    for markdown in ("[x](javascript:alert(1))", "[x](vbscript:x)", "[x](data:text/html,x)"):
        assert "<a " not in markdown_to_html(markdown)


def test_quotes_in_href_cannot_break_out_of_the_attribute() -> None:
    html_text = markdown_to_html('[x](https://e.com/"onmouseover="a)')
    hrefs = re.findall(r'<a href="([^"]*)">', html_text)
    assert hrefs == ["https://e.com/%22onmouseover=%22a"]


def test_nested_lists_three_deep_are_indented_with_markers() -> None:
    markdown = "- squat\n  - low bar\n    1. brace\n    2. descend\n- bench"
    lines = html_to_plain(markdown_to_html(markdown)).split("\n")
    assert lines[0] == "• squat"
    assert lines[1].lstrip() == "◦ low bar"
    assert lines[2].lstrip() == "1. brace"
    assert lines[3].lstrip() == "2. descend"
    assert lines[4] == "• bench"
    indents = [len(line) - len(line.lstrip()) for line in lines]
    assert indents[0] < indents[1] < indents[2] == indents[3]


def test_loose_list_items_are_separated_by_blank_lines() -> None:
    assert markdown_to_html("- one\n\n- two") == "• one\n\n• two"


def test_code_inside_a_list_keeps_its_own_indentation() -> None:
    html_text = markdown_to_html("- run:\n\n  ```\n  a\n    b\n  ```")
    assert "<pre>a\n  b</pre>" in html_text
    assert "\n<pre>" in html_text  # no stray spaces before the block


def test_table_becomes_aligned_monospace_block() -> None:
    markdown = "| Exercise | Sets | kg |\n|:--|:-:|--:|\n| Squat | 5 | 100 |\n| Жим 🏋️ | 3 | 62.5 |"
    html_text = markdown_to_html(markdown)
    validate(html_text)
    assert html_text.startswith("<pre>")
    assert html_text.endswith("</pre>")
    lines = html_to_plain(html_text).split("\n")
    assert lines == [
        "Exercise | Sets |   kg",
        "---------+------+-----",
        "Squat    |  5   |  100",
        "Жим 🏋️   |  3   | 62.5",
    ]


def test_table_cells_lose_inline_markup() -> None:
    html_text = markdown_to_html("| **a** | [b](https://e.com) |\n|---|---|\n| `<c>` | d |")
    assert html_text == "<pre>a   | b\n----+--\n&lt;c&gt; | d</pre>"


def test_nested_emphasis_does_not_repeat_tags() -> None:
    html_text = markdown_to_html("**bold **again** bold** and ***both***")
    validate(html_text)
    assert "<b><b>" not in html_text
    assert "<i><b>both</b></i>" in html_text or "<b><i>both</i></b>" in html_text


MARKDOWN_PIECES = [
    *"abcxyz яж 0123",
    *"*_~`#>-+|[]()!\\<>&\"'=:.",
    "\n",
    "\n\n",
    "**",
    "__",
    "~~",
    "```",
    "```py\n",
    "    ",
    "- ",
    "1. ",
    "> ",
    "# ",
    "---",
    "|---|",
    "](https://e.com/x)",
    "](javascript:x)",
    "<https://e.com>",
    "<script>",
    "&amp;",
    "😀",
    "👍🏽",
    "🇺🇦",
    "𝔘",
]
markdownish = st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=80).map("".join)
FAST = settings(max_examples=200, deadline=None, database=None)


@FAST
@given(markdownish)
def test_any_markdownish_text_renders_valid_html(markdown: str) -> None:
    validate(markdown_to_html(markdown))


@FAST
@given(st.text())
def test_any_unicode_renders_valid_html(markdown: str) -> None:
    validate(markdown_to_html(markdown))


# ---------------------------------------------------------------------------------------------
# split_html and split_text


def words(count: int, prefix: str = "w") -> str:
    return " ".join(f"{prefix}{i:03d}" for i in range(count))


def test_text_that_fits_is_returned_unchanged() -> None:
    markup = "<b>hello</b>\n\nworld"
    assert split_html(markup) == [markup]


@pytest.mark.parametrize("markup", ["", "   ", "\n\n", "<b> </b>"])
def test_blank_text_gives_no_messages(markup: str) -> None:
    assert split_html(markup) == []


def test_paragraph_boundary_is_preferred() -> None:
    first = words(8, "a")  # 39 characters
    second = words(8, "b")
    markup = f"{first}\n\n{second}"
    assert split_html(markup, limit=60) == [first, second]


def test_paragraph_boundary_preferred_over_later_line_boundary() -> None:
    first = words(6, "a")
    rest = words(3, "b") + "\n" + words(3, "c") + "\n" + words(3, "d")
    chunks = split_html(f"{first}\n\n{rest}", limit=len(first) + 30)
    assert chunks[0] == first


def test_line_boundary_preferred_over_word_boundary() -> None:
    markup = words(5, "a") + "\n" + words(20, "b")
    chunks = split_html(markup, limit=40)
    assert chunks[0] == words(5, "a")
    assert_valid_chunks(markup, chunks, 40)


def test_words_are_not_cut_when_a_space_exists() -> None:
    markup = words(100)
    chunks = split_html(markup, limit=23)
    assert_valid_chunks(markup, chunks, 23)
    for chunk in chunks:
        assert all(re.fullmatch(r"w\d{3}", word) for word in chunk.split(" "))


def test_a_word_longer_than_the_limit_is_cut_hard() -> None:
    chunks = split_html("x" * 100, limit=30)
    assert chunks == ["x" * 30, "x" * 30, "x" * 30, "x" * 10]


def test_long_code_block_is_closed_and_reopened_in_every_chunk() -> None:
    code = "\n".join(f"    total += weights[{i}]  # set {i} & rep < 10" for i in range(120))
    markup = markdown_to_html(f"Program:\n\n```python\n{code}\n```\n\nDone.")
    chunks = split_html(markup, limit=500)
    assert len(chunks) > 5
    assert_valid_chunks(markup, chunks, 500)
    code_chunks = [c for c in chunks if "total +=" in c]
    for chunk in code_chunks:
        body = chunk.split('<pre><code class="language-python">', 1)[1]
        assert body.split("</code></pre>", 1)[0].count("<") == 0
        # Lines of code are never cut in the middle, and keep their indentation.
        for line in html_to_plain(body.split("</code></pre>")[0]).split("\n"):
            assert re.fullmatch(r"    total \+= weights\[\d+\]  # set \d+ & rep < 10", line)
    assert all(c.startswith('<pre><code class="language-python">') for c in code_chunks[1:])
    assert all("</code></pre>" in c for c in code_chunks)


def test_long_bold_and_link_are_reopened_with_same_attributes() -> None:
    markup = f'<b>{words(40)}</b> <a href="https://e.com/?a=1&amp;b=2">{words(40, "l")}</a>'
    chunks = split_html(markup, limit=50)
    assert_valid_chunks(markup, chunks, 50)
    assert all(c.startswith("<b>") and c.endswith("</b>") for c in chunks if "w0" in c)
    link_chunks = [c for c in chunks if "l0" in c]
    assert len(link_chunks) > 3
    for chunk in link_chunks:
        assert '<a href="https://e.com/?a=1&amp;b=2">' in chunk
        assert chunk.endswith("</a>")


def test_blockquote_split_keeps_every_piece_quoted() -> None:
    markup = markdown_to_html("> " + words(60))
    chunks = split_html(markup, limit=100)
    assert len(chunks) > 2
    assert_valid_chunks(markup, chunks, 100)
    assert all(c.startswith("<blockquote>") and c.endswith("</blockquote>") for c in chunks)


def test_entities_are_never_split_and_count_as_one() -> None:
    markup = "&amp;" * 20
    chunks = split_html(markup, limit=7)
    assert chunks == ["&amp;" * 7, "&amp;" * 7, "&amp;" * 6]


def test_limits_count_utf16_units() -> None:
    markup = "😀" * 3000  # 6000 UTF-16 units
    chunks = split_html(markup)
    assert [len(c) for c in chunks] == [2048, 952]
    assert all(visible_length(c) <= MESSAGE_LIMIT for c in chunks)


@pytest.mark.parametrize("glyph", ["👍🏽", "🇺🇦", "❤️", "é", "1️⃣"])
def test_hard_cuts_do_not_split_a_glyph(glyph: str) -> None:
    markup = glyph * 12
    limit = max(utf16_length(glyph) + 1, 2)
    chunks = split_html(markup, limit=limit)
    assert_valid_chunks(markup, chunks, limit)
    assert all(c == glyph * (len(c) // len(glyph)) for c in chunks)


def test_limit_below_two_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        split_html("abc", limit=1)


def test_long_reply_splits_into_telegram_sized_valid_messages() -> None:
    section = "## Day {n}\n\n" + "- **Squat** 5×5 at 80 kg, rest 3 min & breathe\n" * 30
    markdown = "\n".join(section.format(n=n) for n in range(12))
    markup = markdown_to_html(markdown)
    assert visible_length(markup) > 3 * MESSAGE_LIMIT
    chunks = split_html(markup)
    assert 4 <= len(chunks) <= 5
    assert_valid_chunks(markup, chunks, MESSAGE_LIMIT)
    # Cuts fall between list items, never inside one.
    for chunk in chunks:
        assert html_to_plain(chunk).split("\n")[-1].endswith("breathe")


@FAST
@given(markdownish, st.integers(min_value=2, max_value=80))
def test_split_of_any_rendering_is_valid_and_complete(markdown: str, limit: int) -> None:
    markup = markdown_to_html(markdown)
    assert_valid_chunks(markup, split_html(markup, limit), limit)


@FAST
@given(st.text(), st.integers(min_value=2, max_value=50))
def test_split_text_chunks_fit_and_reassemble(text: str, limit: int) -> None:
    chunks = split_text(text, limit)
    assert all(utf16_length(c) <= limit and c.strip() for c in chunks)
    assert_reassembles(text, chunks)


def test_split_text_prefers_paragraphs() -> None:
    text = "First paragraph here.\n\nSecond one, a bit longer than that."
    assert split_text(text, limit=45) == [
        "First paragraph here.",
        "Second one, a bit longer than that.",
    ]


def test_split_text_leaves_markup_characters_alone() -> None:
    assert split_text("<b> & </b>", limit=5) == ["<b>", "&", "</b>"]


# ---------------------------------------------------------------------------------------------
# html_to_plain, visible_length, escape


@pytest.mark.parametrize(
    ("markup", "plain", "length"),
    [
        ("a &amp; b", "a & b", 5),
        ("<b>x</b><i>y</i>", "xy", 2),
        ("&lt;b&gt;", "<b>", 3),
        ("&quot;&#39;&#x27;", "\"''", 3),
        ("😀", "😀", 2),
        ("&#128512;", "😀", 2),
        ('<a href="https://x.com/?a=1&amp;b=2">link</a>', "link", 4),
        ('<pre><code class="language-py">x = 1</code></pre>', "x = 1", 5),
        ("Ж", "Ж", 1),
        ("", "", 0),
    ],
)
def test_visible_text_and_length(markup: str, plain: str, length: int) -> None:
    assert html_to_plain(markup) == plain
    assert visible_length(markup) == length


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<a href="x">', "&lt;a href=&quot;x&quot;&gt;"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("&amp;", "&amp;amp;"),
        ("it's", "it's"),
        ("Привет 👋", "Привет 👋"),
    ],
)
def test_escape(text: str, expected: str) -> None:
    assert escape(text) == expected


@FAST
@given(st.text())
def test_escape_round_trips_and_is_valid(text: str) -> None:
    escaped = escape(text)
    assert html_to_plain(escaped) == text
    assert validate(escaped) == text


# ---------------------------------------------------------------------------------------------
# truncate_html


def test_caption_that_fits_is_unchanged() -> None:
    markup = "<b>Squat</b> — CC BY-SA 4.0"
    assert truncate_html(markup) == markup


def test_truncation_ends_with_ellipsis_inside_open_tags() -> None:
    markup = f"<b>{words(300)}</b>"
    cut = truncate_html(markup)
    validate(cut)
    assert visible_length(cut) <= CAPTION_LIMIT
    assert visible_length(cut) > CAPTION_LIMIT - 10
    assert cut.endswith("…</b>")
    assert re.fullmatch(r"(w\d{3} )*w\d{3}…", html_to_plain(cut))


def test_truncation_cuts_a_long_word_hard() -> None:
    assert truncate_html("x" * 50, limit=10) == "x" * 9 + "…"


def test_truncation_to_one_unit_leaves_the_ellipsis() -> None:
    assert truncate_html("<i>abc</i>", limit=1) == "…"


@FAST
@given(markdownish, st.integers(min_value=1, max_value=60))
def test_truncation_of_any_rendering_is_valid(markdown: str, limit: int) -> None:
    markup = markdown_to_html(markdown)
    cut = truncate_html(markup, limit)
    visible = validate(cut)
    assert utf16_length(visible) <= limit
    if cut != markup:
        assert visible.endswith("…")
        assert html_to_plain(markup).startswith(visible[:-1])


# ---------------------------------------------------------------------------------------------
# The module stays pure: Telegram-free and dependency-light.


def test_module_imports_only_stdlib_and_markdown_it() -> None:
    tree = ast.parse(Path(formatting.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and not node.module.startswith("bot.text.")  # its own leaf package
        ):
            imported.add(node.module.split(".")[0])
    assert imported - set(sys.stdlib_module_names) - {"__future__"} == {"markdown_it"}


@pytest.mark.parametrize("title", ["<b>Plan for today</b>", "Here is your plan:"])
def test_a_title_stays_with_the_paragraph_it_introduces(title: str) -> None:
    intro = words(6, "a")
    markup = f"{intro}\n\n{title}\n\n{words(20, 'b')}"
    chunks = split_html(markup, limit=len(intro) + 30)
    assert chunks[0] == intro
    assert chunks[1].startswith(title)
    assert_valid_chunks(markup, chunks, len(intro) + 30)


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("**Warm-up", "<b>Warm-up</b>"),
        ("**Разминка**: десять ", "<b>Разминка</b>: десять"),
        ("Do **3 sets** of `squ", "Do <b>3 sets</b> of <code>squ</code>"),
        ("```python\nprint(1", '<pre><code class="language-python">print(1</code></pre>'),
        ("~~old", "<s>old</s>"),
        ("Do *this* and **", "Do <i>this</i> and"),  # an opener with nothing after it
        ("**", ""),
        ("Warm-up\n-", "Warm-up"),  # not a heading for a moment
        ("- item\n- ", "• item"),
        ("snake_case_name and", "snake_case_name and"),
        ("2 * 3 = 6 and 4 * 5", "2 * 3 = 6 and 4 * 5"),
        ("Use `**` for bold", "Use <code>**</code> for bold"),
        ("**a *b** c", "a *b c"),  # crossed markers: plain text without them
        ("See [the guide](https://exa", "See the guide"),
        ("See [the gu", "See the gu"),
        (
            "See [the guide](https://example.org) and",
            'See <a href="https://example.org">the guide</a> and',
        ),
    ],
)
def test_a_partial_answer_renders_without_markers(prefix: str, expected: str) -> None:
    assert formatting.partial_markdown_to_html(prefix) == expected


@given(st.text(alphabet="*_~`ab \n-#[]()", max_size=40))
@example("a*`*")  # removing the backtick made the two stars meet
def test_a_partial_answer_never_shows_paired_markers(prefix: str) -> None:
    rendered = formatting.partial_markdown_to_html(prefix)
    outside_code = html_to_plain(re.sub(r"<code[^>]*>.*?</code>", "", rendered, flags=re.DOTALL))
    assert not re.search(r"\*\*|__|~~", outside_code), rendered
