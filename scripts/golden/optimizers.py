#!/usr/bin/env python3
"""Golden optimizer trajectories from the reference implementations.

Run from the repository root (inside a virtualenv that has the pinned packages
of ``scripts/golden/requirements.txt``; it is *not* part of the Rust build):

    python3 -m venv /tmp/goldenvenv
    /tmp/goldenvenv/bin/pip install -r scripts/golden/requirements.txt
    /tmp/goldenvenv/bin/python scripts/golden/optimizers.py

It writes ``tests/golden/optimizers_reference.json``: for every optimizer, on
six (surface, start) pairs, with two hyper-parameter sets each, the full
60-step path computed in float64 by the library that *defines* the optimizer
in practice. The Rust optimizers are tested against these paths.

Which library produced what, and why
------------------------------------
PyTorch (``torch.optim``, float64 tensors, gradients by autograd):

* ``sgd``        torch.optim.SGD(lr)
* ``momentum``   torch.optim.SGD(lr, momentum=mu)        v <- mu v + g ; th <- th - lr v
* ``nesterov``   torch.optim.SGD(lr, momentum=mu, nesterov=True)
                 v <- mu v + g ; th <- th - lr (g + mu v)
* ``rmsprop`` (eps_inside=0)  torch.optim.RMSprop(lr, alpha, eps)
                 v <- alpha v + (1-alpha) g^2 ; th <- th - lr g / (sqrt(v) + eps)
* ``adam``       torch.optim.Adam(lr, betas=(b1, b2), eps)
* ``adamw``      torch.optim.AdamW(lr, betas=(b1, b2), eps, weight_decay=wd)
                 PyTorch's decoupled decay is multiplied by lr: th <- th (1 - lr wd)
                 is applied *before* the Adam step (on the same iterate whose
                 gradient was taken), then th <- th - lr m_hat/(sqrt(v_hat)+eps).
* ``newton``     there is no Newton optimizer in torch.optim, so the step is
                 written out: g = torch.autograd.functional.jacobian, H =
                 torch.autograd.functional.hessian, th <- th - (H + damping I)^-1 g
                 solved with torch.linalg.solve; saddlefree=1 replaces H by
                 |H| = V |Lambda| V^T from torch.linalg.eigh.

PyTorch is the reference for these because its forms (momentum buffer without
dampening, eps outside the root, lr-scaled decoupled weight decay) are the
ones learners meet and the ones flowlab's formulas follow.

optax (JAX, ``jax_enable_x64``, gradients by jax.grad) for the optimizers
torch.optim does not have, or has only in a different form:

* ``rmsprop`` (eps_inside=1)  optax.rmsprop(lr, decay=alpha, eps=eps,
                 eps_in_sqrt=True). Verified in optax/_src/transform.py
                 (scale_by_rms): nu starts at ``initial_scale`` whose default is
                 0.0, nu <- (1-decay) g^2 + decay nu, bias_correction defaults to
                 False, update = g * rsqrt(nu + eps). So th <- th - lr g/sqrt(v+eps),
                 exactly the requested form.
* ``adabelief``  optax.adabelief(lr, b1, b2, eps=eps, eps_root=eps). Verified in
                 optax/_src/transform.py (scale_by_belief): m <- (1-b1) g + b1 m;
                 s <- (1-b2)(g - m)^2 + b2 s (with the NEW m), then s <- s +
                 eps_root (added to the stored state, i.e. inside the
                 second-moment recursion, as in the AdaBelief paper); count+1;
                 m_hat = m/(1-b1^t); s_hat = s/(1-b2^t); update = m_hat/(sqrt(s_hat)
                 + eps); then scaled by -lr. This is exactly the paper algorithm
                 with eps_root = eps. (optax's own defaults are eps=eps_root=1e-16;
                 we pass both explicitly.)
* ``signsgd``    optax.lion(lr, b1=0.0, b2=0.99, weight_decay=0.0): with b1 = 0
                 the Lion direction is sign((1-0) g + 0 m) = sign(g).
* ``signum``     optax.lion(lr, b1=beta, b2=beta, weight_decay=0.0). Verified in
                 scale_by_lion: c = (1-b1) g + b1 m_old; u = sign(c); m_new =
                 (1-b2) g + b2 m_old. With b1 = b2 = beta, c == m_new, so
                 u = sign(m_new): Signum (m <- beta m + (1-beta) g; th <- th - lr
                 sign(m)). jnp.sign(0) = 0, as torch.sign.
* ``lion``       optax.lion(lr, b1, b2, weight_decay=wd). Verified in
                 optax/_src/alias.py: chain(scale_by_lion, add_decayed_weights(wd),
                 scale_by_learning_rate(lr)), i.e. th <- th - lr (sign(b1 m + (1-b1)
                 g) + wd th), m <- b2 m + (1-b2) g, with th the pre-step iterate.

optax is used for these because torch.optim has no AdaBelief, Lion or sign
methods, and its RMSprop only puts eps outside the root.

Cross-check: after generating, every path is recomputed with plain Python
float arithmetic from the formulas above (gradients from torch autograd) and
the largest deviation per optimizer is recorded in the JSON notes. The script
also asserts the first steps of a few hand-checkable cases (see
``sanity_checks``).

Surfaces (all from differentiable +, -, *, on scalars x, y):
quadratic(kappa, phi) 1/2 th^T H th with H = R diag(1, kappa) R^T, R = [[c, -s],
[s, c]], phi in degrees, H symmetrised as (H + H^T)/2; saddle 1/2(x^2 - y^2);
rosenbrock (1-x)^2 + 100(y-x^2)^2; beale a^2+b^2+c^2 with a = 1.5 - x + xy,
b = 2.25 - x + xy^2, c = 2.625 - x + xy^3; himmelblau (x^2+y-11)^2 + (x+y^2-7)^2;
valley 1/2(xy - 1)^2.
"""

import json
import math
import os
import sys

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import jaxlib  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402
import torch  # noqa: E402

torch.set_default_dtype(torch.float64)

STEPS = 60
OUT = os.path.join("tests", "golden", "optimizers_reference.json")


# ---------------------------------------------------------------- surfaces --

def quad_h(kappa, phi_deg):
    """H = R diag(1, kappa) R^T, symmetrised, as python floats."""
    r = math.radians(phi_deg)
    s, c = math.sin(r), math.cos(r)
    R = [[c, -s], [s, c]]
    D = [[1.0, 0.0], [0.0, float(kappa)]]
    RD = [[sum(R[i][k] * D[k][j] for k in range(2)) for j in range(2)] for i in range(2)]
    H = [[sum(RD[i][k] * R[j][k] for k in range(2)) for j in range(2)] for i in range(2)]
    h12 = 0.5 * (H[0][1] + H[1][0])
    return H[0][0], h12, H[1][1]


def surface_fn(name, params):
    """Returns f(x, y) built from +, -, * only (works on torch and jnp scalars)."""
    if name == "quadratic":
        h11, h12, h22 = quad_h(params["kappa"], params["phi"])
        return lambda x, y: 0.5 * (h11 * x * x + 2.0 * h12 * x * y + h22 * y * y)
    if name == "saddle":
        return lambda x, y: 0.5 * (x * x - y * y)
    if name == "rosenbrock":
        return lambda x, y: (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2
    if name == "beale":
        def f(x, y):
            a = 1.5 - x + x * y
            b = 2.25 - x + x * y * y
            c = 2.625 - x + x * y * y * y
            return a * a + b * b + c * c
        return f
    if name == "himmelblau":
        return lambda x, y: (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2
    if name == "valley":
        return lambda x, y: 0.5 * (x * y - 1.0) ** 2
    raise ValueError(name)


def torch_grad(f, xy):
    t = torch.tensor(xy, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(f(t[0], t[1]), t)
    return [float(g[0]), float(g[1])]


# ---------------------------------------------------------- the optimizers --

REFERENCE = {
    "sgd": "torch.optim.SGD",
    "momentum": "torch.optim.SGD(momentum=mu)",
    "nesterov": "torch.optim.SGD(momentum=mu, nesterov=True)",
    "rmsprop0": "torch.optim.RMSprop",
    "rmsprop1": "optax.rmsprop(eps_in_sqrt=True)",
    "adam": "torch.optim.Adam",
    "adamw": "torch.optim.AdamW",
    "adabelief": "optax.adabelief(eps_root=eps)",
    "signsgd": "optax.lion(b1=0, b2=0.99, weight_decay=0)",
    "signum": "optax.lion(b1=beta, b2=beta, weight_decay=0)",
    "lion": "optax.lion",
    "newton": "torch.autograd.functional.hessian + torch.linalg.solve (+ torch.linalg.eigh for saddlefree)",
}


def make_torch_opt(opt, hp, params):
    if opt == "sgd":
        return torch.optim.SGD(params, lr=hp["lr"])
    if opt == "momentum":
        return torch.optim.SGD(params, lr=hp["lr"], momentum=hp["mu"])
    if opt == "nesterov":
        return torch.optim.SGD(params, lr=hp["lr"], momentum=hp["mu"], nesterov=True)
    if opt == "rmsprop":
        assert hp["eps_inside"] == 0
        return torch.optim.RMSprop(params, lr=hp["lr"], alpha=hp["alpha"], eps=hp["eps"])
    if opt == "adam":
        return torch.optim.Adam(params, lr=hp["lr"], betas=(hp["b1"], hp["b2"]), eps=hp["eps"])
    if opt == "adamw":
        return torch.optim.AdamW(params, lr=hp["lr"], betas=(hp["b1"], hp["b2"]), eps=hp["eps"],
                                 weight_decay=hp["wd"])
    raise ValueError(opt)


def make_optax_opt(opt, hp):
    if opt == "rmsprop":
        assert hp["eps_inside"] == 1
        return optax.rmsprop(learning_rate=hp["lr"], decay=hp["alpha"], eps=hp["eps"],
                             eps_in_sqrt=True)
    if opt == "adabelief":
        return optax.adabelief(hp["lr"], b1=hp["b1"], b2=hp["b2"], eps=hp["eps"], eps_root=hp["eps"])
    if opt == "signsgd":
        return optax.lion(hp["lr"], b1=0.0, b2=0.99, weight_decay=0.0)
    if opt == "signum":
        return optax.lion(hp["lr"], b1=hp["beta"], b2=hp["beta"], weight_decay=0.0)
    if opt == "lion":
        return optax.lion(hp["lr"], b1=hp["b1"], b2=hp["b2"], weight_decay=hp["wd"])
    raise ValueError(opt)


def is_torch(opt, hp):
    return opt in ("sgd", "momentum", "nesterov", "adam", "adamw") or (
        opt == "rmsprop" and hp["eps_inside"] == 0)


def finite(p):
    return all(math.isfinite(v) for v in p)


def run_torch(f, start, opt, hp, steps):
    theta = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    o = make_torch_opt(opt, hp, [theta])
    path = [list(map(float, start))]
    for _ in range(steps):
        o.zero_grad()
        loss = f(theta[0], theta[1])
        loss.backward()
        o.step()
        p = [float(v) for v in theta.detach()]
        if not finite(p):
            return path, len(path) - 1
        path.append(p)
    return path, None


def run_optax(f, start, opt, hp, steps):
    o = make_optax_opt(opt, hp)
    theta = jnp.array(start, dtype=jnp.float64)
    state = o.init(theta)
    grad = jax.grad(lambda t: f(t[0], t[1]))
    path = [list(map(float, start))]
    for _ in range(steps):
        g = grad(theta)
        updates, state = o.update(g, state, theta)
        theta = optax.apply_updates(theta, updates)
        assert theta.dtype == jnp.float64
        p = [float(v) for v in np.asarray(theta)]
        if not finite(p):
            return path, len(path) - 1
        path.append(p)
    return path, None


def run_newton(f, start, hp, steps):
    fn = lambda t: f(t[0], t[1])  # noqa: E731
    theta = torch.tensor(start, dtype=torch.float64)
    path = [list(map(float, start))]
    eye = torch.eye(2, dtype=torch.float64)
    for _ in range(steps):
        g = torch.autograd.functional.jacobian(fn, theta)
        H = torch.autograd.functional.hessian(fn, theta)
        if hp["saddlefree"]:
            lam, V = torch.linalg.eigh(H)
            H = V @ torch.diag(lam.abs()) @ V.T
        try:
            step = torch.linalg.solve(H + hp["damping"] * eye, g)
        except torch.linalg.LinAlgError:
            return path, len(path) - 1
        theta = theta - step
        p = [float(v) for v in theta]
        if not finite(p):
            return path, len(path) - 1
        path.append(p)
    return path, None


def run_case(surface, sparams, start, opt, hp, steps=STEPS):
    f = surface_fn(surface, sparams)
    if opt == "newton":
        return run_newton(f, start, hp, steps)
    if is_torch(opt, hp):
        return run_torch(f, start, opt, hp, steps)
    return run_optax(f, start, opt, hp, steps)


# ------------------------------------------ independent formula cross-check --

def sign(v):
    return (v > 0) - (v < 0)


def formula_path(surface, sparams, start, opt, hp, n):
    """The formulas of the module docstring in plain Python floats (n steps)."""
    f = surface_fn(surface, sparams)
    th = list(map(float, start))
    m = [0.0, 0.0]
    v = [0.0, 0.0]
    path = [list(th)]
    for t in range(1, n + 1):
        if opt == "newton":
            tt = torch.tensor(th, dtype=torch.float64)
            g = [float(x) for x in torch.autograd.functional.jacobian(lambda z: f(z[0], z[1]), tt)]
            H = torch.autograd.functional.hessian(lambda z: f(z[0], z[1]), tt).tolist()
            a, b, d = H[0][0], H[0][1], H[1][1]
            if hp["saddlefree"]:
                # closed-form |H| for a symmetric 2x2 matrix
                tr, det = a + d, a * d - b * b
                disc = math.sqrt(max(0.25 * (a - d) ** 2 + b * b, 0.0))
                l1, l2 = 0.5 * tr + disc, 0.5 * tr - disc
                if disc == 0.0:
                    a, b, d = abs(l1), 0.0, abs(l1)
                else:
                    # |H| = p(H) with p linear through (l1,|l1|),(l2,|l2|)
                    s = (abs(l1) - abs(l2)) / (l1 - l2)
                    c0 = abs(l1) - s * l1
                    a, b, d = s * a + c0, s * b, s * d + c0
            a += hp["damping"]
            d += hp["damping"]
            det = a * d - b * b
            th = [th[0] - (d * g[0] - b * g[1]) / det, th[1] - (a * g[1] - b * g[0]) / det]
            path.append(list(th))
            continue
        g = torch_grad(f, th)
        lr = hp.get("lr")
        for i in range(2):
            gi = g[i]
            if opt == "sgd":
                th[i] -= lr * gi
            elif opt == "momentum":
                m[i] = hp["mu"] * m[i] + gi
                th[i] -= lr * m[i]
            elif opt == "nesterov":
                m[i] = hp["mu"] * m[i] + gi
                th[i] -= lr * (gi + hp["mu"] * m[i])
            elif opt == "rmsprop":
                v[i] = hp["alpha"] * v[i] + (1 - hp["alpha"]) * gi * gi
                den = math.sqrt(v[i] + hp["eps"]) if hp["eps_inside"] else math.sqrt(v[i]) + hp["eps"]
                th[i] -= lr * gi / den
            elif opt in ("adam", "adamw"):
                if opt == "adamw":
                    th[i] *= 1 - lr * hp["wd"]
                m[i] = hp["b1"] * m[i] + (1 - hp["b1"]) * gi
                v[i] = hp["b2"] * v[i] + (1 - hp["b2"]) * gi * gi
                mh, vh = m[i] / (1 - hp["b1"] ** t), v[i] / (1 - hp["b2"] ** t)
                th[i] -= lr * mh / (math.sqrt(vh) + hp["eps"])
            elif opt == "adabelief":
                m[i] = hp["b1"] * m[i] + (1 - hp["b1"]) * gi
                v[i] = hp["b2"] * v[i] + (1 - hp["b2"]) * (gi - m[i]) ** 2 + hp["eps"]
                mh, vh = m[i] / (1 - hp["b1"] ** t), v[i] / (1 - hp["b2"] ** t)
                th[i] -= lr * mh / (math.sqrt(vh) + hp["eps"])
            elif opt == "signsgd":
                th[i] -= lr * sign(gi)
            elif opt == "signum":
                m[i] = hp["beta"] * m[i] + (1 - hp["beta"]) * gi
                th[i] -= lr * sign(m[i])
            elif opt == "lion":
                u = sign(hp["b1"] * m[i] + (1 - hp["b1"]) * gi)
                th[i] -= lr * (u + hp["wd"] * th[i])
                m[i] = hp["b2"] * m[i] + (1 - hp["b2"]) * gi
            else:
                raise ValueError(opt)
        path.append(list(th))
    return path


# ------------------------------------------------------------------- cases --

STARTS = [
    ("rosenbrock", {}, [-1.2, 1.0]),
    ("beale", {}, [1.0, 1.0]),
    ("himmelblau", {}, [0.0, 0.0]),
    ("quadratic", {"kappa": 10, "phi": 30}, [1.5, 1.0]),
    ("valley", {}, [2.5, 0.1]),
    ("saddle", {}, [1.0, 0.1]),
]

# (optimizer, [set a: PyTorch-style defaults, set b: non-default])
HPARAMS = [
    ("sgd", [{"lr": 1e-3}, {"lr": 2e-3}]),
    ("momentum", [{"lr": 1e-3, "mu": 0.9}, {"lr": 3e-4, "mu": 0.95}]),
    ("nesterov", [{"lr": 1e-3, "mu": 0.9}, {"lr": 3e-4, "mu": 0.95}]),
    ("rmsprop", [{"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "eps_inside": 0},
                 {"lr": 3e-2, "alpha": 0.95, "eps": 1e-3, "eps_inside": 0}]),
    ("rmsprop", [{"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "eps_inside": 1},
                 {"lr": 3e-2, "alpha": 0.95, "eps": 1e-3, "eps_inside": 1}]),
    ("adam", [{"lr": 1e-3, "b1": 0.9, "b2": 0.999, "eps": 1e-8},
              {"lr": 5e-2, "b1": 0.8, "b2": 0.99, "eps": 1e-3}]),
    ("adamw", [{"lr": 1e-3, "b1": 0.9, "b2": 0.999, "eps": 1e-8, "wd": 0.01},
               {"lr": 5e-2, "b1": 0.8, "b2": 0.99, "eps": 1e-3, "wd": 0.1}]),
    ("adabelief", [{"lr": 1e-3, "b1": 0.9, "b2": 0.999, "eps": 1e-8},
                   {"lr": 5e-2, "b1": 0.8, "b2": 0.99, "eps": 1e-3}]),
    ("signsgd", [{"lr": 1e-3}, {"lr": 1e-2}]),
    ("signum", [{"lr": 1e-3, "beta": 0.9}, {"lr": 1e-2, "beta": 0.8}]),
    ("lion", [{"lr": 3e-4, "b1": 0.9, "b2": 0.99, "wd": 0.03},
              {"lr": 1e-2, "b1": 0.95, "b2": 0.98, "wd": 0.1}]),
    ("newton", [{"damping": 0.0, "saddlefree": 0}, {"damping": 1.0, "saddlefree": 1}]),
]


def reference_name(opt, hp):
    if opt == "rmsprop":
        return REFERENCE["rmsprop%d" % hp["eps_inside"]]
    return REFERENCE[opt]


def sensitivity(surface, sparams, start, opt, hp, path, e=1e-11):
    """Largest |path difference| / e when the start is moved by e along x or y."""
    amp = 0.0
    for dx, dy in ((e, 0.0), (0.0, e)):
        q, _ = run_case(surface, sparams, [start[0] + dx, start[1] + dy], opt, hp, len(path) - 1)
        d = max(max(abs(a - b) for a, b in zip(u, v)) for u, v in zip(path, q))
        amp = max(amp, d / e)
    return amp


# ------------------------------------------------------------ sanity checks --

def sanity_checks():
    """First steps from rosenbrock (-1.2, 1) that can be checked by hand."""
    start = [-1.2, 1.0]
    g = torch_grad(surface_fn("rosenbrock", {}), start)  # (-215.6, -88)
    assert abs(g[0] + 215.6) < 1e-9 and abs(g[1] + 88.0) < 1e-9, g

    def first(opt, hp):
        path, _ = run_case("rosenbrock", {}, start, opt, hp, steps=1)
        return path[1]

    checks = []

    def check(label, got, want, tol):
        ok = all(abs(a - b) <= tol for a, b in zip(got, want))
        checks.append("%s: first step %r (expected %r, tol %g)" % (label, got, want, tol))
        assert ok, checks[-1]

    check("adam lr=1e-3", first("adam", {"lr": 1e-3, "b1": 0.9, "b2": 0.999, "eps": 1e-8}),
          [-1.199, 1.001], 1e-12)
    rms_want = [start[i] - 1e-2 * g[i] / (math.sqrt(0.01 * g[i] * g[i]) + 1e-8) for i in range(2)]
    check("rmsprop(eps outside) lr=1e-2",
          first("rmsprop", {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "eps_inside": 0}), rms_want, 1e-14)
    check("sgd lr=1e-3", first("sgd", {"lr": 1e-3}), [-0.9844, 1.088], 1e-12)
    check("lion lr=1e-4 wd=0", first("lion", {"lr": 1e-4, "b1": 0.9, "b2": 0.99, "wd": 0.0}),
          [-1.1999, 1.0001], 1e-15)
    check("newton", first("newton", {"damping": 0.0, "saddlefree": 0}),
          [-1.1752809, 1.3806742], 1e-7)
    return checks


# -------------------------------------------------------------------- main --

def main():
    if not os.path.isdir(os.path.join("tests", "golden")):
        sys.exit("run from the repository root (tests/golden/ not found)")
    checks = sanity_checks()

    cases = []
    worst = {}
    sensitive = []
    for opt, sets in HPARAMS:
        for hp in sets:
            for surface, sparams, start in STARTS:
                path, diverged_at = run_case(surface, sparams, start, opt, hp)
                cases.append({
                    "surface": surface,
                    "surface_params": dict(sparams),
                    "start": list(map(float, start)),
                    "optimizer": opt,
                    "hparams": dict(hp),
                    "reference": reference_name(opt, hp),
                    "steps": STEPS,
                    "diverged_at": diverged_at,
                    "path": path,
                })
                # independent cross-check of the library against the formulas
                ref = formula_path(surface, sparams, start, opt, hp, len(path) - 1)
                key = opt if opt != "rmsprop" else "rmsprop(eps_inside=%d)" % hp["eps_inside"]
                dev = max(max(abs(a - b) for a, b in zip(p, q)) / max(1.0, max(map(abs, p)))
                          for p, q in zip(path, ref))
                w = worst.get(key, (0.0, None))
                label = "%s %s %s" % (key, "a" if hp is sets[0] else "b", surface)
                if dev >= w[0]:
                    worst[key] = (dev, label.split(" ", 1)[1])
                amp = sensitivity(surface, sparams, start, opt, hp, path)
                if amp > 1e3:
                    sensitive.append("%s (x%.1e)" % (label, amp))

    n_div = sum(c["diverged_at"] is not None for c in cases)
    notes = [
        "All arithmetic is IEEE float64 (torch.float64 tensors; jax_enable_x64).",
        "path[0] is the start; path[k] is the iterate after k updates; a full path has steps+1 points.",
        "diverged_at: if an iterate became non-finite (or, for newton, torch.linalg.solve reported "
        "a singular matrix), recording stopped at the last finite point and diverged_at is that "
        "point's step number k, so path has k+1 points and step k+1 was the first bad one; "
        "null when all steps were finite. %d of %d cases diverged." % (n_div, len(cases)),
        "hparams set a = PyTorch-style defaults, set b = non-default values; see the generator.",
        "Gradients (and newton's Hessian) come from autograd: torch.autograd for torch-generated "
        "cases, jax.grad for optax-generated ones. Expect last-bit differences from an analytic "
        "gradient; sign-based and Newton paths can amplify them where a component of the "
        "direction passes near zero or the Hessian is near-singular.",
        "quadratic: H = R diag(1,kappa) R^T with R=[[cos,-sin],[sin,cos]] of phi degrees, "
        "symmetrised (H+H^T)/2; loss 1/2 (h11 x^2 + 2 h12 x y + h22 y^2).",
        "rmsprop eps_inside=0: torch.optim.RMSprop, th <- th - lr g/(sqrt(v)+eps). eps_inside=1: "
        "optax.rmsprop(eps_in_sqrt=True) whose defaults are initial_scale=0.0 and "
        "bias_correction=False, i.e. th <- th - lr g/sqrt(v+eps), v0 = 0, no bias correction.",
        "adabelief: optax.adabelief(eps=eps, eps_root=eps) computes exactly the paper algorithm: "
        "s <- b2 s + (1-b2)(g-m_new)^2 + eps, bias-corrected m and s, update m_hat/(sqrt(s_hat)+eps).",
        "adamw: torch.optim.AdamW multiplies the decay by lr: th <- th(1 - lr wd) before the Adam "
        "step (not the schedule-multiplier-only form of Loshchilov & Hutter).",
        "lion: optax.lion = th <- th - lr(sign(b1 m + (1-b1) g) + wd th), m <- b2 m + (1-b2) g; "
        "weight decay multiplied by lr and applied to the pre-step iterate. signsgd = lion(b1=0, wd=0); "
        "signum = lion(b1=b2=beta, wd=0) whose sign argument equals the new m.",
        "sign(0) = 0 (jnp.sign), so a zero gradient component does not move that coordinate. "
        "Beware: Rust's f64::signum(0.0) is 1.0. This matters here: at the beale start (1, 1) "
        "dL/dx is exactly 0 (every term carries a factor y^k - 1), so signsgd/signum/lion leave x "
        "unchanged on step 1, and adam/rmsprop take a zero x-step (0/(0+eps)).",
        "Sensitivity: moving the start by 1e-11 changes these paths by more than 1e3 x 1e-11 "
        "(factor in brackets), so compare them with a looser tolerance: " + "; ".join(sensitive) + ". "
        "The beale ones come from the exactly-zero dL/dx at the start (a perturbation makes it "
        "nonzero, which sign- and RMS-normalised steps blow up to a full-size step): for an "
        "implementation that also gets an exact 0 there, they are not sensitive. newton b saddle "
        "(saddlefree, damping 1) grows y by 1.5 per step to ~3.7e9, so its absolute error grows "
        "alike while its relative error stays at rounding level.",
        "newton a valley: step 1 lands on the valley floor xy = 1 at (-5, -0.2), where H is "
        "singular up to rounding; later steps solve a nearly singular system, but g lies in H's "
        "range and the computed steps are ~1e-16 (an explicit 2x2 inverse agreed to 1e-13). "
        "newton a himmelblau converges to the local MAXIMUM (-0.2708, -0.9230): undamped Newton "
        "seeks any stationary point.",
        "newton: th <- th - (H + damping I)^-1 g via torch.linalg.solve; saddlefree=1 uses "
        "|H| = V|Lambda|V^T from torch.linalg.eigh.",
        "Sanity checks passed: " + "; ".join(checks),
        "Cross-check against a plain-Python-float re-implementation of the stated formulas "
        "(max deviation over each optimizer's cases, relative to max(1,|theta|)): "
        + "; ".join("%s %.3g (%s)" % (k, v[0], v[1]) for k, v in worst.items()),
    ]
    out = {
        "generator": "scripts/golden/optimizers.py",
        "libraries": {"torch": torch.__version__, "optax": optax.__version__, "jax": jax.__version__,
                      "jaxlib": jaxlib.__version__,
                      "numpy": np.__version__},
        "notes": notes,
        "cases": cases,
    }
    # One case per line keeps the file diffable without one number per line.
    with open(OUT, "w") as fh:
        fh.write("{\n")
        for k in ("generator", "libraries", "notes"):
            fh.write(" %s: %s,\n" % (json.dumps(k), json.dumps(out[k], indent=None)))
        fh.write(' "cases": [\n')
        for i, c in enumerate(cases):
            fh.write("  " + json.dumps(c, allow_nan=False) + (",\n" if i + 1 < len(cases) else "\n"))
        fh.write(" ]\n}\n")
    json.load(open(OUT))  # must parse
    print("wrote %s: %d cases, %d diverged" % (OUT, len(cases), n_div))
    for k, v in worst.items():
        print("  cross-check %-24s max dev %.3g (%s)" % (k, v[0], v[1]))
    for c in cases:
        if c["diverged_at"] is not None:
            print("  diverged: %s %s %s at %d" % (c["optimizer"], c["hparams"], c["surface"], c["diverged_at"]))


if __name__ == "__main__":
    main()
