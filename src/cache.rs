//! How slot-sized outputs are stored ([`OutputStores`]), and this machine's cache sizes (Linux
//! sysfs, each read once; `None` elsewhere or when sysfs does not say), which the grid
//! application's block sizes and [`OutputStores::for_next_block`] follow.

use std::sync::OnceLock;

/// How [`crate::ofdm::OfdmModulator`] writes its waveform, [`crate::ofdm::OfdmDemodulator`]
/// its grid and [`crate::fronthaul::UplaneCodec`] the rows it decodes. The values are the
/// same bit for bit either way; only the cache traffic differs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputStores {
    /// Non-temporal stores ([`crate::simd::Kernels::copy_stream`] / `mul_stream`: AVX2 and
    /// AVX-512; ordinary stores elsewhere), fenced at the end of each symbol or message: the
    /// output skips the caches and their read-for-ownership. The OFDM default, for slot-sized
    /// outputs (64 antennas at NR 100 MHz: a 31 MB waveform, a 23.5 MB grid) that leave the
    /// core (the modulator's waveform goes to the radio) or cannot stay in its cache.
    #[default]
    Streaming,
    /// Ordinary stores (the modulator's inverse FFT writes straight into the waveform): for
    /// outputs that stay in cache for the block the same core runs next.
    Cached,
}

/// Smallest last-level cache (bytes) for which [`OutputStores::for_next_block`] is
/// [`OutputStores::Cached`]: 64 MiB, room for a slot's received grid of the largest carrier
/// (NR 100 MHz, 64 antennas: 23.5 MB) and the blocks that read it next. On a two-FMA-pipe
/// Xeon whose VM sees a 480 MiB L3, ordinary stores in the U-plane receive made the 7.2x DU
/// uplink (receive, DMRS estimation, detection, demapping) ×1.06–1.19 (NR 100 MHz) and ×1.22
/// (LTE 20 MHz) faster than streaming stores, which sent the grid to memory for the
/// estimation and detection to read back (alternating runs). The OFDM demodulator's grid,
/// measured the same way, was slower cached (demodulation ×0.78–0.90, uplink slot
/// ×0.96–0.98): it keeps streaming by default.
pub const CACHED_OUTPUT_MIN_LLC_BYTES: usize = 64 << 20;

impl OutputStores {
    /// The stores for a slot-sized output that the next block on the same core reads (a
    /// received grid before channel estimation and detection): [`OutputStores::Cached`] where
    /// the last-level cache holds [`CACHED_OUTPUT_MIN_LLC_BYTES`] or more, `Streaming` where
    /// it is smaller or unknown. Reads sysfs on its first call (which allocates): call it at
    /// construction.
    pub fn for_next_block() -> Self {
        if llc_bytes().is_some_and(|b| b >= CACHED_OUTPUT_MIN_LLC_BYTES) {
            OutputStores::Cached
        } else {
            OutputStores::Streaming
        }
    }
}

/// Bytes of cache level `level` (unified or data) of CPU 0.
fn read(level: u32) -> Option<usize> {
    let dir = std::path::Path::new("/sys/devices/system/cpu/cpu0/cache");
    (0..8).find_map(|i| {
        let d = dir.join(format!("index{i}"));
        let lv: u32 = std::fs::read_to_string(d.join("level"))
            .ok()?
            .trim()
            .parse()
            .ok()?;
        let ty = std::fs::read_to_string(d.join("type")).ok()?;
        if lv != level || ty.trim() == "Instruction" {
            return None;
        }
        parse_size(&std::fs::read_to_string(d.join("size")).ok()?)
    })
}

/// A sysfs cache size: bytes, or a number with a `K` or `M` suffix.
fn parse_size(t: &str) -> Option<usize> {
    let t = t.trim();
    let (num, mul) = match t.strip_suffix('K') {
        Some(n) => (n, 1 << 10),
        None => match t.strip_suffix('M') {
            Some(n) => (n, 1 << 20),
            None => (t, 1),
        },
    };
    num.parse::<usize>().ok().map(|v| v * mul)
}

/// The L2 cache of this machine in bytes, if known (the first call reads sysfs, which
/// allocates: call it at construction).
pub(crate) fn l2_bytes() -> Option<usize> {
    static L2: OnceLock<Option<usize>> = OnceLock::new();
    *L2.get_or_init(|| read(2))
}

/// The last-level (L3) cache seen by this core in bytes, if known (reads sysfs once, as
/// [`l2_bytes`]).
pub(crate) fn llc_bytes() -> Option<usize> {
    static L3: OnceLock<Option<usize>> = OnceLock::new();
    *L3.get_or_init(|| read(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sysfs_sizes_parse_with_and_without_a_suffix() {
        assert_eq!(parse_size("48K\n"), Some(48 << 10));
        assert_eq!(parse_size("2048K"), Some(2 << 20));
        assert_eq!(parse_size("32M"), Some(32 << 20));
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("many"), None);
    }

    /// Where sysfs reports the levels, each is the one asked for: the L1 data cache below the
    /// L2 below the L3 (every core this runs on), and the cached sizes are sysfs's.
    #[test]
    fn each_level_is_the_one_asked_for() {
        let (l1, l2, l3) = (read(1), read(2), read(3));
        if let (Some(a), Some(b)) = (l1, l2) {
            assert!(a < b, "L1D {a} ≥ L2 {b}");
        }
        if let (Some(b), Some(c)) = (l2, l3) {
            assert!(b < c, "L2 {b} ≥ L3 {c}");
        }
        assert_eq!(l2_bytes(), l2);
        assert_eq!(llc_bytes(), l3);
        // A level sysfs lists (as a data or unified cache) is found.
        let listed = |level: u32| {
            (0..8).any(|i| {
                let d = format!("/sys/devices/system/cpu/cpu0/cache/index{i}");
                let lv = std::fs::read_to_string(format!("{d}/level")).unwrap_or_default();
                let ty = std::fs::read_to_string(format!("{d}/type")).unwrap_or_default();
                lv.trim() == level.to_string() && ty.trim() != "Instruction"
            })
        };
        for (level, size) in [(1, l1), (2, l2), (3, l3)] {
            assert_eq!(listed(level), size.is_some(), "level {level}");
        }
    }
}
