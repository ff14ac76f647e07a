//! The pipeline joined: raw documents → analysis → entities → propositions →
//! the kg model → the store, in parallel, written in input order.
//!
//! `Pipeline::process` is a pure function of a document (no store), so the same
//! code backs `kg ingest` (which writes each result in one transaction) and
//! `kg extract` (a stream filter for batch engines).

pub mod dates;
pub mod graph;
pub mod input;
pub mod output;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::extract::{self, Proposition};
use crate::kg::DocumentGraph;
use crate::nlp::coref::{self, Resolution};
use crate::nlp::gazetteer::Gazetteer;
use crate::nlp::ner::Ner;
use crate::nlp::parser::Parser;
use crate::nlp::pipeline::{AnalyzedSentence, Analyzer};
use crate::text::Doc;

pub use input::{InputError, RawDoc};

pub use crate::nlp::pipeline::{NER_FILE, PARSER_FILE};

/// Where the shipped models and gazetteer live: `$KG_DATA`, else the `data/`
/// directory of the source tree this binary was built from.
pub fn default_data_dir() -> PathBuf {
    match std::env::var_os("KG_DATA") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data")),
    }
}

/// A model or data file that could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("cannot load {what} from {path}: {message}")]
pub struct LoadError {
    pub what: &'static str,
    pub path: PathBuf,
    pub message: String,
}

/// Every model the pipeline needs, loaded once and shared by the worker threads.
pub struct Pipeline {
    pub analyzer: Analyzer,
    pub parser: Parser,
    pub ner: Ner,
    pub gazetteer: Gazetteer,
    /// Hash of kg's version and every model file: a document already stored with
    /// the same fingerprint is not processed again.
    pub fingerprint: String,
}

fn load_err(what: &'static str, path: &Path, e: impl std::fmt::Display) -> LoadError {
    LoadError {
        what,
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// A scoped thread's result (its panic, if it panicked, goes on in the caller).
fn join<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// Hash of kg's version and every model file (first 8 bytes of SHA-256, in hex).
fn model_fingerprint(models: &Path) -> Result<String, LoadError> {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    for f in [
        crate::nlp::pipeline::TAGGER_FILE,
        crate::nlp::pipeline::LEMMA_FILE,
        PARSER_FILE,
        NER_FILE,
    ] {
        let bytes =
            std::fs::read(models.join(f)).map_err(|e| load_err("a model", &models.join(f), e))?;
        h.update(Sha256::digest(&bytes));
    }
    Ok(h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

impl Pipeline {
    /// Loads the models from `{data}/models` and the gazetteer from `{data}/gazetteer`.
    pub fn load(data: &Path) -> Result<Pipeline, LoadError> {
        let models = data.join("models");
        let parser_path = models.join(PARSER_FILE);
        let ner_path = models.join(NER_FILE);
        let gaz_dir = data.join("gazetteer");
        // The models are independent files: read and decode them in parallel (start-up
        // is serial time for every command and every ingest, one core or many).
        let (analyzer, parser, ner, gazetteer, fingerprint) = std::thread::scope(|sc| {
            let analyzer = sc.spawn(|| {
                Analyzer::load(&models)
                    .map_err(|e| load_err("the tagger and lemmatizer", &models, e))
            });
            let parser = sc.spawn(|| {
                Parser::load(&parser_path).map_err(|e| load_err("the parser", &parser_path, e))
            });
            let ner = sc.spawn(|| {
                Ner::load(&ner_path).map_err(|e| load_err("the entity recognizer", &ner_path, e))
            });
            let fingerprint = sc.spawn(|| model_fingerprint(&models));
            let gazetteer =
                Gazetteer::load(&gaz_dir).map_err(|e| load_err("the gazetteer", &gaz_dir, e));
            (
                join(analyzer),
                join(parser),
                join(ner),
                gazetteer,
                join(fingerprint),
            )
        });
        Ok(Pipeline {
            analyzer: analyzer?,
            parser: parser?,
            ner: ner?,
            gazetteer: gazetteer?,
            fingerprint: fingerprint?,
        })
    }

    /// Tokens, tags, lemmas and trees of a document.
    pub fn analyze(&self, doc: &Doc) -> Vec<AnalyzedSentence> {
        let mut sents = self.analyzer.analyze(doc);
        for s in &mut sents {
            self.parser.parse(&mut s.sentence);
        }
        sents
    }

    /// Everything `kg` reads from one document.
    pub fn process(&self, raw: &RawDoc, options: &Options) -> Processed {
        let doc = if options.lines {
            Doc::from_lines(raw.document.text.clone())
        } else {
            Doc::new(raw.document.text.clone())
        };
        let sentences = self.analyze(&doc);
        // Other proper names (works, laws, products) too: they become schema:Thing.
        // Tagged as a document: one name keeps one type throughout.
        let refs: Vec<&crate::nlp::conllu::Sentence> =
            sentences.iter().map(|s| &s.sentence).collect();
        let ner = self.ner.tag_document_with_misc(&refs);
        let resolution = coref::resolve_with_facts(doc.text(), &sentences, &ner, &self.gazetteer);
        let mut propositions = Vec::with_capacity(sentences.len());
        let mut errors = Vec::new();
        for (i, s) in sentences.iter().enumerate() {
            match extract::extract(&s.sentence) {
                Ok(p) => propositions.push(p),
                Err(e) => {
                    errors.push(format!("{}: sentence {}: {e}", raw.origin, i + 1));
                    propositions.push(Vec::new());
                }
            }
        }
        // A quotation running over several sentences is attributed to the speaker
        // named where it closes ("... he said").
        extract::attribute_quotations(sentences.iter().map(|s| &s.sentence), &mut propositions);
        let tokens = sentences.iter().map(|s| s.sentence.words.len()).sum();
        let graph = graph::build(
            &raw.document,
            &doc,
            &sentences,
            &resolution,
            &propositions,
            options,
        );
        Processed {
            sentences,
            resolution,
            propositions,
            graph,
            tokens,
            errors,
        }
    }
}

/// Options of a processing run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Every input line is one sentence (benchmark inputs).
    pub lines: bool,
    /// Publication date to anchor relative dates when the document has none.
    pub date: Option<dates::Date>,
    /// Name of the input file (a `YYYY-MM-DD` in it anchors dates).
    pub file_name: Option<String>,
}

/// The result of processing one document.
pub struct Processed {
    pub sentences: Vec<AnalyzedSentence>,
    pub resolution: Resolution,
    /// Per sentence.
    pub propositions: Vec<Vec<Proposition>>,
    pub graph: DocumentGraph,
    pub tokens: usize,
    /// Sentences that could not be processed (reported, not fatal).
    pub errors: Vec<String>,
}

/// What `kg ingest` reports while it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A document was written to the store.
    Written {
        origin: String,
        sentences: usize,
        facts: usize,
    },
    /// A document already in the store with the same pipeline: skipped.
    Unchanged { origin: String },
    /// Progress: documents and sentences analysed so far in this run (written to
    /// the store at the next commit, reported as `Written` then), and the input
    /// bytes up to the last of them (`RawDoc::input_end`).
    Analysed {
        documents: usize,
        sentences: usize,
        input_bytes: u64,
    },
    /// A non-fatal remark (lossy decoding, a sentence that could not be read).
    Warning(String),
    /// An input that failed; the batch goes on.
    Failed(String),
    /// Every document is written; the store's table files are being merged (see
    /// [`crate::store::Store::needs_merge`]), the run's last step.
    Merging,
}

/// Totals of an ingest run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub written: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub sentences: usize,
    pub tokens: usize,
    pub facts: usize,
    pub bytes: usize,
}

impl Summary {
    /// Adds the counts of `other` (a batch) to these.
    fn add(&mut self, other: &Summary) {
        self.written += other.written;
        self.unchanged += other.unchanged;
        self.failed += other.failed;
        self.sentences += other.sentences;
        self.tokens += other.tokens;
        self.facts += other.facts;
        self.bytes += other.bytes;
    }
}

/// Documents per ingest batch (handed to the writer together). An analysed
/// document waits as its quads, about 1 MB for a 3 KB text, and about five
/// batches are in memory at once (being filled, waiting, being written, two being
/// turned into store files): on 5 MB of UD documents a batch of 16 peaked at
/// 341–356 MB, one of 32 at 390–424 MB. But each batch becomes its own set of
/// store files, and batches of 16 made the pinned ingest of `make bench` about 15%
/// slower on one core and on two; with 32, a 1 GB ingest peaked at 880 MB.
pub const DEFAULT_BATCH: usize = 32;

/// Ingest settings.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    pub options: Options,
    /// Re-process documents already stored with the same pipeline.
    pub force: bool,
    /// Documents analysed in parallel, then handed to the writer, per batch
    /// (bounded memory). [`DEFAULT_BATCH`] is a good value.
    pub batch: usize,
    /// New documents are committed once their bulk load holds this many quads (and
    /// at the end). [`DEFAULT_COMMIT_QUADS`] is a good value; 0 commits every batch.
    pub commit_quads: usize,
    /// The PROV activity of this run and its start time (`xsd:dateTime`).
    pub run: Option<(String, String)>,
}

/// The file name of an input origin (`dir/a.txt`, `b.jsonl:12` → `b.jsonl`).
fn file_name_of(origin: &str) -> Option<String> {
    let path = match origin.rsplit_once(':') {
        Some((p, line)) if line.bytes().all(|b| b.is_ascii_digit()) => p,
        _ => origin,
    };
    Path::new(path)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
}

/// A document analysed and turned into quads (by the worker threads).
/// What the writer needs of an analysed document besides its quads: the counts it
/// reports. The analysis itself (sentences, trees, propositions) is dropped on the
/// worker as soon as the quads are built, so a batch waiting for the writer holds
/// little more than its quads.
struct Analysed {
    raw: RawDoc,
    sentences: usize,
    tokens: usize,
    facts: usize,
    errors: Vec<String>,
}

type AnalysedQuads = (
    Analysed,
    Result<crate::rdf::DocumentQuads, crate::rdf::ModelError>,
);

/// Quads a bulk load gathers before it commits (see `Writer`): about 28,000 news
/// articles. Each commit hands RocksDB a set of overlapping files that it then
/// merges into the store, so commits are kept rare: on 50 MB of text (18,621
/// documents, 2.3 GB of store) a commit every 1M quads ran at 34.6k tokens/s with a
/// 629 MB peak, every 8M at 49.1k / 566 MB, every 32M at 54.6k / 455 MB. An
/// interrupted run loses at most this much work (minutes), which re-running redoes.
pub const DEFAULT_COMMIT_QUADS: usize = 32_000_000;

/// The writer thread's state: batches of new documents go into one open bulk load,
/// committed every `IngestOptions::commit_quads` quads, before any document that replaces
/// one already stored (a transaction), and at the end. What a batch reports waits
/// for the commit that makes it durable.
struct Writer<'a> {
    store: &'a crate::store::Store,
    iris: &'a crate::kg::Iris,
    opts: &'a IngestOptions,
    run_written: bool,
    load: Option<crate::store::BulkLoad<'a>>,
    /// Events and counts of the documents in `load`.
    pending: (Vec<Event>, Summary),
    /// Bulk loads committed so far.
    commits: usize,
}

impl<'a> Writer<'a> {
    /// Writes one analysed batch, in input order. When none of its documents is in
    /// the store yet (a first ingest), they join the open bulk load; otherwise the
    /// load is committed and each document replaces what it contributed before, one
    /// transaction each. Returns what is
    /// now durable, to report (the caller reports on its own thread).
    fn write(
        &mut self,
        batch: Vec<AnalysedQuads>,
        all_new: bool,
    ) -> Result<Option<(Vec<Event>, Summary)>, crate::store::StoreError> {
        let mut events = Vec::new();
        let mut summary = Summary::default();
        let mut ready: Vec<(Analysed, crate::rdf::DocumentQuads)> = Vec::new();
        for (mut a, quads) in batch {
            for e in a.errors.drain(..) {
                events.push(Event::Warning(e));
            }
            let mut quads = match quads {
                Ok(q) => q,
                Err(e) => {
                    summary.failed += 1;
                    events.push(Event::Failed(format!("{}: {e}", a.raw.origin)));
                    continue;
                }
            };
            if let (Some((iri, started)), false) = (&self.opts.run, self.run_written) {
                quads
                    .quads
                    .extend(crate::rdf::run_quads(self.iris, iri, started));
                self.run_written = true;
            }
            ready.push((a, quads));
        }
        let docs: Vec<&crate::rdf::DocumentQuads> = ready.iter().map(|(_, q)| q).collect();
        let store = self.store;
        let bulk = all_new;
        if bulk {
            self.load
                .get_or_insert_with(|| store.bulk_load())
                .add(&docs)?;
        }
        let mut done = if bulk { None } else { self.commit()? };
        for (a, quads) in ready {
            if !bulk {
                self.store.replace_document(self.iris, &quads)?;
            }
            summary.written += 1;
            summary.sentences += a.sentences;
            summary.tokens += a.tokens;
            summary.facts += a.facts;
            summary.bytes += a.raw.document.text.len();
            events.push(Event::Written {
                origin: a.raw.origin,
                sentences: a.sentences,
                facts: a.facts,
            });
        }
        if bulk {
            self.pending.0.extend(events);
            self.pending.1.add(&summary);
            if self
                .load
                .as_ref()
                .is_some_and(|l| l.len() >= self.opts.commit_quads)
            {
                done = self.commit()?;
            }
            return Ok(done);
        }
        // Written by transactions: after what the committed load held.
        let (mut all, mut total) = done.unwrap_or_default();
        all.extend(events);
        total.add(&summary);
        Ok(Some((all, total)))
    }

    /// Commits the open bulk load, if any; returns what it made durable.
    fn commit(&mut self) -> Result<Option<(Vec<Event>, Summary)>, crate::store::StoreError> {
        let Some(load) = self.load.take() else {
            return Ok(None);
        };
        load.commit()?;
        self.commits += 1;
        Ok(Some(std::mem::take(&mut self.pending)))
    }
}

/// Reads documents, analyses them in parallel (one rayon task per document, at most
/// `2 × opts.batch` of them in flight, so memory stays bounded) and writes them to
/// the store in input order, `opts.batch` documents at a time (see `Writer::write`).
/// Per-document failures are reported through `on_event` and counted.
///
/// A writer thread writes one group of documents while the workers analyse the
/// next ones, so the store's share of the time (a bulk load, about a fifth of one
/// core) overlaps the analysis instead of adding to it. Documents are not analysed
/// in lockstep batches: a worker that finishes takes the next document even while
/// another is still on a long one (with batches, a core idled at the end of each;
/// 2 cores / 1 core rose from 1.67× to 1.82×, median of 5 pinned rounds). At most
/// `2 × opts.batch` documents are being analysed or waiting for their turn, one
/// group waits for the writer and one is being written.
pub fn ingest(
    store: &crate::store::Store,
    iris: &crate::kg::Iris,
    pipeline: &Pipeline,
    docs: impl Iterator<Item = Result<RawDoc, InputError>>,
    opts: &IngestOptions,
    on_event: &mut dyn FnMut(&Event, &Summary),
) -> Result<Summary, crate::store::StoreError> {
    use std::sync::mpsc;

    type Written = Result<(Vec<Event>, Summary), crate::store::StoreError>;
    let mut summary = Summary::default();
    let batch = opts.batch.max(1);
    let meta_key = iris.vocab("meta_pipeline");
    // The documents of this run: a repeat is unchanged even before the writer has
    // committed the first copy. Kept as the 64-bit hash behind each document IRI
    // (`kg::hash64`, equal exactly when the IRIs are), 8 bytes a document instead of
    // the IRI string: a million-document run holds 16 MB here, not 100 MB.
    let mut this_run: std::collections::HashSet<u64> = std::collections::HashSet::new();
    let mut docs = docs.peekable();
    let bulk_commits = std::thread::scope(|scope| {
        let (to_writer, inbox) = mpsc::sync_channel::<(Vec<AnalysedQuads>, bool)>(1);
        let (to_reader, outbox) = mpsc::channel::<Written>();
        let writer = scope.spawn(move || {
            let mut w = Writer {
                store,
                iris,
                opts,
                run_written: false,
                load: None,
                pending: Default::default(),
                commits: 0,
            };
            for (to_write, all_new) in inbox {
                match w.write(to_write, all_new) {
                    Ok(None) => {}
                    Ok(Some(done)) => {
                        if to_reader.send(Ok(done)).is_err() {
                            return w.commits;
                        }
                    }
                    Err(e) => {
                        // what the open load held is not committed: nothing half-written
                        let _ = to_reader.send(Err(e));
                        return w.commits;
                    }
                }
            }
            match w.commit() {
                Ok(None) => {}
                Ok(Some(done)) => {
                    let _ = to_reader.send(Ok(done));
                }
                Err(e) => {
                    let _ = to_reader.send(Err(e));
                }
            }
            w.commits
        });
        fn report(
            written: Written,
            summary: &mut Summary,
            on_event: &mut dyn FnMut(&Event, &Summary),
        ) -> Result<(), crate::store::StoreError> {
            let (events, delta) = written?;
            summary.add(&delta);
            for e in &events {
                on_event(e, summary);
            }
            Ok(())
        }
        let mut result = Ok(());
        let mut analysed = (0usize, 0usize);
        let mut input_bytes = 0u64;
        let run = opts.run.as_ref().map(|(iri, _)| iri.as_str());
        let analyse = |raw: &RawDoc| {
            let mut o = opts.options.clone();
            if o.file_name.is_none() {
                o.file_name = file_name_of(&raw.origin);
            }
            let mut p = pipeline.process(raw, &o);
            p.graph
                .document
                .metadata
                .insert("pipeline".into(), pipeline.fingerprint.clone());
            let quads = crate::rdf::document_quads(iris, &p.graph, run);
            let counts = (p.sentences.len(), p.tokens, p.graph.facts.len());
            (counts, p.errors, quads)
        };
        // Every document is one task on the pool, at most `window` of them submitted
        // and not yet handed on; finished ones go to the writer in input order, `batch`
        // at a time. No worker waits for the slowest document of a batch, and this
        // thread, a pool worker itself, analyses documents while it waits.
        let window = 2 * batch;
        // and at most this much text among them (but always one document)
        const MAX_INFLIGHT_BYTES: usize = 64 << 20;
        let (done_tx, done_rx) = mpsc::channel::<(usize, bool, AnalysedQuads)>();
        rayon::in_place_scope_fifo(|tasks| {
            let mut submitted = 0usize;
            let mut emitted = 0usize;
            let mut finished: std::collections::BTreeMap<usize, (bool, AnalysedQuads)> =
                std::collections::BTreeMap::new();
            let mut group: Vec<AnalysedQuads> = Vec::with_capacity(batch);
            let mut group_new = true;
            let mut input_left = true;
            // text bytes of the documents submitted and not handed on yet
            let mut inflight_bytes = 0usize;
            loop {
                // Read and submit new documents until the window is full, skipping
                // those the store already has from this pipeline.
                while input_left
                    && submitted - emitted < window
                    && (inflight_bytes < MAX_INFLIGHT_BYTES || submitted == emitted)
                {
                    let Some(next) = docs.next() else {
                        input_left = false;
                        break;
                    };
                    let raw = match next {
                        Err(e) => {
                            summary.failed += 1;
                            on_event(&Event::Failed(e.to_string()), &summary);
                            continue;
                        }
                        Ok(raw) => raw,
                    };
                    for w in &raw.warnings {
                        on_event(&Event::Warning(w.clone()), &summary);
                    }
                    let hash = crate::kg::hash64(raw.document.text.as_bytes());
                    if !this_run.insert(hash) {
                        summary.unchanged += 1;
                        on_event(&Event::Unchanged { origin: raw.origin }, &summary);
                        continue;
                    }
                    let doc_iri = iris.document_with_hash(hash);
                    let stored = match store.contains_document(&doc_iri) {
                        Ok(s) => s,
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    };
                    if stored && !opts.force {
                        let same = store.objects(&doc_iri, &meta_key).map(|o| {
                            o.iter().any(|t| {
                                matches!(t, oxigraph::model::Term::Literal(l) if l.value() == pipeline.fingerprint)
                            })
                        });
                        match same {
                            Ok(true) => {
                                summary.unchanged += 1;
                                on_event(&Event::Unchanged { origin: raw.origin }, &summary);
                                continue;
                            }
                            Ok(false) => {}
                            Err(e) => {
                                result = Err(e);
                                break;
                            }
                        }
                    }
                    let seq = submitted;
                    submitted += 1;
                    inflight_bytes += raw.document.text.len();
                    let done_tx = done_tx.clone();
                    let analyse = &analyse;
                    tasks.spawn_fifo(move |_| {
                        let ((sentences, tokens, facts), errors, quads) = analyse(&raw);
                        let a = Analysed {
                            raw,
                            sentences,
                            tokens,
                            facts,
                            errors,
                        };
                        // the receiver outlives every task of this scope
                        let _ = done_tx.send((seq, stored, (a, quads)));
                    });
                }
                if result.is_err() {
                    break;
                }
                // Report what the writer finished meanwhile.
                while let Ok(written) = outbox.try_recv() {
                    if let Err(e) = report(written, &mut summary, on_event) {
                        result = Err(e);
                    }
                }
                if result.is_err() {
                    break;
                }
                // Hand finished documents on, in input order.
                let mut progressed = false;
                while let Ok((seq, stored, a)) = done_rx.try_recv() {
                    finished.insert(seq, (stored, a));
                }
                while let Some((stored, a)) = finished.remove(&emitted) {
                    emitted += 1;
                    inflight_bytes -= a.0.raw.document.text.len();
                    progressed = true;
                    analysed.0 += 1;
                    analysed.1 += a.0.sentences;
                    input_bytes = input_bytes.max(a.0.raw.input_end);
                    group_new &= !stored;
                    group.push(a);
                    // At the end of the input, smaller groups: the writer's share of
                    // the last documents then overlaps the analysis of the others.
                    let full = if input_left {
                        batch
                    } else {
                        (batch / 4).max(1)
                    };
                    if group.len() >= full || (!input_left && emitted == submitted) {
                        on_event(
                            &Event::Analysed {
                                documents: analysed.0,
                                sentences: analysed.1,
                                input_bytes,
                            },
                            &summary,
                        );
                        let g = std::mem::replace(&mut group, Vec::with_capacity(batch));
                        if to_writer.send((g, group_new)).is_err() {
                            return; // the writer stopped on an error, reported below
                        }
                        group_new = true;
                    }
                }
                if !input_left && emitted == submitted {
                    break;
                }
                if !progressed {
                    // Analyse a waiting document here, or wait for one to finish.
                    if !matches!(rayon::yield_now(), Some(rayon::Yield::Executed)) {
                        if let Ok((seq, stored, a)) =
                            done_rx.recv_timeout(std::time::Duration::from_millis(5))
                        {
                            finished.insert(seq, (stored, a));
                        }
                    }
                }
            }
        });
        drop(to_writer);
        for written in outbox {
            if let Err(e) = report(written, &mut summary, on_event) {
                result = result.and(Err(e));
            }
        }
        // the writer's own panics are bugs: let them surface as panics
        match writer.join() {
            Ok(commits) => result.map(|()| commits),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })?;
    store.end_run(bulk_commits, || on_event(&Event::Merging, &summary))?;
    Ok(summary)
}
