//! The `mimo` binary: `info`, `vectors` and `peak-rate` from the outside (exit status, output).

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

#[test]
fn vectors_command_reports_and_sets_the_exit_status() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors");
    let out = mimo().arg("vectors").arg(&root).output().expect("runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(out.status.success(), "{text}");
    assert!(text.trim_end().ends_with("passed, 0 failed"), "{text}");
    // A directory with a broken manifest: the case fails, the run goes on, exit status 1.
    let dir = std::env::temp_dir().join(format!("mimo-vectors-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("broken")).unwrap();
    std::fs::write(
        dir.join("broken/manifest.toml"),
        "format = 1\n[[case]]\nname = \"missing-file\"\nkernel = \"gold\"\nparams = { c_init = 1, length = 8 }\nexpected = { bits = \"nope.npy\" }\ntolerance = { abs = 0.0 }\n\n[[case]]\nname = \"unknown\"\nkernel = \"warp_drive\"\nexpected = { x = \"x.npy\" }\ntolerance = { abs = 0.0 }\n\n[[case]]\nname = \"off\"\nkernel = \"gold\"\ndisabled = \"kept for later\"\n",
    )
    .unwrap();
    let out = mimo().arg("vectors").arg(&dir).output().expect("runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL broken/missing-file: cannot read nope.npy"),
        "{text}"
    );
    assert!(
        text.contains("FAIL broken/unknown: kernel not implemented: `warp_drive`"),
        "{text}"
    );
    assert!(
        text.trim_end().ends_with("0 passed, 2 failed, 1 skipped"),
        "{text}"
    );
}

#[test]
fn peak_rate_json_has_the_keys() {
    let out = mimo()
        .args([
            "peak-rate",
            "--rat",
            "nr",
            "--bandwidth-mhz",
            "100",
            "--scs-khz",
            "30",
            "--layers",
            "16",
        ])
        .args([
            "--modulation",
            "256QAM",
            "--tdd-pattern",
            "DDDSU",
            "--carriers",
            "3",
            "--json",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let per_layer = v["per_layer_mbps"].as_f64().unwrap();
    let per_carrier = v["per_carrier_mbps"].as_f64().unwrap();
    let total = v["total_mbps"].as_f64().unwrap();
    assert!((per_carrier - 16.0 * per_layer).abs() < 1e-6);
    assert!((total - 3.0 * per_carrier).abs() < 1e-6);
    // 3 DL slots of TBS 295176 + 1 special of 192624 bits every 2.5 ms, per layer.
    assert!(
        (per_layer - (3.0 * 295_176.0 + 192_624.0) / 2.5e-3 / 1e6).abs() < 1e-6,
        "{per_layer}"
    );
}

#[test]
fn lte_peak_rate_gives_the_reference_arithmetic() {
    // 36.213: I_TBS 25 → 63 776 bits per 100-PRB subframe, 46 888 in the DwPTS (75 PRB);
    // configuration 2 has 6 downlink + 2 special subframes per 10 ms.
    let out = mimo()
        .args(["peak-rate", "--rat", "lte", "--bandwidth-mhz", "20"])
        .args([
            "--tdd-config",
            "2",
            "--special-subframe",
            "7",
            "--layers",
            "16",
        ])
        .args(["--itbs", "25", "--carriers", "3", "--json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["tbs_dl_subframe_per_layer"], 63_776);
    assert_eq!(v["tbs_dwpts_per_layer"], 46_888);
    let per_layer = (6.0 * 63_776.0 + 2.0 * 46_888.0) / 10e-3 / 1e6;
    assert!((v["per_layer_mbps"].as_f64().unwrap() - per_layer).abs() < 1e-9);
    assert!((v["per_carrier_mbps"].as_f64().unwrap() - 16.0 * per_layer).abs() < 1e-6);
    assert!((v["total_mbps"].as_f64().unwrap() - 48.0 * per_layer).abs() < 1e-6);
    // The --mcs form: MCS 27 of the 256QAM table is I_TBS 33.
    let out = mimo()
        .args(["peak-rate", "--rat", "lte", "--bandwidth-mhz", "20"])
        .args([
            "--tdd-config",
            "2",
            "--special-subframe",
            "7",
            "--layers",
            "16",
        ])
        .args(["--mcs", "27", "--mcs-table", "256qam", "--json"])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["i_tbs"], 33);
    assert_eq!(v["modulation"], "256QAM");
}

#[test]
fn peak_rate_rejects_nonsense_with_the_named_value() {
    let lte = [
        "peak-rate",
        "--rat",
        "lte",
        "--bandwidth-mhz",
        "20",
        "--tdd-config",
        "2",
        "--special-subframe",
        "7",
    ];
    let nr = ["peak-rate", "--rat", "nr", "--bandwidth-mhz", "100"];
    let cases: [(&[&str], &[&str], &str); 8] = [
        (&lte, &["--layers", "17", "--itbs", "25"], "layers = 17"),
        (&lte, &["--carriers", "0", "--itbs", "25"], "carriers = 0"),
        (&lte, &["--itbs", "34"], "i_tbs = 34"),
        (&lte, &["--mcs", "29", "--mcs-table", "64qam"], "reserved"),
        (&nr, &["--layers", "40"], "layers = 40"),
        (&nr, &["--x-overhead", "5"], "x_overhead = 5"),
        (
            &nr,
            &["--control-symbols", "13"],
            "control_symbols / dmrs_symbols",
        ),
        (&nr, &["--tdd-config", "2"], "--tdd-config is an LTE option"),
    ];
    for (base, extra, want) in cases {
        let out = mimo().args(base).args(extra).output().expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        assert!(out.stdout.is_empty(), "{extra:?} printed a figure");
        assert!(err.contains(want), "{extra:?}: `{err}` lacks `{want}`");
    }
}

#[test]
fn peak_rate_rejects_bad_input_by_name() {
    let out = mimo()
        .args(["peak-rate", "--bandwidth-mhz", "33", "--scs-khz", "30"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bandwidth_mhz"));
}

#[test]
fn bench_json_has_every_key() {
    let out = mimo()
        .args(["bench", "--quick", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["peak_gflops"].as_f64().unwrap() > 0.0);
    assert!(v["memory_gbps"].as_f64().unwrap() > 0.0);
    let kernels = v["kernels"].as_array().unwrap();
    assert!(kernels.len() >= 8);
    // A block's seconds in the report: "<carrier>/<block>".
    let seconds = |case: &str, name: &str| {
        kernels
            .iter()
            .find(|k| k["name"] == format!("{case}/{name}"))
            .unwrap()["seconds"]
            .as_f64()
            .unwrap()
    };
    for k in kernels {
        for key in [
            "name",
            "seconds",
            "gflops",
            "share_of_peak",
            "memory_gbps",
            "share_of_bandwidth",
            "speedup_vs_baseline",
        ] {
            assert!(k.get(key).is_some(), "{key} missing in {k}");
        }
        assert!(k["seconds"].as_f64().unwrap() > 0.0);
        // The bandwidth share is the block's bytes per second over the report's copy rate.
        let share = k["memory_gbps"].as_f64().unwrap() / v["memory_gbps"].as_f64().unwrap();
        let got = k["share_of_bandwidth"].as_f64().unwrap();
        assert!((got - share).abs() <= 1e-12 * share, "{k}");
    }
    // The kernels alone: every share-of-peak case, the grouped GEMMs of both per-PRG blocks
    // among them, each share its GFLOP/s over the peak probed around it and its GFLOP/s the
    // case's flops over its seconds (64 × 16 × 16 PRGs of 24 columns, 8 flops per complex
    // multiply-add).
    let tiles = v["kernels_alone"].as_array().unwrap();
    for name in [
        "gemm_grouped 64x16 per PRG-2, x16",
        "gemm_grouped_pair 16x64 per PRB, 2 sym, x24",
        "gram H.H^H 16x64, x273",
    ] {
        assert!(tiles.iter().any(|t| t["name"] == name), "{name} missing");
    }
    for t in tiles {
        let g = |key: &str| t[key].as_f64().unwrap_or_else(|| panic!("{key} in {t}"));
        assert!(g("seconds") > 0.0 && g("peak_gflops") > 0.0, "{t}");
        let share = g("gflops") / g("peak_gflops");
        assert!((g("share_of_peak") - share).abs() <= 1e-12 * share, "{t}");
    }
    let apply = tiles
        .iter()
        .find(|t| t["name"] == "gemm_grouped 64x16 per PRG-2, x16")
        .unwrap();
    let flops = 8.0 * (64 * 16 * 16 * 24) as f64;
    let want = flops / apply["seconds"].as_f64().unwrap() / 1e9;
    let got = apply["gflops"].as_f64().unwrap();
    assert!((got - want).abs() <= 1e-9 * want, "{got} vs {want}");
    // Bytes per call (GB/s × seconds) from the shapes of the quick run's TD-LTE 20 MHz carrier
    // (100 PRBs, 1 200 subcarriers, 14 symbols, 64 antennas, 16 layers, 8-byte complex):
    // the weights read H and write W, 2·100·16·64·8; OFDM reads the grid and writes one
    // 1 ms subframe of 30 720 samples per antenna, 64·(1 200·14 + 30 720)·8; the DMRS
    // estimator reads two symbols and writes 12 ports' per-PRB estimates,
    // (64·2·1 200 + 12·64·100)·8.
    for (name, expected) in [
        ("td-lte-20mhz/precoder_weights", 1_638_400.0),
        ("td-lte-20mhz/ofdm_modulate", 24_330_240.0),
        ("td-lte-20mhz/dmrs_estimation", 1_843_200.0),
    ] {
        let k = kernels.iter().find(|k| k["name"] == name).unwrap();
        let b = k["memory_gbps"].as_f64().unwrap() * 1e9 * k["seconds"].as_f64().unwrap();
        assert!((b - expected).abs() < 1e-6 * expected, "{name}: {b} bytes");
    }
    // The OFDM blocks against a bare FFT: the quick run's carrier, its FFT size, and each ratio
    // the block's points per second (64 antennas × 14 symbols × 2048 points over the block's
    // time) over the bare FFT's (2048 points over its time).
    let ofdm = v["ofdm_vs_fft"].as_array().unwrap();
    assert_eq!(ofdm.len(), 1);
    let o = &ofdm[0];
    assert_eq!(o["carrier"], "td-lte-20mhz");
    assert_eq!(o["n_fft"], 2048);
    let fft = o["bare_fft_seconds"].as_f64().unwrap();
    assert!(fft > 0.0 && fft.is_finite(), "{o}");
    for (block, key) in [
        ("ofdm_modulate", "modulate"),
        ("ofdm_demodulate", "demodulate"),
    ] {
        let k = kernels
            .iter()
            .find(|k| k["name"] == format!("td-lte-20mhz/{block}"))
            .unwrap();
        let want = (64.0 * 14.0 * 2048.0 / k["seconds"].as_f64().unwrap()) / (2048.0 / fft);
        let got = o[format!("{key}_vs_bare_fft")].as_f64().unwrap();
        assert!((got - want).abs() <= 1e-9 * want, "{key}: {got} vs {want}");
    }
    let cap = v["capacity"].as_array().unwrap();
    for dir in ["uplink", "downlink", "uplink, 7.2x DU", "downlink, 7.2x DU"] {
        assert!(cap.iter().any(|c| c["direction"] == dir), "{dir} missing");
    }
    assert!(
        cap.iter()
            .all(|c| c["cores_per_carrier"].as_f64().unwrap() > 0.0)
    );
    // Each chain beside the sum of its blocks timed alone: the DU chains' blocks plus the OFDM
    // block make the full chain's, and the ratio is the two times'.
    for c in cap {
        let (s, b) = (
            c["slot_seconds"].as_f64().unwrap(),
            c["blocks_alone_seconds"].as_f64().unwrap(),
        );
        assert!(b > 0.0, "{c}");
        assert!((c["chain_over_blocks"].as_f64().unwrap() - s / b).abs() <= 1e-9 * s / b);
        // Each step timed inside the chain: the steps' blocks are the chain's, each once;
        // a step's time alone is its blocks' in the report; the ratio is the two times'.
        let want: &[&str] = match c["direction"].as_str().unwrap() {
            "downlink" => &[
                "srs_delay_domain",
                "precoder_weights",
                "precoder_apply",
                "ofdm_modulate",
            ],
            "uplink" => &[
                "ofdm_demodulate",
                "dmrs_estimation",
                "mmse_detection",
                "qam_demap_256qam",
            ],
            "downlink, 7.2x DU" => &[
                "srs_delay_domain",
                "precoder_weights",
                "precoder_apply",
                "uplane_transmit",
            ],
            _ => &[
                "uplane_receive",
                "dmrs_estimation",
                "mmse_detection",
                "qam_demap_256qam",
            ],
        };
        let case = c["case"].as_str().unwrap().split(' ').next().unwrap();
        let mut got = Vec::new();
        let mut sum = 0.0;
        // The chain's floors from its blocks' rows: seconds × share of peak is a block's
        // operations at the peak (no share: no operation count, nothing added), seconds ×
        // share of the copy rate its bytes at that rate; the roofline takes the larger.
        let (mut compute, mut roofline) = (0.0, 0.0);
        let share = |block: &str, key: &str| {
            let k = kernels
                .iter()
                .find(|k| k["name"] == format!("{case}/{block}"))
                .unwrap();
            k[key]
                .as_f64()
                .map_or(0.0, |x| x * k["seconds"].as_f64().unwrap())
        };
        for st in c["steps"].as_array().unwrap() {
            let inside = st["seconds_in_chain"].as_f64().unwrap();
            assert!(inside > 0.0, "{st}");
            let blocks: Vec<&str> = st["blocks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_str().unwrap())
                .collect();
            match st["seconds_alone"].as_f64() {
                Some(a) => {
                    let want_a: f64 = blocks.iter().map(|b| seconds(case, b)).sum();
                    assert!((a - want_a).abs() <= 1e-9 * a, "{st}");
                    sum += a;
                    let r = st["in_chain_over_alone"].as_f64().unwrap();
                    assert!((r - inside / a).abs() <= 1e-9 * r, "{st}");
                }
                None => {
                    assert!(blocks.is_empty(), "{st}");
                    assert!(st["in_chain_over_alone"].is_null(), "{st}");
                }
            }
            for b in &blocks {
                let (ops, traffic) = (share(b, "share_of_peak"), share(b, "share_of_bandwidth"));
                compute += ops;
                roofline += ops.max(traffic);
            }
            got.extend(blocks);
        }
        let num = |key: &str| c[key].as_f64().unwrap();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1e-12);
        assert!(compute > 0.0 && roofline >= compute, "{c}");
        assert!(close(num("compute_floor_seconds"), compute), "{c}");
        assert!(close(num("roofline_seconds"), roofline), "{c}");
        let slot = num("slot_duration_seconds");
        assert!(close(num("compute_floor_cores"), compute / slot), "{c}");
        assert!(close(num("roofline_cores"), roofline / slot), "{c}");
        assert!(close(num("share_of_peak"), compute / s), "{c}");
        got.sort_unstable();
        let mut want = want.to_vec();
        want.sort_unstable();
        assert_eq!(got, want, "{c}");
        assert!(
            (sum - b).abs() <= 1e-9 * b,
            "{c}: steps alone {sum} against {b}"
        );
    }
    // The full chains are the DU's blocks plus the OFDM — less the DU's fronthaul block: the
    // uplink's U-plane receive (the full slot demodulates the grid, screening it as it writes
    // it), the downlink's U-plane transmit (the full slot modulates the antenna grid).
    for (case, full, du, ofdm, dropped) in [
        (
            "td-lte-20mhz",
            "uplink",
            "uplink, 7.2x DU",
            "ofdm_demodulate",
            Some("uplane_receive"),
        ),
        (
            "td-lte-20mhz",
            "downlink",
            "downlink, 7.2x DU",
            "ofdm_modulate",
            Some("uplane_transmit"),
        ),
    ] {
        let row = |dir: &str| {
            cap.iter()
                .find(|c| c["direction"] == dir && c["case"].as_str().unwrap().starts_with(case))
                .unwrap()["blocks_alone_seconds"]
                .as_f64()
                .unwrap()
        };
        let o = seconds(case, ofdm) - dropped.map_or(0.0, |d| seconds(case, d));
        assert!(
            (row(full) - row(du) - o).abs() <= 1e-9 * row(full),
            "{case} {full}"
        );
    }
    assert!(v["multi_carrier"]["speedup"].as_f64().unwrap() > 0.0);
    for dir in ["uplink", "downlink"] {
        let d = &v["split_carrier"]["directions"][dir];
        let (one, two) = (
            d["seconds_1_core"].as_f64().unwrap(),
            d["seconds_2_cores"].as_f64().unwrap(),
        );
        assert!(
            (d["speedup"].as_f64().unwrap() - one / two).abs() <= 1e-9 * one / two,
            "{d}"
        );
    }
    // Fronthaul: BFP-9 compression and decompression of both categories, with the payload
    // size of 1 + 3·9 = 28 bytes per PRB behind the Gbit/s figure.
    let fh = v["fronthaul"]["cases"].as_array().unwrap();
    assert_eq!(fh.len(), 4);
    for c in fh {
        let (prbs, sec) = (c["prbs"].as_f64().unwrap(), c["seconds"].as_f64().unwrap());
        let mprb = c["mprb_per_second"].as_f64().unwrap();
        assert!((mprb - prbs / sec / 1e6).abs() <= 1e-9 * mprb);
        let gbps = c["fronthaul_gbps"].as_f64().unwrap();
        assert!((gbps - prbs * 28.0 * 8.0 / sec / 1e9).abs() <= 1e-9 * gbps);
    }
    assert!(
        v["fronthaul"]["three_cells"]["bfp9_cores"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    // The category-B weights: one vector per layer and PRB of the slot, timed both ways.
    let bfw = &v["fronthaul"]["weights"];
    assert_eq!(bfw["vectors"].as_u64(), Some(16 * 273));
    for key in ["compress", "decompress"] {
        let sec = bfw[format!("{key}_seconds")].as_f64().unwrap();
        let speedup = bfw[format!("{key}_speedup_vs_scalar")].as_f64().unwrap();
        assert!(sec > 0.0 && speedup > 0.0, "{bfw}");
    }
    // Demapping: every QAM, rates consistent with the times and the bits per symbol.
    let dm = v["demapping"]["cases"].as_array().unwrap();
    assert_eq!(dm.len(), 5);
    for (c, qm) in dm.iter().zip([2.0, 4.0, 6.0, 8.0, 10.0]) {
        let n = c["symbols"].as_f64().unwrap();
        for t in ["f32", "i8"] {
            let sec = c[format!("{t}_seconds")].as_f64().unwrap();
            let msym = c[format!("{t}_msymbols_per_second")].as_f64().unwrap();
            let mbit = c[format!("{t}_mbit_per_second")].as_f64().unwrap();
            assert!((msym - n / sec / 1e6).abs() <= 1e-9 * msym, "{c}");
            assert!((mbit - qm * msym).abs() <= 1e-6 * mbit, "{c}");
        }
        // The cache-resident rates: one NR OFDM symbol of one layer (the quick run's 4096
        // symbols hold 3276), finite and positive.
        assert_eq!(c["cached_symbols"].as_u64(), Some(3276), "{c}");
        for t in ["f32", "i8"] {
            let r = c[format!("{t}_cached_msymbols_per_second")]
                .as_f64()
                .unwrap();
            assert!(r.is_finite() && r > 0.0, "{c}");
        }
    }
    assert!(v.get("comparison").is_none());
}

/// `--compare OLD --against NEW` compares two saved reports: speed-up = old / new time per
/// block, shares and cores side by side, blocks in one report only with nulls.
#[test]
fn bench_compare_gives_the_ratios_of_two_reports() {
    let dir = std::env::temp_dir().join(format!("mimo-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = |apply_s: f64, demap: Option<f64>, cores: f64, cached: f64, ofdm: Option<f64>| {
        let mut kernels = vec![
            serde_json::json!({"name": "nr/precoder_apply", "seconds": apply_s, "share_of_peak": 0.001 / apply_s}),
        ];
        // The kernels alone: the GEMM in both reports, the Gram only where the block's
        // demapping is (the new one).
        let mut tiles = vec![
            serde_json::json!({"name": "gemm", "seconds": apply_s / 100.0, "share_of_peak": 1e-5 / apply_s}),
        ];
        if let Some(d) = demap {
            kernels.push(serde_json::json!({"name": "nr/qam_demap_256qam", "seconds": d, "share_of_peak": 0.1}));
            tiles.push(serde_json::json!({"name": "gram", "seconds": d, "share_of_peak": 0.6}));
        }
        serde_json::json!({
            "backend": "avx2", "peak_gflops": 100.0, "kernels": kernels, "kernels_alone": tiles,
            "capacity": [{"case": "nr", "direction": "uplink", "slot_seconds": cores * 5e-4, "cores_per_carrier": cores}],
            "demapping": {"cases": [{"modulation": "256QAM", "f32_seconds": 2e-3, "i8_seconds": 1e-3, "i8_cached_msymbols_per_second": cached}]},
            "ofdm_vs_fft": ofdm.map(|r| serde_json::json!([{"carrier": "nr", "modulate_vs_bare_fft": r, "demodulate_vs_bare_fft": r / 2.0}])).unwrap_or(serde_json::json!([])),
        })
    };
    let (old, new) = (dir.join("old.json"), dir.join("new.json"));
    std::fs::write(&old, report(4e-3, None, 80.0, 800.0, None).to_string()).unwrap();
    std::fs::write(
        &new,
        report(2e-3, Some(1e-3), 40.0, 1000.0, Some(0.7)).to_string(),
    )
    .unwrap();
    let out = mimo()
        .args(["bench", "--json", "--compare"])
        .arg(&old)
        .arg("--against")
        .arg(&new)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v["comparison"];
    let k = c["kernels"].as_array().unwrap();
    assert_eq!(k.len(), 2);
    assert_eq!(k[0]["name"], "nr/precoder_apply");
    assert!((k[0]["speedup"].as_f64().unwrap() - 2.0).abs() < 1e-12);
    assert!(k[1]["speedup"].is_null() && k[1]["old_seconds"].is_null());
    let cap = &c["capacity"][0];
    assert_eq!(
        (cap["old_cores"].as_f64(), cap["new_cores"].as_f64()),
        (Some(80.0), Some(40.0))
    );
    assert!((cap["speedup"].as_f64().unwrap() - 2.0).abs() < 1e-12);
    assert!((c["demapping"][0]["i8_speedup"].as_f64().unwrap() - 1.0).abs() < 1e-12);
    // The cache-resident int8 rate: new / old.
    let cached = c["demapping"][0]["i8_cached_speedup"].as_f64().unwrap();
    assert!((cached - 1.25).abs() < 1e-12);
    // The OFDM rows: the new report's ratios, null for the old one (it predates them).
    let o = &c["ofdm_vs_fft"][0];
    assert_eq!(o["carrier"], "nr");
    assert_eq!(o["new_modulate_vs_bare_fft"].as_f64(), Some(0.7));
    assert_eq!(o["new_demodulate_vs_bare_fft"].as_f64(), Some(0.35));
    assert!(o["old_modulate_vs_bare_fft"].is_null() && o["old_demodulate_vs_bare_fft"].is_null());
    // The kernels alone: the GEMM's ratio and shares (old 4 ms / 100 against 2 ms / 100, so
    // ×2 and 0.25 % → 0.5 %), the Gram null on the old side.
    let t = c["kernels_alone"].as_array().unwrap();
    assert_eq!(
        (t[0]["name"].as_str(), t[1]["name"].as_str()),
        (Some("gemm"), Some("gram"))
    );
    assert!((t[0]["speedup"].as_f64().unwrap() - 2.0).abs() < 1e-12);
    assert!((t[0]["old_share_of_peak"].as_f64().unwrap() - 0.0025).abs() < 1e-15);
    assert!((t[0]["new_share_of_peak"].as_f64().unwrap() - 0.005).abs() < 1e-15);
    assert!(t[1]["speedup"].is_null() && t[1]["old_share_of_peak"].is_null());
    assert_eq!(t[1]["new_share_of_peak"].as_f64(), Some(0.6));
    // The table form names the ratio; a missing or broken file is an error naming it.
    let table = mimo()
        .args(["bench", "--compare"])
        .arg(&old)
        .arg("--against")
        .arg(&new)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("2.00x"));
    assert!(
        text.contains("modulator - → 0.70×, demodulator - → 0.35×"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("kernel alone gemm")
                && l.contains("2.00x, of peak   0.2% →   0.5%")),
        "{text}"
    );
    let bad = mimo()
        .args(["bench", "--compare", "/nonexistent/old.json", "--against"])
        .arg(&new)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("/nonexistent/old.json"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Several reports on a side (`--compare a b --against c d`, or the flags repeated): each
/// number is their element-wise median, sizes that agree are kept as they are, and every block
/// and chain carries its speed-up range over every (old, new) pair.
#[test]
fn bench_compare_takes_the_medians_and_ranges_of_several_reports() {
    let dir = std::env::temp_dir().join(format!("mimo-compare-many-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = |apply_s: f64, slot_s: f64| {
        serde_json::json!({
            "backend": "avx512", "peak_gflops": 100.0,
            "kernels": [{"name": "nr/precoder_apply", "seconds": apply_s, "share_of_peak": 0.001 / apply_s}],
            "kernels_alone": [{"name": "gemm", "seconds": apply_s / 10.0, "share_of_peak": 0.5}],
            "capacity": [{"case": "nr", "direction": "downlink", "slot_seconds": slot_s, "cores_per_carrier": slot_s / 5e-4}],
            "demapping": {"cases": []},
            "ofdm_vs_fft": [{"carrier": "nr", "n_fft": 4096, "modulate_vs_bare_fft": apply_s * 250.0}],
        })
    };
    let files: Vec<std::path::PathBuf> =
        [(4e-3, 0.04), (6e-3, 0.06), (2e-3, 0.02), (2.5e-3, 0.025)]
            .iter()
            .enumerate()
            .map(|(i, &(a, c))| {
                let p = dir.join(format!("r{i}.json"));
                std::fs::write(&p, report(a, c).to_string()).unwrap();
                p
            })
            .collect();
    // Both spellings: values after one flag, and the flag repeated.
    let lists = mimo()
        .args(["bench", "--json", "--compare"])
        .args(&files[..2])
        .arg("--against")
        .args(&files[2..])
        .output()
        .unwrap();
    let repeated = mimo()
        .args(["bench", "--json", "--compare"])
        .arg(&files[0])
        .arg("--compare")
        .arg(&files[1])
        .arg("--against")
        .arg(&files[2])
        .arg("--against")
        .arg(&files[3])
        .output()
        .unwrap();
    for out in [&lists, &repeated] {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(lists.stdout, repeated.stdout);
    let v: serde_json::Value = serde_json::from_slice(&lists.stdout).unwrap();
    // The printed report: the new side's medians (2 and 2.5 ms: 2.25 ms), the FFT size kept.
    let close = |x: &serde_json::Value, want: f64| {
        (x.as_f64().unwrap() - want).abs() < 1e-12 * want.abs().max(1.0)
    };
    assert!(
        close(&v["kernels"][0]["seconds"], 2.25e-3),
        "{}",
        v["kernels"][0]
    );
    assert_eq!(v["ofdm_vs_fft"][0]["n_fft"], 4096);
    let c = &v["comparison"];
    assert_eq!(
        (c["old_reports"].as_u64(), c["new_reports"].as_u64()),
        (Some(2), Some(2))
    );
    let k = &c["kernels"][0];
    assert!(
        close(&k["old_seconds"], 5e-3) && close(&k["new_seconds"], 2.25e-3),
        "{k}"
    );
    assert!(close(&k["speedup"], 5e-3 / 2.25e-3), "{k}");
    // Every pair: 4/2.5 = 1.6 up to 6/2 = 3.
    assert!(
        close(&k["speedup_range"][0], 1.6) && close(&k["speedup_range"][1], 3.0),
        "{k}"
    );
    // The kernels alone (a tenth of the block's times): the same ratios and range.
    let t = &c["kernels_alone"][0];
    assert!(close(&t["speedup"], 5e-3 / 2.25e-3), "{t}");
    assert!(
        close(&t["speedup_range"][0], 1.6) && close(&t["speedup_range"][1], 3.0),
        "{t}"
    );
    let cap = &c["capacity"][0];
    assert!(
        close(&cap["old_cores"], 100.0) && close(&cap["new_cores"], 45.0),
        "{cap}"
    );
    assert!(
        close(&cap["speedup_range"][0], 1.6) && close(&cap["speedup_range"][1], 3.0),
        "{cap}"
    );
    // One report a side: no ranges.
    let one = mimo()
        .args(["bench", "--json", "--compare"])
        .arg(&files[0])
        .arg("--against")
        .arg(&files[2])
        .output()
        .unwrap();
    let v1: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert!(
        v1["comparison"]["kernels"][0]
            .get("speedup_range")
            .is_none()
    );
    assert!(close(&v1["comparison"]["kernels"][0]["speedup"], 2.0));
    // The table names the medians and prints the ranges.
    let table = mimo()
        .args(["bench", "--compare"])
        .args(&files[..2])
        .arg("--against")
        .args(&files[2..])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("medians of 2 old and 2 new reports"),
        "{text}"
    );
    assert!(
        text.contains("2.22x") && text.contains("1.60–3.00x"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn icount_run_rejects_an_unknown_block() {
    let out = mimo()
        .args(["icount-run", "no_such_block", "1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown block"));
}
