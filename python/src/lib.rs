//! `massive_mimo._native`: the Python face of the library (pyo3 + rust-numpy). The Python
//! package `massive_mimo` re-exports it and adds the scenario dataclass and sweep helpers.
//!
//! Arrays: complex64 / float32 / int16 / uint8 NumPy arrays, C-contiguous, in the axis order
//! each docstring gives; inputs are borrowed without copying, outputs are new arrays. A wrong
//! dtype or number of dimensions is a `TypeError` (from the argument conversion), a wrong shape
//! or a non-contiguous array a `ValueError` naming the argument, a rejected value a `ValueError` with the library's
//! message. Every call that does real work releases the GIL, so threads run in parallel.

#![forbid(unsafe_code)]

use massive_mimo::C32;
use massive_mimo::array::PlanarArray;
use massive_mimo::detection::{DetectorConfig, DetectorMethod, GroupChannels, MimoDetector};
use massive_mimo::estimation::PilotPattern;
use massive_mimo::fronthaul::{Bfp, IqWidth};
use massive_mimo::link::{DownlinkConfig, PrecoderKind, SrsEstimation};
use massive_mimo::modulation::{DemapMethod, Modulation};
use massive_mimo::ofdm::{CyclicPrefix, OfdmConfig, Standard};
use massive_mimo::precoding::{Normalization, RzfPrecoder};
use massive_mimo::rate::{NrTbsInput, PrbScaling};
use massive_mimo::refsig::{DmrsConfig, DmrsType, SrsConfig, write_multiplexed_users};
use massive_mimo::sequence::Gold;
use ndarray::{ArrayView2, ArrayView3, ArrayViewMut2, ArrayViewMut3};
use numpy::{
    Complex32, PyArray1, PyArray2, PyArray3, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2,
    PyReadonlyArray3, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Locks a processor (a processor serves one call at a time; calls from several Python threads
/// on one object queue here, with the GIL released).
fn lock<T>(m: &Mutex<T>) -> PyResult<std::sync::MutexGuard<'_, T>> {
    m.lock()
        .map_err(|_| value_err("a previous call on this object panicked; create a new one"))
}

type Arr1<'py, T> = Bound<'py, PyArray1<T>>;
type Arr2<'py, T> = Bound<'py, PyArray2<T>>;
type Arr3<'py, T> = Bound<'py, PyArray3<T>>;

fn lib_err(e: massive_mimo::Error) -> PyErr {
    PyValueError::new_err(e.to_string())
}

fn value_err(msg: impl Into<String>) -> PyErr {
    PyValueError::new_err(msg.into())
}

/// The contiguous data of a read-only array, or a ValueError naming it.
fn slice<'a, T: numpy::Element, D: ndarray::Dimension>(
    what: &str,
    a: &'a numpy::PyReadonlyArray<'_, T, D>,
) -> PyResult<&'a [T]> {
    a.as_slice().map_err(|_| {
        value_err(format!(
            "{what} must be C-contiguous (use numpy.ascontiguousarray)"
        ))
    })
}

fn dims3(what: &str, shape: &[usize]) -> PyResult<(usize, usize, usize)> {
    match shape {
        [a, b, c] => Ok((*a, *b, *c)),
        s => Err(value_err(format!("{what} must be 3-D, got shape {s:?}"))),
    }
}

fn expect_shape(
    what: &str,
    got: (usize, usize, usize),
    want: (usize, usize, usize),
) -> PyResult<()> {
    if got == want {
        Ok(())
    } else {
        Err(value_err(format!(
            "{what} has shape {got:?}, expected {want:?}"
        )))
    }
}

fn out3<'py, T: numpy::Element + Clone>(
    py: Python<'py>,
    v: Vec<T>,
    d: (usize, usize, usize),
) -> PyResult<Arr3<'py, T>> {
    PyArray1::from_vec(py, v).reshape([d.0, d.1, d.2])
}

fn out2<'py, T: numpy::Element>(
    py: Python<'py>,
    v: Vec<T>,
    d: (usize, usize),
) -> PyResult<Arr2<'py, T>> {
    PyArray1::from_vec(py, v).reshape([d.0, d.1])
}

fn modulation(qm: u32) -> PyResult<Modulation> {
    Modulation::from_bits_per_symbol(qm).map_err(lib_err)
}

fn normalization(s: &str) -> PyResult<Normalization> {
    Ok(match s {
        "column" => Normalization::Column,
        "total" => Normalization::Total,
        "per_antenna" => Normalization::PerAntenna,
        s => {
            return Err(value_err(format!(
                "normalization = {s:?}: expected 'column', 'total' or 'per_antenna'"
            )));
        }
    })
}

fn detector_method(method: &str, unbiased: bool) -> PyResult<DetectorMethod> {
    Ok(match method {
        "zf" => DetectorMethod::Zf,
        "mmse" => DetectorMethod::Mmse { unbiased },
        "irc" => DetectorMethod::Irc { unbiased },
        m => {
            return Err(value_err(format!(
                "method = {m:?}: expected 'zf', 'mmse' or 'irc'"
            )));
        }
    })
}

/// Library version.
#[pyfunction]
fn version() -> &'static str {
    massive_mimo::VERSION
}

/// SIMD backend of the kernels on this CPU: 'scalar', 'avx2', 'avx512' or 'neon'.
#[pyfunction]
fn simd_backend() -> &'static str {
    massive_mimo::simd::Kernels::new().backend().name()
}

/// Gold sequence c(n), n = 0..length-1, of 38.211 §5.2.1 for `c_init` → uint8[length].
#[pyfunction]
fn gold(py: Python<'_>, c_init: u32, length: usize) -> Arr1<'_, u8> {
    let mut v = vec![0u8; length];
    Gold::new(c_init).fill_bits(&mut v);
    PyArray1::from_vec(py, v)
}

/// QAM mapping (38.211 §5.1): bits uint8[n·qm] (0/1) → unit-energy symbols complex64[n];
/// qm 1 (BPSK), 2, 4, 6, 8, 10.
#[pyfunction]
fn qam_map<'py>(
    py: Python<'py>,
    bits: PyReadonlyArray1<'py, u8>,
    qm: u32,
) -> PyResult<Arr1<'py, Complex32>> {
    let m = modulation(qm)?;
    let b = slice("bits", &bits)?;
    if b.len() % qm as usize != 0 {
        return Err(value_err(format!(
            "bits: length {} is not a multiple of qm = {qm}",
            b.len()
        )));
    }
    let mut out = vec![C32::new(0.0, 0.0); b.len() / qm as usize];
    py.detach(|| massive_mimo::modulation::map(m, b, &mut out))
        .map_err(lib_err)?;
    Ok(PyArray1::from_vec(py, out))
}

/// Bit LLRs ln P(b=0)/P(b=1) of symbols complex64[n] with complex noise variances
/// float32[n] → float32[n·qm] (bit-major per symbol); max-log, or exact when `exact`.
#[pyfunction]
#[pyo3(signature = (symbols, noise_var, qm, exact = false))]
fn qam_demap<'py>(
    py: Python<'py>,
    symbols: PyReadonlyArray1<'py, Complex32>,
    noise_var: PyReadonlyArray1<'py, f32>,
    qm: u32,
    exact: bool,
) -> PyResult<Arr1<'py, f32>> {
    let m = modulation(qm)?;
    let (s, nv) = (slice("symbols", &symbols)?, slice("noise_var", &noise_var)?);
    let mut llr = vec![0.0f32; s.len() * qm as usize];
    let method = if exact {
        DemapMethod::Exact
    } else {
        DemapMethod::MaxLog
    };
    py.detach(|| massive_mimo::modulation::demap(m, method, s, nv, &mut llr))
        .map_err(lib_err)?;
    Ok(PyArray1::from_vec(py, llr))
}

/// Steering vector of a rows × cols planar array (spacings in wavelengths; element
/// m·cols + n at row m, column n; 38.901 §7.3 angles in degrees) → complex64[rows·cols].
#[pyfunction]
#[pyo3(signature = (rows, cols, zenith_deg, azimuth_deg, spacing_v = 0.5, spacing_h = 0.5))]
fn steering_vector(
    py: Python<'_>,
    rows: usize,
    cols: usize,
    zenith_deg: f64,
    azimuth_deg: f64,
    spacing_v: f64,
    spacing_h: f64,
) -> PyResult<Arr1<'_, Complex32>> {
    let arr = PlanarArray::new(rows, cols, spacing_v, spacing_h).map_err(lib_err)?;
    let mut a = vec![C32::new(0.0, 0.0); arr.len()];
    arr.steering(zenith_deg, azimuth_deg, &mut a)
        .map_err(lib_err)?;
    Ok(PyArray1::from_vec(py, a))
}

/// RZF precoder per matrix: h complex64[batch, k, n_tx] (rows = users) →
/// w complex64[batch, n_tx, k] = Hᴴ(HHᴴ + αI)⁻¹, normalised per `normalization`
/// ('column': unit-norm columns, 'total': ‖W‖_F² = k, 'per_antenna').
#[pyfunction]
#[pyo3(signature = (h, alpha, normalization = "total"))]
fn rzf_weights<'py>(
    py: Python<'py>,
    h: PyReadonlyArray3<'py, Complex32>,
    alpha: f32,
    normalization: &str,
) -> PyResult<Arr3<'py, Complex32>> {
    let norm = self::normalization(normalization)?;
    let (b, k, n) = dims3("h [batch, k, n_tx]", h.shape())?;
    let hv =
        ArrayView3::from_shape((b, k, n), slice("h", &h)?).map_err(|e| value_err(e.to_string()))?;
    let mut w = vec![C32::new(0.0, 0.0); b * n * k];
    py.detach(|| -> massive_mimo::Result<()> {
        let wv = ArrayViewMut3::from_shape((b, n, k), &mut w[..]).map_err(|_| {
            massive_mimo::Error::ShapeMismatch {
                name: "w",
                expected: massive_mimo::error::Shape::of(&[b, n, k]),
                got: massive_mimo::error::Shape::of(&[]),
            }
        })?;
        RzfPrecoder::new(k, n, b)?.process(hv, alpha, norm, wv)?;
        Ok(())
    })
    .map_err(lib_err)?;
    out3(py, w, (b, n, k))
}

/// Linear detection filters per group: h complex64[n_groups, n_layers, n_ant] (the crate's
/// channel axis order, the same as `rzf_weights`), complex noise
/// variance float32[n_groups] → (filters complex64[n_groups, n_l, n_rx], post-detection noise
/// variance float32[n_groups, n_l]); `method` 'zf', 'mmse' (F = (HᴴH + σ²I)⁻¹Hᴴ, divided by
/// its gain when `unbiased`) or 'irc' (without interference factors: equal to MMSE).
#[pyfunction]
#[pyo3(signature = (h, noise_var, method = "mmse", unbiased = false))]
fn mimo_filters<'py>(
    py: Python<'py>,
    h: PyReadonlyArray3<'py, Complex32>,
    noise_var: PyReadonlyArray1<'py, f32>,
    method: &str,
    unbiased: bool,
) -> PyResult<(Arr3<'py, Complex32>, Arr2<'py, f32>)> {
    let m = detector_method(method, unbiased)?;
    let (g, l, r) = dims3("h [n_groups, n_layers, n_ant]", h.shape())?;
    let hv =
        ArrayView3::from_shape((g, l, r), slice("h", &h)?).map_err(|e| value_err(e.to_string()))?;
    let nv = slice("noise_var", &noise_var)?;
    let (f, v) = py
        .detach(|| -> massive_mimo::Result<(Vec<C32>, Vec<f32>)> {
            let mut det = MimoDetector::new(&DetectorConfig {
                max_ant: r,
                max_layers: l,
                max_interferers: 0,
                max_groups: g,
                group_prbs: 1,
                n_sym: 1,
            })?;
            det.compute(
                &GroupChannels {
                    h: hv,
                    noise_var: nv,
                    interference: None,
                },
                m,
            )?;
            Ok((
                det.filters().iter().copied().collect(),
                det.noise().iter().copied().collect(),
            ))
        })
        .map_err(lib_err)?;
    Ok((out3(py, f, (g, l, r))?, out2(py, v, (g, l))?))
}

/// O-RAN block floating point (O-RAN.WG4.CUS Annex A.1.1): iq int16[n_prb, 12, 2] → payload
/// uint8[n_prb·(1 + 3·iq_width)].
#[pyfunction]
fn bfp_compress<'py>(
    py: Python<'py>,
    iq: PyReadonlyArray3<'py, i16>,
    iq_width: u32,
) -> PyResult<Arr1<'py, u8>> {
    let (n, a, b) = dims3("iq [n_prb, 12, 2]", iq.shape())?;
    if (a, b) != (12, 2) {
        return Err(value_err(format!(
            "iq must have shape [n_prb, 12, 2], got {:?}",
            iq.shape()
        )));
    }
    let w = IqWidth::new(iq_width).map_err(lib_err)?;
    let x = slice("iq", &iq)?;
    let mut p = vec![0u8; n * w.prb_bytes()];
    py.detach(|| Bfp::new(w).compress(x, &mut p))
        .map_err(lib_err)?;
    Ok(PyArray1::from_vec(py, p))
}

/// The inverse of `bfp_compress`: payload uint8 → iq int16[n_prb, 12, 2] (exact).
#[pyfunction]
fn bfp_decompress<'py>(
    py: Python<'py>,
    payload: PyReadonlyArray1<'py, u8>,
    iq_width: u32,
) -> PyResult<Arr3<'py, i16>> {
    let w = IqWidth::new(iq_width).map_err(lib_err)?;
    let p = slice("payload", &payload)?;
    if p.len() % w.prb_bytes() != 0 {
        return Err(value_err(format!(
            "payload: {} bytes is not a whole number of {}-byte PRBs",
            p.len(),
            w.prb_bytes()
        )));
    }
    let n = p.len() / w.prb_bytes();
    let mut iq = vec![0i16; n * 24];
    py.detach(|| Bfp::new(w).decompress(p, &mut iq))
        .map_err(lib_err)?;
    out3(py, iq, (n, 12, 2))
}

/// NR transport block size (38.214 §5.1.3.2) in bits.
#[pyfunction]
#[pyo3(signature = (qm, code_rate, layers, n_prb, n_re_per_prb, x_overhead = 0))]
fn nr_tbs(
    qm: u32,
    code_rate: f64,
    layers: u32,
    n_prb: u32,
    n_re_per_prb: u32,
    x_overhead: u32,
) -> PyResult<u32> {
    massive_mimo::rate::nr_tbs(&NrTbsInput {
        modulation: modulation(qm)?,
        code_rate,
        layers,
        n_prb,
        n_re_per_prb,
        x_overhead,
    })
    .map_err(lib_err)
}

/// LTE transport block size (36.213 §7.1.7.2) in bits; prb_scale 1, 0.75 or 0.375 (DwPTS).
#[pyfunction]
#[pyo3(signature = (i_tbs, n_prb, layers = 1, prb_scale = 1.0))]
fn lte_tbs(i_tbs: u32, n_prb: u32, layers: u32, prb_scale: f64) -> PyResult<u32> {
    massive_mimo::rate::lte_tbs(
        i_tbs,
        n_prb,
        layers,
        PrbScaling::from_factor(prb_scale).map_err(lib_err)?,
    )
    .map_err(lib_err)
}

/// SRS of `n_users` users multiplexed on comb `comb` (cyclic shifts spread over the comb) on
/// OFDM symbol `symbol` of `n_prb` PRBs (38.211 §6.4.1.4) → complex64[n_users, 14, 12·n_prb].
#[pyfunction]
fn srs_pilots(
    py: Python<'_>,
    comb: usize,
    n_prb: usize,
    symbol: usize,
    n_users: usize,
) -> PyResult<Arr3<'_, Complex32>> {
    let d = (n_users, 14, 12 * n_prb);
    let mut v = vec![C32::new(0.0, 0.0); d.0 * d.1 * d.2];
    let g = ArrayViewMut3::from_shape(d, &mut v[..]).map_err(|e| value_err(e.to_string()))?;
    write_multiplexed_users(
        &SrsConfig::single_port(comb, n_prb, symbol, (0, 0)),
        n_users,
        g,
    )
    .map_err(lib_err)?;
    out3(py, v, d)
}

/// NR DMRS of ports 0..n_ports, configuration type 1 or 2, on `symbol` (and the next when
/// `double_symbol`) of `n_prb` PRBs (38.211 §6.4.1.1) → complex64[n_ports, 14, 12·n_prb].
#[pyfunction]
#[pyo3(signature = (dmrs_type, n_ports, symbol, n_prb, double_symbol = false))]
fn dmrs_pilots(
    py: Python<'_>,
    dmrs_type: u32,
    n_ports: usize,
    symbol: usize,
    n_prb: usize,
    double_symbol: bool,
) -> PyResult<Arr3<'_, Complex32>> {
    let kind = match dmrs_type {
        1 => DmrsType::Type1,
        2 => DmrsType::Type2,
        t => return Err(value_err(format!("dmrs_type = {t}: expected 1 or 2"))),
    };
    let d = (n_ports, 14, 12 * n_prb);
    let mut v = vec![C32::new(0.0, 0.0); d.0 * d.1 * d.2];
    let g = ArrayViewMut3::from_shape(d, &mut v[..]).map_err(|e| value_err(e.to_string()))?;
    DmrsConfig::new(kind, (0..n_ports).collect(), vec![symbol], double_symbol)
        .write_pilots(g)
        .map_err(lib_err)?;
    out3(py, v, d)
}

/// OFDM numerology of the slot classes: NR (or LTE) at `scs_khz`, normal CP, the smallest
/// power-of-two FFT holding n_sc with a guard band (≥ n_sc / 0.85), scale 1/√n_fft (so that
/// modulation followed by demodulation is the identity).
fn ofdm(n_prb: usize, scs_khz: u32, standard: &str) -> PyResult<OfdmConfig> {
    let n_sc = 12 * n_prb;
    let n_fft = ((n_sc as f64 / 0.85).ceil() as usize)
        .next_power_of_two()
        .max(128);
    Ok(OfdmConfig {
        standard: match standard {
            "nr" => Standard::Nr,
            "lte" => Standard::Lte,
            s => {
                return Err(value_err(format!(
                    "standard = {s:?}: expected 'nr' or 'lte'"
                )));
            }
        },
        scs_khz,
        n_fft,
        n_sc,
        n_symbols: 14,
        cyclic_prefix: CyclicPrefix::Normal,
        slot: 0,
        scale: 1.0 / (n_fft as f32).sqrt(),
    })
}

/// Downlink slot processor: SRS estimation → MRT/ZF/RZF weights per PRG → precoding → OFDM.
/// Grids are complex64[.., 14, 12·n_prb].
#[pyclass(module = "massive_mimo._native")]
struct DownlinkSlot {
    inner: Mutex<massive_mimo::link::DownlinkSlot>,
    n_ant: usize,
    n_sc: usize,
    k: AtomicUsize,
}

#[pymethods]
impl DownlinkSlot {
    /// `srs_pilots` complex64[n_candidates, 14, 12·n_prb] (e.g. from `srs_pilots`);
    /// precoder 'mrt' | 'zf' | 'rzf'; srs_estimation 'delay' | 'block'.
    #[new]
    #[pyo3(signature = (n_antennas, n_layers, n_prb, srs_pilots, prg_prbs = 2, precoder = "rzf",
                        normalization = "total", srs_estimation = "delay", scs_khz = 30, standard = "nr"))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        n_antennas: usize,
        n_layers: usize,
        n_prb: usize,
        srs_pilots: PyReadonlyArray3<'_, Complex32>,
        prg_prbs: usize,
        precoder: &str,
        normalization: &str,
        srs_estimation: &str,
        scs_khz: u32,
        standard: &str,
    ) -> PyResult<Self> {
        let (n_cand, _, _) = dims3("srs_pilots [n_candidates, 14, n_sc]", srs_pilots.shape())?;
        let cfg = DownlinkConfig {
            n_ant: n_antennas,
            n_candidates: n_cand,
            n_layers,
            n_prb,
            prg_prbs,
            precoder: match precoder {
                "mrt" => PrecoderKind::Mrt,
                "zf" => PrecoderKind::Zf,
                "rzf" => PrecoderKind::Rzf,
                p => {
                    return Err(value_err(format!(
                        "precoder = {p:?}: expected 'mrt', 'zf' or 'rzf'"
                    )));
                }
            },
            normalization: self::normalization(normalization)?,
            srs_estimation: match srs_estimation {
                "delay" => SrsEstimation::DelayDomain,
                "block" => SrsEstimation::BlockLmmse,
                s => {
                    return Err(value_err(format!(
                        "srs_estimation = {s:?}: expected 'delay' or 'block'"
                    )));
                }
            },
        };
        let o = ofdm(n_prb, scs_khz, standard)?;
        let p = ArrayView3::from_shape(
            dims3("srs_pilots", srs_pilots.shape())?,
            slice("srs_pilots", &srs_pilots)?,
        )
        .map_err(|e| value_err(e.to_string()))?;
        let inner = massive_mimo::link::DownlinkSlot::new(cfg, p, &o).map_err(lib_err)?;
        Ok(Self {
            inner: Mutex::new(inner),
            n_ant: n_antennas,
            n_sc: o.n_sc,
            k: AtomicUsize::new(0),
        })
    }

    /// Estimates every candidate's channel from the received sounding grid
    /// complex64[n_antennas, 14, n_sc]; noise measured from the pilots when `noise_var` is None.
    #[pyo3(signature = (srs_rx, noise_var = None))]
    fn sound(
        &self,
        py: Python<'_>,
        srs_rx: PyReadonlyArray3<'_, Complex32>,
        noise_var: Option<f32>,
    ) -> PyResult<()> {
        let d = dims3("srs_rx [n_antennas, 14, n_sc]", srs_rx.shape())?;
        expect_shape(
            "srs_rx [n_antennas, 14, n_sc]",
            d,
            (self.n_ant, 14, self.n_sc),
        )?;
        let rx = ArrayView3::from_shape(d, slice("srs_rx", &srs_rx)?)
            .map_err(|e| value_err(e.to_string()))?;
        py.detach(|| {
            lock(&self.inner)?
                .sound(rx, noise_var)
                .map(|_| ())
                .map_err(lib_err)
        })
    }

    /// Weights for the candidates `users` (stream j serves users[j]) on every PRB.
    fn compute_weights(&self, py: Python<'_>, users: Vec<usize>, noise_var: f32) -> PyResult<()> {
        py.detach(|| {
            let mut inner = lock(&self.inner)?;
            self.k.store(0, Ordering::Relaxed);
            inner.compute_weights(&users, noise_var).map_err(lib_err)?;
            self.k.store(users.len(), Ordering::Relaxed);
            Ok(())
        })
    }

    /// Weights of the last `compute_weights`: complex64[n_prg, n_antennas, k].
    fn weights<'py>(&self, py: Python<'py>) -> PyResult<Arr3<'py, Complex32>> {
        let inner = lock(&self.inner)?;
        let w = inner.weights();
        let d = w.dim();
        out3(py, w.iter().copied().collect(), d)
    }

    /// Precodes layers complex64[k, 14, n_sc] into the antenna grid
    /// complex64[n_antennas, 14, n_sc].
    fn precode<'py>(
        &self,
        py: Python<'py>,
        layers: PyReadonlyArray3<'py, Complex32>,
    ) -> PyResult<Arr3<'py, Complex32>> {
        let d = dims3("layers [k, 14, n_sc]", layers.shape())?;
        expect_shape(
            "layers [k of the last weights, 14, n_sc]",
            d,
            (self.k.load(Ordering::Relaxed), 14, self.n_sc),
        )?;
        let x = ArrayView3::from_shape(d, slice("layers", &layers)?)
            .map_err(|e| value_err(e.to_string()))?;
        let (n_ant, n_sc) = (self.n_ant, self.n_sc);
        let mut g = vec![C32::new(0.0, 0.0); n_ant * 14 * n_sc];
        py.detach(|| {
            let gv = ArrayViewMut3::from_shape((n_ant, 14, n_sc), &mut g[..])
                .map_err(|e| value_err(e.to_string()))?;
            lock(&self.inner)?.precode(x, gv).map_err(lib_err)
        })?;
        out3(py, g, (n_ant, 14, n_sc))
    }

    /// OFDM-modulates the antenna grid → waveform complex64[n_antennas, samples].
    fn modulate<'py>(
        &self,
        py: Python<'py>,
        grid: PyReadonlyArray3<'py, Complex32>,
    ) -> PyResult<Arr2<'py, Complex32>> {
        let d = dims3("grid [n_antennas, 14, n_sc]", grid.shape())?;
        expect_shape(
            "grid [n_antennas, 14, n_sc]",
            d,
            (self.n_ant, 14, self.n_sc),
        )?;
        let g = ArrayView3::from_shape(d, slice("grid", &grid)?)
            .map_err(|e| value_err(e.to_string()))?;
        let n = lock(&self.inner)?.waveform_len();
        let mut w = vec![C32::new(0.0, 0.0); d.0 * n];
        py.detach(|| {
            let wv = ArrayViewMut2::from_shape((d.0, n), &mut w[..])
                .map_err(|e| value_err(e.to_string()))?;
            lock(&self.inner)?.modulate(g, wv).map_err(lib_err)
        })?;
        out2(py, w, (d.0, n))
    }

    /// Streams of the last weights.
    #[getter]
    fn layers(&self) -> usize {
        self.k.load(Ordering::Relaxed)
    }
}

/// Uplink slot processor: OFDM (or a frequency-domain grid) → DMRS estimation → ZF / MMSE /
/// MMSE-IRC per PRB → LLRs.
#[pyclass(module = "massive_mimo._native")]
struct UplinkSlot {
    inner: Mutex<massive_mimo::link::UplinkSlot>,
}

#[pymethods]
impl UplinkSlot {
    /// `dmrs_pilots` complex64[n_ports, 14, 12·n_prb] (e.g. from `dmrs_pilots`);
    /// `filter_subcarriers` 1, 2, 3, 4 or 6: one MMSE / ZF detection filter per that many
    /// subcarriers (no IRC), 0: per PRB with IRC available.
    #[new]
    #[pyo3(signature = (n_antennas, dmrs_pilots, scs_khz = 30, standard = "nr", filter_subcarriers = 0))]
    fn new(
        n_antennas: usize,
        dmrs_pilots: PyReadonlyArray3<'_, Complex32>,
        scs_khz: u32,
        standard: &str,
        filter_subcarriers: usize,
    ) -> PyResult<Self> {
        let d = dims3("dmrs_pilots [n_ports, 14, n_sc]", dmrs_pilots.shape())?;
        if d.2 % 12 != 0 {
            return Err(value_err(format!(
                "dmrs_pilots: {} subcarriers is not whole PRBs",
                d.2
            )));
        }
        let p = ArrayView3::from_shape(d, slice("dmrs_pilots", &dmrs_pilots)?)
            .map_err(|e| value_err(e.to_string()))?;
        let o = ofdm(d.2 / 12, scs_khz, standard)?;
        let pattern = PilotPattern::from_pilots(p).map_err(lib_err)?;
        let inner = massive_mimo::link::UplinkSlot::new(n_antennas, pattern, &o)
            .and_then(|s| match filter_subcarriers {
                0 => s.with_default_irc(),
                f => s.with_sub_prb_filters(f),
            })
            .map_err(lib_err)?;
        Ok(Self {
            inner: Mutex::new(inner),
        })
    }

    /// Sets the received frequency-domain grid complex64[n_antennas, 14, n_sc].
    fn set_grid(&self, grid: PyReadonlyArray3<'_, Complex32>) -> PyResult<()> {
        let d = dims3("grid [n_antennas, 14, n_sc]", grid.shape())?;
        let g = ArrayView3::from_shape(d, slice("grid", &grid)?)
            .map_err(|e| value_err(e.to_string()))?;
        let mut inner = lock(&self.inner)?;
        let mut dst = inner.grid_mut();
        if dst.dim() != d {
            return Err(value_err(format!(
                "grid has shape {:?}, expected {:?}",
                d,
                dst.dim()
            )));
        }
        dst.assign(&g);
        Ok(())
    }

    /// OFDM-demodulates the waveform complex64[n_antennas, samples] into the slot's grid.
    fn demodulate(&self, py: Python<'_>, wave: PyReadonlyArray2<'_, Complex32>) -> PyResult<()> {
        let s = wave.shape().to_vec();
        let w = ArrayView2::from_shape((s[0], s[1]), slice("wave", &wave)?)
            .map_err(|e| value_err(e.to_string()))?;
        py.detach(|| lock(&self.inner)?.demodulate(w).map_err(lib_err))
    }

    /// DMRS estimation and per-PRB detection of every port; noise measured when `noise_var`
    /// is None. Returns the detected layers complex64[k, 14, n_sc].
    #[pyo3(signature = (method = "mmse", unbiased = true, noise_var = None))]
    fn detect<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        unbiased: bool,
        noise_var: Option<f32>,
    ) -> PyResult<Arr3<'py, Complex32>> {
        let m = detector_method(method, unbiased)?;
        let (v, d) = py.detach(|| -> PyResult<_> {
            let mut inner = lock(&self.inner)?;
            inner.detect(m, noise_var).map_err(lib_err)?;
            let x = inner.layers();
            Ok((x.iter().copied().collect::<Vec<_>>(), x.dim()))
        })?;
        out3(py, v, d)
    }

    /// Max-log LLRs of `layer` on OFDM symbol `symbol` (a data symbol: not one the DMRS fills
    /// whole, which detection skips) for modulation order `qm` → float32[n_sc·qm].
    fn llrs<'py>(
        &self,
        py: Python<'py>,
        qm: u32,
        layer: usize,
        symbol: usize,
    ) -> PyResult<Arr1<'py, f32>> {
        let m = modulation(qm)?;
        let mut inner = lock(&self.inner)?;
        let n_sc = inner.grid().dim().2;
        let mut llr = vec![0.0f32; n_sc * qm as usize];
        inner.llrs(m, layer, symbol, &mut llr).map_err(lib_err)?;
        Ok(PyArray1::from_vec(py, llr))
    }
}

/// Runs the simulated cell (the three-carrier example's chain) for a scenario dict and
/// returns per-carrier results as NumPy arrays. Keys (all optional): rat 'lte' | 'nr',
/// carriers (1–3), users, streams, array 'ROWSxCOLS' (dual-polarised), precoder, channel
/// ('uma', 'umi', 'rma': a 38.901 §7.5 drop with a link budget; 'cluster', 'cluster_los',
/// 'epa', 'eva', 'etu', 'rayleigh' at dl_snr_db / ul_snr_db), placement ('sector' |
/// 'field_test', 38.901 channels), interference (bool, default: True for 'sector'),
/// ul_interference (bool, default False: the uplink interference over thermal of the 20
/// surrounding sectors' users),
/// bs_power_dbm, chains ('ideal' | 'uncalibrated' | 'calibrated'), weight_subcarriers (0 or
/// 1, 2, 3, 4, 6), filter_subcarriers (uplink detection filters per 1, 2, 3, 4, 6
/// subcarriers; 0: per PRB), perfect_csi, periods, dl_snr_db, ul_snr_db, seed, threads, ue_antennas
/// (1, 2, 4), ue_receiver ('irc' | 'mrc'), srs_switching (bool), prg_prbs (PRBs per
/// precoding resource group; default 1 on LTE, 2 on NR), ue_estimation ('prg': the users'
/// filters inside each PRG, default | 'wideband').
#[pyfunction]
fn simulate<'py>(py: Python<'py>, scenario: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyDict>> {
    use massive_mimo::array::PanelArray;
    use massive_mimo::carrier::{CarrierAggregation, ComponentCarrier, Duplex, Rat};
    use massive_mimo_sim::channel::{ProfileParams, TdlProfile};
    use massive_mimo_sim::{ChannelKind, Csi};
    fn get<'py, T>(d: &Bound<'py, PyDict>, k: &str, default: T) -> PyResult<T>
    where
        T: for<'a> FromPyObject<'a, 'py>,
    {
        match d.get_item(k)? {
            Some(v) if !v.is_none() => v.extract::<T>().map_err(|e| {
                let e: PyErr = e.into();
                PyTypeError::new_err(format!("scenario[{k:?}]: {e}"))
            }),
            _ => Ok(default),
        }
    }
    const KEYS: [&str; 26] = [
        "rat",
        "carriers",
        "users",
        "streams",
        "array",
        "precoder",
        "channel",
        "perfect_csi",
        "periods",
        "dl_snr_db",
        "ul_snr_db",
        "seed",
        "threads",
        "mcs_margin_db",
        "placement",
        "interference",
        "ul_interference",
        "bs_power_dbm",
        "chains",
        "weight_subcarriers",
        "filter_subcarriers",
        "ue_antennas",
        "ue_receiver",
        "ue_estimation",
        "prg_prbs",
        "srs_switching",
    ];
    for k in scenario.keys() {
        let k: String = k.extract()?;
        if !KEYS.contains(&k.as_str()) {
            return Err(value_err(format!(
                "scenario: unknown key {k:?} (known: {KEYS:?})"
            )));
        }
    }
    let nr = match get(scenario, "rat", "lte".to_string())?.as_str() {
        "lte" => false,
        "nr" => true,
        r => {
            return Err(value_err(format!(
                "scenario['rat'] = {r:?}: expected 'lte' or 'nr'"
            )));
        }
    };
    let n_carriers: usize = get(scenario, "carriers", 3)?;
    let users: usize = get(scenario, "users", 16)?;
    let array_s: String = get(scenario, "array", "8x4".to_string())?;
    let (rows, cols) = array_s
        .split_once('x')
        .and_then(|(r, c)| Some((r.parse::<usize>().ok()?, c.parse::<usize>().ok()?)))
        .ok_or_else(|| {
            value_err(format!(
                "scenario['array'] = {array_s:?}: expected 'ROWSxCOLS'"
            ))
        })?;
    let design_hz = if nr { 3.5e9 } else { 2.6e9 };
    let array = PanelArray::cross_polarized(rows, cols).map_err(lib_err)?;
    let carriers = (0..n_carriers)
        .map(|i| {
            if nr {
                let pattern = "DDDSU".parse().map_err(lib_err)?;
                ComponentCarrier::new(
                    Rat::Nr,
                    77,
                    (3350.0 + 100.0 * i as f64) * 1e6,
                    100.0,
                    30,
                    Duplex::NrTdd(pattern),
                    array,
                    design_hz,
                )
                .map_err(lib_err)
            } else {
                ComponentCarrier::td_lte_band41(2575.0 + 20.0 * i as f64, array, design_hz)
                    .map_err(lib_err)
            }
        })
        .collect::<PyResult<Vec<_>>>()?;
    let ca = CarrierAggregation::new(carriers).map_err(lib_err)?;
    let mut sc = massive_mimo_sim::CellScenario::reference(users);
    sc.n_streams = get(scenario, "streams", users)?;
    sc.precoder = match get(scenario, "precoder", "rzf".to_string())?.as_str() {
        "rzf" => PrecoderKind::Rzf,
        "zf" => PrecoderKind::Zf,
        "mrt" => PrecoderKind::Mrt,
        p => {
            return Err(value_err(format!(
                "scenario['precoder'] = {p:?}: expected 'rzf', 'zf' or 'mrt'"
            )));
        }
    };
    let channel_name = get(scenario, "channel", "cluster".to_string())?;
    let tr38901 = match channel_name.as_str() {
        "uma" => Some(massive_mimo_sim::channel::stochastic::Scenario::UMa),
        "umi" => Some(massive_mimo_sim::channel::stochastic::Scenario::UMiStreetCanyon),
        "rma" => Some(massive_mimo_sim::channel::stochastic::Scenario::RMa),
        _ => None,
    };
    sc.channel = match channel_name.as_str() {
        "uma" | "umi" | "rma" => ChannelKind::Rayleigh, // replaced by the drop below
        "cluster" => ChannelKind::Cluster(ProfileParams::default()),
        "cluster_los" => ChannelKind::Cluster(ProfileParams {
            los_k_db: Some(9.0),
            ..ProfileParams::default()
        }),
        "epa" => ChannelKind::Tdl(TdlProfile::epa()),
        "eva" => ChannelKind::Tdl(TdlProfile::eva()),
        "etu" => ChannelKind::Tdl(TdlProfile::etu()),
        "rayleigh" => ChannelKind::Rayleigh,
        c => {
            return Err(value_err(format!(
                "scenario['channel'] = {c:?}: unknown channel"
            )));
        }
    };
    sc.csi = if get(scenario, "perfect_csi", false)? {
        Csi::Perfect
    } else {
        Csi::Srs
    };
    sc.periods = get(scenario, "periods", if nr { 4 } else { 1 })?;
    sc.dl_snr_db = get(scenario, "dl_snr_db", sc.dl_snr_db)?;
    sc.ul_snr_db = get(scenario, "ul_snr_db", sc.ul_snr_db)?;
    sc.mcs_margin_db = get(scenario, "mcs_margin_db", sc.mcs_margin_db)?;
    sc.seed = get(scenario, "seed", sc.seed)?;
    sc.weight_subcarriers = get(scenario, "weight_subcarriers", 0usize)?;
    sc.filter_subcarriers = get(scenario, "filter_subcarriers", 0usize)?;
    sc.prg_prbs = get(scenario, "prg_prbs", if nr { 2usize } else { 1 })?;
    sc.ue_estimation = massive_mimo_sim::UeEstimation::from_name(&get(
        scenario,
        "ue_estimation",
        "prg".to_string(),
    )?)
    .map_err(lib_err)?;
    sc.ue_array =
        massive_mimo_sim::channel::UeArray::with_antennas(get(scenario, "ue_antennas", 1usize)?)
            .map_err(lib_err)?;
    sc.ue_receiver =
        massive_mimo_sim::UeReceiver::from_name(&get(scenario, "ue_receiver", "irc".to_string())?)
            .map_err(lib_err)?;
    if get(scenario, "srs_switching", false)? {
        sc.srs_antennas = massive_mimo_sim::SrsAntennas::Switching;
    }
    sc.reciprocity = match get(scenario, "chains", "calibrated".to_string())?.as_str() {
        "ideal" => None,
        c @ ("uncalibrated" | "calibrated") => {
            use massive_mimo_sim::calibration::{ChainMismatch, OverTheAir};
            use rand::SeedableRng;
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(sc.seed ^ 0xC4A1);
            Some(massive_mimo_sim::Reciprocity {
                mismatch: ChainMismatch::random(&mut rng, array.len(), 1.0, 5.0)
                    .map_err(lib_err)?,
                calibration: (c == "calibrated").then(OverTheAir::default),
            })
        }
        c => {
            return Err(value_err(format!(
                "scenario['chains'] = {c:?}: expected 'ideal', 'uncalibrated' or 'calibrated'"
            )));
        }
    };
    // A 38.901 drop: users placed, links drawn, the link budget in the scenario.
    let mut budget: Option<massive_mimo_sim::link_budget::DropCell> = None;
    if let Some(scn) = tr38901 {
        use massive_mimo_sim::channel::stochastic::{
            DropConfig, Site, drop_users, field_test_users,
        };
        use massive_mimo_sim::link_budget::{DropSetup, LinkBudget, cell_from_drop};
        use rand::SeedableRng;
        let field = match get(scenario, "placement", "sector".to_string())?.as_str() {
            "sector" => false,
            "field_test" => true,
            p => {
                return Err(value_err(format!(
                    "scenario['placement'] = {p:?}: expected 'sector' or 'field_test'"
                )));
            }
        };
        let first = &ca.carriers()[0];
        let setup = DropSetup {
            site: Site::new(scn, first.centre_hz() / 1e9),
            array,
            array_design_hz: design_hz,
            budget: LinkBudget {
                ul_target_snr_db: if field { None } else { Some(10.0) },
                ..LinkBudget::macro_cell(
                    get(scenario, "bs_power_dbm", if nr { 53.0 } else { 46.0 })?,
                    first.n_sc(),
                    f64::from(first.scs_khz()) * 1e3,
                )
            },
            interference: get(scenario, "interference", !field)?,
            ul_interference: get(scenario, "ul_interference", false)?,
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(sc.seed ^ 0x3890_1075);
        let placed = if field {
            field_test_users(users)
        } else {
            drop_users(&mut rng, &setup.site, &DropConfig::sector(scn, users)).map_err(lib_err)?
        };
        sc.normalization = massive_mimo::precoding::Normalization::Column;
        let d = cell_from_drop(&mut rng, &setup, &placed, &sc).map_err(lib_err)?;
        sc = d.scenario.clone();
        budget = Some(d);
    }
    let threads: Option<usize> = get(scenario, "threads", None)?;
    let results = py
        .detach(|| massive_mimo_sim::simulate_aggregation(&ca, &sc, threads))
        .map_err(lib_err)?;
    let out = PyDict::new(py);
    if let Some(d) = &budget {
        let col = |f: &dyn Fn(&massive_mimo_sim::link_budget::UserBudget) -> f64| -> Vec<f64> {
            d.users.iter().map(f).collect()
        };
        out.set_item(
            "coupling_loss_db",
            PyArray1::from_vec(py, col(&|u| u.coupling_loss_db)),
        )?;
        out.set_item("dl_snr_db", PyArray1::from_vec(py, col(&|u| u.dl_snr_db)))?;
        out.set_item("dl_inr_db", PyArray1::from_vec(py, col(&|u| u.dl_inr_db)))?;
        out.set_item("ul_snr_db", PyArray1::from_vec(py, col(&|u| u.ul_snr_db)))?;
        out.set_item("ul_iot_db", d.ul_iot_db)?;
    }
    let list = PyList::empty(py);
    let (mut dl_total, mut ul_total) = (0.0, 0.0);
    for r in &results {
        let d = PyDict::new(py);
        d.set_item("carrier", r.carrier)?;
        d.set_item("centre_hz", r.centre_hz)?;
        for (prefix, streams) in [("", &r.streams), ("uplink_", &r.uplink)] {
            let col = |f: &dyn Fn(&massive_mimo_sim::StreamResult) -> f64| -> Vec<f64> {
                streams.iter().map(f).collect()
            };
            d.set_item(
                format!("{prefix}user"),
                PyArray1::from_vec(py, streams.iter().map(|s| s.user as i64).collect()),
            )?;
            d.set_item(
                format!("{prefix}sinr_db"),
                PyArray1::from_vec(py, col(&|s| s.sinr_db)),
            )?;
            d.set_item(
                format!("{prefix}predicted_sinr_db"),
                PyArray1::from_vec(py, col(&|s| s.predicted_sinr_db)),
            )?;
            d.set_item(
                format!("{prefix}evm_pct"),
                PyArray1::from_vec(py, col(&|s| s.evm_pct)),
            )?;
            d.set_item(
                format!("{prefix}ber"),
                PyArray1::from_vec(py, col(&|s| s.ber)),
            )?;
            d.set_item(
                format!("{prefix}bler"),
                PyArray1::from_vec(py, col(&|s| s.bler)),
            )?;
            d.set_item(
                format!("{prefix}mcs"),
                PyArray1::from_vec(
                    py,
                    streams
                        .iter()
                        .map(|s| s.mcs.map_or(-1, i64::from))
                        .collect(),
                ),
            )?;
            d.set_item(
                format!("{prefix}throughput_mbps"),
                PyArray1::from_vec(py, col(&|s| s.throughput_mbps)),
            )?;
        }
        d.set_item("total_throughput_mbps", r.throughput_mbps)?;
        d.set_item("uplink_total_throughput_mbps", r.uplink_throughput_mbps)?;
        dl_total += r.throughput_mbps;
        ul_total += r.uplink_throughput_mbps;
        list.append(d)?;
    }
    out.set_item("carriers", list)?;
    out.set_item("total_throughput_mbps", dl_total)?;
    out.set_item("uplink_total_throughput_mbps", ul_total)?;
    Ok(out)
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(simd_backend, m)?)?;
    m.add_function(wrap_pyfunction!(gold, m)?)?;
    m.add_function(wrap_pyfunction!(qam_map, m)?)?;
    m.add_function(wrap_pyfunction!(qam_demap, m)?)?;
    m.add_function(wrap_pyfunction!(steering_vector, m)?)?;
    m.add_function(wrap_pyfunction!(rzf_weights, m)?)?;
    m.add_function(wrap_pyfunction!(mimo_filters, m)?)?;
    m.add_function(wrap_pyfunction!(bfp_compress, m)?)?;
    m.add_function(wrap_pyfunction!(bfp_decompress, m)?)?;
    m.add_function(wrap_pyfunction!(nr_tbs, m)?)?;
    m.add_function(wrap_pyfunction!(lte_tbs, m)?)?;
    m.add_function(wrap_pyfunction!(srs_pilots, m)?)?;
    m.add_function(wrap_pyfunction!(dmrs_pilots, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_class::<DownlinkSlot>()?;
    m.add_class::<UplinkSlot>()?;
    Ok(())
}
