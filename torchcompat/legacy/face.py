"""The ``"restore"`` face of a registry record: how :func:`torchcompat.legacy.patch` brings an old API
or behaviour back on the running torch.

A :class:`Restore` names one *target* under torch and how to build its replacement. Three kinds:

- ``ADD``: a name torch no longer has (``torch.gesv``), or has only as a stub that raises
  "... is now removed" (the 2.x ``torch.solve``/``symeig``/``eig``/``lstsq``/``matrix_rank``).
  Anything else torch really provides is left alone.
- ``WRAP``: an existing callable gets a wrapper that handles the legacy input (``x.data[0]`` on a
  0-dim tensor, ``backward(retain_variables=)``) and calls torch's own object for every other input.
- ``MODULE``: a module that no longer exists (``torch._six``), put in ``sys.modules`` and on its parent.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, List, Optional, Tuple

__all__ = ["ADD", "WRAP", "MODULE", "KINDS", "FROM_RECORD", "Restore", "attach", "all_restores", "rule_for"]

ADD = "add"
WRAP = "wrap"
MODULE = "module"
KINDS = (ADD, WRAP, MODULE)

#: ``factory(env, era, original) -> replacement``: ``env`` is the :class:`~torchcompat.probe.TorchEnv`,
#: ``era`` the legacy era asked for ("0.3", "0.4", "1.0"), ``original`` torch's current object
#: (``None`` for ``ADD`` of a missing name and for ``MODULE``).
Factory = Callable[[Any, str, Any], Any]

#: ``Restore.until``'s default: the record's ``removed`` (resolved by :func:`attach`).
FROM_RECORD = "from-record"


@dataclasses.dataclass(frozen=True)
class Restore:
    """One restore: ``target`` is a dotted path under torch (``"gesv"``, ``"Tensor.__getitem__"``,
    ``"utils.data.TensorDataset.__init__"``, ``"_six"``)."""

    target: str
    factory: Factory
    kind: str = WRAP
    #: Short name for ``--select`` and ``--explain`` (default: the target).
    name: str = ""
    #: ``needed(env) -> bool``: does this torch need the restore at all (a probe). ``None``: ADD and
    #: MODULE decide by presence, WRAP always applies.
    needed: Optional[Callable[[Any], bool]] = None
    #: The first era in which the legacy behaviour was already gone: ``patch(era=...)`` at or after it
    #: skips this restore (``"1.0"`` for ``x.data[0]`` on 0-dim tensors). Default: the record's
    #: ``removed``. ``None``: every era.
    until: Optional[str] = FROM_RECORD
    summary: str = ""
    #: The code of the migration rule that removes the need for this restore (``--explain`` prints it).
    #: ``""``: the record's rule (a record with several rules must name one); ``None``: no rule does.
    rule: Optional[str] = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError("Restore.kind must be one of %s, not %r" % (KINDS, self.kind))
        if not self.name:
            object.__setattr__(self, "name", self.target)


#: Restores whose record is not in the registry yet: (shift id or "", restore).
_LOCAL: List[Tuple[str, Restore]] = []


def attach(record: Any, restore: Restore) -> Restore:
    """Attach ``restore`` as the ``"restore"`` face of ``record`` (a registry record, or its id); an
    ``until`` left to its default becomes the record's ``removed``. An id with no record keeps the restore
    in a local list (reported by ``torchcompat run --explain`` under that id)."""
    from torchcompat.registry import REGISTRY, Shift

    if isinstance(record, Shift):
        shift = record
    else:
        try:
            shift = REGISTRY.get(record)
        except KeyError:
            _LOCAL.append(
                (record, dataclasses.replace(restore, until=None) if restore.until == FROM_RECORD else restore)
            )
            return restore
    if restore.until == FROM_RECORD:
        restore = dataclasses.replace(restore, until=shift.removed)
    shift.add_face("restore", restore)
    return restore


def all_restores() -> List[Tuple[str, Restore]]:
    """Every restore as ``(shift id, restore)``, registry faces first, in declaration order."""
    from torchcompat.legacy import restores as _modules
    from torchcompat.registry import REGISTRY

    _modules.load_all()
    found = [(shift.id, face) for shift, face in REGISTRY.faces("restore")]
    return found + list(_LOCAL)


def rule_for(shift: Any, restore: Restore) -> Optional[Any]:
    """The migration rule (a ``"rule"`` face of ``shift``) that removes the need for ``restore``: the one the
    restore names (``Restore.rule``), else the record's first rule; ``None`` when there is none."""
    if restore.rule is None:
        return None
    rules = list(shift.faces.get("rule") or [])
    if restore.rule:
        for rule in rules:
            if getattr(rule, "code", None) == restore.rule:
                return rule
        return None
    return rules[0] if rules else None
