"""The core of the service: entities, rules and use cases.

Nothing here knows about HTTP, SQL or sessions; the import-linter contracts in
pyproject.toml keep it that way.
"""
