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

use crate::cli::{
    Cli, Command, EvalCommand, ExportArgs, ExtractArgs, Global, IngestArgs, LoadArgs, ParseArgs,
    PipelineArgs, QueryArgs, QueryFormat, StatsArgs,
};
use crate::export::{self, EntityGraph, Filter, Format};
use crate::ingest::{self, Event, IngestOptions, Pipeline, Summary};
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
        Command::Ingest(a) => ingest_cmd(g, a),
        Command::Extract(a) => extract_cmd(g, a),
        Command::Parse(a) => parse_cmd(g, a),
        Command::Eval(e) => eval_cmd(g, e),
        Command::Train(a) => train_cmd(g, a),
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
        Some(t) if !(t.is_finite() && t > 0.0) => {
            bail!("--timeout must be a positive number of seconds")
        }
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
            let f = format.unwrap_or(if tty {
                QueryFormat::Table
            } else {
                QueryFormat::Tsv
            });
            match f {
                QueryFormat::Table => writeln!(out, "{b}")?,
                other => {
                    let rf = results_format(other).ok_or_else(|| {
                        anyhow!("ASK returns a boolean: use --format table, json, xml, csv or tsv")
                    })?;
                    QueryResultsSerializer::from_format(rf)
                        .serialize_boolean_to_writer(&mut *out, b)?;
                }
            }
        }
        QueryResults::Solutions(solutions) => {
            let f = format.unwrap_or(if tty {
                QueryFormat::Table
            } else {
                QueryFormat::Tsv
            });
            let vars = solutions.variables().to_vec();
            if f == QueryFormat::Table {
                let mut rows: Vec<Vec<String>> = Vec::new();
                for s in solutions {
                    let s = s.map_err(|e| anyhow!("query failed: {e}"))?;
                    rows.push(
                        s.values()
                            .iter()
                            .map(|t| show_term(iris, t.as_ref()))
                            .collect(),
                    );
                }
                write_table(
                    out,
                    &vars
                        .iter()
                        .map(|v| v.as_str().to_owned())
                        .collect::<Vec<_>>(),
                    &rows,
                )?;
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
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| clip(c)).collect())
        .collect();
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
    writeln!(
        out,
        "({} row{})",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    )
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
            let dir = a.output.as_deref().ok_or_else(|| {
                anyhow!("--format csv writes two files: give a directory with --output")
            })?;
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            let (nodes, rels) = graph.neo4j_csv()?;
            write_atomically(&dir.join("nodes.csv"), &nodes)?;
            write_atomically(&dir.join("relationships.csv"), &rels)?;
            note(
                g,
                format!("wrote {}/nodes.csv and relationships.csv", dir.display()),
            );
            return Ok(Status::Ok);
        }
        Format::Rdf(_) => unreachable!("handled above"),
    };
    note(
        g,
        format!(
            "exported {} entities and {} facts",
            graph.node_count(),
            graph.edge_count()
        ),
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
    store.end_run(1, || {})?; // one bulk commit
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

/// Loads the models, with a message on what failed.
fn load_pipeline(g: &Global, a: &PipelineArgs) -> Result<Pipeline> {
    let data = a.data.clone().unwrap_or_else(ingest::default_data_dir);
    let start = Instant::now();
    let p = Pipeline::load(&data)?;
    if g.verbose {
        note(
            g,
            format!(
                "models loaded from {} in {:.2}s",
                data.display(),
                start.elapsed().as_secs_f64()
            ),
        );
    }
    Ok(p)
}

fn pipeline_options(a: &PipelineArgs) -> Result<ingest::Options> {
    let date = match &a.date {
        Some(d) => Some(
            ingest::dates::Date::parse_iso(d)
                .filter(|_| d.len() == 10)
                .ok_or_else(|| anyhow!("--date {d:?} is not a date (expected YYYY-MM-DD)"))?,
        ),
        None => None,
    };
    Ok(ingest::Options {
        lines: a.lines,
        date,
        file_name: None,
    })
}

fn thread_pool(a: &PipelineArgs) -> Result<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = a.jobs {
        if n == 0 {
            bail!("--jobs must be at least 1");
        }
        b = b.num_threads(n);
    }
    Ok(b.build()?)
}

/// Input files for a pipeline command; `-` (stdin) when none are given and `default_stdin`.
fn inputs(
    g: &Global,
    paths: &[std::path::PathBuf],
    default_stdin: bool,
) -> (Vec<std::path::PathBuf>, usize) {
    let paths: Vec<std::path::PathBuf> = if paths.is_empty() && default_stdin {
        vec!["-".into()]
    } else {
        paths.to_vec()
    };
    let (files, errors) = ingest::input::expand(&paths);
    for e in &errors {
        eprintln!("kg: {e}");
    }
    let _ = g;
    (files, errors.len())
}

fn utc_stamp() -> (String, String) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    let date = ingest::dates::Date::from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    let (h, m, s) = (t / 3600, t % 3600 / 60, t % 60);
    (
        format!(
            "{:04}{:02}{:02}T{h:02}{m:02}{s:02}Z",
            date.year, date.month, date.day
        ),
        format!("{date}T{h:02}:{m:02}:{s:02}Z"),
    )
}

/// "41% of the input, ETA 3m 05s; " for the progress line, from the input bytes read
/// so far, the input's size (unknown for stdin: nothing) and the seconds elapsed.
fn eta(done: u64, total: Option<u64>, secs: f64) -> String {
    let Some(total) = total.filter(|&t| t > 0) else {
        return String::new();
    };
    let done = done.min(total);
    let fraction = done as f64 / total as f64;
    if done == 0 || secs < 2.0 {
        return format!("{:.0}% of the input; ", fraction * 100.0);
    }
    let left = (secs * (total - done) as f64 / done as f64).round() as u64;
    let (h, m, s) = (left / 3600, left % 3600 / 60, left % 60);
    let left = match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s:02}s"),
        _ => format!("{h}h {m:02}m"),
    };
    format!("{:.0}% of the input, ETA {left}; ", fraction * 100.0)
}

fn ingest_cmd(g: &Global, a: IngestArgs) -> Result<Status> {
    let iris = iris(g)?;
    let options = pipeline_options(&a.pipeline)?;
    let (files, missing) = inputs(g, &a.paths, false);
    let pipeline = load_pipeline(g, &a.pipeline)?;
    let store = open_store(g, Mode::ReadWrite)?;
    let pool = thread_pool(&a.pipeline)?;
    let (stamp, started) = utc_stamp();
    let opts = IngestOptions {
        options,
        force: a.force,
        batch: a.batch.max(pool.current_num_threads() * 4),
        commit_quads: a.commit_every,
        run: Some((iris.run(&stamp), started)),
    };
    let start = Instant::now();
    let bar = (!g.quiet && io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        b.enable_steady_tick(Duration::from_millis(200));
        b
    });
    let quiet = g.quiet;
    let verbose = g.verbose;
    // The input's size, for the ETA (unknown when reading stdin).
    let total_bytes: Option<u64> = files
        .iter()
        .map(|f| {
            (f.as_os_str() != "-")
                .then(|| std::fs::metadata(f).ok().map(|m| m.len()))
                .flatten()
        })
        .sum();
    let docs = ingest::input::Documents::new(files, a.pipeline.jsonl);
    let mut analysed = (0, 0, 0);
    // when the run's last step, merging the store's table files, began
    let merging: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let mut on_event = |e: &Event, s: &Summary| {
        if matches!(e, Event::Merging) {
            let _ = merging.set(Instant::now());
            if let Some(b) = &bar {
                b.set_message(format!(
                    "{} documents and {} facts stored; merging the store's table files",
                    s.written, s.facts
                ));
            }
            return;
        }
        if let Event::Analysed {
            documents,
            sentences,
            input_bytes,
        } = e
        {
            analysed = (*documents, *sentences, *input_bytes);
        }
        let line = match e {
            Event::Failed(m) => Some(format!("kg: {m}")),
            Event::Warning(m) if !quiet => Some(format!("kg: warning: {m}")),
            Event::Written {
                origin,
                sentences,
                facts,
            } if verbose => Some(format!("{origin}: {sentences} sentences, {facts} facts")),
            Event::Unchanged { origin } if verbose => Some(format!("{origin}: unchanged")),
            _ => None,
        };
        match (&bar, line) {
            (Some(b), Some(l)) => b.println(l),
            (None, Some(l)) => eprintln!("{l}"),
            _ => {}
        }
        if let Some(b) = &bar {
            let secs = start.elapsed().as_secs_f64().max(1e-9);
            b.set_message(format!(
                "{}{} documents analysed, {} sentences ({:.0}/s); {} documents and {} facts stored, {} unchanged, {} failed",
                eta(analysed.2, total_bytes, secs),
                analysed.0,
                analysed.1,
                analysed.1 as f64 / secs,
                s.written,
                s.facts,
                s.unchanged,
                s.failed,
            ));
        }
    };
    let summary =
        pool.install(|| ingest::ingest(&store, &iris, &pipeline, docs, &opts, &mut on_event))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    if let (Some(began), true) = (merging.get(), verbose) {
        eprintln!(
            "kg: merged the store's table files in {:.2}s",
            began.elapsed().as_secs_f64()
        );
    }
    note(
        g,
        format!(
            "ingested {} document{} ({} sentences, {} tokens, {} facts) in {secs:.2}s, {:.0} tokens/s; {} unchanged, {} failed",
            summary.written,
            if summary.written == 1 { "" } else { "s" },
            summary.sentences,
            summary.tokens,
            summary.facts,
            summary.tokens as f64 / secs,
            summary.unchanged,
            summary.failed + missing
        ),
    );
    Ok(if summary.failed + missing > 0 {
        Status::SomeFailed
    } else {
        Status::Ok
    })
}

fn extract_cmd(g: &Global, a: ExtractArgs) -> Result<Status> {
    use rayon::prelude::*;
    let iris = iris(g)?;
    let options = pipeline_options(&a.pipeline)?;
    let (files, missing) = inputs(g, &a.paths, true);
    let pipeline = load_pipeline(g, &a.pipeline)?;
    let pool = thread_pool(&a.pipeline)?;
    let batch = pool.current_num_threads() * 4;
    let mut docs = ingest::input::Documents::new(files, a.pipeline.jsonl).peekable();
    let mut out = stdout();
    let mut failed = missing;
    while docs.peek().is_some() {
        let mut todo = Vec::new();
        while todo.len() < batch {
            match docs.next() {
                None => break,
                Some(Err(e)) => {
                    eprintln!("kg: {e}");
                    failed += 1;
                }
                Some(Ok(raw)) => todo.push(raw),
            }
        }
        let results: Vec<_> = pool.install(|| {
            todo.par_iter()
                .map(|raw| {
                    let mut o = options.clone();
                    o.file_name = raw.origin.rsplit('/').next().map(str::to_owned);
                    pipeline.process(raw, &o)
                })
                .collect()
        });
        for (raw, p) in todo.iter().zip(results) {
            for e in &p.errors {
                eprintln!("kg: warning: {e}");
            }
            ingest::output::write(&mut out, a.format, &iris, raw, &p)?;
        }
    }
    out.flush()?;
    Ok(if failed > 0 {
        Status::SomeFailed
    } else {
        Status::Ok
    })
}

fn parse_cmd(g: &Global, a: ParseArgs) -> Result<Status> {
    let pipeline = load_pipeline(g, &a.pipeline)?;
    let mut out = stdout();
    let mut failed = 0;
    if a.conllu_in {
        let paths = if a.paths.is_empty() {
            vec!["-".into()]
        } else {
            a.paths.clone()
        };
        for p in paths {
            let text = if p.as_os_str() == "-" {
                let mut s = String::new();
                io::stdin()
                    .read_to_string(&mut s)
                    .context("cannot read stdin")?;
                s
            } else {
                fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?
            };
            let name = if p.as_os_str() == "-" {
                "<stdin>".to_owned()
            } else {
                p.display().to_string()
            };
            let mut sentences = match crate::nlp::conllu::parse_str(&text) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("kg: {name}: {e}");
                    failed += 1;
                    continue;
                }
            };
            for s in &mut sentences {
                pipeline.analyzer.analyze_conllu(s);
                pipeline.parser.parse(s);
                ingest::output::add_ner_misc(&pipeline, s);
                crate::nlp::conllu::write_sentence(&mut out, s)?;
            }
        }
    } else {
        let options = pipeline_options(&a.pipeline)?;
        let (files, missing) = inputs(g, &a.paths, true);
        failed += missing;
        for raw in ingest::input::Documents::new(files, a.pipeline.jsonl) {
            let raw = match raw {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("kg: {e}");
                    failed += 1;
                    continue;
                }
            };
            let doc = if options.lines {
                crate::text::Doc::from_lines(raw.document.text.clone())
            } else {
                crate::text::Doc::new(raw.document.text.clone())
            };
            for mut s in pipeline.analyze(&doc) {
                ingest::output::add_ner_misc(&pipeline, &mut s.sentence);
                crate::nlp::conllu::write_sentence(&mut out, &s.sentence)?;
            }
        }
    }
    out.flush()?;
    Ok(if failed > 0 {
        Status::SomeFailed
    } else {
        Status::Ok
    })
}

fn load_data_pipeline(g: &Global, data: &Option<std::path::PathBuf>) -> Result<Pipeline> {
    load_pipeline(
        g,
        &PipelineArgs {
            data: data.clone(),
            lines: false,
            date: None,
            jsonl: false,
            jobs: None,
        },
    )
}

fn eval_cmd(g: &Global, e: EvalCommand) -> Result<Status> {
    let mut out = stdout();
    match e {
        EvalCommand::Ud {
            gold,
            gold_tokens,
            data,
        } => {
            let pipeline = load_data_pipeline(g, &data)?;
            let sentences = crate::nlp::conllu::read_file(&gold)
                .with_context(|| format!("cannot read {}", gold.display()))?;
            let start = Instant::now();
            let scores = if gold_tokens {
                crate::eval::suite::ud_from_gold_tokens(&pipeline, &sentences)?
            } else {
                crate::eval::suite::ud_from_raw(&pipeline, &sentences)?
            };
            let words: usize = sentences.iter().map(|s| s.words.len()).sum();
            writeln!(
                out,
                "# {} from {} ({} words, {:.1}s)",
                gold.display(),
                if gold_tokens {
                    "gold tokens"
                } else {
                    "raw text"
                },
                words,
                start.elapsed().as_secs_f64()
            )?;
            write!(out, "{}", scores.table())?;
        }
        EvalCommand::Entities { ud, uner, data } => {
            let pipeline = load_data_pipeline(g, &data)?;
            let gum_dev = ud.join("en_gum-ud-dev.conllu");
            let ewt_dev = ud.join("en_ewt-ud-dev.conllu");
            // What NER sees at run time: kg's own tags, lemmas and trees. The gold-tag
            // rows show how much of the gap is the model and how much its input.
            let analyze = |s: &mut crate::nlp::conllu::Sentence| {
                pipeline.analyzer.analyze_conllu(s);
                pipeline.parser.parse(s);
            };
            for (input, analyze) in [
                (
                    "kg's tags and trees",
                    Some(&analyze as crate::eval::ner::Analyze),
                ),
                ("gold tags and trees", None),
            ] {
                let gum = crate::eval::ner::eval_gum_analyzed(
                    &pipeline.ner,
                    &gum_dev,
                    Some(&pipeline.gazetteer),
                    analyze,
                )?;
                write!(
                    out,
                    "{}",
                    crate::eval::ner::format_scores(
                        &format!("NER, GUM dev ({input})"),
                        &gum.scores
                    )
                )?;
                let un =
                    crate::eval::ner::eval_uner_analyzed(&pipeline.ner, &uner, &ewt_dev, analyze)?;
                if g.verbose {
                    // Every sentence whose spans differ, for error analysis (stderr: people).
                    for (set, rep) in [("GUM dev", &gum), ("UNER EWT dev", &un)] {
                        for (text, gold, pred) in &rep.errors {
                            eprintln!("{set} ({input}): {text}\n  gold: {gold}\n  kg:   {pred}");
                        }
                    }
                }
                write!(
                    out,
                    "{}",
                    crate::eval::ner::format_scores(
                        &format!("NER, UNER EWT dev (PER/ORG/LOC; not trained on; {input})"),
                        &un.scores
                    )
                )?;
                if un.skipped > 0 {
                    writeln!(
                        out,
                        "  ({} UNER sentences tokenized differently from EWT dev: counted as misses)",
                        un.skipped
                    )?;
                }
            }
            let as_given = |_: &mut crate::nlp::conllu::Sentence| {};
            for (what, ner_src, reanalyze) in [
                (
                    "kg NER on gold tags and trees",
                    crate::eval::coref::NerSource::Model(&pipeline.ner),
                    &as_given as crate::eval::ner::Analyze,
                ),
                (
                    "kg NER on kg's tags and trees",
                    crate::eval::coref::NerSource::Model(&pipeline.ner),
                    &analyze,
                ),
                (
                    "gold name spans",
                    crate::eval::coref::NerSource::Gold,
                    &as_given,
                ),
            ] {
                let scores = crate::eval::coref::eval_gum_with(
                    &gum_dev,
                    ner_src,
                    &pipeline.gazetteer,
                    reanalyze,
                )?;
                write!(
                    out,
                    "{}",
                    crate::eval::coref::format_scores(
                        &format!("Coreference, GUM dev, named-entity clusters ({what})"),
                        &scores
                    )
                )?;
            }
        }
        EvalCommand::Sample {
            article,
            gold,
            data,
        } => {
            let pipeline = load_data_pipeline(g, &data)?;
            let report = crate::eval::suite::sample(&pipeline, &article, &gold)?;
            writeln!(out, "# {} against {}", article.display(), gold.display())?;
            write!(out, "{}", report.table())?;
        }
        EvalCommand::Carb {
            gold,
            sentences,
            system,
            system_format,
            data,
        } => {
            let gold_set = crate::eval::carb::read_gold(&gold)?;
            let (scores, constant) = match (system, sentences) {
                (Some(sys), _) => {
                    let set = match system_format.as_str() {
                        "carb" => crate::eval::carb::read_system_tab(&sys)?,
                        "openie5" => crate::eval::carb::read_openie5(&sys)?,
                        other => {
                            bail!("unknown --system-format {other:?} (expected carb or openie5)")
                        }
                    };
                    (
                        crate::eval::carb::score(&gold_set, &set),
                        crate::eval::carb::score(
                            &gold_set,
                            &crate::eval::carb::with_constant_confidence(&set),
                        ),
                    )
                }
                (None, Some(s)) => {
                    let pipeline = load_data_pipeline(g, &data)?;
                    crate::eval::suite::carb(&pipeline, &s, &gold)?
                }
                (None, None) => bail!("give --sentences or --system"),
            };
            writeln!(out, "CaRB ({})", gold.display())?;
            writeln!(out, "| confidence | AUC | P | R | F1 |")?;
            writeln!(out, "|---|---|---|---|---|")?;
            for (name, s) in [("system", &scores), ("constant", &constant)] {
                writeln!(
                    out,
                    "| {name} | {:.3} | {:.3} | {:.3} | {:.3} |",
                    s.auc, s.precision, s.recall, s.f1
                )?;
            }
        }
    }
    out.flush()?;
    Ok(Status::Ok)
}

fn train_cmd(g: &Global, a: crate::cli::TrainArgs) -> Result<Status> {
    use crate::cli::TrainWhat;
    use crate::nlp::train::{Component, TrainConfig};
    let components = match a.what {
        TrainWhat::Tagger => vec![Component::Tagger],
        TrainWhat::Parser => vec![Component::Parser],
        TrainWhat::Ner => vec![Component::Ner],
        TrainWhat::All => vec![Component::Tagger, Component::Parser, Component::Ner],
    };
    if a.folds < 2 {
        bail!("--folds must be at least 2");
    }
    let cfg = TrainConfig {
        ud: a.ud,
        out: a.out,
        gazetteer: a.gazetteer,
        folds: a.folds,
    };
    let start = Instant::now();
    crate::nlp::train::train(&cfg, &components, &mut |line| note(g, line))?;
    note(
        g,
        format!("trained in {:.0}s", start.elapsed().as_secs_f64()),
    );
    Ok(Status::Ok)
}

#[cfg(test)]
mod tests {
    use super::eta;

    #[test]
    fn the_eta_scales_the_time_so_far_by_the_input_left() {
        assert_eq!(eta(0, None, 10.0), "", "stdin: size unknown");
        assert_eq!(eta(10, Some(0), 10.0), "");
        assert_eq!(eta(0, Some(100), 10.0), "0% of the input; ");
        assert_eq!(
            eta(50, Some(100), 1.0),
            "50% of the input; ",
            "too early to tell"
        );
        assert_eq!(eta(25, Some(100), 10.0), "25% of the input, ETA 30s; ");
        assert_eq!(eta(10, Some(100), 65.0), "10% of the input, ETA 9m 45s; ");
        assert_eq!(eta(1, Some(1000), 20.0), "0% of the input, ETA 5h 33m; ");
        assert_eq!(eta(200, Some(100), 10.0), "100% of the input, ETA 0s; ");
    }
}
