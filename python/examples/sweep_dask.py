"""A parameter sweep (users x array size x channel x SNR, several drops each) of the simulated
cell on Dask: a LocalCluster by default, or a running cluster with --scheduler ADDRESS.

    python python/examples/sweep_dask.py [--scheduler tcp://host:8786] [--drops 4] [--quick]
"""

import argparse
import itertools
import time

from dask.distributed import Client, LocalCluster

import massive_mimo as mm


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster workers (no --scheduler)")
    ap.add_argument("--drops", type=int, default=4, help="independent drops (seeds) per point")
    ap.add_argument("--quick", action="store_true", help="a small grid (CI)")
    a = ap.parse_args()
    users = [4, 8] if a.quick else [4, 8, 16]
    arrays = ["4x2", "8x4"] if a.quick else ["4x2", "4x4", "8x4"]
    channels = ["rayleigh"] if a.quick else ["rayleigh", "eva", "cluster"]
    snrs = [10.0, 25.0]
    points = [
        {"rat": "lte", "carriers": 1, "users": u, "array": arr, "channel": ch, "dl_snr_db": snr, "seed": s, "threads": 1}
        for u, arr, ch, snr, s in itertools.product(users, arrays, channels, snrs, range(a.drops))
    ]
    if a.scheduler:
        client = Client(a.scheduler)
    else:
        client = Client(LocalCluster(n_workers=a.workers, threads_per_worker=1, dashboard_address=None))
    with client:
        n_workers = len(client.scheduler_info().get("workers", {}))
        t0 = time.perf_counter()
        results = mm.sweep(points, client=client)
        dt = time.perf_counter() - t0
    print(f"{len(points)} drops on {n_workers} Dask workers in {dt:.1f} s")
    print(f"{'users':>5} {'array':>5} {'channel':>9} {'SNR dB':>6} {'mean DL Mbit/s':>15} {'median SINR dB':>15}")
    keyf = lambda p: (p["users"], p["array"], p["channel"], p["dl_snr_db"])
    for key, group in itertools.groupby(sorted(results, key=keyf), key=keyf):
        g = list(group)
        mean = sum(p["total_throughput_mbps"] for p in g) / len(g)
        med = sorted(p["median_sinr_db"] for p in g)[len(g) // 2]
        print(f"{key[0]:>5} {key[1]:>5} {key[2]:>9} {key[3]:>6.0f} {mean:>15.1f} {med:>15.1f}")


if __name__ == "__main__":
    main()
