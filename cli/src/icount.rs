//! `mimo icount`: the performance-regression guard. Wall-clock time on a shared machine is too
//! noisy to gate on, so the guard counts instructions with valgrind's callgrind (repeatable for
//! the same binary and inputs): each block of [`crate::bench::ICOUNT_BLOCKS`] runs once and three
//! times in a child `mimo icount-run`, and the difference / 2 is the block's count per call,
//! free of set-up. `--check FILE` fails when a block exceeds its baseline by more than the
//! tolerance (10 %); `--update FILE` rewrites the baseline. valgrind cannot run AVX-512, so the
//! counts are those of the AVX2 path (what valgrind's CPUID reports); a new Rust toolchain can
//! shift them — re-run with `--update` after checking the change is the compiler's. Record with
//! the binary built as CI builds it (`cargo build --release -p massive-mimo-cli`): a
//! workspace-wide build unifies dependency features differently and moves counts by a few %.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::bench::ICOUNT_BLOCKS;

/// Instructions executed by `mimo icount-run BLOCK ITER` under callgrind.
fn count(block: &str, iterations: usize) -> Result<u64, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(&exe)
        .args(["icount-run", block, &iterations.to_string()])
        .output()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("valgrind run of {block} failed: {err}"));
    }
    err.lines()
        .find_map(|l| {
            let (_, rest) = l.split_once("Collected :")?;
            rest.trim().parse().ok()
        })
        .ok_or_else(|| format!("no `Collected :` line in callgrind's output for {block}"))
}

/// Per-call instruction counts of every guarded block.
pub fn measure() -> Result<BTreeMap<String, u64>, String> {
    let mut m = BTreeMap::new();
    for b in ICOUNT_BLOCKS {
        let one = count(b, 1)?;
        let three = count(b, 3)?;
        m.insert(b.to_string(), three.saturating_sub(one) / 2);
    }
    Ok(m)
}

/// Compares `now` with the baseline file; returns the report and whether every block is
/// within `tolerance` (0.10 = +10 %).
pub fn check(
    now: &BTreeMap<String, u64>,
    baseline: &Path,
    tolerance: f64,
) -> Result<(String, bool), String> {
    let text = std::fs::read_to_string(baseline)
        .map_err(|e| format!("cannot read {}: {e}", baseline.display()))?;
    let base: BTreeMap<String, u64> = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a JSON object of counts: {e}", baseline.display()))?;
    let mut ok = true;
    let mut report = String::new();
    for (k, &n) in now {
        let line = match base.get(k) {
            Some(&b) if b > 0 => {
                let ratio = n as f64 / b as f64;
                let bad = ratio > 1.0 + tolerance;
                ok &= !bad;
                format!(
                    "{} {k:<18} {n:>12} instructions/call, baseline {b:>12} ({:+.1} %)",
                    if bad { "FAIL" } else { "ok  " },
                    100.0 * (ratio - 1.0)
                )
            }
            _ => format!("new  {k:<18} {n:>12} instructions/call (no baseline)"),
        };
        report.push_str(&line);
        report.push('\n');
    }
    Ok((report, ok))
}

/// Writes the counts as the new baseline.
pub fn update(now: &BTreeMap<String, u64>, path: &Path) -> Result<(), String> {
    let text = serde_json::to_string_pretty(now).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_fails_on_growth_beyond_tolerance_only() {
        let dir = std::env::temp_dir().join(format!("mimo-icount-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("baseline.json");
        let base: BTreeMap<String, u64> = [("a".to_string(), 1000), ("b".to_string(), 1000)].into();
        update(&base, &path).unwrap();
        let within: BTreeMap<String, u64> =
            [("a".to_string(), 1099), ("b".to_string(), 900)].into();
        let (_, ok) = check(&within, &path, 0.10).unwrap();
        assert!(ok);
        let grown: BTreeMap<String, u64> =
            [("a".to_string(), 1101), ("b".to_string(), 1000)].into();
        let (report, ok) = check(&grown, &path, 0.10).unwrap();
        assert!(!ok);
        assert!(report.contains("FAIL a"), "{report}");
        std::fs::write(&path, "not json").unwrap();
        let err = check(&within, &path, 0.10).unwrap_err();
        assert!(err.contains("is not a JSON object of counts"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
