#!/usr/bin/env python3
"""Django's command-line utility. ``platform/`` is a second import root (see ARCHITECTURE.md)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main() -> None:
    # platform/ is a plain folder, never a package: it must not shadow the standard library's
    # ``platform`` module. Its children (config, console) are importable from here.
    sys.path.insert(1, str(ROOT / "platform"))
    sys.path.insert(1, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
