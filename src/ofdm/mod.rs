//! OFDM modulation and demodulation for NR (3GPP TS 38.211 §5.3.1, any numerology, normal and
//! extended cyclic prefix) and LTE (36.211 §6.12, DC subcarrier left empty), on rustfft — or,
//! for power-of-two sizes where the kernels prefer it (`Kernels::ofdm_fft_preferred`: AVX-512;
//! AVX2 from 4096 points), the project's own FFT (`Kernels::ofdm_fft`) — with buffers planned at construction: `process` allocates nothing.
//! Outputs are written past the caches by default ([`OutputStores`]).
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

pub use crate::cache::OutputStores;

use crate::C32;
use crate::simd::{LineVec, MAX_OFDM_FFT_LEN, MIN_OFDM_FFT_LEN, OfdmFft};

/// The project's FFT of `n_fft` points (`inverse` for the modulator) with its scratch, where
/// the size is one it takes (a power of two in `MIN_OFDM_FFT_LEN..=MAX_OFDM_FFT_LEN`): used
/// instead of rustfft where `Kernels::ofdm_fft_preferred`. Errors: the scratch's
/// allocation.
fn own_fft(n_fft: usize, inverse: bool) -> crate::Result<Option<(OfdmFft, LineVec<C32>)>> {
    if !n_fft.is_power_of_two() || !(MIN_OFDM_FFT_LEN..=MAX_OFDM_FFT_LEN).contains(&n_fft) {
        return Ok(None);
    }
    let plan = OfdmFft::new(n_fft, inverse)?;
    let scratch = LineVec::zeros(plan.scratch_len())?;
    Ok(Some((plan, scratch)))
}

/// The error for a waveform whose per-antenna rows are not contiguous in memory.
fn non_contiguous_waveform() -> crate::Error {
    crate::Error::InvalidParameter {
        name: "waveform",
        value: "non-contiguous rows".into(),
        reason: "each antenna's samples must be contiguous (standard layout)",
    }
}

/// Two small carriers of the unit tests (NR 30 kHz with 512 bins, LTE 15 kHz with 256), 14
/// symbols, normal CP, `scale² · n_fft = 1`.
#[cfg(test)]
fn test_carriers() -> [OfdmConfig; 2] {
    [
        (Standard::Nr, 30, 512, 300, 1),
        (Standard::Lte, 15, 256, 180, 0),
    ]
    .map(|(standard, scs_khz, n_fft, n_sc, slot)| OfdmConfig {
        standard,
        scs_khz,
        n_fft,
        n_sc,
        n_symbols: 14,
        cyclic_prefix: CyclicPrefix::Normal,
        slot,
        scale: 1.0 / (n_fft as f32).sqrt(),
    })
}
