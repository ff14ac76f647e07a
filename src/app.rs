//! One small `run` per subcommand: opens the store in the least powerful mode
//! the command needs and calls the library. No logic a test can't reach.

use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use oxigraph::io::RdfFormat;
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};

use crate::cli::{Cli, Command, ExportArgs, Global, LoadArgs, QueryArgs, QueryFormat, StatsArgs};
use crate::export::{self, EntityGraph, Filter, Format};
use crate::kg::Iris;
use crate::store::{Mode, Store};

/// How a command ended when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// Ran, but some input failed (exit 1).
    SomeFailed,
}

/// Runs a parsed command line and maps the outcome to the documented exit code.
pub fn main(cli: Cli) -> ExitCode {
    match run(cli) {
        Ok(Status::Ok) => ExitCode::SUCCESS,
        Ok(Status::SomeFailed) => ExitCode::from(1),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("kg: error: {}", one_line(&e));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// The error chain on one line: "context: cause: cause".
fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in e.chain() {
        let s = c.to_string().replace('\n', " ");
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ")
}

pub fn run(cli: Cli) -> Result<Status> {
    let g = &cli.global;
    match cli.command {
        Command::Query(a) => query(g, a),
        Command::Export(a) => export(g, a),
        Command::Load(a) => load(g, a),
        Command::Stats(a) => stats(g, a),
    }
}

/// Prints a message for people (stderr), unless `-q`.
pub fn note(g: &Global, msg: impl AsRef<str>) {
    if !g.quiet {
        eprintln!("{}", msg.as_ref());
    }
}

pub fn iris(g: &Global) -> Result<Iris> {
    Ok(Iris::new(&g.base_iri)?)
}

/// Opens the store named by the global options.
pub fn open_store(g: &Global, mode: Mode) -> Result<Store> {
    if g.memory {
        return Ok(Store::memory()?);
    }
    Ok(Store::open(&g.store, mode)?)
}

fn stdout() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::new(io::stdout().lock())
}

fn query(g: &Global, a: QueryArgs) -> Result<Status> {
    let iris = iris(g)?;
    let text = match (&a.query, &a.file) {
        (Some(q), _) if q != "-" => q.clone(),
        (_, Some(f)) if f.as_os_str() != "-" => fs::read_to_string(f)
            .with_context(|| format!("cannot read query file {}", f.display()))?,
        _ => {
            if io::stdin().is_terminal() {
                bail!("no query: give it as an argument, with --file, or on stdin");
            }
            let mut s = String::new();
            io::stdin()
                .read_to_string(&mut s)
                .context("cannot read the query from stdin")?;
            s
        }
    };
    if text.trim().is_empty() {
        bail!("the query is empty");
    }
    let timeout = match a.timeout {
        Some(t) if !(t.is_finite() && t > 0.0) => bail!("--timeout must be a positive number of seconds"),
        Some(t) => Some(Duration::from_secs_f64(t)),
        None => None,
    };
    let store = open_store(g, Mode::ReadOnly)?;
    // Syntax first, so a bad query never waits on anything.
    store.check_query(&iris, &text)?;
    let results = store.query(&iris, &text, timeout)?;
    let tty = io::stdout().is_terminal();
    let mut out = stdout();
    write_results(&iris, results, a.format, tty, &mut out)?;
    out.flush()?;
    Ok(Status::Ok)
}

/// Serialises query results in the requested (or default) format.
pub fn write_results(
    iris: &Iris,
    results: QueryResults<'static>,
    format: Option<QueryFormat>,
    tty: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let results_format = |f: QueryFormat| match f {
        QueryFormat::Json => Some(QueryResultsFormat::Json),
        QueryFormat::Xml => Some(QueryResultsFormat::Xml),
        QueryFormat::Csv => Some(QueryResultsFormat::Csv),
        QueryFormat::Tsv => Some(QueryResultsFormat::Tsv),
        _ => None,
    };
    match results {
        QueryResults::Graph(triples) => {
            let rdf_format = match format {
                None | Some(QueryFormat::Table) | Some(QueryFormat::Ttl) => RdfFormat::Turtle,
                Some(QueryFormat::Nt) => RdfFormat::NTriples,
                Some(QueryFormat::Rdf) => RdfFormat::RdfXml,
                Some(QueryFormat::Jsonld) => RdfFormat::JsonLd {
                    profile: Default::default(),
                },
                Some(f) => bail!(
                    "CONSTRUCT and DESCRIBE return RDF: use --format ttl, nt, rdf or jsonld (not {f:?})"
                ),
            };
            let mut ser = oxigraph::io::RdfSerializer::from_format(rdf_format);
            if rdf_format != RdfFormat::NTriples {
                for (p, ns) in crate::rdf::prefixes(iris) {
                    ser = ser.with_prefix(p, ns)?;
                }
            }
            let mut w = ser.for_writer(out);
            for t in triples {
                w.serialize_triple(&t.map_err(|e| anyhow!("query failed: {e}"))?)?;
            }
            w.finish()?;
        }
        QueryResults::Boolean(b) => {
            let f = format.unwrap_or(if tty { QueryFormat::Table } else { QueryFormat::Tsv });
            match f {
                QueryFormat::Table => writeln!(out, "{b}")?,
                other => {
                    let rf = results_format(other).ok_or_else(|| {
                        anyhow!("ASK returns a boolean: use --format table, json, xml, csv or tsv")
                    })?;
                    QueryResultsSerializer::from_format(rf).serialize_boolean_to_writer(&mut *out, b)?;
                }
            }
        }
        QueryResults::Solutions(solutions) => {
            let f = format.unwrap_or(if tty { QueryFormat::Table } else { QueryFormat::Tsv });
            let vars = solutions.variables().to_vec();
            if f == QueryFormat::Table {
                let mut rows: Vec<Vec<String>> = Vec::new();
                for s in solutions {
                    let s = s.map_err(|e| anyhow!("query failed: {e}"))?;
                    rows.push(s.values().iter().map(|t| show_term(iris, t.as_ref())).collect());
                }
                write_table(out, &vars.iter().map(|v| v.as_str().to_owned()).collect::<Vec<_>>(), &rows)?;
            } else {
                let rf = results_format(f).ok_or_else(|| {
                    anyhow!("SELECT returns solutions: use --format table, json, xml, csv or tsv")
                })?;
                let mut w = QueryResultsSerializer::from_format(rf)
                    .serialize_solutions_to_writer(&mut *out, vars)?;
                for s in solutions {
                    let s = s.map_err(|e| anyhow!("query failed: {e}"))?;
                    w.serialize(&s)?;
                }
                w.finish()?;
            }
        }
    }
    Ok(())
}

/// A term for people: prefixed names for IRIs, plain text for literals.
pub fn show_term(iris: &Iris, t: Option<&Term>) -> String {
    match t {
        None => String::new(),
        Some(Term::NamedNode(n)) => export::curie(iris, n.as_str()),
        Some(Term::Literal(l)) => l.value().replace(['\n', '\t'], " "),
        Some(other) => other.to_string(),
    }
}

fn write_table(out: &mut dyn Write, header: &[String], rows: &[Vec<String>]) -> io::Result<()> {
    const MAX: usize = 80;
    let clip = |s: &str| -> String {
        if s.chars().count() > MAX {
            let mut c: String = s.chars().take(MAX - 1).collect();
            c.push('…');
            c
        } else {
            s.to_owned()
        }
    };
    let cells: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| clip(c)).collect()).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &cells {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cols: &[String]| -> io::Result<()> {
        let mut s = String::new();
        for (i, c) in cols.iter().enumerate() {
            if i > 0 {
                s.push_str(" │ ");
            }
            s.push_str(c);
            if i + 1 < cols.len() {
                s.extend(std::iter::repeat_n(' ', widths[i] - c.chars().count()));
            }
        }
        writeln!(out, "{s}")
    };
    line(out, header)?;
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    writeln!(out, "{}", rule.join("─┼─"))?;
    for r in &cells {
        line(out, r)?;
    }
    writeln!(out, "({} row{})", rows.len(), if rows.len() == 1 { "" } else { "s" })
}

fn export(g: &Global, a: ExportArgs) -> Result<Status> {
    let format = Format::from_name(&a.format).ok_or_else(|| {
        anyhow!(
            "unknown export format {:?} (expected one of: {})",
            a.format,
            Format::NAMES.join(", ")
        )
    })?;
    if let Some(c) = a.min_confidence {
        if !(0.0..=1.0).contains(&c) {
            bail!("--min-confidence must be between 0 and 1");
        }
    }
    let iris = iris(g)?;
    let store = open_store(g, Mode::ReadOnly)?;
    if let Format::Rdf(rdf) = format {
        if a.entity.is_some() || a.min_confidence.is_some() || a.max_nodes.is_some() {
            bail!("--entity, --min-confidence and --max-nodes apply to dot, graphml, csv and cyjs");
        }
        if !rdf.supports_datasets() {
            // Graph syntaxes carry the default graph, which is all kg writes.
        }
        return write_output(g, a.output.as_deref(), |w| {
            Ok(export::write_rdf(&store, &iris, rdf, w)?)
        });
    }
    let graph = EntityGraph::from_store(&store, &iris)?;
    let filter = Filter {
        entity: a.entity.clone(),
        depth: Some(a.depth),
        min_confidence: a.min_confidence,
        max_nodes: a.max_nodes,
        no_concepts: a.no_concepts,
    };
    let graph = graph.filtered(&filter)?;
    match format {
        Format::Dot => write_output(g, a.output.as_deref(), |w| Ok(graph.write_dot(w)?))?,
        Format::GraphMl => write_output(g, a.output.as_deref(), |w| Ok(graph.write_graphml(w)?))?,
        Format::Cyjs => write_output(g, a.output.as_deref(), |w| Ok(graph.write_cyjs(w)?))?,
        Format::Csv => {
            let dir = a
                .output
                .as_deref()
                .ok_or_else(|| anyhow!("--format csv writes two files: give a directory with --output"))?;
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            let (nodes, rels) = graph.neo4j_csv()?;
            write_atomically(&dir.join("nodes.csv"), &nodes)?;
            write_atomically(&dir.join("relationships.csv"), &rels)?;
            note(g, format!("wrote {}/nodes.csv and relationships.csv", dir.display()));
            return Ok(Status::Ok);
        }
        Format::Rdf(_) => unreachable!("handled above"),
    };
    note(
        g,
        format!("exported {} entities and {} facts", graph.node_count(), graph.edge_count()),
    );
    Ok(Status::Ok)
}

/// Writes to `--output` (through a temporary file renamed into place) or stdout.
fn write_output(
    _g: &Global,
    output: Option<&Path>,
    body: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<Status> {
    match output {
        None => {
            let mut out = stdout();
            body(&mut out)?;
            out.flush()?;
        }
        Some(path) => {
            let mut buf = Vec::new();
            body(&mut buf)?;
            write_atomically(path, &buf)?;
        }
    }
    Ok(Status::Ok)
}

/// Writes a file so that readers see either the old or the whole new content.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn load(g: &Global, a: LoadArgs) -> Result<Status> {
    let forced = match &a.format {
        Some(name) => Some(crate::store::format_from_name(name).ok_or_else(|| {
            anyhow!("unknown RDF format {name:?} (expected ttl, nt, nq, trig, rdf or jsonld)")
        })?),
        None => None,
    };
    let mut files = Vec::new();
    for f in &a.files {
        let format = match forced {
            Some(f) => f,
            None => crate::store::format_from_extension(f).ok_or_else(|| {
                anyhow!(
                    "{}: cannot tell the RDF format from the extension; use --format",
                    f.display()
                )
            })?,
        };
        if !f.is_file() {
            bail!("{}: no such file", f.display());
        }
        files.push((f.clone(), format));
    }
    let store = open_store(g, Mode::ReadWrite)?;
    let start = Instant::now();
    let (_, progress) = crate::store::progress_counter();
    let n = store.load_files(&files, None, progress)?;
    store.flush()?;
    let secs = start.elapsed().as_secs_f64();
    note(
        g,
        format!(
            "loaded {n} quads from {} file{} in {secs:.2}s ({:.0} quads/s)",
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            n as f64 / secs.max(1e-9)
        ),
    );
    Ok(Status::Ok)
}

/// Store statistics (`kg stats`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Stats {
    pub quads: usize,
    pub documents: u64,
    pub sentences: u64,
    pub entities: u64,
    pub entities_by_type: std::collections::BTreeMap<String, u64>,
    pub facts: u64,
    pub evidence: u64,
    pub relations: u64,
}

pub fn compute_stats(store: &Store, iris: &Iris) -> Result<Stats> {
    let count = |q: &str| -> Result<u64> {
        let rows = store.select(iris, q)?;
        Ok(rows
            .first()
            .and_then(|r| r.first().cloned().flatten())
            .and_then(|t| match t {
                Term::Literal(l) => l.value().parse().ok(),
                _ => None,
            })
            .unwrap_or(0))
    };
    let rel = iris.rel_ns();
    let mut s = Stats {
        quads: store.len()?,
        documents: count("SELECT (COUNT(*) AS ?n) { ?d a nif:Context }")?,
        sentences: count("SELECT (COUNT(*) AS ?n) { ?d a nif:Sentence }")?,
        facts: count(&format!(
            "SELECT (COUNT(*) AS ?n) {{ ?s ?p ?o FILTER(STRSTARTS(STR(?p), \"{rel}\")) }}"
        ))?,
        evidence: count("SELECT (COUNT(*) AS ?n) { ?f a rdf:Statement }")?,
        relations: count(&format!(
            "SELECT (COUNT(DISTINCT ?p) AS ?n) {{ ?s ?p ?o FILTER(STRSTARTS(STR(?p), \"{rel}\")) }}"
        ))?,
        ..Default::default()
    };
    let by_type = store.select(
        iris,
        &format!(
            "SELECT ?t (COUNT(DISTINCT ?e) AS ?n) {{ ?e a ?t FILTER(STRSTARTS(STR(?t), \"{}\") || ?t = kgv:Concept) }} GROUP BY ?t",
            crate::rdf::ns::SCHEMA
        ),
    )?;
    for row in by_type {
        if let (Some(Term::NamedNode(t)), Some(Term::Literal(n))) = (&row[0], &row[1]) {
            let name = crate::rdf::type_of_iri(iris, t.as_str())
                .map(|k| k.local_name().to_owned())
                .unwrap_or_else(|| export::curie(iris, t.as_str()));
            let n: u64 = n.value().parse().unwrap_or(0);
            s.entities += n;
            *s.entities_by_type.entry(name).or_default() += n;
        }
    }
    Ok(s)
}

fn stats(g: &Global, a: StatsArgs) -> Result<Status> {
    let iris = iris(g)?;
    let store = open_store(g, Mode::ReadOnly)?;
    let s = compute_stats(&store, &iris)?;
    let mut out = stdout();
    if a.json {
        serde_json::to_writer_pretty(&mut out, &s)?;
        writeln!(out)?;
    } else {
        let mut rows = vec![
            ("documents".to_owned(), s.documents.to_string()),
            ("sentences".to_owned(), s.sentences.to_string()),
            ("entities".to_owned(), s.entities.to_string()),
        ];
        for (t, n) in &s.entities_by_type {
            rows.push((format!("  {t}"), n.to_string()));
        }
        rows.push(("facts (asserted triples)".into(), s.facts.to_string()));
        rows.push(("evidence (fact × sentence)".into(), s.evidence.to_string()));
        rows.push(("distinct relations".into(), s.relations.to_string()));
        rows.push(("quads".into(), s.quads.to_string()));
        let w = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
        for (k, v) in rows {
            writeln!(out, "{k}{} {v:>8}", " ".repeat(w - k.chars().count()))?;
        }
    }
    out.flush()?;
    Ok(Status::Ok)
}
