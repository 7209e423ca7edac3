//! The kernel registry of the vector runner: name → function from parameters and input arrays
//! to output arrays. Later blocks add their kernels to [`lookup`].
//!
//! Kernels of this module (contract in `../shared/VECTORS.md` and `vectors/README.md`):
//! `gold`, `qam_map`, `qam_demap`, `low_papr`, `ofdm_modulate`, `ofdm_demodulate`, `tbs_nr`,
//! `steering_vector`, `codebook_type1` (ranks 1–2), `beam_pattern` (contract in
//! `vectors/README.md`), `precoder_rzf`, `precoder_apply` (contract in `vectors/README.md`),
//! `equalize`, `equalize_irc`, `dmrs` (contracts in `vectors/README.md`), `chest`,
//! `bfp_compress`, `bfp_decompress` (O-RAN block floating point, `../shared/FRONTHAUL.md`).

use std::collections::BTreeMap;

use ndarray::{Array2, ArrayD};

use super::Array;
use massive_mimo::C32;
use massive_mimo::array::PlanarArray;
use massive_mimo::beamforming::{BeamPatternElement, TypeISinglePanel, beam_pattern_db};
use massive_mimo::fronthaul::{Bfp, IqWidth};
use massive_mimo::modulation::{DemapMethod, Modulation, demap, map};
use massive_mimo::ofdm::{CyclicPrefix, OfdmConfig, OfdmDemodulator, OfdmModulator, Standard};
use massive_mimo::rate::{NrTbsInput, PrbScaling, lte_tbs, nr_tbs};
use massive_mimo::sequence::{Gold, LowPaprStandard, low_papr_sequence_in};

/// Outputs of a kernel, by name.
pub type Outputs = BTreeMap<&'static str, Array>;
/// A kernel: parameters and inputs to outputs, or the reason it could not run.
pub type KernelFn = fn(&Params<'_>, &Inputs<'_>) -> Result<Outputs, String>;

/// The kernel registered under `name`.
pub fn lookup(name: &str) -> Option<KernelFn> {
    Some(match name {
        "gold" => gold,
        "qam_map" => qam_map,
        "qam_demap" => qam_demap,
        "low_papr" => low_papr,
        "ofdm_modulate" => ofdm_modulate,
        "ofdm_demodulate" => ofdm_demodulate,
        "tbs_nr" => tbs_nr,
        "tbs_lte" => tbs_lte,
        "steering_vector" => steering_vector,
        "codebook_type1" => codebook_type1,
        "beam_pattern" => beam_pattern,
        "precoder_rzf" => precoder_rzf,
        "equalize" => equalize,
        "chest" => chest,
        "precoder_apply" => precoder_apply,
        "equalize_irc" => equalize_irc,
        "dmrs" => dmrs,
        "bfp_compress" => bfp_compress,
        "bfp_decompress" => bfp_decompress,
        _ => return None,
    })
}

/// Names of every registered kernel.
pub const KERNELS: [&str; 17] = [
    "gold",
    "qam_map",
    "qam_demap",
    "low_papr",
    "ofdm_modulate",
    "ofdm_demodulate",
    "tbs_nr",
    "tbs_lte",
    "steering_vector",
    "codebook_type1",
    "beam_pattern",
    "precoder_rzf",
    "equalize",
    "chest",
    "precoder_apply",
    "equalize_irc",
    "dmrs",
];

/// Typed access to a case's parameters; a missing or mistyped one names itself.
pub struct Params<'a>(pub &'a toml::Table);

impl Params<'_> {
    fn get(&self, key: &str) -> Result<&toml::Value, String> {
        self.0
            .get(key)
            .ok_or_else(|| format!("missing parameter `{key}`"))
    }

    /// A number (integer or float).
    pub fn f64(&self, key: &str) -> Result<f64, String> {
        match self.get(key)? {
            toml::Value::Float(f) => Ok(*f),
            toml::Value::Integer(i) => Ok(*i as f64),
            v => Err(format!("parameter `{key}` = {v} is not a number")),
        }
    }

    /// A non-negative integer.
    pub fn u64(&self, key: &str) -> Result<u64, String> {
        match self.get(key)? {
            toml::Value::Integer(i) if *i >= 0 => Ok(*i as u64),
            v => Err(format!(
                "parameter `{key}` = {v} is not a non-negative integer"
            )),
        }
    }

    /// A non-negative integer that fits `usize`/`u32`.
    pub fn usize(&self, key: &str) -> Result<usize, String> {
        usize::try_from(self.u64(key)?).map_err(|_| format!("parameter `{key}` is too large"))
    }

    /// A non-negative integer that fits `u32`.
    pub fn u32(&self, key: &str) -> Result<u32, String> {
        u32::try_from(self.u64(key)?).map_err(|_| format!("parameter `{key}` does not fit 32 bits"))
    }

    /// A string.
    pub fn str(&self, key: &str) -> Result<&str, String> {
        match self.get(key)? {
            toml::Value::String(s) => Ok(s),
            v => Err(format!("parameter `{key}` = {v} is not a string")),
        }
    }

    /// An optional string: `None` when the parameter is absent.
    pub fn opt_str(&self, key: &str) -> Result<Option<&str>, String> {
        if self.0.contains_key(key) {
            self.str(key).map(Some)
        } else {
            Ok(None)
        }
    }

    /// A boolean.
    pub fn bool(&self, key: &str) -> Result<bool, String> {
        match self.get(key)? {
            toml::Value::Boolean(b) => Ok(*b),
            v => Err(format!("parameter `{key}` = {v} is not a boolean")),
        }
    }
}

/// Typed access to a case's input arrays.
pub struct Inputs<'a>(pub &'a BTreeMap<String, Array>);

impl Inputs<'_> {
    fn get(&self, key: &str) -> Result<&Array, String> {
        self.0
            .get(key)
            .ok_or_else(|| format!("missing input `{key}`"))
    }

    /// A complex64 input.
    pub fn c64(&self, key: &str) -> Result<&ArrayD<C32>, String> {
        match self.get(key)? {
            Array::C64(a) => Ok(a),
            a => Err(format!(
                "input `{key}` is {}, expected complex64",
                a.dtype()
            )),
        }
    }

    /// A complex64 input of a fixed number of axes; `axes` names them for the error, e.g.
    /// `"[n_re, n_rx, n_l]"`.
    pub fn c64_dim<D: ndarray::Dimension>(
        &self,
        key: &str,
        axes: &str,
    ) -> Result<ndarray::ArrayView<'_, C32, D>, String> {
        let a = self.c64(key)?;
        a.view()
            .into_dimensionality::<D>()
            .map_err(|_| format!("{key} has shape {:?}, expected {axes}", a.shape()))
    }

    /// A float32 input.
    pub fn f32(&self, key: &str) -> Result<&ArrayD<f32>, String> {
        match self.get(key)? {
            Array::F32(a) => Ok(a),
            a => Err(format!("input `{key}` is {}, expected float32", a.dtype())),
        }
    }

    /// An int16 input.
    pub fn i16(&self, key: &str) -> Result<&ArrayD<i16>, String> {
        match self.get(key)? {
            Array::I16(a) => Ok(a),
            a => Err(format!("input `{key}` is {}, expected int16", a.dtype())),
        }
    }

    /// A uint8 input.
    pub fn u8(&self, key: &str) -> Result<&ArrayD<u8>, String> {
        match self.get(key)? {
            Array::U8(a) => Ok(a),
            a => Err(format!("input `{key}` is {}, expected uint8", a.dtype())),
        }
    }
}

fn err(e: massive_mimo::Error) -> String {
    e.to_string()
}

fn vec1<T>(v: Vec<T>) -> ArrayD<T> {
    ndarray::Array1::from_vec(v).into_dyn()
}

fn flat<T: Clone>(a: &ArrayD<T>) -> Vec<T> {
    a.iter().cloned().collect()
}

fn gold(p: &Params<'_>, _: &Inputs<'_>) -> Result<Outputs, String> {
    let c_init = p.u64("c_init")?;
    let c_init = u32::try_from(c_init)
        .ok()
        .filter(|c| *c < 1 << 31)
        .ok_or(format!("c_init = {c_init} exceeds 2^31 − 1"))?;
    let mut bits = vec![0u8; p.usize("length")?];
    Gold::new(c_init).fill_bits(&mut bits);
    Ok(Outputs::from([("bits", Array::U8(vec1(bits)))]))
}

fn modulation(p: &Params<'_>) -> Result<Modulation, String> {
    p.str("modulation")?.parse().map_err(err)
}

fn qam_map(p: &Params<'_>, i: &Inputs<'_>) -> Result<Outputs, String> {
    let m = modulation(p)?;
    let bits = flat(i.u8("bits")?);
    let qm = m.bits_per_symbol();
    if bits.len() % qm != 0 {
        return Err(format!(
            "{} bits are not a multiple of Q_m = {qm}",
            bits.len()
        ));
    }
    let mut out = vec![C32::new(0.0, 0.0); bits.len() / qm];
    map(m, &bits, &mut out).map_err(err)?;
    Ok(Outputs::from([("symbols", Array::C64(vec1(out)))]))
}

fn qam_demap(p: &Params<'_>, i: &Inputs<'_>) -> Result<Outputs, String> {
    let m = modulation(p)?;
    let method: DemapMethod = p.str("method")?.parse().map_err(err)?;
    let y = flat(i.c64("symbols")?);
    let nv = flat(i.f32("noise_var")?);
    let mut llr = vec![0.0f32; y.len() * m.bits_per_symbol()];
    demap(m, method, &y, &nv, &mut llr).map_err(err)?;
    Ok(Outputs::from([("llr", Array::F32(vec1(llr)))]))
}

fn low_papr(p: &Params<'_>, _: &Inputs<'_>) -> Result<Outputs, String> {
    let standard = match p.opt_str("standard")? {
        None | Some("nr" | "NR") => LowPaprStandard::Nr,
        Some("lte" | "LTE") => LowPaprStandard::Lte,
        Some(s) => return Err(format!("parameter `standard` = {s} is not nr or lte")),
    };
    let mut r = vec![C32::new(0.0, 0.0); p.usize("m_zc")?];
    low_papr_sequence_in(standard, p.u32("u")?, p.u32("v")?, p.f64("alpha")?, &mut r)
        .map_err(err)?;
    Ok(Outputs::from([("sequence", Array::C64(vec1(r)))]))
}

fn ofdm_config(p: &Params<'_>, n_symbols: usize, n_sc: usize) -> Result<OfdmConfig, String> {
    let standard = match p.str("standard")? {
        "nr" | "NR" => Standard::Nr,
        "lte" | "LTE" => Standard::Lte,
        s => return Err(format!("parameter `standard` = {s} is not nr or lte")),
    };
    let cyclic_prefix = match p.str("cyclic_prefix")? {
        "normal" => CyclicPrefix::Normal,
        "extended" => CyclicPrefix::Extended,
        s => {
            return Err(format!(
                "parameter `cyclic_prefix` = {s} is not normal or extended"
            ));
        }
    };
    Ok(OfdmConfig {
        standard,
        scs_khz: p.u32("scs_khz")?,
        n_fft: p.usize("n_fft")?,
        n_sc,
        n_symbols,
        cyclic_prefix,
        slot: p.u32("slot")?,
        scale: p.f64("scale")? as f32,
    })
}

fn ofdm_modulate(p: &Params<'_>, i: &Inputs<'_>) -> Result<Outputs, String> {
    let grid = i.c64_dim::<ndarray::Ix2>("grid", "[n_sym, n_sc]")?;
    let cfg = ofdm_config(p, grid.dim().0, grid.dim().1)?;
    let mut m = OfdmModulator::new(&cfg).map_err(err)?;
    let mut out = vec![C32::new(0.0, 0.0); m.output_len()];
    m.process(grid, &mut out).map_err(err)?;
    Ok(Outputs::from([("waveform", Array::C64(vec1(out)))]))
}

fn ofdm_demodulate(p: &Params<'_>, i: &Inputs<'_>) -> Result<Outputs, String> {
    let wave = flat(i.c64("waveform")?);
    let cfg = ofdm_config(p, p.usize("n_symbols")?, p.usize("n_sc")?)?;
    let mut d = OfdmDemodulator::new(&cfg, p.f64("window")?).map_err(err)?;
    let mut grid = Array2::zeros((cfg.n_symbols, cfg.n_sc));
    d.process(&wave, grid.view_mut()).map_err(err)?;
    Ok(Outputs::from([("grid", Array::C64(grid.into_dyn()))]))
}

fn tbs_nr(p: &Params<'_>, _: &Inputs<'_>) -> Result<Outputs, String> {
    let input = NrTbsInput {
        modulation: modulation(p)?,
        code_rate: p.f64("target_code_rate")?,
        layers: p.u32("layers")?,
        n_prb: p.u32("n_prb")?,
        n_re_per_prb: p.u32("n_re_per_prb")?,
        x_overhead: p.u32("x_overhead")?,
    };
    let tbs = nr_tbs(&input).map_err(err)?;
    Ok(Outputs::from([(
        "tbs",
        Array::I64(vec1(vec![i64::from(tbs)])),
    )]))
}

fn tbs_lte(p: &Params<'_>, _: &Inputs<'_>) -> Result<Outputs, String> {
    let scaling = PrbScaling::from_factor(p.f64("prb_scale")?).map_err(err)?;
    let tbs = lte_tbs(p.u32("i_tbs")?, p.u32("n_prb")?, p.u32("layers")?, scaling).map_err(err)?;
    Ok(Outputs::from([(
        "tbs",
        Array::I64(vec1(vec![i64::from(tbs)])),
    )]))
}

fn iq_width(p: &Params<'_>) -> Result<IqWidth, String> {
    IqWidth::new(p.u32("iq_width")?).map_err(err)
}

fn bfp_compress(p: &Params<'_>, i: &Inputs<'_>) -> Result<Outputs, String> {
    let width = iq_width(p)?;
    let iq = i.i16("iq")?;
    if iq.ndim() != 3 || iq.shape()[1..] != [12, 2] {
        return Err(format!(
            "input `iq` has shape {:?}, expected [n_prb, 12, 2]",
            iq.shape()
        ));
    }
    let n = iq.shape()[0];
    let codec = Bfp::new(width);
    let mut payload = vec![0u8; n * width.prb_bytes()];
    codec.compress(&flat(iq), &mut payload).map_err(err)?;
    let mut exponent = vec![0u8; n];
    let mut mantissa = vec![0i16; n * 24];
    codec
        .unpack(&payload, &mut exponent, &mut mantissa)
        .map_err(err)?;
    let mantissa = ArrayD::from_shape_vec(vec![n, 12, 2], mantissa).map_err(|e| e.to_string())?;
    Ok(Outputs::from([
        ("exponent", Array::U8(vec1(exponent))),
        ("mantissa", Array::I16(mantissa)),
        ("payload", Array::U8(vec1(payload))),
    ]))
}

fn bfp_decompress(p: &Params<'_>, i: &Inputs<'_>) -> Result<Outputs, String> {
    let codec = Bfp::new(iq_width(p)?);
    let n = p.usize("n_prb")?;
    let mut iq = vec![0i16; n.checked_mul(24).ok_or("n_prb too large")?];
    codec
        .decompress(&flat(i.u8("payload")?), &mut iq)
        .map_err(err)?;
    let iq = ArrayD::from_shape_vec(vec![n, 12, 2], iq).map_err(|e| e.to_string())?;
    Ok(Outputs::from([("iq", Array::I16(iq))]))
}

fn planar_array(p: &Params<'_>) -> Result<PlanarArray, String> {
    PlanarArray::new(
        p.usize("rows")?,
        p.usize("cols")?,
        p.f64("spacing_v")?,
        p.f64("spacing_h")?,
    )
    .map_err(err)
}

fn steering_vector(p: &Params<'_>, _: &Inputs<'_>) -> Result<Outputs, String> {
    let arr = planar_array(p)?;
    let mut a = vec![C32::new(0.0, 0.0); arr.len()];
    arr.steering(p.f64("zenith_deg")?, p.f64("azimuth_deg")?, &mut a)
        .map_err(err)?;
    Ok(Outputs::from([("a", Array::C64(vec1(a)))]))
}

fn codebook_type1(p: &Params<'_>, _: &Inputs<'_>) -> Result<Outputs, String> {
    let mode =
        u8::try_from(p.u64("mode")?).map_err(|_| "parameter `mode` must be 1 or 2".to_string())?;
    let cb = TypeISinglePanel::new(
        p.usize("n1")?,
        p.usize("n2")?,
        p.usize("o1")?,
        p.usize("o2")?,
        mode,
    )
    .map_err(err)?;
    let rank = p.usize("rank")?;
    let mut w = vec![C32::new(0.0, 0.0); cb.ports() * rank];
    cb.precoder(
        rank,
        p.usize("i11")?,
        p.usize("i12")?,
        p.usize("i13")?,
        p.usize("i2")?,
        &mut w,
    )
    .map_err(err)?;
    let w = Array2::from_shape_vec((cb.ports(), rank), w).map_err(|e| e.to_string())?;
    Ok(Outputs::from([("w", Array::C64(w.into_dyn()))]))
}

fn beam_pattern(p: &Params<'_>, i: &Inputs<'_>) -> Result<Outputs, String> {
    let arr = planar_array(p)?;
    let element = match p.str("element")? {
        "isotropic" => BeamPatternElement::Isotropic,
        "38901" => BeamPatternElement::Tr38901,
        s => {
            return Err(format!(
                "parameter `element` = {s} is not isotropic or 38901"
            ));
        }
    };
    let w = flat(i.c64("w")?);
    let z: Vec<f64> = i.f32("zenith_deg")?.iter().map(|&v| f64::from(v)).collect();
    let a: Vec<f64> = i
        .f32("azimuth_deg")?
        .iter()
        .map(|&v| f64::from(v))
        .collect();
    let mut g = vec![0.0f32; z.len() * a.len()];
    beam_pattern_db(&arr, &w, element, &z, &a, &mut g).map_err(err)?;
    let g = Array2::from_shape_vec((z.len(), a.len()), g).map_err(|e| e.to_string())?;
    Ok(Outputs::from([("gain_db", Array::F32(g.into_dyn()))]))
}

fn precoder_rzf(p: &Params<'_>, i: &Inputs<'_>) -> Result<Outputs, String> {
    use massive_mimo::precoding::{Normalization, RzfPrecoder};
    let h = i.c64_dim::<ndarray::Ix3>("h", "[n_sc, k, n_tx]")?;
    let (b, k, n) = h.dim();
    let normalization = match p.str("normalization")? {
        "column" => Normalization::Column,
        "total" => Normalization::Total,
        "per_antenna" => Normalization::PerAntenna,
        s => {
            return Err(format!(
                "parameter `normalization` = {s} is not column, total or per_antenna"
            ));
        }
    };
    let alpha = p.f64("alpha")? as f32;
    let mut w = ndarray::Array3::zeros((b, n, k));
    RzfPrecoder::new(k, n, b)
        .map_err(err)?
        .process(h, alpha, normalization, w.view_mut())
        .map_err(err)?;
    Ok(Outputs::from([("w", Array::C64(w.into_dyn()))]))
}

fn equalize(p: &Params<'_>, i: &Inputs<'_>) -> Result<Outputs, String> {
    use crate::reference::{EqualizerMethod, LinearEqualizer};
    let method = match p.str("method")? {
        "zf" => EqualizerMethod::Zf,
        "mmse" => EqualizerMethod::Mmse {
            unbiased: p.bool("unbiased")?,
        },
        s => return Err(format!("parameter `method` = {s} is not zf or mmse")),
    };
    let h = i.c64_dim::<ndarray::Ix3>("h", "[n_re, n_rx, n_l]")?;
    let y = i.c64_dim::<ndarray::Ix2>("y", "[n_re, n_rx]")?;
    let nv = flat(i.f32("noise_var")?);
    let (b, r, l) = h.dim();
    let (mut x, mut v) = (Array2::zeros((b, l)), Array2::zeros((b, l)));
    LinearEqualizer::new(r, l, b)
        .map_err(err)?
        .process(y, h, &nv, method, x.view_mut(), v.view_mut())
        .map_err(err)?;
    Ok(Outputs::from([
        ("x", Array::C64(x.into_dyn())),
        ("noise_var", Array::F32(v.into_dyn())),
    ]))
}

fn chest(_: &Params<'_>, i: &Inputs<'_>) -> Result<Outputs, String> {
    use massive_mimo::estimation::{ChannelEstimator, EstimatorConfig, PilotPattern};
    let rx = i.c64_dim::<ndarray::Ix3>("rx", "[n_rx, n_sym, n_sc]")?;
    let pilots = i.c64_dim::<ndarray::Ix3>("pilots", "[n_ports, n_sym, n_sc]")?;
    let nv = flat(i.f32("noise_var")?);
    if nv.len() != 1 {
        return Err(format!("noise_var has {} values, expected 1", nv.len()));
    }
    let pattern = PilotPattern::from_pilots(pilots).map_err(err)?;
    let n_rx = rx.dim().0;
    let mut est = ChannelEstimator::new(pattern, n_rx, EstimatorConfig::default()).map_err(err)?;
    let mut h_runs = est.estimate().map_err(err)?;
    est.process(rx, Some(nv[0]), &mut h_runs).map_err(err)?;
    let mut h = est.estimate_per_symbol().map_err(err)?;
    est.interpolate_time(&h_runs, &mut h).map_err(err)?;
    // The library's [n_sym, n_sc, n_ports, n_rx] → the contract's [n_rx, n_ports, n_sym, n_sc].
    let h = h
        .view()
        .permuted_axes([3, 2, 0, 1])
        .as_standard_layout()
        .into_owned();
    Ok(Outputs::from([("h", Array::C64(h.into_dyn()))]))
}

fn precoder_apply(_: &Params<'_>, i: &Inputs<'_>) -> Result<Outputs, String> {
    use massive_mimo::precoding::PrecoderApplier;
    let w = i.c64_dim::<ndarray::Ix3>("w", "[n_prb, n_tx, k]")?;
    let x = i.c64_dim::<ndarray::Ix3>("x", "[n_prb, k, n_re]")?;
    let (n_prb, n_tx, k) = w.dim();
    let n_re = x.dim().2;
    let mut y = ndarray::Array3::zeros((n_prb, n_tx, n_re));
    PrecoderApplier::new(n_tx, k, n_re.max(1))
        .map_err(err)?
        .process(w, x, y.view_mut())
        .map_err(err)?;
    Ok(Outputs::from([("y", Array::C64(y.into_dyn()))]))
}

fn equalize_irc(p: &Params<'_>, i: &Inputs<'_>) -> Result<Outputs, String> {
    use massive_mimo::detection::{DetectorMethod, GroupChannels, MimoDetector};
    let unbiased = p.bool("unbiased")?;
    let h = i.c64_dim::<ndarray::Ix3>("h", "[n_re, n_rx, n_l]")?;
    let u = i.c64_dim::<ndarray::Ix3>("u", "[n_re, n_rx, n_int]")?;
    let y = i.c64_dim::<ndarray::Ix2>("y", "[n_re, n_rx]")?;
    let nv = flat(i.f32("noise_var")?);
    let (b, r, l) = h.dim();
    let n_int = u.dim().2;
    // The contract's [n_re, n_rx, ·] → the library's channel order [n_re, ·, n_rx] (views).
    let (h, u) = (h.permuted_axes([0, 2, 1]), u.permuted_axes([0, 2, 1]));
    if y.dim() != (b, r) {
        return Err(format!("y has shape {:?}, expected [{b}, {r}]", y.shape()));
    }
    let mut det = MimoDetector::new(&massive_mimo::detection::DetectorConfig {
        max_ant: r,
        max_layers: l,
        max_interferers: n_int,
        max_groups: b,
        group_prbs: 1,
        n_sym: 1,
    })
    .map_err(err)?;
    let ch = GroupChannels {
        h,
        noise_var: &nv,
        interference: Some(u),
    };
    det.compute(&ch, DetectorMethod::Irc { unbiased })
        .map_err(err)?;
    let f = det.filters();
    let x = Array2::from_shape_fn((b, l), |(m, j)| {
        (0..r).map(|a| f[[m, j, a]] * y[[m, a]]).sum::<C32>()
    });
    Ok(Outputs::from([
        ("x", Array::C64(x.into_dyn())),
        ("noise_var", Array::F32(det.noise().to_owned().into_dyn())),
    ]))
}

fn dmrs(p: &Params<'_>, _: &Inputs<'_>) -> Result<Outputs, String> {
    use massive_mimo::refsig::{DmrsConfig, DmrsType, type_a_positions};
    let kind = match p.u64("dmrs_type")? {
        1 => DmrsType::Type1,
        2 => DmrsType::Type2,
        t => return Err(format!("parameter `dmrs_type` = {t} is not 1 or 2")),
    };
    let ports = p
        .str("ports")?
        .split(',')
        .map(|x| x.trim().parse::<usize>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("parameter `ports`: {e}"))?;
    let double_symbol = p.bool("double_symbol")?;
    let symbols =
        type_a_positions(p.usize("l0")?, p.usize("additional")?, double_symbol).map_err(err)?;
    let n_prb = p.usize("n_prb")?;
    let cfg = DmrsConfig {
        kind,
        ports,
        symbols,
        double_symbol,
        n_id: [p.u32("n_id0")?, p.u32("n_id1")?],
        n_scid: p.u32("n_scid")?,
        rel16_cdm_group_scrambling: p.bool("rel16")?,
        slot: p.u32("slot")?,
        crb_start: p.usize("crb_start")?,
        amplitude: 1.0,
    };
    let mut g = ndarray::Array3::zeros((cfg.ports.len(), 14, 12 * n_prb));
    cfg.write_pilots(g.view_mut()).map_err(err)?;
    Ok(Outputs::from([("pilots", Array::C64(g.into_dyn()))]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_listed_kernel_is_registered() {
        for k in super::KERNELS {
            assert!(super::lookup(k).is_some(), "{k}");
        }
        assert!(super::lookup("no_such_kernel").is_none());
    }
}
