"""The registry's facts agree with its faces: every record says whether it is a spelling or a meaning shift,
its strategy matches the faces it has (or names the missing one in ``planned``), plain renames (``Moved`` rows)
generate what they promise, and every restore's link to its migration rule is declared, not matched by name."""

from __future__ import annotations

import pytest

from torchcompat.legacy.face import all_restores, rule_for
from torchcompat.registry import KINDS, MEANING, REGISTRY, Moved
from torchcompat.report import load_faces

load_faces()

#: Same spelling, different behaviour across releases (DESIGN.md's examples): these must never be "spelling".
KNOWN_MEANING = (
    "t-int-true-division",  # integer `/`
    "t-int-div-as-index",
    "t-uint8-mask",  # uint8 masks
    "nn-softmax-implicit-dim",  # implicit softmax dim
    "nn-interp-align-corners",  # align_corners defaults
    "nn-grid-sample-align",
    "ag-zero-dim-iteration",  # iterating tensors
    "t-full-int-dtype",  # torch.full dtype
    "ag-zero-grad-none",  # zero_grad set_to_none default
    "t-floordiv-semantics",
)

#: strategy -> the face it promises
PROMISES = {"legacy-restore": "restore", "backport": "adapter", "codemod": "rule"}


def _faces(shift):
    return set(["adapter"] * bool(shift.adapters) + [k for k, v in shift.faces.items() if v])


def test_every_record_is_classified():
    unclassified = [s.id for s in REGISTRY if s.kind not in KINDS]
    assert unclassified == []


@pytest.mark.parametrize("shift_id", KNOWN_MEANING)
def test_known_meaning_shifts(shift_id):
    assert REGISTRY.get(shift_id).kind == MEANING


def test_strategy_agrees_with_faces():
    wrong = []
    for shift in REGISTRY:
        face = PROMISES.get(shift.strategy)
        if face and face not in _faces(shift) and not shift.planned.startswith(face + ":"):
            wrong.append("%s: strategy %s but no %s face" % (shift.id, shift.strategy, face))
        if shift.planned and shift.planned.split(":", 1)[0] in _faces(shift):
            wrong.append("%s: planned %r is already there" % (shift.id, shift.planned))
    assert wrong == []


def test_moves_generate_what_they_promise():
    moves = REGISTRY.moves()
    assert moves and all(isinstance(m, Moved) for m in moves)
    codes = [m.code for m in moves if m.code]
    assert len(codes) == len(set(codes))
    restores = {(shift_id, r.target) for shift_id, r in all_restores()}
    for move in moves:
        assert move.old.startswith("torch.") and move.new.startswith("torch."), move
        assert move in move.shift.moves
        if move.adapter:
            shift, _ = REGISTRY.adapter(move.adapter)  # the adapter exists, generated or hand-written
            assert shift is move.shift
        if move.code:
            assert move.code in [r.code for r in move.shift.faces.get("rule", [])], move.code
        if move.restore:
            assert (move.shift.id, move.old_path) in restores


def test_restore_rule_links_are_declared():
    for shift_id, restore in all_restores():
        shift = REGISTRY.get(shift_id)
        rules = shift.faces.get("rule") or []
        if restore.rule:
            assert rule_for(shift, restore) is not None, (shift_id, restore.name, restore.rule)
        elif restore.rule == "" and len(rules) > 1:
            pytest.fail("%s: restore %s must name one of its record's %d rules" % (shift_id, restore.name, len(rules)))


def test_restore_until_defaults_to_the_record():
    by_target = {(s, r.target): r for s, r in all_restores()}
    solve = by_target[("la-solve", "solve")]
    assert solve.until == REGISTRY.get("la-solve").removed == "1.13"
    # declared explicitly: every era (as before the default existed)
    assert by_target[("la-lapack-names", "gesv")].until is None


def test_a_moved_row_restores_the_old_name_where_torch_lacks_it():
    import torch

    from torchcompat import legacy

    row = next(m for m in REGISTRY.moves() if m.code == "TC862")  # torch.set_deterministic, removed in 1.10
    assert row.old_path == "set_deterministic" and row.removed == REGISTRY.get("t-deterministic").removed
    had_old = hasattr(torch, "set_deterministic")
    new = getattr(torch, "use_deterministic_algorithms", None)
    with legacy.patched("set_deterministic") as names:
        if had_old or new is None:
            assert names == []  # torch has the old name itself (or neither): nothing to restore
        else:
            assert names == ["set_deterministic"] and torch.set_deterministic is new
    assert hasattr(torch, "set_deterministic") == had_old
