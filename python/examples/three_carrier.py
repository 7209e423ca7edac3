"""The three-carrier TD-LTE 3D-MIMO example from Python: 64 antennas (8 x 4 dual-polarised),
16 users, three aggregated 20 MHz carriers — the same chain and figures as
`cargo run --release --example three_carrier_3d_mimo` — and a plot of the per-stream SINR CDF
of each carrier.

    python python/examples/three_carrier.py [--carriers N] [--users N] [--out sinr_cdf.png]
"""

import argparse

import numpy as np

import massive_mimo as mm


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--carriers", type=int, default=3)
    ap.add_argument("--users", type=int, default=16)
    ap.add_argument("--nr", action="store_true", help="NR 100 MHz at 30 kHz instead of TD-LTE")
    ap.add_argument("--out", default="sinr_cdf.png", help="plot file (PNG); '' to skip")
    args = ap.parse_args()

    scenario = mm.Scenario(rat="nr" if args.nr else "lte", carriers=args.carriers, users=args.users)
    r = mm.simulate(scenario)
    print(f"massive-mimo {mm.__version__} ({mm.simd_backend()}): {scenario}")
    print(f"{'carrier':>8} {'MHz':>8} {'median SINR dB':>15} {'min SINR dB':>12} {'DL Mbit/s':>10} {'UL Mbit/s':>10}")
    for c in r["carriers"]:
        print(
            f"{c['carrier']:>8} {c['centre_hz'] / 1e6:>8.0f} {np.median(c['sinr_db']):>15.1f} "
            f"{np.min(c['sinr_db']):>12.1f} {c['total_throughput_mbps']:>10.1f} "
            f"{c['uplink_total_throughput_mbps']:>10.1f}"
        )
    print(
        f"total: {r['total_throughput_mbps']:.0f} Mbit/s downlink, "
        f"{r['uplink_total_throughput_mbps']:.0f} Mbit/s uplink "
        f"(reference deployment: 700 Mbit/s per carrier, 2100 over three)"
    )
    if args.out:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4))
        for c in r["carriers"]:
            s = np.sort(c["sinr_db"])
            ax.step(s, np.arange(1, len(s) + 1) / len(s), where="post", label=f"{c['centre_hz'] / 1e6:.0f} MHz")
        ax.set_xlabel("per-stream downlink SINR (dB)")
        ax.set_ylabel("CDF")
        ax.grid(True, alpha=0.3)
        ax.legend()
        ax.set_title(f"{args.users} users, {len(r['carriers'])} carrier(s), 64 antennas")
        fig.tight_layout()
        fig.savefig(args.out, dpi=120)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
