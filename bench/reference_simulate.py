#!/usr/bin/python3
"""Reference Monte Carlo of the hazard model in vectorised NumPy.

An independent implementation of docs/model.md (the dyadic hazard model:
capabilities, features, deployment terms, hazards and security) and of the
Monte Carlo of `indivisible simulate`, from the raw inputs that Go writes:

    go run ./cmd/indivisible simulate -dump /tmp/inputs.json examples/08-mutual-restraint.json
    /usr/bin/python3 bench/reference_simulate.py /tmp/inputs.json 100000

The inputs are the scenario's raw arrays (holdings, deployments and
commitment masks before and after the proposal, capability records,
distances, contiguity, evidence), the fitted coefficients and their
covariances, the proposal's measures and the distributions. Nothing
derived by Go is used except to be checked: the script rebuilds every
state's capability (holdings index and CINC scaling), the coalition
feature, every feature of the design, the deployment terms, the odds
factors of the CBMs and exercises, the hazards and the security, and first
checks that it reproduces Go's security before and after the proposal, for
both outcomes (any dispute, and the use of force), to 1e-9; it exits
non-zero if not. Then it times the draws: every draw takes the MID
coefficients from N(beta, Sigma) (by the Cholesky factor) when the spec
says estimation, and every distribution's parameter, and recomputes what
they change, vectorised over all pairs of states; draws run one after
another, as `indivisible simulate` runs them on each core.
"""
import json
import math
import os
import sys
import time

# One BLAS thread: the matrices are small, and a threaded BLAS on a busy
# two-core machine spends its time synchronising.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

Z75 = 0.6744897501960817
TOL = 1e-9


def load(path):
    with open(path) as f:
        d = json.load(f)
    return d["inputs"], d.get("measures", []), d["spec"], d.get("columns", []), d.get("design")


class Model:
    """The scenario's raw inputs and the equations over them."""

    def __init__(self, inp, measures):
        self.codes = inp["codes"]
        self.idx = {c: k for k, c in enumerate(self.codes)}
        n, m = len(self.codes), len(inp["components"])
        self.n, self.m = n, m
        self.comps = inp["components"]
        self.features = inp["features"]
        self.floor = inp["cap_floor"]
        self.coal_range = inp["coalition_range_km"]
        self.w0 = np.array(inp["weights"], dtype=float)
        self.total = np.array(inp["total"], dtype=float)
        self.missing = np.array(inp["missing"], dtype=bool).reshape(n, m)
        self.cinc = np.array(inp["cinc"], dtype=float)
        self.mil = np.array(inp["military"], dtype=float)
        self.has = np.array(inp["has"], dtype=bool)
        self.dist = np.array(inp["dist_km"], dtype=float).reshape(n, n)
        self.ln_dist = np.log1p(self.dist)
        self.land = np.array(inp["land"], dtype=bool).reshape(n, n)
        self.sea = np.array(inp["sea"], dtype=bool).reshape(n, n)
        self.eye = np.eye(n, dtype=bool)
        # Coalition kernel: an ally's capability counts fully at a land
        # neighbour (and at home), and decays with distance otherwise.
        self.kern = np.where(self.land | self.eye, 1.0, np.exp(-self.dist / self.coal_range))
        aff = np.array(inp["affinity"], dtype=float).reshape(n, n)
        dem = np.array(inp["democracy"], dtype=float)
        self.aff_missing = aff == -1
        self.aff = np.where(self.aff_missing, 0.0, aff)
        dj, di = dem[:, None], dem[None, :]
        self.dem_missing = (dj == -1) | (di == -1)
        self.joint_dem = np.where(self.dem_missing, 0.0, np.minimum(dj, di))
        self.dem_dist = np.where(self.dem_missing, 0.0, np.abs(dj - di))
        self.major = np.array(inp["major"], dtype=bool)
        self.rivalry = np.array(inp["rivalry"], dtype=bool).reshape(n, n)
        self.ongoing = np.array(inp["ongoing"], dtype=bool).reshape(n, n)
        self.peace = np.array(inp["peace_years"], dtype=float).reshape(n, n)
        self.decay = np.array(inp["decay"], dtype=float).reshape(n, n)
        types = inp["commitment_types"]
        self.defence_bits = sum(1 << k for k, t in enumerate(types) if t in ("defence", "offence"))
        self.sides = {}
        for side, hold, deps, mask in (("before", "hold", "deps", "mask"), ("after", "hold_after", "deps_after", "mask_after")):
            self.sides[side] = {
                "hold": np.array(inp[hold], dtype=float).reshape(n, m),
                "owner": np.array([d["owner"] for d in inp[deps]], dtype=int),
                "host": np.array([d["host"] for d in inp[deps]], dtype=int),
                "comp": np.array([d["comp"] for d in inp[deps]], dtype=int),
                "q": np.array([d["quantity"] for d in inp[deps]], dtype=float),
                "mask": np.array(inp[mask], dtype=int).reshape(n, n),
            }
        self.cbms = [(self.actors(ms["actors"]), ms["kind"]) for ms in measures if ms["type"] == "cbm"]
        self.exercises = [ms for ms in measures if ms["type"] == "exercise"]

    def actors(self, codes):
        a = np.array([self.idx[c] for c in codes], dtype=int)
        x, y = np.meshgrid(a, a, indexing="ij")
        off = x != y
        return x[off], y[off]

    # Capabilities -------------------------------------------------------

    def index(self, w, hold):
        """The holdings index of every state: the weighted mean, over the
        components it reports, of its holding's share of the system total."""
        use = ~self.missing & (self.total > 0)[None, :]
        den = (use * w[None, :]).sum(axis=1)
        safe = np.where(self.total > 0, self.total, 1.0)
        num = (use * w[None, :] * hold / safe[None, :]).sum(axis=1)
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0), den

    def capabilities(self, w, side):
        """C_j = CINC_j + s_j (M'_j - M_j), s_j = Military_j / M_j (the
        system ratio where M_j = 0), C_j = M'_j without a record; the
        capability at home and the matrix B[j, h] of j's forces based in h."""
        st = self.sides[side]
        m0, den = self.index(w, self.sides["before"]["hold"])
        m1, _ = self.index(w, st["hold"])
        rec = self.has & (m0 > 0)
        common = self.mil[rec].sum() / m0[rec].sum() if m0[rec].sum() > 0 else 1.0
        s = np.where(~self.has, 1.0, np.where(m0 > 0, self.mil / np.where(m0 > 0, m0, 1.0), common))
        caps = np.where(self.has, self.cinc + s * (m1 - m0), m1)
        caps = np.maximum(caps, 0.0)
        # A deployment carries s_j times its share of j's index.
        o, c = st["owner"], st["comp"]
        ok = (den[o] > 0) & (self.total[c] > 0)
        share = np.where(ok, w[c] * st["q"] / np.where(self.total[c] > 0, self.total[c], 1.0) / np.where(den[o] > 0, den[o], 1.0), 0.0)
        B = np.zeros((self.n, self.n))
        np.add.at(B, (o, st["host"]), s[o] * share)
        home = np.maximum(caps - B.sum(axis=1), 0.0)
        return caps, home, B

    # Features -----------------------------------------------------------

    def design(self, w, side, names=None):
        """The columns names (the fitted features by default) of the
        design, one row per ordered pair, rows with oneself 0, and the
        capabilities it came from."""
        n = self.n
        caps, home, B = self.capabilities(w, side)
        mask = self.sides[side]["mask"]
        allied = (mask & self.defence_bits) != 0  # allied[a, b]: a defence tie
        np.fill_diagonal(allied, False)
        ln_cap = np.log(caps + self.floor)
        # The coalition of the target i's allies against j: their
        # capability projected at i (home by the kernel, bases from where
        # they are), less that of the allies j shares and of j itself.
        proj = home[:, None] * self.kern + B @ self.kern  # proj[a, i]
        P = np.where(allied.T, proj, 0.0)  # P[a, i] for a an ally of i
        shared = (allied | self.eye).T.astype(float) @ P  # shared[j, i]
        coalition = np.log(np.maximum(P.sum(axis=0)[None, :] - shared, 0.0) + self.floor)
        defence = allied
        pact = (mask != 0) & ~allied
        ones = np.ones((n, n))
        cols = {
            "const": ones,
            "ln_cap_from": ln_cap[:, None] * ones,
            "ln_cap_to": ln_cap[None, :] * ones,
            "ln_coalition": coalition,
            "ln_dist": self.ln_dist,
            "land": self.land,
            "sea": self.sea,
            "defence": defence,
            "pact": pact,
            "affinity": self.aff,
            "affinity_missing": self.aff_missing,
            "joint_dem": self.joint_dem,
            "dem_dist": self.dem_dist,
            "dem_missing": self.dem_missing,
            "ongoing": self.ongoing,
            "ln_peace": np.log1p(self.peace),
            "decay_from": self.decay,
            "decay_to": self.decay.T,
            "major_to": self.major[None, :] * ones,
            "major_from": self.major[:, None] * ones,
            "rivalry": self.rivalry,
        }
        names = self.features if names is None else names
        unknown = [f for f in names if f not in cols]
        if unknown:
            sys.exit(f"reference: no definition of the columns {unknown}")
        X = np.stack([np.where(self.eye, 0.0, np.asarray(cols[f], dtype=float)) for f in names], axis=-1)
        return X.reshape(n * n, -1), (caps, home, B)

    # Hazards ------------------------------------------------------------

    def deployment(self, beta, forces):
        """G[j, i] = ln(home_j/C_j + sum_h B[j, h]/C_j exp(g(h, i) - g(j, i))),
        g the fitted distance and contiguity terms (distance 0 and land
        contiguity for forces in i itself), for states with forces abroad."""
        caps, home, B = forces
        f = {name: k for k, name in enumerate(self.features)}
        g = beta[f["ln_dist"]] * self.ln_dist + beta[f["land"]] * self.land + beta[f["sea"]] * self.sea
        g = np.where(self.eye, beta[f["land"]], g)
        owners = (B.sum(axis=1) > 0) & (caps > 0)
        G = np.zeros((self.n, self.n))
        if not owners.any():
            return G
        c = caps[owners][:, None]
        mix = home[owners][:, None] / c + (B[owners] / c) @ np.exp(g) * np.exp(-g[owners])
        rows = np.where(mix > 0, np.log(np.where(mix > 0, mix, 1.0)), 0.0)
        rows[self.eye[owners]] = 0.0
        G[owners] = rows
        return G

    def security(self, X, G, beta, odds):
        """Pr(no state initiates a dispute against i) = 1 / prod_j (1 + o_ji)."""
        eta = (X @ beta).reshape(self.n, self.n) + G
        o = np.where(self.eye, 0.0, np.exp(eta) * odds)
        return np.exp(-np.log1p(o).sum(axis=0))

    # Odds factors -------------------------------------------------------

    def dyads(self, p):
        f = np.ones((self.n, self.n))
        for d in p.get("dyads") or []:
            a, b = self.idx[d["a"]], self.idx[d["b"]]
            f[a, b] = f[b, a] = d["factor"]
        return f

    def factors(self, p, w):
        """The proposal's odds factors: (1 - rho_kind) on every ordered pair
        of a CBM's parties, and for an exercise, on its actors' odds against
        every other state, 1 + intensity x share x discounts x
        exp(-d/range), d the distance from the host (0 for the host and its
        land neighbours) and share the exercise's forces over the actors'
        holdings index (at most 1)."""
        f = np.ones((self.n, self.n))
        for (x, y), kind in self.cbms:
            f[x, y] *= 1 - p["cbm"][kind]
        hold = self.sides["before"]["hold"]
        m0, _ = self.index(w, hold)
        for ex in self.exercises:
            forces = dict(ex.get("forces") or {})
            for k in ("personnel", "battle_tanks", "armoured_combat_vehicles", "artillery", "combat_aircraft"):
                if ex.get(k):
                    forces[k] = forces.get(k, 0.0) + ex[k]
            force = sum(w[c] * forces[name] / self.total[c] / w.sum()
                        for c, name in enumerate(self.comps) if name in forces and self.total[c] > 0 and w.sum() > 0)
            actors = np.array([self.idx[a] for a in ex["actors"]], dtype=int)
            own = m0[actors].sum()
            share = min(force / own, 1.0) if own > 0 else 1.0
            disc = (1 - p["notified_discount"] if ex.get("notified") else 1.0) * (1 - p["observer_discount"] if ex.get("observers") else 1.0)
            host = self.idx[ex["host"]]
            d = np.where(self.land[host] | (np.arange(self.n) == host), 0.0, self.dist[host])
            fe = 1 + p["exercise_intensity"] * share * disc * np.exp(-d / p["exercise_range_km"])
            fe[actors] = 1.0
            f[actors] *= fe[None, :]
        return f


def weights(model, p):
    w = model.w0.copy()
    for k, v in (p.get("weights") or {}).items():
        w[model.comps.index(k)] = v
    return w


class Evaluator:
    """Security before and after under parameters, re-using the designs
    while the component weights stay those of the last call."""

    def __init__(self, model):
        self.model = model
        self.w = None

    def evaluate(self, p, beta):
        m = self.model
        w = weights(m, p)
        if self.w is None or not np.array_equal(w, self.w):
            self.w = w
            self.designs = {side: m.design(w, side) for side in ("before", "after")}
        dy = m.dyads(p)
        odds = {"before": dy, "after": dy * m.factors(p, w)}
        out = []
        for side in ("before", "after"):
            X, forces = self.designs[side]
            out.append(m.security(X, m.deployment(beta, forces), beta, odds[side]))
        return out


def setter(path):
    group, _, key = path.partition(".")
    if not key:
        return lambda p, v: p.__setitem__(group, v)
    if group == "dyads":
        a, _, b = key.partition("-")

        def set_dyad(p, v):
            ds = [d for d in p.get("dyads") or [] if {d["a"], d["b"]} != {a, b}]
            p["dyads"] = ds + [{"a": a, "b": b, "factor": v}]
        return set_dyad
    return lambda p, v: p.setdefault(group, {}).__setitem__(key, v)


def sampler(d, rng):
    kind = d["dist"]
    get = lambda k: d.get(k, 0.0)  # noqa: E731 (Go omits zero fields)
    if kind == "point":
        return lambda: get("value")
    if kind == "uniform":
        return lambda: rng.uniform(get("min"), get("max"))
    if kind == "triangular":
        return lambda: rng.triangular(get("min"), get("mode"), get("max"))
    if kind == "lognormal":
        mu, sigma = math.log(get("median")), math.asinh(get("iqr") / (2 * get("median"))) / Z75
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


def copy_params(p):
    return {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v) for k, v in p.items()}


def check(model, inp, spec, columns, design):
    """Go's security before and after, both outcomes, to TOL; the baseline
    design, every column, when the dump has Go's."""
    base = copy_params(spec["params"])
    if design is not None:
        X, _ = model.design(weights(model, base), "before", columns)
        diff = np.abs(X - np.array(design, dtype=float).reshape(X.shape)).max(axis=0)
        worst = int(np.argmax(diff))
        print(f"check design ({len(columns)} columns): max |X - Go| = {diff[worst]:.3g} ({columns[worst]})")
        if diff[worst] > TOL:
            sys.exit("reference disagrees with Go's design")
    ev = Evaluator(model)
    worst = 0.0
    for outcome, coef, before, after in (("mid", "coef_mid", "before", "after"), ("force", "coef_force", "force_before", "force_after")):
        b, a = ev.evaluate(base, np.array(inp[coef], dtype=float))
        eb = np.abs(b - np.array(inp[before])).max()
        ea = np.abs(a - np.array(inp[after])).max()
        print(f"check {outcome}: max |before - Go| = {eb:.3g}, max |after - Go| = {ea:.3g}")
        worst = max(worst, eb, ea)
    # The odds factors the script made itself, against Go's.
    w = weights(model, base)
    n = model.n
    eo = np.abs(model.dyads(base) - np.array(inp["odds"]).reshape(n, n)).max()
    ef = np.abs(model.dyads(base) * model.factors(base, w) - np.array(inp["odds_after"]).reshape(n, n)).max()
    print(f"check odds factors: max |before - Go| = {eo:.3g}, max |after - Go| = {ef:.3g}")
    if worst > TOL or eo > TOL or ef > TOL:
        sys.exit("reference disagrees with Go")


def main():
    path = sys.argv[1]
    draws = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    tol = 1e-4
    inp, measures, spec, columns, design = load(path)
    model = Model(inp, measures)
    check(model, inp, spec, columns, design)

    rng = np.random.default_rng(1)
    base = spec["params"]
    names = sorted(spec["distributions"])
    draw_fns = [(setter(k), sampler(spec["distributions"][k], rng)) for k in names]
    beta_hat = np.array(inp["coef_mid"], dtype=float)
    estimation = spec.get("estimation", True)
    L = np.linalg.cholesky(np.array(inp["cov_mid"], dtype=float)) if estimation else None
    k = len(beta_hat)
    cols = names + (["coef." + f for f in model.features] if estimation else [])
    n = model.n
    ev = Evaluator(model)
    deltas = np.empty((draws, n))
    values = np.empty((draws, len(cols)))
    start = time.perf_counter()
    for d in range(draws):
        p = copy_params(base)
        for j, (set_, draw) in enumerate(draw_fns):
            values[d, j] = draw()
            set_(p, values[d, j])
        beta = beta_hat
        if estimation:
            beta = beta_hat + L @ rng.standard_normal(k)
            values[d, len(names):] = beta
        b, a = ev.evaluate(p, beta)
        deltas[d] = a - b
    elapsed_draws = time.perf_counter() - start
    mins = deltas.min(axis=1)
    divisible = (mins < -tol).astype(float)
    mean = deltas.mean(axis=0)
    p05, p95 = np.quantile(deltas, [0.05, 0.95], axis=0)
    sens = [(c, spearman(values[:, j], divisible), spearman(values[:, j], mins)) for j, c in enumerate(cols)]
    elapsed = time.perf_counter() - start
    print(f"draws: {draws}, P(divisible) = {divisible.mean():.3f}, smallest change: mean {mins.mean():+.6g}")
    for c, v, m in sorted(sens, key=lambda s: (-abs(s[1]), -abs(s[2])))[:8]:
        print(f"  {c:24s} verdict {v:+.3f}  smallest change {m:+.3f}")
    worst = int(np.argmin(mean))
    print(f"  lowest mean change: {model.codes[worst]} {mean[worst]:+.6g} [{p05[worst]:+.6g}, {p95[worst]:+.6g}]")
    print(f"time: {elapsed:.2f} s ({elapsed_draws:.2f} s in the draws), {draws / elapsed:.0f} draws/s (numpy {np.__version__})")


if __name__ == "__main__":
    main()
