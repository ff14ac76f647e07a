//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture() -> PathBuf {
    root().join("data/fixtures/sample.ttl")
}

/// `kg` with a store directory.
pub fn kg(store: &Path) -> Command {
    let mut c = Command::cargo_bin("kg").expect("the kg binary is built");
    c.arg("--store").arg(store).env_remove("KG_STORE");
    c
}

/// A temporary directory with a store loaded from the fixture.
pub fn loaded_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    kg(&store).arg("load").arg(fixture()).assert().success();
    (dir, store)
}

/// Runs a SELECT through the binary and returns the TSV rows (header dropped).
pub fn select(store: &Path, query: &str) -> Vec<String> {
    let out = kg(store)
        .args(["query", "--format", "tsv", query])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "query failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_owned)
        .collect()
}

/// Whether an external tool is usable. Under CI=true a missing tool fails the
/// test instead of skipping it: `.ci/run` installs them.
pub fn have(tool: &str, probe: &[&str]) -> bool {
    let ok = StdCommand::new(tool)
        .args(probe)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{tool} is required under CI=true (scripts/ensure-deps.sh test installs it)");
        }
        eprintln!("skipping: {tool} is not installed");
    }
    ok
}

/// A Python interpreter that has NetworkX, if any.
pub fn python_with_networkx() -> Option<String> {
    for py in ["/usr/bin/python3", "python3"] {
        if StdCommand::new(py)
            .args(["-c", "import networkx"])
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Some(py.to_owned());
        }
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("python3 with networkx is required under CI=true");
    }
    eprintln!("skipping: no python3 with networkx");
    None
}

/// Number of solutions of a graph pattern, read through the binary.
pub fn count(store: &Path, pattern: &str) -> usize {
    let rows = select(store, &format!("SELECT (COUNT(*) AS ?n) {{ {pattern} }}"));
    let cell = rows[0].trim();
    cell.trim_matches('"')
        .split('"')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bad count row {rows:?}"))
}

/// Number of quads in a store, read through the binary.
pub fn quad_count(store: &Path) -> usize {
    count(store, "?s ?p ?o")
}
