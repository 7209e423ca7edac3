#!/usr/bin/env python3
"""NumPy/OpenBLAS baseline of the heaviest blocks, at `mimo bench`'s NR 100 MHz sizes.

One BLAS thread (set before NumPy loads), batched operations — what a researcher would write:

* precoder application: Y = W @ X per PRG of 2 PRBs, 64 antennas x 16 layers x 14 symbols;
* per-PRB MMSE detection: G = H^H H + s2 I, F = solve(G, H^H), X = F @ Y per PRB, on the
  slot's 12 data symbols (the 2 DMRS symbols are the estimator's, as in `mimo bench`);
* RZF weights per PRB: W = H^H solve(H H^H + a I, I), columns normalised;
* 256QAM max-log LLRs of 16 layers on the 12 data symbols (per axis, min over the 16 levels).

Usage:
    python3 perf/numpy_baseline.py                 # the NumPy table
    python3 perf/numpy_baseline.py --json          # one JSON object
    python3 perf/numpy_baseline.py --mimo target/release/mimo
        # also runs `mimo bench --json` right after (same machine, same run) and prints the
        # library's time for each block beside NumPy's, with the ratio.
"""

import os

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

N_ANT, N_LAYERS, N_PRB, N_SYM = 64, 16, 273, 14
# The uplink blocks (detection, demapping) work on the data symbols only, as `mimo bench`'s
# rows do (its fixture's DMRS fills symbols 2 and 3); the downlink precodes all 14.
N_DATA_SYM = 12
RES_PER_PRB = 12 * N_SYM
DATA_RES_PER_PRB = 12 * N_DATA_SYM


def best_time(fn, budget_s):
    """The fastest of repeated calls within `budget_s` (at least three)."""
    fn()
    best, start, n = float("inf"), time.perf_counter(), 0
    while n < 3 or time.perf_counter() - start < budget_s:
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
        n += 1
    return best


def crandn(rng, *shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)


def blocks(budget_s):
    rng = np.random.default_rng(1)
    out = {}
    # Precoder application, PRG = 2 PRBs: W (n_prg, 64, 16) @ X (n_prg, 16, 14*24).
    n_prg = (N_PRB + 1) // 2
    w = crandn(rng, n_prg, N_ANT, N_LAYERS)
    x = crandn(rng, n_prg, N_LAYERS, 2 * RES_PER_PRB)
    out["precoder_apply"] = best_time(lambda: w @ x, budget_s)
    # Per-PRB MMSE: H (273, 64, 16), Y (273, 64, 144): the 12 data symbols.
    h = crandn(rng, N_PRB, N_ANT, N_LAYERS)
    y = crandn(rng, N_PRB, N_ANT, DATA_RES_PER_PRB)
    eye = np.eye(N_LAYERS, dtype=np.complex64)

    def mmse():
        hh = np.conj(np.transpose(h, (0, 2, 1)))
        g = hh @ h + 0.05 * eye
        f = np.linalg.solve(g, hh)
        return f @ y

    out["mmse_detection"] = best_time(mmse, budget_s)
    # RZF weights per PRB: H (273, 16, 64).
    hd = crandn(rng, N_PRB, N_LAYERS, N_ANT)

    def rzf():
        hh = np.conj(np.transpose(hd, (0, 2, 1)))
        g = hd @ hh + 0.01 * eye
        wt = hh @ np.linalg.inv(g)
        return wt / np.linalg.norm(wt, axis=1, keepdims=True)

    out["precoder_weights"] = best_time(rzf, budget_s)
    # 256QAM max-log LLRs, per axis: d = (y - a_j)^2, L_k = min_{b_k=1} d - min_{b_k=0} d.
    n = N_LAYERS * 12 * N_PRB * N_DATA_SYM
    sym = crandn(rng, n) * np.float32(0.7)
    nv = np.full(n, 0.05, dtype=np.float32)
    m = 4
    labels = np.arange(1 << m)
    bits = (labels[:, None] >> (m - 1 - np.arange(m))[None, :]) & 1
    level = np.ones(1 << m)
    for k in range(m - 1, 0, -1):
        level = (1 << (m - k)) - (1 - 2 * bits[:, k]) * level
    level = (level * (1 - 2 * bits[:, 0]) / np.sqrt(170.0)).astype(np.float32)
    masks = [bits[:, k] == 1 for k in range(m)]

    def demap():
        llr = np.empty((n, 2 * m), dtype=np.float32)
        inv = 1.0 / nv
        for axis, v in enumerate((sym.real, sym.imag)):
            d = (v[:, None] - level[None, :]) ** 2
            for k in range(m):
                llr[:, 2 * k + axis] = (d[:, masks[k]].min(axis=1) - d[:, ~masks[k]].min(axis=1)) * inv
        return llr

    out["qam_demap_256qam"] = best_time(demap, budget_s)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--budget", type=float, default=1.0, help="seconds of repetitions per block")
    ap.add_argument("--mimo", help="path of the mimo binary: run `mimo bench --json` and compare")
    args = ap.parse_args()
    numpy_s = blocks(args.budget)
    lib = {}
    if args.mimo:
        r = json.loads(subprocess.run([args.mimo, "bench", "--json"], check=True, capture_output=True, text=True).stdout)
        for k in r["kernels"]:
            carrier, name = k["name"].split("/", 1)
            if carrier.startswith("nr-100mhz"):
                lib[name] = k["seconds"]
        lib["_peak"] = r["peak_gflops"]
    rows = [
        {
            "block": name,
            "numpy_seconds": s,
            "library_seconds": lib.get(name),
            "library_speedup": (s / lib[name]) if name in lib else None,
        }
        for name, s in numpy_s.items()
    ]
    result = {"numpy": np.__version__, "blas_threads": 1, "case": "NR 100 MHz, 273 PRB, 64 x 16, 14 symbols (detection and LLRs: the 12 data symbols)", "blocks": rows}
    if "_peak" in lib:
        result["library_peak_gflops"] = lib["_peak"]
    if args.json:
        print(json.dumps(result))
        return
    print(f"NumPy {np.__version__}, one BLAS thread, {result['case']}")
    print(f"{'block':<20} {'NumPy ms':>10} {'library ms':>11} {'library speed-up':>17}")
    for r in rows:
        lib_ms = f"{r['library_seconds'] * 1e3:.2f}" if r["library_seconds"] else "-"
        up = f"x{r['library_speedup']:.1f}" if r["library_speedup"] else "-"
        print(f"{r['block']:<20} {r['numpy_seconds'] * 1e3:>10.2f} {lib_ms:>11} {up:>17}")


if __name__ == "__main__":
    main()
