"""The library's RZF weights and MMSE filters against a few lines of NumPy on the same data:
results equal to tolerance, times side by side (one run, this machine; NumPy uses its BLAS).

    python python/examples/compare_numpy.py [--prbs 273] [--antennas 64] [--layers 16]
"""

import argparse
import time

import numpy as np

import massive_mimo as mm


def best_of(f, n=5):
    t = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        out = f()
        t = min(t, time.perf_counter() - t0)
    return out, t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prbs", type=int, default=273)
    ap.add_argument("--antennas", type=int, default=64)
    ap.add_argument("--layers", type=int, default=16)
    a = ap.parse_args()
    rng = np.random.default_rng(1)
    b, n, k = a.prbs, a.antennas, a.layers
    h = ((rng.standard_normal((b, k, n)) + 1j * rng.standard_normal((b, k, n))) / np.sqrt(2)).astype(np.complex64)
    alpha, nv = 0.1, np.full(b, 0.1, np.float32)

    def np_rzf():
        hH = np.conj(np.swapaxes(h, 1, 2))
        w = hH @ np.linalg.solve(h @ hH + alpha * np.eye(k, dtype=np.complex64), np.broadcast_to(np.eye(k, dtype=np.complex64), (b, k, k)))
        return w * (np.sqrt(k) / np.linalg.norm(w, axis=(1, 2), keepdims=True))

    def np_mmse():
        hu = np.swapaxes(h, 1, 2)  # [b, n_rx, n_l]
        hH = np.conj(h)  # [b, n_l, n_rx]
        return np.linalg.solve(hH @ hu + nv[:, None, None] * np.eye(k, dtype=np.complex64), hH)

    w_lib, t_lib = best_of(lambda: mm.rzf_weights(h, alpha, "total"))
    w_np, t_np = best_of(np_rzf)
    f_lib, tf_lib = best_of(lambda: mm.mimo_filters(h, nv, "mmse")[0])
    f_np, tf_np = best_of(np_mmse)
    err_w = np.max(np.abs(w_lib - w_np)) / np.max(np.abs(w_np))
    err_f = np.max(np.abs(f_lib - f_np)) / np.max(np.abs(f_np))
    print(f"{b} matrices of {k} x {n}, backend {mm.simd_backend()}")
    print(f"RZF weights:  library {t_lib * 1e3:7.2f} ms, NumPy {t_np * 1e3:7.2f} ms  (x{t_np / t_lib:.1f}), max rel. diff {err_w:.1e}")
    print(f"MMSE filters: library {tf_lib * 1e3:7.2f} ms, NumPy {tf_np * 1e3:7.2f} ms  (x{tf_np / tf_lib:.1f}), max rel. diff {err_f:.1e}")
    assert err_w < 1e-3 and err_f < 1e-3, "library and NumPy disagree"


if __name__ == "__main__":
    main()
