//! The reference-size slot fixture shared by `mimo bench`, `mimo icount` and the benchmarks:
//! one carrier (TD-LTE 20 MHz or NR 100 MHz at 30 kHz) of the reference cell, 64 antennas × 16
//! layers, with every processor and buffer of its downlink and uplink slot built once, and one
//! method per hot block. The data are deterministic fillers (the blocks' speed does not depend
//! on the values), so instruction counts repeat exactly.

use massive_mimo::C32;
use massive_mimo::detection::{DetectorMethod, GroupChannels, MimoDetector};
use massive_mimo::estimation::{
    ChannelEstimator, CyclicShiftEstimator, EstimatorConfig, NORMAL_CP_FRACTION, OutputResolution,
    PilotPattern,
};
use massive_mimo::fronthaul::{
    CategoryA, CompHeader, Direction, IqWidth, Timing, UplaneCodec, precode_uplane,
};
use massive_mimo::link::{GridScreen, RowScreen, precode_modulate};
use massive_mimo::modulation::{DemapMethod, Modulation, demap, demap_i8};
use massive_mimo::ofdm::{CyclicPrefix, OfdmConfig, OfdmDemodulator, OfdmModulator, Standard};
use massive_mimo::precoding::{Normalization, PrecoderApplier, RzfPrecoder};
use massive_mimo::refsig::{
    DmrsConfig, DmrsType, SrsConfig, type_a_positions, write_multiplexed_users,
};
use massive_mimo::resource::ChannelEstimate;
use massive_mimo::resource::{AlignedGrid, SUBCARRIERS_PER_PRB, consecutive_runs};
use massive_mimo::simd::{Kernels, LineVec, ScreenBits};
use ndarray::{Array2, Array3, ArrayView2, ArrayView3, s};

/// One carrier of the reference cell: 64 antennas, 16 layers/streams.
#[derive(Clone, Copy)]
pub struct Carrier {
    /// Report name.
    pub name: &'static str,
    /// PRBs.
    pub n_prb: usize,
    /// FFT size.
    pub n_fft: usize,
    /// Standard (LTE: 15 kHz, DC; NR: 30 kHz).
    pub standard: Standard,
    /// Slot (NR) or subframe (LTE) duration, seconds.
    pub slot_s: f64,
}

/// TD-LTE 20 MHz and NR 100 MHz at 30 kHz.
pub const CARRIERS: [Carrier; 2] = [
    Carrier {
        name: "td-lte-20mhz",
        n_prb: 100,
        n_fft: 2048,
        standard: Standard::Lte,
        slot_s: 1e-3,
    },
    Carrier {
        name: "nr-100mhz-30khz",
        n_prb: 273,
        n_fft: 4096,
        standard: Standard::Nr,
        slot_s: 0.5e-3,
    },
];

/// Antennas of the reference array.
pub const N_ANT: usize = 64;
/// Layers / streams of the reference cell.
pub const N_LAYERS: usize = 16;
/// OFDM symbols per slot.
pub const N_SYM: usize = 14;
/// PRBs per precoding resource block group of the downlink weights.
pub const PRG_PRBS: usize = 2;

/// Deterministic filler values (no RNG: the same data in every run and tool).
pub fn v(a: usize, b: usize, c: usize) -> C32 {
    C32::new(
        ((a * 7 + b * 3 + c) % 13) as f32 * 0.1 - 0.6,
        ((a + b * c) % 7) as f32 * 0.1 - 0.3,
    )
}

/// Every buffer and processor of one carrier's downlink and uplink slot.
pub struct SlotFixture {
    carrier: Carrier,
    /// The first error a block returned: a failing block would otherwise be timed as a fast
    /// one. [`SlotFixture::new`] runs every block once and refuses a fixture with one.
    first_error: Option<String>,
    srs: ChannelEstimator,
    srs_out: ChannelEstimate,
    srs_dd: CyclicShiftEstimator,
    srs_dd_out: ChannelEstimate,
    dmrs: ChannelEstimator,
    dmrs_out: ChannelEstimate,
    rx: AlignedGrid,
    rzf: RzfPrecoder,
    h_prb: Array3<C32>,
    w_prb: Array3<C32>,
    applier: PrecoderApplier,
    w_prg: Array3<C32>,
    layers: AlignedGrid,
    antennas: AlignedGrid,
    modulator: OfdmModulator,
    wave: AlignedGrid,
    demodulator: OfdmDemodulator,
    detector: MimoDetector,
    h_ul: Array3<C32>,
    nv: Vec<f32>,
    x: AlignedGrid,
    xv: Array2<f32>,
    /// Sub-PRB detection: one filter per [`SUB_PRB_FILTER_SC`] subcarriers.
    detector_sub: MimoDetector,
    h_ul_sub: Array3<C32>,
    nv_sub: Vec<f32>,
    xv_sub: Array2<f32>,
    llr: LineVec<f32>,
    llr_i8: LineVec<i8>,
    llr_nv: LineVec<f32>,
    /// The uplink's data symbols: those the DMRS (all three CDM groups of type 2) leaves data
    /// on, ascending ([`PilotPattern::symbols_with_data`]): what detection and demapping run on.
    data_symbols: Vec<usize>,
    /// The uplink's screening of the received grid (as `UplinkSlot` does before estimation).
    screen: GridScreen,
    /// Per antenna, the screening bits the OFDM demodulation folds as it writes the grid.
    screen_bits: Vec<ScreenBits>,
    /// The SRS symbols: what the downlink's sounding screens (`DownlinkSlot::sound`).
    srs_symbols: Vec<usize>,
    /// The 7.2x DU's uplink input: one BFP-9 U-plane message per antenna and symbol (one
    /// section of every PRB), `[N_ANT · N_SYM]` messages of `uplane_len` bytes, made from the
    /// received grid at construction; the codec that decodes them into it.
    uplane: UplaneCodec,
    /// The category-A downlink's codec: BFP-9 at the antenna grid's scale.
    uplane_dl: UplaneCodec,
    uplane_msgs: Vec<u8>,
    uplane_len: usize,
    /// The category-A downlink's output (the DU precodes): one message per antenna and symbol
    /// of `antennas`, `[N_ANT · N_SYM]` of `uplane_len` bytes.
    uplane_tx: Vec<u8>,
    /// One symbol's buffer: the category-A output's antenna rows `[N_ANT, n_sc]` between the
    /// precoder and the codec ([`Self::precode_uplane`]), or `precode_modulate`'s
    /// (`OfdmModulator::symbol_buffer_len`).
    symbol_rows: LineVec<C32>,
    /// The rows' screening bits the U-plane receive folds (`UplinkSlot::receive_uplane`).
    rows: RowScreen,
    /// Antennas the OFDM blocks process (all by default; a part of them when the slot is
    /// split across cores).
    ofdm_antennas: std::ops::Range<usize>,
}

/// Subcarriers per detection filter of [`SlotFixture::detect_sub_prb`].
pub const SUB_PRB_FILTER_SC: usize = 3;

/// The U-plane timing of OFDM symbol `l` of frame 0, subframe 0, slot 0.
fn symbol_timing(direction: Direction, l: usize) -> Timing {
    Timing {
        direction,
        filter_index: 0,
        frame_id: 0,
        subframe_id: 0,
        slot_id: 0,
        symbol_id: l as u8,
    }
}

/// A cache-line-aligned grid filled with [`v`].
fn filled(shape: [usize; 3]) -> massive_mimo::Result<AlignedGrid> {
    let mut g = AlignedGrid::zeros3(shape)?;
    for ((a, b, c), x) in g.view3_mut().indexed_iter_mut() {
        *x = v(a, b, c);
    }
    Ok(g)
}

impl SlotFixture {
    /// Builds the fixture with the given kernels for every block that takes them (all but the
    /// U-plane receive's row screen and the demapper, which choose their own).
    pub fn new(carrier: Carrier, kernels: Kernels) -> Result<Self, String> {
        let e = |e: massive_mimo::Error| e.to_string();
        let n_sc = 12 * carrier.n_prb;
        // SRS: 16 single-port users on comb 4 × 4 cyclic shifts in the last symbol.
        let mut srs_p = Array3::zeros((N_LAYERS, N_SYM, n_sc));
        let template = SrsConfig::single_port(4, carrier.n_prb - carrier.n_prb % 4, 13, (3, 0));
        write_multiplexed_users(&template, N_LAYERS, srs_p.view_mut()).map_err(e)?;
        // DMRS: type 2 double symbol, 12 ports (the most Rel-15/16 DMRS has).
        let dcfg = DmrsConfig::new(
            DmrsType::Type2,
            (0..12).collect(),
            type_a_positions(2, 0, true).map_err(e)?,
            true,
        );
        let mut dmrs_p = Array3::zeros((12, N_SYM, n_sc));
        dcfg.write_pilots(dmrs_p.view_mut()).map_err(e)?;
        let srs_dd = CyclicShiftEstimator::new(
            srs_p.view(),
            N_ANT,
            NORMAL_CP_FRACTION,
            OutputResolution::Prb,
        )
        .map_err(e)?
        .with_kernels(kernels);
        let srs_pat = PilotPattern::from_pilots(srs_p.view()).map_err(e)?;
        let srs_symbols = srs_pat.pilot_symbols();
        let dmrs_pat = PilotPattern::from_pilots(dmrs_p.view()).map_err(e)?;
        let data_symbols = dmrs_pat.symbols_with_data(0..carrier.n_prb);
        // Per-PRB output: what the per-PRB precoder and detector consume.
        let est_cfg = EstimatorConfig {
            resolution: OutputResolution::Prb,
            ..EstimatorConfig::default()
        };
        let srs = ChannelEstimator::new(srs_pat, N_ANT, est_cfg)
            .map_err(e)?
            .with_kernels(kernels);
        let dmrs = ChannelEstimator::new(dmrs_pat, N_ANT, est_cfg)
            .map_err(e)?
            .with_kernels(kernels);
        let ofdm = OfdmConfig {
            standard: carrier.standard,
            scs_khz: if carrier.standard == Standard::Lte {
                15
            } else {
                30
            },
            n_fft: carrier.n_fft,
            n_sc,
            n_symbols: N_SYM,
            cyclic_prefix: CyclicPrefix::Normal,
            slot: 0,
            scale: 1.0 / (carrier.n_fft as f32).sqrt(),
        };
        let modulator = OfdmModulator::new(&ofdm).map_err(e)?.with_kernels(kernels);
        let wave = AlignedGrid::zeros2([N_ANT, modulator.output_len()]).map_err(e)?;
        // One symbol: the category-A write's antenna rows, or precode_modulate's buffer.
        let symbol_len = (N_ANT * n_sc).max(modulator.symbol_buffer_len(N_ANT));
        let n_prg = carrier.n_prb.div_ceil(PRG_PRBS);
        let n_prb16 = u16::try_from(carrier.n_prb).map_err(|x| x.to_string())?;
        let codec = |scale: f32| {
            UplaneCodec::new(CompHeader::bfp(IqWidth::W9), n_prb16, scale)
                .map(|c| c.with_kernels(kernels))
                .map_err(e)
        };
        // The fillers (|part| ≤ 0.6) at 16384 LSB per unit: far from the BFP-9 rail.
        let mut uplane = codec(16384.0)?;
        // The precoded antenna grid: 16 layers of fillers times weights of fillers, |part| ≤
        // 16 · 0.6 · 0.6 = 5.76, at 5000 LSB per unit — inside the int16 range, as a DU scales
        // its output (not every PRB on the rail).
        let uplane_dl = codec(5000.0)?;
        let rx = filled([N_ANT, N_SYM, n_sc]).map_err(e)?;
        let uplane_len = 4 + uplane.section_bytes(carrier.n_prb);
        let mut uplane_msgs = vec![0u8; N_ANT * N_SYM * uplane_len];
        for (i, msg) in uplane_msgs.chunks_exact_mut(uplane_len).enumerate() {
            let (a, l) = (i / N_SYM, i % N_SYM);
            let row = rx.row(a, l).unwrap_or_default();
            uplane
                .write_message(&symbol_timing(Direction::Uplink, l), 0, row, msg)
                .map_err(e)?;
        }
        let mut f = Self {
            carrier,
            first_error: None,
            srs_out: srs.estimate().map_err(e)?,
            srs_dd_out: srs_dd.estimate().map_err(e)?,
            srs_dd,
            srs,
            dmrs_out: dmrs.estimate().map_err(e)?,
            dmrs,
            rx,
            rzf: RzfPrecoder::new(N_LAYERS, N_ANT, carrier.n_prb)
                .map_err(e)?
                .with_kernels(kernels),
            h_prb: Array3::from_shape_fn((carrier.n_prb, N_LAYERS, N_ANT), |(a, b, c)| v(a, b, c)),
            w_prb: Array3::zeros((carrier.n_prb, N_ANT, N_LAYERS)),
            applier: PrecoderApplier::new(N_ANT, N_LAYERS, N_SYM * 96)
                .map_err(e)?
                .with_kernels(kernels),
            w_prg: Array3::from_shape_fn((n_prg, N_ANT, N_LAYERS), |(a, b, c)| v(a, b, c)),
            layers: filled([N_LAYERS, N_SYM, n_sc]).map_err(e)?,
            antennas: AlignedGrid::zeros3([N_ANT, N_SYM, n_sc]).map_err(e)?,
            modulator,
            wave,
            demodulator: OfdmDemodulator::new(&ofdm, 0.5)
                .map_err(e)?
                .with_kernels(kernels),
            detector: MimoDetector::new(&massive_mimo::detection::DetectorConfig {
                max_ant: N_ANT,
                max_layers: N_LAYERS,
                max_interferers: 0,
                max_groups: carrier.n_prb,
                group_prbs: 1,
                n_sym: N_SYM,
            })
            .map_err(e)?
            .with_kernels(kernels),
            h_ul: Array3::from_shape_fn((carrier.n_prb, N_LAYERS, N_ANT), |(a, b, c)| v(a, c, b)),
            nv: vec![0.05; carrier.n_prb],
            x: AlignedGrid::zeros3([N_LAYERS, N_SYM, n_sc]).map_err(e)?,
            xv: Array2::zeros((carrier.n_prb, N_LAYERS)),
            detector_sub: MimoDetector::new(&massive_mimo::detection::DetectorConfig {
                max_ant: N_ANT,
                max_layers: N_LAYERS,
                max_interferers: 0,
                max_groups: n_sc / SUB_PRB_FILTER_SC,
                group_prbs: 1,
                n_sym: N_SYM,
            })
            .map_err(e)?
            .with_kernels(kernels),
            h_ul_sub: Array3::from_shape_fn(
                (n_sc / SUB_PRB_FILTER_SC, N_LAYERS, N_ANT),
                |(a, b, c)| v(a, c, b),
            ),
            nv_sub: vec![0.05; n_sc / SUB_PRB_FILTER_SC],
            xv_sub: Array2::zeros((n_sc / SUB_PRB_FILTER_SC, N_LAYERS)),
            llr: LineVec::zeros(N_SYM * n_sc * 8).map_err(|e| e.to_string())?,
            llr_i8: LineVec::zeros(N_SYM * n_sc * 8).map_err(|e| e.to_string())?,
            llr_nv: {
                let mut v = LineVec::zeros(N_SYM * n_sc).map_err(|e| e.to_string())?;
                v.fill(0.05);
                v
            },
            ofdm_antennas: 0..N_ANT,
            screen: GridScreen::new(N_ANT).with_kernels(kernels),
            screen_bits: vec![ScreenBits::default(); N_ANT],
            srs_symbols,
            data_symbols,
            uplane,
            uplane_dl,
            uplane_msgs,
            uplane_len,
            uplane_tx: vec![0u8; N_ANT * N_SYM * uplane_len],
            symbol_rows: LineVec::zeros(symbol_len).map_err(|e| e.to_string())?,
            rows: RowScreen::new(N_ANT, N_SYM).map_err(e)?,
        };
        // Every block once: a fixture whose blocks fail is refused, not timed.
        for block in [
            Self::srs_estimation,
            Self::srs_delay_domain,
            Self::dmrs_estimation,
            Self::weights,
            Self::apply,
            Self::ofdm_mod,
            Self::ofdm_demod,
            Self::ofdm_demod_plain,
            Self::detect,
            Self::detect_sub_prb,
            Self::demap_all,
            Self::demap_all_i8,
            Self::screen,
            Self::screen_demodulated,
            Self::screen_srs,
            Self::uplane_receive,
            Self::uplane_receive_plain,
            Self::uplane_transmit,
            Self::precode_uplane,
        ] {
            block(&mut f);
        }
        match f.first_error.take() {
            Some(err) => Err(format!(
                "{}: a block of the fixture fails: {err}",
                carrier.name
            )),
            None => Ok(f),
        }
    }

    /// The same fixture with OFDM on `antennas` only: one core's part of a slot split across
    /// cores (frequency-domain blocks by PRB range — build the fixture for that many PRBs —
    /// and OFDM, which needs the whole band, by antennas).
    pub fn with_ofdm_antennas(mut self, antennas: std::ops::Range<usize>) -> Self {
        self.ofdm_antennas = antennas.start.min(N_ANT)..antennas.end.min(N_ANT);
        self
    }

    /// The per-PRB downlink channels, `[n_prb, N_LAYERS, N_ANT]`.
    pub fn h_prb(&self) -> &Array3<C32> {
        &self.h_prb
    }

    /// The per-PRB uplink channels, `[n_prb, N_LAYERS, N_ANT]`.
    pub fn h_ul(&self) -> &Array3<C32> {
        &self.h_ul
    }

    /// The received grid, `[N_ANT, N_SYM, n_sc]`.
    pub fn rx(&self) -> ArrayView3<'_, C32> {
        self.rx.view3()
    }

    /// The layer grid, `[N_LAYERS, N_SYM, n_sc]`.
    pub fn layers(&self) -> ArrayView3<'_, C32> {
        self.layers.view3()
    }

    /// The antenna grid, `[N_ANT, N_SYM, n_sc]`.
    pub fn antennas(&self) -> ArrayView3<'_, C32> {
        self.antennas.view3()
    }

    /// The antennas' waveforms, `[N_ANT, samples]`.
    pub fn wave(&self) -> ArrayView2<'_, C32> {
        self.wave.view2()
    }

    /// Subcarriers of the carrier.
    pub fn n_sc(&self) -> usize {
        12 * self.carrier.n_prb
    }

    /// Records the first error of a block's call (see `first_error`).
    fn keep<E: std::fmt::Display>(&mut self, r: Result<(), E>) {
        if let Err(err) = r {
            self.first_error.get_or_insert_with(|| err.to_string());
        }
    }

    /// SRS estimation of the 16 users (per PRB).
    pub fn srs_estimation(&mut self) {
        let r = self
            .srs
            .process(self.rx.view3(), Some(0.01), &mut self.srs_out)
            .map(|_| ());
        self.keep(r);
    }

    /// SRS estimation of the 16 users in the delay domain (per PRB), what the downlink slot
    /// uses.
    pub fn srs_delay_domain(&mut self) {
        let r = self
            .srs_dd
            .process(self.rx.view3(), None, &mut self.srs_dd_out)
            .map(|_| ());
        self.keep(r);
    }

    /// DMRS estimation (12 ports, one double-symbol run, per PRB).
    pub fn dmrs_estimation(&mut self) {
        let r = self
            .dmrs
            .process(self.rx.view3(), Some(0.01), &mut self.dmrs_out)
            .map(|_| ());
        self.keep(r);
    }

    /// RZF weights for every PRB.
    pub fn weights(&mut self) {
        let r = self
            .rzf
            .process(
                self.h_prb.view(),
                0.01,
                Normalization::Total,
                self.w_prb.view_mut(),
            )
            .map(|_| ());
        self.keep(r);
    }

    /// Precoder application over the slot (PRG of [`PRG_PRBS`] PRBs).
    pub fn apply(&mut self) {
        let r = self
            .applier
            .process_grid(
                self.w_prg.view(),
                PRG_PRBS,
                self.layers.view3(),
                self.antennas.view3_mut(),
            )
            .map(|_| ());
        self.keep(r);
    }

    /// [`Self::apply`] then [`Self::ofdm_mod`] symbol by symbol
    /// ([`massive_mimo::link::precode_modulate`]): the layer grid precoded one symbol at a
    /// time into a buffer that stays in the cache and modulated from there, the antenna grid
    /// never in memory (every antenna: the split-carrier fixtures keep the two calls).
    pub fn precode_modulate(&mut self) {
        let r = precode_modulate(
            &mut self.applier,
            self.w_prg.view(),
            12 * PRG_PRBS,
            self.layers.view3(),
            &mut self.symbol_rows,
            &mut self.modulator,
            self.wave.view2_mut(),
        );
        self.keep(r);
    }

    /// OFDM modulation of 64 antennas (or the fixture's part of them).
    pub fn ofdm_mod(&mut self) {
        let r = self.ofdm_antennas.clone();
        let r = self
            .modulator
            .process_antennas(
                self.antennas.view3().slice_move(s![r.clone(), .., ..]),
                self.wave.view2_mut().slice_move(s![r, ..]),
            )
            .map(|_| ());
        self.keep(r);
    }

    /// OFDM demodulation of 64 antennas (or the fixture's part of them), each antenna's grid
    /// screened as it is written (`UplinkSlot::demodulate`'s way).
    pub fn ofdm_demod(&mut self) {
        self.demod_part(true);
    }

    /// The plain OFDM demodulation of 64 antennas (or the fixture's part of them), without
    /// the screening fold: what [`Self::ofdm_demod`]'s fold costs, side by side.
    pub fn ofdm_demod_plain(&mut self) {
        self.demod_part(false);
    }

    /// The fixture's antennas demodulated, screened as they are written or not.
    fn demod_part(&mut self, screened: bool) {
        let r = self.ofdm_antennas.clone();
        let wave = self.wave.view2().slice_move(s![r.clone(), ..]);
        let grid = self.rx.view3_mut().slice_move(s![r.clone(), .., ..]);
        let res = if screened {
            let bits = &mut self.screen_bits[r];
            self.demodulator.process_antennas_screened(wave, grid, bits)
        } else {
            self.demodulator.process_antennas(wave, grid)
        };
        self.keep(res);
    }

    /// The received grid screened for non-finite, stuck and dead antennas (`GridScreen`, as
    /// `UplinkSlot::detect` does first on a grid it did not demodulate — a 7.2x DU's; the
    /// fixture's grid is clean, so nothing is contained).
    pub fn screen(&mut self) {
        let flagged = self.screen.inspect(self.rx.view3());
        self.keep_clean(Ok(flagged));
    }

    /// The 7.2x DU's uplink input: every antenna's and symbol's U-plane message decoded into
    /// the received grid, each row screened as it is decoded, then the screening's
    /// classification from the rows' bits (what `UplinkSlot::receive_uplane` and `detect` do).
    pub fn uplane_receive(&mut self) {
        let mut first = Ok(());
        for (i, msg) in self.uplane_msgs.chunks_exact(self.uplane_len).enumerate() {
            let (a, l) = (i / N_SYM, i % N_SYM);
            let row = self.rx.row_mut(a, l).unwrap_or_default();
            let r = self.rows.receive(&mut self.uplane, a, l, msg, row);
            first = first.and(r.map(|_| ()));
        }
        self.keep(first);
        let flagged = self.screen.inspect_rows(self.rx.view3(), &mut self.rows);
        self.keep_clean(flagged);
    }

    /// The category-A downlink's fronthaul output (the DU precodes, the radio runs the OFDM):
    /// every antenna's and symbol's row of the antenna grid written as a BFP-9 U-plane
    /// message (float → int16, compression, headers).
    pub fn uplane_transmit(&mut self) {
        let mut first = Ok(());
        for (i, msg) in self.uplane_tx.chunks_exact_mut(self.uplane_len).enumerate() {
            let (a, l) = (i / N_SYM, i % N_SYM);
            let row = self.antennas.row(a, l).unwrap_or_default();
            let timing = symbol_timing(Direction::Downlink, l);
            let r = self.uplane_dl.write_message(&timing, 0, row, msg);
            first = first.and(r.map(|_| ()));
        }
        self.keep(first);
    }

    /// The category-A output as the DU runs it
    /// ([`massive_mimo::fronthaul::precode_uplane`], what `DownlinkSlot::precode_uplane`
    /// does): the layer grid precoded and written as [`Self::uplane_transmit`]'s messages
    /// symbol by symbol, the antenna grid never in memory — [`Self::apply`] then
    /// [`Self::uplane_transmit`] in one pass.
    pub fn precode_uplane(&mut self) {
        let slot = symbol_timing(Direction::Downlink, 0);
        let out = CategoryA {
            codec: &mut self.uplane_dl,
            slot: &slot,
            section_id: 0,
            messages: &mut self.uplane_tx,
            message_len: self.uplane_len,
        };
        let r = precode_uplane(
            &mut self.applier,
            self.w_prg.view(),
            12 * PRG_PRBS,
            self.layers.view3(),
            &mut self.symbol_rows,
            out,
        );
        self.keep(r);
    }

    /// [`Self::uplane_receive`] without the fold: the messages decoded, then the screening
    /// pass over the whole grid (what the DU did before).
    pub fn uplane_receive_plain(&mut self) {
        let mut first = Ok(());
        for (i, msg) in self.uplane_msgs.chunks_exact(self.uplane_len).enumerate() {
            let row = self.rx.row_mut(i / N_SYM, i % N_SYM).unwrap_or_default();
            let r = self.uplane.read_message(msg, row);
            first = first.and(r.map(|_| ()));
        }
        self.keep(first);
        self.screen();
    }

    /// The screening's classification from the bits [`Self::ofdm_demod`] folded (what
    /// `UplinkSlot::detect` does after `demodulate`: the grid is not read again).
    pub fn screen_demodulated(&mut self) {
        let flagged = self
            .screen
            .inspect_screened(self.rx.view3(), &self.screen_bits);
        self.keep_clean(flagged);
    }

    /// The sounding grid's screening (`DownlinkSlot::sound`'s: the SRS symbols only).
    pub fn screen_srs(&mut self) {
        let flagged = self
            .screen
            .inspect_symbols(self.rx.view3(), &self.srs_symbols);
        self.keep_clean(Ok(flagged));
    }

    fn keep_clean(&mut self, flagged: massive_mimo::Result<usize>) {
        match flagged {
            Ok(0) => {}
            Ok(_) => self.keep(Err("the fixture's grid was flagged by the screen")),
            Err(e) => self.keep(Err(e)),
        }
    }

    /// The uplink's data symbols (12 of 14: the DMRS takes symbols 2 and 3 whole).
    pub fn data_symbols(&self) -> &[usize] {
        &self.data_symbols
    }

    /// Per-PRB MMSE detection of 16 layers on the data symbols.
    pub fn detect(&mut self) {
        let ch = GroupChannels {
            h: self.h_ul.view(),
            noise_var: &self.nv,
            interference: None,
        };
        let r = self
            .detector
            .process_bands_symbols(
                &ch,
                DetectorMethod::Mmse { unbiased: true },
                SUBCARRIERS_PER_PRB,
                &self.data_symbols,
                self.rx.view3(),
                self.x.view3_mut(),
                self.xv.view_mut(),
            )
            .map(|_| ());
        self.keep(r);
    }

    /// MMSE detection of 16 layers with one filter per [`SUB_PRB_FILTER_SC`] subcarriers on
    /// the data symbols (`MimoDetector::process_bands_symbols`: 12 / 3 = 4 times the per-PRB
    /// filter design, the same application).
    pub fn detect_sub_prb(&mut self) {
        let ch = GroupChannels {
            h: self.h_ul_sub.view(),
            noise_var: &self.nv_sub,
            interference: None,
        };
        let r = self
            .detector_sub
            .process_bands_symbols(
                &ch,
                DetectorMethod::Mmse { unbiased: true },
                SUB_PRB_FILTER_SC,
                &self.data_symbols,
                self.rx.view3(),
                self.x.view3_mut(),
                self.xv_sub.view_mut(),
            )
            .map(|_| ());
        self.keep(r);
    }

    /// 256QAM max-log LLRs of every layer's data symbols of the detection's output (one call
    /// per layer and run of consecutive data symbols).
    pub fn demap_all(&mut self) {
        self.demap_data(false);
    }

    /// 256QAM max-log LLRs of every layer's data symbols, saturated to int8 (scale 4: quarter
    /// steps, what an LDPC decoder takes).
    pub fn demap_all_i8(&mut self) {
        self.demap_data(true);
    }

    /// [`Self::demap_all`] (f32) or [`Self::demap_all_i8`].
    fn demap_data(&mut self, int8: bool) {
        let (n, sc) = (N_SYM * self.n_sc(), self.n_sc());
        let mut first = Ok(());
        for l in 0..N_LAYERS {
            // One call per run of consecutive data symbols.
            for run in consecutive_runs(&self.data_symbols) {
                let len = run.len() * sc;
                // The detection's output, as `UplinkSlot` demaps it: in a chain, what
                // `Self::detect` has just written.
                let sym = &self.x.as_slice()[l * n + run.start * sc..][..len];
                let nv = &self.llr_nv[..len];
                let r = if int8 {
                    demap_i8(
                        Modulation::Qam256,
                        sym,
                        nv,
                        4.0,
                        &mut self.llr_i8[..8 * len],
                    )
                } else {
                    let llr = &mut self.llr[..8 * len];
                    demap(Modulation::Qam256, DemapMethod::MaxLog, sym, nv, llr)
                };
                first = first.and(r.map(|_| ()));
            }
        }
        self.keep(first);
    }

    /// The downlink slot: SRS estimation, weights, then application and OFDM symbol by symbol
    /// ([`Self::precode_modulate`]; a split carrier's part keeps the two grid calls).
    pub fn downlink_slot(&mut self) {
        self.run_steps(self.downlink_steps());
    }

    /// The uplink slot: OFDM (screening the grid as it writes it), DMRS estimation,
    /// detection, LLRs.
    pub fn uplink_slot(&mut self) {
        self.run_steps(&UPLINK);
    }

    /// The downlink slot of an O-RAN 7.2x DU (frequency domain only: the radio runs the
    /// OFDM): the sounding grid's screening, delay-domain SRS estimation, weights,
    /// application, and the antenna grid written as U-plane messages (category A).
    pub fn downlink_slot_du(&mut self) {
        self.run_steps(&DOWNLINK_DU);
    }

    /// The uplink slot of an O-RAN 7.2x DU: the U-plane messages decoded into the grid (each
    /// row screened as it is decoded), DMRS estimation, detection, LLRs.
    pub fn uplink_slot_du(&mut self) {
        self.run_steps(&UPLINK_DU);
    }

    /// The blocks of [`Self::downlink_slot`] in order: the whole carrier's (precoding and
    /// modulation symbol by symbol), or a split carrier's part (its PRB half precoded for
    /// every antenna, its antenna half modulated: two grid calls).
    pub fn downlink_steps(&self) -> &'static [ChainStep] {
        if self.ofdm_antennas == (0..N_ANT) {
            &DOWNLINK
        } else {
            &DOWNLINK_PART
        }
    }

    /// Runs `steps` in order.
    fn run_steps(&mut self, steps: &[ChainStep]) {
        for s in steps {
            (s.run)(self);
        }
    }
}

/// One block of a per-slot chain: a name, the blocks of the throughput report it does
/// (`mimo bench`'s kernel names; two where the chain fuses them, none for the screenings,
/// which have no entry of their own), and the fixture method that runs it.
#[derive(Clone, Copy)]
pub struct ChainStep {
    /// What the step does.
    pub name: &'static str,
    /// The report's blocks timed alone that do the same work.
    pub alone: &'static [&'static str],
    /// The fixture method.
    pub run: fn(&mut SlotFixture),
}

/// A step of the chains' tables.
const fn step(
    name: &'static str,
    alone: &'static [&'static str],
    run: fn(&mut SlotFixture),
) -> ChainStep {
    ChainStep { name, alone, run }
}

/// The downlink's sounding and weights: the sounding grid's screening, delay-domain SRS
/// estimation, RZF weights.
const SOUNDING: [ChainStep; 3] = [
    step("sounding screening", &[], SlotFixture::screen_srs),
    step(
        "srs_delay_domain",
        &["srs_delay_domain"],
        SlotFixture::srs_delay_domain,
    ),
    step(
        "precoder_weights",
        &["precoder_weights"],
        SlotFixture::weights,
    ),
];

/// [`SlotFixture::downlink_slot`] on a whole carrier.
pub const DOWNLINK: [ChainStep; 4] = [
    SOUNDING[0],
    SOUNDING[1],
    SOUNDING[2],
    step(
        "precode_modulate",
        &["precoder_apply", "ofdm_modulate"],
        SlotFixture::precode_modulate,
    ),
];

/// [`SlotFixture::downlink_slot`] on a split carrier's part.
pub const DOWNLINK_PART: [ChainStep; 5] = [
    SOUNDING[0],
    SOUNDING[1],
    SOUNDING[2],
    step("precoder_apply", &["precoder_apply"], SlotFixture::apply),
    step("ofdm_modulate", &["ofdm_modulate"], SlotFixture::ofdm_mod),
];

/// [`SlotFixture::downlink_slot_du`].
pub const DOWNLINK_DU: [ChainStep; 4] = [
    SOUNDING[0],
    SOUNDING[1],
    SOUNDING[2],
    step(
        "precode_uplane",
        &["precoder_apply", "uplane_transmit"],
        SlotFixture::precode_uplane,
    ),
];

/// The uplink's blocks after the grid is written: DMRS estimation, detection, LLRs.
const ESTIMATE_DETECT_DEMAP: [ChainStep; 3] = [
    step(
        "dmrs_estimation",
        &["dmrs_estimation"],
        SlotFixture::dmrs_estimation,
    ),
    step("mmse_detection", &["mmse_detection"], SlotFixture::detect),
    step(
        "qam_demap_256qam",
        &["qam_demap_256qam"],
        SlotFixture::demap_all,
    ),
];

/// [`SlotFixture::uplink_slot`].
pub const UPLINK: [ChainStep; 5] = [
    step(
        "ofdm_demodulate",
        &["ofdm_demodulate"],
        SlotFixture::ofdm_demod,
    ),
    step("screening flags", &[], SlotFixture::screen_demodulated),
    ESTIMATE_DETECT_DEMAP[0],
    ESTIMATE_DETECT_DEMAP[1],
    ESTIMATE_DETECT_DEMAP[2],
];

/// [`SlotFixture::uplink_slot_du`].
pub const UPLINK_DU: [ChainStep; 4] = [
    step(
        "uplane_receive",
        &["uplane_receive"],
        SlotFixture::uplane_receive,
    ),
    ESTIMATE_DETECT_DEMAP[0],
    ESTIMATE_DETECT_DEMAP[1],
    ESTIMATE_DETECT_DEMAP[2],
];
