"""Reference values for the softmax lab (tests/golden/softmax_reference.json).

Computed with the reference implementations, not with our code:
  torch 2.15.0 (torch.softmax), entmax 1.3 (sparsemax, entmax15, entmax_bisect),
  scipy 1.17.1 (perturb-max with Gaussian noise by adaptive quadrature), numpy 2.4.6.
Run:  python -m venv /tmp/v && /tmp/v/bin/pip install torch==2.15.0 entmax==1.3 scipy==1.17.1 numpy==2.4.6
      /tmp/v/bin/python scripts/golden/softmax.py > tests/golden/softmax_reference.json
"""
import json

import numpy as np
import torch
from entmax import entmax15, entmax_bisect, sparsemax
from scipy import integrate, stats

torch.set_default_dtype(torch.float64)

INPUTS = [
    [1.0, 0.5, -1.0],
    [-2.0, 0.0, 0.5],
    [0.5, 0.4, 0.1],
    [2.0, 0.0],
    [3.0, 1.0, 0.0, -1.0],
    [0.3, -1.2],
    [0.0, 0.0, 0.0],
    [4.0, -3.0, 2.5, 2.5, 0.1],
    [0.1 * k - 1.3 * np.sin(k) for k in range(32)],
    [10.0, 9.0, -5.0, 0.0, 3.3, 3.3, -0.7, 1e-3],
]
ALPHAS = [1.25, 1.5, 1.75, 2.0, 2.5, 3.0]


def gauss_perturb(x):
    """P[argmax(x + eps) = i], eps ~ N(0, I): integral of phi(t) prod_j Phi(x_i - x_j + t) dt."""
    x = np.asarray(x)
    out = []
    for i in range(len(x)):
        others = np.delete(x, i)
        f = lambda t: stats.norm.pdf(t) * np.prod(stats.norm.cdf(x[i] - others + t))
        v, _ = integrate.quad(f, -np.inf, np.inf, epsabs=1e-14, epsrel=1e-13, limit=200)
        out.append(v)
    return out


cases = []
for x in INPUTS:
    t = torch.tensor([x])
    case = {
        "z": x,
        "softmax": torch.softmax(t, -1)[0].tolist(),
        "softmax_tau_0.5": torch.softmax(t / 0.5, -1)[0].tolist(),
        "sparsemax": sparsemax(t, dim=-1)[0].tolist(),
        "entmax15": entmax15(t, dim=-1)[0].tolist(),
        "entmax_bisect": {str(a): entmax_bisect(t, alpha=a, dim=-1, n_iter=200)[0].tolist() for a in ALPHAS},
    }
    if len(x) <= 8:
        case["perturb_gauss"] = gauss_perturb(x)
    cases.append(case)

print(json.dumps({"generator": "scripts/golden/softmax.py", "versions": {"torch": torch.__version__, "entmax": "1.3"}, "cases": cases}, indent=1))
