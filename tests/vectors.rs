//! The reference vectors: the project's own `vectors/` and, when present beside the checkout,
//! the independent `../shared/vectors`. Every case of a kernel this build implements must pass;
//! cases of kernels not implemented yet are listed, not hidden.

use std::path::Path;

use massive_mimo::vectors::{Outcome, Report, kernels, run_dirs};

fn check(report: &Report, min_passed: usize) {
    check_allowing(report, min_passed, "\u{0}never");
}

/// As `check`, but failures whose reason starts with `allowed` (a defect of the set itself, not
/// of the library) are listed instead of failing the test.
fn check_allowing(report: &Report, min_passed: usize, allowed: &str) {
    let mut failures = Vec::new();
    let mut missing = std::collections::BTreeSet::new();
    for r in &report.results {
        if let Outcome::Failed(why) = &r.outcome {
            if why.starts_with(allowed) {
                println!(
                    "set defect (not a library failure): {}/{}: {why}",
                    r.set, r.case
                );
            } else if kernels::lookup(&r.kernel).is_some() || r.kernel.is_empty() {
                failures.push(format!("{}/{}: {why}", r.set, r.case));
            } else {
                missing.insert(r.kernel.clone());
            }
        }
    }
    println!("{report}");
    if !missing.is_empty() {
        println!("kernels not implemented yet (their cases fail in `mimo vectors`): {missing:?}");
    }
    assert!(
        failures.is_empty(),
        "failing cases of implemented kernels:\n{}",
        failures.join("\n")
    );
    assert!(
        report.passed() >= min_passed,
        "only {} cases passed, expected at least {min_passed}",
        report.passed()
    );
}

#[test]
fn project_vectors_pass() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors");
    check(&run_dirs(&[dir]), 111);
}

#[test]
fn shared_vectors_pass_for_implemented_kernels() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors");
    if !dir.is_dir() {
        println!("../shared/vectors not present: skipped (CI has it beside the checkout)");
        return;
    }
    // gold 5, qam_map 6, qam_demap 12, low_papr 5, ofdm 10, tbs_nr 6, steering_vector 3,
    // codebook_type1 24, precoder_rzf 4, chest 4. The 15 shared `equalize` cases point their input
    // `noise_var` and their expected `noise_var` at one file (a defect of that set, reported by
    // the runner as such); the project's `vectors/equalizer` set checks the equaliser instead.
    check_allowing(&run_dirs(&[dir]), 79, "manifest defect");
}
