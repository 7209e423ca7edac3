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


def test_uma_drops_carry_their_link_budget():
    # 38.901 UMa, one LTE carrier, 8 users: the sector drop (Table 7.2-1: 35–289 m, 80 %
    # indoors) against the field-test placement (outdoors at 80–140 m) at the same seed.
    sector = mm.simulate({"carriers": 1, "users": 8, "channel": "uma", "seed": 5})
    field = mm.simulate({"carriers": 1, "users": 8, "channel": "uma", "placement": "field_test", "seed": 5})
    cl_s, cl_f = sector["coupling_loss_db"], field["coupling_loss_db"]
    assert cl_s.shape == (8,) and cl_f.shape == (8,)
    # UMa path loss at 2.6 GHz: ≥ 28 + 22·log10(35) + 20·log10(2.6) − 4σ of shadowing (70 dB
    # floor) and below 200 dB; the field test's users are closer and outdoors.
    assert (cl_s > 50).all() and (cl_s < 200).all() and (cl_f > 50).all()
    assert sorted(cl_f)[4] < sorted(cl_s)[4]
    # Interference is counted in the sector drop, not in the field test.
    assert (sector["dl_inr_db"] > -300).all()
    assert (field["dl_inr_db"] == float("-inf")).all()
    c = sector["carriers"][0]
    assert ((c["bler"] >= 0) & (c["bler"] <= 1)).all()
    # The neighbours' uplink users: off by default; on, a rise over thermal that costs uplink
    # throughput (same drop: same links, same seed).
    assert sector["ul_iot_db"] == 0.0
    loud = mm.simulate({"carriers": 1, "users": 8, "channel": "uma", "seed": 5, "ul_interference": True})
    assert loud["ul_iot_db"] > 0.0
    assert (loud["coupling_loss_db"] == cl_s).all()
    assert loud["uplink_total_throughput_mbps"] <= sector["uplink_total_throughput_mbps"]
    with pytest.raises(ValueError, match="placement"):
        mm.simulate({"carriers": 1, "users": 2, "channel": "uma", "placement": "rooftop"})
    with pytest.raises(ValueError, match="chains"):
        mm.simulate({"carriers": 1, "users": 2, "chains": "perfect"})
