"""Type stubs of massive_mimo._native (the Rust extension module)."""

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt

C64 = npt.NDArray[np.complex64]
F32 = npt.NDArray[np.float32]

def version() -> str: ...
def simd_backend() -> str: ...
def gold(c_init: int, length: int) -> npt.NDArray[np.uint8]:
    """Gold sequence c(n) of 38.211 §5.2.1 → uint8[length]."""
def qam_map(bits: npt.NDArray[np.uint8], qm: int) -> C64:
    """bits uint8[n·qm] → unit-energy symbols complex64[n] (38.211 §5.1)."""
def qam_demap(symbols: C64, noise_var: F32, qm: int, exact: bool = False) -> F32:
    """symbols complex64[n], noise variances float32[n] → LLRs float32[n·qm]."""
def steering_vector(rows: int, cols: int, zenith_deg: float, azimuth_deg: float,
                    spacing_v: float = 0.5, spacing_h: float = 0.5) -> C64:
    """Planar-array steering vector complex64[rows·cols] (element m·cols + n)."""
def rzf_weights(h: C64, alpha: float, normalization: str = "total") -> C64:
    """h complex64[batch, k, n_tx] → w complex64[batch, n_tx, k] = Hᴴ(HHᴴ + αI)⁻¹, normalised."""
def mimo_filters(h: C64, noise_var: F32, method: str = "mmse",
                 unbiased: bool = False) -> Tuple[C64, F32]:
    """h complex64[g, n_layers, n_ant], σ² float32[g] → (filters complex64[g, n_layers, n_ant], noise float32[g, n_layers])."""
def bfp_compress(iq: npt.NDArray[np.int16], iq_width: int) -> npt.NDArray[np.uint8]:
    """int16[n_prb, 12, 2] → O-RAN BFP payload uint8[n_prb·(1 + 3·iq_width)]."""
def bfp_decompress(payload: npt.NDArray[np.uint8], iq_width: int) -> npt.NDArray[np.int16]:
    """BFP payload → int16[n_prb, 12, 2]."""
def nr_tbs(qm: int, code_rate: float, layers: int, n_prb: int, n_re_per_prb: int,
           x_overhead: int = 0) -> int: ...
def lte_tbs(i_tbs: int, n_prb: int, layers: int = 1, prb_scale: float = 1.0) -> int: ...
def srs_pilots(comb: int, n_prb: int, symbol: int, n_users: int) -> C64:
    """SRS of n_users users → complex64[n_users, 14, 12·n_prb]."""
def dmrs_pilots(dmrs_type: int, n_ports: int, symbol: int, n_prb: int,
                double_symbol: bool = False) -> C64:
    """DMRS of ports 0..n_ports → complex64[n_ports, 14, 12·n_prb]."""
def simulate(scenario: Dict[str, Any]) -> Dict[str, Any]: ...

class DownlinkSlot:
    layers: int
    def __init__(self, n_antennas: int, n_layers: int, n_prb: int, srs_pilots: C64,
                 prg_prbs: int = 2, precoder: str = "rzf", normalization: str = "total",
                 srs_estimation: str = "delay", scs_khz: int = 30, standard: str = "nr") -> None: ...
    def sound(self, srs_rx: C64, noise_var: Optional[float] = None) -> None:
        """srs_rx complex64[n_antennas, 14, n_sc]."""
    def compute_weights(self, users: Sequence[int], noise_var: float) -> None: ...
    def weights(self) -> C64:
        """complex64[n_prg, n_antennas, k]."""
    def precode(self, layers: C64) -> C64:
        """layers complex64[k, 14, n_sc] → antenna grid complex64[n_antennas, 14, n_sc]."""
    def modulate(self, grid: C64) -> C64:
        """antenna grid → waveform complex64[n_antennas, samples]."""

class UplinkSlot:
    def __init__(self, n_antennas: int, dmrs_pilots: C64, scs_khz: int = 30,
                 standard: str = "nr", filter_subcarriers: int = 0) -> None: ...
    def set_grid(self, grid: C64) -> None:
        """received grid complex64[n_antennas, 14, n_sc]."""
    def demodulate(self, wave: C64) -> None: ...
    def detect(self, method: str = "mmse", unbiased: bool = True,
               noise_var: Optional[float] = None) -> C64:
        """→ detected layers complex64[k, 14, n_sc]."""
    def llrs(self, qm: int, layer: int, symbol: int) -> F32:
        """→ max-log LLRs float32[n_sc·qm]."""
