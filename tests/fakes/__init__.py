"""In-memory stand-ins for the storage, for unit tests of the domain services.

The repository contract tests (tests/integration/test_task_repository_contract.py)
run against these and against the SQL repositories alike, so they cannot drift.
"""
