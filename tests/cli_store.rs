//! The store, `kg load`, `kg query`, `kg stats`, and every bad input they must survive.

use std::fs;

use predicates::prelude::*;

use crate::util::{fixture, kg, loaded_store, quad_count, select};

#[test]
fn load_then_reopen_in_another_process() {
    let (_dir, store) = loaded_store();
    // Each `kg` call is a new process that reopens the on-disk store.
    let rows = select(
        &store,
        "SELECT ?o { ent:Kassym-Jomart_Tokayev rel:thank ?o }",
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().any(|r| r.contains("Vladimir_Putin")));
    assert!(quad_count(&store) > 50);
}

#[test]
fn stats_counts_the_fixture() {
    let (_dir, store) = loaded_store();
    let out = kg(&store).args(["stats", "--json"]).output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["documents"], 1);
    assert_eq!(v["sentences"], 3);
    assert_eq!(v["entities_by_type"]["Person"], 3);
    assert_eq!(v["entities_by_type"]["Country"], 2);
    assert_eq!(v["relations"], 5);
    assert_eq!(v["facts"], 6);
    assert_eq!(v["evidence"], 7);
}

#[test]
fn query_formats() {
    let (_dir, store) = loaded_store();
    let q = "SELECT ?o { ent:Kassym-Jomart_Tokayev rel:turn_to ?o }";
    let json = kg(&store)
        .args(["query", "--format", "json", q])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        v["results"]["bindings"][0]["o"]["value"],
        "http://kg.local/entity/Collective_Security_Treaty_Organization"
    );
    kg(&store)
        .args(["query", "--format", "xml", q])
        .assert()
        .success()
        .stdout(predicate::str::contains("<sparql"));
    kg(&store)
        .args(["query", "--format", "csv", q])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("o\r\nhttp://kg.local/entity/"));
    kg(&store)
        .args(["query", "--format", "table", q])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "ent:Collective_Security_Treaty_Organization",
        ));
    kg(&store)
        .args([
            "query",
            "ASK { ?s rel:thank ent:Nikol_Pashinyan }",
            "--format",
            "table",
        ])
        .assert()
        .success()
        .stdout("true\n");
    kg(&store)
        .args([
            "query",
            "CONSTRUCT { ?s rel:thank ?o } WHERE { ?s rel:thank ?o }",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("@prefix ent:").and(predicate::str::contains("rel:thank")),
        );
}

#[test]
fn query_from_stdin_and_file() {
    let (dir, store) = loaded_store();
    kg(&store)
        .arg("query")
        .write_stdin("ASK { ?s rel:thank ?o }")
        .assert()
        .success()
        .stdout(predicate::str::contains("true"));
    let f = dir.path().join("q.rq");
    fs::write(&f, "SELECT * { ?s rel:request ?o }").unwrap();
    kg(&store)
        .args(["query", "--file"])
        .arg(&f)
        .assert()
        .success()
        .stdout(predicate::str::contains("concept/assistance"));
}

#[test]
fn sparql_syntax_error_gives_position_and_exit_2() {
    let (_dir, store) = loaded_store();
    kg(&store)
        .args(["query", "SELECT ?s WHERE { ?s ?p }"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("SPARQL syntax error").and(predicate::str::contains("1:")),
        );
}

#[test]
fn query_timeout_cancels() {
    let (_dir, store) = loaded_store();
    // A cross product of four scans: billions of rows, never finishes in time.
    kg(&store)
        .args([
            "query",
            "--timeout",
            "0.2",
            "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
        ])
        .timeout(std::time::Duration::from_secs(120))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cancelled"));
}

#[test]
fn reading_commands_need_an_existing_store() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    kg(&missing)
        .args(["query", "ASK {}"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no store at"));
    assert!(!missing.exists(), "a read must not create a store");
}

#[test]
fn a_directory_that_is_not_a_store_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.txt"), "my notes").unwrap();
    for cmd in [vec!["stats"], vec!["load", fixture().to_str().unwrap()]] {
        kg(dir.path())
            .args(&cmd)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is not a kg store"));
    }
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing was written"
    );
    // A plain file is not a store either.
    kg(&dir.path().join("notes.txt"))
        .arg("stats")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a kg store"));
}

#[test]
fn a_store_in_use_is_reported_plainly() {
    let (_dir, store) = loaded_store();
    let held = kg::store::Store::open(&store, kg::store::Mode::ReadWrite).unwrap();
    kg(&store)
        .args(["load"])
        .arg(fixture())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is in use by another kg process"));
    drop(held);
}

fn assert_load_fails_cleanly(name: &str, bytes: &[u8], expect: &str) {
    let (dir, store) = loaded_store();
    let before = quad_count(&store);
    let f = dir.path().join(name);
    fs::write(&f, bytes).unwrap();
    let out = kg(&store).arg("load").arg(&f).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
    assert!(stderr.contains(expect), "{name}: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert_eq!(quad_count(&store), before, "{name}: the store changed");
}

#[test]
fn bad_rdf_inputs_leave_the_store_unchanged() {
    let good = "<http://a> <http://b> <http://c> .\n";
    assert_load_fails_cleanly("empty.ttl", b"", "empty file");
    assert_load_fails_cleanly("blank.nt", b"  \n\n", "empty file");
    assert_load_fails_cleanly(
        "truncated.ttl",
        format!("{good}<http://a> <http://b> \"unterminated").as_bytes(),
        "truncated.ttl:2:",
    );
    assert_load_fails_cleanly(
        "binary.nt",
        &[0u8, 159, 146, 150, 255, 1, 2, 3],
        "binary.nt:1:",
    );
    let mut latin1 = good.as_bytes().to_vec();
    latin1.extend_from_slice(b"<http://a> <http://b> \"caf\xe9\" .\n");
    assert_load_fails_cleanly("latin1.nt", &latin1, "latin1.nt:2:");
    assert_load_fails_cleanly("data.docx", good.as_bytes(), "cannot tell the RDF format");
}

#[test]
fn one_bad_file_loads_nothing() {
    let (dir, store) = loaded_store();
    let before = quad_count(&store);
    let ok = dir.path().join("ok.nt");
    fs::write(&ok, "<http://x> <http://y> <http://z> .\n").unwrap();
    let bad = dir.path().join("bad.nt");
    fs::write(&bad, "<http://x> <http://y> .\n").unwrap();
    kg(&store).arg("load").arg(&ok).arg(&bad).assert().code(2);
    assert_eq!(quad_count(&store), before);
    kg(&store).arg("load").arg(&ok).assert().success();
    assert_eq!(quad_count(&store), before + 1);
}

#[test]
fn every_rdf_syntax_loads() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("a.ttl", "@prefix e: <http://e/> . e:a e:b e:c ."),
        ("a.nt", "<http://e/a> <http://e/b> <http://e/d> ."),
        (
            "a.nq",
            "<http://e/a> <http://e/b> <http://e/e> <http://e/g> .",
        ),
        ("a.trig", "@prefix e: <http://e/> . e:g2 { e:a e:b e:f }"),
        (
            "a.rdf",
            r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/"><rdf:Description rdf:about="http://e/a"><e:b rdf:resource="http://e/h"/></rdf:Description></rdf:RDF>"#,
        ),
        (
            "a.jsonld",
            r#"{"@id": "http://e/a", "http://e/b": {"@id": "http://e/i"}}"#,
        ),
    ];
    let store = dir.path().join("store");
    for (name, body) in files {
        let f = dir.path().join(name);
        fs::write(&f, body).unwrap();
        kg(&store).arg("load").arg(&f).assert().success();
    }
    assert_eq!(quad_count(&store), 4, "default graph: ttl, nt, rdf, jsonld");
    let all = select(&store, "SELECT * { GRAPH ?g { ?s ?p ?o } }");
    assert_eq!(all.len(), 2, "named graphs: nq, trig");
}

#[test]
fn unknown_formats_are_usage_errors() {
    let (_dir, store) = loaded_store();
    kg(&store)
        .args(["export", "--format", "pdf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown export format \"pdf\""));
    kg(&store)
        .args(["query", "--format", "yaml", "ASK {}"])
        .assert()
        .code(2);
    kg(&store)
        .args(["load", "--format", "docx"])
        .arg(fixture())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown RDF format"));
}

#[test]
fn help_explains_the_commands() {
    let mut c = assert_cmd::Command::cargo_bin("kg").unwrap();
    c.arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit status").and(predicate::str::contains("query")));
}
