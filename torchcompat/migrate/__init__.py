"""``torchcompat check`` / ``torchcompat migrate``: lint and rewrite legacy PyTorch source.

Never imports torch. The engine (:mod:`.engine`) works on stdlib ``ast``/``tokenize`` spans; the rules
live one per file in :mod:`.rules` and are the ``"rule"`` faces of the shift registry. See
``torchcompat/migrate/README.md`` for how to add a rule.

Library use::

    from torchcompat.migrate import Options, process_text
    result = process_text(source, Options(target="2.0", fix=True))
    result.text, result.findings
"""

from __future__ import annotations

from torchcompat.migrate.engine import RULES, Finding, Options, Result, Rule, process_text, rule

__all__ = ["Options", "Finding", "Result", "Rule", "RULES", "process_text", "rule"]
