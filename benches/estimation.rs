//! Channel-estimation benchmarks over a 100 MHz NR carrier (273 PRBs, 3276 subcarriers) with
//! 64 receive antennas: DMRS type 1 double symbol with 8 ports, type 2 double symbol with 12
//! ports (the most Rel-15/16 DMRS allows), and SRS from 16 single-port users on comb 4 × 4
//! cyclic shifts in one symbol; LMMSE and linear frequency filters, and SRS in the delay domain
//! (`CyclicShiftEstimator`). Throughput in estimated
//! channel coefficients (antenna × port × subcarrier) per second, per pilot run.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use massive_mimo::C32;
use massive_mimo::estimation::{
    ChannelEstimator, CyclicShiftEstimator, EstimatorConfig, FrequencyMethod, NORMAL_CP_FRACTION,
    OutputResolution, PilotPattern,
};
use massive_mimo::refsig::{
    DmrsConfig, DmrsType, SrsConfig, type_a_positions, write_multiplexed_users,
};
use ndarray::Array3;

const N_RX: usize = 64;
const N_SC: usize = 3276;

fn dmrs(kind: DmrsType, n_ports: usize) -> Array3<C32> {
    let cfg = DmrsConfig::new(
        kind,
        (0..n_ports).collect(),
        type_a_positions(2, 0, true).expect("valid"),
        true,
    );
    let mut g = Array3::zeros((n_ports, 14, N_SC));
    cfg.write_pilots(g.view_mut()).expect("valid");
    g
}

fn srs16() -> Array3<C32> {
    let mut g = Array3::zeros((16, 14, N_SC));
    write_multiplexed_users(&srs_template(272), 16, g.view_mut()).expect("valid");
    g
}

fn srs_template(m_srs: usize) -> SrsConfig {
    SrsConfig::single_port(4, m_srs, 13, (5, 0))
}

fn estimation(c: &mut Criterion) {
    let mut g = c.benchmark_group("chest-64rx-273prb");
    g.sample_size(10).measurement_time(Duration::from_secs(4));
    let rx = Array3::from_shape_fn((N_RX, 14, N_SC), |(r, l, k)| {
        C32::new(
            ((r * 5 + l + k) % 9) as f32 * 0.1 - 0.4,
            ((r + 3 * k) % 7) as f32 * 0.1 - 0.3,
        )
    });
    for (name, pilots) in [
        ("dmrs type1 8 ports", dmrs(DmrsType::Type1, 8)),
        ("dmrs type2 12 ports", dmrs(DmrsType::Type2, 12)),
        ("srs 16 users", srs16()),
    ] {
        for (mname, method) in [
            ("lmmse", FrequencyMethod::Lmmse),
            ("linear", FrequencyMethod::Linear),
        ] {
            let pattern = PilotPattern::from_pilots(pilots.view()).expect("valid");
            let (n_ports, runs) = (pattern.n_ports(), pattern.max_runs());
            let config = EstimatorConfig {
                frequency: method,
                ..EstimatorConfig::default()
            };
            let mut est = ChannelEstimator::new(pattern, N_RX, config).expect("valid");
            let mut h = est.estimate().expect("valid");
            g.throughput(Throughput::Elements((N_RX * n_ports * runs * N_SC) as u64));
            g.bench_function(format!("{name} {mname}"), |b| {
                b.iter(|| {
                    est.process(rx.view(), Some(0.01), &mut h)
                        .map(|r| r.noise_var)
                })
            });
        }
    }
    // SRS in the delay domain (per PRB and per subcarrier output).
    let pilots = srs16();
    for (name, res) in [
        ("srs 16 users delay-domain per prb", OutputResolution::Prb),
        (
            "srs 16 users delay-domain per subcarrier",
            OutputResolution::Subcarrier,
        ),
    ] {
        let mut est =
            CyclicShiftEstimator::new(pilots.view(), N_RX, NORMAL_CP_FRACTION, res).expect("valid");
        let mut h = est.estimate().expect("valid");
        g.throughput(Throughput::Elements((N_RX * 16 * N_SC) as u64));
        g.bench_function(name, |b| {
            b.iter(|| est.process(rx.view(), None, &mut h).map(|r| r.noise_var))
        });
    }
    g.finish();
}

criterion_group!(benches, estimation);
criterion_main!(benches);
