"""torchvision restores: ``transforms.Scale`` and ``transforms.RandomSizedCrop`` on torchvision >= 0.12, which
removed them. Restored as torchvision 0.2 - 0.11 had them: subclasses of ``Resize`` / ``RandomResizedCrop``
that warn and pass every argument on (same behaviour), so ``unpatch()`` deletes them again.
``pretrained=`` needs no restore: every torchvision up to 0.29.1 (measured) still accepts it."""

from __future__ import annotations

from typing import Any, Callable, Optional

from torchcompat.legacy.engine import note
from torchcompat.legacy.face import ADD, Restore, attach
from torchcompat.shifts.vision import TV_TRANSFORM_RENAMES

#: (old name, new name) in torchvision.transforms
RENAMED = (("Scale", "Resize"), ("RandomSizedCrop", "RandomResizedCrop"))


def _alias_class(old: str, new: str) -> Callable[[Any, str, Any], Optional[type]]:
    def build(env: Any, era: str, original: Any) -> Optional[type]:
        import torchvision.transforms as transforms

        base = getattr(transforms, new, None)
        if base is None:
            return None
        message = "transforms.%s was removed in torchvision %s: use transforms.%s (same arguments)" % (
            old,
            TV_TRANSFORM_RENAMES.removed,
            new,
        )

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            note("tv-" + old, message, depth=2)
            base.__init__(self, *args, **kwargs)

        cls = type(old, (base,), {"__init__": __init__, "__module__": transforms.__name__})
        cls.__doc__ = "torchvision's deprecated %s (0.2 - 0.11): %s with a warning (restored by torchcompat)." % (
            old,
            new,
        )
        return cls

    return build


for _old, _new in RENAMED:
    attach(
        TV_TRANSFORM_RENAMES,
        Restore(
            "torchvision:transforms." + _old,
            _alias_class(_old, _new),
            ADD,
            name="tv-" + _old,
            until=None,  # the era names a torch release; ADD applies only where torchvision lacks the name
            rule="TC961",
            summary="torchvision.transforms.%s, the old name of %s" % (_old, _new),
        ),
    )
