"""Which files a run covers: paths given, folders walked recursively, skipping hidden folders,
virtual environments, ``__pycache__``, what ``.gitignore`` files exclude, and symbolic links met on the way."""

from __future__ import annotations

import fnmatch
import os
import re
from typing import Iterator, List, Optional, Sequence, Tuple

_SKIP_DIRS = {"__pycache__", "node_modules", "site-packages"}


class GitIgnore:
    """The patterns of one ``.gitignore`` (the common subset: ``#`` comments, ``!`` negation, trailing
    ``/`` for folders, leading or inner ``/`` anchoring, ``*``, ``?``, ``[...]`` and ``**``)."""

    def __init__(self, base: str, lines: Sequence[str]) -> None:
        self.base = base
        self.rules: List[Tuple[bool, bool, bool, "re.Pattern[str]"]] = []
        for raw in lines:
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.startswith("#"):
                continue
            line = line.rstrip(" ")
            negate = line.startswith("!")
            if negate:
                line = line[1:]
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            anchored = "/" in line
            line = line.lstrip("/")
            self.rules.append((negate, dir_only, anchored, re.compile(_translate(line))))

    @classmethod
    def load(cls, folder: str) -> Optional["GitIgnore"]:
        path = os.path.join(folder, ".gitignore")
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                return cls(folder, handle.readlines())
        except OSError:
            return None

    def match(self, path: str, is_dir: bool) -> Optional[bool]:
        """True: ignored, False: re-included, None: no pattern speaks about it."""
        rel = os.path.relpath(path, self.base).replace(os.sep, "/")
        name = rel.rsplit("/", 1)[-1]
        result = None
        for negate, dir_only, anchored, pattern in self.rules:
            if dir_only and not is_dir:
                continue
            if pattern.match(rel if anchored else name):
                result = not negate
        return result


def _translate(pattern: str) -> str:
    parts = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            parts.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            parts.append(".*")
            i += 2
        elif pattern[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            parts.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                parts.append(re.escape("["))
                i += 1
            else:
                parts.append(fnmatch.translate(pattern[i : end + 1])[4:-3])
                i = end + 1
        else:
            parts.append(re.escape(pattern[i]))
            i += 1
    return "^" + "".join(parts) + "$"


def _ignored(path: str, is_dir: bool, stack: List[GitIgnore]) -> bool:
    result = False
    for ignore in stack:
        verdict = ignore.match(path, is_dir)
        if verdict is not None:
            result = verdict
    return result


def _is_venv(folder: str) -> bool:
    return os.path.exists(os.path.join(folder, "pyvenv.cfg")) or os.path.exists(os.path.join(folder, "conda-meta"))


def _parent_ignores(folder: str) -> List[GitIgnore]:
    """``.gitignore`` files of the folders above ``folder``, up to the repository root."""
    found: List[GitIgnore] = []
    current = os.path.abspath(folder)
    while True:
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
        ignore = GitIgnore.load(current)
        if ignore is not None:
            found.append(ignore)
        if os.path.exists(os.path.join(current, ".git")):
            break
    return list(reversed(found))


def iter_python_files(paths: Sequence[str]) -> Iterator[str]:
    """Every file named (whatever its name) and every ``*.py``/``*.pyi``/``*.ipynb`` under the folders named
    (``.ipynb_checkpoints`` is hidden, so skipped). A path named here is followed when it is a symbolic link
    (to a file or a folder); links met while walking a folder are not (they may lead out of the tree, or to a
    file already covered)."""
    for root in paths:
        if root == "-" or os.path.isfile(root):
            yield root
            continue
        if not os.path.isdir(root):
            yield root  # reported by the runner: no such file, or a broken link
            continue
        base = _parent_ignores(root)
        yield from _walk(root, base)


def _walk(folder: str, stack: List[GitIgnore]) -> Iterator[str]:
    own = GitIgnore.load(folder)
    if own is not None:
        stack = stack + [own]
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if entry.is_symlink():
            continue
        if entry.is_dir(follow_symlinks=False):
            if name.startswith(".") or name in _SKIP_DIRS or _is_venv(entry.path):
                continue
            if stack and _ignored(entry.path, True, stack):
                continue
            yield from _walk(entry.path, stack)
        elif name.endswith((".py", ".pyi", ".ipynb")) and entry.is_file(follow_symlinks=False):
            if stack and _ignored(entry.path, False, stack):
                continue
            yield entry.path
