#!/usr/bin/python3
"""Trains airan's learned arrival predictor and exports it for the C++ inference.

Data: CSV dumps of `airan traffic` (flow,ue,class,direction,from_burst,arrival_ns,deadline_ns,bytes),
named DATA_DIR/<scenario>-seed<seed>.csv (scripts/train-predictor.sh writes them).

Model: per flow and step, a small MLP (tanh) reads the last 8 inter-arrival times divided by the
flow's running period estimate, log(period / 1 ms), the time since the last arrival over the
period and the share of recent gaps that look like a burst; it outputs the next inter-arrival
time over the period (mu) and the log of a Laplace scale (s). It is trained with PyTorch on the
Laplace negative log-likelihood |y - mu| e^-s + s (no hand-written gradients). The forecast
window is mu +- z e^s periods, with z calibrated on the validation dumps for a target coverage.

The feature definition is mirrored exactly in ai/src/learned_predictor_math.hpp.

The comparison baseline is the non-learned predictor documented in
ai/include/airan/ai/arrival_predictor.hpp: per flow an EWMA of the inter-arrival times (the
period) and an EWMA of their absolute deviation (the spread), here with the RFC 6298 constants
(alpha 1/8, beta 1/4) and spread = k x deviation, k = 4 (RFC 6298) and k calibrated like z.

Deterministic: one thread, fixed seeds. Needs python3-torch and python3-numpy (Debian).
"""
import argparse
import datetime
import json
import math
import os
import sys
import time

import numpy as np
import torch

HISTORY = 8
FEATURES = HISTORY + 3
FEATURE_PARAMS = {
    "gap_clip": 4.0,
    "elapsed_clip": 4.0,
    "burst_gap": 0.5,
    "period_alpha": 0.0625,
    "period_clip_low": 0.5,
    "period_clip_high": 2.0,
    "min_gaps": 2,
}
TARGET_CLIP = 8.0  # normalised next gaps above this (long silences) are clipped for training
BASELINE_ALPHA = 1.0 / 8.0
BASELINE_BETA = 1.0 / 4.0
BASELINE_K = 4.0
BURSTY_CLASSES = None  # a flow is "bursty" when its dump has burst packets (from_burst = 1)


def log(msg):
    print(msg, flush=True)


def read_dump(path):
    """flow -> dict(arrivals=np.int64 array, bursty=bool, cls=str)."""
    arrivals, bursty, classes = {}, {}, {}
    with open(path) as f:
        header = f.readline().strip().split(",")
        expected = ["flow", "ue", "class", "direction", "from_burst", "arrival_ns", "deadline_ns", "bytes"]
        if header != expected:
            sys.exit(f"{path}: header {header} is not {expected}")
        for line in f:
            cols = line.split(",")
            flow = int(cols[0])
            arrivals.setdefault(flow, []).append(int(cols[5]))
            if cols[4] == "1":
                bursty[flow] = True
            classes[flow] = cols[2]
    return {
        flow: {"arrivals": np.asarray(a, dtype=np.int64), "bursty": bursty.get(flow, False), "cls": classes[flow]}
        for flow, a in arrivals.items()
    }


def period_track(arrivals):
    """The period estimate after each arrival (C++ observe_arrival); gaps[i] = a[i+1] - a[i]."""
    p = FEATURE_PARAMS
    gaps = np.diff(arrivals).astype(np.float64)
    gaps = np.maximum(gaps, 0.0)
    periods = np.zeros(len(arrivals))
    period = 0.0
    alpha, low, high = p["period_alpha"], p["period_clip_low"], p["period_clip_high"]
    for i, gap in enumerate(gaps.tolist()):
        n = i + 1
        if n <= HISTORY:
            period += (gap - period) / n
        else:
            period += alpha * (min(max(gap, low * period), high * period) - period)
        if period < 1.0:
            period = 1.0
        periods[i + 1] = period
    return gaps, periods


def features_at(gaps, periods, idx, elapsed_ns):
    """Features at arrival idx (after observing it), elapsed_ns after it; vectorised over idx."""
    p = FEATURE_PARAMS
    n = len(idx)
    period = periods[idx]
    available = np.minimum(idx, HISTORY)  # gaps seen after arrival idx = idx
    feats = np.ones((n, FEATURES), dtype=np.float64)
    short = np.zeros(n)
    for k in range(HISTORY):
        has = k < available
        g = gaps[np.maximum(idx - 1 - k, 0)]
        value = np.clip(g / period, 0.0, p["gap_clip"])
        feats[:, k] = np.where(has, value, 1.0)
        short += np.where(has & (value < p["burst_gap"]), 1.0, 0.0)
    feats[:, HISTORY] = np.log(period / 1e6)
    feats[:, HISTORY + 1] = np.clip(elapsed_ns / period, 0.0, p["elapsed_clip"])
    feats[:, HISTORY + 2] = np.where(available > 0, short / np.maximum(available, 1), 0.0)
    return feats.astype(np.float32)


def flow_samples(flow, rng, max_samples, with_elapsed):
    """(features, normalised target, period, true gap ns, index) for one flow."""
    a = flow["arrivals"]
    if len(a) < FEATURE_PARAMS["min_gaps"] + 2:
        return None
    gaps, periods = period_track(a)
    # arrival idx has idx gaps behind it and a next arrival idx + 1
    idx = np.arange(FEATURE_PARAMS["min_gaps"], len(a) - 1)
    if max_samples and len(idx) > max_samples:
        idx = np.sort(rng.choice(idx, size=max_samples, replace=False))
    next_gap = gaps[idx].astype(np.float64)
    elapsed = np.zeros(len(idx))
    if with_elapsed:
        # Half the samples are queried later, before the next arrival: the network learns the
        # next arrival given that none has come yet.
        later = rng.random(len(idx)) < 0.5
        elapsed = np.where(later, np.floor(rng.random(len(idx)) * next_gap), 0.0)
    feats = features_at(gaps, periods, idx, elapsed)
    target = np.clip(next_gap / periods[idx], 0.0, TARGET_CLIP).astype(np.float32)
    return feats, target, periods[idx], next_gap, idx


def build_set(dumps, rng, max_samples, with_elapsed):
    xs, ys = [], []
    for dump in dumps:
        for flow in dump.values():
            s = flow_samples(flow, rng, max_samples, with_elapsed)
            if s is None:
                continue
            xs.append(s[0])
            ys.append(s[1])
    return np.concatenate(xs), np.concatenate(ys)


class Net(torch.nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.l1 = torch.nn.Linear(FEATURES, hidden)
        self.l2 = torch.nn.Linear(hidden, hidden)
        self.l3 = torch.nn.Linear(hidden, 2)

    def forward(self, x):
        return self.l3(torch.tanh(self.l2(torch.tanh(self.l1(x)))))


def laplace_nll(out, y):
    mu, s = out[:, 0], out[:, 1]
    return (torch.abs(y - mu) * torch.exp(-s) + s).mean()


def quantile_loss(out, y, q):
    """L1 for mu (the Laplace location) and the pinball loss at q for e^s on |y - mu|: e^s
    becomes the q-quantile of the error in each context, not one scale for all contexts."""
    mu, s = out[:, 0], out[:, 1]
    err = torch.abs(y - mu)
    diff = err.detach() - torch.exp(s)
    return err.mean() + torch.maximum(q * diff, (q - 1.0) * diff).mean()


def predict(model, mean, std, feats):
    with torch.no_grad():
        x = (torch.from_numpy(feats) - mean) / std
        return model(x).numpy().astype(np.float64)


def baseline_windows(arrivals):
    """RFC 6298-style EWMA period and mean absolute deviation after each arrival."""
    gaps = np.maximum(np.diff(arrivals).astype(np.float64), 0.0)
    period = np.zeros(len(arrivals))
    dev = np.zeros(len(arrivals))
    p = d = 0.0
    for i, gap in enumerate(gaps.tolist()):
        if i == 0:
            p, d = gap, gap / 2.0
        else:
            d += BASELINE_BETA * (abs(gap - p) - d)
            p += BASELINE_ALPHA * (gap - p)
        period[i + 1] = p
        dev[i + 1] = d
    return period, dev


def collect_eval(model, mean, std, dumps):
    """Per evaluated arrival: learned (mu, scale) and baseline (period, dev) windows, in ns."""
    rows = {"learned_err": [], "learned_scale": [], "base_err": [], "base_dev": [], "bursty": [], "cls": []}
    rng = np.random.default_rng(0)
    for dump in dumps:
        for flow in dump.values():
            s = flow_samples(flow, rng, 0, False)
            if s is None:
                continue
            feats, _, periods, next_gap, idx = s
            keep = idx >= HISTORY  # warm: both predictors have a full history
            if not keep.any():
                continue
            out = predict(model, mean, std, feats[keep])
            per = periods[keep]
            mu = np.maximum(out[:, 0], 0.0) * per
            rows["learned_err"].append(np.abs(next_gap[keep] - mu))
            rows["learned_scale"].append(np.exp(out[:, 1]) * per)
            bp, bd = baseline_windows(flow["arrivals"])
            rows["base_err"].append(np.abs(next_gap[keep] - bp[idx[keep]]))
            rows["base_dev"].append(bd[idx[keep]])
            rows["bursty"].append(np.full(keep.sum(), flow["bursty"]))
            rows["cls"].append(np.full(keep.sum(), flow["cls"]))
    return {k: np.concatenate(v) for k, v in rows.items()}


def forecast_trace(model, mean, std, z, arrivals, now_ns):
    """The forecast the C++ predictor gives after observing `arrivals` of one flow, at now_ns
    (ai/src/learned_predictor_math.hpp forecast_flow): (next_ns, spread_ns, period_ns)."""
    a = np.asarray(arrivals, dtype=np.int64)
    gaps, periods = period_track(a)
    idx = np.array([len(a) - 1])
    feats = features_at(gaps, periods, idx, np.array([float(now_ns - a[-1])]))
    out = predict(model, mean, std, feats)[0]
    period = float(periods[-1])
    gap = float(np.float32(out[0])) * period
    spread = z * math.exp(float(np.float32(out[1]))) * period
    nxt = float(a[-1]) + max(gap, 0.0)
    if nxt + spread < now_ns:
        nxt += math.ceil((now_ns - (nxt + spread)) / period) * period
    return int(round(nxt)), int(round(spread)), period


def reference_traces(model, mean, std, z, dump, count=6, length=60):
    """A few flows' first arrivals with the forecasts at three query times: the C++ test feeds
    them through observe()/forecast() and so checks the features and the window, not only the
    network."""
    traces = []
    flows = sorted(dump.keys())
    bursty = [f for f in flows if dump[f]["bursty"] and len(dump[f]["arrivals"]) > length]
    plain = [f for f in flows if not dump[f]["bursty"] and len(dump[f]["arrivals"]) > length]
    for f in (bursty[: count // 2] + plain[: count - count // 2]):
        arrivals = [int(v) for v in dump[f]["arrivals"][:length]]
        _, periods = period_track(np.asarray(arrivals, dtype=np.int64))
        period = float(periods[-1])
        queries = []
        for elapsed in (0.0, 0.4 * period, 5.0 * period):
            now = arrivals[-1] + int(elapsed)
            nxt, spread, _ = forecast_trace(model, mean, std, z, arrivals, now)
            queries.append({"now_ns": now, "next_ns": nxt, "spread_ns": spread})
        traces.append({"class": dump[f]["cls"], "bursty": bool(dump[f]["bursty"]), "period_ns": period,
                       "arrivals_ns": arrivals, "queries": queries})
    return traces


def calibrate(err, scale, target):
    ratio = err / np.maximum(scale, 1e-9)
    return float(np.quantile(ratio, target))


def metrics(ev, z, k, mask):
    def one(err, half):
        covered = err <= half
        return {"coverage": float(covered.mean()), "mean_width_us": float((2.0 * half).mean() / 1e3)}

    return {
        "arrivals": int(mask.sum()),
        "learned": one(ev["learned_err"][mask], z * ev["learned_scale"][mask]),
        "baseline_k4": one(ev["base_err"][mask], BASELINE_K * ev["base_dev"][mask]),
        "baseline_calibrated": one(ev["base_err"][mask], k * ev["base_dev"][mask]),
    }


def print_metrics(title, m):
    log(f"  {title}: {m['arrivals']} arrivals")
    for name in ("learned", "baseline_calibrated", "baseline_k4"):
        r = m[name]
        log(f"    {name:20s} coverage {r['coverage']:.4f}  mean window width {r['mean_width_us']:10.1f} us")


def parse_sets(text):
    out = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        scenario, seed = item.rsplit(":", 1)
        out.append((scenario, int(seed)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", required=True, help="directory of <scenario>-seed<seed>.csv dumps")
    ap.add_argument("--train", required=True, help="scenario:seed list, e.g. factory-10:1,factory-10:2")
    ap.add_argument("--validate", required=True, help="scenario:seed list (calibration of the window)")
    ap.add_argument("--test", required=True, help="held-out scenario:seed list (reported metrics)")
    ap.add_argument("--out", required=True, help="model JSON to write")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--samples-per-flow", type=int, default=1500)
    ap.add_argument("--coverage", type=float, default=0.95, help="target coverage of the window")
    ap.add_argument("--loss", choices=("laplace", "quantile"), default="laplace",
                    help="laplace: Laplace NLL; quantile: L1 + pinball loss of the window at --coverage")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dump-info", default="", help="how the dumps were made (recorded as provenance)")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(args.seed)
    started = time.time()

    def load(sets):
        return [read_dump(os.path.join(args.data_dir, f"{s}-seed{n}.csv")) for s, n in sets]

    train_sets, val_sets, test_sets = parse_sets(args.train), parse_sets(args.validate), parse_sets(args.test)
    x, y = build_set(load(train_sets), rng, args.samples_per_flow, True)
    log(f"training samples: {len(y)} from {train_sets}")
    mean = torch.from_numpy(x.mean(axis=0))
    std = torch.from_numpy(np.maximum(x.std(axis=0), 1e-3))
    xt = (torch.from_numpy(x) - mean) / std
    yt = torch.from_numpy(y)

    model = Net(args.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, args.epochs))
    loss_value = float("nan")
    for epoch in range(args.epochs):
        perm = torch.randperm(len(yt))
        total, batches = 0.0, 0
        for start in range(0, len(yt), args.batch):
            b = perm[start : start + args.batch]
            opt.zero_grad()
            out = model(xt[b])
            loss = laplace_nll(out, yt[b]) if args.loss == "laplace" else quantile_loss(out, yt[b], args.coverage)
            loss.backward()
            opt.step()
            total += float(loss)
            batches += 1
        sched.step()
        loss_value = total / max(1, batches)
        log(f"epoch {epoch + 1}/{args.epochs}: {args.loss} loss {loss_value:.4f}")

    model.eval()
    val_dumps = load(val_sets)
    val = collect_eval(model, mean, std, val_dumps)
    z = calibrate(val["learned_err"], val["learned_scale"], args.coverage)
    k = calibrate(val["base_err"], val["base_dev"], args.coverage)
    log(f"calibrated on validation for coverage {args.coverage}: learned z = {z:.3f}, baseline k = {k:.3f}")

    test = collect_eval(model, mean, std, load(test_sets))
    results = {
        "bursty_flows": metrics(test, z, k, test["bursty"]),
        "non_bursty_flows": metrics(test, z, k, ~test["bursty"]),
        "all_flows": metrics(test, z, k, np.ones(len(test["bursty"]), dtype=bool)),
        "per_class": {c: metrics(test, z, k, test["cls"] == c) for c in sorted(set(test["cls"].tolist()))},
    }
    log(f"held-out {test_sets} (window = next +- spread, arrivals with a full history):")
    print_metrics("bursty flows", results["bursty_flows"])
    print_metrics("non-bursty flows", results["non_bursty_flows"])
    print_metrics("all flows", results["all_flows"])
    for c, m in results["per_class"].items():
        print_metrics(f"class {c}", m)

    # Reference cases: raw feature vectors and the float32 outputs, for the C++ test.
    ref_rng = np.random.default_rng(args.seed + 1)
    ref_x = x[ref_rng.choice(len(x), size=8, replace=False)]
    ref_out = predict(model, mean, std, ref_x)

    def f32(t):
        return [float(v) for v in t.detach().numpy().astype(np.float32).ravel()]

    layers = []
    for lin, act in ((model.l1, "tanh"), (model.l2, "tanh"), (model.l3, "none")):
        w = lin.weight.detach().numpy().astype(np.float32)
        layers.append({"inputs": int(w.shape[1]), "outputs": int(w.shape[0]), "activation": act,
                       "weight": [[float(v) for v in row] for row in w], "bias": f32(lin.bias)})
    parameters = sum(p.numel() for p in model.parameters())
    doc = {
        "format": "airan-arrival-predictor/1",
        "features": dict(FEATURE_PARAMS, history=HISTORY),
        "input_mean": f32(mean),
        "input_std": f32(std),
        "layers": layers,
        "window": {"z": z, "min_spread_fraction": 0.0, "target_coverage": args.coverage},
        "reference": [{"features": [float(v) for v in ref_x[i]], "outputs": [float(v) for v in ref_out[i]]}
                      for i in range(len(ref_x))],
        "reference_traces": reference_traces(model, mean, std, z, val_dumps[0]),
        "provenance": {
            "trainer": "ai/training/train_arrival_predictor.py",
            "torch": torch.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
            "seed": args.seed,
            "epochs": args.epochs,
            "hidden": args.hidden,
            "batch": args.batch,
            "learning_rate": args.lr,
            "samples_per_flow": args.samples_per_flow,
            "training_samples": int(len(y)),
            "parameters": int(parameters),
            "loss": args.loss,
            "final_training_loss": loss_value,
            "train": [f"{s}:{n}" for s, n in train_sets],
            "validate": [f"{s}:{n}" for s, n in val_sets],
            "test": [f"{s}:{n}" for s, n in test_sets],
            "dumps": args.dump_info,
            "baseline": {"alpha": BASELINE_ALPHA, "beta": BASELINE_BETA, "k_rfc6298": BASELINE_K,
                         "k_calibrated": k},
            "held_out_metrics": results,
            "trained_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "training_seconds": round(time.time() - started, 1),
        },
    }
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    log(f"wrote {args.out}: {parameters} parameters")


if __name__ == "__main__":
    main()
