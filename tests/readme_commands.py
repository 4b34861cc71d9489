"""The shell commands the README shows, as CI runs them (standard library only).

Every fenced ```bash block of README.md is a command to run: the first block is the set-up (install,
ingest the demo, search; then the test command), which `.ci/run` executes itself through
`python3 tests/readme_commands.py setup|test-command`; `tests/test_readme.py` runs all the others, in
order, against one fresh data directory. Usage synopses are fenced as ```text and are not run.

    python3 tests/readme_commands.py setup          # the set-up command, as written in the README
    python3 tests/readme_commands.py test-command   # the README's test command
    python3 tests/readme_commands.py list           # every command, one per line
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)


def bash_blocks(text: str | None = None) -> list[list[str]]:
    """Each ```bash block as its command lines: comments and blank lines dropped, `\\` continuations joined."""
    text = README.read_text(encoding="utf-8") if text is None else text
    blocks: list[list[str]] = []
    for body in _BLOCK.findall(text):
        commands: list[str] = []
        pending = ""
        for raw in body.splitlines():
            line = raw.rstrip()
            if pending:
                line = pending + " " + line.lstrip()
                pending = ""
            if line.endswith("\\"):
                pending = line[:-1].rstrip()
                continue
            if line.strip() and not line.lstrip().startswith("#"):
                commands.append(line.strip())
        blocks.append(commands)
    return blocks


def setup_and_test_commands(text: str | None = None) -> tuple[str, str]:
    first = bash_blocks(text)[0]
    if len(first) != 2:
        raise SystemExit(f"README.md: the first ```bash block must hold two commands (set-up, tests), has {len(first)}")
    return first[0], first[1]


def main(argv: list[str]) -> int:
    what = argv[1] if len(argv) > 1 else "list"
    if what == "setup":
        print(setup_and_test_commands()[0])
    elif what == "test-command":
        print(setup_and_test_commands()[1])
    elif what == "list":
        for block in bash_blocks():
            print("\n".join(block))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
