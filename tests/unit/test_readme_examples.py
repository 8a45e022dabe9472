"""The README's example of a service on fakes runs as written."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_fakes_example_runs() -> None:
    section = ROOT.joinpath("README.md").read_text().split("## Testing your own code against it", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert "FakeUnitOfWork()" in code
    exec(compile(code, "README.md", "exec"), {})
