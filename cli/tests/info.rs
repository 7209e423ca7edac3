//! `mimo info` names the version and the backend; a bad `MASSIVE_MIMO_SIMD` is a clear error.

use std::process::Command;

fn mimo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mimo"))
}

#[test]
fn info_names_version_and_backend() {
    let out = mimo()
        .arg("info")
        .env_remove("MASSIVE_MIMO_SIMD")
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        text.contains(&format!("massive-mimo {}", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    let best = massive_mimo::simd::Backend::best();
    assert!(text.contains(&format!("simd backend: {best}")), "{text}");
    assert!(text.contains("available backends: scalar"), "{text}");
}

#[test]
fn info_honours_a_forced_backend() {
    let out = mimo()
        .arg("info")
        .env("MASSIVE_MIMO_SIMD", "scalar")
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("simd backend: scalar"), "{text}");
    assert!(
        text.contains("selected by: MASSIVE_MIMO_SIMD=scalar"),
        "{text}"
    );
}

#[test]
fn unknown_backend_is_an_error_with_exit_status_2() {
    let out = mimo()
        .arg("info")
        .env("MASSIVE_MIMO_SIMD", "avx3")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).expect("utf-8");
    assert!(err.contains("unknown SIMD backend `avx3`"), "{err}");
}
