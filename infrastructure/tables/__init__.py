"""SQLModel table definitions, one module per aggregate.

Importing this package imports every module in it, so that the metadata that
Alembic and the tests compare against always holds every table: a new aggregate
adds a module here and nothing else.
"""

import importlib
import pkgutil

from sqlmodel import SQLModel

# Stable constraint and index names, so that migrations can refer to them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = SQLModel.metadata

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
