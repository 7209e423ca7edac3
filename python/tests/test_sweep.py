"""The parameter sweep on a local Dask cluster returns the serial loop's numbers."""

import pytest

import massive_mimo as mm

distributed = pytest.importorskip("dask.distributed")

POINTS = [
    {"rat": "lte", "carriers": 1, "users": u, "channel": ch, "dl_snr_db": snr, "seed": 7, "threads": 1}
    for u in (2, 4)
    for ch in ("rayleigh",)
    for snr in (15.0, 25.0)
]


def test_dask_sweep_equals_serial():
    serial = mm.sweep(POINTS)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            parallel = mm.sweep(POINTS, client=client)
    assert [p["total_throughput_mbps"] for p in parallel] == [p["total_throughput_mbps"] for p in serial]
    assert [p["median_sinr_db"] for p in parallel] == [p["median_sinr_db"] for p in serial]
    # more SNR, more throughput, for each user count
    by = {(p["users"], p["dl_snr_db"]): p["total_throughput_mbps"] for p in serial}
    assert by[(2, 25.0)] >= by[(2, 15.0)] and by[(4, 25.0)] >= by[(4, 15.0)]


def test_scenario_dataclass_and_dict_agree():
    a = mm.simulate(mm.Scenario(carriers=1, users=2, channel="rayleigh", seed=3))
    b = mm.simulate({"carriers": 1, "users": 2, "channel": "rayleigh", "seed": 3})
    assert a["total_throughput_mbps"] == b["total_throughput_mbps"]
    c = a["carriers"][0]
    assert c["sinr_db"].shape == (2,) and c["mcs"].dtype.kind == "i"
