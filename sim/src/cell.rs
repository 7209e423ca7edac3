//! A simulated multi-user 3D-MIMO cell on one carrier, and on a carrier-aggregation set.
//!
//! What runs per carrier, over a number of TDD periods, in the frequency domain (OFDM with a
//! cyclic prefix longer than the channel makes the per-subcarrier model exact; the
//! [`DownlinkSlot`] also produces the antennas' waveforms for a real front end):
//!
//! 1. **Sounding** in the uplink symbols of every special slot (and once before the first
//!    slot): every candidate user's SRS (comb 4, cyclic shifts, [`SrsConfig`]),
//!    through the uplink channel (the transpose of the downlink one, TDD reciprocity) plus
//!    noise, estimated per PRB ([`DownlinkSlot::sound`], by default in the delay domain,
//!    [`massive_mimo::estimation::CyclicShiftEstimator`]) — with more than 8 sounders, half of
//!    them sound in each of the last two symbols; a multi-antenna user sounds from its first
//!    antenna, or from each ([`SrsAntennas::Switching`], one sounder per antenna, the base
//!    station then precoding toward each user's dominant eigen-row, [`crate::ue_receiver`]); semi-orthogonal user selection when
//!    there are more candidates than streams; weights per PRG ([`DownlinkSlot::compute_weights`]),
//!    usable from `srs_processing_s` after the sounding (earlier slots keep the previous ones).
//! 2. **Every downlink slot** (and the DwPTS of special slots): per stream its demodulation
//!    reference signal — LTE: UE-specific RS ports 7–14 (36.211 §6.10.3, normal or special
//!    subframe), then the same ports with n_SCID 1; NR: DMRS type 2 double symbol on 2–3,
//!    ports 1000–1011 then again with n_SCID 1 — and 256QAM on every other RE from symbol 2
//!    (symbols 0–1 are the control region, left empty); precoding into the 64-antenna grid;
//!    each user receives through its true channel at the slot's middle (the channel has moved
//!    since the sounding: TDD aging) with noise.
//! 3. **Each user**: the library's [`massive_mimo::estimation::ChannelEstimator`] on the reference
//!    signals of its scrambling set (the ports it can separate; per-subcarrier LMMSE, noise
//!    measured from the pilots, time interpolation; one call per receive antenna), one-tap MMSE
//!    equalisation — with several antennas ([`CellScenario::ue_array`]) MRC or MMSE-IRC
//!    combining ([`UeReceiver`]) — hard decisions:
//!    EVM, uncoded BER, and the post-equalisation SINR measured from the data (data-aided:
//!    |Σ eq·x*|²/(Σ|x|²·Σ|eq|² − |Σ eq·x*|²), blind to the receiver's scalar bias; 1/EVM² when
//!    unbiased).
//! 4. **Every uplink slot**: up to 12 users (the most orthogonal DMRS ports: type 2, double
//!    symbol on 2–3) send 64QAM on the other 12 symbols through the uplink channel;
//!    [`UplinkSlot`] estimates (per PRB, noise measured from the DMRS), detects (unbiased
//!    per-PRB MMSE on every antenna): EVM, BER and measured SINR per user, and the
//!    detector's own SINR estimate as the "predicted" one.
//! 5. **Link adaptation** per slot sent ([`crate::link_abstraction`]): each slot's per-PRB
//!    data-aided SINRs are the stream's report; the slot `cqi_delay_s` later (the first slot's
//!    own report before one exists) picks its MCS from the MIESM effective SINR of that report
//!    minus the outer loop's offset and the `mcs_margin_db` gap (the code's distance to the
//!    BICM capacity at 10 % BLER), as the efficiency the 256QAM mutual information allows. NR
//!    carriers: the highest MCS of the 256QAM table (38.214 Table 5.1.3.1-2) within that
//!    efficiency, its TBS by the 38.214 §5.1.3.2 procedure on the slot's data REs. LTE
//!    carriers: the highest I_MCS of the 36.213 256QAM table (7.1.7.1-1A) whose transport block
//!    (Table 7.1.7.2.1-1; N_PRB scaled by 0.75/0.375 in the DwPTS) has an effective code rate
//!    ≤ 0.93 and fits the efficiency ([`lte_mcs_for_efficiency`]); the LTE uplink uses the
//!    same TBS table with the I_MCS → (Q_m, I_TBS) of the 64QAM PDSCH table — the PUSCH table
//!    8.6.1-1 is not among the project's tables. The block is then lost with the BLER of its
//!    modulation and rate at the slot's own effective SINR (drawn with a seeded generator),
//!    the outer loop moves (+0.5 dB per NACK, −0.056 dB per ACK: 10 % target), and only
//!    decoded blocks count toward the throughput (both directions); every result reports its
//!    MCS with modulation and code rate, and its BLER.

use crate::calibration::{ChainMismatch, OverTheAir, measure_pairs, relative_calibration};
use crate::channel::{
    ChannelModel, Cluster, ClusterChannel, ClusterProfile, IndependentRx, NrCdl, ProfileParams,
    StaticChannel, Tdl, TdlProfile, UeArray, UserGains, UserGeometry, add_awgn,
};
use crate::port_signalling::{LteUeRsPorts, MAX_LTE_STREAMS};
use crate::ue_receiver::{
    IrcCombiner, SrsAntennas, UeEstimation, UeReceiver, dominant_row, mrc, residual_covariance,
};
use massive_mimo::carrier::{CarrierAggregation, ComponentCarrier, Duplex, Rat, SlotKind};
use massive_mimo::detection::DetectorMethod;
use massive_mimo::estimation::{ChannelEstimator, CoverSpan, EstimatorConfig, PilotPattern};
use massive_mimo::link::UplinkSlot;
use massive_mimo::link::{DownlinkConfig, DownlinkSlot, PrecoderKind, SrsEstimation};
use massive_mimo::modulation::{Modulation, hard_decision, map};
use massive_mimo::precoding::{Normalization, semi_orthogonal_selection};
use massive_mimo::rate::{
    LteMcsTable, McsTable, NrTbsInput, PrbScaling, lte_mcs_for_efficiency, nr_mcs_for_efficiency,
    nr_tbs,
};
use massive_mimo::refsig::{
    DmrsConfig, DmrsType, SrsBandwidthConfig, SrsConfig, SrsRat, UeRsConfig, UeRsSubframe,
    write_multiplexed_users,
};
use massive_mimo::resource::{MuGroup, PrbAllocation};
use massive_mimo::{C32, Error, Result};
use ndarray::{Array2, Array3, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// The propagation model of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum ChannelKind {
    /// [`ClusterChannel`] with [`ProfileParams`] (line of sight with K-factor if set).
    Cluster(ProfileParams),
    /// [`Tdl`] per user and antenna with this profile (no spatial structure).
    Tdl(TdlProfile),
    /// A 38.901 CDL model through the array ([`ClusterProfile::cdl`]) with this r.m.s. delay
    /// spread (s), pointed at each user by §7.7.5.1 angle translation (the model's own angle
    /// spreads kept, the mean angles moved to the user's direction, the LOS ray of CDL-D/E
    /// toward the user).
    Cdl(NrCdl, f64),
    /// [`StaticChannel::rayleigh_iid`], flat.
    Rayleigh,
    /// Given cluster profiles, one per user (in `users` order), through the array — for
    /// instance the links of a 38.901 §7.5 drop ([`crate::channel::stochastic`],
    /// [`crate::link_budget`]).
    Clusters(Vec<ClusterProfile>),
}

/// The base station's radio chains (TDD reciprocity, [`crate::calibration`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Reciprocity {
    /// Transmit/receive chain gains per antenna: the users receive through h·t_a, the base
    /// station sounds and detects through h·r_a.
    pub mismatch: ChainMismatch,
    /// Relative over-the-air calibration at t = 0, applied to every SRS estimate
    /// (ĥ_dl = ĥ_ul·ĉ_a); `None`: uncalibrated.
    pub calibration: Option<OverTheAir>,
}

/// Where the base station's channel knowledge comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Csi {
    /// SRS estimates (reciprocity), refreshed in every special slot.
    Srs,
    /// The true channel at each downlink slot's middle, per PRB (an upper bound).
    Perfect,
}

/// A cell scenario: users, streams, precoder, channel, SNRs, duration.
#[derive(Clone, Debug, PartialEq)]
pub struct CellScenario {
    /// Candidate users (each single-layer) and where they are.
    pub users: Vec<UserGeometry>,
    /// Each user's receive antennas ([`UeArray`]; the channel model's `n_rx`). The uplink
    /// (SRS unless switching, PUSCH) is sent from antenna 0.
    pub ue_array: UeArray,
    /// How a multi-antenna user combines its antennas ([`UeReceiver`]).
    pub ue_receiver: UeReceiver,
    /// How far each user's UE-RS / DMRS frequency filter reaches ([`UeEstimation`]).
    pub ue_estimation: UeEstimation,
    /// Which antennas each user sounds ([`SrsAntennas`]).
    pub srs_antennas: SrsAntennas,
    /// Streams served per slot (≤ users; fewer selects users by SUS).
    pub n_streams: usize,
    /// Precoder.
    pub precoder: PrecoderKind,
    /// Power normalisation of the weights.
    pub normalization: Normalization,
    /// PRBs per PRG (0 = wideband).
    pub prg_prbs: usize,
    /// Sub-PRB weights: one weight matrix per this many subcarriers (1, 2, 3, 4 or 6;
    /// [`DownlinkSlot::new_sub_prb`]); 0 = one per PRG.
    pub weight_subcarriers: usize,
    /// Sub-PRB uplink detection filters: one per this many subcarriers (1, 2, 3, 4 or 6;
    /// [`UplinkSlot::with_sub_prb_filters`]); 0 = one per PRB.
    pub filter_subcarriers: usize,
    /// Propagation.
    pub channel: ChannelKind,
    /// Channel knowledge.
    pub csi: Csi,
    /// SRS estimator (with [`Csi::Srs`]).
    pub srs_estimation: SrsEstimation,
    /// Uplink SNR per base-station antenna (SRS and PUSCH), dB.
    pub ul_snr_db: f64,
    /// Downlink SNR at each user for a total transmit power of 1 per RE and unit channel gain
    /// per antenna, dB.
    pub dl_snr_db: f64,
    /// Each user's large-scale channel power gain, dB, relative to the unit-gain channel that
    /// `ul_snr_db` and `dl_snr_db` refer to (a link budget's −coupling loss + element gain,
    /// less its reference); applied by [`Self::build_channel`]. Empty: 0 dB for every user.
    pub user_gain_db: Vec<f64>,
    /// Each user's other-cell interference over its thermal noise (INR), dB: the downlink
    /// noise at user u is the thermal noise × (1 + 10^{INR/10}) (interference treated as
    /// Gaussian; the base station's weights still use the thermal noise). Empty: none.
    pub dl_interference_db: Vec<f64>,
    /// Each user's uplink transmit power (SRS and PUSCH), dB, relative to the power `ul_snr_db`
    /// assumes (≤ 0 under uplink power control, [`crate::link_budget`]); the base station knows
    /// it and divides its SRS estimates by it before computing downlink weights. Empty: 0 dB.
    pub ul_power_db: Vec<f64>,
    /// The radio chains' reciprocity; `None`: ideal (t_a = r_a).
    pub reciprocity: Option<Reciprocity>,
    /// TDD periods simulated (LTE: 10 ms frames; NR: the slot pattern).
    pub periods: usize,
    /// Gap between log2(1 + SINR) and the chosen MCS's efficiency, dB.
    pub mcs_margin_db: f64,
    /// Time from a sounding to the first slot its weights can precode, s (estimation, selection
    /// and weights take the base station this long; the slots in between keep the previous
    /// weights). 0: the next slot.
    pub srs_processing_s: f64,
    /// LTE carriers: cell-specific reference signal ports (0, 1, 2 or 4) whose REs the PDSCH
    /// avoids (36.211 §6.10.1; 2 ports: 12 REs per PRB pair in the data region), besides the
    /// PSS / SSS / PBCH of the central six PRBs. The control region stays 2 symbols (CFI 2);
    /// no CSI-RS is configured (transmission mode 8). NR carriers ignore it.
    pub lte_crs_ports: usize,
    /// LTE carriers: the UE-specific RS each single-layer stream gets (port, n_SCID, DMRS
    /// identity; [`LteUeRsPorts`]) — and with it the UE-RS overhead (12 or 24 REs per PRB pair)
    /// and which streams a user can separate by orthogonal cover. NR carriers ignore it.
    pub lte_ue_rs: LteUeRsPorts,
    /// Age of the channel-quality report link adaptation uses, s (LTE: the CQI of subframe n
    /// serves n + 4 at the earliest; 5 ms with scheduling; 0 = the same slot's).
    pub cqi_delay_s: f64,
    /// Seed of everything random (channel, bits, noise).
    pub seed: u64,
}

impl CellScenario {
    /// The reference cell: `n_users` single-antenna users (≤ 16) spread over ±52° in azimuth at
    /// zenith 95–110° (heights and distances vary), pedestrian speed 1 m/s, all served (one
    /// stream each),
    /// RZF per PRB, urban-macro-like NLOS clusters, SRS at 10 dB estimated in the delay
    /// domain, downlink SNR 25 dB, one period, 1.5 dB MCS margin.
    pub fn reference(n_users: usize) -> Self {
        let users = (0..n_users)
            .map(|u| {
                let span = 105.0 * (u as f64 + 0.5) / n_users.max(1) as f64 - 52.5;
                UserGeometry {
                    zenith_deg: 95.0 + 5.0 * (u % 4) as f64,
                    azimuth_deg: span,
                    speed_mps: 1.0,
                    travel_azimuth_deg: 37.0 * u as f64,
                }
            })
            .collect();
        Self {
            users,
            ue_array: UeArray::Single,
            ue_receiver: UeReceiver::Irc,
            ue_estimation: UeEstimation::PerPrg,
            srs_antennas: SrsAntennas::First,
            n_streams: n_users,
            precoder: PrecoderKind::Rzf,
            normalization: Normalization::Total,
            prg_prbs: 1,
            weight_subcarriers: 0,
            filter_subcarriers: 0,
            channel: ChannelKind::Cluster(ProfileParams::default()),
            csi: Csi::Srs,
            srs_estimation: SrsEstimation::DelayDomain,
            ul_snr_db: 10.0,
            dl_snr_db: 25.0,
            user_gain_db: Vec::new(),
            dl_interference_db: Vec::new(),
            ul_power_db: Vec::new(),
            reciprocity: None,
            periods: 1,
            mcs_margin_db: 1.5,
            cqi_delay_s: 0.005,
            lte_crs_ports: 2,
            lte_ue_rs: LteUeRsPorts::default(),
            srs_processing_s: 1e-3,
            seed: 2026,
        }
    }

    /// The channel of this scenario for `array` (spacings at `array_design_hz`): one model
    /// for every carrier, so that carriers see the same environment at their own frequency;
    /// each user's response scaled by its [`Self::user_gain_db`]. Errors: the model's own, a
    /// gain list neither empty nor one finite value per user.
    pub fn build_channel(
        &self,
        array: &massive_mimo::array::PanelArray,
        array_design_hz: f64,
    ) -> Result<Box<dyn ChannelModel>> {
        let inner = self.build_unscaled(array, array_design_hz)?;
        if self.user_gain_db.is_empty() {
            return Ok(inner);
        }
        Ok(Box::new(UserGains::new(inner, &self.user_gain_db)?))
    }

    /// The generator of the channel's own draws (ray coupling and phases, TDL taps): for
    /// [`ChannelKind::Clusters`] its first `u64` is the [`ClusterChannel`] seed, so a drop
    /// (`link_budget::cell_from_drop`) can take the element gains of the very rays the cell
    /// simulates.
    pub fn channel_rng(&self) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(self.seed ^ 0xC4A7_7E1D)
    }

    fn build_unscaled(
        &self,
        array: &massive_mimo::array::PanelArray,
        array_design_hz: f64,
    ) -> Result<Box<dyn ChannelModel>> {
        let mut rng = self.channel_rng();
        let n_ant = array.len();
        Ok(match &self.channel {
            ChannelKind::Clusters(profiles) => {
                self.through_array(array, array_design_hz, profiles, rng.r#gen())?
            }
            ChannelKind::Cluster(p) => {
                let profiles = self
                    .users
                    .iter()
                    .map(|g| ClusterProfile::generate(&mut rng, g, p))
                    .collect::<Result<Vec<_>>>()?;
                self.through_array(array, array_design_hz, &profiles, rng.r#gen())?
            }
            ChannelKind::Cdl(model, delay_spread_s) => {
                let profiles = self
                    .users
                    .iter()
                    .map(|g| cdl_toward(*model, *delay_spread_s, g))
                    .collect::<Result<Vec<_>>>()?;
                self.through_array(array, array_design_hz, &profiles, rng.r#gen())?
            }
            ChannelKind::Tdl(profile) => {
                let v = self.users.iter().map(|u| u.speed_mps).fold(0.0, f64::max);
                let doppler = v * array_design_hz / crate::channel::SPEED_OF_LIGHT;
                self.independent_rx(Box::new(Tdl::new(
                    profile.clone(),
                    self.users.len() * self.ue_array.len(),
                    n_ant,
                    doppler,
                    rng.r#gen(),
                )?))?
            }
            ChannelKind::Rayleigh => self.independent_rx(Box::new(StaticChannel::rayleigh_iid(
                self.users.len() * self.ue_array.len(),
                n_ant,
                rng.r#gen(),
            )?))?,
        })
    }
}

impl CellScenario {
    /// The users' cluster `profiles` seen through `array` (ray coupling and phases from
    /// `seed`).
    fn through_array(
        &self,
        array: &massive_mimo::array::PanelArray,
        array_design_hz: f64,
        profiles: &[ClusterProfile],
        seed: u64,
    ) -> Result<Box<dyn ChannelModel>> {
        Ok(Box::new(ClusterChannel::with_ue_array(
            *array,
            array_design_hz,
            &self.users,
            profiles,
            self.ue_array,
            seed,
        )?))
    }

    /// A model of independent rows as users of [`Self::ue_array`]'s antenna count (as it is
    /// for single-antenna users).
    fn independent_rx(&self, rows: Box<dyn ChannelModel>) -> Result<Box<dyn ChannelModel>> {
        Ok(match self.ue_array.len() {
            1 => rows,
            n => Box::new(IndependentRx::new(rows, n)?),
        })
    }
}

/// CDL `model` with delay spread `delay_spread_s` translated toward the user at `g` (38.901
/// §7.7.5.1 with each desired spread equal to the model's: a rotation of the mean angles; the
/// delays as §7.7.3 made them; the LOS ray, if any, toward the user).
fn cdl_toward(model: NrCdl, delay_spread_s: f64, g: &UserGeometry) -> Result<ClusterProfile> {
    let p = ClusterProfile::cdl(model, delay_spread_s)?;
    let s = p.spreads;
    let spread = |get: &dyn Fn(&Cluster) -> (f64, f64)| p.angle_stats(get).1;
    let mut q = p.scaled(
        p.delay_spread(),
        (
            g.azimuth_deg,
            spread(&|c| (c.bs_azimuth_deg, s.bs_azimuth_deg)),
        ),
        (
            g.zenith_deg,
            spread(&|c| (c.bs_zenith_deg, s.bs_zenith_deg)),
        ),
        (
            g.azimuth_deg + 180.0,
            spread(&|c| (c.ue_azimuth_deg, s.ue_azimuth_deg)),
        ),
        (
            180.0 - g.zenith_deg,
            spread(&|c| (c.ue_zenith_deg, s.ue_zenith_deg)),
        ),
    )?;
    q.los = q.los.map(|(k, _, _)| (k, g.zenith_deg, g.azimuth_deg));
    Ok(q)
}

/// One stream's outcome on one carrier (downlink stream or uplink user).
#[derive(Clone, Debug, PartialEq)]
pub struct StreamResult {
    /// Candidate index of the user it served (in the last slot).
    pub user: usize,
    /// Share of the transmitted blocks lost (drawn from the BLER model at each slot's effective
    /// SINR; [`crate::link_abstraction`]).
    pub bler: f64,
    /// Post-equalisation SINR measured from the data (data-aided, bias-free; 1/EVM² when the
    /// equaliser is unbiased), dB.
    pub sinr_db: f64,
    /// SINR predicted from the true channel and the weights (signal, other streams, noise;
    /// at three subcarriers per PRB, capacity-averaged over the band and the slots), dB.
    pub predicted_sinr_db: f64,
    /// R.m.s. EVM after equalisation, %.
    pub evm_pct: f64,
    /// Uncoded bit error rate of the 256QAM slot data.
    pub ber: f64,
    /// Chosen MCS index of a full downlink (or uplink) slot — NR: 38.214 Table 5.1.3.1-2;
    /// LTE: 36.213 Table 7.1.7.1-1A downlink, 7.1.7.1-1 uplink — `None` if even MCS 0 does not
    /// fit.
    pub mcs: Option<u32>,
    /// Modulation of that MCS.
    pub modulation: Option<Modulation>,
    /// Its code rate: NR the table's target rate R; LTE the effective rate of the TBS on the
    /// slot's data REs (CRC bits included).
    pub code_rate: Option<f64>,
    /// Throughput at that MCS, Mbit/s.
    pub throughput_mbps: f64,
}

/// One carrier's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct CarrierResult {
    /// Index in the aggregation set.
    pub carrier: usize,
    /// Centre frequency, Hz.
    pub centre_hz: f64,
    /// Per stream.
    pub streams: Vec<StreamResult>,
    /// Sum over streams, Mbit/s.
    pub throughput_mbps: f64,
    /// Uplink users (PUSCH, one layer each; `predicted_sinr_db` is the detector's own
    /// post-MMSE estimate from the DMRS channel estimates).
    pub uplink: Vec<StreamResult>,
    /// Sum over uplink users, Mbit/s.
    pub uplink_throughput_mbps: f64,
    /// Downlink slots simulated (special slots included).
    pub dl_slots: usize,
    /// Uplink slots simulated.
    pub ul_slots: usize,
    /// Simulated time, s.
    pub simulated_s: f64,
    /// SRS noise variance the estimator measured (last sounding), dB.
    pub srs_noise_db: f64,
    /// The weights of the last downlink slot [n_prg, n_ant, n_streams] (for beam
    /// patterns), and the PRBs per PRG.
    pub weights: Array3<C32>,
    /// PRBs per PRG of `weights`.
    pub prg_prbs: usize,
}

#[derive(Clone, Default)]
struct Accumulator {
    err: f64,
    sig: f64,
    /// Σ eq·conj(x) and Σ |eq|², for the data-aided SINR.
    cross: num_complex::Complex64,
    eq_power: f64,
    bit_errors: usize,
    bits: usize,
    log_capacity: f64,
    n_capacity: usize,
    /// Every slot the stream was sent in.
    slots: Vec<SlotLoad>,
}

/// One slot's allocation for the TBS: data REs per PRB and the LTE DwPTS N_PRB scaling.
#[derive(Clone, Debug)]
struct SlotLoad {
    re_per_prb: usize,
    scaling: PrbScaling,
    /// Start of the slot, s.
    t: f64,
    /// Data-aided SINR (linear) of each PRB the stream used in this slot.
    sinrs: Vec<f64>,
}

/// Which tables link adaptation uses.
#[derive(Clone, Copy, Debug)]
enum LinkTables {
    /// NR 256QAM MCS table and the 38.214 TBS procedure.
    Nr,
    /// LTE MCS table and the 36.213 TBS table.
    Lte(LteMcsTable),
}

impl Accumulator {
    /// One slot of the stream: its equalised data `eq`, what was sent, the bits, the PRB of
    /// every data RE (`re_prb`) and the slot's TBS load and start time.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        modulation: Modulation,
        eq: &[C32],
        sent: &[C32],
        bits: &[u8],
        re_prb: &[usize],
        re_per_prb: usize,
        scaling: PrbScaling,
        t: f64,
    ) -> Result<()> {
        // Per PRB, the SINR of this slot (the report): the slot's one bias a = Σ eq·x*/Σ|x|²
        // (a receiver corrects one gain, not one per PRB: a per-PRB fit would hide the UE's
        // per-PRB estimation error), SINR_k = |a|²·Σ_k|x|²/Σ_k|eq − a·x|².
        let c64 = |v: &C32| num_complex::Complex64::new(v.re.into(), v.im.into());
        let (cross, power) = eq.iter().zip(sent).fold(
            (num_complex::Complex64::new(0.0, 0.0), 0.0f64),
            |(c, p), (e, x)| (c + c64(e) * c64(x).conj(), p + c64(x).norm_sqr()),
        );
        let a = if power > 0.0 {
            cross / power
        } else {
            num_complex::Complex64::new(0.0, 0.0)
        };
        let n_prb = re_prb.iter().max().map_or(0, |m| m + 1);
        let mut per = vec![(0.0f64, 0.0f64); n_prb];
        for ((e, x), &p) in eq.iter().zip(sent).zip(re_prb) {
            per[p].0 += c64(x).norm_sqr();
            per[p].1 += (c64(e) - a * c64(x)).norm_sqr();
        }
        let sinrs = per
            .iter()
            .filter(|v| v.0 > 0.0)
            .map(|&(xs, err)| {
                let s = a.norm_sqr() * xs;
                if err > 0.0 { s / err } else { 1e6 }
            })
            .collect();
        self.slots.push(SlotLoad {
            re_per_prb,
            scaling,
            t,
            sinrs,
        });
        for (e, x) in eq.iter().zip(sent) {
            self.err += (e - x).norm_sqr() as f64;
            self.sig += x.norm_sqr() as f64;
            let (e, x) = (
                num_complex::Complex64::new(e.re.into(), e.im.into()),
                num_complex::Complex64::new(x.re.into(), x.im.into()),
            );
            self.cross += e * x.conj();
            self.eq_power += e.norm_sqr();
        }
        let mut dec = vec![0u8; bits.len()];
        hard_decision(modulation, eq, &mut dec)?;
        self.bit_errors += dec.iter().zip(bits).filter(|(x, y)| x != y).count();
        self.bits += dec.len();
        Ok(())
    }

    /// Link adaptation per slot sent (see the module documentation): the MCS from the report
    /// of the latest slot at least `cqi_delay_s` older (the first slot's own before one
    /// exists), lowered by the outer loop; the slot's block decoded with the probability of
    /// [`crate::link_abstraction::bler`] at its MIESM effective SINR; only decoded blocks count.
    #[allow(clippy::too_many_arguments)]
    fn result(
        &self,
        user: usize,
        n_prb: usize,
        gap_db: f64,
        cqi_delay_s: f64,
        seconds: f64,
        tables: LinkTables,
        seed: u64,
    ) -> Result<StreamResult> {
        use crate::link_abstraction::{Olla, bler, effective_sinr_db, mutual_information};
        let c2 = self.cross.norm_sqr();
        let resid = self.sig * self.eq_power - c2;
        let sinr = if resid > 0.0 {
            c2 / resid
        } else if c2 > 0.0 {
            f64::INFINITY
        } else {
            0.0
        };
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut olla = Olla::new();
        let (mut sent, mut errors) = (0usize, 0usize);
        let mut bits_total = 0usize;
        // The MCS reported: that of the slot with the most data REs (a full slot).
        let mut reported: Option<(usize, u32, Modulation, f64)> = None;
        for (n, load) in self.slots.iter().enumerate() {
            // The report: the latest slot at least cqi_delay_s before this one.
            let src = (0..n)
                .rev()
                .find(|&m| self.slots[m].t <= load.t - cqi_delay_s)
                .unwrap_or(0);
            // Per modulation m: the efficiency its mutual information allows at the report's
            // MIESM SINR for m, less the offset and the gap; an MCS counts for m only if its own
            // modulation is at least m (a higher order carries more at the same SINR, a lower
            // one less). The best transport block over the four wins.
            let mut pick: Option<(u32, Modulation, f64, u32)> = None;
            for m in [
                Modulation::Qpsk,
                Modulation::Qam16,
                Modulation::Qam64,
                Modulation::Qam256,
            ] {
                let report_db = effective_sinr_db(m, &self.slots[src].sinrs)?;
                let se = mutual_information(m, report_db - olla.offset_db - gap_db)?;
                let cand = match tables {
                    LinkTables::Nr => match nr_mcs_for_efficiency(McsTable::Qam256, se) {
                        Some((i, e)) => {
                            let tbs = nr_tbs(&NrTbsInput {
                                modulation: e.modulation,
                                code_rate: e.rate_x1024 / 1024.0,
                                layers: 1,
                                n_prb: n_prb as u32,
                                n_re_per_prb: load.re_per_prb as u32,
                                x_overhead: 0,
                            })?;
                            Some((i, e.modulation, e.rate_x1024 / 1024.0, tbs))
                        }
                        None => None,
                    },
                    LinkTables::Lte(table) => lte_mcs_for_efficiency(
                        table,
                        se,
                        n_prb as u32,
                        load.re_per_prb as u32,
                        load.scaling,
                    )?
                    .map(|c| (c.i_mcs, c.entry.modulation, c.code_rate, c.tbs)),
                };
                if let Some(c) = cand
                    && c.1.bits_per_symbol() >= m.bits_per_symbol()
                    && pick.is_none_or(|p| c.3 > p.3)
                {
                    pick = Some(c);
                }
            }
            if let Some((m, modulation, rate, tbs)) = pick {
                let actual = effective_sinr_db(modulation, &load.sinrs)?;
                let p = bler(modulation, rate, gap_db, actual)?;
                let ack = rng.r#gen::<f64>() >= p;
                olla.update(ack);
                sent += 1;
                if ack {
                    bits_total += tbs as usize;
                } else {
                    errors += 1;
                }
                if reported.is_none_or(|r| load.re_per_prb > r.0) {
                    reported = Some((load.re_per_prb, m, modulation, rate));
                }
            }
        }
        let cap = self.log_capacity / self.n_capacity.max(1) as f64;
        Ok(StreamResult {
            user,
            sinr_db: 10.0 * sinr.log10(),
            predicted_sinr_db: 10.0 * (2f64.powf(cap) - 1.0).log10(),
            evm_pct: 100.0 * (self.err / self.sig.max(f64::MIN_POSITIVE)).sqrt(),
            ber: self.bit_errors as f64 / self.bits.max(1) as f64,
            mcs: reported.map(|r| r.1),
            modulation: reported.map(|r| r.2),
            code_rate: reported.map(|r| r.3),
            bler: if sent > 0 {
                errors as f64 / sent as f64
            } else {
                0.0
            },
            throughput_mbps: bits_total as f64 / seconds / 1e6,
        })
    }
}

/// Multiplies every antenna column of `h` [users, subcarriers, antennas] by the radio chains'
/// `gains` (one per antenna); `None`: ideal chains, `h` unchanged.
fn through_chains(h: &mut Array3<C32>, gains: Option<&[C32]>) {
    if let Some(g) = gains {
        for mut row in h.rows_mut() {
            for (v, g) in row.iter_mut().zip(g) {
                *v *= *g;
            }
        }
    }
}

/// Checks a per-user list of the scenario: empty, or one finite value with |v| ≤ `limit` per
/// user; the error names `name`.
fn check_per_user(
    name: &'static str,
    values: &[f64],
    n_users: usize,
    limit: f64,
    reason: &'static str,
) -> Result<()> {
    if !(values.is_empty() || values.len() == n_users)
        || values.iter().any(|v| !(v.is_finite() && v.abs() <= limit))
    {
        return Err(Error::InvalidParameter {
            name,
            value: massive_mimo::value!("{} values", values.len()),
            reason,
        });
    }
    Ok(())
}

/// Simulates `scenario` on `carrier` through `channel` (see the module documentation).
/// `carrier_index` seeds this carrier's bits and noise apart from the others'.
pub fn simulate_carrier(
    carrier: &ComponentCarrier,
    channel: &dyn ChannelModel,
    scenario: &CellScenario,
    carrier_index: usize,
) -> Result<CarrierResult> {
    let n_users = scenario.users.len();
    let k = scenario.n_streams;
    let n_ant = carrier.array().len();
    let (n_prb, n_sc) = (carrier.n_rb(), carrier.n_sc());
    let n_rx = scenario.ue_array.len();
    if channel.n_users() != n_users || channel.n_ant() != n_ant || channel.n_rx() != n_rx {
        return Err(Error::InvalidParameter {
            name: "channel (n_users, n_rx, n_ant)",
            value: massive_mimo::value!(
                "({}, {}, {})",
                channel.n_users(),
                channel.n_rx(),
                channel.n_ant()
            ),
            reason: "must match the scenario's users, their antennas and the carrier's array",
        });
    }
    // SRS sounders per user (antenna switching: every antenna); sounder c = u·n_srs + r is
    // antenna r of user u, channel row u·n_rx + r.
    let n_srs = match scenario.srs_antennas {
        SrsAntennas::First => 1,
        SrsAntennas::Switching => n_rx,
    };
    let n_cand = n_users * n_srs;
    let sounder_row = |c: usize| (c / n_srs) * n_rx + c % n_srs;
    if k == 0 || k > n_users || k > 24 || scenario.periods == 0 {
        return Err(Error::InvalidParameter {
            name: "(n_streams, users, periods)",
            value: massive_mimo::value!("({k}, {n_users}, {})", scenario.periods),
            reason: "1 ≤ n_streams ≤ users, at most 24 streams (DMRS ports × n_SCID), ≥ 1 period",
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(
        scenario
            .seed
            .wrapping_add(0x9E37 * (carrier_index as u64 + 1)),
    );
    let freqs = carrier.subcarrier_frequencies();
    let slot_s = carrier.slot_seconds();
    let pattern = carrier.slots();

    // Sounding in the last two symbols (UpPTS / the special slot's uplink part): the first
    // half of the candidates in symbol 12, the rest in symbol 13, each half multiplexed by
    // comb and cyclic shift. Splitting halves the users per comb offset, so the cyclic shifts
    // are twice as far apart in delay and the per-block de-spreading sees a flatter channel.
    // NR: comb 4 over every PRB (a multiple of 4). LTE: the 36.211 §5.5.3 SRS — comb 2, LTE
    // base sequences, the widest configuration C_SRS 0 of the bandwidth table, centred (96 of
    // 100 PRBs at 20 MHz) — and the downlink schedules PDSCH only on the sounded PRBs (the
    // weights of the others would come from a neighbour's estimate; on this 300 ns channel
    // that costs more than the PRBs carry).
    let group = (carrier.centre_hz() as u32 % 30, 0);
    let lte_srs_band = SrsBandwidthConfig {
        rat: SrsRat::Lte,
        c_srs: 0,
        b_srs: 0,
        b_hop: 3,
        n_rrc: 0,
        n_shift: 0,
        n_rb: n_prb,
    };
    let sched = match carrier.rat() {
        Rat::Nr => 0..n_prb,
        Rat::Lte => {
            let b = lte_srs_band.band(0)?;
            b.prb_start..b.prb_start + b.m_srs
        }
    };
    let n_sched = sched.len();
    let mut srs_pilots = Array3::zeros((n_cand, 14, n_sc));
    let halves = if n_cand > 8 {
        [(0, n_cand / 2, 12), (n_cand / 2, n_cand, 13)].to_vec()
    } else {
        vec![(0, n_cand, 13)]
    };
    for &(u0, u1, l) in &halves {
        let template = match carrier.rat() {
            Rat::Nr => SrsConfig::single_port(4, (n_prb / 4) * 4, l, group),
            Rat::Lte => SrsConfig::lte(2, &lte_srs_band, 0, l, group)?,
        };
        write_multiplexed_users(&template, u1 - u0, srs_pilots.slice_mut(s![u0..u1, .., ..]))?;
    }
    let cfg = DownlinkConfig {
        n_ant,
        n_candidates: n_cand,
        n_layers: k,
        n_prb,
        prg_prbs: scenario.prg_prbs,
        precoder: scenario.precoder,
        normalization: scenario.normalization,
        srs_estimation: scenario.srs_estimation,
    };
    let mut dl = if scenario.weight_subcarriers == 0 {
        DownlinkSlot::new(cfg, srs_pilots.view(), &carrier.ofdm_config(0)?)?
    } else {
        DownlinkSlot::new_sub_prb(
            cfg,
            srs_pilots.view(),
            &carrier.ofdm_config(0)?,
            scenario.weight_subcarriers,
        )?
    };
    let nv_srs = 10f64.powf(-scenario.ul_snr_db / 10.0);
    let nv_dl = 10f64.powf(-scenario.dl_snr_db / 10.0);
    let inr = &scenario.dl_interference_db;
    check_per_user(
        "dl_interference_db",
        inr,
        n_users,
        f64::INFINITY,
        "empty or one finite value (dB) per user",
    )?;
    let ulp = &scenario.ul_power_db;
    check_per_user(
        "ul_power_db",
        ulp,
        n_users,
        300.0,
        "empty or one finite value within ±300 dB per user",
    )?;
    // Each user's uplink amplitude (power control).
    let ul_amp: Vec<f32> = (0..n_users)
        .map(|u| 10f64.powf(ulp.get(u).copied().unwrap_or(0.0) / 20.0) as f32)
        .collect();
    let mut srs_tx = srs_pilots.clone();
    for (c, mut row) in srs_tx.outer_iter_mut().enumerate() {
        let a = ul_amp[c / n_srs];
        row.mapv_inplace(|v| v * a);
    }
    // Radio chains and their calibration (measured once, at t = 0, over the electrical array
    // of this carrier).
    let chains = |t: f64, tx: bool| -> Option<Vec<C32>> {
        scenario.reciprocity.as_ref().map(|r| {
            let (t_a, r_a) = r.mismatch.at(t);
            if tx { t_a } else { r_a }
        })
    };
    let calibration: Option<Vec<C32>> = match &scenario.reciprocity {
        Some(Reciprocity {
            mismatch,
            calibration: Some(ota),
        }) => {
            if mismatch.len() != n_ant {
                return Err(Error::InvalidParameter {
                    name: "reciprocity.mismatch",
                    value: massive_mimo::value!("{} chains for {n_ant} antennas", mismatch.len()),
                    reason: "one chain pair per antenna",
                });
            }
            let mut cal_rng = ChaCha8Rng::seed_from_u64(scenario.seed ^ 0xCA1B);
            let pairs = measure_pairs(
                &mut cal_rng,
                &carrier.electrical_array(),
                mismatch,
                ota,
                0.0,
            )?;
            let c = relative_calibration(n_ant, &pairs)?;
            Some(
                c.iter()
                    .map(|v| C32::new(v.re as f32, v.im as f32))
                    .collect(),
            )
        }
        Some(r) if r.mismatch.len() != n_ant => {
            return Err(Error::InvalidParameter {
                name: "reciprocity.mismatch",
                value: massive_mimo::value!("{} chains for {n_ant} antennas", r.mismatch.len()),
                reason: "one chain pair per antenna",
            });
        }
        _ => None,
    };
    // Thermal noise plus other-cell interference at each user.
    let nv_rx: Vec<f64> = (0..n_users)
        .map(|u| nv_dl * (1.0 + inr.get(u).map_or(0.0, |i| 10f64.powf(i / 10.0))))
        .collect();
    let modulation = Modulation::Qam256;
    let qm = modulation.bits_per_symbol();

    let mut h = Array3::zeros((n_users * n_rx, n_sc, n_ant));
    let mut srs_rx = Array3::zeros((n_ant, 14, n_sc));
    let mut selected: Vec<usize> = (0..k).collect();
    let mut srs_noise_db = f64::NAN;
    // Antenna switching: each user's sounded rows → its dominant eigen-row (one instance for
    // the soundings, one for perfect CSI).
    let mut sounded_rows = EigenRows::new(n_users, n_srs, n_ant)?;
    let mut perfect_rows = EigenRows::new(n_users, n_srs, n_ant)?;
    let candidates = |selected: &[usize]| selected.iter().map(|u| u * n_srs).collect::<Vec<_>>();
    // `observe`: the SRS received at time t into `srs_rx`; `process`: estimates, selection and
    // weights from the `srs_rx` held (the base station's processing, `srs_processing_s` later).
    let mut sound = |t: f64,
                     h: &mut Array3<C32>,
                     rng: &mut ChaCha8Rng,
                     dl: &mut DownlinkSlot,
                     selected: &mut Vec<usize>,
                     observe: bool,
                     process: bool|
     -> Result<()> {
        if observe {
            channel.frequency_response(t, &freqs, h.view_mut())?;
            through_chains(h, chains(t, false).as_deref());
            srs_rx.fill(C32::new(0.0, 0.0));
            for l in 12..14 {
                for sc in 0..n_sc {
                    for a in 0..n_ant {
                        let v: C32 = (0..n_cand)
                            .map(|c| h[[sounder_row(c), sc, a]] * srs_tx[[c, l, sc]])
                            .sum();
                        srs_rx[[a, l, sc]] = v;
                    }
                }
                add_awgn(rng, nv_srs, srs_rx.slice_mut(s![.., l, ..]).iter_mut())?;
            }
        }
        if !process {
            return Ok(());
        }
        let report = dl.sound(srs_rx.view(), None)?;
        srs_noise_db = 10.0 * f64::from(report.noise_var_estimate).log10();
        if !ulp.is_empty() {
            // The sounded channel carries each user's (known) transmit amplitude.
            for ((_, _, c, _), v) in dl.estimates_mut().view_mut().indexed_iter_mut() {
                *v /= ul_amp[c / n_srs];
            }
        }
        if let Some(c) = &calibration {
            for ((_, _, _, a), v) in dl.estimates_mut().view_mut().indexed_iter_mut() {
                *v *= c[a];
            }
        }
        sounded_rows.apply(dl)?;
        if k < n_users {
            // Wideband channel per candidate (mean over PRBs) → SUS.
            let est = dl.estimates().view();
            let n_pos = (est.dim().0 * est.dim().1) as f32;
            let wb = Array2::from_shape_fn((n_users, n_ant), |(u, a)| {
                est.slice(s![.., .., u * n_srs, a]).iter().sum::<C32>() / n_pos
            });
            let mut pick = semi_orthogonal_selection(wb.view(), k, 0.6)?;
            // Fill up with the strongest remaining candidates if SUS stopped early.
            let mut rest: Vec<usize> = (0..n_users).filter(|u| !pick.contains(u)).collect();
            rest.sort_by(|a, b| {
                let n = |u: usize| wb.row(u).iter().map(|v| v.norm_sqr()).sum::<f32>();
                n(*b).total_cmp(&n(*a))
            });
            pick.extend(rest.into_iter().take(k - pick.len()));
            *selected = pick;
        }
        if scenario.csi == Csi::Srs {
            dl.compute_weights(&candidates(selected), nv_dl as f32)?;
        }
        Ok(())
    };
    // The sounding before the first simulated slot (its weights ready for the first slot).
    sound(
        -slot_s / 2.0,
        &mut h,
        &mut rng,
        &mut dl,
        &mut selected,
        true,
        true,
    )?;
    let delay = scenario.srs_processing_s;
    if !(delay.is_finite() && delay >= 0.0) {
        return Err(Error::InvalidParameter {
            name: "srs_processing_s",
            value: massive_mimo::error::Value::of(&delay),
            reason: "must be finite and ≥ 0",
        });
    }
    // A sounding observed but not yet turned into weights: its time.
    let mut pending: Option<f64> = None;

    let mut acc = vec![Accumulator::default(); k];
    let mut layers = Array3::zeros((k, 14, n_sc));
    let mut grid = Array3::zeros((n_ant, 14, n_sc));
    let mut data_re: Vec<Vec<C32>> = vec![Vec::new(); k];
    let mut bits: Vec<Vec<u8>> = vec![Vec::new(); k];
    let mut dl_slots = 0;
    let mut ul_slots = 0;
    // Uplink PUSCH: up to 12 users (DMRS type 2, double symbol on 2–3: the most orthogonal
    // ports), one layer each, per-PRB MMSE on all antennas.
    let n_ul = n_users.min(12);
    let mut ul_pilots = Array3::zeros((n_ul, 14, n_sc));
    DmrsConfig {
        n_id: [carrier_index as u32 + 100, carrier_index as u32 + 600],
        ..DmrsConfig::new(DmrsType::Type2, (0..n_ul).collect(), vec![2], true)
    }
    .write_pilots(ul_pilots.view_mut())?;
    let mut ul = UplinkSlot::new(
        n_ant,
        PilotPattern::from_pilots(ul_pilots.view())?,
        &carrier.ofdm_config(0)?,
    )?;
    if scenario.filter_subcarriers > 0 {
        ul = ul.with_sub_prb_filters(scenario.filter_subcarriers)?;
    }
    let mut ul_acc = vec![Accumulator::default(); n_ul];
    let n_slots = pattern.len() * scenario.periods;
    for i in 0..n_slots {
        let kind = pattern[i % pattern.len()];
        let t = i as f64 * slot_s;
        let dl_end = kind.dl_symbols() as usize;
        // The weights of a sounding become usable `srs_processing_s` after it.
        if let Some(ts) = pending
            && t >= ts + delay - 1e-12
        {
            sound(ts, &mut h, &mut rng, &mut dl, &mut selected, false, true)?;
            pending = None;
        }
        if dl_end > 4 {
            dl_slots += 1;
            let rs = downlink_rs(
                carrier,
                kind,
                i,
                k,
                carrier_index,
                sched.clone(),
                scenario.lte_crs_ports,
                scenario.lte_ue_rs,
            )?;
            let n_data = rs.data_res.len();
            let re_prb: Vec<usize> = rs.data_res.iter().map(|&(_, sc)| sc / 12).collect();
            channel.frequency_response(t + slot_s / 2.0, &freqs, h.view_mut())?;
            through_chains(&mut h, chains(t + slot_s / 2.0, true).as_deref());
            if scenario.csi == Csi::Perfect {
                let per_sc_est = dl.estimates().view().dim().1 == n_sc;
                let mut est = dl.estimates_mut().view_mut();
                for ((_, p, c, a), v) in est.indexed_iter_mut() {
                    // Per-PRB estimates hold the PRB's centre, per-subcarrier ones their own.
                    *v = if per_sc_est {
                        h[[sounder_row(c), p, a]]
                    } else {
                        h[[sounder_row(c), 12 * p + 6, a]]
                    };
                }
                perfect_rows.apply(&mut dl)?;
                dl.compute_weights(&candidates(&selected), nv_dl as f32)?;
            }
            // Layer mapping: reference signals, then 256QAM on every other RE from symbol 2
            // to the end of the downlink part.
            layers.assign(&rs.pilots);
            for j in 0..k {
                bits[j].clear();
                bits[j].extend((0..n_data * qm).map(|_| rng.r#gen::<bool>() as u8));
                data_re[j].resize(n_data, C32::new(0.0, 0.0));
                map(modulation, &bits[j], &mut data_re[j])?;
                for (v, &(l, sc)) in data_re[j].iter().zip(&rs.data_res) {
                    layers[[j, l, sc]] = *v;
                }
            }
            dl.precode(layers.view(), grid.view_mut())?;
            let w = dl.weights();
            let weight_unit = |sc: usize| dl.weight_unit(sc);
            // Each user's receiver: the library's estimator on the reference signals of its
            // scrambling set (the ports it can separate), per subcarrier, interpolated in time.
            // The users of a set are estimated in one call per receive antenna r, as the rows
            // of one received grid (user q's antenna r is row q·n_rx + r of `rx_set`, row q of
            // antenna r's call; it reads its own port q), so that each antenna has the noise
            // figure of its own pilots (a user's un-beamformed antenna sees far more
            // interference than its beamformed one).
            for members in &rs.sets {
                let set_pilots = rs.pilots.select(ndarray::Axis(0), members);
                let n_set = members.len();
                let mut rx_set = Array3::zeros((n_set * n_rx, 14, n_sc));
                for (q, &j) in members.iter().enumerate() {
                    let u = selected[j];
                    for r in 0..n_rx {
                        let row = q * n_rx + r;
                        for l in 2..dl_end {
                            for sc in 0..n_sc {
                                let mut v = C32::new(0.0, 0.0);
                                for a in 0..n_ant {
                                    v += h[[u * n_rx + r, sc, a]] * grid[[a, l, sc]];
                                }
                                rx_set[[row, l, sc]] = v;
                            }
                        }
                        add_awgn(
                            &mut rng,
                            nv_rx[u],
                            rx_set.slice_mut(s![row, 2..dl_end, ..]).iter_mut(),
                        )?;
                    }
                }
                let mut h_ue = Vec::with_capacity(n_rx);
                let mut nv_ue = Vec::with_capacity(n_rx);
                // The user's filter inside each PRG of the schedule ([`UeEstimation::PerPrg`]:
                // PRGs from common PRB 0, the whole schedule when wideband), or across it.
                let prg = match dl.prg_prbs() {
                    0 => n_prb,
                    p => p,
                };
                let prgs: Vec<std::ops::Range<usize>> = (sched.start / prg
                    ..sched.end.div_ceil(prg))
                    .map(|g| (g * prg).max(sched.start)..((g + 1) * prg).min(sched.end))
                    .collect();
                let set_ports: Vec<usize> = (0..n_set).collect();
                let (cover, per_prg) = match scenario.ue_estimation {
                    UeEstimation::Wideband => (CoverSpan::Frequency, None),
                    UeEstimation::PerPrg => (
                        CoverSpan::Time,
                        Some([MuGroup {
                            users: &set_ports,
                            prbs: PrbAllocation::new(&prgs, n_prb)?,
                        }]),
                    ),
                };
                let ue_pattern = PilotPattern::from_pilots_with(set_pilots.view(), cover)?;
                if per_prg.is_some() {
                    check_prg_noise_estimate(&ue_pattern, &prgs)?;
                }
                for r in 0..n_rx {
                    let mut ue_est = ChannelEstimator::new(
                        ue_pattern.clone(),
                        n_set,
                        EstimatorConfig::default(),
                    )?;
                    let mut h_runs = ue_est.estimate()?;
                    let mut h_r = ue_est.estimate_per_symbol()?;
                    let rx_r = rx_set.slice(s![r..;n_rx, .., ..]);
                    match &per_prg {
                        Some(groups) => ue_est.process_groups(rx_r, None, groups, &mut h_runs)?,
                        None => ue_est.process(rx_r, None, &mut h_runs)?,
                    };
                    ue_est.interpolate_time(&h_runs, &mut h_r)?;
                    h_ue.push(h_r);
                    nv_ue.push(ue_est.report().noise_var.max(0.0));
                }
                // ĝ of port p at user q's antenna r, symbol l, subcarrier sc.
                let g_hat = |p: usize, q: usize, r: usize, l: usize, sc: usize| {
                    h_ue[r].view()[[l, sc, p, q]]
                };
                // One-tap MMSE / MRC with the noise each antenna's estimator measured from the
                // pilots (bounded where the estimate is weak; its scalar bias is what the
                // data-aided SINR of the accumulator sees through), or MMSE-IRC
                // ([`UeReceiver`]).
                let irc = scenario.ue_receiver == UeReceiver::Irc && n_rx > 1;
                // IRC: the set's pilot REs per PRB, where the residual covariance is measured.
                let mut pilot_res: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n_prb];
                if irc {
                    for l in 2..dl_end {
                        for sc in 12 * sched.start..12 * sched.end {
                            if (0..n_set).any(|p| set_pilots[[p, l, sc]] != C32::new(0.0, 0.0)) {
                                pilot_res[sc / 12].push((l, sc));
                            }
                        }
                    }
                }
                let mut combiner = IrcCombiner::new(n_rx);
                let mut r_prb = vec![num_complex::Complex64::new(0.0, 0.0); n_prb * n_rx * n_rx];
                let mut g_set = vec![C32::new(0.0, 0.0); n_set * n_rx];
                let mut g_eff = vec![C32::new(0.0, 0.0); k * n_rx];
                let mut y = vec![C32::new(0.0, 0.0); n_rx];
                let mut residuals: Vec<C32> = Vec::new();
                for (q, &j) in members.iter().enumerate() {
                    let u = selected[j];
                    let rows = q * n_rx..(q + 1) * n_rx;
                    if irc {
                        for p in sched.clone() {
                            residuals.clear();
                            for &(l, sc) in &pilot_res[p] {
                                for (r, row) in rows.clone().enumerate() {
                                    let fit: C32 = (0..n_set)
                                        .map(|pp| g_hat(pp, q, r, l, sc) * set_pilots[[pp, l, sc]])
                                        .sum();
                                    residuals.push(rx_set[[row, l, sc]] - fit);
                                }
                            }
                            residual_covariance(
                                residuals.chunks_exact(n_rx),
                                n_rx,
                                IRC_RELATIVE_FLOOR,
                                &mut r_prb[p * n_rx * n_rx..(p + 1) * n_rx * n_rx],
                            );
                        }
                    }
                    let eq: Vec<C32> = rs
                        .data_res
                        .iter()
                        .map(|&(l, sc)| {
                            for (yr, row) in y.iter_mut().zip(rows.clone()) {
                                *yr = rx_set[[row, l, sc]];
                            }
                            if irc {
                                for p in 0..n_set {
                                    for r in 0..n_rx {
                                        g_set[p * n_rx + r] = g_hat(p, q, r, l, sc);
                                    }
                                }
                                let nn = n_rx * n_rx;
                                let r = &r_prb[(sc / 12) * nn..(sc / 12 + 1) * nn];
                                combiner.combine(&g_set, q, r, &y)
                            } else {
                                for (r, g) in g_set[..n_rx].iter_mut().enumerate() {
                                    *g = g_hat(q, q, r, l, sc);
                                }
                                mrc(&g_set[..n_rx], &y, &nv_ue)
                            }
                        })
                        .collect();
                    // Predicted SINR from the true channel and the weights, at three
                    // subcarriers of every PRB: the MMSE-IRC SINR gᴴ(Σ_{i≠j} g_i·g_iᴴ + σ²I)⁻¹g
                    // of the effective channels g_i = H_u·w_i (one antenna: |g_j|²/(leak + σ²)).
                    for p in sched.clone() {
                        for sc in [12 * p + 2, 12 * p + 6, 12 * p + 10] {
                            let g_idx = weight_unit(sc);
                            for (q, gq) in g_eff.iter_mut().enumerate() {
                                let (i, r) = (q / n_rx, q % n_rx);
                                *gq = (0..n_ant)
                                    .map(|a| h[[u * n_rx + r, sc, a]] * w[[g_idx, a, i]])
                                    .sum();
                            }
                            let sinr = combiner.sinr(&g_eff, j, nv_rx[u]);
                            acc[j].log_capacity += (1.0 + sinr).log2();
                            acc[j].n_capacity += 1;
                        }
                    }
                    acc[j].add(
                        modulation,
                        &eq,
                        &data_re[j],
                        &bits[j],
                        &re_prb,
                        n_data / n_sched,
                        tbs_scaling(carrier, kind),
                        t,
                    )?;
                }
            }
        }
        if kind == SlotKind::Uplink {
            ul_slots += 1;
            uplink_slot(&mut UplinkCtx {
                channel,
                freqs: &freqs,
                t: t + slot_s / 2.0,
                h: &mut h,
                pilots: &ul_pilots,
                ul: &mut ul,
                ul_amp: &ul_amp,
                n_rx,
                rx_chains: chains(t + slot_s / 2.0, false),
                acc: &mut ul_acc,
                rng: &mut rng,
                noise_var: nv_srs,
            })?;
        }
        if let SlotKind::Special { ul, .. } = kind
            && ul > 0
        {
            let ts = t + slot_s * 13.0 / 14.0;
            sound(
                ts,
                &mut h,
                &mut rng,
                &mut dl,
                &mut selected,
                true,
                delay == 0.0,
            )?;
            pending = (delay > 0.0).then_some(ts);
        }
    }
    let simulated_s = n_slots as f64 * slot_s;
    let (dl_tables, ul_tables) = match carrier.rat() {
        Rat::Nr => (LinkTables::Nr, LinkTables::Nr),
        Rat::Lte => (
            LinkTables::Lte(LteMcsTable::Qam256),
            LinkTables::Lte(LteMcsTable::Qam64),
        ),
    };
    let gap = scenario.mcs_margin_db;
    let delay = scenario.cqi_delay_s;
    let seed = |dir: u64, u: usize| {
        scenario.seed ^ (0xB1E5 + 0x1000 * carrier_index as u64 + 0x10 * u as u64 + dir)
    };
    let streams = acc
        .iter()
        .enumerate()
        .map(|(j, a)| {
            a.result(
                selected[j],
                n_sched,
                gap,
                delay,
                simulated_s,
                dl_tables,
                seed(0, selected[j]),
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let uplink = ul_acc
        .iter()
        .enumerate()
        .map(|(u, a)| a.result(u, n_prb, gap, delay, simulated_s, ul_tables, seed(1, u)))
        .collect::<Result<Vec<_>>>()?;
    Ok(CarrierResult {
        carrier: carrier_index,
        centre_hz: carrier.centre_hz(),
        throughput_mbps: streams.iter().map(|s| s.throughput_mbps).sum(),
        streams,
        uplink_throughput_mbps: uplink.iter().map(|s| s.throughput_mbps).sum(),
        uplink,
        dl_slots,
        ul_slots,
        simulated_s,
        srs_noise_db,
        weights: dl.weights().to_owned(),
        prg_prbs: dl.prg_prbs(),
    })
}

/// The IRC residual covariance's diagonal floor relative to its mean diagonal: 30 dB below it,
/// so a PRB's sample covariance stays invertible without hiding the antennas' own noise and
/// interference levels (a user's un-beamed antenna sees far more interference than its beamed
/// one: an absolute floor at the noise would bury the beamed antenna).
const IRC_RELATIVE_FLOOR: f64 = 1e-3;

/// SRS antenna switching at the base station: each user's n_srs sounded rows per estimate
/// position → its dominant eigen-row ([`dominant_row`]), written over its first sounder's
/// estimate (the one user selection and the weights read).
struct EigenRows {
    n_users: usize,
    n_srs: usize,
    n_ant: usize,
    eigen: massive_mimo::linalg::HermitianEigen,
    gram: Vec<num_complex::Complex64>,
    rows: Vec<C32>,
    out: Vec<C32>,
    /// Each user's u₁ at the previous frequency position [n_users × n_srs].
    u_prev: Vec<num_complex::Complex64>,
}

impl EigenRows {
    fn new(n_users: usize, n_srs: usize, n_ant: usize) -> Result<Self> {
        Ok(Self {
            n_users,
            n_srs,
            n_ant,
            eigen: massive_mimo::linalg::HermitianEigen::new(n_srs)?,
            gram: Vec::new(),
            rows: vec![C32::new(0.0, 0.0); n_srs * n_ant],
            out: vec![C32::new(0.0, 0.0); n_ant],
            u_prev: vec![num_complex::Complex64::new(0.0, 0.0); n_users * n_srs],
        })
    }

    /// Replaces each user's first sounder's estimates by its eigen-rows (nothing with one
    /// sounder per user).
    fn apply(&mut self, dl: &mut DownlinkSlot) -> Result<()> {
        let (n_srs, n_ant) = (self.n_srs, self.n_ant);
        if n_srs == 1 {
            return Ok(());
        }
        let mut est = dl.estimates_mut().view_mut();
        let (d0, d1, _, _) = est.dim();
        for i0 in 0..d0 {
            // Each user's u₁ phase-aligned along frequency (from the previous position's).
            self.u_prev.fill(num_complex::Complex64::new(0.0, 0.0));
            for i1 in 0..d1 {
                for u in 0..self.n_users {
                    for r in 0..n_srs {
                        for a in 0..n_ant {
                            self.rows[r * n_ant + a] = est[[i0, i1, u * n_srs + r, a]];
                        }
                    }
                    dominant_row(
                        &self.rows,
                        n_srs,
                        &mut self.eigen,
                        &mut self.gram,
                        &mut self.u_prev[u * n_srs..(u + 1) * n_srs],
                        &mut self.out,
                    )?;
                    for a in 0..n_ant {
                        est[[i0, i1, u * n_srs, a]] = self.out[a];
                    }
                }
            }
        }
        Ok(())
    }
}

/// The N_PRB scaling of the TBS of a downlink slot: the DwPTS factor of 36.213 §7.1.7 for an
/// LTE special subframe, else none.
fn tbs_scaling(carrier: &ComponentCarrier, kind: SlotKind) -> PrbScaling {
    match (kind, carrier.duplex()) {
        (SlotKind::Special { .. }, Duplex::LteTdd(c)) => {
            PrbScaling::for_dwpts(c.special()).unwrap_or(PrbScaling::Full)
        }
        _ => PrbScaling::Full,
    }
}

/// Whether the estimator's noise estimate exists on `prgs` (PRB ranges): it pools the second
/// differences of three consecutive CDM blocks inside one range, so some PRG must hold three
/// blocks of every run (NR DMRS type 2 has two per PRB: one-PRB PRGs leave none). Errors:
/// `InvalidParameter` naming `prg_prbs`.
fn check_prg_noise_estimate(pattern: &PilotPattern, prgs: &[std::ops::Range<usize>]) -> Result<()> {
    for g in pattern.groups() {
        for run in &g.runs {
            let blocks = |r: &std::ops::Range<usize>| {
                let res = run
                    .subcarriers
                    .iter()
                    .filter(|&&k| (12 * r.start..12 * r.end).contains(&k))
                    .count();
                res / run.block_len.max(1)
            };
            if !prgs.iter().any(|r| blocks(r) >= 3) {
                return Err(Error::InvalidParameter {
                    name: "prg_prbs",
                    value: massive_mimo::value!(
                        "PRGs of {} PRB(s) with {} CDM blocks each",
                        prgs.iter().map(|r| r.len()).max().unwrap_or(0),
                        prgs.iter().map(blocks).max().unwrap_or(0)
                    ),
                    reason: "per-PRG UE estimation needs three CDM blocks of a port in a PRG for its noise estimate (NR DMRS type 2: PRGs of ≥ 2 PRBs, as 38.214 §5.1.2.3 has them)",
                });
            }
        }
    }
    Ok(())
}

/// The downlink reference signals of one slot and where the data goes.
struct DownlinkRs {
    /// Every stream's pilots [k, 14, n_sc].
    pilots: Array3<C32>,
    /// Streams by scrambling identity: the ports a user can separate from its own.
    sets: Vec<Vec<usize>>,
    /// Data REs (symbol, subcarrier): symbols 2 … end of the downlink part, minus every
    /// stream's pilot REs.
    data_res: Vec<(usize, usize)>,
}

/// LTE carriers: UE-specific RS, stream j on port 7 + (j mod 8) with n_SCID = j / 8 (36.211
/// §6.10.3, normal or special subframe `slot mod 10`). NR carriers: DMRS type 2 double symbol
/// on 2–3 of slot `slot mod slots-per-frame`, stream j on port 1000 + (j mod 12) with
/// n_SCID = j / 12.
/// Whether RE (l, sc) of LTE subframe `subframe` (of a TDD frame) carries a cell-specific
/// signal the PDSCH is rate-matched around: the CRS of `crs_ports` ports (36.211 §6.10.1.2:
/// ports 0/1 on symbols 0, 4, 7, 11, ports 2/3 on 1 and 8, every 3rd subcarrier per port pair
/// shifted by N_ID mod 6), and in the central 72 subcarriers the PSS (subframes 1 and 6,
/// symbol 2), the SSS (subframes 0 and 5, symbol 13) and the PBCH (subframe 0, symbols 7–10)
/// of §6.11 / §6.6 (frame structure 2).
fn lte_cell_signal(
    subframe: usize,
    l: usize,
    sc: usize,
    n_sc: usize,
    n_id: u32,
    crs_ports: usize,
) -> bool {
    let v_shift = (n_id % 6) as usize;
    // k = 6m + (v + v_shift) mod 6: port 0 has v = 0 on symbols 0/7 and 3 on 4/11, port 1
    // the other offset; ports 2/3 (symbols 1/8) cover both offsets between them.
    let k = (sc + 6 - v_shift) % 6;
    let crs = match l {
        0 | 7 => crs_ports >= 1 && (k == 0 || (k == 3 && crs_ports >= 2)),
        4 | 11 => crs_ports >= 1 && (k == 3 || (k == 0 && crs_ports >= 2)),
        1 | 8 => crs_ports >= 4 && (k == 0 || k == 3),
        _ => false,
    };
    let central = sc + 36 >= n_sc / 2 && sc < n_sc / 2 + 36;
    let sync = central
        && match subframe {
            0 => l == 13 || (7..=10).contains(&l),
            5 => l == 13,
            1 | 6 => l == 2,
            _ => false,
        };
    crs || sync
}

#[allow(clippy::too_many_arguments)]
fn downlink_rs(
    carrier: &ComponentCarrier,
    kind: SlotKind,
    slot: usize,
    k: usize,
    carrier_index: usize,
    sched: std::ops::Range<usize>,
    lte_crs_ports: usize,
    lte_ue_rs: LteUeRsPorts,
) -> Result<DownlinkRs> {
    let n_sc = carrier.n_sc();
    let (per_set, max) = match carrier.rat() {
        Rat::Lte => (lte_ue_rs.ports().len(), MAX_LTE_STREAMS),
        Rat::Nr => (12, 24),
    };
    if k > max {
        return Err(Error::InvalidParameter {
            name: "n_streams",
            value: massive_mimo::error::Value::of(&k),
            reason: "at most 16 (LTE: UE-RS ports × n_SCID × DMRS identities) or 24 (NR: DMRS type 2 × n_SCID) streams",
        });
    }
    let cell_id = (carrier_index as u32 * 3 + 1) % 504;
    let mut pilots = Array3::zeros((k, 14, n_sc));
    let mut sets = Vec::new();
    for scid in 0..k.div_ceil(per_set) {
        let members: Vec<usize> = (per_set * scid..k.min(per_set * (scid + 1))).collect();
        let mut g = Array3::zeros((members.len(), 14, n_sc));
        match carrier.rat() {
            Rat::Lte => {
                let special = match (kind, carrier.duplex()) {
                    (SlotKind::Special { .. }, Duplex::LteTdd(c)) => {
                        UeRsSubframe::Special(c.special())
                    }
                    _ => UeRsSubframe::Normal,
                };
                // The set's streams share n_SCID and identity (`LteUeRsPorts::assign`).
                let mut ports = Vec::with_capacity(members.len());
                let (mut n_scid, mut pair) = (0, 0);
                for &j in &members {
                    let (port, sc, pr) = lte_ue_rs.assign(j)?;
                    ports.push(port);
                    (n_scid, pair) = (sc, pr);
                }
                let id = LteUeRsPorts::identity(cell_id, pair);
                UeRsConfig {
                    n_id: [id, id],
                    n_scid,
                    subframe: (slot % 10) as u32,
                    kind: special,
                    ..UeRsConfig::new(ports, id)
                }
                .write_pilots(g.view_mut())?;
            }
            Rat::Nr => {
                DmrsConfig {
                    n_scid: scid as u32,
                    n_id: [carrier_index as u32, carrier_index as u32 + 500],
                    slot: slot as u32 % carrier.numerology().slots_per_frame(),
                    ..DmrsConfig::new(
                        DmrsType::Type2,
                        members.iter().map(|j| j % 12).collect(),
                        vec![2],
                        true,
                    )
                }
                .write_pilots(g.view_mut())?;
            }
        }
        pilots
            .slice_mut(s![members[0]..members[0] + members.len(), .., ..])
            .assign(&g);
        sets.push(members);
    }
    // Reference signals only on the scheduled PRBs (36.211 §6.10.3.2 / 38.211 §7.4.1.1.2: the
    // UE-specific RS and DMRS occupy the PDSCH allocation).
    let zero = C32::new(0.0, 0.0);
    pilots.slice_mut(s![.., .., ..12 * sched.start]).fill(zero);
    pilots.slice_mut(s![.., .., 12 * sched.end..]).fill(zero);
    let dl_end = kind.dl_symbols() as usize;
    let lte = carrier.rat() == Rat::Lte;
    let n_id = cell_id;
    let data_res = (2..dl_end)
        .flat_map(|l| (12 * sched.start..12 * sched.end).map(move |sc| (l, sc)))
        .filter(|&(l, sc)| (0..k).all(|j| pilots[[j, l, sc]] == zero))
        .filter(|&(l, sc)| !(lte && lte_cell_signal(slot % 10, l, sc, n_sc, n_id, lte_crs_ports)))
        .collect();
    Ok(DownlinkRs {
        pilots,
        sets,
        data_res,
    })
}

struct UplinkCtx<'a> {
    channel: &'a dyn ChannelModel,
    freqs: &'a [f64],
    t: f64,
    h: &'a mut Array3<C32>,
    pilots: &'a Array3<C32>,
    ul: &'a mut UplinkSlot,
    ul_amp: &'a [f32],
    /// Receive antennas per user (the uplink is sent from antenna 0: channel row u·n_rx).
    n_rx: usize,
    rx_chains: Option<Vec<C32>>,
    acc: &'a mut [Accumulator],
    rng: &'a mut ChaCha8Rng,
    noise_var: f64,
}

/// One uplink slot: users 0..n_ul send 64QAM on symbols 0–1 and 4–13 with their DMRS on 2–3
/// through the uplink channel (the transpose of the downlink one) plus noise; the base station
/// estimates, detects (unbiased MMSE, noise measured from the DMRS) and the outcome is scored.
fn uplink_slot(c: &mut UplinkCtx<'_>) -> Result<()> {
    let modulation = Modulation::Qam64;
    let qm = modulation.bits_per_symbol();
    let (n_ul, _, n_sc) = c.pilots.dim();
    let n_ant = c.h.dim().2;
    c.channel.frequency_response(c.t, c.freqs, c.h.view_mut())?;
    through_chains(c.h, c.rx_chains.as_deref());
    let data_symbols: Vec<usize> = (0..14).filter(|l| *l != 2 && *l != 3).collect();
    // The PRB of each data RE, in the order the equalised data is collected below.
    let re_prb: Vec<usize> = data_symbols
        .iter()
        .flat_map(|_| (0..n_sc).map(|sc| sc / 12))
        .collect();
    let mut tx = c.pilots.clone();
    let mut bits: Vec<Vec<u8>> = Vec::with_capacity(n_ul);
    let mut sent: Vec<Vec<C32>> = Vec::with_capacity(n_ul);
    for u in 0..n_ul {
        let b: Vec<u8> = (0..data_symbols.len() * n_sc * qm)
            .map(|_| c.rng.r#gen::<bool>() as u8)
            .collect();
        let mut x = vec![C32::new(0.0, 0.0); data_symbols.len() * n_sc];
        map(modulation, &b, &mut x)?;
        for (i, v) in x.iter().enumerate() {
            tx[[u, data_symbols[i / n_sc], i % n_sc]] = *v;
        }
        bits.push(b);
        sent.push(x);
    }
    for (mut row, &a) in tx.outer_iter_mut().zip(c.ul_amp) {
        row.mapv_inplace(|v| v * a);
    }
    {
        let mut grid = c.ul.grid_mut();
        for a in 0..n_ant {
            for l in 0..14 {
                for sc in 0..n_sc {
                    let mut v = C32::new(0.0, 0.0);
                    for u in 0..n_ul {
                        v += c.h[[u * c.n_rx, sc, a]] * tx[[u, l, sc]];
                    }
                    grid[[a, l, sc]] = v;
                }
            }
        }
        add_awgn(c.rng, c.noise_var, grid.iter_mut())?;
    }
    c.ul.detect(DetectorMethod::Mmse { unbiased: true }, None)?;
    let x = c.ul.layers();
    let xv = c.ul.layer_noise();
    for (u, acc) in c.acc.iter_mut().enumerate() {
        let eq: Vec<C32> = data_symbols
            .iter()
            .flat_map(|&l| (0..n_sc).map(move |sc| (l, sc)))
            .map(|(l, sc)| x[[u, l, sc]])
            .collect();
        acc.add(
            modulation,
            &eq,
            &sent[u],
            &bits[u],
            &re_prb,
            12 * data_symbols.len(),
            PrbScaling::Full,
            c.t,
        )?;
        for p in 0..xv.dim().0 {
            let v = f64::from(xv[[p, u]]);
            if v > 0.0 {
                acc.log_capacity += (1.0 + 1.0 / v).log2();
                acc.n_capacity += 1;
            }
        }
    }
    Ok(())
}

/// Runs `f(index, item)` for every item on a rayon pool of `threads` threads (`None`: the
/// global pool), results in item order. Each call must be independent of the others (own
/// seeds, own buffers) for the results not to depend on the thread count.
pub fn run_carriers<T, R, F>(items: &[T], threads: Option<usize>, f: F) -> Result<Vec<R>>
where
    T: Sync,
    R: Send,
    F: Fn(usize, &T) -> Result<R> + Sync,
{
    let run = || {
        items
            .par_iter()
            .enumerate()
            .map(|(i, t)| f(i, t))
            .collect::<Result<Vec<R>>>()
    };
    match threads {
        None => run(),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| Error::InvalidParameter {
                name: "threads",
                value: massive_mimo::value!("{n}: {e}"),
                reason: "could not start the thread pool",
            })?
            .install(run),
    }
}

/// Simulates `scenario` on every carrier of `ca` in parallel (one shared channel: the same
/// environment seen at each carrier's frequency), per-carrier results in set order.
pub fn simulate_aggregation(
    ca: &CarrierAggregation,
    scenario: &CellScenario,
    threads: Option<usize>,
) -> Result<Vec<CarrierResult>> {
    let first = &ca.carriers()[0];
    if let Some(c) = ca
        .carriers()
        .iter()
        .find(|c| c.array() != first.array() || c.array_design_hz() != first.array_design_hz())
    {
        return Err(Error::InvalidParameter {
            name: "carriers[].array",
            value: massive_mimo::value!("{:?} at {} Hz", c.array(), c.array_design_hz()),
            reason: "one simulated cell: every carrier must be served by the same array",
        });
    }
    let channel = scenario.build_channel(first.array(), first.array_design_hz())?;
    run_carriers(ca.carriers(), threads, |i, c| {
        simulate_carrier(c, channel.as_ref(), scenario, i)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use massive_mimo::array::PanelArray;
    use ndarray::Array3;

    /// Per-PRG UE estimation needs a noise estimate, which pools second differences of three
    /// CDM blocks inside one PRG: NR DMRS type 2 (two FD-OCC blocks per PRB and CDM group)
    /// has none on one-PRB PRGs and is refused naming `prg_prbs`; two-PRB PRGs (38.214's
    /// smallest) and LTE UE-RS (three pilot subcarriers per PRB) pass.
    #[test]
    fn prgs_without_a_noise_estimate_are_refused() {
        let n_prb = 6;
        let prgs = |p: usize| -> Vec<std::ops::Range<usize>> {
            (0..n_prb)
                .step_by(p)
                .map(|s| s..(s + p).min(n_prb))
                .collect()
        };
        let mut nr = Array3::zeros((12, 14, 12 * n_prb));
        DmrsConfig::new(DmrsType::Type2, (0..12).collect(), vec![2], true)
            .write_pilots(nr.view_mut())
            .unwrap();
        let nr = PilotPattern::from_pilots(nr.view()).unwrap();
        match check_prg_noise_estimate(&nr, &prgs(1)) {
            Err(Error::InvalidParameter { name, value, .. }) => {
                assert_eq!(name, "prg_prbs");
                assert!(value.to_string().contains("2 CDM blocks"), "{value}");
            }
            other => panic!("{other:?}"),
        }
        check_prg_noise_estimate(&nr, &prgs(2)).unwrap();
        // One PRG of three blocks among one-PRB ones is enough (the estimate pools them).
        let mixed = [0..1, 1..3, 3..4];
        check_prg_noise_estimate(&nr, &mixed).unwrap();
        let mut lte = Array3::zeros((4, 14, 12 * n_prb));
        UeRsConfig::new(vec![7, 8, 11, 13], 1)
            .write_pilots(lte.view_mut())
            .unwrap();
        let lte = PilotPattern::from_pilots_with(lte.view(), CoverSpan::Time).unwrap();
        check_prg_noise_estimate(&lte, &prgs(1)).unwrap();
    }

    /// The UE-RS of 16 LTE streams under each signalling: REs per PRB pair of a normal
    /// subframe (36.211 §6.10.3.2: CDM group 1 = subcarriers 1, 6, 11 of symbols 5, 6, 12, 13;
    /// group 2 = 0, 5, 10), which streams share a scrambling set, and that Rel-13's streams j
    /// and j + 8 use the same port and n_SCID on the same REs under different scrambling.
    #[test]
    fn lte_ue_rs_signalling_sets_overhead_and_scrambling() {
        let array = PanelArray::cross_polarized(8, 4).unwrap();
        let carrier = ComponentCarrier::td_lte_band41(2595.0, array, 2.6e9).unwrap();
        let zero = C32::new(0.0, 0.0);
        for (sig, ue_rs_res, set_len) in [
            (LteUeRsPorts::Ports7To14, 24, 8),
            (LteUeRsPorts::Rel13Occ4, 12, 4),
            (LteUeRsPorts::Tm8, 12, 2),
        ] {
            let rs = downlink_rs(&carrier, SlotKind::Downlink, 3, 16, 0, 0..100, 0, sig).unwrap();
            // PRB 10: away from the central six PRBs; no CRS (0 ports) in this count.
            let prb10 = rs.data_res.iter().filter(|&&(_, sc)| sc / 12 == 10).count();
            assert_eq!(prb10, 12 * 12 - ue_rs_res, "{sig:?}");
            let sets: Vec<Vec<usize>> = (0..16)
                .collect::<Vec<_>>()
                .chunks(set_len)
                .map(|c| c.to_vec())
                .collect();
            assert_eq!(rs.sets, sets, "{sig:?}");
            let pilot_res = |j: usize| -> Vec<(usize, usize)> {
                (0..14)
                    .flat_map(|l| (120..132).map(move |sc| (l, sc)))
                    .filter(|&(l, sc)| rs.pilots[[j, l, sc]] != zero)
                    .collect()
            };
            if sig != LteUeRsPorts::Ports7To14 {
                for j in 0..16 {
                    // Only CDM group 1 (k' = 1).
                    assert!(pilot_res(j).iter().all(|&(_, sc)| sc % 12 % 5 == 1), "{j}");
                }
            }
            if sig == LteUeRsPorts::Rel13Occ4 {
                for j in 0..8 {
                    assert_eq!(pilot_res(j), pilot_res(j + 8));
                    let (a, b) = (
                        rs.pilots.slice(s![j, .., ..]),
                        rs.pilots.slice(s![j + 8, .., ..]),
                    );
                    assert_ne!(a, b, "streams {j} and {} scramble alike", j + 8);
                }
            }
        }
    }

    #[test]
    fn lte_crs_and_sync_signals_take_their_res() {
        // Per PRB pair in the data region (symbols 2–13) away from the centre: 1 port 6 REs
        // (symbols 4, 7, 11 × 2), 2 ports 12, 4 ports 16 (36.211 §6.10.1.2).
        let count = |ports: usize| {
            (2..14)
                .flat_map(|l| (0..12).map(move |sc| (l, sc)))
                .filter(|&(l, sc)| lte_cell_signal(3, l, sc, 1200, 7, ports))
                .count()
        };
        assert_eq!((count(0), count(1), count(2), count(4)), (0, 6, 12, 16));
        // The CRS moves with N_ID mod 6 (7 → v_shift 1).
        assert!(lte_cell_signal(3, 4, 4, 1200, 7, 2) && !lte_cell_signal(3, 4, 3, 1200, 7, 2));
        // Central six PRBs: SSS in subframes 0/5 (symbol 13), PBCH in subframe 0 (7–10), PSS in
        // the special subframes 1/6 (symbol 2); not outside the centre or in other subframes.
        for (sf, l, want) in [
            (0, 13, true),
            (5, 13, true),
            (0, 8, true),
            (1, 2, true),
            (6, 2, true),
            (3, 13, false),
            (5, 9, false),
        ] {
            assert_eq!(
                lte_cell_signal(sf, l, 600 + 2, 1200, 7, 0),
                want,
                "{sf} {l}"
            );
            assert!(!lte_cell_signal(sf, l, 100, 1200, 7, 0));
        }
    }

    #[test]
    fn cdl_channels_point_at_their_users() {
        // CDL-D turned toward two users at ±30°: most of the power is the LOS ray toward the
        // user (K = P_LOS/ΣP_NLOS ≈ 9 dB: 89 %) and the clusters spread a few degrees around
        // it, so a user's channel correlates strongly with the array response toward itself
        // (|aᴴh|²/‖a‖²‖h‖² > 0.7) and weakly toward the other user.
        let array = PanelArray::cross_polarized(8, 4).unwrap();
        let mut sc = CellScenario::reference(2);
        let dirs = [(95.0, -30.0), (100.0, 30.0)];
        for (g, (ze, az)) in sc.users.iter_mut().zip(dirs) {
            g.zenith_deg = ze;
            g.azimuth_deg = az;
        }
        sc.channel = ChannelKind::Cdl(NrCdl::D, 100e-9);
        let ch = sc.build_channel(&array, 2.6e9).unwrap();
        let n = array.len();
        let mut h = Array3::zeros((2, 1, n));
        ch.frequency_response(0.0, &[2.6e9], h.view_mut()).unwrap();
        let corr = |u: usize, (ze, az): (f64, f64)| {
            let mut a = vec![C32::new(0.0, 0.0); n];
            array
                .response(ze, az, (C32::new(1.0, 0.0), C32::new(0.0, 0.0)), &mut a)
                .unwrap();
            let dot: C32 = (0..n).map(|i| h[[u, 0, i]] * a[i].conj()).sum();
            let ha: f32 = (0..n).map(|i| h[[u, 0, i]].norm_sqr()).sum();
            let aa: f32 = a.iter().map(|v| v.norm_sqr()).sum();
            dot.norm_sqr() / (ha * aa)
        };
        for u in 0..2 {
            let (own, other) = (corr(u, dirs[u]), corr(u, dirs[1 - u]));
            assert!(own > 0.7, "user {u}: {own:.3} toward itself");
            assert!(other < 0.1, "user {u}: {other:.3} toward the other user");
        }
        // NLOS CDL-A builds for every user too.
        sc.channel = ChannelKind::Cdl(NrCdl::A, 300e-9);
        assert_eq!(sc.build_channel(&array, 2.6e9).unwrap().n_users(), 2);
    }
}
