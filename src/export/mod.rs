//! Projections of the store for other tools: Graphviz DOT, GraphML, Neo4j
//! import CSV, Cytoscape.js JSON, and the RDF syntaxes. The only user of petgraph.
//!
//! Every projection starts from the same [`EntityGraph`]: entities are nodes,
//! asserted `rel:` triples are edges carrying their best confidence and the
//! number of evidence nodes behind them. Nodes and edges are sorted by id, so
//! the same store always gives byte-identical exports.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::io::Write;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::kg::{EntityType, Iris, hash16};
use crate::rdf;
use crate::store::{Store, StoreError};

/// Export formats (`kg export --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Dot,
    GraphMl,
    /// Neo4j `neo4j-admin database import` CSV: a nodes and a relationships file.
    Csv,
    /// Cytoscape.js JSON.
    Cyjs,
    Rdf(oxigraph::io::RdfFormat),
}

impl Format {
    pub const NAMES: &'static [&'static str] = &[
        "dot", "graphml", "csv", "cyjs", "nt", "ttl", "nq", "trig", "rdf", "jsonld",
    ];

    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "dot" => Some(Format::Dot),
            "graphml" => Some(Format::GraphMl),
            "csv" => Some(Format::Csv),
            "cyjs" => Some(Format::Cyjs),
            other => crate::store::format_from_name(other).map(Format::Rdf),
        }
    }
}

/// Export errors.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("CSV error: {0}")]
    Csv(#[from] csv::Error),
    #[error("no entity named {name:?}{hint}")]
    UnknownEntity { name: String, hint: String },
}

/// Types, label, alternate names and Wikidata QID of a node, as read from the store.
type NodeInfo = (
    Vec<String>,
    Option<String>,
    BTreeSet<String>,
    Option<String>,
);

/// A node of the entity graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    /// Full IRI.
    pub iri: String,
    /// Prefixed name (`ent:Ada_Lovelace`): the stable id in every export.
    pub id: String,
    pub label: String,
    /// `Person`, `Organization`, … `Concept`, or `Thing` when untyped.
    pub kind: String,
    pub alternate_names: Vec<String>,
    /// Wikidata QID when linked.
    pub qid: Option<String>,
}

/// An edge: one asserted triple.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    pub id: String,
    pub source: String,
    pub target: String,
    /// Prefixed predicate (`rel:thank`).
    pub predicate: String,
    /// Human label (`thank`, `turn to`).
    pub label: String,
    /// Best confidence over the evidence nodes (1.0 when there is none, e.g. loaded RDF).
    pub confidence: f64,
    /// Number of evidence nodes (sentences) behind the triple.
    pub evidence: u64,
    /// One sentence that states it, for tooltips.
    pub sentence: Option<String>,
}

/// The entity graph, a petgraph `DiGraph` with nodes and edges in id order.
pub struct EntityGraph {
    pub graph: DiGraph<Node, Edge>,
}

/// Filters that cut a large graph down to a readable picture.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Keep the neighbourhood of the entity with this label or alternate name.
    pub entity: Option<String>,
    /// Neighbourhood radius around `entity` (default 1).
    pub depth: Option<usize>,
    pub min_confidence: Option<f64>,
    /// Keep at most this many nodes: the focus entity first, then by degree.
    pub max_nodes: Option<usize>,
    /// Drop `kgv:Concept` nodes (non-named arguments).
    pub no_concepts: bool,
}

fn term_str(t: &Option<oxigraph::model::Term>) -> Option<String> {
    match t {
        Some(oxigraph::model::Term::NamedNode(n)) => Some(n.as_str().to_owned()),
        Some(oxigraph::model::Term::Literal(l)) => Some(l.value().to_owned()),
        Some(other) => Some(other.to_string()),
        None => None,
    }
}

/// Shortens an IRI with the kg prefixes.
pub fn curie(iris: &Iris, iri: &str) -> String {
    for (p, ns) in rdf::prefixes(iris) {
        if let Some(local) = iri.strip_prefix(ns.as_str()) {
            if !local.is_empty() {
                return format!("{p}:{local}");
            }
        }
    }
    iri.to_owned()
}

impl EntityGraph {
    /// Reads the entity graph from the store.
    pub fn from_store(store: &Store, iris: &Iris) -> Result<EntityGraph, ExportError> {
        let rel = iris.rel_ns();
        let edges_q = format!(
            "SELECT ?s ?p ?o (MAX(?c) AS ?conf) (COUNT(?f) AS ?n) (MIN(?text) AS ?sent) WHERE {{
               ?s ?p ?o . FILTER(STRSTARTS(STR(?p), \"{rel}\") && isIRI(?o))
               OPTIONAL {{ ?f rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
                          OPTIONAL {{ ?f itsrdf:taConfidence ?c }}
                          OPTIONAL {{ ?f prov:wasDerivedFrom/nif:anchorOf ?text }} }}
             }} GROUP BY ?s ?p ?o"
        );
        let mut edges = Vec::new();
        let mut node_iris = BTreeSet::new();
        for row in store.select(iris, &edges_q)? {
            let (Some(s), Some(p), Some(o)) =
                (term_str(&row[0]), term_str(&row[1]), term_str(&row[2]))
            else {
                continue;
            };
            let conf = term_str(&row[3])
                .and_then(|c| c.parse::<f64>().ok())
                .unwrap_or(1.0);
            let n = term_str(&row[4])
                .and_then(|c| c.parse::<u64>().ok())
                .unwrap_or(0);
            node_iris.insert(s.clone());
            node_iris.insert(o.clone());
            let label = p.strip_prefix(rel.as_str()).unwrap_or(&p).replace('_', " ");
            edges.push(Edge {
                id: format!("e{}", hash16(format!("{s}\n{p}\n{o}").as_bytes())),
                source: curie(iris, &s),
                target: curie(iris, &o),
                predicate: curie(iris, &p),
                label,
                confidence: conf,
                evidence: n,
                sentence: term_str(&row[5]),
            });
        }
        // Typed entities with no edge are nodes too.
        let typed_q = format!(
            "SELECT DISTINCT ?e WHERE {{ ?e a ?t . FILTER(STRSTARTS(STR(?t), \"{}\") || ?t = kgv:Concept) }}",
            rdf::ns::SCHEMA
        );
        for row in store.select(iris, &typed_q)? {
            if let Some(e) = term_str(&row[0]) {
                node_iris.insert(e);
            }
        }
        let info_q = "SELECT ?e ?t ?l ?a ?same WHERE {
               { ?e a ?t } UNION { ?e rdfs:label ?l } UNION { ?e schema:alternateName ?a }
               UNION { ?e owl:sameAs ?same } }";
        let mut info: BTreeMap<String, NodeInfo> = BTreeMap::new();
        for row in store.select(iris, info_q)? {
            let Some(e) = term_str(&row[0]) else { continue };
            if !node_iris.contains(&e) {
                continue;
            }
            let entry = info.entry(e).or_default();
            if let Some(t) = term_str(&row[1]) {
                entry.0.push(t);
            }
            if let Some(l) = term_str(&row[2]) {
                if entry.1.as_ref().is_none_or(|old| &l < old) {
                    entry.1 = Some(l);
                }
            }
            if let Some(a) = term_str(&row[3]) {
                entry.2.insert(a);
            }
            if let Some(s) = term_str(&row[4]) {
                if let Some(q) = s.strip_prefix(rdf::ns::WD) {
                    entry.3 = Some(q.to_owned());
                }
            }
        }
        let mut graph = DiGraph::new();
        let mut index = BTreeMap::new();
        for iri in node_iris {
            let (types, label, alts, qid) = info.remove(&iri).unwrap_or_default();
            let kind = types
                .iter()
                .filter_map(|t| rdf::type_of_iri(iris, t))
                .min()
                .unwrap_or(EntityType::Thing);
            let id = curie(iris, &iri);
            let label = label.unwrap_or_else(|| {
                let local = id.rsplit([':', '/', '#']).next().unwrap_or(&id);
                local.replace('_', " ")
            });
            let ix = graph.add_node(Node {
                iri: iri.clone(),
                id: id.clone(),
                label,
                kind: kind.local_name().to_owned(),
                alternate_names: alts.into_iter().collect(),
                qid,
            });
            index.insert(id, ix);
        }
        edges.sort_by(|a, b| a.id.cmp(&b.id));
        for e in edges {
            if let (Some(&a), Some(&b)) = (index.get(&e.source), index.get(&e.target)) {
                graph.add_edge(a, b, e);
            }
        }
        Ok(EntityGraph { graph })
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Finds an entity by label or alternate name (case-insensitive), or by id.
    pub fn find(&self, name: &str) -> Result<NodeIndex, ExportError> {
        let want = name.to_lowercase();
        let mut hits: Vec<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|&i| {
                let n = &self.graph[i];
                n.label.to_lowercase() == want
                    || n.id.to_lowercase() == want
                    || n.iri == name
                    || n.alternate_names.iter().any(|a| a.to_lowercase() == want)
            })
            .collect();
        // A label match beats an alternate-name match.
        hits.sort_by_key(|&i| {
            (
                self.graph[i].label.to_lowercase() != want,
                self.graph[i].id.clone(),
            )
        });
        if let Some(&first) = hits.first() {
            return Ok(first);
        }
        let mut close: Vec<&str> = self
            .graph
            .node_weights()
            .filter(|n| n.label.to_lowercase().contains(&want))
            .map(|n| n.label.as_str())
            .collect();
        close.sort();
        close.truncate(5);
        let hint = if close.is_empty() {
            String::new()
        } else {
            format!(" (did you mean: {}?)", close.join(", "))
        };
        Err(ExportError::UnknownEntity {
            name: name.to_owned(),
            hint,
        })
    }

    /// Applies the filters, returning a new graph (ids unchanged, order kept).
    pub fn filtered(&self, f: &Filter) -> Result<EntityGraph, ExportError> {
        let g = &self.graph;
        let mut keep_edge: Vec<bool> = g
            .edge_references()
            .map(|e| f.min_confidence.is_none_or(|m| e.weight().confidence >= m))
            .collect();
        let mut keep_node: Vec<bool> = g
            .node_weights()
            .map(|n| !(f.no_concepts && n.kind == "Concept"))
            .collect();
        let mut focus = None;
        if let Some(name) = &f.entity {
            let start = self.find(name)?;
            focus = Some(start);
            let depth = f.depth.unwrap_or(1);
            let mut dist = vec![usize::MAX; g.node_count()];
            dist[start.index()] = 0;
            let mut queue = VecDeque::from([start]);
            while let Some(n) = queue.pop_front() {
                if dist[n.index()] >= depth {
                    continue;
                }
                for dir in [Direction::Outgoing, Direction::Incoming] {
                    for e in g.edges_directed(n, dir) {
                        if !keep_edge[e.id().index()] {
                            continue;
                        }
                        let m = if dir == Direction::Outgoing {
                            e.target()
                        } else {
                            e.source()
                        };
                        if keep_node[m.index()] && dist[m.index()] == usize::MAX {
                            dist[m.index()] = dist[n.index()] + 1;
                            queue.push_back(m);
                        }
                    }
                }
            }
            for (i, k) in keep_node.iter_mut().enumerate() {
                *k = *k && dist[i] != usize::MAX;
            }
        }
        if let Some(max) = f.max_nodes {
            let degree = |i: NodeIndex| {
                g.edges_directed(i, Direction::Outgoing)
                    .chain(g.edges_directed(i, Direction::Incoming))
                    .filter(|e| keep_edge[e.id().index()])
                    .count()
            };
            let mut ranked: Vec<NodeIndex> =
                g.node_indices().filter(|i| keep_node[i.index()]).collect();
            ranked.sort_by_key(|&i| {
                (
                    Some(i) != focus,
                    std::cmp::Reverse(degree(i)),
                    g[i].id.clone(),
                )
            });
            let chosen: BTreeSet<NodeIndex> = ranked.into_iter().take(max).collect();
            for i in g.node_indices() {
                keep_node[i.index()] = keep_node[i.index()] && chosen.contains(&i);
            }
        }
        for e in g.edge_references() {
            if !keep_node[e.source().index()] || !keep_node[e.target().index()] {
                keep_edge[e.id().index()] = false;
            }
        }
        let graph = g.filter_map(
            |i, n| keep_node[i.index()].then(|| n.clone()),
            |i, e| keep_edge[i.index()].then(|| e.clone()),
        );
        Ok(EntityGraph { graph })
    }

    fn sorted_nodes(&self) -> Vec<&Node> {
        let mut v: Vec<&Node> = self.graph.node_weights().collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    fn sorted_edges(&self) -> Vec<&Edge> {
        let mut v: Vec<&Edge> = self.graph.edge_weights().collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    /// Graphviz DOT, with stable quoted ids and escaped labels.
    pub fn write_dot(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let mut out = String::new();
        out.push_str("digraph kg {\n");
        out.push_str(
            "  graph [rankdir=LR, overlap=false, splines=true, fontname=\"Helvetica\"];\n",
        );
        out.push_str("  node [fontname=\"Helvetica\", fontsize=11, style=filled];\n");
        out.push_str("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n");
        for n in self.sorted_nodes() {
            let (shape, color) = node_style(&n.kind);
            let mut tooltip = format!("{} ({})", n.label, n.kind);
            if !n.alternate_names.is_empty() {
                let _ = write!(tooltip, "\naka: {}", n.alternate_names.join("; "));
            }
            let _ = writeln!(
                out,
                "  {} [label={}, shape={shape}, fillcolor=\"{color}\", tooltip={}, URL={}];",
                dot_id(&n.id),
                dot_id(&n.label),
                dot_id(&tooltip),
                dot_id(&n.iri)
            );
        }
        for e in self.sorted_edges() {
            let label = if e.evidence > 1 {
                format!("{} ({}×)", e.label, e.evidence)
            } else {
                e.label.clone()
            };
            let tooltip = match &e.sentence {
                Some(s) => format!("{} [{:.2}]", s, e.confidence),
                None => format!("[{:.2}]", e.confidence),
            };
            let width = 0.5 + 2.0 * e.confidence.clamp(0.0, 1.0);
            let _ = writeln!(
                out,
                "  {} -> {} [label={}, tooltip={}, penwidth={width:.2}];",
                dot_id(&e.source),
                dot_id(&e.target),
                dot_id(&label),
                dot_id(&tooltip)
            );
        }
        out.push_str("}\n");
        w.write_all(out.as_bytes())
    }

    /// GraphML with typed keys (yEd, Gephi, NetworkX, Cytoscape desktop).
    pub fn write_graphml(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let mut out = String::new();
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(
            "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
             http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
        );
        for (id, for_, name, ty) in [
            ("label", "node", "label", "string"),
            ("type", "node", "type", "string"),
            ("iri", "node", "iri", "string"),
            ("qid", "node", "qid", "string"),
            ("alternateNames", "node", "alternateNames", "string"),
            ("elabel", "edge", "label", "string"),
            ("predicate", "edge", "predicate", "string"),
            ("confidence", "edge", "confidence", "double"),
            ("evidence", "edge", "evidence", "int"),
            ("sentence", "edge", "sentence", "string"),
        ] {
            let _ = writeln!(
                out,
                "  <key id=\"{id}\" for=\"{for_}\" attr.name=\"{name}\" attr.type=\"{ty}\"/>"
            );
        }
        out.push_str("  <graph id=\"kg\" edgedefault=\"directed\">\n");
        for n in self.sorted_nodes() {
            let _ = writeln!(out, "    <node id=\"{}\">", xml(&n.id));
            let _ = writeln!(out, "      <data key=\"label\">{}</data>", xml(&n.label));
            let _ = writeln!(out, "      <data key=\"type\">{}</data>", xml(&n.kind));
            let _ = writeln!(out, "      <data key=\"iri\">{}</data>", xml(&n.iri));
            if let Some(q) = &n.qid {
                let _ = writeln!(out, "      <data key=\"qid\">{}</data>", xml(q));
            }
            if !n.alternate_names.is_empty() {
                let _ = writeln!(
                    out,
                    "      <data key=\"alternateNames\">{}</data>",
                    xml(&n.alternate_names.join("; "))
                );
            }
            out.push_str("    </node>\n");
        }
        for e in self.sorted_edges() {
            let _ = writeln!(
                out,
                "    <edge id=\"{}\" source=\"{}\" target=\"{}\">",
                xml(&e.id),
                xml(&e.source),
                xml(&e.target)
            );
            let _ = writeln!(out, "      <data key=\"elabel\">{}</data>", xml(&e.label));
            let _ = writeln!(
                out,
                "      <data key=\"predicate\">{}</data>",
                xml(&e.predicate)
            );
            let _ = writeln!(
                out,
                "      <data key=\"confidence\">{}</data>",
                e.confidence
            );
            let _ = writeln!(out, "      <data key=\"evidence\">{}</data>", e.evidence);
            if let Some(s) = &e.sentence {
                let _ = writeln!(out, "      <data key=\"sentence\">{}</data>", xml(s));
            }
            out.push_str("    </edge>\n");
        }
        out.push_str("  </graph>\n</graphml>\n");
        w.write_all(out.as_bytes())
    }

    /// Cytoscape.js JSON (`elements.nodes` / `elements.edges`).
    pub fn write_cyjs(&self, w: &mut dyn Write) -> std::io::Result<()> {
        #[derive(Serialize)]
        struct NodeData<'a> {
            id: &'a str,
            label: &'a str,
            #[serde(rename = "type")]
            kind: &'a str,
            iri: &'a str,
            #[serde(rename = "alternateNames")]
            alternate_names: &'a [String],
            #[serde(skip_serializing_if = "Option::is_none")]
            qid: Option<&'a str>,
        }
        #[derive(Serialize)]
        struct Wrap<T> {
            data: T,
        }
        let nodes: Vec<Wrap<NodeData<'_>>> = self
            .sorted_nodes()
            .into_iter()
            .map(|n| Wrap {
                data: NodeData {
                    id: &n.id,
                    label: &n.label,
                    kind: &n.kind,
                    iri: &n.iri,
                    alternate_names: &n.alternate_names,
                    qid: n.qid.as_deref(),
                },
            })
            .collect();
        let edges: Vec<Wrap<&Edge>> = self
            .sorted_edges()
            .into_iter()
            .map(|e| Wrap { data: e })
            .collect();
        let doc = serde_json::json!({
            "format_version": "1.0",
            "generated_by": format!("kg {}", env!("CARGO_PKG_VERSION")),
            "data": { "name": "kg" },
            "elements": { "nodes": nodes, "edges": edges }
        });
        serde_json::to_writer_pretty(&mut *w, &doc)?;
        w.write_all(b"\n")
    }

    /// Neo4j bulk-import CSV: returns (nodes.csv, relationships.csv) contents.
    pub fn neo4j_csv(&self) -> Result<(Vec<u8>, Vec<u8>), ExportError> {
        let mut nodes = csv::Writer::from_writer(Vec::new());
        nodes.write_record([
            "id:ID(Entity)",
            "name",
            "iri",
            "qid",
            "alternateNames:string[]",
            ":LABEL",
        ])?;
        for n in self.sorted_nodes() {
            let label = format!("Entity;{}", n.kind);
            nodes.write_record([
                n.id.as_str(),
                n.label.as_str(),
                n.iri.as_str(),
                n.qid.as_deref().unwrap_or(""),
                &n.alternate_names.join(";"),
                &label,
            ])?;
        }
        let mut rels = csv::Writer::from_writer(Vec::new());
        rels.write_record([
            ":START_ID(Entity)",
            ":END_ID(Entity)",
            ":TYPE",
            "id",
            "predicate",
            "confidence:float",
            "evidence:int",
            "sentence",
        ])?;
        for e in self.sorted_edges() {
            rels.write_record([
                e.source.as_str(),
                e.target.as_str(),
                &neo4j_type(&e.label),
                e.id.as_str(),
                e.predicate.as_str(),
                &e.confidence.to_string(),
                &e.evidence.to_string(),
                e.sentence.as_deref().unwrap_or(""),
            ])?;
        }
        let nodes = nodes
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let rels = rels
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok((nodes, rels))
    }
}

/// Relationship types in Neo4j's convention: `TURN_TO`.
fn neo4j_type(label: &str) -> String {
    let t: String = label
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if t.is_empty() { "RELATED_TO".into() } else { t }
}

fn node_style(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "Person" => ("ellipse", "#aec7e8"),
        "Organization" => ("box", "#ffbb78"),
        "Country" => ("hexagon", "#98df8a"),
        "City" => ("house", "#c7e9c0"),
        "Place" => ("house", "#d9f0d3"),
        "Event" => ("diamond", "#f7b6d2"),
        "Concept" => ("note", "#f5f5f5"),
        _ => ("ellipse", "#dddddd"),
    }
}

/// A DOT quoted string: `"` and `\` escaped, line breaks as `\n`, other
/// control characters dropped. Non-ASCII passes through (DOT is UTF-8).
pub fn dot_id(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// XML text/attribute escaping; characters XML 1.0 forbids are dropped.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Writes the store in an RDF syntax (sorted, with the kg prefixes).
pub fn write_rdf(
    store: &Store,
    iris: &Iris,
    format: oxigraph::io::RdfFormat,
    w: &mut dyn Write,
) -> Result<(), ExportError> {
    store.dump(iris, format, w)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_escaping_handles_hostile_labels() {
        assert_eq!(dot_id("a\"b"), "\"a\\\"b\"");
        assert_eq!(dot_id("a\\b"), "\"a\\\\b\"");
        assert_eq!(dot_id("line\nbreak"), "\"line\\nbreak\"");
        assert_eq!(dot_id("Путин\u{7}"), "\"Путин\"");
    }

    #[test]
    fn xml_escaping() {
        assert_eq!(xml("a<b&\"c'\u{1}"), "a&lt;b&amp;&quot;c&apos;");
    }

    #[test]
    fn neo4j_types() {
        assert_eq!(neo4j_type("turn to"), "TURN_TO");
        assert_eq!(neo4j_type(""), "RELATED_TO");
    }
}
