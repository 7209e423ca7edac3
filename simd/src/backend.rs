//! Backend selection: which instruction set the kernels run on.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use crate::SimdError;

/// An instruction-set backend of the kernels.
///
/// All backends compute the same results within f32 rounding (the test suite checks every
/// available backend against [`Backend::Scalar`]); they differ only in speed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Backend {
    /// Portable scalar reference code, one matrix (lane) at a time. Always available.
    Scalar,
    /// x86-64 AVX2 + FMA, 8 f32 lanes per register.
    Avx2,
    /// x86-64 AVX-512F (with AVX2 + FMA for tails), 16 f32 lanes per register.
    Avx512,
    /// AArch64 Advanced SIMD (NEON), 4 f32 lanes per register.
    Neon,
}

impl Backend {
    /// Every backend this crate knows, fastest last.
    pub const ALL: [Backend; 4] = [
        Backend::Scalar,
        Backend::Neon,
        Backend::Avx2,
        Backend::Avx512,
    ];

    /// The lower-case name used by `MASSIVE_MIMO_SIMD`, `mimo info` and the benches.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Scalar => "scalar",
            Backend::Avx2 => "avx2",
            Backend::Avx512 => "avx512",
            Backend::Neon => "neon",
        }
    }

    /// f32 lanes in one register of this backend (1 for scalar).
    pub fn register_lanes(self) -> usize {
        match self {
            Backend::Scalar => 1,
            Backend::Avx2 => 8,
            Backend::Avx512 => 16,
            Backend::Neon => 4,
        }
    }

    /// Whether this backend was compiled for this target and the running CPU supports it.
    pub fn is_available(self) -> bool {
        match self {
            Backend::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512 => {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "aarch64")]
            Backend::Neon => std::arch::is_aarch64_feature_detected!("neon"),
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// The backends that can run here, scalar first.
    pub fn available() -> impl Iterator<Item = Backend> {
        Self::ALL.into_iter().filter(|b| b.is_available())
    }

    /// The fastest backend available on this CPU, detected once and cached.
    pub fn best() -> Backend {
        static BEST: OnceLock<Backend> = OnceLock::new();
        *BEST.get_or_init(|| Self::available().last().unwrap_or(Backend::Scalar))
    }
}

/// Whether this CPU is an Intel core (CPUID vendor "GenuineIntel"), detected once: where a
/// 512-bit operation issues as one (AMD Zen 4 splits it into two 256-bit halves), which decides
/// a few kernel shapes on the AVX-512 backend (16-lane load tiles, VBMI BFP compression, the
/// default of [`crate::Kernels::wide_group_tile`]), and which cache the grouped GEMM's input
/// hints fill (`kernels::gemm::HintCache`).
pub(crate) fn intel_cpu() -> bool {
    static INTEL: OnceLock<bool> = OnceLock::new();
    *INTEL.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            // The vendor string, "GenuineIntel" in EBX, EDX, ECX of leaf 0.
            let r = core::arch::x86_64::__cpuid(0);
            (r.ebx, r.edx, r.ecx) == (0x756E_6547, 0x4965_6E69, 0x6C65_746E)
        }
        #[cfg(not(target_arch = "x86_64"))]
        false
    })
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = SimdError;

    fn from_str(s: &str) -> Result<Self, SimdError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "scalar" => Ok(Backend::Scalar),
            "avx2" => Ok(Backend::Avx2),
            "avx512" | "avx-512" => Ok(Backend::Avx512),
            "neon" => Ok(Backend::Neon),
            other => Err(SimdError::UnknownBackend(other.to_string())),
        }
    }
}
