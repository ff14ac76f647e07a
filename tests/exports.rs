//! Exports, checked by the tools that consume them: Graphviz `dot`, `rapper`
//! (raptor2) and NetworkX. Under CI=true these tools must be present.

use std::fs;
use std::path::Path;
use std::process::Command as StdCommand;

use predicates::prelude::*;

use crate::util::{have, kg, loaded_store, python_with_networkx};

fn export(store: &Path, args: &[&str]) -> Vec<u8> {
    let out = kg(store).arg("export").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "export {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A store whose labels try to break every syntax: quotes, backslashes,
/// newlines, angle brackets, ampersands, non-ASCII.
fn hostile_store() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, store) = loaded_store();
    let ttl = r#"
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <http://schema.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ent: <http://kg.local/entity/> .
@prefix rel: <http://kg.local/rel/> .
ent:Evil a schema:Organization ; rdfs:label "Say \"hi\" \\ back\nslash <&> 'x'"@en ;
  schema:alternateName "Путин & Co — «ok» 👍"@en .
ent:Evil rel:mock ent:Vladimir_Putin .
rel:mock a owl:ObjectProperty ; rdfs:label "mock \"it\""@en .
"#;
    let f = dir.path().join("evil.ttl");
    fs::write(&f, ttl).unwrap();
    kg(&store).arg("load").arg(&f).assert().success();
    (dir, store)
}

#[test]
fn dot_renders_with_graphviz_even_with_hostile_labels() {
    let (_dir, store) = hostile_store();
    let dot = export(&store, &["--format", "dot"]);
    let text = String::from_utf8(dot.clone()).unwrap();
    assert!(text.contains("\"ent:Kassym-Jomart_Tokayev\" -> \"ent:Vladimir_Putin\""));
    assert!(text.contains(r#"Say \"hi\" \\ back\nslash"#));
    if have("dot", &["-V"]) {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("g.dot");
        fs::write(&f, &dot).unwrap();
        let out = StdCommand::new("dot")
            .arg("-Tsvg")
            .arg(&f)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "dot: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let svg = String::from_utf8_lossy(&out.stdout);
        assert!(svg.contains("Vladimir Putin"), "{svg}");
        assert!(svg.contains("Say &quot;hi&quot;"));
    }
}

#[test]
fn dot_filters_cut_the_graph() {
    let (_dir, store) = loaded_store();
    let all = String::from_utf8(export(&store, &["--format", "dot"])).unwrap();
    let around = String::from_utf8(export(
        &store,
        &[
            "--format",
            "dot",
            "--entity",
            "Nikol Pashinyan",
            "--depth",
            "1",
        ],
    ))
    .unwrap();
    let nodes = |s: &str| s.lines().filter(|l| l.contains("shape=")).count();
    assert_eq!(nodes(&around), 3, "Pashinyan, Armenia, Tokayev:\n{around}");
    assert!(nodes(&all) > nodes(&around));
    let top = String::from_utf8(export(&store, &["--format", "dot", "--max-nodes", "2"])).unwrap();
    assert_eq!(nodes(&top), 2);
    assert!(
        top.contains("Kassym-Jomart_Tokayev"),
        "the most connected node stays"
    );
    let conf = String::from_utf8(export(
        &store,
        &["--format", "dot", "--min-confidence", "0.86"],
    ))
    .unwrap();
    assert!(
        !conf.contains("-> \"ent:Nikol_Pashinyan\""),
        "thank Pashinyan is 0.85:\n{conf}"
    );
    assert!(conf.contains("-> \"ent:Vladimir_Putin\""));
    kg(&store)
        .args(["export", "--format", "dot", "--entity", "Nobody Atall"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no entity named"));
}

#[test]
fn exports_are_deterministic() {
    let (_dir, store) = loaded_store();
    for f in [
        "dot", "graphml", "cyjs", "nt", "ttl", "nq", "trig", "rdf", "jsonld",
    ] {
        assert_eq!(
            export(&store, &["--format", f]),
            export(&store, &["--format", f]),
            "{f}"
        );
    }
}

#[test]
fn rapper_parses_turtle_ntriples_and_rdfxml() {
    let (_dir, store) = hostile_store();
    if !have("rapper", &["--version"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (fmt, syntax) in [("ttl", "turtle"), ("nt", "ntriples"), ("rdf", "rdfxml")] {
        let f = dir.path().join(format!("g.{fmt}"));
        kg(&store)
            .args(["export", "--format", fmt, "--output"])
            .arg(&f)
            .assert()
            .success();
        let out = StdCommand::new("rapper")
            .args(["-i", syntax, "-c"])
            .arg(&f)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "rapper {fmt}: {err}");
        assert!(err.contains("returned"), "{err}");
        assert!(!err.contains("Error"), "rapper {fmt}: {err}");
    }
}

#[test]
fn networkx_reads_graphml_with_typed_attributes() {
    let (_dir, store) = hostile_store();
    let Some(py) = python_with_networkx() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("g.graphml");
    kg(&store)
        .args(["export", "--format", "graphml", "--output"])
        .arg(&f)
        .assert()
        .success();
    let script = r#"
import sys, networkx as nx
g = nx.read_graphml(sys.argv[1])
e = g["ent:Kassym-Jomart_Tokayev"]["ent:Vladimir_Putin"]
d = list(e.values())[0] if isinstance(g, nx.MultiDiGraph) else e
assert isinstance(d["confidence"], float), type(d["confidence"])
assert isinstance(d["evidence"], int), type(d["evidence"])
assert g.nodes["ent:Kassym-Jomart_Tokayev"]["type"] == "Person"
assert "Say \"hi\"" in g.nodes["ent:Evil"]["label"]
print(g.number_of_nodes(), g.number_of_edges())
"#;
    let out = StdCommand::new(py)
        .args(["-c", script])
        .arg(&f)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "networkx: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn neo4j_csv_and_cytoscape_json() {
    let (_dir, store) = loaded_store();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("neo4j");
    kg(&store)
        .args(["export", "--format", "csv", "--output"])
        .arg(&out)
        .assert()
        .success();
    let nodes = fs::read_to_string(out.join("nodes.csv")).unwrap();
    let rels = fs::read_to_string(out.join("relationships.csv")).unwrap();
    assert!(nodes.starts_with("id:ID(Entity),name,iri,qid,alternateNames:string[],:LABEL\n"));
    assert!(nodes.contains("ent:Vladimir_Putin,Vladimir Putin,"));
    assert!(rels.starts_with(":START_ID(Entity),:END_ID(Entity),:TYPE,"));
    assert!(rels.contains(
        "ent:Kassym-Jomart_Tokayev,ent:Collective_Security_Treaty_Organization,TURN_TO,"
    ));
    kg(&store)
        .args(["export", "--format", "csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--output"));
    let cy: serde_json::Value =
        serde_json::from_slice(&export(&store, &["--format", "cyjs"])).unwrap();
    let edges = cy["elements"]["edges"].as_array().unwrap();
    let nodes = cy["elements"]["nodes"].as_array().unwrap();
    assert!(
        edges
            .iter()
            .all(|e| nodes.iter().any(|n| n["data"]["id"] == e["data"]["source"]))
    );
    assert!(edges.iter().any(|e| e["data"]["label"] == "turn to"));
}

#[test]
fn rdf_exports_round_trip_through_load() {
    let (_dir, store) = loaded_store();
    let n = crate::util::quad_count(&store);
    for fmt in ["nq", "trig", "jsonld", "ttl"] {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join(format!("all.{fmt}"));
        kg(&store)
            .args(["export", "--format", fmt, "--output"])
            .arg(&f)
            .assert()
            .success();
        let copy = dir.path().join("copy");
        kg(&copy).arg("load").arg(&f).assert().success();
        assert_eq!(crate::util::quad_count(&copy), n, "{fmt}");
    }
}
