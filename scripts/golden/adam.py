"""Reference values for the `adam` lab's numerics (tests/golden/adam_reference.json).

Independent of the Rust code (src/math/adam/): every expectation is written in the plain z-space
form of the spec (wave2-spec.md §W1 and §4), not in the folded, graded form the Rust quadrature
uses, and the derivatives with respect to ln B come from differentiating under the integral sign
(E[h'(g + sz) z]), not from the Rust code's differentiated weights.

* erf/erfc, the standardised softsign moments and their ln-B derivatives: mpmath, 30 digits
  (tanh-sinh with break points at the kink); the script checks its scipy moments against them.
* eta*(B) curves: scipy.integrate.quad on z in [-12, 12] with break points at the kink
  (epsabs 1e-15), then eta* = E[u].g / tr(E[uu^T] H) with independent coordinates.
* peaks: scipy.optimize.brentq (xtol 1e-14) on d ln eta*/d ln B, bracketed by a scan; the mean
  field's peak in closed form.  (The spec's own script used a bounded scalar minimiser, which
  places a flat maximum only to ~1e-8 in B; see the notes in the output.)

Run:  python -m venv /tmp/v && /tmp/v/bin/pip install numpy==2.4.6 scipy==1.17.1 mpmath==1.4.1
      /tmp/v/bin/python scripts/golden/adam.py > tests/golden/adam_reference.json
Takes a few minutes (mpmath).
"""
import functools
import json
import math
import sys
import warnings

import mpmath as mp
import numpy as np
import scipy
from scipy import integrate, optimize, special

warnings.filterwarnings("ignore", category=integrate.IntegrationWarning)
mp.mp.dps = 30
PI = math.pi


def f(x):
    return None if x is None else float(x)


# ------------------------------------------------------------------ special functions
ERF_X = [-6.0, -3.0, -2.0, -1.5, -0.5, -1e-8, 1e-3, 0.3, 0.7, 1.2, 1.49, 1.5, 1.99, 2.0, 2.5, 3.7, 4.0, 5.5, 6.5, 10.0, 20.0, 26.0]


def erf_table():
    return [{"x": x, "erf": f(mp.erf(x)), "erfc": f(mp.erfc(x))} for x in ERF_X]


# ------------------------------------------------------------------ standardised moments
def mp_moments(a, b):
    """E[softsign(a+z, b)^p], p = 1, 2, and d/d ln B of both (a, b proportional to sqrt B):
    d/d ln B E[h(g + s z)] = -(s/2) E[h'(g + s z) z]; in standardised units h'(y) = b^2/(y^2+b^2)^{3/2}."""
    a, b = mp.mpf(a), mp.mpf(b)
    phi = lambda z: mp.exp(-z * z / 2) / mp.sqrt(2 * mp.pi)
    pts = {mp.mpf(-13), mp.mpf(13)}
    for k in (0, 1, -1, 10, -10):
        p = -a + k * b
        if -13 < p < 13:
            pts.add(p)
    pts = [-mp.inf] + sorted(pts) + [mp.inf]
    q = lambda fn: mp.quad(fn, pts)
    r2 = lambda z: (a + z) ** 2 + b * b
    m = q(lambda z: (a + z) / mp.sqrt(r2(z)) * phi(z))
    s = q(lambda z: (a + z) ** 2 / r2(z) * phi(z))
    dm = q(lambda z: -z * b * b / r2(z) ** mp.mpf(1.5) * phi(z) / 2)
    ds = q(lambda z: -z * (a + z) * b * b / r2(z) ** 2 * phi(z))
    return [f(m), f(s), f(dm), f(ds)]


MOMENT_A = [0.0, 1e-3, 0.1, 0.5, 1.0, 2.5, 5.0, 8.9, 9.1, 12.0, 30.0, 1e3, -0.7]
MOMENT_B = [1e-12, 1e-6, 1e-3, 0.05, 0.3, 1.0, 2.0, 5.0, 30.0, 1e3]


@functools.lru_cache(maxsize=None)
def sp_moments(a, b):
    """The same four numbers by scipy quad (used for the curves; checked against mpmath below)."""
    if b == 0.0:
        return [special.erf(a / math.sqrt(2)), 1.0, a * math.exp(-a * a / 2) / math.sqrt(2 * PI), 0.0]
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * PI)
    # Break points graded geometrically away from the kink (the ln-B derivatives have a spike of
    # width b there), so that QUADPACK's bisection never has to find it.
    pts = {-a}
    k = b
    while k < 24:
        pts |= {-a - k, -a + k}
        k *= 4
    pts = sorted(p for p in pts if -12 < p < 12)
    r2 = lambda z: (a + z) ** 2 + b * b
    fns = [lambda z: (a + z) / math.sqrt(r2(z)) * phi(z),
           lambda z: (a + z) ** 2 / r2(z) * phi(z),
           lambda z: -z * b * b / r2(z) ** 1.5 * phi(z) / 2,
           lambda z: -z * (a + z) * b * b / r2(z) ** 2 * phi(z)]
    return [integrate.quad(fn, -12, 12, points=pts or None, epsabs=1e-15, epsrel=1e-14, limit=1000)[0] for fn in fns]


def moments_table():
    rows, worst = [], 0.0
    for a in MOMENT_A:
        for b in MOMENT_B:
            ref = mp_moments(a, b)
            rows.append({"a": a, "b": b, "mean": ref[0], "sq": ref[1], "d_mean": ref[2], "d_sq": ref[3]})
            if abs(a) <= 30 and b >= 1e-6:
                got = sp_moments(a, b)
                worst = max(worst, max(abs(x - y) for x, y in zip(got, ref)))
    # The scipy quadrature that builds the curves below agrees with mpmath to this (absolute).
    assert worst < 1e-11, worst
    return rows, worst


# ------------------------------------------------------------------ clip (the post's stand-in)
def clip_closed(a, b):
    s2 = math.sqrt(2)
    e = special.erf
    return (0.5 * (e((a + b) / s2) + e((a - b) / s2)) + a / (2 * b) * (e((a + b) / s2) - e((a - b) / s2))
            + (math.exp(-(a + b) ** 2 / 2) - math.exp(-(a - b) ** 2 / 2)) / (b * math.sqrt(2 * PI)))


def clip_mp(a, b, p):
    a, b = mp.mpf(a), mp.mpf(b)
    phi = lambda z: mp.exp(-z * z / 2) / mp.sqrt(2 * mp.pi)
    c = lambda z: max(-1, min(1, (a + z) / b))
    pts = [-mp.inf] + sorted({-a - b, -a + b}) + [mp.inf]
    return f(mp.quad(lambda z: c(z) ** p * phi(z), pts))


CLIP_AB = [(0.5, 1.0), (2.0, 0.5), (-1.0, 3.0), (0.0, 0.2), (0.3, 1e-3), (-4.0, 0.9), (6.0, 2.0), (1.0, 1.0), (0.7, 30.0)]


def clip_table():
    rows = []
    for a, b in CLIP_AB:
        m = clip_mp(a, b, 1)
        assert abs(m - clip_closed(a, b)) < 1e-13 * max(1, 1 / b), (a, b)  # the spec's closed form
        rows.append({"a": a, "b": b, "clip_mean": m, "clip_sq": clip_mp(a, b, 2),
                     "post_mean": a / math.sqrt(a * a + b * b + PI / 2), "post_sq": 1 - b * b / (a * a + b * b + PI / 2),
                     "slope_at_zero": f(mp.erf(mp.mpf(b) / mp.sqrt(2)) / b)})
    return rows


# ------------------------------------------------------------------ the batch model
class Prob:
    def __init__(self, g, H, sigma):
        self.g, self.H, self.sig = np.array(g, float), np.array(H, float), np.array(sigma, float)
        self.d = len(g)


def uniform(d, rho, noise):
    return Prob(np.ones(d), (1 - rho) * np.eye(d) + rho * np.ones((d, d)), noise * np.ones(d))


def softsign(x, e):
    return np.sign(x) if e == 0 else x / np.sqrt(x * x + e * e)


def coord_moments(g, sig, B, eps, opt, model, kappa2):
    """(m, q, dm, dq) of one coordinate; d/d ln B."""
    s2 = sig * sig / B
    if opt == "sgd":
        return g, g * g + s2, 0.0, -s2
    if model == "exact":
        if sig == 0:
            u = softsign(g, eps)
            return u, u * u, 0.0, 0.0
        s = math.sqrt(s2)
        m, q, dm, dq = sp_moments(abs(g) / s, eps / s)
        sg = 1.0 if g >= 0 else -1.0
        return sg * m, q, sg * dm, dq
    if model == "per_coordinate":
        T = g * g + eps * eps + PI / 2 * s2
        p = PI / 2 * s2
        return g / math.sqrt(T), 1 - eps * eps / T, 0.5 * g * p / T ** 1.5, -eps * eps * p / T ** 2
    if model == "mean_field":
        u = softsign(g, eps)
        r = PI * kappa2 / (2 * B)
        beta = (1 + r) ** -0.5
        dbeta = 0.5 * r * (1 + r) ** -1.5
        db2 = r / (1 + r) ** 2
        return beta * u, beta ** 2 * u * u + (1 - beta ** 2), u * dbeta, (u * u - 1) * db2
    raise ValueError(model)


def kappa2_of(P, eps):
    return float(np.mean(P.sig ** 2 / (P.g ** 2 + eps * eps)))


def evaluate(P, B, eps, opt, model):
    """(eta*, Delta L, d ln eta*/d ln B)."""
    k2 = kappa2_of(P, eps)
    mq = np.array([coord_moments(P.g[i], P.sig[i], B, eps, opt, model, k2) for i in range(P.d)])
    m, q, dm, dq = mq.T
    N, dN = P.g @ m, P.g @ dm
    off = P.H - np.diag(np.diag(P.H))
    D = np.diag(P.H) @ q + m @ off @ m
    dD = np.diag(P.H) @ dq + 2 * m @ off @ dm
    return N / D, 0.5 * N * N / D, dN / N - dD / D


def find_peak(P, eps, opt, model, lo=1e-2, hi=1e8):
    """Highest interior maximum of eta*(B): scan ln B, brentq on the slope."""
    xs = np.arange(math.log(lo), math.log(hi), 0.2)
    sl = [evaluate(P, math.exp(x), eps, opt, model)[2] for x in xs]
    best = None
    for i in range(len(xs) - 1):
        if sl[i] > 1e-10 and sl[i + 1] < -1e-10:
            x = optimize.brentq(lambda x: evaluate(P, math.exp(x), eps, opt, model)[2], xs[i], xs[i + 1], xtol=1e-14, rtol=1e-15)
            e = evaluate(P, math.exp(x), eps, opt, model)[0]
            if best is None or e > best[1]:
                best = [math.exp(x), e]
    return best


def limit(P, eps, opt):
    u = P.g if opt == "sgd" else softsign(P.g, eps)
    return float(u @ P.g / (u @ P.H @ u)), float((u @ P.g) ** 2 / (2 * (u @ P.H @ u)))


def mean_field_readouts(P, eps):
    u = softsign(P.g, eps)
    Hd = float(np.trace(P.H))
    A = float(u @ P.H @ u)
    X = A - Hd
    N = float(u @ P.g)
    k2 = kappa2_of(P, eps)
    bn = math.sqrt(Hd / X) if X > 0 else None
    return {"kappa2": k2, "beta_noise": bn, "eta_max": N / (2 * math.sqrt(Hd * X)) if X > 0 else None,
            "b_noise": PI * k2 * bn ** 2 / (2 * (1 - bn ** 2)) if bn is not None and bn < 1 else None,
            "b_noise2": PI * k2 * Hd / (2 * A), "delta_l_max": N * N / (2 * A), "surge": bool(bn is not None and bn < 1)}


def sgd_readouts(P):
    gg, gHg = float(P.g @ P.g), float(P.g @ P.H @ P.g)
    S = np.diag(P.sig ** 2)
    return {"eta_max": gg / gHg, "b_noise": float(np.trace(S @ P.H)) / gHg, "b_simple": float(np.trace(S)) / gg,
            "delta_l_max": gg * gg / (2 * gHg)}


def tradeoff(P, B, eps, opt, model):
    """(S/S_min, E/E_min): S ~ 1/Delta L, S_min at B -> inf, E_min = lim_{B->0} B/Delta L (by its
    small-B series: SGD (g.g)^2/(2 tr(Sigma H)); sign-like exact/per-coordinate
    (sum g^2/sigma)^2/(pi tr H); mean field (sum u g)^2/(pi kappa^2 tr H))."""
    _, dl, _ = evaluate(P, B, eps, opt, model)
    _, dl_inf = limit(P, eps, opt)
    Hd = float(np.trace(P.H))
    if opt == "sgd":
        rate = float(P.g @ P.g) ** 2 / (2 * float(np.sum(P.sig ** 2 * np.diag(P.H))))
    elif model == "mean_field":
        rate = float(softsign(P.g, eps) @ P.g) ** 2 / (PI * kappa2_of(P, eps) * Hd)
    else:
        rate = float(np.sum(P.g ** 2 / P.sig)) ** 2 / (PI * Hd)
    return [dl_inf / dl, B * rate / dl]


def batch_case(name, P, desc, opt, eps, bs, models, peaks=True, tradeoff_at=()):
    out = {"name": name, "problem": desc, "update": opt, "eps": eps, "b": list(map(float, bs))}
    for mdl in models:
        ev = [evaluate(P, B, eps, opt, mdl) for B in bs]
        out[mdl] = {"eta_star": [float(e[0]) for e in ev], "delta_l": [float(e[1]) for e in ev],
                    "slope": [float(e[2]) for e in ev]}
        if peaks and opt != "sgd" and mdl != "mean_field":
            out[mdl]["peak"] = find_peak(P, eps, opt, mdl)
        if tradeoff_at:
            out[mdl]["tradeoff"] = [tradeoff(P, B, eps, opt, mdl) for B in tradeoff_at]
            out[mdl]["tradeoff_b"] = list(map(float, tradeoff_at))
    out["eta_limit"], out["delta_l_limit"] = limit(P, eps, opt)
    if opt == "sgd":
        out["sgd_readouts"] = sgd_readouts(P)
    else:
        out["mean_field_readouts"] = mean_field_readouts(P, eps)
    return out


def uni(d, rho, noise):
    return uniform(d, rho, noise), {"kind": "uniform", "d": d, "rho": rho, "noise": noise}


def dense(g, H, sigma):
    return Prob(g, H, sigma), {"kind": "dense", "g": g, "h": sum(H, []), "sigma": sigma}


EM = ["exact", "mean_field"]
ALL3 = ["exact", "per_coordinate", "mean_field"]


def batch_cases():
    c = []
    u8 = uni(8, 0.5, 10.0)
    B6 = [1, 16, 64, 256, 1e4, 1e8]
    c.append(batch_case("W1-T8/T16 uniform sign", *u8, "sign", 0.0, B6, EM, tradeoff_at=[16.0]))
    for e in [0.5, 1.0, 1.5, 2.0, 2.5]:
        c.append(batch_case(f"W1-T8 uniform softsign eps={e}", *u8, "softsign", e, B6, EM))
    c.append(batch_case("uniform sgd", *u8, "sgd", 0.0, B6, ["exact"], tradeoff_at=[16.0]))
    c.append(batch_case("W1-T11 uniform eps=1e3", *u8, "softsign", 1e3, [4.0, 64.0], EM, peaks=False))
    for e in [0.25, 0.5, 1.0, 1.2]:
        c.append(batch_case(f"W1-T10 d=1 eps={e}", *uni(1, 0.0, 10.0), "softsign", e, [100.0, 1e3], ["exact"]))
    t2 = dense([1.0, 0.5], [[3.0, 1.0], [1.0, 2.0]], [2.0, 3.0])
    c.append(batch_case("W1-T12/T13 toy2d sgd", *t2, "sgd", 0.0, [1, 4, 16, 64], ["exact"], tradeoff_at=[1.0, 4.0, 16.0, 64.0]))
    c.append(batch_case("W1-T14/T15 toy2d sign", *t2, "sign", 0.0, [1, 4, 16, 64, 1e9], ALL3, tradeoff_at=[4.0]))
    c.append(batch_case("toy2d softsign eps=0.5", *t2, "softsign", 0.5, [1, 4, 16, 64, 1024], ALL3, tradeoff_at=[4.0]))
    c.append(batch_case("kink: d=64 rho=.95 noise=100 eps=1e-3", *uni(64, 0.95, 100.0), "softsign", 1e-3, [1, 1e3, 1e6], EM))
    c.append(batch_case("wide kink: d=2 noise=0.1 eps=10", *uni(2, 0.0, 0.1), "softsign", 10.0, [1, 100], EM))
    g3 = dense([1.0, -0.5, 2.0], [[2.0, 0.3, -0.4], [0.3, 1.0, 0.2], [-0.4, 0.2, 3.0]], [1.0, 2.0, 0.5])
    c.append(batch_case("3-D mixed signs softsign eps=0.3", *g3, "softsign", 0.3, [0.5, 10, 100], ALL3))
    c.append(batch_case("3-D mixed signs sign", *g3, "sign", 0.0, [0.5, 10, 100], ALL3))
    return c


# ------------------------------------------------------------------ the hessian mode
def hessian_case(kappa, phi, regime, st, sr, B, off):
    c, s = math.cos(math.radians(phi)), math.sin(math.radians(phi))
    R = np.array([[c, -s], [s, c]])
    H = R @ np.diag([1.0, kappa]) @ R.T
    jit = st ** 2 * np.diag(H @ H) if regime in ("jitter", "both") else np.zeros(2)
    per = sr ** 2 * np.diag(H) / B if regime in ("per_sample", "both") else np.zeros(2)
    var = jit + per
    mean = H @ np.array(off)
    sv = np.sqrt(mean ** 2 + var)

    def cond_p(dvec):
        P = np.diag(dvec ** -0.5)
        ev = np.linalg.eigvalsh(P @ H @ P)
        return float(ev[-1] / ev[0])
    return {"kappa": kappa, "phi": phi, "regime": regime, "sig_theta": st, "sig_r": sr, "batch": B, "offset": off,
            "h": H.ravel().tolist(), "sqrt_v": sv.tolist(), "var_g": var.tolist(), "cond_h": float(np.linalg.cond(H)),
            "cond_jitter": cond_p(np.sqrt(np.diag(H @ H))), "cond_per_sample": cond_p(np.sqrt(np.diag(H))), "cond_current": cond_p(sv)}


def hessian_cases():
    rows = [hessian_case(100.0, phi, "jitter", 0.1, 1.0, 1.0, [0.0, 0.0]) for phi in (0.0, 15.0, 30.0, 45.0)]  # W1-T1, T2
    rows.append(hessian_case(100.0, 0.0, "per_sample", 0.1, 1.0, 1.0, [0.0, 0.0]))  # W1-T3
    rows.append(hessian_case(100.0, 0.0, "jitter", 0.1, 1.0, 1.0, [0.5, -0.02]))  # W1-T4
    rows.append(hessian_case(37.0, 62.0, "both", 0.3, 1.7, 8.0, [0.4, 0.0]))
    rows.append(hessian_case(1000.0, 5.0, "per_sample", 1e-3, 2.0, 1024.0, [1.0, 0.0]))
    rows.append(hessian_case(1.0, 20.0, "both", 1.0, 0.0, 1.0, [0.0, 0.0]))
    return rows


def main():
    moments, worst = moments_table()
    out = {
        "generator": "scripts/golden/adam.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "mpmath": mp.__version__, "python": sys.version.split()[0]},
        "notes": [f"scipy quadrature vs mpmath on the moment grid: max abs difference {worst:.1e}",
                  "peaks by brentq on the analytic slope; the spec's bounded minimiser is good to ~1e-8 only"],
        "erf": erf_table(),
        "moments": moments,
        "clip": clip_table(),
        "batch": batch_cases(),
        "hessian": hessian_cases(),
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
