"""Our checker against a peer linter's own checker fixtures (TorchFix, ``tests/fixtures/*/checker/``).

For every peer rule code in scope (deprecated, removed, non-public and misspelled APIs, torchvision: all but
the numerics TOR106-108, import style TOR203, performance TOR4xx and internal TOR9xx), prints the peer's
findings, how many lines of those we flag too, and the lines we flag that the peer leaves clean.

The peer's files live in a cache, never in this repository:
``git clone https://github.com/pytorch-labs/torchfix /work/cache/torchfix`` (or ``--peer PATH``).
Run: ``python benchmarks/peer_fixtures.py [--peer /work/cache/torchfix] [--json]``.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
from typing import Dict, List, Set, Tuple

DEFAULT_PEER = os.environ.get("TORCHCOMPAT_PEER", "/work/cache/torchfix")
_LINE = re.compile(r"^(\d+):(\d+) (TOR\d+) ")


def in_scope(code: str) -> bool:
    """The peer's rules about APIs (what this comparison counts)."""
    number = int(code[3:])
    return not (106 <= number <= 108 or number == 203 or 400 <= number < 500 or 900 <= number < 1000)


def peer_findings(folder: str) -> List[Tuple[str, int, str]]:
    """``(fixture .py path, line, code)`` for every in-scope peer finding under ``folder``."""
    found = []
    base = os.path.join(folder, "tests", "fixtures")
    for group in sorted(os.listdir(base)):
        checker = os.path.join(base, group, "checker")
        if not os.path.isdir(checker):
            continue
        for name in sorted(os.listdir(checker)):
            if not name.endswith(".txt"):
                continue
            with open(os.path.join(checker, name), encoding="utf-8") as fh:
                for text in fh:
                    m = _LINE.match(text)
                    if m and in_scope(m.group(3)):
                        found.append((os.path.join(checker, name[:-4] + ".py"), int(m.group(1)), m.group(3)))
    return found


def our_lines(path: str) -> Set[int]:
    """The lines our checker (every default rule) flags in ``path``."""
    from torchcompat.migrate.engine import Options, process_text

    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    result = process_text(text, Options(target="2.13"))
    if result.error:
        raise RuntimeError("%s: %s" % (path, result.error))
    return {f.line for f in result.findings}


def compare(folder: str) -> Dict[str, Dict[str, object]]:
    """Per peer code: peer findings, ours on the same line, and our extra lines in the files of that code."""
    findings = peer_findings(folder)
    files: Dict[str, Set[int]] = collections.defaultdict(set)  # fixture -> peer lines (every code in scope)
    codes_of_file: Dict[str, Set[str]] = collections.defaultdict(set)
    for path, line, code in findings:
        files[path].add(line)
        codes_of_file[path].add(code)
    ours = {path: our_lines(path) for path in files}
    table: Dict[str, Dict[str, object]] = {}
    for path, line, code in findings:
        row = table.setdefault(code, {"peer": 0, "same_line": 0, "missed": [], "extra": []})
        row["peer"] = int(row["peer"]) + 1  # type: ignore[call-overload]
        if line in ours[path]:
            row["same_line"] = int(row["same_line"]) + 1  # type: ignore[call-overload]
        else:
            row["missed"].append("%s:%d" % (os.path.relpath(path, folder), line))  # type: ignore[union-attr]
    for path, lines in ours.items():
        for line in sorted(lines - files[path]):
            code = sorted(codes_of_file[path])[0]
            table[code]["extra"].append("%s:%d" % (os.path.relpath(path, folder), line))  # type: ignore[union-attr]
    # fixtures with no in-scope finding (numerics, performance ...): any line we flag there is a false positive
    for path, flagged in all_peer_lines(folder).items():
        if path in files:
            continue
        for line in sorted(our_lines(path) - flagged):
            row = table.setdefault("(other)", {"peer": 0, "same_line": 0, "missed": [], "extra": []})
            row["extra"].append("%s:%d" % (os.path.relpath(path, folder), line))  # type: ignore[union-attr]
    return table


def all_peer_lines(folder: str) -> Dict[str, Set[int]]:
    """Every checker fixture and the lines the peer flags in it (any code, in scope or not)."""
    out: Dict[str, Set[int]] = {}
    base = os.path.join(folder, "tests", "fixtures")
    for group in sorted(os.listdir(base)):
        checker = os.path.join(base, group, "checker")
        if not os.path.isdir(checker):
            continue
        for name in sorted(os.listdir(checker)):
            if name.endswith(".py"):
                lines: Set[int] = set()
                txt = os.path.join(checker, name[:-3] + ".txt")
                if os.path.exists(txt):
                    with open(txt, encoding="utf-8") as fh:
                        lines = {int(m.group(1)) for m in map(_LINE.match, fh) if m}
                out[os.path.join(checker, name)] = lines
    return out


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", default=DEFAULT_PEER, help="a checkout of TorchFix (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the table as JSON")
    args = parser.parse_args(argv)
    if not os.path.isdir(os.path.join(args.peer, "tests", "fixtures")):
        print("no TorchFix checkout at %s: clone it there (never into this repository)" % args.peer, file=sys.stderr)
        return 2
    table = compare(args.peer)
    if args.json:
        print(json.dumps(table, indent=1, sort_keys=True))
        return 0
    print("%-8s %6s %10s %6s" % ("code", "peer", "same line", "extra"))
    total = same = extra = 0
    for code in sorted(table):
        row = table[code]
        total += int(row["peer"])  # type: ignore[call-overload]
        same += int(row["same_line"])  # type: ignore[call-overload]
        extra += len(row["extra"])  # type: ignore[arg-type]
        print("%-8s %6d %10d %6d" % (code, row["peer"], row["same_line"], len(row["extra"])))  # type: ignore[arg-type]
    print("%-8s %6d %10d %6d" % ("total", total, same, extra))
    for code in sorted(table):
        for where in table[code]["missed"]:  # type: ignore[attr-defined]
            print("missed %s %s" % (code, where))
        for where in table[code]["extra"]:  # type: ignore[attr-defined]
            print("extra  %s %s" % (code, where))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
