"""TC410-TC424: ``torch.solve/lstsq/symeig/eig/matrix_rank/chain_matmul/ger/norm/range/qr/cholesky/svd/
lu/lu_solve/triangular_solve`` -> ``torch.linalg`` (and ``torch.outer``, ``torch.arange``), arguments
reordered and results adapted. ``--portable`` writes the ``tc.linalg`` adapters."""

from __future__ import annotations

import ast

from torchcompat.migrate.engine import Context, rule
from torchcompat.migrate.rules._helpers import keyword
from torchcompat.migrate.rules._helpers2 import UNKNOWN, arg_src, bind, call_rule, const, first_of_pair, replace_call
from torchcompat.migrate.rules.tc401_lapack_names import _lstsq_like, _solve_like, cholesky_call, linalg, triangular


@rule(
    "TC410",
    shift="la-solve",
    name="solve",
    message="torch.solve(B, A) was removed in torch 1.13: use torch.linalg.solve(A, B) (arguments reversed)",
    docs="X, _ = torch.solve(B, A) / torch.solve(B, A).solution -> torch.linalg.solve(A, B)",
    min_version="1.8",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("solve",),
)
@call_rule(["torch.solve"])
def solve(call: ast.Call, ctx: Context, qual: str) -> None:
    _solve_like(call, ctx, "solve")


@rule(
    "TC411",
    shift="la-lstsq",
    name="lstsq",
    message="torch.lstsq(B, A) was removed in torch 1.13: use torch.linalg.lstsq(A, B).solution",
    docs="X, _ = torch.lstsq(B, A) -> X = torch.linalg.lstsq(A, B).solution (the old X was padded to max(m, n) rows)",
    min_version="1.9",
    safe=False,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("lstsq",),
)
@call_rule(["torch.lstsq"])
def lstsq(call: ast.Call, ctx: Context, qual: str) -> None:
    _lstsq_like(call, ctx, "lstsq")


@rule(
    "TC412",
    shift="la-symeig",
    name="symeig",
    message="torch.symeig was removed in torch 2.0: use torch.linalg.eigh / eigvalsh",
    docs="torch.symeig(A, eigenvectors=True) -> torch.linalg.eigh(A, UPLO='U'); e, _ = torch.symeig(A) -> "
    "e = torch.linalg.eigvalsh(A, UPLO='U') (symeig read the upper triangle by default)",
    min_version="1.8",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("symeig",),
)
@call_rule(["torch.symeig"])
def symeig(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["input", "eigenvectors", "upper"])
    if args is None or "input" not in args:
        ctx.report(call)
        return
    vectors = const(args.get("eigenvectors"), False)
    upper = const(args.get("upper"), True)
    if vectors is UNKNOWN or upper is UNKNOWN:
        ctx.report(
            call,
            message="eigenvectors=/upper= are not literals: rewrite by hand to torch.linalg.eigh(A, "
            "UPLO='U') or eigvalsh",
        )
        return
    uplo = "'U'" if upper else "'L'"
    a = arg_src(ctx, args["input"])
    if vectors:
        ctx.report(call, edits=replace_call(ctx, call, "%s(%s, UPLO=%s)" % (linalg(ctx, "eigh"), a, uplo)))
        return
    edits = first_of_pair(ctx, call, "%s(%s, UPLO=%s)" % (linalg(ctx, "eigvalsh"), a, uplo))
    if edits is None:
        ctx.report(
            call,
            message="torch.symeig(A) without eigenvectors returned (e, empty): use "
            "torch.linalg.eigvalsh(A, UPLO='U') for e",
        )
        return
    ctx.report(call, edits=edits)


@rule(
    "TC413",
    shift="la-eig",
    name="eig",
    message="torch.eig was removed in torch 1.13: use torch.linalg.eigvals / eig (complex results)",
    docs="e, _ = torch.eig(A) -> e = torch.view_as_real(torch.linalg.eigvals(A)) (keeps the (n, 2) real layout); "
    "eigenvectors=True: by hand (the old real-packed vectors have no direct equivalent)",
    min_version="1.9",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("eig",),
)
@call_rule(["torch.eig"])
def eig(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["input", "eigenvectors"])
    if ctx.portable and args is not None and "input" in args:
        # tc.linalg.eig_legacy keeps torch.eig's (n, 2) values and packed vectors on every release.
        vectors = ", eigenvectors=%s" % arg_src(ctx, args["eigenvectors"]) if "eigenvectors" in args else ""
        new = "%s(%s%s)" % (ctx.tc("linalg.eig_legacy"), arg_src(ctx, args["input"]), vectors)
        ctx.report(call, edits=replace_call(ctx, call, new))
        return
    vectors = const(args.get("eigenvectors"), False) if args is not None else UNKNOWN
    if args is None or "input" not in args or vectors is not False:
        ctx.report(
            call,
            message="torch.eig(A, eigenvectors=True) was removed in torch 1.13: use torch.linalg.eig(A) "
            "(complex eigenvalues and eigenvectors) and adapt the code reading them",
        )
        return
    new = "%s(%s(%s))" % (ctx.torch("view_as_real"), linalg(ctx, "eigvals"), arg_src(ctx, args["input"]))
    edits = first_of_pair(ctx, call, new)
    if edits is None:
        ctx.report(
            call,
            message="torch.eig(A) returned (e, empty) with e of shape (n, 2): use "
            "torch.view_as_real(torch.linalg.eigvals(A)) for e",
        )
        return
    ctx.report(call, edits=edits)


@rule(
    "TC414",
    shift="la-matrix-rank",
    name="matrix-rank",
    message="torch.matrix_rank was removed in torch 1.13: use torch.linalg.matrix_rank",
    docs="torch.matrix_rank(A, symmetric=True) -> torch.linalg.matrix_rank(A, hermitian=True); tol=t -> "
    "atol=t, rtol=0 (1.11+)",
    min_version="1.8",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("matrix_rank",),
)
@call_rule(["torch.matrix_rank"])
def matrix_rank(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["input", "tol", "symmetric"])
    if args is None or "input" not in args:
        ctx.report(call)
        return
    parts = [arg_src(ctx, args["input"])]
    if "tol" in args and const(args["tol"]) is not None:
        if not (ctx.portable or ctx.allows("1.11")):
            ctx.report(call, message="torch.matrix_rank(A, tol): torch.linalg.matrix_rank takes atol= from 1.11")
            return
        parts.append("atol=%s, rtol=0" % arg_src(ctx, args["tol"]))
    if "symmetric" in args and const(args["symmetric"]) is not False:
        parts.append("hermitian=%s" % arg_src(ctx, args["symmetric"]))
    ctx.report(call, edits=replace_call(ctx, call, "%s(%s)" % (linalg(ctx, "matrix_rank"), ", ".join(parts))))


@rule(
    "TC415",
    shift="la-chain-matmul",
    name="chain-matmul",
    message="torch.chain_matmul is deprecated since torch 1.9: use torch.linalg.multi_dot",
    docs="torch.chain_matmul(a, b, c) -> torch.linalg.multi_dot([a, b, c])",
    min_version="1.9",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("chain_matmul",),
)
@call_rule(["torch.chain_matmul"])
def chain_matmul(call: ast.Call, ctx: Context, qual: str) -> None:
    if call.keywords or (len(call.args) < 2 and not any(isinstance(a, ast.Starred) for a in call.args)):
        ctx.report(call)
        return
    items = ", ".join(ctx.source(a) for a in call.args)
    ctx.report(call, edits=replace_call(ctx, call, "%s([%s])" % (linalg(ctx, "multi_dot"), items)))


@rule(
    "TC416",
    shift="la-ger",
    name="ger",
    message="torch.ger is deprecated: use torch.outer",
    docs="torch.ger(a, b) -> torch.outer(a, b)",
    min_version="1.7",
    safe=True,
    nodes=(ast.Call,),
    hints=("ger",),
)
@call_rule(["torch.ger"])
def ger(call: ast.Call, ctx: Context, qual: str) -> None:
    start = ctx.start(call.func)
    end = ctx.end(call.func)
    if isinstance(call.func, ast.Attribute):
        ctx.report(call, edits=[(end - len("ger"), end, "outer")])
    else:
        ctx.report(call, edits=[(start, end, ctx.torch("outer"))])


_NUMERIC_P = (int, float)


@rule(
    "TC417",
    shift="la-norm",
    name="norm",
    message="torch.norm is deprecated: use torch.linalg.vector_norm / "
    "matrix_norm (p='fro'/2 mean different things for vectors and matrices)",
    docs="torch.norm(x) -> torch.linalg.vector_norm(x); torch.norm(x, p, dim) with a numeric p and an int dim -> "
    "torch.linalg.vector_norm(x, p, dim); other forms: a warning",
    min_version="1.9",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("norm",),
)
@call_rule(["torch.norm"])
def norm(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["input", "p", "dim", "keepdim", "out", "dtype"])
    if args is None or "input" not in args or "out" in args:
        ctx.report(call, warning=True)
        return
    p = const(args.get("p"), "fro")
    dim = const(args.get("dim"), None)
    parts = [arg_src(ctx, args["input"])]
    if dim is None:
        if p not in ("fro", 2, 2.0):  # flattened p-norm: same as vector_norm(x, p)
            if isinstance(p, bool) or not isinstance(p, _NUMERIC_P):
                ctx.report(call, warning=True)
                return
            parts.append(arg_src(ctx, args["p"]))
    elif isinstance(dim, int) and not isinstance(dim, bool) and p is not UNKNOWN and p != "nuc":
        if p == "fro":
            p = 2
        if isinstance(p, bool) or not isinstance(p, _NUMERIC_P):
            ctx.report(call, warning=True)
            return
        parts.append(arg_src(ctx, args["p"]) if "p" in args and p != 2 else "2")
        parts.append(arg_src(ctx, args["dim"]))
    else:
        ctx.report(call, warning=True)
        return
    for name in ("keepdim", "dtype"):
        if name in args:
            parts.append("%s=%s" % (name, arg_src(ctx, args[name])))
    ctx.report(call, edits=replace_call(ctx, call, "%s(%s)" % (linalg(ctx, "vector_norm"), ", ".join(parts))))


def _plus_one(ctx: Context, node: ast.AST) -> str:
    """``end + 1`` (``n - 1`` + 1 -> ``n``)."""
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Sub)
        and const(node.right) == 1
        and not isinstance(const(node.right), bool)
        and type(const(node.right)) is int
    ):
        return ctx.source(node.left)
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return str(node.value + 1)
    text = ctx.source(node)
    if isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant)) or (
        isinstance(node, ast.BinOp)
        and not isinstance(node.op, (ast.BitOr, ast.BitAnd, ast.BitXor, ast.LShift, ast.RShift))
    ):
        return text + " + 1"
    return "(" + text + ") + 1"


@rule(
    "TC418",
    shift="la-range",
    name="range",
    message="torch.range is deprecated (end-inclusive, float): use torch.arange(start, end + 1)",
    docs="torch.range(a, b) -> torch.arange(a, b + 1, dtype=torch.get_default_dtype()) (step 1 only: other "
    "steps are left with a warning; float endpoints can round differently)",
    min_version="0.4",
    safe=False,
    nodes=(ast.Call,),
    hints=("range",),
)
@call_rule(["torch.range"])
def range_(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["start", "end", "step", "out", "dtype", "layout", "device", "requires_grad"])
    if (
        args is None
        or len(call.args) > 3
        or not {"start", "end"} <= set(args)
        or "out" in args
        or const(args.get("step"), 1) != 1
        or isinstance(const(args.get("step"), 1), bool)
    ):
        ctx.report(call, warning=True)
        return
    parts = [arg_src(ctx, args["start"]), _plus_one(ctx, args["end"])]
    if "dtype" not in args:
        parts.append("dtype=%s()" % ctx.torch("get_default_dtype"))
    for kw in call.keywords:
        if kw.arg not in ("start", "end", "step"):
            parts.append("%s=%s" % (kw.arg, arg_src(ctx, kw.value)))
    start = ctx.start(call.func)
    func = ctx.source(call.func)
    func = func[: -len("range")] + "arange" if isinstance(call.func, ast.Attribute) else ctx.torch("arange")
    ctx.report(call, edits=[(start, ctx.end(call), "%s(%s)" % (func, ", ".join(parts)))])


@rule(
    "TC419",
    shift="la-qr",
    name="qr",
    message="torch.qr is deprecated: use torch.linalg.qr (some=False is mode='complete')",
    docs="torch.qr(A) -> torch.linalg.qr(A); torch.qr(A, some=False) -> torch.linalg.qr(A, mode='complete')",
    min_version="1.8",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("qr",),
)
@call_rule(["torch.qr"])
def qr(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["input", "some"])
    some = const(args.get("some"), True) if args is not None else UNKNOWN
    if args is None or "input" not in args or some is UNKNOWN:
        ctx.report(call)
        return
    mode = "" if some else ", mode='complete'"
    ctx.report(call, edits=replace_call(ctx, call, "%s(%s%s)" % (linalg(ctx, "qr"), arg_src(ctx, args["input"]), mode)))


@rule(
    "TC420",
    shift="la-cholesky",
    name="cholesky",
    message="torch.cholesky is deprecated: use torch.linalg.cholesky (upper=True: its .mH)",
    docs="torch.cholesky(A) -> torch.linalg.cholesky(A); torch.cholesky(A, upper=True) -> torch.linalg.cholesky(A).mH",
    min_version="1.8",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("cholesky",),
)
@call_rule(["torch.cholesky"])
def cholesky(call: ast.Call, ctx: Context, qual: str) -> None:
    cholesky_call(call, ctx, ["input", "upper"], False)


@rule(
    "TC421",
    shift="la-svd",
    name="svd",
    message="torch.svd is deprecated: torch.linalg.svd returns Vh (not V) and full_matrices is the inverse of some",
    docs="U, S, V = torch.svd(A) -> U, S, Vh = torch.linalg.svd(A, full_matrices=False); V = Vh.mH (by hand: "
    "a warning)",
    min_version="1.8",
    safe=False,
    fixable=False,
    nodes=(ast.Call,),
    hints=("svd",),
)
@call_rule(["torch.svd"])
def svd(call: ast.Call, ctx: Context, qual: str) -> None:
    ctx.report(call, warning=True)


@rule(
    "TC422",
    shift="la-lu",
    name="lu",
    message="torch.lu is deprecated since torch 1.13: use torch.linalg.lu_factor",
    docs="LU, piv = torch.lu(A) -> torch.linalg.lu_factor(A); get_infos=True -> torch.linalg.lu_factor_ex(A)",
    min_version="1.11",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("lu",),
)
@call_rule(["torch.lu"])
def lu(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["A", "pivot", "get_infos", "out"])
    infos = const(args.get("get_infos"), False) if args is not None else UNKNOWN
    if args is None or "A" not in args or "out" in args or infos is UNKNOWN or (infos and ctx.portable):
        ctx.report(call)
        return
    pivot = ", pivot=%s" % arg_src(ctx, args["pivot"]) if "pivot" in args else ""
    name = "lu_factor_ex" if infos else "lu_factor"
    ctx.report(call, edits=replace_call(ctx, call, "%s(%s%s)" % (linalg(ctx, name), arg_src(ctx, args["A"]), pivot)))


@rule(
    "TC423",
    shift="la-lu-solve",
    name="lu-solve",
    message="torch.lu_solve(B, LU, piv) is deprecated since torch 1.13: use torch.linalg.lu_solve(LU, piv, B)",
    docs="torch.lu_solve(B, LU, piv) -> torch.linalg.lu_solve(LU, piv, B) (arguments reordered)",
    min_version="1.13",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("lu_solve",),
)
@call_rule(["torch.lu_solve"])
def lu_solve(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["b", "LU_data", "LU_pivots"])
    if args is None or len(args) != 3:
        ctx.report(call)
        return
    new = "%s(%s, %s, %s)" % (
        linalg(ctx, "lu_solve"),
        arg_src(ctx, args["LU_data"]),
        arg_src(ctx, args["LU_pivots"]),
        arg_src(ctx, args["b"]),
    )
    ctx.report(call, edits=replace_call(ctx, call, new))


@rule(
    "TC424",
    shift="la-triangular-solve",
    name="triangular-solve",
    message="torch.triangular_solve(B, A) is deprecated: use torch.linalg.solve_triangular(A, B, upper=...)",
    docs="X, _ = torch.triangular_solve(B, A) -> X = torch.linalg.solve_triangular(A, B, upper=True) (the old "
    "default was upper=True; transpose=True transposes A)",
    min_version="1.11",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("triangular_solve",),
)
@call_rule(["torch.triangular_solve"])
def triangular_solve(call: ast.Call, ctx: Context, qual: str) -> None:
    if keyword(call, "out") is not None:
        ctx.report(call)
        return
    triangular(call, ctx, "triangular_solve")
