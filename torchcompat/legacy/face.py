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
from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = ["ADD", "WRAP", "MODULE", "KINDS", "Restore", "attach", "all_restores"]

ADD = "add"
WRAP = "wrap"
MODULE = "module"
KINDS = (ADD, WRAP, MODULE)

#: ``factory(env, era, original) -> replacement``: ``env`` is the :class:`~torchcompat.probe.TorchEnv`,
#: ``era`` the legacy era asked for ("0.3", "0.4", "1.0"), ``original`` torch's current object
#: (``None`` for ``ADD`` of a missing name and for ``MODULE``).
Factory = Callable[[Any, str, Any], Any]


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
    #: skips this restore (``"1.0"`` for ``x.data[0]`` on 0-dim tensors). ``None``: every era.
    until: Optional[str] = None
    summary: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError("Restore.kind must be one of %s, not %r" % (KINDS, self.kind))
        if not self.name:
            object.__setattr__(self, "name", self.target)


#: Restores whose record is not in the registry yet: (shift id or "", restore).
_LOCAL: List[Tuple[str, Restore]] = []
_ATTACHED: Dict[int, str] = {}


def attach(shift_id: str, restore: Restore) -> Restore:
    """Attach ``restore`` as the ``"restore"`` face of record ``shift_id``; without such a record it
    is kept in a local list (and reported by ``torchcompat run --explain`` under that id)."""
    from torchcompat.registry import REGISTRY

    try:
        shift = REGISTRY.get(shift_id)
    except KeyError:
        _LOCAL.append((shift_id, restore))
        return restore
    shift.add_face("restore", restore)
    _ATTACHED[id(restore)] = shift_id
    return restore


def all_restores() -> List[Tuple[str, Restore]]:
    """Every restore as ``(shift id, restore)``, registry faces first, in declaration order."""
    from torchcompat.legacy import restores as _modules
    from torchcompat.registry import REGISTRY

    _modules.load_all()
    found = [(shift.id, face) for shift, face in REGISTRY.faces("restore")]
    return found + list(_LOCAL)
