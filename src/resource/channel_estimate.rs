//! The channel estimate that crosses the slot's blocks: written by the estimators, read by
//! user selection, the precoder and the detector in one axis order.

use std::ops::Range;

use ndarray::{Array4, ArrayView3, ArrayView4, ArrayViewMut4, s};

use crate::estimation::{ChannelReport, OutputResolution};
use crate::{C32, Error, Result};

/// The sizes of a [`ChannelEstimate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EstimateDims {
    /// Time positions: pilot runs (DMRS occasions; 1 for SRS), or OFDM symbols after
    /// [`crate::estimation::ChannelEstimator::interpolate_time`]; 1 ..= 14.
    pub n_runs: usize,
    /// Frequency positions: subcarriers or PRBs ([`OutputResolution`]); 1 ..= 275·12.
    pub n_outputs: usize,
    /// Ports (users, layers, candidates) in pilot-grid order; 1 ..= 256.
    pub n_ports: usize,
    /// Antennas (receive antennas of the array that measured the pilots); 1 ..= 256.
    pub n_ant: usize,
}

/// Largest of each dimension (the widest NR carrier, 38.101-1 Table 5.3.2-1: 275 PRBs).
const MAX_RUNS: usize = super::SYMBOLS_PER_SLOT;
const MAX_OUTPUTS: usize = 275 * super::SUBCARRIERS_PER_PRB;
const MAX_PORTS: usize = 256;
const MAX_ANT: usize = 256;

/// Channel estimates of every port at every antenna, with the estimator's report.
///
/// **Axis order** (the crate's one convention for channels): `[run, output, port, ant]` —
/// frequency-major, then the port (user/layer), then the antenna contiguous. A PRB range of one
/// run, `[prb, port, ant]`, is exactly what [`crate::precoding::RzfPrecoder`] (`h [batch, k,
/// n_tx]`) and [`crate::detection::MimoDetector`] (`GroupChannels::h [n_groups, n_layers,
/// n_ant]`) read, so an estimate of all ports goes in without a copy
/// ([`Self::prb_channels`]); a subset of ports, several runs or PRB bundles go through
/// [`Self::gather`], the one re-sorting step of the crate.
///
/// Element `[r, o, p, a]` is the channel from port p to antenna a at frequency position o
/// (subcarrier o, or the centre of PRB o) and time position r, in the received grid's unit
/// (pilot EPRE removed). Allocated once ([`Self::zeros`]); the estimators overwrite it each
/// slot without allocating.
#[derive(Clone, Debug)]
pub struct ChannelEstimate {
    h: Array4<C32>,
    resolution: OutputResolution,
    report: ChannelReport,
}

impl ChannelEstimate {
    /// A zero estimate of `dims` at `resolution`.
    ///
    /// Errors: a dimension 0 or above its bound (`InvalidParameter` naming it), or storage the
    /// allocator cannot provide.
    pub fn zeros(dims: EstimateDims, resolution: OutputResolution) -> Result<Self> {
        let EstimateDims {
            n_runs,
            n_outputs,
            n_ports,
            n_ant,
        } = dims;
        for (name, v, max) in [
            ("n_runs", n_runs, MAX_RUNS),
            ("n_outputs", n_outputs, MAX_OUTPUTS),
            ("n_ports", n_ports, MAX_PORTS),
            ("n_ant", n_ant, MAX_ANT),
        ] {
            if v == 0 || v > max {
                return Err(Error::InvalidParameter {
                    name,
                    value: crate::error::Value::of(&v),
                    reason: "channel estimate dimensions: runs ≤ 14, outputs ≤ 3300, ports and antennas ≤ 256, none 0",
                });
            }
        }
        let len = n_runs * n_outputs * n_ports * n_ant;
        let mut v: Vec<C32> = Vec::new();
        v.try_reserve_exact(len)
            .map_err(|_| Error::InvalidParameter {
                name: "channel estimate size",
                value: crate::error::Value::of(&len),
                reason: "more values than can be allocated",
            })?;
        v.resize(len, C32::new(0.0, 0.0));
        let h = Array4::from_shape_vec((n_runs, n_outputs, n_ports, n_ant), v).map_err(|_| {
            Error::InvalidParameter {
                name: "channel estimate size",
                value: crate::error::Value::of(&len),
                reason: "internal shape",
            }
        })?;
        Ok(Self {
            h,
            resolution,
            report: ChannelReport::for_ports(n_ports),
        })
    }

    /// The sizes.
    pub fn dims(&self) -> EstimateDims {
        let (n_runs, n_outputs, n_ports, n_ant) = self.h.dim();
        EstimateDims {
            n_runs,
            n_outputs,
            n_ports,
            n_ant,
        }
    }

    /// Frequency resolution of the outputs.
    pub fn resolution(&self) -> OutputResolution {
        self.resolution
    }

    /// The estimates, `[run, output, port, ant]`.
    pub fn view(&self) -> ArrayView4<'_, C32> {
        self.h.view()
    }

    /// The estimates for writing (an estimator, or a simulation's genie channel).
    pub fn view_mut(&mut self) -> ArrayViewMut4<'_, C32> {
        self.h.view_mut()
    }

    /// The estimator's report of the last estimate written (noise, RSRP, SINR, delays per
    /// port; all zero before the first).
    pub fn report(&self) -> &ChannelReport {
        &self.report
    }

    /// Copies `report` in (allocation-free when the port counts match, as between an
    /// estimator and the estimate built for it).
    pub(crate) fn set_report(&mut self, report: &ChannelReport) {
        // Field by field: `Vec::clone_from` reuses the storage (the derived `clone_from` of the
        // struct would clone anew).
        let r = &mut self.report;
        r.noise_var = report.noise_var;
        r.noise_var_estimate = report.noise_var_estimate;
        r.rsrp.clone_from(&report.rsrp);
        r.pilot_epre.clone_from(&report.pilot_epre);
        r.sinr_db.clone_from(&report.sinr_db);
        r.mean_delay.clone_from(&report.mean_delay);
        r.rms_delay.clone_from(&report.rms_delay);
    }

    /// One run's channels on the outputs `outputs`, `[output, port, ant]` — without a copy.
    ///
    /// Errors: `run` or `outputs` beyond the estimate (`InvalidParameter` naming them).
    pub fn prb_channels(&self, run: usize, outputs: Range<usize>) -> Result<ArrayView3<'_, C32>> {
        let d = self.dims();
        if run >= d.n_runs || outputs.start >= outputs.end || outputs.end > d.n_outputs {
            return Err(Error::InvalidParameter {
                name: "(run, outputs)",
                value: crate::value!("({run}, {outputs:?}) of ({}, {})", d.n_runs, d.n_outputs),
                reason: "run < n_runs and a non-empty output range inside n_outputs",
            });
        }
        Ok(self.h.slice(s![run, outputs, .., ..]))
    }

    /// The one re-sorting step between blocks: for each frequency bundle (a range of outputs:
    /// a PRG, a detector's filter group, one PRB) and each port of `ports` in that order, the
    /// channel averaged over every run and every output of the bundle, written to `out` as
    /// `[bundle, port, ant]` — the precoder's and the detector's input. Returns that view of
    /// `out`'s first values. Reads rows of `n_ant` contiguous values and writes them
    /// contiguously; allocates nothing.
    ///
    /// Errors (`InvalidParameter` naming the value): a port out of range, an empty or
    /// out-of-range bundle, no bundle or no port; `out` shorter than the result.
    pub fn gather<'o, I>(
        &self,
        ports: &[usize],
        bundles: I,
        out: &'o mut [C32],
    ) -> Result<ArrayView3<'o, C32>>
    where
        I: IntoIterator<Item = Range<usize>>,
    {
        let d = self.dims();
        let (k, n_ant) = (ports.len(), d.n_ant);
        if let Some(&p) = ports.iter().find(|&&p| p >= d.n_ports) {
            return Err(Error::InvalidParameter {
                name: "port",
                value: crate::value!("{p} of {} ports", d.n_ports),
                reason: "port indices below the estimate's n_ports",
            });
        }
        if k == 0 {
            return Err(Error::InvalidParameter {
                name: "ports",
                value: "[]".into(),
                reason: "at least one port",
            });
        }
        let row = k * n_ant;
        let capacity = out.len() / row;
        let mut n = 0;
        for b in bundles {
            if b.start >= b.end || b.end > d.n_outputs {
                return Err(Error::InvalidParameter {
                    name: "bundle (output range)",
                    value: crate::value!("{b:?} of {} outputs", d.n_outputs),
                    reason: "non-empty and inside the estimate",
                });
            }
            let dst = out
                .get_mut(n * row..(n + 1) * row)
                .ok_or_else(|| Error::ShapeMismatch {
                    name: "out [bundles, ports, n_ant]",
                    expected: crate::error::Shape::of(&[n + 1, k, n_ant]),
                    got: crate::error::Shape::of(&[capacity, k, n_ant]),
                })?;
            dst.fill(C32::new(0.0, 0.0));
            let scale = 1.0 / (d.n_runs * b.len()) as f32;
            for r in 0..d.n_runs {
                for o in b.clone() {
                    let src = self.h.slice(s![r, o, .., ..]);
                    for (j, &p) in ports.iter().enumerate() {
                        let s = src.row(p);
                        let dr = &mut dst[j * n_ant..(j + 1) * n_ant];
                        match s.as_slice() {
                            Some(s) => dr.iter_mut().zip(s).for_each(|(d, &v)| *d += v),
                            None => dr.iter_mut().zip(s.iter()).for_each(|(d, &v)| *d += v),
                        }
                    }
                }
            }
            if scale != 1.0 {
                dst.iter_mut().for_each(|v| *v *= scale);
            }
            n += 1;
        }
        if n == 0 {
            return Err(Error::InvalidParameter {
                name: "bundles",
                value: "none".into(),
                reason: "at least one output range",
            });
        }
        let out: &'o [C32] = out;
        ArrayView3::from_shape((n, k, n_ant), &out[..n * row]).map_err(|_| {
            Error::InvalidParameter {
                name: "bundles",
                value: crate::error::Value::of(&n),
                reason: "internal shape",
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims() -> EstimateDims {
        EstimateDims {
            n_runs: 2,
            n_outputs: 5,
            n_ports: 3,
            n_ant: 4,
        }
    }

    fn filled() -> ChannelEstimate {
        let mut e = ChannelEstimate::zeros(dims(), OutputResolution::Prb).unwrap();
        for ((r, o, p, a), v) in e.view_mut().indexed_iter_mut() {
            *v = C32::new(
                (r * 1000 + o * 100 + p * 10 + a) as f32,
                r as f32 - o as f32,
            );
        }
        e
    }

    #[test]
    fn gather_averages_runs_and_bundle_outputs_per_port() {
        let e = filled();
        let mut out = vec![C32::new(0.0, 0.0); 2 * 2 * 4];
        let v = e.gather(&[2, 0], [0..1, 2..5], &mut out).unwrap();
        assert_eq!(v.dim(), (2, 2, 4));
        for a in 0..4 {
            // Bundle 0: output 0, runs 0 and 1 → mean of r·1000 = 500.
            assert_eq!(v[[0, 0, a]], C32::new((500 + 20 + a) as f32, 0.5));
            assert_eq!(v[[0, 1, a]], C32::new((500 + a) as f32, 0.5));
            // Bundle 1: outputs 2, 3, 4 → mean o·100 = 300, mean (r − o) = 0.5 − 3.
            assert_eq!(v[[1, 0, a]], C32::new((500 + 300 + 20 + a) as f32, -2.5));
        }
    }

    #[test]
    fn prb_channels_is_the_precoder_layout_without_a_copy() {
        let e = filled();
        let v = e.prb_channels(1, 1..3).unwrap();
        assert_eq!(v.dim(), (2, 3, 4));
        assert_eq!(v[[1, 2, 3]], e.view()[[1, 2, 2, 3]]);
        assert!(std::ptr::eq(&v[[0, 0, 0]], &e.view()[[1, 1, 0, 0]]));
    }

    #[test]
    fn bad_requests_name_the_value() {
        let e = filled();
        let mut out = vec![C32::new(0.0, 0.0); 8];
        use crate::error::name_of as name;
        assert_eq!(
            name(e.gather(&[3], std::iter::once(0..1), &mut out)),
            "port"
        );
        assert_eq!(
            name(e.gather(&[], std::iter::once(0..1), &mut out)),
            "ports"
        );
        assert_eq!(
            name(e.gather(&[0], std::iter::once(2..2), &mut out)),
            "bundle (output range)"
        );
        assert_eq!(
            name(e.gather(&[0], std::iter::once(4..6), &mut out)),
            "bundle (output range)"
        );
        assert_eq!(name(e.gather(&[0], [], &mut out)), "bundles");
        assert_eq!(
            name(e.gather(&[0, 1], [0..1, 1..2], &mut out)),
            "out [bundles, ports, n_ant]"
        );
        assert_eq!(name(e.prb_channels(2, 0..1)), "(run, outputs)");
        let z = |d| match ChannelEstimate::zeros(d, OutputResolution::Prb) {
            Err(Error::InvalidParameter { name, .. }) => name,
            other => panic!("{other:?}"),
        };
        assert_eq!(z(EstimateDims { n_ant: 0, ..dims() }), "n_ant");
        assert_eq!(
            z(EstimateDims {
                n_runs: 15,
                ..dims()
            }),
            "n_runs"
        );
        assert_eq!(
            z(EstimateDims {
                n_outputs: usize::MAX,
                ..dims()
            }),
            "n_outputs"
        );
    }
}
