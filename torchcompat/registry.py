"""The shift registry: every PyTorch API shift declared once, and the faces derived from it.

A :class:`Shift` holds the facts (old and new usage, versions, upstream link, how to detect it) and
its faces: *adapters* (``torchcompat.<name>``, resolved per torch module), and any number of other
faces attached by consumers (``"restore"`` by :mod:`torchcompat.legacy`, ``"rule"`` by the
migration tool). The registry never imports torch: resolvers receive a :class:`~torchcompat.probe.TorchEnv`.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import types
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

__all__ = [
    "NATIVE",
    "BACKPORTED",
    "UNAVAILABLE",
    "STATUSES",
    "Resolution",
    "native",
    "backport",
    "unavailable",
    "UnsupportedError",
    "Shift",
    "Registry",
    "REGISTRY",
    "declare",
    "Binding",
    "SPELLING",
    "MEANING",
    "KINDS",
    "Moved",
]

NATIVE = "native"
BACKPORTED = "backported"
UNAVAILABLE = "unavailable"
STATUSES = (NATIVE, BACKPORTED, UNAVAILABLE)

#: A record's ``kind``. SPELLING: an old name or keyword that no longer exists, so its presence proves old
#: code and renaming is safe. MEANING: the same spelling behaves differently across releases (integer ``/``,
#: uint8 masks, implicit softmax dim ...): rewrite only with evidence of the source's era.
SPELLING = "spelling"
MEANING = "meaning"
KINDS = (SPELLING, MEANING)

Resolver = Callable[[Any], "Resolution"]


class UnsupportedError(RuntimeError):
    """An adapter that cannot work on the running torch; the message names the release it needs."""


@dataclasses.dataclass(frozen=True)
class Resolution:
    """What an adapter name means on one torch: the object, and whether it is native or backported."""

    obj: Any
    status: str
    note: str = ""
    needs: Optional[str] = None


def native(obj: Any, note: str = "") -> Resolution:
    """The adapter *is* torch's own object (zero overhead)."""
    return Resolution(obj, NATIVE, note)


def backport(obj: Any, note: str = "") -> Resolution:
    """A wrapper or reimplementation giving the new API's behaviour on this torch."""
    return Resolution(obj, BACKPORTED, note)


def unavailable(needs: str, why: str = "") -> Resolution:
    """No exact backport is possible here: calling the adapter raises :class:`UnsupportedError`
    naming ``needs`` (the first torch release that supports it) and ``why``."""
    return Resolution(None, UNAVAILABLE, why, needs)


@dataclasses.dataclass(eq=False)
class Shift:
    """One change of PyTorch's API or behaviour between releases, with its faces."""

    id: str
    area: str
    summary: str
    old: str = ""
    new: str = ""
    added: Optional[str] = None
    deprecated: Optional[str] = None
    removed: Optional[str] = None
    changed: Optional[str] = None
    link: Optional[str] = None
    strategy: str = "alias"
    verified: bool = True
    notes: str = ""
    #: :data:`SPELLING` or :data:`MEANING` (every record says which; tests/test_registry_consistency.py).
    kind: Optional[str] = None
    #: A face the strategy promises but that is not there yet, and where it is tracked.
    planned: str = ""
    #: Dotted path under torch whose presence means "the new API is native" (``"linalg.solve"``),
    #: or a callable ``(TorchEnv) -> bool``. ``None``: decided by each adapter alone.
    probe: Any = None
    adapters: Dict[str, Resolver] = dataclasses.field(default_factory=dict)
    faces: Dict[str, List[Any]] = dataclasses.field(default_factory=dict)
    #: The plain-rename rows of this record (:meth:`moved`), in declaration order.
    moves: List["Moved"] = dataclasses.field(default_factory=list)
    #: The library whose releases ``added`` / ``deprecated`` / ``removed`` name (``"torchvision"`` ...).
    library: str = "torch"

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError("shift %r: kind must be one of %s, not %r" % (self.id, KINDS, self.kind))

    def adapter(self, name: str) -> Callable[[Resolver], Resolver]:
        """Decorator: register ``resolver(env) -> Resolution`` as ``torchcompat.<name>`` (dots for
        sub-namespaces, e.g. ``"linalg.solve"``)."""

        def register(resolver: Resolver) -> Resolver:
            REGISTRY._add_adapter(self, name, resolver)
            return resolver

        return register

    def alias(
        self,
        name: str,
        path: Optional[str] = None,
        fallback: Optional[Callable[[Any], Any]] = None,
        needs: Optional[str] = None,
    ) -> None:
        """Declare the commonest adapter: torch's object at ``path`` (default ``name``) when present,
        else ``fallback(env)`` as a backport, else unavailable (needing ``needs`` or ``self.added``)."""
        target = path or name
        if fallback is not None:
            self.native_or(name, path)(fallback)
            return

        def resolve(env: Any) -> Resolution:
            obj = env.get(target)
            if obj is not _missing():
                return native(obj)
            return unavailable(needs or self.added or "?", "torch.%s is missing" % target)

        REGISTRY._add_adapter(self, name, resolve)

    def native_or(
        self, name: str, path: Optional[str] = None
    ) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
        """Decorator for "torch's own object if present, else a backport": ``tc.<name>`` is torch's object at
        ``path`` (default ``name``) when this torch has it; else what ``build(env)`` returns: an object (the
        backport) or a :class:`Resolution` (``unavailable(...)``, a backport with a note). Returns the resolver
        (``resolver(env) -> Resolution``), as :meth:`adapter` does."""
        target = path or name

        def register(build: Callable[[Any], Any]) -> Resolver:
            def resolve(env: Any) -> Resolution:
                obj = env.get(target)
                if obj is not _missing():
                    return native(obj)
                made = build(env)
                return made if isinstance(made, Resolution) else backport(made)

            resolve.__name__ = getattr(build, "__name__", "resolve")
            resolve.__doc__ = build.__doc__
            REGISTRY._add_adapter(self, name, resolve)
            return resolve

        return register

    def backported(self, name: str, path: Optional[str] = None) -> Resolver:
        """Declare ``tc.<name>``: torch's object at ``path`` (default ``name``) when present, else the backport
        built by ``REGISTRY.builder(name)`` for this torch. Returns the resolver."""
        return self.native_or(name, path)(lambda env: REGISTRY.build(name, env.torch))

    def moved(
        self,
        old: str,
        new: str,
        *,
        code: Optional[str] = None,
        adapter: Optional[str] = None,
        safe: bool = True,
        added: Optional[str] = None,
        deprecated: Optional[str] = None,
        removed: Optional[str] = None,
        link: Optional[str] = None,
        old_added: Optional[str] = None,
        alias: bool = True,
        restore: bool = True,
    ) -> "Moved":
        """Declare one plain rename of this record (``torch.old`` -> ``torch.new``, full qualified names);
        versions and link default to the record's. With ``adapter`` and ``alias``, generates the adapter
        ``tc.<adapter>`` (torch's ``new`` when present, else its ``old``). See :class:`Moved`."""
        row = Moved(
            shift=self,
            old=old,
            new=new,
            added=added if added is not None else self.added,
            deprecated=deprecated if deprecated is not None else self.deprecated,
            removed=removed if removed is not None else self.removed,
            link=link if link is not None else self.link,
            code=code,
            adapter=adapter,
            safe=safe,
            old_added=old_added,
            alias=alias,
            restore=restore,
        )
        REGISTRY._add_move(row)
        return row

    def add_face(self, kind: str, face: Any) -> Any:
        """Attach a consumer's face (``"restore"``, ``"rule"`` ...) to this record; returns ``face``."""
        self.faces.setdefault(kind, []).append(face)
        return face

    def is_native(self, env: Any) -> Optional[bool]:
        """Evaluate the record's probe on ``env``: True if the new API is there, None without a probe."""
        if self.probe is None:
            return None
        if callable(self.probe):
            return bool(self.probe(env))
        return bool(env.has(self.probe))

    def versions(self) -> Dict[str, Optional[str]]:
        return {"added": self.added, "deprecated": self.deprecated, "removed": self.removed, "changed": self.changed}


@dataclasses.dataclass(frozen=True, eq=False)
class Moved:
    """One plain rename, as data (like six's ``moves`` or TorchFix's deprecated-symbols table): ``torch.<old>``
    became ``torch.<new>`` with the same meaning. One row generates the alias adapter (``adapter``, when
    ``alias``), the restore (``torchcompat run`` puts ``old`` back where torch lacks it, when ``restore``),
    the rename rule (``code``, by the migration tool) and the docs row. Declare with :meth:`Shift.moved`."""

    shift: Shift = dataclasses.field(repr=False)
    old: str = ""  # full qualified name: "torch.cuda.memory_cached"
    new: str = ""  # "torch.cuda.memory_reserved"
    added: Optional[str] = None  # first release with ``new``: the rename rule's minimum version
    deprecated: Optional[str] = None
    removed: Optional[str] = None  # first release without ``old``
    link: Optional[str] = None
    code: Optional[str] = None  # the migration rule code, "TC860"
    adapter: Optional[str] = None  # tc.<adapter> (what ``--portable`` writes); None: no adapter
    safe: bool = True  # the rename means the same on every release
    old_added: Optional[str] = None  # first release with ``old`` (the adapter's floor); None: unknown
    alias: bool = True  # generate the adapter (False: it is hand-written in the area module)
    restore: bool = True  # generate the restore of ``old``

    @property
    def old_path(self) -> str:
        """``old`` without the leading ``torch.``: the path under torch."""
        return self.old[len("torch.") :] if self.old.startswith("torch.") else self.old

    @property
    def new_path(self) -> str:
        return self.new[len("torch.") :] if self.new.startswith("torch.") else self.new


def _moved_alias(name: str) -> Resolver:
    """The generated adapter of every :class:`Moved` row naming ``name``: torch's new object, else an old one."""

    def resolve(env: Any) -> Resolution:
        rows = REGISTRY._moves_by_adapter[name]
        obj = env.get(rows[0].new_path)
        if obj is not _missing():
            return native(obj)
        for row in rows:
            obj = env.get(row.old_path)
            if obj is not _missing():
                return native(obj, "torch.%s" % row.old_path)
        first = rows[0]
        return unavailable(
            first.old_added or first.added or "?", "torch has neither %s nor %s" % (first.new, first.old)
        )

    return resolve


def _missing() -> Any:
    from torchcompat.probe import MISSING

    return MISSING


class Registry:
    """All shifts by id, and every adapter name -> (shift, resolver)."""

    def __init__(self) -> None:
        self._shifts: Dict[str, Shift] = {}
        self._adapters: Dict[str, Tuple[Shift, Resolver]] = {}
        self._moves: List[Moved] = []
        self._moves_by_adapter: Dict[str, List[Moved]] = {}
        self._builders: Dict[str, Callable[[Any], Any]] = {}
        self._built: Dict[Tuple[int, str], Tuple[Any, Any]] = {}
        self._build_lock = threading.RLock()
        # torch's own submodules that are namespaces even before an adapter lands in them (given by the
        # areas package: torchcompat.shifts.NAMESPACES), plus every dotted adapter's parents.
        self._namespaces: set = {""}
        #: ``() -> None``: imports the area modules (set by the areas package; see :meth:`set_loader`).
        self._loader: Optional[Callable[[], None]] = None
        self._area_order: Dict[str, int] = {}

    def set_loader(self, loader: Callable[[], None], namespaces: Any = (), areas: Any = ()) -> None:
        """Called by the areas package (:mod:`torchcompat.shifts`) when it is imported: how to load every
        area, the torch submodules that are namespaces, and the areas' order (records iterate by area in that
        order, then in declaration order, whichever area happened to be imported first). The registry never
        imports its areas itself."""
        self._loader = loader
        self._namespaces.update(namespaces)
        self._area_order = {area: i for i, area in enumerate(areas)}

    def add(self, shift: Shift) -> Shift:
        if shift.id in self._shifts:
            raise ValueError("shift %r is declared twice" % shift.id)
        self._shifts[shift.id] = shift
        return shift

    def _add_adapter(self, shift: Shift, name: str, resolver: Resolver) -> None:
        if name in self._adapters:
            raise ValueError("adapter %r is declared by both %r and %r" % (name, self._adapters[name][0].id, shift.id))
        shift.adapters[name] = resolver
        self._adapters[name] = (shift, resolver)
        parts = name.split(".")
        for i in range(1, len(parts)):
            self._namespaces.add(".".join(parts[:i]))

    def _add_move(self, row: Moved) -> None:
        row.shift.moves.append(row)
        self._moves.append(row)
        if row.adapter and row.alias:
            rows = self._moves_by_adapter.setdefault(row.adapter, [])
            if not rows:
                self._add_adapter(row.shift, row.adapter, _moved_alias(row.adapter))
            elif rows[0].new != row.new:
                raise ValueError(
                    "adapter %r: moves disagree on the new name (%s, %s)" % (row.adapter, rows[0].new, row.new)
                )
            rows.append(row)

    def builder(self, name: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
        """Decorator: ``build(torch) -> object`` is the backport of adapter ``name`` (a class or function made
        for one torch module). :meth:`build` calls it once per torch module: a backported class must be the
        same object every time, or pickling it by reference fails."""

        def register(build: Callable[[Any], Any]) -> Callable[[Any], Any]:
            if name in self._builders:
                raise ValueError("backport %r is built twice" % name)
            self._builders[name] = build
            return build

        return register

    def build(self, name: str, torch_module: Any) -> Any:
        """The backport of adapter ``name`` for ``torch_module`` (built on first use, then the same object)."""
        key = (id(torch_module), name)
        found = self._built.get(key)
        if found is None or found[0] is not torch_module:
            with self._build_lock:
                found = self._built.get(key)
                if found is None or found[0] is not torch_module:
                    found = self._built[key] = (torch_module, self._builders[name](torch_module))
        return found[1]

    def builders(self) -> List[str]:
        """The adapter names that have a registered backport builder."""
        _load()
        return sorted(self._builders)

    def moves(self) -> List[Moved]:
        """Every plain-rename row (:class:`Moved`) across the registry: by area (in the areas' order), then in
        declaration order, so the order never depends on which area happened to be imported first."""
        _load()
        last = len(self._area_order)
        return sorted(self._moves, key=lambda row: (self._area_order.get(row.shift.area, last), row.shift.area))

    def get(self, shift_id: str) -> Shift:
        _load()
        try:
            return self._shifts[shift_id]
        except KeyError:
            raise KeyError("no shift %r in the registry (torchcompat info lists them)" % shift_id) from None

    def __iter__(self) -> Iterator[Shift]:
        _load()
        last = len(self._area_order)
        return iter(sorted(self._shifts.values(), key=lambda shift: self._area_order.get(shift.area, last)))

    def __len__(self) -> int:
        _load()
        return len(self._shifts)

    def adapter(self, name: str) -> Tuple[Shift, Resolver]:
        _load()
        return self._adapters[name]

    def adapter_names(self, namespace: Optional[str] = None) -> List[str]:
        """Every adapter name, or the direct children of ``namespace`` (``""`` is the top level)."""
        _load()
        if namespace is None:
            return sorted(self._adapters)
        prefix = namespace + "." if namespace else ""
        children = {n[len(prefix) :].split(".", 1)[0] for n in self._adapters if n.startswith(prefix)}
        return sorted(children)

    def namespaces(self) -> List[str]:
        """Every namespace name (``""`` is the top level, then ``"nn"``, ``"nn.functional"`` ...)."""
        _load()
        return sorted(self._namespaces)

    def is_namespace(self, name: str) -> bool:
        _load()
        return name in self._namespaces

    def faces(self, kind: str) -> Iterator[Tuple[Shift, Any]]:
        """Every ``(shift, face)`` of one kind across the registry."""
        for shift in self:
            for face in shift.faces.get(kind, ()):
                yield shift, face


REGISTRY = Registry()


def declare(area: str, library: str = "torch") -> Callable[..., Shift]:
    """A declaring function for one area module: ``shift = declare("linalg")``, then ``shift(id, ...)``;
    ``declare("vision", library="torchvision")``: the records' versions are that library's releases."""

    def shift(id: str, summary: str, **fields: Any) -> Shift:
        fields.setdefault("library", library)
        return REGISTRY.add(Shift(id=id, area=area, summary=summary, **fields))

    return shift


_loaded = False
_load_lock = threading.RLock()


def _load() -> None:
    """Import every area module once (declarations only: no torch import happens here). The loader is
    given by the areas package; without one, importing ``torchcompat.shifts`` (a consumer's job) sets it."""
    global _loaded
    if _loaded:
        return
    with _load_lock:
        if _loaded:
            return
        if REGISTRY._loader is None:
            import importlib

            importlib.import_module("torchcompat.shifts")  # its __init__ calls REGISTRY.set_loader(...)
        if REGISTRY._loader is not None:
            REGISTRY._loader()
        _loaded = True


class Binding:
    """The registry resolved against one torch module: ``torchcompat`` itself binds the installed
    torch; tests bind emulations of old surfaces (``torchcompat.bind(fake_torch)``)."""

    def __init__(self, torch_module: types.ModuleType) -> None:
        from torchcompat.probe import TorchEnv

        self.env = TorchEnv.of(torch_module)
        self.torch = torch_module
        self._resolved: Dict[str, Resolution] = {}
        self._lock = threading.RLock()

    def resolution(self, name: str) -> Resolution:
        """Resolve adapter ``name`` once; later calls return the cached :class:`Resolution`."""
        found = self._resolved.get(name)
        if found is not None:
            return found
        with self._lock:
            found = self._resolved.get(name)
            if found is None:
                shift, resolver = REGISTRY.adapter(name)
                found = resolver(self.env)
                if found.status == UNAVAILABLE and found.obj is None:
                    found = dataclasses.replace(found, obj=self._stub(name, shift, found))
                self._resolved[name] = found
        return found

    def _stub(self, name: str, shift: Shift, res: Resolution) -> Callable[..., Any]:
        message = "torchcompat.%s needs torch >= %s%s; this is torch %s. (shift %s%s)" % (
            name,
            res.needs,
            " (%s)" % res.note if res.note else "",
            self.env.version,
            shift.id,
            ": " + shift.link if shift.link else "",
        )

        def unavailable_adapter(*args: Any, **kwargs: Any) -> Any:
            raise UnsupportedError(message)

        unavailable_adapter.__name__ = name.rsplit(".", 1)[-1]
        unavailable_adapter.__qualname__ = name
        unavailable_adapter.__doc__ = message
        return unavailable_adapter

    def resolve(self, name: str) -> Any:
        """The object ``torchcompat.<name>`` stands for on this torch."""
        return self.resolution(name).obj

    def status(self, name: str) -> str:
        return self.resolution(name).status

    def namespace(self, prefix: str = "", module_name: Optional[str] = None) -> "Namespace":
        """A module object whose attributes are this binding's adapters under ``prefix``."""
        return Namespace(module_name or ("torchcompat." + prefix if prefix else "torchcompat"), self, prefix)

    def lookup(self, prefix: str, attr: str) -> Any:
        """Attribute ``attr`` of namespace ``prefix``: an adapter, a sub-namespace, or torch's own
        attribute (the namespace is "torch with fixes")."""
        full = prefix + "." + attr if prefix else attr
        _load()
        if full in REGISTRY._adapters:
            return self.resolve(full)
        if REGISTRY.is_namespace(full):
            return self.namespace(full)
        if attr.startswith("__"):
            raise AttributeError(attr)
        base = self.env.get(prefix) if prefix else self.torch
        obj = getattr(base, attr, _missing()) if base is not _missing() else _missing()
        if obj is _missing():
            raise AttributeError(
                "torchcompat%s has no attribute %r, and neither has torch%s %s"
                % ("." + prefix if prefix else "", attr, "." + prefix if prefix else "", self.env.version)
            )
        return obj


class Namespace(types.ModuleType):
    """``torchcompat.nn``, ``torchcompat.linalg`` ...: adapters first, then torch's own attributes.
    Each name is resolved once and then stored as a plain attribute."""

    def __init__(self, name: str, binding: Binding, prefix: str) -> None:
        super().__init__(name)
        self.__dict__["_tc_binding"] = binding
        self.__dict__["_tc_prefix"] = prefix

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_tc_"):
            raise AttributeError(attr)
        obj = self._tc_binding.lookup(self._tc_prefix, attr)
        self.__dict__[attr] = obj
        return obj

    def __dir__(self) -> List[str]:
        names = set(REGISTRY.adapter_names(self._tc_prefix))
        base = self._tc_binding.env.get(self._tc_prefix) if self._tc_prefix else self._tc_binding.torch
        if base is not _missing():
            names.update(n for n in dir(base) if not n.startswith("_"))
        return sorted(names)

    def __repr__(self) -> str:
        return "<torchcompat namespace %r on torch %s>" % (self.__name__, self._tc_binding.env.version)


@functools.lru_cache(maxsize=None)
def _binding_for(torch_module: types.ModuleType) -> Binding:
    return Binding(torch_module)
