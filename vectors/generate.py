#!/usr/bin/env python3
"""Generates the project's reference vectors (format of ../shared/VECTORS.md, version 1).

Independent of the Rust code: every expected array is computed here from the 3GPP formulas,
in float64 with NumPy, then stored as float32 / complex64 (bits as uint8, TBS as int64).

    pip install numpy        # the only dependency
    python3 vectors/generate.py   # rewrites vectors/<set>/ (deterministic: fixed seeds)

Sets and what they check beyond ../shared/vectors:
  gold       c_init / lengths not in the shared set, lengths around multiples of 32
  qam_map    every modulation incl. pi/2-BPSK (38.211 5.1.1), which the shared set lacks
  qam_demap  both methods, per-symbol noise variances spread over 30 dB
  low_papr   M_ZC = 30 (5.2.2.2 formula) and more lengths >= 36, v = 1 where allowed
  ofdm       NR 15/30/60 kHz at other slots (long-CP placement), LTE, windows 0, 0.3, 1
  tbs_nr     small (table) and large (formula) N_info, R <= 1/4 branch, x_overhead
  dmrs       PDSCH DMRS grids, types 1/2, single/double, OCC, n_SCID, Rel-16 c_init, CRB offsets
             (port 1000 cross-checked with py3gpp's nrPDSCHDMRS when it is installed)
  equalizer_irc   MMSE-IRC with R = nv*I + U U^H, biased/unbiased, 64x16 with 8 interferers ... 4x2
  precoder_apply  per-PRB y = W x, 64x16 ... 4x4, RE counts 168 ... 7
  chest      DMRS type 1/2, double symbol, SRS-like cyclic shifts on a comb; multipath with an
             exponential delay profile and per-tap Doppler; tolerance = LS + linear + 1 dB
"""
import math
import os
import shutil

import numpy as np

ROOT = os.path.dirname(os.path.abspath(__file__))


class Set:
    def __init__(self, name):
        self.dir = os.path.join(ROOT, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.lines = ["format = 1", ""]

    def case(self, name, kernel, params, inputs, expected, tolerance):
        files = {}
        for kind, arrays in (("inputs", inputs), ("expected", expected)):
            files[kind] = {}
            for key, arr in arrays.items():
                # An input named like an output (equalize's noise_var) gets its own file.
                clash = kind == "inputs" and key in expected
                fname = f"{name}.in.{key}.npy" if clash else f"{name}.{key}.npy"
                np.save(os.path.join(self.dir, fname), arr)
                files[kind][key] = fname

        def table(d):
            def val(v):
                if isinstance(v, bool):
                    return "true" if v else "false"
                if isinstance(v, str):
                    return f'"{v}"'
                if isinstance(v, float):
                    return repr(float(v))
                return str(int(v))
            return "{ " + ", ".join(f"{k} = {val(v)}" for k, v in d.items()) + " }" if d else "{}"

        self.lines += [
            "[[case]]",
            f'name = "{name}"',
            f'kernel = "{kernel}"',
            f"params = {table(params)}",
            f"inputs = {table(files['inputs'])}",
            f"expected = {table(files['expected'])}",
            f"tolerance = {table(tolerance)}",
            "",
        ]

    def close(self):
        with open(os.path.join(self.dir, "manifest.toml"), "w") as f:
            f.write("\n".join(self.lines))


# ---------------------------------------------------------------- 38.211 5.2.1 Gold sequence
def gold(c_init, length):
    nc = 1600
    total = length + nc + 31
    x1 = np.zeros(total, np.uint8)
    x2 = np.zeros(total, np.uint8)
    x1[0] = 1
    for i in range(31):
        x2[i] = (c_init >> i) & 1
    for n in range(total - 31):
        x1[n + 31] = x1[n + 3] ^ x1[n]
        x2[n + 31] = x2[n + 3] ^ x2[n + 2] ^ x2[n + 1] ^ x2[n]
    return (x1[nc:nc + length] ^ x2[nc:nc + length]).astype(np.uint8)


# ---------------------------------------------------------------- 38.211 5.1 modulation
QM = {"BPSK": 1, "pi/2-BPSK": 1, "QPSK": 2, "16QAM": 4, "64QAM": 6, "256QAM": 8, "1024QAM": 10}


def modulate(mod, bits):
    b = bits.astype(np.float64)
    if mod in ("BPSK", "pi/2-BPSK"):
        s = (1 - 2 * b) * (1 + 1j) / math.sqrt(2)
        if mod == "pi/2-BPSK":
            s = s * np.exp(1j * math.pi / 2 * (np.arange(len(b)) % 2))
        return s
    qm = QM[mod]
    b = b.reshape(-1, qm)
    m = qm // 2

    def axis(cols):  # cols: bits b0, b2, ... (or b1, b3, ...) as in 5.1.4-5.1.7
        v = 1 - 2 * cols[:, m - 1]
        for k in range(m - 2, -1, -1):
            v = (1 - 2 * cols[:, k]) * (2 ** (m - 1 - k) - v)
        return v

    norm = math.sqrt(2 * (4 ** m - 1) / 3)
    return (axis(b[:, 0::2]) + 1j * axis(b[:, 1::2])) / norm


def constellation(mod):
    qm = QM[mod]
    idx = np.arange(2 ** qm)
    bits = ((idx[:, None] >> (qm - 1 - np.arange(qm))[None, :]) & 1).astype(np.uint8)
    return modulate(mod if mod != "pi/2-BPSK" else "BPSK", bits.reshape(-1)), bits


def demap(mod, method, y, nv):
    pts, bits = constellation(mod)
    out = np.zeros((len(y), QM[mod]))
    for i, (yy, v) in enumerate(zip(y, nv)):
        if mod == "pi/2-BPSK" and i % 2 == 1:
            yy = yy * np.exp(-1j * math.pi / 2)
        d = np.abs(yy - pts) ** 2 / v
        for k in range(QM[mod]):
            d0, d1 = d[bits[:, k] == 0], d[bits[:, k] == 1]
            if method == "maxlog":
                out[i, k] = d1.min() - d0.min()
            else:
                l0 = -d0.min() + math.log(np.exp(-(d0 - d0.min())).sum())
                l1 = -d1.min() + math.log(np.exp(-(d1 - d1.min())).sum())
                out[i, k] = l0 - l1
    return out.reshape(-1)


# ---------------------------------------------------------------- 38.211 5.2.2 low-PAPR type 1
def largest_prime_below(m):
    for n in range(m - 1, 1, -1):
        if all(n % d for d in range(2, int(n ** 0.5) + 1)):
            return n


def low_papr(u, v, alpha, m_zc):
    n = np.arange(m_zc)
    if m_zc == 30:
        base = np.exp(-1j * math.pi * (u + 1) * (n + 1) * (n + 2) / 31)
    else:
        nzc = largest_prime_below(m_zc)
        qbar = nzc * (u + 1) / 31
        q = math.floor(qbar + 0.5) + v * (-1) ** math.floor(2 * qbar)
        m = n % nzc
        base = np.exp(-1j * math.pi * ((q * m * (m + 1)) % (2 * nzc)) / nzc)
    return np.exp(1j * alpha * n) * base


# ---------------------------------------------------------------- 38.211 5.3.1 / 36.211 6.12 OFDM
def cp_lengths(standard, scs, n_fft, cp, slot, n_sym):
    mu = int(round(math.log2(scs / 15)))
    out = []
    for l in range(n_sym):
        if cp == "extended":
            out.append(512 * n_fft // 2048)
        elif standard == "lte":
            out.append((160 if l % 7 == 0 else 144) * n_fft // 2048)
        else:
            s = slot + l // 14
            idx = (s % (2 ** mu)) * 14 + l % 14
            extra = 16 * 2 ** mu * n_fft // 2048 if idx in (0, 7 * 2 ** mu) else 0
            out.append(144 * n_fft // 2048 + extra)
    return out


def bins(standard, n_sc, n_fft):
    k = np.arange(n_sc)
    signed = k - n_sc // 2
    if standard == "lte":
        signed = np.where(k < n_sc // 2, signed, signed + 1)
    return signed % n_fft


def ofdm_mod(standard, scs, n_fft, cp, slot, scale, grid):
    n_sym, n_sc = grid.shape
    out = []
    for l, c in enumerate(cp_lengths(standard, scs, n_fft, cp, slot, n_sym)):
        X = np.zeros(n_fft, complex)
        X[bins(standard, n_sc, n_fft)] = grid[l]
        x = scale * n_fft * np.fft.ifft(X)
        out.append(np.concatenate([x[n_fft - c:], x]))
    return np.concatenate(out)


def ofdm_demod(standard, scs, n_fft, cp, slot, scale, n_sc, n_sym, window, wave):
    grid = np.zeros((n_sym, n_sc), complex)
    pos = 0
    b = bins(standard, n_sc, n_fft)
    for l, c in enumerate(cp_lengths(standard, scs, n_fft, cp, slot, n_sym)):
        start = int(round(window * c))
        delta = c - start
        X = scale * np.fft.fft(wave[pos + start:pos + start + n_fft])
        grid[l] = X[b] * np.exp(2j * math.pi * b * delta / n_fft)
        pos += c + n_fft
    return grid


# ---------------------------------------------------------------- 38.214 5.1.3.2 NR TBS
TBS_TABLE = [24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128, 136, 144, 152, 160, 168, 176,
             184, 192, 208, 224, 240, 256, 272, 288, 304, 320, 336, 352, 368, 384, 408, 432, 456, 480,
             504, 528, 552, 576, 608, 640, 672, 704, 736, 768, 808, 848, 888, 928, 984, 1032, 1064,
             1128, 1160, 1192, 1224, 1256, 1288, 1320, 1352, 1416, 1480, 1544, 1608, 1672, 1736, 1800,
             1864, 1928, 2024, 2088, 2152, 2216, 2280, 2408, 2472, 2536, 2600, 2664, 2728, 2792, 2856,
             2976, 3104, 3240, 3368, 3496, 3624, 3752, 3824]


def tbs_nr(qm, layers, n_prb, n_re_per_prb, r, xoh):
    n_re = min(156, n_re_per_prb - xoh) * n_prb
    n_info = n_re * r * qm * layers
    if n_info <= 3824:
        n = max(3, math.floor(math.log2(n_info)) - 6)
        nq = max(24, 2 ** n * math.floor(n_info / 2 ** n))
        return next(t for t in TBS_TABLE if t >= nq)
    n = math.floor(math.log2(n_info - 24)) - 5
    nq = max(3840, 2 ** n * math.floor((n_info - 24) / 2 ** n + 0.5))
    if r <= 0.25:
        c = math.ceil((nq + 24) / 3816)
        return 8 * c * math.ceil((nq + 24) / (8 * c)) - 24
    if nq > 8424:
        c = math.ceil((nq + 24) / 8424)
        return 8 * c * math.ceil((nq + 24) / (8 * c)) - 24
    return 8 * math.ceil((nq + 24) / 8) - 24


# ---------------------------------------------------------------- TR 38.901 7.3 arrays
def steering(rows, cols, dv, dh, zen, azi):
    th, ph = math.radians(zen), math.radians(azi)
    rhat = np.array([math.sin(th) * math.cos(ph), math.sin(th) * math.sin(ph), math.cos(th)])
    m, n = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    pos = np.stack([np.zeros_like(m, float), n * dh, m * dv], axis=-1).reshape(-1, 3)
    return np.exp(2j * math.pi * pos @ rhat)


def element_db(zen, azi):
    phi = (azi + 180.0) % 360.0 - 180.0
    av = -min(12 * ((zen - 90) / 65) ** 2, 30)
    ah = -min(12 * (phi / 65) ** 2, 30)
    return -min(-(av + ah), 30)


# ---------------------------------------------------------------- 38.214 5.2.2.2.1 Type I
def type1(n1, n2, o1, o2, mode, rank, i11, i12, i13, i2):
    p = 2 * n1 * n2

    def v(l, m):
        a, b = np.meshgrid(np.arange(n1), np.arange(n2), indexing="ij")
        return np.exp(2j * math.pi * (l * a / (o1 * n1) + m * b / (o2 * n2))).reshape(-1)

    phi = lambda n: np.exp(1j * math.pi * n / 2)
    per = 4 if rank == 1 else 2
    if mode == 1:
        l, m, n = i11, i12, i2
    else:
        g, n = divmod(i2, per)
        if n2 == 1:
            l, m = 2 * i11 + g, 0
        else:
            l, m = 2 * i11 + g % 2, 2 * i12 + g // 2
    if rank == 1:
        return (np.concatenate([v(l, m), phi(n) * v(l, m)]) / math.sqrt(p)).reshape(p, 1)
    if (n1, n2) == (2, 1):
        k = [(0, 0), (o1, 0)]
    elif n2 == 1:
        k = [(0, 0), (o1, 0), (2 * o1, 0), (3 * o1, 0)]
    elif n1 == n2:
        k = [(0, 0), (o1, 0), (0, o2), (o1, o2)]
    else:
        k = [(0, 0), (o1, 0), (0, o2), (2 * o1, 0)]
    k1, k2 = k[i13]
    a, b = v(l, m), v(l + k1, m + k2)
    return np.stack([np.concatenate([a, phi(n) * a]), np.concatenate([b, -phi(n) * b])], axis=1) / math.sqrt(2 * p)


# ---------------------------------------------------------------- equalisation (VECTORS.md)
def equalize(method, unbiased, y, h, nv):
    n_re, _, n_l = h.shape
    x = np.zeros((n_re, n_l), complex)
    v = np.zeros((n_re, n_l))
    for m in range(n_re):
        H = h[m]
        G = H.conj().T @ H
        z = H.conj().T @ y[m]
        if method == "zf":
            A = np.linalg.inv(G)
            x[m] = A @ z
            v[m] = nv[m] * np.real(np.diag(A))
        else:
            A = np.linalg.inv(G + nv[m] * np.eye(n_l))
            xb = A @ z
            g = np.real(np.diag(A @ G))
            x[m] = xb / g if unbiased else xb
            v[m] = (1 - g) / g if unbiased else g * (1 - g)
    return x, v


# ---------------------------------------------------------------- RZF precoder (VECTORS.md)
def rzf(h, alpha, norm):
    n_sc, k, n_tx = h.shape
    w = np.zeros((n_sc, n_tx, k), complex)
    for m in range(n_sc):
        H = h[m]
        W = H.conj().T @ np.linalg.inv(H @ H.conj().T + alpha * np.eye(k))
        if norm == "column":
            W = W / np.linalg.norm(W, axis=0, keepdims=True)
        else:
            W = W * math.sqrt(k) / np.linalg.norm(W)
        w[m] = W
    return w


def main():
    rng = np.random.default_rng(20261123)

    s = Set("gold")
    for c_init, length in [(3, 32), (4095, 63), (2 ** 30 + 17, 64), (0x1234567, 1601), (65535, 4000)]:
        s.case(f"gold-{c_init}-{length}", "gold", {"c_init": c_init, "length": length}, {},
               {"bits": gold(c_init, length)}, {"abs": 0.0})
    s.close()

    s = Set("qam_map")
    for mod, qm in QM.items():
        n = 97 if qm > 1 else 131
        bits = rng.integers(0, 2, n * qm).astype(np.uint8)
        s.case(f"map-{mod.replace('/', '')}-{n}", "qam_map", {"modulation": mod}, {"bits": bits},
               {"symbols": modulate(mod, bits).astype(np.complex64)}, {"abs": 1e-6})
    s.close()

    s = Set("qam_demap")
    for mod, qm in QM.items():
        n = 64
        bits = rng.integers(0, 2, n * qm).astype(np.uint8)
        nv = (10.0 ** rng.uniform(-2.5, 0.5, n)).astype(np.float32)
        noise = (rng.normal(size=n) + 1j * rng.normal(size=n)) * np.sqrt(nv / 2)
        y = (modulate(mod, bits) + noise).astype(np.complex64)
        for method in ("maxlog", "exact"):
            llr = demap(mod, method, y.astype(complex), nv.astype(float))
            s.case(f"demap-{mod.replace('/', '')}-{method}", "qam_demap", {"modulation": mod, "method": method},
                   {"symbols": y, "noise_var": nv}, {"llr": llr.astype(np.float32)},
                   {"rel": 1e-4, "abs": 1e-3})
    s.close()

    s = Set("low_papr")
    for u, v, alpha, m_zc in [(0, 0, 0.0, 30), (29, 0, math.pi / 4, 30), (7, 0, 1.0, 48), (21, 1, 2 * math.pi * 5 / 12, 96),
                              (13, 1, math.pi, 600), (5, 0, 0.3, 3276)]:
        s.case(f"lowpapr-{m_zc}-u{u}-v{v}", "low_papr", {"u": u, "v": v, "alpha": alpha, "m_zc": m_zc}, {},
               {"sequence": low_papr(u, v, alpha, m_zc).astype(np.complex64)}, {"abs": 1e-4})
    s.close()

    s = Set("ofdm")
    configs = [("nr", 15, 512, "normal", 1, 24, 14), ("nr", 30, 1024, "normal", 3, 51, 14),
               ("nr", 30, 256, "normal", 0, 11, 28), ("nr", 60, 512, "extended", 1, 24, 12),
               ("lte", 15, 1536, "normal", 0, 75, 14), ("lte", 15, 128, "extended", 0, 6, 12)]
    for standard, scs, n_fft, cp, slot, n_prb, n_sym in configs:
        n_sc = 12 * n_prb
        scale = 1 / math.sqrt(n_fft)
        grid = ((rng.normal(size=(n_sym, n_sc)) + 1j * rng.normal(size=(n_sym, n_sc))) / math.sqrt(2))
        grid = grid.astype(np.complex64)
        tag = f"{standard}-{scs}k-{n_prb}prb-{cp}-slot{slot}-{n_sym}sym"
        p = {"standard": standard, "scs_khz": scs, "n_fft": n_fft, "cyclic_prefix": cp, "slot": slot, "scale": scale}
        wave = ofdm_mod(standard, scs, n_fft, cp, slot, scale, grid.astype(complex))
        s.case(f"mod-{tag}", "ofdm_modulate", p, {"grid": grid}, {"waveform": wave.astype(np.complex64)},
               {"nmse_db": -80.0})
        # Demodulate a noisy, slightly dispersive waveform (2-tap channel inside the CP), so the
        # expected grid is not simply the input grid and the window matters.
        h1 = 0.3 * np.exp(0.7j)
        rx = wave + h1 * np.concatenate([[0, 0], wave[:-2]])
        rx = rx + 1e-3 * (rng.normal(size=len(rx)) + 1j * rng.normal(size=len(rx)))
        rx = rx.astype(np.complex64)
        for window in (0.0, 0.3, 1.0):
            dp = dict(p, n_sc=n_sc, n_symbols=n_sym, window=window)
            g = ofdm_demod(standard, scs, n_fft, cp, slot, scale, n_sc, n_sym, window, rx.astype(complex))
            s.case(f"demod-{tag}-w{window}", "ofdm_demodulate", dp, {"waveform": rx}, {"grid": g.astype(np.complex64)},
                   {"nmse_db": -80.0})
    s.close()

    s = Set("array")
    for rows, cols, dv, dh, zen, azi in [(8, 4, 0.5, 0.5, 95.0, -30.0), (4, 8, 0.65, 0.5, 60.0, 150.0),
                                         (2, 16, 0.8, 0.5 * 3.5 / 2.6, 120.5, 10.25), (1, 1, 0.5, 0.5, 10.0, 0.0)]:
        s.case(f"steer-{rows}x{cols}-z{zen}-a{azi}", "steering_vector",
               {"rows": rows, "cols": cols, "spacing_v": dv, "spacing_h": dh, "zenith_deg": zen, "azimuth_deg": azi},
               {}, {"a": steering(rows, cols, dv, dh, zen, azi).astype(np.complex64)}, {"abs": 1e-4})
    for rows, cols, element, tz, ta in [(8, 4, "isotropic", 100.0, 25.0), (4, 8, "38901", 80.0, -40.0)]:
        w = (np.conj(steering(rows, cols, 0.5, 0.5, tz, ta)) / math.sqrt(rows * cols)).astype(np.complex64)
        zen = np.linspace(30, 150, 13).astype(np.float32)
        azi = np.linspace(-90, 90, 19).astype(np.float32)
        g = np.zeros((len(zen), len(azi)))
        for iz, z in enumerate(zen):
            for ia, a in enumerate(azi):
                val = abs(steering(rows, cols, 0.5, 0.5, float(z), float(a)) @ w.astype(complex)) ** 2
                g[iz, ia] = 10 * math.log10(max(val, 1e-30))
                if element == "38901":
                    g[iz, ia] += element_db(float(z), float(a)) + 8.0
        s.case(f"pattern-{rows}x{cols}-{element}", "beam_pattern",
               {"rows": rows, "cols": cols, "spacing_v": 0.5, "spacing_h": 0.5, "element": element},
               {"w": w, "zenith_deg": zen, "azimuth_deg": azi}, {"gain_db": g.astype(np.float32)},
               {"abs": 0.01})
    s.close()

    s = Set("codebook")
    cases = [((2, 2), 1, 1, (5, 3, 0, 2)), ((2, 2), 2, 2, (1, 2, 3, 5)), ((3, 2), 1, 2, (7, 5, 2, 1)),
             ((4, 3), 2, 1, (3, 5, 0, 13)), ((6, 2), 1, 1, (23, 7, 0, 0)), ((6, 2), 2, 2, (11, 3, 3, 7)),
             ((12, 1), 1, 2, (40, 0, 3, 1)), ((12, 1), 2, 1, (20, 0, 0, 15)), ((16, 1), 1, 1, (63, 0, 0, 3)),
             ((8, 2), 2, 2, (14, 3, 1, 6)), ((8, 2), 1, 2, (31, 7, 2, 0)), ((4, 1), 2, 2, (6, 0, 2, 4))]
    for (n1, n2), mode, rank, (i11, i12, i13, i2) in cases:
        o1, o2 = 4, (1 if n2 == 1 else 4)
        w = type1(n1, n2, o1, o2, mode, rank, i11, i12, i13, i2)
        s.case(f"type1-{n1}x{n2}-r{rank}-m{mode}-{i11}-{i12}-{i13}-{i2}", "codebook_type1",
               {"n1": n1, "n2": n2, "o1": o1, "o2": o2, "mode": mode, "rank": rank, "i11": i11, "i12": i12,
                "i13": i13, "i2": i2}, {}, {"w": w.astype(np.complex64)}, {"abs": 1e-5})
    s.close()

    s = Set("equalizer")
    for method, unbiased, n_rx, n_l, n_re in [("zf", False, 64, 16, 40), ("mmse", False, 64, 16, 40), ("mmse", True, 32, 8, 50),
                                               ("zf", False, 4, 4, 60), ("mmse", True, 4, 2, 60), ("mmse", False, 16, 12, 30)]:
        h = ((rng.normal(size=(n_re, n_rx, n_l)) + 1j * rng.normal(size=(n_re, n_rx, n_l))) / math.sqrt(2))
        x0 = (rng.choice([-1, 1], size=(n_re, n_l)) + 1j * rng.choice([-1, 1], size=(n_re, n_l))) / math.sqrt(2)
        nv = 10.0 ** rng.uniform(-2, 0, n_re)
        noise = (rng.normal(size=(n_re, n_rx)) + 1j * rng.normal(size=(n_re, n_rx))) * np.sqrt(nv[:, None] / 2)
        y = np.einsum("mrl,ml->mr", h, x0) + noise
        h, y, nv = h.astype(np.complex64), y.astype(np.complex64), nv.astype(np.float32)
        x, v = equalize(method, unbiased, y.astype(complex), h.astype(complex), nv.astype(float))
        tag = f"eq-{method}{'-unbiased' if unbiased else ''}-{n_rx}x{n_l}"
        s.case(tag, "equalize", {"method": method, "unbiased": unbiased},
               {"y": y, "h": h, "noise_var": nv}, {"x": x.astype(np.complex64), "noise_var": v.astype(np.float32)},
               {"nmse_db": -50.0})
    s.close()

    s = Set("precoder")
    for k, n_tx, alpha, norm in [(16, 64, 0.0, "column"), (16, 64, 0.05, "total"), (8, 64, 1.0, "column"), (4, 8, 0.0, "total")]:
        n_sc = 24
        h = ((rng.normal(size=(n_sc, k, n_tx)) + 1j * rng.normal(size=(n_sc, k, n_tx))) / math.sqrt(2)).astype(np.complex64)
        w = rzf(h.astype(complex), alpha, norm)
        s.case(f"rzf-{k}x{n_tx}-a{alpha}-{norm}", "precoder_rzf", {"alpha": alpha, "normalization": norm},
               {"h": h}, {"w": w.astype(np.complex64)}, {"nmse_db": -50.0})
    s.close()

    s = Set("tbs")
    names = {2: "QPSK", 4: "16QAM", 6: "64QAM", 8: "256QAM", 10: "1024QAM"}
    for qm, layers, n_prb, re, rate, xoh in [(2, 1, 4, 72, 157 / 1024, 0), (2, 2, 10, 132, 78 / 1024, 6),
                                             (4, 1, 25, 150, 490 / 1024, 0), (6, 4, 100, 144, 719 / 1024, 12),
                                             (2, 4, 273, 156, 120 / 1024, 0), (8, 8, 273, 168, 948 / 1024, 0),
                                             (10, 2, 51, 144, 853 / 1024, 18), (6, 1, 5, 72, 616 / 1024, 0)]:
        t = tbs_nr(qm, layers, n_prb, re, rate, xoh)
        s.case(f"tbs-{names[qm]}-{layers}l-{n_prb}prb-{re}re-x{xoh}", "tbs_nr",
               {"modulation": names[qm], "layers": layers, "n_prb": n_prb, "n_re_per_prb": re,
                "target_code_rate": rate, "x_overhead": xoh}, {}, {"tbs": np.array([t], np.int64)}, {"abs": 0.0})
    s.close()


# ---------------------------------------------------------------- chest (channel estimation)
def chest_pilots(rng, kind, n_sym, n_sc, symbols, n_ports):
    """Pilot grid [n_ports, n_sym, n_sc] and, per port, its CDM blocks as lists of (l, k) REs.

    kind: "type1" (comb 2, FD-OCC pairs, 2 groups), "type2" (pairs every 6, 3 groups),
    "type1-double" (FD x TD OCC over symbol pairs), or ("srs", comb, users_per_comb) (cyclic
    shifts on a comb; the base sequence is random QPSK, the contract is pattern-agnostic)."""
    qpsk = lambda size: (rng.choice([-1, 1], size) + 1j * rng.choice([-1, 1], size)) / math.sqrt(2)
    p = np.zeros((n_ports, n_sym, n_sc), complex)
    blocks = {}
    if isinstance(kind, tuple):
        _, comb, per = kind
        n_max = per
        for port in range(n_ports):
            off, cs = port // per, port % per
            ks = np.arange(off, n_sc, comb)
            for l in symbols:
                base = qpsk(len(ks)) if port % per == 0 else None
                if base is not None:
                    blocks[(off, l)] = base
                b = blocks[(off, l)]
                p[port, l, ks] = b * np.exp(2j * np.pi * cs * np.arange(len(ks)) / n_max)
        return p, [("freq", per, comb, port // per) for port in range(n_ports)]
    double = kind == "type1-double"
    groups = 2 if kind.startswith("type1") else 3
    per_group = n_ports // groups
    for port in range(n_ports):
        lam, idx = port % groups, port // groups
        wf_sign = -1 if idx % 2 else 1
        wt_sign = -1 if idx >= 2 else 1
        for si, l0 in enumerate(symbols):
            for lp in range(2 if double else 1):
                l = l0 + lp
                key = (lam, l)
                if key not in blocks:
                    blocks[key] = qpsk(n_sc)
                seq = blocks[key]
                for k in range(n_sc):
                    if kind.startswith("type1"):
                        if k % 2 != lam:
                            continue
                        kp = (k // 2) % 2
                    else:
                        if (k % 6) // 2 != lam:
                            continue
                        kp = k % 2
                    p[port, l, k] = seq[k] * (wf_sign if kp else 1) * (wt_sign if lp else 1)
    return p, None


def chest_reference(rx, p, symbols, double, groups_of):
    """LS with OCC de-spreading on each CDM block, linear interpolation in frequency (held at
    the edges) and in time (held outside the pilot symbols): the tolerance baseline of
    ../shared/VECTORS.md."""
    n_rx, n_sym, n_sc = rx.shape
    n_ports = p.shape[0]
    h = np.zeros((n_rx, n_ports, n_sym, n_sc), complex)
    for ports, block_sc, run_len in groups_of:
        runs = [list(range(l, l + run_len)) for l in symbols]
        t_pos, est = [], []
        for run in runs:
            sc = np.where(np.abs(p[ports[0], run[0]]) > 0)[0]
            nb = len(sc) // block_sc
            pos, vals = [], []
            for b in range(nb):
                ks = sc[b * block_sc:(b + 1) * block_sc]
                x = np.array([[p[q, l, k] for q in ports] for l in run for k in ks])
                y = np.array([rx[:, l, k] for l in run for k in ks])
                vals.append(np.linalg.lstsq(x, y, rcond=None)[0])  # ports x rx
                pos.append(ks.mean())
            vals = np.array(vals)  # nb, ports, rx
            out = np.zeros((n_rx, len(ports), n_sc), complex)
            for qi in range(len(ports)):
                for r in range(n_rx):
                    v = vals[:, qi, r]
                    out[r, qi] = np.interp(np.arange(n_sc), pos, v.real) + 1j * np.interp(np.arange(n_sc), pos, v.imag)
            t_pos.append(np.mean(run))
            est.append(out)
        est = np.array(est)  # runs, rx, ports, sc
        for l in range(n_sym):
            for qi, q in enumerate(ports):
                for r in range(n_rx):
                    w = np.interp(l, t_pos, np.arange(len(t_pos)))
                    i0 = int(np.floor(w)); f = w - i0
                    i1 = min(i0 + 1, len(t_pos) - 1)
                    h[r, q, l] = (1 - f) * est[i0, r, qi] + f * est[i1, r, qi]
    return h


def chest_channel(rng, n_rx, n_ports, n_sym, n_sc, rms, n_taps, doppler):
    """Exponential power-delay profile (delays in units of the useful symbol), Rayleigh taps,
    each tap rotating at its own Doppler (cycles per symbol, uniform in +-doppler)."""
    d = np.arange(n_taps) * rms * 3.0 / n_taps
    pw = np.exp(-d / rms)
    pw /= pw.sum()
    g = (rng.normal(size=(n_rx, n_ports, n_taps)) + 1j * rng.normal(size=(n_rx, n_ports, n_taps))) * np.sqrt(pw / 2)
    nu = rng.uniform(-doppler, doppler, size=(n_rx, n_ports, n_taps))
    l = np.arange(n_sym)[:, None, None]
    k = np.arange(n_sc)[None, :, None]
    h = np.zeros((n_rx, n_ports, n_sym, n_sc), complex)
    for r in range(n_rx):
        for q in range(n_ports):
            h[r, q] = np.sum(g[r, q] * np.exp(2j * np.pi * nu[r, q] * l) * np.exp(-2j * np.pi * k * d), axis=2)
    return h


def chest_set():
    rng = np.random.default_rng(505)
    s = Set("chest")
    cases = [
        # name, kind, n_rx, n_ports, n_sc, symbols, snr_db, rms, doppler
        ("type1-4rx-4p-0dB", "type1", 4, 4, 288, [2, 7, 11], 0.0, 0.01, 0.002),
        ("type2-4rx-6p-14dB", "type2", 4, 6, 216, [3, 11], 14.0, 0.005, 0.001),
        ("type1double-8rx-8p-24dB", "type1-double", 8, 8, 192, [2, 10], 24.0, 0.004, 0.0005),
        ("srs-comb4-16rx-8u-10dB", ("srs", 4, 4), 16, 8, 384, [13], 10.0, 0.002, 0.0),
    ]
    for name, kind, n_rx, n_ports, n_sc, symbols, snr_db, rms, doppler in cases:
        n_sym = 14
        double = kind == "type1-double"
        p, srs = chest_pilots(rng, kind, n_sym, n_sc, symbols, n_ports)
        h = chest_channel(rng, n_rx, n_ports, n_sym, n_sc, rms, 6, doppler)
        nv = 10.0 ** (-snr_db / 10.0)
        pilot_re = np.any(np.abs(p) > 0, axis=0)
        data = (rng.choice([-1, 1], (n_sym, n_sc)) + 1j * rng.choice([-1, 1], (n_sym, n_sc))) / math.sqrt(2)
        rx = np.where(pilot_re[None], np.einsum("rqlk,qlk->rlk", h, p), h[:, 0] * data[None])
        rx = rx + (rng.normal(size=rx.shape) + 1j * rng.normal(size=rx.shape)) * math.sqrt(nv / 2)
        if srs is not None:
            per, comb = kind[2], kind[1]
            groups_of = [(list(range(c * per, (c + 1) * per)), per, 1) for c in range(n_ports // per)]
        else:
            groups = 2 if kind.startswith("type1") else 3
            groups_of = []
            for lam in range(groups):
                ports = [q for q in range(n_ports) if q % groups == lam]
                groups_of.append((ports, 2, 2 if double else 1))
        ref = chest_reference(rx, p, symbols, double, groups_of)
        nmse = 10 * np.log10(np.sum(np.abs(ref - h) ** 2) / np.sum(np.abs(h) ** 2))
        s.case(f"chest-{name}", "chest", {},
               {"rx": rx.astype(np.complex64), "pilots": p.astype(np.complex64),
                "noise_var": np.array([nv], np.float32)},
               {"h": h.astype(np.complex64)}, {"nmse_db": round(float(nmse) - 1.0, 2)})
    s.close()


def precoder_apply_set():
    rng = np.random.default_rng(606)
    s = Set("precoder_apply")
    for n_prb, n_tx, k, n_re in [(3, 64, 16, 168), (5, 32, 8, 144), (2, 8, 2, 12), (4, 4, 4, 7)]:
        w = (rng.normal(size=(n_prb, n_tx, k)) + 1j * rng.normal(size=(n_prb, n_tx, k))) / math.sqrt(2 * k)
        x = (rng.choice([-3, -1, 1, 3], (n_prb, k, n_re)) + 1j * rng.choice([-3, -1, 1, 3], (n_prb, k, n_re))) / math.sqrt(10)
        w, x = w.astype(np.complex64), x.astype(np.complex64)
        y = np.einsum("btk,bke->bte", w.astype(complex), x.astype(complex))
        s.case(f"apply-{n_prb}prb-{n_tx}x{k}-{n_re}re", "precoder_apply", {},
               {"w": w, "x": x}, {"y": y.astype(np.complex64)}, {"nmse_db": -100.0})
    s.close()


def irc(unbiased, y, h, nv, u):
    """MMSE-IRC per RE: R = nv*I + U U^H, G = H^H R^-1 H, A = (G + I)^-1, x_b = A H^H R^-1 y,
    g = diag(A G); biased x_b, noise g(1-g); unbiased x_b/g, noise (1-g)/g."""
    n_re, n_rx, n_l = h.shape
    x = np.zeros((n_re, n_l), complex)
    v = np.zeros((n_re, n_l))
    for m in range(n_re):
        r = nv[m] * np.eye(n_rx) + u[m] @ u[m].conj().T
        ri = np.linalg.inv(r)
        g = h[m].conj().T @ ri @ h[m]
        a = np.linalg.inv(g + np.eye(n_l))
        xb = a @ (h[m].conj().T @ ri @ y[m])
        gain = np.real(np.diag(a @ g))
        if unbiased:
            x[m], v[m] = xb / gain, (1 - gain) / gain
        else:
            x[m], v[m] = xb, gain * (1 - gain)
    return x, v


def irc_set():
    rng = np.random.default_rng(707)
    s = Set("equalizer_irc")
    for unbiased, n_rx, n_l, n_int, n_re in [(True, 16, 4, 2, 30), (False, 16, 4, 2, 30), (True, 64, 16, 8, 12),
                                             (False, 8, 2, 1, 40), (True, 4, 2, 2, 40)]:
        cn = lambda *shape: (rng.normal(size=shape) + 1j * rng.normal(size=shape)) / math.sqrt(2)
        h = cn(n_re, n_rx, n_l)
        u = cn(n_re, n_rx, n_int) * 3.0
        nv = 10.0 ** rng.uniform(-2, -0.5, n_re)
        x0 = (rng.choice([-1, 1], (n_re, n_l)) + 1j * rng.choice([-1, 1], (n_re, n_l))) / math.sqrt(2)
        y = np.einsum("mrl,ml->mr", h, x0) + np.einsum("mri,mi->mr", u, cn(n_re, n_int)) + cn(n_re, n_rx) * np.sqrt(nv[:, None])
        h, u, y, nv = h.astype(np.complex64), u.astype(np.complex64), y.astype(np.complex64), nv.astype(np.float32)
        x, v = irc(unbiased, y.astype(complex), h.astype(complex), nv.astype(float), u.astype(complex))
        tag = f"irc-{'unbiased' if unbiased else 'biased'}-{n_rx}x{n_l}-{n_int}int"
        s.case(tag, "equalize_irc", {"unbiased": unbiased},
               {"y": y, "h": h, "noise_var": nv, "u": u},
               {"x": x.astype(np.complex64), "noise_var": v.astype(np.float32)}, {"nmse_db": -50.0})
    s.close()


def dmrs_grid(kind, ports, symbols, double, n_id, n_scid, rel16, slot, crb_start, n_prb):
    """38.211 7.4.1.1: r(n) from c_init (Rel-16 form), a_{k,l} = w_f(k') w_t(l') r(2n + k'),
    k = 4n + 2k' + delta (type 1) or 6n + k' + delta (type 2), counted from CRB 0; (lambda,
    delta, w_f, w_t) of Tables 7.4.1.1.2-1 / -2."""
    per_prb = 6 if kind == 1 else 4
    grid = np.zeros((len(ports), 14, 12 * n_prb), complex)
    first, length = crb_start * per_prb, n_prb * per_prb
    for pi, p in enumerate(ports):
        lam = (p // 2) % 2 if kind == 1 else (p // 2) % 3
        delta = lam if kind == 1 else 2 * lam
        wf1 = -1 if p % 2 else 1
        wt1 = -1 if p >= (4 if kind == 1 else 6) else 1
        for lbar in symbols:
            for lp in range(2 if double else 1):
                l = lbar + lp
                lam_bar, scid = ((lam, 1 - n_scid if lam == 1 else n_scid) if rel16 else (0, n_scid))
                nid = n_id[scid]
                cinit = (2**17 * (14 * slot + l + 1) * (2 * nid + 1) + 2**17 * (lam_bar // 2) + 2 * nid + scid) % 2**31
                c = gold(cinit, 2 * (first + length))
                for m in range(length):
                    idx = first + m
                    n, kp = idx // 2, idx % 2
                    r = ((1 - 2 * int(c[2 * idx])) + 1j * (1 - 2 * int(c[2 * idx + 1]))) / math.sqrt(2)
                    k = 4 * n + 2 * kp + delta if kind == 1 else 6 * n + kp + delta
                    grid[pi, l, k - 12 * crb_start] = r * (wf1 if kp else 1) * (wt1 if lp else 1)
    return grid


def type_a_symbols(l0, additional, double):
    extra = {(False, 0): [], (True, 0): [], (False, 1): [11], (False, 2): [7, 11], (False, 3): [5, 8, 11],
             (True, 1): [10]}[(double, additional)]
    return [l0] + extra


def crosscheck_py3gpp(grid, n_id, slot, n_prb, l0, additional):
    """Port 1000, single symbol, Rel-15 scrambling, allocation from CRB 0: compare with py3gpp's
    nrPDSCHDMRS when the package is installed (optional third-party cross-check)."""
    try:
        from py3gpp.nrPDSCHDMRS import nrPDSCHDMRS
        from py3gpp.configs.nrPDSCHConfig import nrPDSCHConfig
        from py3gpp.configs.nrCarrierConfig import nrCarrierConfig
    except ImportError:
        return None
    car = nrCarrierConfig()
    car.NSlot = slot
    cfg = nrPDSCHConfig()
    cfg.PRBSet = list(range(n_prb))
    cfg.NSizeBWP = n_prb
    cfg.DMRS.DMRSTypeAPosition = l0
    cfg.DMRS.DMRSAdditionalPosition = additional
    cfg.DMRS.NIDNSCID = n_id
    theirs = np.asarray(nrPDSCHDMRS(cfg, car))
    ours = np.concatenate([grid[0, l, 0::2] for l in type_a_symbols(l0, additional, False)])
    return np.max(np.abs(theirs - ours))


def dmrs_set():
    s = Set("dmrs")
    cases = [
        # kind, ports, l0, additional, double, n_id, n_scid, rel16, slot, crb_start, n_prb
        (1, [0], 2, 2, False, (17, 17), 0, False, 3, 0, 6),
        (1, [0, 1, 2, 3], 3, 1, False, (1007, 33), 1, False, 0, 4, 5),
        (1, list(range(8)), 2, 1, True, (65535, 2), 0, True, 9, 10, 4),
        (2, list(range(6)), 2, 3, False, (500, 501), 1, True, 19, 1, 3),
        (2, list(range(12)), 3, 0, True, (0, 1), 0, False, 7, 0, 4),
        (2, [1, 4, 9], 2, 1, True, (4242, 77), 1, True, 2, 20, 2),
    ]
    for kind, ports, l0, add, double, n_id, n_scid, rel16, slot, crb, n_prb in cases:
        syms = type_a_symbols(l0, add, double)
        g = dmrs_grid(kind, ports, syms, double, n_id, n_scid, rel16, slot, crb, n_prb)
        if kind == 1 and ports[0] == 0 and not double and not rel16 and n_scid == 0 and crb == 0:
            diff = crosscheck_py3gpp(g, n_id[0], slot, n_prb, l0, add)
            if diff is not None:
                assert diff < 1e-9, f"py3gpp disagrees: {diff}"
                print(f"dmrs: port 1000 agrees with py3gpp (max |diff| {diff:.1e})")
        name = f"dmrs-type{kind}-{len(ports)}p-{'double' if double else 'single'}-l{l0}-add{add}-crb{crb}"
        s.case(name, "dmrs", {"dmrs_type": kind, "ports": ",".join(map(str, ports)), "l0": l0, "additional": add,
                             "double_symbol": double, "n_id0": n_id[0], "n_id1": n_id[1], "n_scid": n_scid,
                             "rel16": rel16, "slot": slot, "crb_start": crb, "n_prb": n_prb},
               {}, {"pilots": g.astype(np.complex64)}, {"abs": 1e-6})
    s.close()


def check_not_copied():
    """The project's files must not duplicate ../shared/vectors byte for byte (tests read the
    shared set in place); a collision means a case should change its parameters."""
    import hashlib
    shared = os.path.join(ROOT, "..", "..", "shared", "vectors")
    if not os.path.isdir(shared):
        return

    def digests(top):
        out = {}
        for d, _, files in os.walk(top):
            for f in files:
                if f.endswith(".npy"):
                    with open(os.path.join(d, f), "rb") as fh:
                        out[hashlib.md5(fh.read()).hexdigest()] = os.path.join(d, f)
        return out

    ours, theirs = digests(ROOT), digests(shared)
    same = sorted(ours[h] for h in ours.keys() & theirs.keys())
    if same:
        raise SystemExit(f"identical to files in ../shared/vectors: {same}")


if __name__ == "__main__":
    main()
    chest_set()
    precoder_apply_set()
    irc_set()
    dmrs_set()
    check_not_copied()
