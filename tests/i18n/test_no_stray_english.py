"""No user-visible English sentence hides in code: every such text comes from the catalog.

The scan reads bot/handlers, bot/services and bot/domain with ``ast`` and flags string
literals that look like sentences (three or more words of Latin letters), except where a
string is not for users: docstrings, log calls, exceptions for developers, dict keys,
comparisons, and the few modules and names allowed below with their reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SCANNED = ("bot/handlers", "bot/services", "bot/domain")

# Modules whose English is not shown to users, with the reason.
ALLOWED_MODULES = {
    # Word lists that read what users type (synonyms, red-flag phrases), not texts shown.
    "bot/domain/safety.py",
    "bot/domain/safety_lexicon.py",
    "bot/domain/concepts.py",
    "bot/domain/exercises.py",
    "bot/domain/workout_parser.py",
    # The model's tool descriptions and the profile text for its prompt are model-facing.
    "bot/services/coach.py",
    # The catalog import command prints to the operator's terminal, not to users.
    "bot/services/catalog_import.py",
}
# (module, enclosing function or assignment target): model-facing or developer-facing text.
ALLOWED_NAMES = {
    ("bot/domain/metrics.py", "describe_profile_for_coach"),  # the model's prompt
    ("bot/domain/profile.py", "_ACTIVITY_WORDS"),  # words users may type, not shown
    ("bot/handlers/admin.py", "_CHAT_GONE"),  # Telegram's error wording, matched
    ("bot/handlers/render.py", "_entities_refused"),  # Telegram's error wording, matched
    ("bot/handlers/render.py", "_message_gone"),  # Telegram's error wording, matched
    ("bot/handlers/errors.py", "describe_update"),  # the log's description of an update
    ("bot/services/catalog.py", "OWNER_LICENSE"),  # a stored licence value, not a sentence
    ("bot/services/plans.py", "_preferences_text"),  # the plan request to the model
}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
# Calls whose strings are details kept for logs and admins' records, never sent to users.
DETAIL_CALLS = {"SendResult"}
SENTENCE = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")


CODE = re.compile(r"<code>.*?</code>|<[^>]+>|\{[^}]*\}", re.DOTALL)


def _looks_like_english(text: str) -> bool:
    if " " not in text.strip():
        return False
    text = CODE.sub(" ", text)  # markup, commands in <code> and placeholders are not words
    if text.lstrip().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
        return False
    words = SENTENCE.findall(text)
    return len(words) >= 3 and sum(len(word) for word in words) >= 0.5 * len(text.strip())


class _Scanner(ast.NodeVisitor):
    def __init__(self, module: str) -> None:
        self.module = module
        self.found: list[str] = []
        self._skip: set[int] = set()
        self._scope: list[str] = []

    def _skip_tree(self, node: ast.AST | None) -> None:
        if node is not None:
            self._skip.update(id(child) for child in ast.walk(node))

    def visit_Module(self, node: ast.Module) -> None:
        self._skip_docstring(node)
        self.generic_visit(node)

    def _skip_docstring(self, node: ast.AST) -> None:
        body = getattr(node, "body", [])
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            self._skip_tree(body[0])

    def _visit_scope(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self._skip_docstring(node)
        self._scope.append(node.name)
        self.generic_visit(node)
        self._scope.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._visit_scope(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._visit_scope(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = {getattr(base, "id", getattr(base, "attr", "")) for base in node.bases}
        if bases & {"Enum", "StrEnum"}:
            self._skip_tree(node)  # enum values are identifiers; their texts are catalog keys
        self._visit_scope(node)

    def _visit_assignment(self, node: ast.Assign | ast.AnnAssign) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [target.id for target in targets if isinstance(target, ast.Name)]
        self._scope.extend(names)
        self.generic_visit(node)
        del self._scope[len(self._scope) - len(names) :]

    def visit_Assign(self, node: ast.Assign) -> None:
        self._visit_assignment(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._visit_assignment(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant):
            self._skip_tree(node)  # docstrings, of modules, functions and attributes alike
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        # Log lines, developer exceptions (errors other than UserInputError) and details
        # kept for logs are not user-visible literals.
        if name in LOG_METHODS | DETAIL_CALLS or (
            name.endswith(("Error", "Exception")) and name != "UserInputError"
        ):
            self._skip_tree(node)
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        call = node.exc
        if isinstance(call, ast.Call) and getattr(call.func, "id", "") != "UserInputError":
            self._skip_tree(call)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key in node.keys:
            self._skip_tree(key)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        self._skip_tree(node)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if id(node) in self._skip or not isinstance(node.value, str):
            return
        if any((self.module, scope) in ALLOWED_NAMES for scope in self._scope):
            return
        if _looks_like_english(node.value):
            self.found.append(f"{self.module}:{node.lineno}: {node.value[:60]!r}")


def _modules() -> list[str]:
    return sorted(
        str(path.relative_to(ROOT))
        for folder in SCANNED
        for path in (ROOT / folder).rglob("*.py")
        if str(path.relative_to(ROOT)) not in ALLOWED_MODULES
    )


@pytest.mark.parametrize("module", _modules())
def test_no_english_sentence_outside_the_catalog(module: str) -> None:
    scanner = _Scanner(module)
    scanner.visit(ast.parse((ROOT / module).read_text(encoding="utf-8")))
    assert scanner.found == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sorry, something went wrong.", True),
        ("pf:set:units", False),
        ("fitcoach-export-{user_id}.json", False),
        ("<code>/profile height=180 cm weight=82.5 kg</code>", False),
        ("Send a message to every user", True),
    ],
)
def test_the_scan_tells_sentences_from_code(text: str, expected: bool) -> None:
    assert _looks_like_english(text) is expected


def test_the_scan_finds_a_reply_and_spares_logs_and_docstrings() -> None:
    source = '''
"""A module docstring with several words in it."""
async def handler(message, logger):
    """Docstring with several words."""
    logger.info("Answered the user with %s", "a log line of words")
    await message.reply_text("Thanks, I saved your profile.")
'''
    scanner = _Scanner("example.py")
    scanner.visit(ast.parse(source))
    assert scanner.found == ["example.py:6: 'Thanks, I saved your profile.'"]
