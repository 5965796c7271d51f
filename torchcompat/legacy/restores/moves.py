"""Restores generated from the registry's plain renames (:class:`torchcompat.registry.Moved` rows): where torch
lacks the old name (``torch.set_deterministic``), ``torchcompat run`` puts torch's object under the new name there."""

from __future__ import annotations

from typing import Any, Callable

from torchcompat.legacy.face import ADD, Restore, attach
from torchcompat.probe import MISSING
from torchcompat.registry import REGISTRY, Moved


def _factory(row: Moved) -> Callable[[Any, str, Any], Any]:
    def new_object(env: Any, era: str, original: Any) -> Any:
        obj = env.get(row.new_path)
        return None if obj is MISSING else obj  # None: this torch has neither name, nothing to restore

    return new_object


for _row in REGISTRY.moves():
    if _row.restore:
        attach(
            _row.shift,
            Restore(
                _row.old_path,
                _factory(_row),
                ADD,
                until=_row.removed,
                rule=_row.code,
                summary="%s, the old name of %s" % (_row.old, _row.new),
            ),
        )
