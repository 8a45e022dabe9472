"""Case-insensitive substring search that means the same on every database."""

from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

_ESCAPE = "/"


class unicode_lower(FunctionElement[str]):  # noqa: N801 (reads as the SQL function it is)
    """lower() with Unicode case mapping, as Python's str.lower().

    SQLite's own lower() knows only ASCII: infrastructure.database replaces it on
    every connection with Python's. PostgreSQL's follows the collation of its
    argument, and our text columns use "C" (exact comparison, code-point order),
    whose lower() is ASCII-only too: the ICU root collation maps all of Unicode.
    """

    type = String()
    name = "unicode_lower"
    inherit_cache = True


@compiles(unicode_lower)
def _lower(element: unicode_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(unicode_lower, "postgresql")
def _lower_postgresql(element: unicode_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return f'lower(({compiler.process(element.clauses, **kw)}) COLLATE "und-x-icu")'


def contains_text(column: SQLColumnExpression[str], text: str) -> ColumnElement[bool]:
    """`column` holds `text`, ignoring case; % and _ in `text` are literal."""
    escaped = text.lower().replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")
    return unicode_lower(column).like(f"%{escaped}%", escape=_ESCAPE)
