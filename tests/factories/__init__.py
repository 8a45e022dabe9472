"""factory-boy factories, one module per aggregate:

- `New...Factory`: the domain's commands, for service and repository tests;
- `...PayloadFactory`: JSON bodies for API tests;
- `...RowFactory`: table rows, persisted through the session of the test that
  asks for the `session` fixture (tests/integration/conftest.py), so a test
  states only the fields it cares about.

Names and titles are unique per test run.
"""
