"""Reference values for the recurrence lab (tests/golden/recurrence_reference.json).

Independent of the Rust code: numpy/scipy in float64 (Hillis-Steele scans, np.linalg.solve,
scipy.linalg.expm, scipy.integrate.quad, numpy's Legendre series), and mpmath at 30 digits for the
d = 64 systems so that those comparisons measure our error, not numpy's.
Run:  python -m venv /tmp/v && /tmp/v/bin/pip install numpy==2.4.6 scipy==1.17.1 mpmath==1.4.1
      /tmp/v/bin/python scripts/golden/recurrence.py > tests/golden/recurrence_reference.json
(about two minutes, most of it mpmath).
"""
import json
import math
import warnings

import mpmath as mp
import numpy as np
import scipy
from numpy.polynomial import legendre as Lg
from scipy import integrate, linalg

mp.mp.dps = 30
# quad warns that it cannot reach 1e-15 on the Legendre coefficients that vanish by symmetry.
warnings.filterwarnings("ignore", category=integrate.IntegrationWarning)

# ------------------------------------------------------------------ rnn (post 9783)
LIT_A = np.array([[0.5, -0.3, 0.1], [0.2, 0.4, -0.2], [-0.1, 0.3, 0.6]])


def literal_u(T):
    t = np.arange(1, T + 1)[:, None]
    l = np.arange(1, 4)[None, :]
    return np.sin(0.3 * t * l + 0.5 * l)


def serial(A, U):
    x, xs = np.zeros(A.shape[0]), []
    for u in U:
        x = np.tanh(A @ x + u)
        xs.append(x)
    return np.array(xs)


def hillis_steele(Ms, bs):
    """Inclusive scan of x_t = M_t x_{t-1} + b_t, x_0 = 0, vectorised over t per round."""
    Ms, bs, s, T = Ms.copy(), bs.copy(), 1, len(bs)
    while s < T:
        Mn, bn = Ms.copy(), bs.copy()
        bn[s:] = np.einsum("tij,tj->ti", Ms[s:], bs[:-s]) + bs[s:]
        Mn[s:] = np.einsum("tij,tjk->tik", Ms[s:], Ms[:-s])
        Ms, bs, s = Mn, bn, 2 * s
    return bs


def sweeps(A, U, X_star, scheme, n_max):
    T, d = U.shape
    X, errs = np.zeros((T, d)), []
    sech2 = lambda z: 1.0 / np.cosh(z) ** 2
    for n in range(1, n_max + 1):
        P = np.vstack([np.zeros(d), X[:-1]])
        pre = P @ A.T + U
        if scheme == "plain":
            Ms = np.repeat(A[None], T, 0)
        elif scheme == "sech_u":
            Ms = sech2(U)[:, :, None] * A[None]
        else:
            Ms = sech2(pre)[:, :, None] * A[None]
        b = np.tanh(pre) - np.einsum("tij,tj->ti", Ms, P)
        X = hillis_steele(Ms, b)
        errs.append(float(np.abs(X - X_star).max()))
        # Causality: after n sweeps x_1..x_n are exact.
        assert np.abs(X[:n] - X_star[:n]).max() < 1e-13, (scheme, n)
    return errs


rnn = []
for T in [32, 100, 256]:
    U = literal_u(T)
    Xs = serial(LIT_A, U)
    case = {"preset": "literal", "T": T, "x_1": Xs[0].tolist(), "x_final": Xs[-1].tolist(), "x_coord1": Xs[:, 0].tolist()}
    case["errors"] = {s: sweeps(LIT_A, U, Xs, s, min(T, 64)) for s in ["plain", "sech_u", "newton"]}
    rnn.append(case)


# ------------------------------------------------------------------ ssm (posts 10162, 10180)
def legs(d):
    A = np.zeros((d, d))
    for n in range(d):
        for k in range(n):
            A[n, k] = -np.sqrt((2 * n + 1) * (2 * k + 1))
        A[n, n] = -(n + 1)
    return A, np.sqrt(2 * np.arange(d) + 1.0)


def continuous(basis, d):
    A, B = legs(d)
    if basis == "diagonal":
        A = np.diag(np.diag(A))
    return A, B


def discretise(A, B, disc, eps):
    d = len(B)
    I = np.eye(d)
    if disc == "bilinear":
        return np.linalg.solve(I - eps * A / 2, I + eps * A / 2), eps * np.linalg.solve(I - eps * A / 2, B)
    if disc == "euler":
        return I + eps * A, eps * B
    # ZOH by the usual augmented matrix [[A, B], [0, 0]] (Van Loan), cross-checked against A^-1(e^A - I)B.
    M = np.zeros((d + 1, d + 1))
    M[:d, :d], M[:d, d] = eps * A, eps * B
    E = linalg.expm(M)
    Ab, Bb = E[:d, :d], E[:d, d]
    alt = np.linalg.solve(A, (linalg.expm(eps * A) - I) @ B)
    assert np.abs(alt - Bb).max() <= 1e-12 * np.abs(Bb).max(), "ZOH B"
    return Ab, Bb


def kernel(Ab, Bb, C, L):
    v, K = Bb.copy(), []
    for _ in range(L):
        K.append(float(C @ v))
        v = Ab @ v
    return K


def mp_system(basis, d, disc, eps, L):
    """The same in 30-digit arithmetic (for d = 64)."""
    A = mp.matrix(d, d)
    for n in range(d):
        for k in range(n):
            if basis != "diagonal":
                A[n, k] = -mp.sqrt((2 * n + 1) * (2 * k + 1))
        A[n, n] = -(n + 1)
    B = mp.matrix([mp.sqrt(2 * n + 1) for n in range(d)])
    e = mp.mpf(eps)
    I = mp.eye(d)
    if disc == "bilinear":
        Minv = mp.inverse(I - e * A / 2)
        Ab, Bb = Minv * (I + e * A / 2), e * (Minv * B)
    elif disc == "euler":
        Ab, Bb = I + e * A, e * B
    else:
        Mg = mp.matrix(d + 1, d + 1)
        for i in range(d):
            for j in range(d):
                Mg[i, j] = e * A[i, j]
            Mg[i, d] = e * B[i]
        E = mp.expm(Mg)
        Ab = mp.matrix(d, d)
        for i in range(d):
            for j in range(d):
                Ab[i, j] = E[i, j]
        Bb = mp.matrix([E[i, d] for i in range(d)])
    C = [mp.mpf(-0.5) ** n for n in range(d)]
    v, K = Bb.copy(), []
    for _ in range(L):
        K.append(float(sum(C[i] * v[i] for i in range(d))))
        v = Ab * v
    return [[float(Ab[i, j]) for j in range(d)] for i in range(d)], [float(Bb[i]) for i in range(d)], K


systems = []
for basis, d, disc, eps, L in [
    ("s4", 4, "bilinear", 0.1, 16),
    ("s4", 4, "zoh", 0.1, 16),
    ("s4", 4, "euler", 0.1, 16),
    ("s4", 8, "bilinear", 0.05, 256),
    ("s4", 8, "zoh", 0.05, 256),
    ("s4", 8, "euler", 0.05, 256),
    ("s4", 8, "zoh", 1.0, 256),
    ("diagonal", 8, "bilinear", 0.05, 256),
    ("diagonal", 8, "zoh", 0.3, 256),
    ("s4", 16, "bilinear", 0.5, 512),
    ("s4", 16, "zoh", 0.5, 512),
]:
    A, B = continuous(basis, d)
    Ab, Bb = discretise(A, B, disc, eps)
    C = (-0.5) ** np.arange(d)
    systems.append({"basis": basis, "d": d, "disc": disc, "eps": eps, "L": L, "ref": "numpy", "a_bar": Ab.tolist(), "b_bar": Bb.tolist(), "kernel": kernel(Ab, Bb, C, L)})

for basis, disc, eps in [("s4", "bilinear", 0.05), ("s4", "zoh", 0.05), ("s4", "euler", 0.02), ("diagonal", "zoh", 0.05)]:
    d, L = 64, 1024
    ab, bb, K = mp_system(basis, d, disc, eps, L)
    # numpy agrees with mpmath to ~1e-13 of the kernel's size here (no transient growth: A + A^T <= -I).
    A, B = continuous(basis, d)
    Abn, Bbn = discretise(A, B, disc, eps)
    Kn = kernel(Abn, Bbn, (-0.5) ** np.arange(d), L)
    assert np.abs(np.array(Kn) - K).max() <= 1e-11 * np.abs(K).max(), (basis, disc, np.abs(np.array(Kn) - K).max())
    systems.append({"basis": basis, "d": d, "disc": disc, "eps": eps, "L": L, "ref": "mpmath-30", "a_bar": ab, "b_bar": bb, "kernel": K})

# W2-T8: eigenvalues of the skew part S = A + vv^T/2 + I/2 (numpy, general eigensolver).
skew = {}
for d in [4, 7, 16]:
    A, v = legs(d)
    S = A + 0.5 * np.outer(v, v) + 0.5 * np.eye(d)
    w = np.sort(np.abs(np.linalg.eigvals(S).imag))
    skew[str(d)] = w[::2].tolist() if d % 2 == 0 else np.r_[0.0, w[1::2]].tolist()

# Linked chart 3, the unitary route: per row n, min and max over j of |U_nj| for the unit
# eigenvectors of the Hermitian iS (numpy's eigh; the moduli do not depend on the phase it picks).
unitary = {}
for d in [4, 12, 64]:
    A, v = legs(d)
    S = A + 0.5 * np.outer(v, v) + 0.5 * np.eye(d)
    w, U = np.linalg.eigh(1j * S)
    assert np.abs(U.conj().T @ U - np.eye(d)).max() < 1e-13
    M = np.abs(U)
    unitary[str(d)] = {"min": M.min(axis=1).tolist(), "max": M.max(axis=1).tolist()}

# W2-T9: exact |S_{d/3}| from factorials (integers, then float).
t9 = {str(d): math.factorial(d - d // 3) * math.factorial(2 * (d // 3)) / math.factorial(d + d // 3 - 1) for d in [12, 24, 48, 96]}


# W2-T14/T15: LegS projection of sin(2 pi s) + s/2 on [0, 1] by adaptive quadrature.
def uf(s):
    return np.sin(2 * np.pi * s) + 0.5 * s


def proj(f, t, d):
    return [integrate.quad(lambda s: f(s) * np.sqrt(2 * n + 1) * Lg.Legendre.basis(n)(2 * s / t - 1), 0, t, epsabs=1e-15, epsrel=1e-14, limit=400)[0] / t for n in range(d)]


x14 = proj(uf, 1.0, 8)
ss = np.linspace(0, 1, 2001)
rec = sum(x14[n] * np.sqrt(2 * n + 1) * Lg.Legendre.basis(n)(2 * ss - 1) for n in range(8))
t15 = float(np.abs(rec - uf(ss)).max())


# Held chirp u_k = sin(2 pi (r + 7.5 r^2)), r = k/L: online LegS state = exact projection (numpy
# Legendre antiderivatives), S4 state by stepping scipy's ZOH.
def chirp(L):
    r = np.arange(L) / L
    return np.sin(2 * np.pi * (r + 7.5 * r * r))


def held_projection(u, t, d, xi_of):
    xs = np.array([xi_of(k) for k in range(t + 1)])
    out = []
    for n in range(d):
        c = np.zeros(n + 1)
        c[n] = 1.0
        Q = Lg.legval(xs, Lg.legint(c))
        out.append(float(0.5 * np.sqrt(2 * n + 1) * np.sum(u[:t] * np.diff(Q))))
    return out


held = []
for d, L, t, eps in [(8, 64, 64, 0.05), (8, 64, 37, 0.3), (16, 256, 200, 0.05)]:
    u = chirp(L)
    online = held_projection(u, t, d, lambda k: 2 * k / t - 1)
    A, B = legs(d)
    Ab, Bb = discretise(A, B, "zoh", eps)
    x = np.zeros(d)
    for k in range(t):
        x = Ab @ x + Bb * u[k]
    warped = held_projection(u, t, d, lambda k: 2 * np.exp(eps * (k - t)) - 1)
    assert np.abs(np.array(warped) - x).max() < 1e-12
    held.append({"d": d, "L": L, "t": t, "eps": eps, "legs_online": online, "s4_zoh": x.tolist()})

# W2-T16: RFT of a general 3x3 system.
Ab = np.array([[0.5, 0.2, 0.0], [-0.3, 0.4, 0.1], [0.1, 0.0, 0.3]])
Bb, Cb, L = np.array([1.0, 0.5, -0.5]), np.array([0.3, -0.2, 1.0]), 8
K16 = [float(Cb @ np.linalg.matrix_power(Ab, k) @ Bb) for k in range(L)]
Ct = (np.eye(3) - np.linalg.matrix_power(Ab, L)).T @ Cb
a16 = np.poly(Ab)[1:]
b16 = (np.poly(Ab - np.outer(Bb, Ct)) - np.poly(Ab))[1:]

print(json.dumps({
    "generator": "scripts/golden/recurrence.py",
    "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "mpmath": mp.__version__},
    "rnn": rnn,
    "legs_a_d4": legs(4)[0].tolist(),
    "unitary_moduli": unitary,
    "systems": systems,
    "skew_frequencies": skew,
    "t9_abs_s": t9,
    "t14_projection": x14,
    "t15_reconstruction_error": t15,
    "held_chirp": held,
    "t16": {"a_bar": Ab.tolist(), "b_bar": Bb.tolist(), "c_bar": Cb.tolist(), "L": L, "kernel": K16, "a": a16.tolist(), "b": b16.tolist()},
}, indent=1))
