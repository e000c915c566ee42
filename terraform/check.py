"""Static checks of the Terraform code that need no terraform binary and no cloud credentials.

    python terraform/check.py        (needs python-hcl2: pip install python-hcl2)

Every ``.tf`` file under ``terraform/`` must parse (python-hcl2), be indented with spaces, carry no
trailing whitespace and end with a single newline (as ``terraform fmt`` leaves it). checkov runs
separately: ``checkov --config-file terraform/.checkov.yaml``.
"""

import sys
from pathlib import Path

import hcl2

ROOT = Path(__file__).resolve().parent


def problems_in(path: Path) -> list[str]:
    found = []
    text = path.read_text(encoding="utf-8")
    try:
        hcl2.loads(text)
    except Exception as error:  # any parse failure is a finding, whatever the parser raises
        found.append(f"does not parse: {type(error).__name__}: {error}")
    for number, line in enumerate(text.split("\n"), start=1):
        if "\t" in line[: len(line) - len(line.lstrip())]:
            found.append(f"line {number}: indented with a tab")
        if line != line.rstrip():
            found.append(f"line {number}: trailing whitespace")
    if not text.endswith("\n") or text.endswith("\n\n"):
        found.append("must end with exactly one newline")
    return found


def main() -> int:
    files = sorted(ROOT.rglob("*.tf"))
    failures = 0
    for path in files:
        for problem in problems_in(path):
            failures += 1
            sys.stdout.write(f"{path.relative_to(ROOT.parent)}: {problem}\n")
    sys.stdout.write(f"{len(files)} Terraform files checked, {failures} problem(s)\n")
    return 1 if failures or not files else 0


if __name__ == "__main__":
    sys.exit(main())
