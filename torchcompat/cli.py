"""The ``torchcompat`` command: info | run | check | migrate | rules | matrix | doctor.

Each subcommand lives in its own module exposing ``configure(parser)`` and ``main(args) -> int``;
only the one asked for is imported, so ``torchcompat check`` never imports torch.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import List, Optional

#: subcommand -> (module, one-line help)
COMMANDS = {
    "info": ("torchcompat.report", "show the torch version and build, and each shift's status on it"),
    "run": ("torchcompat.legacy.cli", "run a 0.3/0.4-era script unmodified, with removed APIs restored"),
    "check": ("torchcompat.migrate.cli", "report legacy PyTorch usage: path:line:col: CODE message"),
    "migrate": ("torchcompat.migrate.cli", "rewrite legacy PyTorch source (diff by default, --write, --check)"),
    "rules": ("torchcompat.migrate.cli", "list the migration rules"),
    "matrix": ("torchcompat.testing.matrix", "the torch release table: Pythons, numpy pin, CUDA packages"),
    "doctor": ("torchcompat.doctor", "check torch, torchvision, torchaudio, numpy here against the measured pairs"),
}


def _top_parser() -> argparse.ArgumentParser:
    from torchcompat import __version__

    parser = argparse.ArgumentParser(
        prog="torchcompat",
        description="Run one code base, and one old script, on every PyTorch release.",
        epilog="commands:\n" + "\n".join("  %-8s %s" % (name, text) for name, (_, text) in COMMANDS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version="torchcompat " + __version__)
    parser.add_argument("command", choices=sorted(COMMANDS), metavar="command")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of the console script and of ``python -m torchcompat``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        parser = _top_parser()
        parser.parse_args(argv or ["--help"])  # prints help / the error, and exits
        return 2
    command, rest = argv[0], argv[1:]
    module_name, text = COMMANDS[command]
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog="torchcompat " + command, description=text)
    configure = getattr(module, "configure_" + command, None) or module.configure
    run = getattr(module, "main_" + command, None) or module.main
    configure(parser)
    args = parser.parse_args(rest)
    try:
        return int(run(args) or 0)
    except BrokenPipeError:  # `torchcompat info | head`: stop quietly, as Python's docs advise
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
