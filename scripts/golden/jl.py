"""Reference values for the Johnson–Lindenstrauss lab (tests/golden/jl_reference.json).

scikit-learn 1.9.1 `johnson_lindenstrauss_min_dim` (Dasgupta–Gupta, truncated to an integer) and the
real-valued bounds computed with numpy 2.4.6 / scipy 1.17.1 (chi-square quantiles for the density check).
Run:  python -m venv /tmp/v && /tmp/v/bin/pip install scikit-learn==1.9.1 numpy==2.4.6 scipy==1.17.1
      /tmp/v/bin/python scripts/golden/jl.py > tests/golden/jl_reference.json
"""
import json

import numpy as np
import sklearn
from scipy import stats
from sklearn.random_projection import johnson_lindenstrauss_min_dim

cases = []
for n in [10, 100, 1000, 2000, 10**6]:
    for eps in [0.05, 0.1, 0.25, 0.5, 0.9]:
        dg = 4 * np.log(n) / (eps**2 / 2 - eps**3 / 3)
        cases.append({
            "n": n, "eps": eps,
            "sklearn": int(johnson_lindenstrauss_min_dim(n, eps=eps)),
            "dg": dg, "su24": 24 * np.log(n) / eps**2, "su16": 16 * np.log(n) / eps**2,
            "achlioptas_beta1": (4 + 2 * 1.0) * np.log(n) / (eps**2 / 2 - eps**3 / 3),
        })
# chi^2_k / k densities at a few points (R = chi2_k / k has density k * chi2.pdf(k r, k)).
dens = [{"k": k, "r": r, "pdf": float(k * stats.chi2.pdf(k * r, k))} for k in [2, 10, 300, 4000] for r in [0.5, 0.9, 1.0, 1.1, 1.6]]
print(json.dumps({"generator": "scripts/golden/jl.py", "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__}, "bounds": cases, "chi2_over_k": dens}, indent=1))
