//! Issue 21, finding 6: the vector runner only reads regular, bounded files, follows no
//! directory symlinks, and never passes a case on a NaN tolerance, a NaN expected array or an
//! empty run. Each reproduction of the issue is a case here.

use std::path::{Path, PathBuf};

use massive_mimo_tools::vectors::{Outcome, Report, run_dirs};

/// A fresh directory under the system temp dir.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mm-runner-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A set with one `gold` case whose expected bits are written by this test (c_init 1, the
/// first 8 bits of 38.211 §5.2.1 computed here independently), with `tolerance` and `expected`
/// file name given.
fn gold_set(dir: &Path, expected_file: &str, tolerance: &str) {
    let manifest = format!(
        "format = 1\n\n[[case]]\nname = \"g\"\nkernel = \"gold\"\nparams = {{ c_init = 1, length = 8 }}\n\
         expected = {{ bits = \"{expected_file}\" }}\ntolerance = {tolerance}\n"
    );
    std::fs::write(dir.join("manifest.toml"), manifest).unwrap();
}

/// A uint8 .npy of `bits`.
fn npy_u8(path: &Path, bits: &[u8]) {
    let mut header = format!(
        "{{'descr': '|u1', 'fortran_order': False, 'shape': ({},), }}",
        bits.len()
    );
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend_from_slice(&(header.len() as u16).to_le_bytes());
    b.extend_from_slice(header.as_bytes());
    b.extend_from_slice(bits);
    std::fs::write(path, b).unwrap();
}

/// The first 8 bits of the Gold sequence with c_init = 1 (Nc = 1600), from the definition.
fn gold8() -> Vec<u8> {
    let n = 1600 + 8 + 31;
    let (mut x1, mut x2) = (vec![0u8; n], vec![0u8; n]);
    x1[0] = 1;
    x2[0] = 1; // c_init = 1
    for i in 0..n - 31 {
        x1[i + 31] = (x1[i + 3] + x1[i]) % 2;
        x2[i + 31] = (x2[i + 3] + x2[i + 2] + x2[i + 1] + x2[i]) % 2;
    }
    (0..8).map(|i| (x1[i + 1600] + x2[i + 1600]) % 2).collect()
}

fn failure(report: &Report) -> String {
    match report.results.iter().find_map(|r| match &r.outcome {
        Outcome::Failed(why) => Some(why.clone()),
        _ => None,
    }) {
        Some(w) => w,
        None => panic!("expected a failure, got {report}"),
    }
}

#[test]
fn a_correct_case_passes_as_the_baseline() {
    let d = scratch("ok");
    npy_u8(&d.join("bits.npy"), &gold8());
    gold_set(&d, "bits.npy", "{ abs = 0.0 }");
    let r = run_dirs(&[&d]);
    assert_eq!((r.passed(), r.failed()), (1, 0), "{r}");
}

#[test]
fn nan_tolerance_and_nan_expected_fail() {
    let d = scratch("nan");
    let mut wrong = gold8();
    wrong[0] ^= 1; // a wrong expected value that a NaN tolerance used to let through
    npy_u8(&d.join("bits.npy"), &wrong);
    gold_set(&d, "bits.npy", "{ abs = nan }");
    let r = run_dirs(&[&d]);
    assert_eq!(r.passed(), 0);
    assert!(failure(&r).contains("tolerance abs = NaN"), "{r}");
    gold_set(&d, "bits.npy", "{ nmse_db = nan }");
    assert!(failure(&run_dirs(&[&d])).contains("tolerance nmse_db"));
    gold_set(&d, "bits.npy", "{ abs = -1.0 }");
    assert!(failure(&run_dirs(&[&d])).contains("non-negative"));
}

#[test]
fn devices_and_fifos_are_not_read() {
    let d = scratch("dev");
    gold_set(&d, "/dev/zero", "{ abs = 0.0 }");
    let r = run_dirs(&[&d]);
    assert!(failure(&r).contains("not a regular file"), "{r}");
    let fifo = d.join("fifo.npy");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if made {
        gold_set(&d, "fifo.npy", "{ abs = 0.0 }");
        // Returns at once (a blocking open of the FIFO would hang the test).
        assert!(failure(&run_dirs(&[&d])).contains("not a regular file"));
    }
}

#[test]
fn symlink_loops_are_not_followed_and_sets_not_repeated() {
    let d = scratch("loop");
    npy_u8(&d.join("bits.npy"), &gold8());
    gold_set(&d, "bits.npy", "{ abs = 0.0 }");
    std::os::unix::fs::symlink(&d, d.join("self")).unwrap();
    std::os::unix::fs::symlink(d.join("b"), d.join("a")).unwrap();
    std::os::unix::fs::symlink(d.join("a"), d.join("b")).unwrap();
    let r = run_dirs(&[&d]);
    assert_eq!(
        (r.passed(), r.failed()),
        (1, 0),
        "the set ran {} times: {r}",
        r.results.len()
    );
}

#[test]
fn empty_runs_fail() {
    let d = scratch("empty");
    let r = run_dirs(&[&d]);
    assert!(failure(&r).contains("no case found"), "{r}");
    std::fs::write(d.join("manifest.toml"), "format = 1\n").unwrap();
    assert!(failure(&run_dirs(&[&d])).contains("no [[case]]"));
    let missing = d.join("does-not-exist");
    assert!(failure(&run_dirs(&[&missing])).contains("not a directory"));
}

#[test]
fn oversized_manifests_are_refused_before_reading() {
    let d = scratch("big");
    let f = std::fs::File::create(d.join("manifest.toml")).unwrap();
    f.set_len(massive_mimo_tools::vectors::MAX_MANIFEST_BYTES + 1)
        .unwrap(); // sparse
    let r = run_dirs(&[&d]);
    assert!(failure(&r).contains("more than"), "{r}");
}

#[test]
fn nan_in_an_expected_array_fails_the_comparison() {
    use massive_mimo_tools::vectors::{Array, Tolerance, compare};
    use ndarray::ArrayD;
    let got = Array::F32(ArrayD::from_shape_vec(vec![2], vec![1.0, 2.0]).unwrap());
    let all_nan = Array::F32(ArrayD::from_shape_vec(vec![2], vec![f32::NAN, f32::NAN]).unwrap());
    let tol = Tolerance {
        abs: Some(1e9),
        rel: None,
        nmse_db: Some(0.0),
    };
    let why = compare("llr", &got, &all_nan, &tol).unwrap_err();
    assert!(
        why.contains("non-finite expected value at flat index 0"),
        "{why}"
    );
}
