//! Every file in `queries/` parses and runs on a real store.

use std::fs;

use crate::util::{kg, loaded_store, root};

#[test]
fn every_named_query_runs() {
    let (_dir, store) = loaded_store();
    let mut files: Vec<_> = fs::read_dir(root().join("queries"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rq"))
        .collect();
    files.sort();
    assert!(files.len() >= 6, "queries/ holds the starter queries");
    for f in files {
        let text = fs::read_to_string(&f).unwrap();
        assert!(
            text.starts_with("# "),
            "{} must start with a comment saying what it answers",
            f.display()
        );
        let out = kg(&store)
            .args(["query", "--format", "tsv", "--file"])
            .arg(&f)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            f.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let rows = String::from_utf8(out.stdout).unwrap().lines().count();
        // Header + at least one answer on the fixture, except the review list,
        // which the fixture (all confidences ≥ 0.8) leaves empty.
        if !f.ends_with("low-confidence.rq") {
            assert!(rows >= 2, "{} returned nothing", f.display());
        }
    }
}

#[test]
fn sources_query_gives_exact_sentences() {
    let (_dir, store) = loaded_store();
    let out = kg(&store)
        .args(["query", "--format", "json", "--file"])
        .arg(root().join("queries/facts-with-sources.rq"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let doc_out = kg(&store)
        .args([
            "query",
            "--format",
            "json",
            "SELECT ?t { ?d nif:isString ?t }",
        ])
        .output()
        .unwrap();
    let docs: serde_json::Value = serde_json::from_slice(&doc_out.stdout).unwrap();
    let doc = docs["results"]["bindings"][0]["t"]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let bindings = v["results"]["bindings"].as_array().unwrap();
    assert!(!bindings.is_empty());
    for b in bindings {
        let begin: usize = b["begin"]["value"].as_str().unwrap().parse().unwrap();
        let end: usize = b["end"]["value"].as_str().unwrap().parse().unwrap();
        let slice: String = doc.chars().skip(begin).take(end - begin).collect();
        assert_eq!(slice, b["sentence"]["value"].as_str().unwrap());
    }
}
