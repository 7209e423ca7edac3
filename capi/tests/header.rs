//! The committed C header is exactly what cbindgen generates from the crate (CI fails when an
//! exported item changes without the header). `MM_UPDATE_HEADER=1` rewrites it.

use std::path::Path;

#[test]
fn committed_header_matches_a_fresh_generation() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).unwrap();
    let mut fresh = Vec::new();
    cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header")
        .write(&mut fresh);
    let path = dir.join("include/massive_mimo.h");
    if std::env::var_os("MM_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "capi/include/massive_mimo.h is stale: run `MM_UPDATE_HEADER=1 cargo test -p massive-mimo-capi --test header` and commit it"
    );
}
