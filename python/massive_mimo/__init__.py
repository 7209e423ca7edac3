"""massive-mimo from Python: the Rust library's massive-MIMO baseband blocks on NumPy arrays.

Arrays are C-contiguous NumPy arrays (complex64 samples, float32 variances, int16 IQ, uint8
bits/bytes) in the axis order each function documents (first axis slowest). Inputs are read
without copies; a wrong dtype raises TypeError, a wrong shape or a non-contiguous array raises
ValueError naming the argument. Work runs with the GIL released, so threads scale.

Blocks: ``qam_map`` / ``qam_demap`` (38.211 §5.1), ``gold`` (§5.2.1), ``steering_vector``,
``rzf_weights``, ``mimo_filters``, ``srs_pilots`` / ``dmrs_pilots``, ``bfp_compress`` /
``bfp_decompress`` (O-RAN block floating point), ``nr_tbs`` / ``lte_tbs``; slot processors
``DownlinkSlot`` and ``UplinkSlot``; the simulated cell ``simulate`` with the ``Scenario``
dataclass; ``sweep`` for parameter studies on a Dask cluster (or serially).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional

from ._native import (  # noqa: F401  (re-exported API)
    DownlinkSlot,
    UplinkSlot,
    bfp_compress,
    bfp_decompress,
    dmrs_pilots,
    gold,
    lte_tbs,
    mimo_filters,
    nr_tbs,
    qam_demap,
    qam_map,
    rzf_weights,
    simd_backend,
    srs_pilots,
    steering_vector,
    version,
)
from ._native import simulate as _simulate

__version__ = version()


@dataclass(frozen=True)
class Scenario:
    """A simulated-cell scenario (the three-carrier example's parameters).

    rat: 'lte' (TD-LTE 20 MHz, band 41) or 'nr' (100 MHz at 30 kHz, n77); carriers: 1–3
    aggregated carriers; users / streams: terminals and downlink streams (streams ≤ users);
    array: 'ROWSxCOLS' of the dual-polarised panel (8x4 = 64 antennas); precoder: 'rzf', 'zf'
    or 'mrt'; channel: 'uma', 'umi', 'rma' (a 38.901 §7.5 drop with a link budget: path loss,
    shadowing, O2I, transmit powers, noise figures, other-cell interference) or 'cluster',
    'cluster_los', 'epa', 'eva', 'etu', 'rayleigh' (every user at dl_snr_db / ul_snr_db);
    placement: 'sector' (38.901 Table 7.2-1) or 'field_test' (38.901 channels); interference:
    the downlink interference of the 20 surrounding sectors (None: on for 'sector');
    ul_interference: the uplink interference over thermal of those sectors' co-scheduled users
    (None: off);
    bs_power_dbm: per carrier (None: 46 LTE, 53 NR); chains: 'ideal', 'uncalibrated' or
    'calibrated' radio chains (None: calibrated); weight_subcarriers: sub-PRB precoding weights
    (1, 2, 3, 4, 6; None or 0: per PRB); filter_subcarriers: sub-PRB uplink detection filters
    (1, 2, 3, 4, 6; None or 0: per PRB); perfect_csi: weights from the true channel instead of
    SRS estimates; periods: SRS periods simulated per carrier (None: 1 for LTE, 4 for NR);
    dl_snr_db / ul_snr_db: per-antenna SNR in dB; seed: the drop; threads: worker threads for
    the carriers (None: all cores); ue_antennas: receive antennas per user, 1, 2 or 4
    (cross-polarised pairs; None: 1); ue_receiver: 'irc' (MMSE-IRC) or 'mrc' (None: irc);
    srs_switching: every user antenna sounds and the weights follow each user's dominant
    eigen-direction (None: the first antenna sounds); prg_prbs: PRBs per precoding resource
    group (None: 1 for LTE, 2 for NR); ue_estimation: 'prg' (the users' UE-RS / DMRS filters
    inside each PRG; None) or 'wideband' (one filter across the allocation).
    """

    rat: str = "lte"
    carriers: int = 3
    users: int = 16
    streams: Optional[int] = None
    array: str = "8x4"
    precoder: str = "rzf"
    channel: str = "cluster"
    perfect_csi: bool = False
    periods: Optional[int] = None
    dl_snr_db: float = 25.0
    ul_snr_db: float = 10.0
    mcs_margin_db: float = 1.5
    seed: int = 2026
    threads: Optional[int] = None
    placement: Optional[str] = None
    interference: Optional[bool] = None
    ul_interference: Optional[bool] = None
    bs_power_dbm: Optional[float] = None
    chains: Optional[str] = None
    weight_subcarriers: Optional[int] = None
    filter_subcarriers: Optional[int] = None
    ue_antennas: Optional[int] = None
    ue_receiver: Optional[str] = None
    srs_switching: Optional[bool] = None
    prg_prbs: Optional[int] = None
    ue_estimation: Optional[str] = None

    def as_dict(self) -> Dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


def simulate(scenario: "Scenario | Dict[str, Any]" = Scenario()) -> Dict[str, Any]:
    """Runs the simulated cell for ``scenario`` (a Scenario or a dict of its fields).

    Returns a dict: ``carriers`` — a list with, per carrier, NumPy arrays over its downlink
    streams (``user``, ``sinr_db``, ``predicted_sinr_db``, ``evm_pct``, ``ber``, ``bler``,
    ``mcs`` (−1: none), ``throughput_mbps``) and the same with an ``uplink_`` prefix, plus
    ``total_throughput_mbps`` / ``uplink_total_throughput_mbps``; the totals over carriers;
    and for the 38.901 channels the link budget per user (``coupling_loss_db``, ``dl_snr_db``,
    ``dl_inr_db``, ``ul_snr_db``; ``ul_snr_db`` over thermal noise) and the uplink interference
    over thermal ``ul_iot_db`` (0 unless ``ul_interference``).
    """
    d = scenario.as_dict() if isinstance(scenario, Scenario) else dict(scenario)
    return _simulate(d)


def _run_one(params: Dict[str, Any]) -> Dict[str, Any]:
    r = simulate(params)
    sinr = [float(x) for c in r["carriers"] for x in c["sinr_db"]]
    return {
        **params,
        "total_throughput_mbps": r["total_throughput_mbps"],
        "uplink_total_throughput_mbps": r["uplink_total_throughput_mbps"],
        "median_sinr_db": sorted(sinr)[len(sinr) // 2] if sinr else float("nan"),
    }


def sweep(points: Iterable[Dict[str, Any]], client: Any = None) -> List[Dict[str, Any]]:
    """Runs ``simulate`` for every parameter dict in ``points`` and returns one summary dict per
    point (its parameters, total downlink / uplink throughput, median downlink SINR), in order.

    ``client``: a ``dask.distributed.Client`` (a ``LocalCluster``'s, or one connected to a real
    scheduler's address) to spread the points over its workers; None runs them here, serially.
    Each point is independent and deterministic (its ``seed``), so both give the same numbers.
    """
    points = [dict(p) for p in points]
    if client is None:
        return [_run_one(p) for p in points]
    futures = client.map(_run_one, points, pure=False)
    return client.gather(futures)
