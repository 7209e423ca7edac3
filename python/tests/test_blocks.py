"""Every exposed block against a NumPy formula (or brute force) at fixed seeds."""

import itertools

import numpy as np
import pytest

import massive_mimo as mm
from conftest import crandn

# complex64 arithmetic in different orders: relative error of a few ulps times the condition.
RTOL = 2e-4


def rel_err(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


def test_version_and_backend():
    assert mm.__version__ == mm.version()
    assert mm.simd_backend() in {"scalar", "avx2", "avx512", "neon"}


@pytest.mark.parametrize("qm", [1, 2, 4, 6, 8])
def test_qam_map_matches_38211(qm, rng):
    bits = rng.integers(0, 2, size=qm * 500, dtype=np.uint8)
    got = mm.qam_map(bits, qm)
    b = bits.reshape(-1, qm).astype(np.float64)
    s = 1 - 2 * b  # bit 0 -> +1
    if qm == 1:
        want = (s[:, 0] + 1j * s[:, 0]) / np.sqrt(2)
    else:
        # 38.211 §5.1: nested Gray PAM per axis, even bits on I, odd bits on Q.
        half = qm // 2
        def axis(sb):
            v = sb[:, -1].copy()
            for k in range(half - 2, -1, -1):
                v = sb[:, k] * (2 ** (half - 1 - k) - v)
            return v
        i, q = axis(s[:, 0::2]), axis(s[:, 1::2])
        norm = np.sqrt(2 * (4 ** half - 1) / 3)
        want = (i + 1j * q) / norm
    np.testing.assert_allclose(got, want, atol=1e-6)
    assert abs(np.mean(np.abs(got) ** 2) - 1) < 0.1


@pytest.mark.parametrize("qm", [2, 4, 6])
@pytest.mark.parametrize("exact", [False, True])
def test_qam_demap_against_brute_force(qm, exact, rng):
    patterns = np.array(list(itertools.product([0, 1], repeat=qm)), dtype=np.uint8)
    points = mm.qam_map(patterns.reshape(-1), qm)
    y = (points[rng.integers(0, len(points), 64)] + 0.3 * crandn(rng, 64)).astype(np.complex64)
    nv = rng.uniform(0.05, 0.5, 64).astype(np.float32)
    got = mm.qam_demap(y, nv, qm, exact=exact).reshape(-1, qm)
    d = np.abs(y[:, None] - points[None, :]) ** 2 / nv[:, None]
    for k in range(qm):
        zero, one = patterns[:, k] == 0, patterns[:, k] == 1
        if exact:
            want = np.log(np.exp(-d[:, zero]).sum(1)) - np.log(np.exp(-d[:, one]).sum(1))
        else:
            want = d[:, one].min(1) - d[:, zero].min(1)
        np.testing.assert_allclose(got[:, k], want, rtol=1e-3, atol=1e-3)


def test_gold_matches_38211_lfsr():
    c_init, n = 0x1234567, 300
    nc = 1600
    x1 = np.zeros(nc + n + 31, dtype=np.uint8)
    x2 = np.zeros(nc + n + 31, dtype=np.uint8)
    x1[0] = 1
    x2[:31] = [(c_init >> i) & 1 for i in range(31)]
    for i in range(nc + n):
        x1[i + 31] = (x1[i + 3] + x1[i]) % 2
        x2[i + 31] = (x2[i + 3] + x2[i + 2] + x2[i + 1] + x2[i]) % 2
    want = (x1[nc:nc + n] + x2[nc:nc + n]) % 2
    np.testing.assert_array_equal(mm.gold(c_init, n), want)


def test_steering_vector_formula():
    rows, cols, th, ph = 4, 8, 100.0, 30.0
    got = mm.steering_vector(rows, cols, th, ph, spacing_v=0.8, spacing_h=0.5)
    t, p = np.radians(th), np.radians(ph)
    r = np.array([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)])
    m, n = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    pos = np.stack([np.zeros_like(m), n * 0.5, m * 0.8], -1).reshape(-1, 3).astype(float)
    want = np.exp(2j * np.pi * pos @ r)
    np.testing.assert_allclose(got, want, atol=1e-5)


@pytest.mark.parametrize("norm", ["total", "column"])
def test_rzf_weights_match_numpy(norm, rng):
    b, k, n, alpha = 7, 6, 32, 0.3
    h = crandn(rng, b, k, n)
    got = mm.rzf_weights(h, alpha, norm)
    hh = h.astype(np.complex128)
    w = np.conj(np.swapaxes(hh, 1, 2)) @ np.linalg.inv(hh @ np.conj(np.swapaxes(hh, 1, 2)) + alpha * np.eye(k))
    if norm == "total":
        w *= np.sqrt(k) / np.linalg.norm(w, axis=(1, 2), keepdims=True)
    else:
        w /= np.linalg.norm(w, axis=1, keepdims=True)
    assert got.shape == (b, n, k) and got.dtype == np.complex64
    assert rel_err(got, w) < RTOL


@pytest.mark.parametrize("method,unbiased", [("mmse", False), ("mmse", True), ("zf", False)])
def test_mimo_filters_match_numpy(method, unbiased, rng):
    g, r, l = 5, 16, 4
    h = crandn(rng, g, l, r)  # the library's [group, layer, antenna]
    nv = rng.uniform(0.05, 0.3, g).astype(np.float32)
    f, noise = mm.mimo_filters(h, nv, method=method, unbiased=unbiased)
    hh = np.swapaxes(h, 1, 2).astype(np.complex128)  # H: n_rx × n_l per group
    hH = np.conj(np.swapaxes(hh, 1, 2))
    gram = hH @ hh
    if method == "zf":
        want = np.linalg.inv(gram) @ hH
    else:
        a = np.linalg.inv(gram + nv[:, None, None] * np.eye(l))
        want = a @ hH
        if unbiased:
            gain = np.real(np.einsum("gll->gl", a @ gram))
            want = want / gain[:, :, None]
    assert f.shape == (g, l, r) and noise.shape == (g, l)
    assert rel_err(f, want) < RTOL
    assert np.all(noise > 0)


def test_bfp_round_trip_and_bound(rng):
    iq = rng.integers(-32768, 32768, size=(50, 12, 2), dtype=np.int16)
    for w in (9, 14, 16):
        p = mm.bfp_compress(iq, w)
        assert p.shape == (50 * (1 + 3 * w),)
        back = mm.bfp_decompress(p, w)
        d = iq.astype(np.int32) - back
        e = (p[:: 1 + 3 * w] & 0x0F).astype(np.int32)
        assert np.all(d >= 0) and np.all(d < (1 << e)[:, None, None])


def test_tbs():
    # 36.213 Table 7.1.7.2.1-1: I_TBS 26, 100 PRBs → 75376 bits.
    assert mm.lte_tbs(26, 100) == 75376
    # 38.214 example as in the Rust tests: 273 PRBs, 256QAM R = 948/1024, 4 layers, 144 REs.
    assert mm.nr_tbs(8, 948 / 1024, 4, 273, 144) > 1_000_000


def test_slots_reproduce_layers_over_a_known_channel(rng):
    n_ant, k, n_prb = 16, 4, 12
    n_sc = 12 * n_prb
    h = crandn(rng, n_ant, k)
    srs = mm.srs_pilots(4, n_prb, 13, k)
    dl = mm.DownlinkSlot(n_ant, k, n_prb, srs, precoder="zf")
    dl.sound(np.einsum("au,ulk->alk", h, srs).astype(np.complex64), noise_var=1e-4)
    dl.compute_weights([0, 1, 2, 3], 1e-4)
    w = dl.weights()
    assert w.shape == (n_prb // 2, n_ant, k)
    # ZF through the estimated channel: H·W is diagonal (each user hears only its stream).
    hw = h.T @ w[0]
    off = hw - np.diag(np.diag(hw))
    assert np.max(np.abs(off)) < 0.05 * np.min(np.abs(np.diag(hw)))

    dmrs = mm.dmrs_pilots(2, k, 2, n_prb, double_symbol=True)
    bits = rng.integers(0, 2, size=k * 14 * n_sc * 2, dtype=np.uint8)
    x = mm.qam_map(bits, 2).reshape(k, 14, n_sc)
    x[:, 2:4, :] = dmrs[:, 2:4, :]
    ul = mm.UplinkSlot(n_ant, dmrs)
    ul.set_grid(np.ascontiguousarray(np.einsum("au,ulk->alk", h, x).astype(np.complex64)))
    layers = ul.detect("mmse", unbiased=True, noise_var=1e-5)
    data = [l for l in range(14) if l not in (2, 3)]
    assert np.max(np.abs(layers[:, data] - x[:, data])) < 1e-2
    llr = ul.llrs(2, 1, 5)
    np.testing.assert_array_equal((llr < 0).astype(np.uint8), bits.reshape(k, 14, n_sc * 2)[1, 5])
    # Sub-PRB filters (one per 3 subcarriers) on the same flat channel: the same symbols; IRC
    # is per PRB and refused there, by name.
    sub = mm.UplinkSlot(n_ant, dmrs, filter_subcarriers=3)
    sub.set_grid(np.ascontiguousarray(np.einsum("au,ulk->alk", h, x).astype(np.complex64)))
    layers = sub.detect("mmse", unbiased=True, noise_var=1e-5)
    assert np.max(np.abs(layers[:, data] - x[:, data])) < 1e-2
    with pytest.raises(ValueError, match="method"):
        sub.detect("irc")
    with pytest.raises(ValueError, match="subcarriers"):
        mm.UplinkSlot(n_ant, dmrs, filter_subcarriers=5)
