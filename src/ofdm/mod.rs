//! OFDM modulation and demodulation for NR (3GPP TS 38.211 §5.3.1, any numerology, normal and
//! extended cyclic prefix) and LTE (36.211 §6.12, DC subcarrier left empty), on rustfft with
//! buffers planned at construction: `process` allocates nothing. Outputs are written past the
//! caches by default ([`OutputStores`]).
//!
//! Conventions (those of the reference vectors, `../shared/VECTORS.md`): the sample rate is
//! `n_fft·Δf`; grid subcarrier k of `n_sc` goes to DFT bin `(k − n_sc/2) mod n_fft` for NR, and
//! for LTE to `k − n_sc/2` (k < n_sc/2) or `k − n_sc/2 + 1` (above DC). Symbol l is
//! `scale·Σ_bin X(bin)·e^{j2π·bin·t/n_fft}`, t = 0..n_fft, preceded by its last `cp_l` samples.
//! The §5.4 up-conversion phase term is not applied (f0 = 0).

mod config;
mod demodulator;
mod modulator;

pub use config::{CyclicPrefix, MAX_FFT, MAX_SYMBOLS, OfdmConfig, Standard};
pub use demodulator::OfdmDemodulator;
pub use modulator::OfdmModulator;

/// How [`OfdmModulator`] writes its waveform and [`OfdmDemodulator`] its grid. The values are
/// the same bit for bit either way; only the cache traffic differs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputStores {
    /// Non-temporal stores ([`crate::simd::Kernels::copy_stream`] / `mul_stream`: AVX2 and
    /// AVX-512; ordinary stores elsewhere), fenced at the end of each symbol: the output skips
    /// the caches and their read-for-ownership. The default, for slot-sized outputs (64
    /// antennas at NR 100 MHz: a 31 MB waveform, a 23.5 MB grid) that cannot stay in cache
    /// anyway.
    #[default]
    Streaming,
    /// Ordinary stores (the modulator's inverse FFT writes straight into the waveform): for
    /// outputs small enough to stay in cache that the same core reads next.
    Cached,
}

/// The error for a waveform whose per-antenna rows are not contiguous in memory.
fn non_contiguous_waveform() -> crate::Error {
    crate::Error::InvalidParameter {
        name: "waveform",
        value: "non-contiguous rows".into(),
        reason: "each antenna's samples must be contiguous (standard layout)",
    }
}
