"""Independent check of the single-Gaussian diffusion-ODE errors (plain Python, no packages).

Target N(mu=(1,-1), 0.5^2 I); from x = (30, -40) at sigma = 80 to sigma = 0.002 on the EDM schedule
(rho = 7). The exact solution is x(s) = mu + (x0 - mu) sqrt((s^2 + 0.25) / (80^2 + 0.25)).
Output (used in src/math/diffusion.rs tests): Euler N=20 0.040228, Heun N=20 0.011906.
math-spec page 3 quotes 0.032 and 0.0096 for these; both are 0.8x the values this script (and the
Rust code) compute, so the tests pin the computed values and the note records the discrepancy.
"""
import math

MU, S = (1.0, -1.0), 0.5


def vel(x, sig):
    a = S * S / (S * S + sig * sig)
    d = (MU[0] + a * (x[0] - MU[0]), MU[1] + a * (x[1] - MU[1]))
    return ((x[0] - d[0]) / sig, (x[1] - d[1]) / sig)


def schedule(n, smax=80.0, smin=0.002, rho=7.0):
    a, b = smax ** (1 / rho), smin ** (1 / rho)
    return [(a + i / n * (b - a)) ** rho for i in range(n + 1)]


def run(n, heun):
    t, x = schedule(n), (30.0, -40.0)
    for t0, t1 in zip(t, t[1:]):
        v0 = vel(x, t0)
        xe = (x[0] + (t1 - t0) * v0[0], x[1] + (t1 - t0) * v0[1])
        if heun:
            v1 = vel(xe, t1)
            x = (x[0] + (t1 - t0) * 0.5 * (v0[0] + v1[0]), x[1] + (t1 - t0) * 0.5 * (v0[1] + v1[1]))
        else:
            x = xe
    return x


f = math.sqrt((0.25 + 0.002**2) / (0.25 + 80.0**2))
exact = (MU[0] + 29 * f, MU[1] - 39 * f)
for name, heun in [("euler", False), ("heun", True)]:
    x = run(20, heun)
    print(name, math.hypot(x[0] - exact[0], x[1] - exact[1]))
