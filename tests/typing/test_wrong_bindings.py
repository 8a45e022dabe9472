"""A repository bound to the wrong attribute of a unit of work is a type error,
found by mypy before anything runs (the errors of tests/typing/wrong_bindings.py)."""

import re
from pathlib import Path

from mypy import api

WRONG = Path(__file__).with_name("wrong_bindings.py")
ROOT = Path(__file__).resolve().parents[2]
_MARK = re.compile(r'# error: \[(?P<code>[a-z-]+)\] (?P<names>(?:"[^"]+" ?)+)$')


def test_mypy_refuses_every_wrong_binding_and_nothing_else() -> None:
    expected = {}
    for number, line in enumerate(WRONG.read_text().splitlines(), start=1):
        mark = _MARK.search(line)
        if mark:
            expected[number] = (mark["code"], re.findall(r'"[^"]+"', mark["names"]))
    assert len(expected) == 4
    stdout, _, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), str(WRONG)])
    assert status == 1, stdout
    found = {}
    for line in stdout.splitlines():
        parsed = re.match(rf"{re.escape(str(WRONG.relative_to(ROOT)))}:(\d+): error: (.*)  \[([a-z-]+)\]$", line)
        if parsed:
            found[int(parsed[1])] = (parsed[3], parsed[2])
    assert set(found) == set(expected), stdout
    for number, (code, names) in expected.items():
        assert found[number][0] == code, stdout
        assert all(name in found[number][1] for name in names), (names, found[number])
