"""Reference values for the attention lab (tests/golden/attention_reference.json).

Pure numpy 2.4.6 / scipy 1.17.1, float64; nothing here imports or mirrors flowlab's code beyond the
definitions in issue 15 and wave2-spec §W2 (mode `attention`) and §W5 (the 1/√d numbers):
  softmax with a max shift; φ = elu + 1; 1 + cos (ℓ₂-normalised q, k); dual = softmax over d of Q
  times (softmax over n of K)ᵀ; Performer φ(x)_r = exp(ω_r·x − ‖x‖²/2)/√m; expproj φ(x)_r = exp(ω_r·x);
  scale s enters as q′ = √s·q, k′ = √s·k (so q′·k′ = s q·k); masks zero entries before the row
  normalisation; ranks by np.linalg.matrix_rank's default tolerance (σ_max·max(n, n)·eps).
The Performer's ω cannot come from flowlab's RNG here, so the literal preset uses an RNG-free ω that
both sides build from its definition: ω_rl = Φ⁻¹(frac((64r + l + 1)·0.6180339887498949)) (0-based).
Run:  python -m venv /tmp/v && /tmp/v/bin/pip install numpy==2.4.6 scipy==1.17.1
      /tmp/v/bin/python scripts/golden/attention.py > tests/golden/attention_reference.json
(about a minute: the Monte-Carlo expectations draw 10⁸ normals.)
"""
import json

import numpy as np
import scipy
from scipy import special

WEYL = 0.6180339887498949
D_MAX = 64


def literal(n, d):
    i = np.arange(1, n + 1)[:, None]
    l = np.arange(1, d + 1)[None, :]
    return np.sin(1.3 * i + 0.7 * l + 0.1), np.cos(0.9 * i - 0.4 * l + 0.2), np.sin(0.5 * i * l + 0.3)


def literal_omega(m, d):
    k = (D_MAX * np.arange(m)[:, None] + np.arange(d)[None, :] + 1).astype(float) * WEYL
    return special.ndtri(k - np.floor(k))


def mask_matrix(n, causal, window):
    i = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    ok = np.ones((n, n), bool)
    if causal:
        ok &= j <= i
    if window > 0:
        ok &= np.abs(i - j) < window
    return ok


def normalise(w, ok):
    w = np.where(ok, w, 0.0)
    return w / w.sum(1, keepdims=True)


def attention(Q, K, name, s, ok, omega=None):
    if name == "softmax":
        L = s * (Q @ K.T)
        L = np.where(ok, L, -np.inf)
        L = L - L.max(1, keepdims=True)
        return normalise(np.exp(L), ok)
    r = np.sqrt(abs(s))
    q, k = (-r if s < 0 else r) * Q, r * K
    if name == "elu1":
        f = lambda x: np.where(x > 0, x + 1, np.exp(np.minimum(x, 0)))
        return normalise(f(q) @ f(k).T, ok)
    if name == "cos1":
        qn = q / np.linalg.norm(q, axis=1, keepdims=True)
        kn = k / np.linalg.norm(k, axis=1, keepdims=True)
        return normalise(1 + qn @ kn.T, ok)
    if name == "dual":
        sq = np.exp(q - q.max(1, keepdims=True))
        sq /= sq.sum(1, keepdims=True)
        sk = np.exp(k - k.max(0, keepdims=True))
        sk /= sk.sum(0, keepdims=True)
        return normalise(sq @ sk.T, ok)
    m = omega.shape[0]
    a, b = q @ omega.T, k @ omega.T
    if name == "performer":
        a = a - 0.5 * (q * q).sum(1, keepdims=True)
        b = b - 0.5 * (k * k).sum(1, keepdims=True)
    # Unshifted features in log space (exact, no shift needed at these sizes), / sqrt(m) kept.
    W = np.exp(a - np.log(np.sqrt(m))) @ np.exp(b - np.log(np.sqrt(m))).T
    return normalise(W, ok)


def entropy_rows(A):
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(A > 0, A * np.log(np.where(A > 0, A, 1.0)), 0.0)
    return -t.sum(1)


def describe(A, V, soft_out, full):
    sv = np.linalg.svd(A, compute_uv=False)
    out = A @ V
    d = {
        "row0": A[0].tolist(),
        "out0": out[0].tolist(),
        "row_sums_max_dev": float(np.abs(A.sum(1) - 1).max()),
        "entropy_mean": float(entropy_rows(A).mean()),
        "max_p_mean": float(A.max(1).mean()),
        "gradient_factor_mean": float((1 - (A * A).sum(1)).mean()),
        "sv": sv.tolist(),
        "rank": int(np.linalg.matrix_rank(A)),
        "rel_error": float(np.linalg.norm(out - soft_out) / np.linalg.norm(soft_out)),
    }
    if full:
        d["a"] = A.ravel().tolist()
        d["out"] = out.ravel().tolist()
    return d


cases = []
SCALES = [("none", 1.0), ("sqrt_d", None), ("value", 0.7), ("value", -0.4)]
MASKS = [(False, 0), (True, 0), (False, 3), (True, 3)]
for n, d in [(6, 2), (5, 3), (12, 4), (40, 8)]:
    Q, K, V = literal(n, d)
    for sname, sval in SCALES:
        s = 1 / np.sqrt(d) if sname == "sqrt_d" else sval
        for causal, window in MASKS:
            ok = mask_matrix(n, causal, window)
            soft = attention(Q, K, "softmax", s, ok)
            soft_out = soft @ V
            maps = {}
            for name in ["softmax", "elu1", "cos1", "dual"]:
                if name == "dual" and causal:
                    continue
                maps[name] = describe(attention(Q, K, name, s, ok), V, soft_out, n <= 6)
            for m in [4, 16]:
                om = literal_omega(m, d)
                for name in ["performer", "expproj"]:
                    maps[f"{name}_m{m}"] = describe(attention(Q, K, name, s, ok, om), V, soft_out, n <= 6)
            cases.append({"n": n, "d": d, "scale": sname, "scale_value": float(s), "causal": causal, "window": window, "maps": maps})

# The literal ω itself, to check the construction entry by entry.
omega_check = {"m": 8, "d": 5, "omega": literal_omega(8, 5).ravel().tolist()}
quantiles = [{"p": p, "z": float(special.ndtri(p))} for p in [1e-300, 1e-20, 1e-10, 1e-4, 0.0009765625, 0.02, 0.075, 0.3, 0.5, 0.6, 0.925, 0.99, 1 - 1e-10]]

# W2-T2 / W2-T3 on the spec's literal inputs (n = 6, d = 2, no scale).
Q, K, V = literal(6, 2)
S = Q @ K.T
f = lambda x: np.where(x > 0, x + 1, np.exp(np.minimum(x, 0)))
pq, pk = f(Q), f(K)
St, z, rec = np.zeros((2, 2)), np.zeros(2), []
for i in range(6):
    St += np.outer(pk[i], V[i])
    z += pk[i]
    rec.append(pq[i] @ St / (pq[i] @ z))
Mc = np.tril(pq @ pk.T)
Ac = Mc / Mc.sum(1, keepdims=True)
w2 = {
    "t2_rank_qk": int(np.linalg.matrix_rank(S)),
    "t2_rank_exp_qk": int(np.linalg.matrix_rank(np.exp(S))),
    "t3_rnn_outputs": np.array(rec).ravel().tolist(),
    "t3_max_rnn_minus_masked": float(np.abs(np.array(rec) - Ac @ V).max()),
    "t3_rank_causal": int(np.linalg.matrix_rank(Ac)),
}
q = np.array([0.5, -0.3])
k = np.array([0.2, 0.4])
w2["t4_exp_qk"] = float(np.exp(q @ k))
w2["t4_feature_variance"] = float(np.exp(2 * q @ k) * (np.exp(np.sum((q + k) ** 2)) - 1))


# W5-T4: quantile-grid scores.
def row_stats(z):
    z = z - z.max()
    p = np.exp(z)
    p /= p.sum()
    pp = p[p > 0]
    return float(-(pp * np.log(pp)).sum()), float(p.max()), float(1 - (p * p).sum())


grid = []
for n, s in [(512, 1.0), (512, 8.0), (64, 1.0), (64, 8.0), (100, 0.5), (7, 3.0)]:
    h, mp, g = row_stats(s * special.ndtri((np.arange(1, n + 1) - 0.5) / n))
    grid.append({"n": n, "s": s, "entropy": h, "max_p": mp, "gradient_factor": g, "ln_n_minus_half_s2": float(np.log(n) - s * s / 2)})


# W5-T5 and the expectations: rows of n scores; given q they are iid N(0, s²‖q‖²).
def mc(n, d, s, rows, seed, exact_rows=False, chunk=2000):
    rng = np.random.default_rng(seed)
    H, P, G = [], [], []
    done = 0
    while done < rows:
        b = min(chunk, rows - done)
        if exact_rows:
            qv = rng.standard_normal((b, d))
            sc = np.einsum("bnd,bd->bn", rng.standard_normal((b, n, d)), qv) * s
        else:
            norm = np.sqrt((rng.standard_normal((b, d)) ** 2).sum(1)) if d > 0 else np.ones(b)
            sc = rng.standard_normal((b, n)) * (s * norm)[:, None]
        sc -= sc.max(1, keepdims=True)
        p = np.exp(sc)
        p /= p.sum(1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            H.append(-np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(1))
        P.append(p.max(1))
        G.append(1 - (p * p).sum(1))
        done += b
    out = {}
    for key, v in [("entropy", H), ("max_p", P), ("gradient_factor", G)]:
        v = np.concatenate(v)
        out[key] = {"mean": float(v.mean()), "se": float(v.std(ddof=1) / np.sqrt(len(v)))}
    return out


# The spec's own W5-T5 (its exact code path: 512 keys × 64 per row, seed 8620, 2000 rows).
rng = np.random.default_rng(8620)
Hs, mx = [], []
for _ in range(2000):
    qv = rng.standard_normal(64)
    s_ = rng.standard_normal((512, 64)) @ qv
    s_ -= s_.max()
    p = np.exp(s_)
    p /= p.sum()
    Hs.append(-(p[p > 0] * np.log(p[p > 0])).sum())
    mx.append(p.max())
w5_t5 = {"entropy": float(np.mean(Hs)), "entropy_se": float(np.std(Hs) / np.sqrt(2000)), "max_p": float(np.mean(mx))}

expectations = {
    # Scores with variance 1 (q·k/√d, or d = 1 unit q, k: s‖q‖ with ‖q‖ = 1 exactly is "variance 1").
    "n512_var1": mc(512, 0, 1.0, 200_000, 1),
    # Unscaled d = 64: s = 1, scores N(0, ‖q‖²), ‖q‖ ~ χ₆₄.
    "n512_d64_unscaled": mc(512, 64, 1.0, 200_000, 2),
    # Scaled d = 64 (s = 1/8): scores N(0, ‖q‖²/64).
    "n512_d64_scaled": mc(512, 64, 1 / 8, 200_000, 3),
}
n, s = 512, 1.0
expansion = {"n": n, "s": s, "value": float(np.log(n) - s * s / 2 + (s * s * np.exp(s * s) - (np.exp(s * s) - 1) / 2) / n)}

print(json.dumps({
    "generator": "scripts/golden/attention.py",
    "versions": {"numpy": np.__version__, "scipy": scipy.__version__},
    "cases": cases,
    "omega_check": omega_check,
    "quantiles": quantiles,
    "w2": w2,
    "w5_t4": grid,
    "w5_t5_spec_mc": w5_t5,
    "expectations": expectations,
    "entropy_expansion": expansion,
}, indent=None, separators=(",", ":")))
