"""Precision on modern code: what ``torchcompat migrate`` does to large modern libraries.

Code written for torch >= 1.5 means true division by ``/``, bool masks and today's defaults: a rule whose
shift changed *meaning* must rewrite none of it. This script runs the engine with default options and with
``--target-version 2.13`` over each library of a pinned corpus installed (not committed) with::

    pip install --no-deps --target /work/cache/modern/<lib> <lib>==<version>

and prints per rule how many rewrites and findings it makes, the inferred eras, and whether the RoPE line
of transformers (``1.0 / (10000 ** (torch.arange(0, dim, 2, dtype=torch.int64) / dim))``) is unchanged.
Exit status 1 when a meaning-changed rule rewrote anything or the RoPE line changed.

    python benchmarks/modern_corpus.py [--cache /work/cache/modern] [--jobs 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from typing import Any, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

#: The pinned corpus: the versions the figures in the report were measured on.
CORPUS = {
    "transformers": "4.57.6",
    "timm": "1.0.20",
    "torchvision": "0.24.0",
    "diffusers": "0.35.2",
    "accelerate": "1.10.1",
}
DEFAULT_CACHE = os.environ.get("TORCHCOMPAT_MODERN_CORPUS", "/work/cache/modern")
ROPE = "1.0 / (10000 ** (torch.arange(0, dim, 2, dtype=torch.int64) / dim))"
CONFIGS = {"default": None, "target-2.13": "2.13"}


def python_files(root: str) -> List[str]:
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.endswith(".dist-info") and d != "__pycache__")
        out.extend(os.path.join(folder, f) for f in sorted(files) if f.endswith(".py"))
    return out


def _one(job: Tuple[str, Optional[str]]) -> Dict[str, Any]:
    from torchcompat.migrate.engine import DEFAULT_TARGET, Options, process_text
    from torchcompat.migrate.source import decode

    path, target = job
    # explain_era: every file's era in full (the command line infers it only where a meaning rule fired)
    options = Options(target=target or DEFAULT_TARGET, fix=True, explain_era=True).for_file(path)
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        text = decode(data).text
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return {"path": path, "error": "decode"}
    try:
        result = process_text(text, options)
    except Exception as exc:  # a crash is a finding of this benchmark, not the end of it
        return {"path": path, "error": "%s: %s" % (type(exc).__name__, exc)}
    findings: Dict[str, int] = {}
    warnings: Dict[str, int] = {}
    for f in result.findings:
        findings[f.code] = findings.get(f.code, 0) + 1
        if f.severity == "warning":
            warnings[f.code] = warnings.get(f.code, 0) + 1
    rope_before = text.count(ROPE)
    return {
        "path": path,
        "error": result.error,
        "fixed": dict(result.fixed),
        "findings": findings,
        "warnings": warnings,
        "era": result.era.label if result.era is not None else "unknown",
        "era_text": "%s: %s" % (result.era.label, result.era.describe()) if result.era is not None else "unknown",
        "rope": (rope_before, result.text.count(ROPE) if result.changed else rope_before),
    }


def measure(cache: str, jobs: int) -> Dict[str, Any]:
    from torchcompat.migrate import rules  # noqa: F401
    from torchcompat.migrate.era import change_version
    from torchcompat.migrate.rule import RULES

    meaning = {code for code, r in RULES.items() if change_version(r) is not None}
    out: Dict[str, Any] = {"corpus": {}, "configs": {}}
    libs = [lib for lib in CORPUS if os.path.isdir(os.path.join(cache, lib))]
    files = {lib: python_files(os.path.join(cache, lib)) for lib in libs}
    for lib in libs:
        out["corpus"][lib] = {"version": CORPUS[lib], "files": len(files[lib])}
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for name, target in CONFIGS.items():
            started = time.perf_counter()
            per_rule: Dict[str, Dict[str, int]] = {}
            eras: Dict[str, Dict[str, int]] = {}
            errors: List[str] = []
            rope = [0, 0]
            meaning_files: List[Tuple[str, str, List[str]]] = []
            for lib in libs:
                eras[lib] = {"old": 0, "new": 0, "unknown": 0, "declared": 0}
                for item in pool.imap_unordered(_one, [(f, target) for f in files[lib]], chunksize=8):
                    if item["error"]:
                        errors.append("%s: %s" % (item["path"], item["error"]))
                        continue
                    eras[lib][item["era"]] += 1
                    codes = sorted(c for c in item["fixed"] if c in meaning)
                    if codes:
                        meaning_files.append((item["path"], item["era_text"], codes))
                    rope[0] += item["rope"][0]
                    rope[1] += item["rope"][1]
                    for key in ("fixed", "findings", "warnings"):
                        for code, n in item[key].items():
                            row = per_rule.setdefault(code, {"fixed": 0, "findings": 0, "warnings": 0})
                            row[key] += n
            meaning_rewrites = {c: row["fixed"] for c, row in per_rule.items() if c in meaning and row["fixed"]}
            out["configs"][name] = {
                "seconds": round(time.perf_counter() - started, 1),
                "rules": {c: per_rule[c] for c in sorted(per_rule)},
                "eras": eras,
                "errors": errors,
                "rope_lines": rope[0],
                "rope_unchanged": rope[1],
                "meaning_rewrites": meaning_rewrites,
                "meaning_rewrite_files": meaning_files,
            }
    out["meaning_rules"] = sorted(meaning)
    return out


def table(data: Dict[str, Any]) -> str:
    from torchcompat.migrate.rule import RULES

    lines = [
        "corpus: " + ", ".join("%s %s (%d files)" % (k, v["version"], v["files"]) for k, v in data["corpus"].items())
    ]
    for name, conf in data["configs"].items():
        lines.append("")
        lines.append("== %s (%.1f s) ==" % (name, conf["seconds"]))
        lines.append("%-6s %-26s %-8s %9s %9s %9s" % ("code", "rule", "kind", "rewrites", "findings", "warnings"))
        for code, row in conf["rules"].items():
            kind = "meaning" if code in data["meaning_rules"] else "spelling"
            lines.append(
                "%-6s %-26s %-8s %9d %9d %9d"
                % (code, RULES[code].name, kind, row["fixed"], row["findings"], row["warnings"])
            )
        for lib, eras in conf["eras"].items():
            lines.append("era %-14s old %4d  new %4d  unknown %4d" % (lib, eras["old"], eras["new"], eras["unknown"]))
        lines.append("RoPE lines: %d, unchanged: %d" % (conf["rope_lines"], conf["rope_unchanged"]))
        lines.append("meaning-changed rules' rewrites: %s" % (conf["meaning_rewrites"] or "none"))
        for path, era, codes in conf["meaning_rewrite_files"]:
            lines.append("  %s: %s (era %s)" % (path, ", ".join(codes), era))
        if conf["errors"]:
            lines.append("errors (%d): %s" % (len(conf["errors"]), "; ".join(conf["errors"][:5])))
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", default=DEFAULT_CACHE)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if not any(os.path.isdir(os.path.join(args.cache, lib)) for lib in CORPUS):
        sys.stderr.write(
            "no modern corpus under %s: install it with pip --no-deps --target (see the docstring)\n" % args.cache
        )
        return 2
    data = measure(args.cache, args.jobs)
    print(table(data))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(data, handle, indent=1)
    # a meaning-changed rule may rewrite only where the file's own evidence dates it before the change
    bad = any(
        c["rope_unchanged"] != c["rope_lines"]
        or any(not era.startswith("old") for _, era, _ in c["meaning_rewrite_files"])
        for c in data["configs"].values()
    )
    bad = bad or bool(data["configs"]["default"]["meaning_rewrites"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
