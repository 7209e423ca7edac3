//! The hot blocks of the reference cell (64 antennas × 16 layers) on a TD-LTE 20 MHz and an
//! NR 100 MHz carrier, through the same fixture `mimo bench` and `mimo icount` run
//! (`massive_mimo_tools::perf::fixture`): criterion's statistics and run-to-run comparison for
//! exactly the figures the throughput report quotes. Time per slot (or subframe).

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use massive_mimo::simd::Kernels;
use massive_mimo_tools::perf::fixture::{CARRIERS, SlotFixture};

type Block = (&'static str, fn(&mut SlotFixture));

const BLOCKS: [Block; 10] = [
    ("srs_estimation", SlotFixture::srs_estimation),
    ("srs_delay_domain", SlotFixture::srs_delay_domain),
    ("precoder_weights", SlotFixture::weights),
    ("precoder_apply", SlotFixture::apply),
    ("ofdm_modulate", SlotFixture::ofdm_mod),
    ("ofdm_demodulate", SlotFixture::ofdm_demod),
    ("dmrs_estimation", SlotFixture::dmrs_estimation),
    ("mmse_detection", SlotFixture::detect),
    ("qam_demap_256qam", SlotFixture::demap_all),
    ("qam_demap_256qam_i8", SlotFixture::demap_all_i8),
];

fn reference_blocks(c: &mut Criterion) {
    for carrier in CARRIERS {
        let mut f = SlotFixture::new(carrier, Kernels::new()).expect("reference fixture");
        let mut g = c.benchmark_group(format!("reference-{}", carrier.name));
        g.sample_size(10).measurement_time(Duration::from_secs(2));
        for (name, block) in BLOCKS {
            g.bench_function(name, |b| b.iter(|| block(&mut f)));
        }
        g.finish();
    }
}

criterion_group!(benches, reference_blocks);
criterion_main!(benches);
