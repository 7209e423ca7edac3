"""The Python functions on the independent reference vectors of ../shared/vectors."""

import numpy as np
import pytest

import massive_mimo as mm
from conftest import SHARED

tomllib = pytest.importorskip("tomllib")


def cases(name, kernel):
    d = SHARED / name
    if not d.is_dir():
        pytest.skip(f"{d} not present")
    m = tomllib.loads((d / "manifest.toml").read_text())
    return [(d, c) for c in m["case"] if c["kernel"] == kernel]


def test_bfp_vectors():
    n = 0
    for d, c in cases("fronthaul_bfp", "bfp_compress"):
        iq = np.load(d / c["inputs"]["iq"])
        want = np.load(d / c["expected"]["payload"])
        np.testing.assert_array_equal(mm.bfp_compress(iq, c["params"]["iq_width"]), want)
        n += 1
    for d, c in cases("fronthaul_bfp", "bfp_decompress"):
        p = np.load(d / c["inputs"]["payload"])
        want = np.load(d / c["expected"]["iq"])
        np.testing.assert_array_equal(mm.bfp_decompress(p, c["params"]["iq_width"]), want)
        n += 1
    assert n == 46


def test_precoder_rzf_vectors():
    found = cases("precoder", "precoder_rzf")
    assert found
    for d, c in found:
        h = np.load(d / c["inputs"]["h"])
        want = np.load(d / c["expected"]["w"])
        got = mm.rzf_weights(h, c["params"]["alpha"], c["params"]["normalization"])
        nmse = 10 * np.log10(np.sum(np.abs(got - want) ** 2) / np.sum(np.abs(want) ** 2))
        assert nmse <= c["tolerance"]["nmse_db"], (c["name"], nmse)


def test_qam_map_vectors():
    qm = {"BPSK": 1, "QPSK": 2, "16QAM": 4, "64QAM": 6, "256QAM": 8, "1024QAM": 10}
    found = cases("qam_map", "qam_map")
    assert found
    for d, c in found:
        bits = np.load(d / c["inputs"]["bits"])
        want = np.load(d / c["expected"]["symbols"])
        got = mm.qam_map(bits, qm[c["params"]["modulation"]])
        assert np.max(np.abs(got - want)) <= c["tolerance"].get("abs", 1e-6) + 1e-7
