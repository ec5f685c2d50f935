#!/usr/bin/python3
"""Reference Monte Carlo of the security model in vectorised NumPy.

An independent implementation of docs/model.md (sections 1-5, exponential
gradient, direct alignment, holdings, deployments, memberships and CBMs) and
of the Monte Carlo of section 9, over the inputs that Go compiled:

    go run ./cmd/indivisible simulate -dump /tmp/inputs.json examples/08-mutual-restraint.json
    /usr/bin/python3 bench/reference_simulate.py /tmp/inputs.json 100000

It first checks that it reproduces Go's security before and after the
proposal at the fixed parameters (to 1e-9), then times the draws. Each draw
is vectorised over every pair of states; draws run one after another, as
`indivisible simulate` runs them on each core.
"""
import json
import math
import os
import sys
import time

# One BLAS thread: the matrices are 94 x 94, and a threaded BLAS on a busy
# two-core machine spends its time synchronising (42 draws/s against 800).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

Z75 = 0.6744897501960817


def load(path):
    with open(path) as f:
        d = json.load(f)
    return d["inputs"], d["spec"]


class Model:
    def __init__(self, inp):
        self.codes = inp["codes"]
        n, m = len(inp["codes"]), len(inp["components"])
        self.n, self.m = n, m
        self.comps = inp["components"]
        self.w0 = np.array(inp["weights"], dtype=float)
        self.total = np.array(inp["total"], dtype=float)
        self.missing = np.array(inp["missing"], dtype=bool).reshape(n, m)
        self.dist = np.array(inp["dist_km"], dtype=float).reshape(n, n)
        self.types = inp["commitment_types"]
        bits = np.arange(256)[:, None] >> np.arange(len(self.types))[None, :] & 1
        self.bits = bits.astype(bool)  # 256 x types: which types a mask holds
        self.eye = np.eye(n, dtype=bool)
        self.states = {}
        for side, hold, deps, mask in (("before", "hold", "deps", "mask"), ("after", "hold_after", "deps_after", "mask_after")):
            self.states[side] = {
                "hold": np.array(inp[hold], dtype=float).reshape(n, m),
                "owner": np.array([d["owner"] for d in inp[deps]], dtype=int),
                "host": np.array([d["host"] for d in inp[deps]], dtype=int),
                "comp": np.array([d["comp"] for d in inp[deps]], dtype=int),
                "q": np.array([d["quantity"] for d in inp[deps]], dtype=float),
                "mask": np.array(inp[mask], dtype=int).reshape(n, n),
            }
        # CBM pairs: every ordered pair of distinct actors, with its kind.
        self.cbm = []
        for c in inp["cbm"]:
            a = np.array(c["actors"], dtype=int)
            x, y = np.meshgrid(a, a, indexing="ij")
            off = x != y
            self.cbm.append((x[off], y[off], c["kind"]))

    def security(self, side, p, g, sigma, eta):
        st = self.states[side]
        w = self.w0.copy()
        for k, v in p.get("weights", {}).items():
            w[self.comps.index(k)] = v
        use = ~self.missing & (self.total > 0)[None, :]
        den = (use * w[None, :]).sum(axis=1)
        safe_total = np.where(self.total > 0, self.total, 1.0)
        deployed = np.zeros((self.n, self.m))
        np.add.at(deployed, (st["owner"], st["comp"]), st["q"])
        home = st["hold"] - deployed
        num = (use * w[None, :] * home / safe_total[None, :]).sum(axis=1)
        cap = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
        # K[j, b]: j's capability based at b (home on the diagonal).
        K = np.diag(cap)
        dn = den[st["owner"]]
        share = np.where(dn > 0, w[st["comp"]] * st["q"] / safe_total[st["comp"]] / np.where(dn > 0, dn, 1.0), 0.0)
        share = np.where(use[st["owner"], st["comp"]], share, 0.0)
        np.add.at(K, (st["owner"], st["host"]), share)
        P = K @ g  # P[j, i]: j's power projected at i
        sup = (sigma * P).sum(axis=0) + np.diag(P)
        thr = (eta * P).sum(axis=0)
        k = p["baseline"]
        return (sup + k) / (sup + thr + 2 * k)

    def evaluate(self, p):
        """Security before and after the proposal under parameters p."""
        g = np.exp(-self.dist / p["lambda_km"])
        sv = np.array([p["support"].get(t, 0.0) for t in self.types])
        hv = np.array([p["hostility"].get(t, 0.0) for t in self.types])
        sup_tab = np.where(self.bits, sv[None, :], 0.0).max(axis=1)
        host_tab = np.where(self.bits, hv[None, :], p["hostility"]["none"]).min(axis=1)
        out = []
        for side in ("before", "after"):
            mask = self.states[side]["mask"]
            sigma = np.where(self.eye, 0.0, sup_tab[mask])
            eta = np.where(self.eye, 0.0, host_tab[mask])
            if side == "after":
                for x, y, kind in self.cbm:
                    eta[x, y] *= 1 - p["cbm"][kind]
            out.append(self.security(side, p, g, sigma, eta))
        return out


def setter(path):
    group, _, key = path.partition(".")
    if not key:
        return lambda p, v: p.__setitem__(group, v)
    return lambda p, v: p.setdefault(group, {}).__setitem__(key, v)


def sampler(d, rng):
    kind = d["dist"]
    if kind == "point":
        return lambda: d["value"]
    if kind == "uniform":
        return lambda: rng.uniform(d["min"], d["max"])
    if kind == "triangular":
        return lambda: rng.triangular(d["min"], d["mode"], d["max"])
    if kind == "lognormal":
        mu, sigma = math.log(d["median"]), math.asinh(d["iqr"] / (2 * d["median"])) / Z75
        return lambda: rng.lognormal(mu, sigma)
    raise ValueError(kind)


def ranks(x):
    order = np.argsort(x, kind="stable")
    xs = x[order]
    _, first, counts = np.unique(xs, return_index=True, return_counts=True)
    mean_rank = first + (counts + 1) / 2.0
    r = np.empty(len(x))
    r[order] = np.repeat(mean_rank, counts)
    return r


def spearman(x, y):
    if x.min() == x.max() or y.min() == y.max():
        return 0.0
    return float(np.corrcoef(ranks(x), ranks(y))[0, 1])


def main():
    path = sys.argv[1]
    draws = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    tol = 1e-4
    inp, spec = load(path)
    model = Model(inp)
    base = spec["params"]
    assert base["gradient"] == "exponential" and base["alignment"] == "direct" and not base.get("dyads")
    before, after = model.evaluate(base)
    eb = np.abs(before - np.array(inp["before"])).max()
    ea = np.abs(after - np.array(inp["after"])).max()
    print(f"check: max |before - Go| = {eb:.3g}, max |after - Go| = {ea:.3g}")
    if eb > 1e-9 or ea > 1e-9:
        sys.exit("reference disagrees with Go")

    rng = np.random.default_rng(1)
    names = sorted(spec["distributions"])
    draw_fns = [(setter(k), sampler(spec["distributions"][k], rng)) for k in names]
    n = model.n
    deltas = np.empty((draws, n))
    values = np.empty((draws, len(names)))
    start = time.perf_counter()
    for d in range(draws):
        p = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
        for k, (set_, draw) in enumerate(draw_fns):
            values[d, k] = draw()
            set_(p, values[d, k])
        b, a = model.evaluate(p)
        deltas[d] = a - b
    mins = deltas.min(axis=1)
    divisible = (mins < -tol).astype(float)
    mean = deltas.mean(axis=0)
    p05, p95 = np.quantile(deltas, [0.05, 0.95], axis=0)
    sens = [(k, spearman(values[:, j], divisible), spearman(values[:, j], mins)) for j, k in enumerate(names)]
    elapsed = time.perf_counter() - start
    print(f"draws: {draws}, P(divisible) = {divisible.mean():.3f}, min change mean {mins.mean():+.6f}")
    for k, v, m in sorted(sens, key=lambda s: (-abs(s[1]), -abs(s[2]))):
        print(f"  {k:20s} verdict {v:+.3f}  min change {m:+.3f}")
    worst = int(np.argmin(mean))
    print(f"  lowest mean change: {model.codes[worst]} {mean[worst]:+.6f} [{p05[worst]:+.6f}, {p95[worst]:+.6f}]")
    print(f"time: {elapsed:.2f} s, {draws / elapsed:.0f} draws/s (numpy {np.__version__})")


if __name__ == "__main__":
    main()
