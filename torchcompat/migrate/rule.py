"""A migration rule and the ``@rule`` registry: the ``"rule"`` face of a shift record.

A rule declares its record (``record=``) and the records whose API its fix writes (``emits=``); its minimum
target version is derived from them and its message is a template over the record's fields, so a fact lives
once, on the record. The engine (:mod:`.engine`) runs the registered rules.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Union

from torchcompat._release import parse as parse_version

__all__ = ["Rule", "RULES", "rule", "hint_pattern", "derived_version", "OLDEST"]


@dataclasses.dataclass
class Rule:
    """A migration rule: the ``"rule"`` face of one shift record."""

    code: str
    name: str
    shift: str
    message: str
    docs: str
    min_version: str
    safe: bool
    fixable: bool
    portable: str
    nodes: Tuple[type, ...]
    func: Callable[..., Any]
    tokens: bool = False
    hints: Tuple[Union[str, "re.Pattern[str]"], ...] = ()
    also: Tuple[str, ...] = ()  # further shifts whose breakage the same rewrite fixes
    default: bool = True  # False: runs only when --select names it (opt-in, like ruff's noisy rules)
    record: Any = None  # the Shift this rule is the face of (``shift`` is its id)
    emits: Tuple[Any, ...] = ()  # the Shifts whose API the fix writes: min_version is derived from them
    example: Tuple[str, str] = ("", "")  # (before, after): one line of legacy code and its fix
    #: the library whose release ``min_version`` names (``"torchvision"`` for a fix writing its new API)
    library: str = "torch"

    def __post_init__(self) -> None:
        # the substring pre-test needs every hint to be a plain word (a regex hint skips it)
        words = [h.strip("*") for h in self.hints if isinstance(h, str)]
        self._needles = tuple(words) if len(words) == len(self.hints) else ()
        self._hint_re = hint_pattern(self.hints) if self.hints else None

    def may_fire(self, text: str) -> bool:
        """Whether one of the ``hints`` occurs in ``text`` (a cheap substring test, then the word test)."""
        if self._hint_re is None:
            return True
        if self._needles and not any(n in text for n in self._needles):
            return False
        return self._hint_re.search(text) is not None

    def as_dict(self) -> Dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "shift": self.shift,
            "also": list(self.also),
            "default": self.default,
            "message": self.message,
            "docs": self.docs,
            "min_version": self.min_version,
            "safe": self.safe,
            "fixable": self.fixable,
            "portable": self.portable,
            "record": self.shift,
            "emits": [getattr(e, "id", None) or e.shift.id for e in self.emits],
            "kind": getattr(self.record, "kind", None),
            "library": self.library,
        }

    def fields(self) -> Dict[str, Any]:
        """What a message template may name: the record's facts (``{removed}``, ``{new}`` ...) and the
        derived ``{min_version}``."""
        out: Dict[str, Any] = {"min_version": self.min_version}
        if self.record is not None:
            out.update(self.record.versions())
            out.update(old=self.record.old, new=self.record.new, summary=self.record.summary, id=self.record.id)
        return out

    def format(self, template: str) -> str:
        """``template`` with each ``{field}`` of :meth:`fields` filled in (other braces are left alone, so a
        finding's message may quote code); a field the record leaves empty is a ValueError (a bug)."""
        if "{" not in template:
            return template
        fields = self.fields()

        def fill(match: "re.Match[str]") -> str:
            value = fields.get(match.group(1))
            if value is None:
                raise ValueError(
                    "rule %s: the message names {%s}, which record %s leaves empty"
                    % (self.code, match.group(1), self.shift)
                )
            return str(value)

        return _FIELD.sub(fill, template)


_FIELD = re.compile(r"\{(added|deprecated|removed|changed|old|new|summary|id|min_version)\}")


_IDENT = re.compile(r"\w")


def hint_pattern(hints: Sequence[Union[str, "re.Pattern[str]"]]) -> "re.Pattern[str]":
    """One regex for a rule's hints. A hint is a whole word on each side where it begins (ends) with an
    identifier character, unless a ``*`` marks that side open: ``"full"`` matches ``torch.full(`` but not
    ``fullgraph``, ``"masked_*"`` matches ``masked_fill``, ``"*fft"`` matches ``rfft``, ``".data"`` is
    matched as is before a non-identifier character; a compiled regex is used as it is. Fewer false
    hints mean fewer files parsed."""
    parts = []
    for hint in hints:
        if not isinstance(hint, str):
            parts.append("(?:%s)" % hint.pattern)
            continue
        word = hint.strip("*")
        if not word:
            raise ValueError("empty hint %r" % hint)
        head = "" if hint.startswith("*") or not _IDENT.match(word[0]) else r"(?<!\w)"
        tail = "" if hint.endswith("*") or not _IDENT.match(word[-1]) else r"(?!\w)"
        parts.append(head + re.escape(word) + tail)
    return re.compile("|".join(parts))


#: code -> Rule, in registration order (see :mod:`torchcompat.migrate.rules`).
RULES: Dict[str, Rule] = {}


#: The oldest torch release: the derived minimum version of a fix that writes no API a record added.
OLDEST = "0.1"


def _record(ref: Any) -> Any:
    """A record (or a registry ``Moved`` row) from itself or its id."""
    from torchcompat.registry import REGISTRY

    return REGISTRY.get(ref) if isinstance(ref, str) else ref  # KeyError: a rule must name a declared shift


def derived_library(emits: Sequence[Any], record: Any = None) -> str:
    """The library whose release a fix needs: that of the records it writes (of the rule's own record when it
    writes nothing); a fix writing the new API of two libraries names the non-torch one."""
    libraries = {getattr(getattr(e, "shift", e), "library", "torch") for e in emits}
    libraries.discard("torch")
    if len(libraries) > 1:
        raise ValueError("a fix writes the API of several libraries: %s" % sorted(libraries))
    if libraries:
        return libraries.pop()
    return getattr(record, "library", "torch") if not emits else "torch"


def derived_version(emits: Sequence[Any]) -> str:
    """The torch release a fix needs: the newest ``added`` of the records whose API it writes."""
    versions = [e.added for e in emits if e.added]
    return max(versions, key=lambda v: parse_version(v, warn=False)) if versions else OLDEST


def rule(
    code: str,
    *,
    record: Any,
    name: str,
    message: str,
    docs: str,
    emits: Optional[Sequence[Any]] = None,
    example: Tuple[str, str] = ("", ""),
    safe: bool = True,
    fixable: bool = True,
    portable: str = "plain",
    nodes: Sequence[type] = (),
    tokens: bool = False,
    hints: Sequence[Union[str, "re.Pattern[str]"]] = (),
    also: Sequence[Any] = (),
    default: bool = True,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator registering a rule function.

    ``func(node, ctx)`` is called for every node of a type in ``nodes`` (``tokens=True``: ``func(ctx)``
    once per file, before parsing, with ``ctx.tokens``). ``record``: the shift (object or id) the rule is
    the face of. ``emits``: the records whose API the fix writes (default: ``record``; ``()`` when the fix
    writes nothing newer than the oldest release); the rule's ``min_version``, the torch release the plain
    rewrite needs (``--target-version`` below it reports without fixing), is derived from them.
    ``message``: a template over the record's facts (``"removed in torch {removed}"``, see
    :meth:`Rule.fields`). ``example``: ``(before, after)`` for the rule's docs. ``portable``: ``"plain"`` when
    the plain rewrite is also the ``--portable`` one (its API exists from :data:`PORTABLE_FLOOR` on),
    ``"adapter"`` when the rule emits a ``torchcompat`` adapter under ``--portable``, ``""`` when it has
    no portable fix. ``safe``: the rewrite means the same on every release. ``hints``: words one of
    which appears in every file the rule can fire on (``("Variable",)``), matched as whole words unless
    ``*`` opens a side (:func:`hint_pattern`): files without any are not handed to the rule, nor parsed
    when no rule is left (speed); leave empty when no such word exists.
    """
    if not re.match(r"^TC[1-9]\d\d$", code):
        raise ValueError("rule code %r: expected TC followed by three digits" % code)

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        if code in RULES:
            raise ValueError("rule %s is registered twice (%s, %s)" % (code, RULES[code].name, name))
        shift = _record(record)
        writes = (shift,) if emits is None else tuple(_record(e) for e in emits)
        obj = Rule(
            code,
            name,
            shift.id,
            message,
            docs,
            derived_version(writes),
            safe,
            fixable,
            portable,
            tuple(nodes),
            func,
            tokens,
            tuple(hints),
            tuple(_record(a).id for a in also),
            default,
            shift,
            writes,
            example,
            derived_library(writes, shift),
        )
        obj.message = obj.format(message)
        for face_of in (shift,) + tuple(_record(a) for a in also):
            face_of.add_face("rule", obj)
        RULES[code] = obj
        return func

    return register
