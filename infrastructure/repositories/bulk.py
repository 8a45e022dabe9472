"""Many rows in one INSERT, unpacked by the database from one JSON parameter.

    INSERT INTO tasks (title, description, status, ..., created_at, version)
    SELECT <each row's title, description, status, ...>, :created_at, :version
    FROM json_each(:rows)                     -- SQLite
    FROM json_array_elements(:rows)           -- PostgreSQL
    RETURNING id, title

The columns come from the table, never from a list written here. Values that
differ between rows travel as one JSON array per row, read back by position
and cast to the column's type by the database; a value every row shares (a
batch's timestamps, the first version) is one ordinary parameter, converted by
its column type as any other. One parameter instead of one per value: the
driver and SQLAlchemy touch each value once, in C (orjson), instead of
processing thousands of bound parameters (README, "Speed", has the figures).
"""

from collections.abc import Sequence
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Column, Connection, Table, Text, bindparam, cast, func, insert, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.dml import ReturningInsert
from sqlalchemy.sql.elements import ColumnElement


def insert_many(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], returning: Sequence[Column[Any]]
) -> list[Any]:
    """Insert `rows` (column name -> value, the same columns in every row) and
    return the `returning` columns of each inserted row, in no promised order."""
    names = tuple(rows[0])
    varying = tuple(name for name in names if any(row[name] != rows[0][name] for row in rows))
    dialect = connection.dialect
    shared = {name: rows[0][name] for name in names if name not in varying}
    processors = [_processor(table.c[name].type, dialect) for name in varying]
    if any(processors):
        per_row = [
            [
                value if process is None or value is None else process(value)
                for process, value in zip(processors, (row[n] for n in varying), strict=True)
            ]
            for row in rows
        ]
    else:
        per_row = [[row[name] for name in varying] for row in rows]
    statement = _statement(table, dialect.name, names, varying, tuple(returning))
    result = connection.execute(statement, {"rows": orjson.dumps(per_row).decode(), **shared})
    return list(result)


def _processor(column_type: Any, dialect: Any) -> Any:
    """How the column's type binds a value, for SQLite, which stores what it
    reads from JSON as is (PostgreSQL casts the text to the column's type)."""
    if dialect.name != "sqlite":
        return None
    return column_type.bind_processor(dialect)


@cache
def _statement(
    table: Table, dialect: str, names: tuple[str, ...], varying: tuple[str, ...], returning: tuple[Column[Any], ...]
) -> ReturningInsert[Any]:
    if dialect == "postgresql":
        elements = func.json_array_elements(cast(bindparam("rows", type_=Text), postgresql.JSON)).table_valued("value")
        source: Any = elements
        values: dict[str, ColumnElement[Any]] = {
            name: elements.c.value.op("->>")(position) for position, name in enumerate(varying)
        }
    else:
        source = func.json_each(bindparam("rows")).table_valued("value")
        values = {name: func.json_extract(source.c.value, f"$[{position}]") for position, name in enumerate(varying)}
    selected: list[ColumnElement[Any]] = [
        cast(values[name], table.c[name].type) if name in values else bindparam(name, type_=table.c[name].type)
        for name in names
    ]
    if dialect != "postgresql":
        # SQLite's json_extract gives the stored value itself: no CAST, whose
        # type affinity could change it (a TEXT holding digits).
        selected = [values[name] if name in values else bindparam(name, type_=table.c[name].type) for name in names]
    return insert(table).from_select(list(names), select(*selected).select_from(source)).returning(*returning)
