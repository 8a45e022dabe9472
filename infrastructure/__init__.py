"""Adapters to the outside world: settings, the SQL database, migrations."""
