//! Reference-vector runner for the format of `../shared/VECTORS.md` (version 1).
//!
//! A *set* is a directory with a `manifest.toml` and `.npy` files. [`run_dirs`] finds every
//! manifest under the given directories, runs each case through the kernel registry
//! ([`kernels`]) and compares every expected array with the case's tolerance (`abs`, `rel`,
//! `nmse_db`; all given criteria must hold). A missing file, a wrong dtype or shape, a NaN, an
//! unknown kernel or a missing parameter fails that case with the reason and the run goes on; a
//! case with `disabled = "reason"` in its manifest is skipped and counted as such.
//!
//! Strict about its inputs (issue 21): only regular files are read (a device such as
//! `/dev/zero` or a FIFO is a failed case, never an endless read or a hang), their sizes are
//! bounded before reading ([`MAX_MANIFEST_BYTES`], [`MAX_ARRAY_BYTES`]), symbolic links to
//! directories are not followed (no loops, no set counted twice), a NaN or negative tolerance
//! and a non-finite expected value fail the case, and a run that finds no case at all fails.

pub mod kernels;
pub mod npy;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use ndarray::ArrayD;
use serde::Deserialize;

use massive_mimo::C32;

/// One array of a case, in one of the format's dtypes.
#[derive(Clone, Debug, PartialEq)]
pub enum Array {
    /// complex64.
    C64(ArrayD<C32>),
    /// float32.
    F32(ArrayD<f32>),
    /// uint8 (bits: one per byte).
    U8(ArrayD<u8>),
    /// int64.
    I64(ArrayD<i64>),
    /// int16 (fronthaul IQ samples and BFP mantissas).
    I16(ArrayD<i16>),
}

impl Array {
    /// Shape, first axis slowest.
    pub fn shape(&self) -> &[usize] {
        match self {
            Array::C64(a) => a.shape(),
            Array::F32(a) => a.shape(),
            Array::U8(a) => a.shape(),
            Array::I64(a) => a.shape(),
            Array::I16(a) => a.shape(),
        }
    }

    /// NumPy dtype name.
    pub fn dtype(&self) -> &'static str {
        match self {
            Array::C64(_) => "complex64",
            Array::F32(_) => "float32",
            Array::U8(_) => "uint8",
            Array::I64(_) => "int64",
            Array::I16(_) => "int16",
        }
    }

    /// Every element as (re, im) in f64, C order.
    fn values(&self) -> Vec<(f64, f64)> {
        match self {
            Array::C64(a) => a
                .iter()
                .map(|c| (f64::from(c.re), f64::from(c.im)))
                .collect(),
            Array::F32(a) => a.iter().map(|&v| (f64::from(v), 0.0)).collect(),
            Array::U8(a) => a.iter().map(|&v| (f64::from(v), 0.0)).collect(),
            Array::I64(a) => a.iter().map(|&v| (v as f64, 0.0)).collect(),
            Array::I16(a) => a.iter().map(|&v| (f64::from(v), 0.0)).collect(),
        }
    }
}

/// Tolerance of a case (all given criteria must hold).
#[derive(Clone, Copy, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tolerance {
    /// max |got − exp| ≤ abs (+ rel·max|exp| when `rel` is given too).
    pub abs: Option<f64>,
    /// max |got − exp| ≤ rel·max|exp| (alone) — see `abs`.
    pub rel: Option<f64>,
    /// 10·log10(Σ|got − exp|² / Σ|exp|²) ≤ nmse_db.
    pub nmse_db: Option<f64>,
}

/// One `[[case]]` of a manifest.
#[derive(Clone, Debug, Deserialize)]
pub struct CaseSpec {
    /// Unique name in the set.
    pub name: String,
    /// Kernel from the registry.
    pub kernel: String,
    /// Kernel parameters.
    #[serde(default)]
    pub params: toml::Table,
    /// Input name → `.npy` file (relative to the set directory).
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
    /// Expected output name → `.npy` file.
    #[serde(default)]
    pub expected: BTreeMap<String, String>,
    /// Comparison tolerance.
    #[serde(default)]
    pub tolerance: Tolerance,
    /// When present, the case is skipped and this says why.
    pub disabled: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Manifest {
    format: u32,
    #[serde(default)]
    case: Vec<CaseSpec>,
}

/// What happened to one case.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Every expected array within tolerance.
    Passed,
    /// The reason it failed.
    Failed(String),
    /// Disabled in the manifest, with the manifest's reason.
    Skipped(String),
}

/// Result of one case.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseResult {
    /// Set name: the manifest's directory, relative to the directory given to the runner.
    pub set: String,
    /// Case name.
    pub case: String,
    /// Kernel name.
    pub kernel: String,
    /// Outcome.
    pub outcome: Outcome,
}

/// Results of a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// One entry per case, in manifest order, sets sorted by path.
    pub results: Vec<CaseResult>,
}

impl Report {
    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.outcome == Outcome::Passed)
            .count()
    }

    /// Cases that failed.
    pub fn failed(&self) -> usize {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
            .count()
    }

    /// Cases disabled in their manifest.
    pub fn skipped(&self) -> usize {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Skipped(_)))
            .count()
    }

    /// The closing line: `N passed, M failed` (+ `, K skipped` when K > 0).
    pub fn summary(&self) -> String {
        let mut s = format!("{} passed, {} failed", self.passed(), self.failed());
        if self.skipped() > 0 {
            s += &format!(", {} skipped", self.skipped());
        }
        s
    }
}

impl fmt::Display for Report {
    /// One `FAIL set/case: reason` line per failing case, then the summary.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.results {
            if let Outcome::Failed(why) = &r.outcome {
                writeln!(f, "FAIL {}/{}: {}", r.set, r.case, why)?;
            }
        }
        write!(f, "{}", self.summary())
    }
}

/// Largest manifest read, bytes.
pub const MAX_MANIFEST_BYTES: u64 = 16 << 20;
/// Largest `.npy` file read, bytes.
pub const MAX_ARRAY_BYTES: u64 = 1 << 30;

/// Every `manifest.toml` under `dir` (recursively, not through symbolic links), sorted.
pub fn find_manifests(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            // The entry's own type: a symlink is neither followed into nor read as a manifest.
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() && p.file_name().is_some_and(|n| n == "manifest.toml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Reads `path` if it is a regular file (following a link to one) of at most `max` bytes; the
/// error says why, without the path (the caller names the file as its manifest does).
fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > max {
        return Err(format!(
            "{} bytes, more than the {max} this runner reads",
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(format!("grew beyond {max} bytes while read"));
    }
    Ok(bytes)
}

/// Runs every case of every manifest under each of `dirs`. A directory that does not exist or
/// a manifest that does not parse gives one failed pseudo-case naming the problem.
pub fn run_dirs<P: AsRef<Path>>(dirs: &[P]) -> Report {
    let mut report = Report::default();
    let mut found = 0;
    for dir in dirs {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            report.results.push(CaseResult {
                set: dir.display().to_string(),
                case: "*".into(),
                kernel: String::new(),
                outcome: Outcome::Failed("not a directory".into()),
            });
            continue;
        }
        for manifest in find_manifests(dir) {
            found += 1;
            let set_dir = manifest.parent().unwrap_or(dir);
            let set = set_dir
                .strip_prefix(dir)
                .ok()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(set_dir);
            run_manifest(&manifest, &set.display().to_string(), &mut report);
        }
    }
    if report.results.is_empty() {
        report.results.push(CaseResult {
            set: dirs
                .iter()
                .map(|d| d.as_ref().display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            case: "*".into(),
            kernel: String::new(),
            outcome: Outcome::Failed(format!(
                "no case found ({found} manifests): an empty run is not a pass"
            )),
        });
    }
    report
}

fn run_manifest(path: &Path, set: &str, report: &mut Report) {
    let fail = |report: &mut Report, why: String| {
        report.results.push(CaseResult {
            set: set.to_string(),
            case: "manifest.toml".into(),
            kernel: String::new(),
            outcome: Outcome::Failed(why),
        })
    };
    let text = match read_bounded(path, MAX_MANIFEST_BYTES)
        .and_then(|b| String::from_utf8(b).map_err(|e| format!("manifest is not UTF-8: {e}")))
    {
        Ok(t) => t,
        Err(e) => return fail(report, format!("cannot read manifest: {e}")),
    };
    let manifest: Manifest = match toml::from_str(&text) {
        Ok(m) => m,
        Err(e) => return fail(report, format!("manifest does not parse: {e}")),
    };
    if manifest.format != 1 {
        return fail(
            report,
            format!(
                "unsupported format version {} (this runner reads 1)",
                manifest.format
            ),
        );
    }
    if manifest.case.is_empty() {
        return fail(report, "manifest holds no [[case]]".into());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    for case in &manifest.case {
        let outcome = match &case.disabled {
            Some(why) => Outcome::Skipped(why.clone()),
            None => match run_case(case, dir) {
                Ok(()) => Outcome::Passed,
                Err(why) => Outcome::Failed(why),
            },
        };
        report.results.push(CaseResult {
            set: set.to_string(),
            case: case.name.clone(),
            kernel: case.kernel.clone(),
            outcome,
        });
    }
}

fn load(dir: &Path, file: &str) -> Result<Array, String> {
    let bytes = read_bounded(&dir.join(file), MAX_ARRAY_BYTES)
        .map_err(|e| format!("cannot read {file}: {e}"))?;
    npy::parse(&bytes).map_err(|e| format!("{file}: {e}"))
}

/// Runs one case; `Err` carries the failure reason.
pub fn run_case(case: &CaseSpec, dir: &Path) -> Result<(), String> {
    let kernel = kernels::lookup(&case.kernel)
        .ok_or_else(|| format!("kernel not implemented: `{}`", case.kernel))?;
    if let Some((name, file)) = case
        .inputs
        .iter()
        .find(|(_, f)| case.expected.values().any(|e| e == *f))
    {
        return Err(format!(
            "manifest defect: input `{name}` and an expected array are the same file `{file}`"
        ));
    }
    let mut inputs = BTreeMap::new();
    for (name, file) in &case.inputs {
        inputs.insert(name.clone(), load(dir, file)?);
    }
    let params = kernels::Params(&case.params);
    let outputs = kernel(&params, &kernels::Inputs(&inputs))?;
    if case.expected.is_empty() {
        return Err("case lists no expected arrays".into());
    }
    let t = case.tolerance;
    if t.abs.is_none() && t.rel.is_none() && t.nmse_db.is_none() {
        return Err("case gives no tolerance (abs, rel or nmse_db)".into());
    }
    for (what, v, nonneg) in [
        ("abs", t.abs, true),
        ("rel", t.rel, true),
        ("nmse_db", t.nmse_db, false),
    ] {
        if let Some(v) = v
            && (!v.is_finite() || (nonneg && v < 0.0))
        {
            return Err(format!(
                "tolerance {what} = {v} is not a finite{} number",
                if nonneg { ", non-negative" } else { "" }
            ));
        }
    }
    for (name, file) in &case.expected {
        let want = load(dir, file)?;
        let got = outputs
            .get(name.as_str())
            .ok_or_else(|| format!("kernel produced no output `{name}`"))?;
        compare(name, got, &want, &t)?;
    }
    Ok(())
}

/// Compares one output with its expected array under `t`.
pub fn compare(name: &str, got: &Array, want: &Array, t: &Tolerance) -> Result<(), String> {
    if got.shape() != want.shape() {
        return Err(format!(
            "{name}: shape {:?}, expected {:?}",
            got.shape(),
            want.shape()
        ));
    }
    let is_complex = |a: &Array| matches!(a, Array::C64(_));
    if is_complex(got) != is_complex(want) {
        return Err(format!(
            "{name}: dtype {}, expected {}",
            got.dtype(),
            want.dtype()
        ));
    }
    let (g, w) = (got.values(), want.values());
    if let Some(i) = w.iter().position(|(a, b)| !a.is_finite() || !b.is_finite()) {
        return Err(format!(
            "{name}: non-finite expected value at flat index {i}"
        ));
    }
    if let Some(i) = g.iter().position(|(a, b)| !a.is_finite() || !b.is_finite()) {
        return Err(format!("{name}: non-finite output at flat index {i}"));
    }
    let (mut max_err, mut max_ref, mut err2, mut ref2) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for ((gr, gi), (wr, wi)) in g.iter().zip(&w) {
        let e = (gr - wr).hypot(gi - wi);
        max_err = max_err.max(e);
        max_ref = max_ref.max(wr.hypot(*wi));
        err2 += e * e;
        ref2 += wr * wr + wi * wi;
    }
    let bound = match (t.abs, t.rel) {
        (Some(a), Some(r)) => Some(a + r * max_ref),
        (Some(a), None) => Some(a),
        (None, Some(r)) => Some(r * max_ref),
        (None, None) => None,
    };
    if let Some(b) = bound
        && max_err > b
    {
        return Err(format!("{name}: max |error| {max_err:.3e} > {b:.3e}"));
    }
    if let Some(limit) = t.nmse_db {
        let nmse = if ref2 > 0.0 {
            10.0 * (err2 / ref2).log10()
        } else if err2 > 0.0 {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        };
        if nmse > limit {
            return Err(format!("{name}: NMSE {nmse:.2} dB > {limit} dB"));
        }
    }
    Ok(())
}
