//! The only user of `oxigraph::store`: opening, bulk loading, per-document
//! transactions and SPARQL. Knows the RDF model (through `rdf`), not NLP.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer, RdfSyntaxError};
use oxigraph::model::vocab::{rdf as rdfv, rdfs};
use oxigraph::model::{
    GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Quad, QuadRef,
    Term, TermRef,
};
use oxigraph::sparql::{CancellationToken, QueryResults, SparqlEvaluator};
use oxigraph::store::{StorageError, Store as OxStore};

use crate::kg::Iris;
use crate::rdf::{self, DocumentQuads, term};

/// A mention node's entity, anchor text and class, as a new document states them.
type MentionFields = (Option<NamedNode>, Option<String>, Option<NamedNode>);

/// What a document's mentions say about its entities.
struct MentionSummary {
    /// (entity, anchor text) of every mention: the names the document calls it by.
    names: BTreeSet<(NamedNode, String)>,
    /// Per entity, the class its mentions in the document have most often (ties go
    /// to the first IRI): the entity's type once the document is written.
    types: BTreeMap<NamedNode, NamedNode>,
}

impl MentionSummary {
    fn of(new: &DocumentQuads) -> MentionSummary {
        let mut mentions: BTreeMap<&NamedNode, MentionFields> = BTreeMap::new();
        for q in &new.quads {
            let oxigraph::model::NamedOrBlankNode::NamedNode(m) = &q.subject else {
                continue;
            };
            if q.predicate == term::ITS_TA_IDENT_REF {
                if let Term::NamedNode(e) = &q.object {
                    mentions.entry(m).or_default().0 = Some(e.clone());
                }
            } else if q.predicate == term::NIF_ANCHOR_OF {
                if let Term::Literal(l) = &q.object {
                    mentions.entry(m).or_default().1 = Some(l.value().to_owned());
                }
            } else if q.predicate == term::ITS_TA_CLASS_REF {
                if let Term::NamedNode(c) = &q.object {
                    mentions.entry(m).or_default().2 = Some(c.clone());
                }
            }
        }
        let mut names = BTreeSet::new();
        let mut classes: BTreeMap<NamedNode, BTreeMap<NamedNode, usize>> = BTreeMap::new();
        for (e, a, c) in mentions.into_values() {
            let Some(e) = e else { continue };
            if let Some(a) = a {
                names.insert((e.clone(), a));
            }
            if let Some(c) = c {
                *classes.entry(e).or_default().entry(c).or_default() += 1;
            }
        }
        let types = classes
            .into_iter()
            .filter_map(|(e, counts)| {
                let best = counts
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))?;
                Some((e, best.0))
            })
            .collect();
        MentionSummary { names, types }
    }
}

/// The values of `rdfs:label` quads.
fn labels_of(
    quads: impl Iterator<Item = Result<Quad, StorageError>>,
) -> Result<BTreeSet<String>, StorageError> {
    let mut out = BTreeSet::new();
    for q in quads {
        if let Term::Literal(l) = q?.object {
            out.insert(l.value().to_owned());
        }
    }
    Ok(out)
}

/// How a command needs the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `query`, `export`, `stats`: never writes, may run beside other readers.
    ReadOnly,
    /// `ingest`, `load`: one writer per directory.
    ReadWrite,
}

/// Store errors, each a sentence a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {0} is in use by another kg process")]
    InUse(PathBuf),
    #[error("{0} is not a kg store (it exists but holds no RocksDB database)")]
    NotAStore(PathBuf),
    #[error("no store at {0} (create one with `kg ingest` or `kg load`)")]
    Missing(PathBuf),
    #[error("cannot open store {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        file: String,
        line: u64,
        column: u64,
        message: String,
    },
    #[error("{file}: {message}")]
    Input { file: String, message: String },
    #[error("SPARQL syntax error: {0}")]
    QuerySyntax(String),
    #[error("query cancelled after {0:?} (--timeout)")]
    Timeout(Duration),
    #[error("query failed: {0}")]
    Query(String),
    #[error("store error: {0}")]
    Storage(#[from] StorageError),
    #[error("{0}")]
    Model(#[from] rdf::ModelError),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// An open store, on disk or in memory.
#[derive(Clone)]
pub struct Store {
    inner: OxStore,
    path: Option<PathBuf>,
    mode: Mode,
}

/// Whether a directory looks like a RocksDB database (what Oxigraph creates).
fn is_rocksdb_dir(path: &Path) -> bool {
    path.join("CURRENT").is_file()
}

impl Store {
    /// An empty in-memory store.
    pub fn memory() -> Result<Store, StoreError> {
        Ok(Store {
            inner: OxStore::new()?,
            path: None,
            mode: Mode::ReadWrite,
        })
    }

    /// Opens (or, read-write, creates) the store at `path`, refusing directories
    /// that hold something else so a typo never scatters RocksDB files in them.
    pub fn open(path: &Path, mode: Mode) -> Result<Store, StoreError> {
        let owned = path.to_path_buf();
        if path.exists() {
            if !path.is_dir() {
                return Err(StoreError::NotAStore(owned));
            }
            let empty = fs::read_dir(path)
                .map_err(|e| StoreError::Open {
                    path: owned.clone(),
                    message: e.to_string(),
                })?
                .next()
                .is_none();
            if !empty && !is_rocksdb_dir(path) {
                return Err(StoreError::NotAStore(owned));
            }
            if empty && mode == Mode::ReadOnly {
                return Err(StoreError::Missing(owned));
            }
        } else if mode == Mode::ReadOnly {
            return Err(StoreError::Missing(owned));
        }
        let inner = open_on_disk(path, mode)?;
        let store = Store {
            inner,
            path: Some(owned),
            mode,
        };
        if mode == Mode::ReadWrite {
            // a bulk load interrupted between its two commit steps (see `BulkLoad`)
            store.finish_retypes()?;
            remove_orphan_bulk_files(path)?;
        }
        Ok(store)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Number of quads.
    pub fn len(&self) -> Result<usize, StoreError> {
        Ok(self.inner.len()?)
    }

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.inner.is_empty()?)
    }

    /// Flushes to disk (on-disk stores).
    pub fn flush(&self) -> Result<(), StoreError> {
        #[cfg(feature = "rocksdb")]
        if self.path.is_some() {
            self.inner.flush()?;
        }
        Ok(())
    }

    /// Bytes of RocksDB table files in an on-disk store (0 in memory).
    pub fn table_bytes(&self) -> u64 {
        let Some(dir) = &self.path else {
            return 0;
        };
        let Ok(entries) = fs::read_dir(dir) else {
            return 0;
        };
        entries
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".sst"))
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    }

    /// Whether a run that committed `bulk_commits` bulk loads should end with
    /// [`Store::merge_tables`].
    ///
    /// Each batch a bulk load adds becomes one more table file per index at
    /// RocksDB's level 0, and a lookup reads every such file. RocksDB merges them
    /// on its own background threads, but only while a read-write process runs:
    /// read-only opens (every query) never merge, and closing the store stops a
    /// merge under way. So a run that bulk-loaded merges before it returns, as long
    /// as the store is within [`MERGE_WHOLE_STORE_BYTES`]. Measured on copies of
    /// the sample article, `facts-with-sources.rq` took 6.3 s on a fresh store of
    /// 300 left as loaded (17 files per index) and 0.67 s merged, for 0.3 s more
    /// ingest (2.06 s against 1.76 s on two cores); 64 more articles added to a
    /// merged store of 600 (9 files per index) took it from 3.1 s to 10.3 s.
    /// Larger stores only flush: RocksDB's flush waits until fewer than 20 level-0
    /// files per index remain, and a long run merged while it ran.
    pub fn needs_merge(&self, bulk_commits: usize) -> bool {
        cfg!(feature = "rocksdb")
            && self.path.is_some()
            && merges_after(self.table_bytes(), bulk_commits)
    }

    /// Ends a run of writes that committed `bulk_commits` bulk loads: merges the
    /// table files when [`Store::needs_merge`] says so (calling `before_merge`
    /// first, for progress), flushes otherwise.
    pub fn end_run(
        &self,
        bulk_commits: usize,
        before_merge: impl FnOnce(),
    ) -> Result<(), StoreError> {
        if self.needs_merge(bulk_commits) {
            before_merge();
            self.merge_tables()
        } else {
            self.flush()
        }
    }

    /// Merges the table files of every index (RocksDB's full compaction; one
    /// thread: Oxigraph gives RocksDB one background job per CPU, and with two
    /// CPUs that allows one compaction at a time), then flushes.
    pub fn merge_tables(&self) -> Result<(), StoreError> {
        self.inner.optimize()?;
        self.flush()
    }

    /// Bulk-loads RDF files in one atomic commit: if any file fails to parse,
    /// nothing is loaded. Returns the number of quads read.
    pub fn load_files(
        &self,
        files: &[(PathBuf, RdfFormat)],
        base_iri: Option<&str>,
        on_progress: impl Fn(u64) + Send + Sync + 'static,
    ) -> Result<u64, StoreError> {
        let mut loader = self.inner.bulk_loader().on_progress(on_progress);
        let mut total = 0u64;
        for (path, format) in files {
            let name = path.display().to_string();
            let mut bytes = Vec::new();
            fs::File::open(path)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .map_err(|e| StoreError::Input {
                    file: name.clone(),
                    message: e.to_string(),
                })?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Err(StoreError::Input {
                    file: name,
                    message: "empty file, nothing to load".into(),
                });
            }
            let mut parser = RdfParser::from_format(*format).rename_blank_nodes();
            if let Some(base) = base_iri {
                parser = parser.with_base_iri(base).map_err(|e| StoreError::Input {
                    file: name.clone(),
                    message: format!("invalid base IRI: {e}"),
                })?;
            }
            // Count what this file contributes by parsing it once ourselves; the
            // loader then receives only well-formed quads.
            let mut quads = Vec::new();
            for q in parser.for_slice(&bytes) {
                quads.push(q.map_err(|e| parse_error(&name, &bytes, e))?);
            }
            total += quads.len() as u64;
            loader.load_quads(quads).map_err(|e| StoreError::Input {
                file: name.clone(),
                message: e.to_string(),
            })?;
        }
        loader.commit()?;
        Ok(total)
    }

    /// Inserts quads in one transaction (small writes: fixtures, run records).
    pub fn insert_all(&self, quads: &[Quad]) -> Result<(), StoreError> {
        let mut tx = self.inner.start_transaction()?;
        for q in quads {
            tx.insert(q);
        }
        tx.commit()?;
        Ok(())
    }

    /// Whether the store holds a document with this IRI.
    pub fn contains_document(&self, doc: &str) -> Result<bool, StoreError> {
        let doc = NamedNode::new_unchecked(doc);
        Ok(self.inner.contains(QuadRef::new(
            &doc,
            rdfv::TYPE,
            term::NIF_CONTEXT,
            GraphNameRef::DefaultGraph,
        ))?)
    }

    /// Objects of `(subject, predicate, ?o)` in the default graph, sorted.
    pub fn objects(&self, subject: &str, predicate: &str) -> Result<Vec<Term>, StoreError> {
        let s = NamedNode::new_unchecked(subject);
        let p = NamedNode::new_unchecked(predicate);
        let mut out = Vec::new();
        for q in self.inner.quads_for_pattern(
            Some(NamedOrBlankNodeRef::from(&s)),
            Some(p.as_ref()),
            None,
            Some(GraphNameRef::DefaultGraph),
        ) {
            out.push(q?.object);
        }
        out.sort_by_key(|t| t.to_string());
        Ok(out)
    }

    /// Replaces everything one document contributed with `new`, in one
    /// transaction: old NIF nodes and evidence go, asserted triples that no
    /// evidence supports any more go, entity names and types are recomputed
    /// from the mentions that remain in the whole store.
    pub fn replace_document(&self, iris: &Iris, new: &DocumentQuads) -> Result<(), StoreError> {
        let mut tx = self.inner.start_transaction()?;
        let doc = new.document.as_ref();

        // 1. What the document contributed before.
        let mut doc_nodes: BTreeSet<NamedNode> = BTreeSet::new();
        doc_nodes.insert(doc.into_owned());
        for q in tx.quads_for_pattern(
            None,
            Some(term::NIF_REFERENCE_CONTEXT),
            Some(TermRef::from(doc)),
            Some(GraphNameRef::DefaultGraph),
        ) {
            if let oxigraph::model::NamedOrBlankNode::NamedNode(n) = q?.subject {
                doc_nodes.insert(n);
            }
        }
        let mut facts: BTreeSet<NamedNode> = BTreeSet::new();
        let mut touched_entities: BTreeSet<NamedNode> = BTreeSet::new();
        let mut old_names: BTreeSet<(NamedNode, String)> = BTreeSet::new();
        for node in &doc_nodes {
            for q in tx.quads_for_pattern(
                None,
                Some(term::PROV_WAS_DERIVED_FROM),
                Some(TermRef::from(node.as_ref())),
                Some(GraphNameRef::DefaultGraph),
            ) {
                if let oxigraph::model::NamedOrBlankNode::NamedNode(n) = q?.subject {
                    facts.insert(n);
                }
            }
            for q in tx.quads_for_pattern(
                Some(node.as_ref().into()),
                Some(term::ITS_TA_IDENT_REF),
                None,
                Some(GraphNameRef::DefaultGraph),
            ) {
                if let Term::NamedNode(n) = q?.object {
                    let anchor = tx
                        .quads_for_pattern(
                            Some(node.as_ref().into()),
                            Some(term::NIF_ANCHOR_OF),
                            None,
                            Some(GraphNameRef::DefaultGraph),
                        )
                        .filter_map(Result::ok)
                        .find_map(|q| match q.object {
                            Term::Literal(l) => Some(l.value().to_owned()),
                            _ => None,
                        });
                    if let Some(a) = anchor {
                        old_names.insert((n.clone(), a));
                    }
                    touched_entities.insert(n);
                }
            }
        }
        let mut old_triples: HashSet<(NamedNode, NamedNode, Term)> = HashSet::new();
        let mut old_relations: BTreeSet<NamedNode> = BTreeSet::new();
        for f in &facts {
            let get = |p: NamedNodeRef<'_>| -> Result<Option<Term>, StorageError> {
                tx.quads_for_pattern(
                    Some(f.as_ref().into()),
                    Some(p),
                    None,
                    Some(GraphNameRef::DefaultGraph),
                )
                .next()
                .transpose()
                .map(|q| q.map(|q| q.object))
            };
            if let (Some(Term::NamedNode(s)), Some(Term::NamedNode(p)), Some(o)) = (
                get(rdfv::SUBJECT)?,
                get(rdfv::PREDICATE)?,
                get(rdfv::OBJECT)?,
            ) {
                old_relations.insert(p.clone());
                old_triples.insert((s, p, o));
            }
        }

        // 2. Remove every triple about those nodes.
        let mut doomed: Vec<Quad> = Vec::new();
        for node in doc_nodes.iter().chain(&facts) {
            for q in tx.quads_for_pattern(
                Some(node.as_ref().into()),
                None,
                None,
                Some(GraphNameRef::DefaultGraph),
            ) {
                doomed.push(q?);
            }
        }
        for q in &doomed {
            tx.remove(q);
        }

        // 3. Write the new contribution.
        for q in new.quads.iter().chain(&new.asserted).chain(&new.relations) {
            tx.insert(q);
        }
        for e in &new.entities {
            touched_entities.insert(e.iri.clone());
            tx.insert(QuadRef::new(
                &e.iri,
                rdfs::LABEL,
                &rdf::label_literal(&e.label),
                GraphNameRef::DefaultGraph,
            ));
            if let Some(same) = &e.same_as {
                tx.insert(QuadRef::new(
                    &e.iri,
                    term::OWL_SAME_AS,
                    same,
                    GraphNameRef::DefaultGraph,
                ));
            }
        }

        // 4. Asserted triples and relations that lost their last evidence.
        let new_asserted: HashSet<&Quad> = new.asserted.iter().collect();
        for (s, p, o) in &old_triples {
            let q = Quad::new(
                s.clone(),
                p.clone(),
                o.clone(),
                oxigraph::model::GraphName::DefaultGraph,
            );
            if new_asserted.contains(&q) {
                continue;
            }
            let mut supported = false;
            for st in tx.quads_for_pattern(
                None,
                Some(rdfv::SUBJECT),
                Some(TermRef::from(s.as_ref())),
                Some(GraphNameRef::DefaultGraph),
            ) {
                let f = st?.subject;
                let has = |pred: NamedNodeRef<'_>, obj: TermRef<'_>| {
                    tx.contains(QuadRef::new(
                        f.as_ref(),
                        pred,
                        obj,
                        GraphNameRef::DefaultGraph,
                    ))
                };
                if has(rdfv::PREDICATE, p.as_ref().into())? && has(rdfv::OBJECT, o.as_ref())? {
                    supported = true;
                    break;
                }
            }
            if !supported {
                tx.remove(&q);
            }
        }
        for p in &old_relations {
            let used = exists(&tx, None, Some(rdfv::PREDICATE), Some(p.as_ref().into()));
            if !used {
                let stale: Vec<Quad> = matching(&tx, Some(p.as_ref().into()), None, None)?;
                for q in &stale {
                    tx.remove(q);
                }
            }
        }

        // 5. Entity triples follow the mentions, updated incrementally so that a
        // write costs the size of the document, not of the store: the document's
        // own mentions add alternate names and set the type; names and entities
        // that only the old version mentioned go when no other mention keeps them.
        let MentionSummary {
            names: new_names,
            types: new_types,
        } = MentionSummary::of(new);
        for (e, class) in &new_types {
            let old_types: Vec<Quad> =
                matching(&tx, Some(e.as_ref().into()), Some(rdfv::TYPE), None)?;
            for q in &old_types {
                tx.remove(q);
            }
            tx.insert(QuadRef::new(
                e,
                rdfv::TYPE,
                class,
                GraphNameRef::DefaultGraph,
            ));
        }
        for (e, a) in &new_names {
            let labels = labels_of(tx.quads_for_pattern(
                Some(e.as_ref().into()),
                Some(rdfs::LABEL),
                None,
                Some(GraphNameRef::DefaultGraph),
            ))?;
            if !labels.contains(a) {
                tx.insert(QuadRef::new(
                    e,
                    term::SCHEMA_ALTERNATE_NAME,
                    &rdf::label_literal(a),
                    GraphNameRef::DefaultGraph,
                ));
            }
        }
        for (e, a) in &old_names {
            if new_names.contains(&(e.clone(), a.clone())) {
                continue;
            }
            let anchor = Literal::new_simple_literal(a.as_str());
            let mut kept = false;
            for q in tx.quads_for_pattern(
                None,
                Some(term::NIF_ANCHOR_OF),
                Some(anchor.as_ref().into()),
                Some(GraphNameRef::DefaultGraph),
            ) {
                let m = q?.subject;
                if tx.contains(QuadRef::new(
                    m.as_ref(),
                    term::ITS_TA_IDENT_REF,
                    e.as_ref(),
                    GraphNameRef::DefaultGraph,
                ))? {
                    kept = true;
                    break;
                }
            }
            if !kept {
                tx.remove(QuadRef::new(
                    e,
                    term::SCHEMA_ALTERNATE_NAME,
                    &rdf::label_literal(a),
                    GraphNameRef::DefaultGraph,
                ));
            }
        }
        for e in &touched_entities {
            if new_types.contains_key(e) {
                continue;
            }
            let mentioned = exists(
                &tx,
                None,
                Some(term::ITS_TA_IDENT_REF),
                Some(e.as_ref().into()),
            );
            if !mentioned {
                let about: Vec<Quad> = matching(&tx, Some(e.as_ref().into()), None, None)?;
                for q in &about {
                    if q.predicate == rdfv::TYPE
                        || q.predicate == rdfs::LABEL
                        || q.predicate == term::SCHEMA_ALTERNATE_NAME
                        || q.predicate == term::OWL_SAME_AS
                    {
                        tx.remove(q);
                    }
                }
            }
        }
        let _ = iris;
        tx.commit()?;
        Ok(())
    }

    /// Adds documents the store does not hold yet (none of their IRIs is in it, and
    /// no two are the same) in one atomic bulk load: all of them or, on any error,
    /// none (but see [`BulkLoad`] on retyped entities).
    pub fn add_new_documents(&self, docs: &[&DocumentQuads]) -> Result<(), StoreError> {
        let mut load = self.bulk_load();
        load.add(docs)?;
        load.commit()
    }

    /// The second step of a bulk load's commit: removes the stale entity types its
    /// journal lists, and the journal, in one transaction (nothing to do when the
    /// journal is empty, as it is except after an interrupted commit).
    fn finish_retypes(&self) -> Result<(), StoreError> {
        let journal: Vec<Quad> = self
            .inner
            .quads_for_pattern(None, None, None, Some(RETYPE_JOURNAL.into()))
            .collect::<Result<_, _>>()?;
        if journal.is_empty() {
            return Ok(());
        }
        let mut tx = self.inner.start_transaction()?;
        for q in &journal {
            tx.remove(QuadRef::new(
                &q.subject,
                q.predicate.as_ref(),
                &q.object,
                GraphNameRef::DefaultGraph,
            ));
            tx.remove(q);
        }
        tx.commit()?;
        Ok(())
    }

    /// Starts an atomic bulk load of new documents, added a batch at a time with
    /// [`BulkLoad::add`] and made visible all at once by [`BulkLoad::commit`];
    /// dropped without a commit, it writes nothing.
    pub fn bulk_load(&self) -> BulkLoad<'_> {
        BulkLoad {
            store: self,
            loader: self.inner.bulk_loader(),
            types: BTreeMap::new(),
            labels: BTreeMap::new(),
            quads: 0,
        }
    }

    /// Prepares a SPARQL query with the kg prefixes predeclared.
    fn evaluator(&self, iris: &Iris) -> SparqlEvaluator {
        let mut ev = SparqlEvaluator::new();
        for (p, ns) in rdf::prefixes(iris) {
            ev = ev
                .with_prefix(p, ns)
                .expect("the built-in prefixes are valid IRIs");
        }
        ev
    }

    /// Checks a query's syntax without running it.
    pub fn check_query(&self, iris: &Iris, query: &str) -> Result<(), StoreError> {
        self.evaluator(iris)
            .parse_query(query)
            .map(|_| ())
            .map_err(|e| StoreError::QuerySyntax(e.to_string()))
    }

    /// Runs a SPARQL query; `timeout` cancels it.
    pub fn query(
        &self,
        iris: &Iris,
        query: &str,
        timeout: Option<Duration>,
    ) -> Result<QueryResults<'static>, StoreError> {
        let mut ev = self.evaluator(iris);
        if let Some(t) = timeout {
            let token = CancellationToken::new();
            ev = ev.with_cancellation_token(token.clone());
            std::thread::spawn(move || {
                std::thread::sleep(t);
                token.cancel();
            });
        }
        let prepared = ev
            .parse_query(query)
            .map_err(|e| StoreError::QuerySyntax(e.to_string()))?;
        prepared
            .on_store(&self.inner)
            .execute()
            .map_err(|e| query_error(e, timeout))
    }

    /// Runs a SELECT query and collects its rows (for exports and stats).
    pub fn select(&self, iris: &Iris, query: &str) -> Result<Vec<Vec<Option<Term>>>, StoreError> {
        match self.query(iris, query, None)? {
            QueryResults::Solutions(solutions) => {
                let mut rows = Vec::new();
                for s in solutions {
                    let s = s.map_err(|e| query_error(e, None))?;
                    rows.push(s.values().to_vec());
                }
                Ok(rows)
            }
            _ => Err(StoreError::Query("expected a SELECT query".into())),
        }
    }

    /// Writes the whole store (default graph for graph-only formats).
    pub fn dump(
        &self,
        iris: &Iris,
        format: RdfFormat,
        out: &mut dyn Write,
    ) -> Result<(), StoreError> {
        let mut ser = RdfSerializer::from_format(format);
        if format != RdfFormat::NTriples && format != RdfFormat::NQuads {
            for (p, ns) in rdf::prefixes(iris) {
                ser = ser.with_prefix(p, ns).expect("built-in prefixes are valid");
            }
        }
        // Sorted output: deterministic diffs whatever the storage order.
        let mut quads: Vec<Quad> = if format.supports_datasets() {
            self.inner.iter().collect::<Result<_, _>>()?
        } else {
            self.inner
                .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
                .collect::<Result<_, _>>()?
        };
        quads.sort_by_cached_key(quad_key);
        let mut w = ser.for_writer(out);
        for q in &quads {
            w.serialize_quad(q)?;
        }
        w.finish()?;
        Ok(())
    }
}

/// Table bytes up to which a store is merged whole after a bulk-loading run (see
/// [`Store::needs_merge`]): the budget of RocksDB's first level below level 0 as
/// Oxigraph configures it. Up to it, merging level 0 rewrites the whole store
/// anyway (keys are hashes, so every new file overlaps every old one); beyond it,
/// RocksDB's own merges touch one level at a time and are cheaper than a full one.
const MERGE_WHOLE_STORE_BYTES: u64 = 512 << 20;

/// Whether a run should merge RocksDB's table files before it returns (see
/// [`Store::needs_merge`]): it bulk-loaded something and the store is small enough
/// for a full merge to cost what RocksDB's own would.
fn merges_after(bytes_after: u64, bulk_commits: usize) -> bool {
    bulk_commits > 0 && bytes_after <= MERGE_WHOLE_STORE_BYTES
}

/// Deletes the files of bulk loads that never committed. A bulk load writes its data
/// as `bulk-*.sst` files in the store directory and hands them to RocksDB only at
/// its commit; a process killed before that (Ctrl-C, a crash) leaves them behind,
/// invisible to queries but taking disk space (a default-sized load is gigabytes).
/// Called after a read-write open, which holds RocksDB's lock: no live process can
/// be writing such a file then.
fn remove_orphan_bulk_files(dir: &Path) -> Result<(), StoreError> {
    let io_error = |e: std::io::Error| StoreError::Open {
        path: dir.to_path_buf(),
        message: format!("cannot remove an unfinished bulk-load file: {e}"),
    };
    for entry in fs::read_dir(dir).map_err(io_error)? {
        let entry = entry.map_err(io_error)?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("bulk-") && name.ends_with(".sst") {
            fs::remove_file(entry.path()).map_err(io_error)?;
        }
    }
    Ok(())
}

/// Store files RocksDB keeps open in a read-write store. Every open file keeps its
/// index blocks in memory (about 1% of its size), so with RocksDB's default (as
/// many files as the process may open) an ingest's memory grows with the store:
/// 1 GB of text makes a store of about 40 GB. A read of a file that is not open
/// reopens it.
#[cfg(feature = "rocksdb")]
const MAX_OPEN_FILES: u32 = 200;

#[cfg(feature = "rocksdb")]
fn open_on_disk(path: &Path, mode: Mode) -> Result<OxStore, StoreError> {
    let opened = match mode {
        Mode::ReadOnly => OxStore::open_read_only(path),
        Mode::ReadWrite => OxStore::open_with_options(
            path,
            oxigraph::store::StoreOptions::default().with_max_open_files(MAX_OPEN_FILES),
        ),
    };
    opened.map_err(|e| classify_open_error(path, e))
}

#[cfg(not(feature = "rocksdb"))]
fn open_on_disk(path: &Path, _mode: Mode) -> Result<OxStore, StoreError> {
    Err(StoreError::Open {
        path: path.to_path_buf(),
        message: "this kg was built without on-disk storage (feature `rocksdb`); use --memory"
            .into(),
    })
}

/// The default-graph quads of a transaction that match a pattern.
fn matching(
    tx: &oxigraph::store::Transaction<'_>,
    s: Option<NamedOrBlankNodeRef<'_>>,
    p: Option<NamedNodeRef<'_>>,
    o: Option<TermRef<'_>>,
) -> Result<Vec<Quad>, StorageError> {
    tx.quads_for_pattern(s, p, o, Some(GraphNameRef::DefaultGraph))
        .collect()
}

/// Whether a default-graph quad of a transaction matches a pattern.
fn exists(
    tx: &oxigraph::store::Transaction<'_>,
    s: Option<NamedOrBlankNodeRef<'_>>,
    p: Option<NamedNodeRef<'_>>,
    o: Option<TermRef<'_>>,
) -> bool {
    tx.quads_for_pattern(s, p, o, Some(GraphNameRef::DefaultGraph))
        .next()
        .is_some()
}

fn quad_key(q: &Quad) -> (String, String, String, String) {
    (
        q.graph_name.to_string(),
        q.subject.to_string(),
        q.predicate.to_string(),
        q.object.to_string(),
    )
}

fn query_error(e: oxigraph::sparql::QueryEvaluationError, timeout: Option<Duration>) -> StoreError {
    let msg = e.to_string();
    match timeout {
        Some(t) if msg.to_lowercase().contains("cancel") => StoreError::Timeout(t),
        _ => StoreError::Query(msg),
    }
}

#[cfg_attr(not(feature = "rocksdb"), allow(dead_code))]
fn classify_open_error(path: &Path, e: StorageError) -> StoreError {
    let msg = e.to_string();
    let lower = msg.to_lowercase();
    if lower.contains("lock") {
        StoreError::InUse(path.to_path_buf())
    } else if lower.contains("read-only file system") || lower.contains("permission denied") {
        StoreError::Open {
            path: path.to_path_buf(),
            message: "the directory is not writable".into(),
        }
    } else {
        StoreError::Open {
            path: path.to_path_buf(),
            message: first_line(&msg),
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_owned()
}

/// Turns a parser error into `file:line:column: message` (1-based, as editors count).
fn parse_error(file: &str, bytes: &[u8], s: RdfSyntaxError) -> StoreError {
    let (line, column) = match s.location() {
        Some(r) => (r.start.line + 1, r.start.column + 1),
        None => (0, 0),
    };
    let mut message = first_line(&s.to_string());
    if std::str::from_utf8(bytes).is_err() && !message.to_lowercase().contains("utf") {
        message.push_str(" (the file is not valid UTF-8 text)");
    }
    StoreError::Syntax {
        file: file.to_owned(),
        line,
        column,
        message,
    }
}

/// The RDF format a file name implies.
pub fn format_from_extension(path: &Path) -> Option<RdfFormat> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    RdfFormat::from_extension(&ext)
}

/// An RDF format by the names `--format` accepts.
pub fn format_from_name(name: &str) -> Option<RdfFormat> {
    match name.to_ascii_lowercase().as_str() {
        "ttl" | "turtle" => Some(RdfFormat::Turtle),
        "nt" | "ntriples" | "n-triples" => Some(RdfFormat::NTriples),
        "nq" | "nquads" | "n-quads" => Some(RdfFormat::NQuads),
        "trig" => Some(RdfFormat::TriG),
        "rdf" | "xml" | "rdfxml" | "rdf/xml" => Some(RdfFormat::RdfXml),
        "jsonld" | "json-ld" => Some(RdfFormat::JsonLd {
            profile: Default::default(),
        }),
        "n3" => Some(RdfFormat::N3),
        _ => None,
    }
}

/// A shared counter for bulk-load progress callbacks.
pub fn progress_counter() -> (Arc<AtomicU64>, impl Fn(u64) + Send + Sync + 'static) {
    let counter = Arc::new(AtomicU64::new(0));
    let c = Arc::clone(&counter);
    (counter, move |n| c.store(n, Ordering::Relaxed))
}

/// Literal helper for callers that build small fixture graphs.
pub fn literal(value: &str) -> Literal {
    Literal::new_simple_literal(value)
}

/// The named graph where a bulk load's commit lists the entity type triples it
/// replaced, until they are removed (see [`BulkLoad`]). Empty except after a commit
/// interrupted between its two steps; SPARQL's default graph never includes it.
pub const RETYPE_JOURNAL: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("urn:kg:retype-journal");

/// An open bulk load of documents the store does not hold yet (see
/// [`Store::bulk_load`]). The result is what `Store::replace_document` on each
/// document in turn would write, but several times faster: the bulk loader sorts
/// each batch and writes it as table files, where a transaction inserts quad by
/// quad into RocksDB's memtables. Keeping one load open over many batches matters
/// as much: every commit adds a table file per index, and RocksDB merges files
/// (compaction, on its own threads) as soon as two pile up, rewriting what earlier
/// commits wrote; one commit per 32-document batch spent about a seventh of an
/// ingest's CPU time merging (measured).
///
/// A bulk load can only add, but a document can change the type of an entity the
/// store already has (`replace_document` removes the old type). The commit therefore
/// has two steps: the bulk load writes, atomically with everything else, each stale
/// type triple into a journal graph ([`RETYPE_JOURNAL`]); one transaction then removes
/// the stale triples and the journal. If the process stops between the two, the next
/// read-write open finishes the second step ([`Store::open`]). Declining such
/// batches instead (a commit and one transaction per document) made a corpus with
/// type disagreements between documents three times slower and filled RocksDB's
/// memtables (measured on 50 MB of UD documents).
pub struct BulkLoad<'a> {
    store: &'a Store,
    loader: oxigraph::store::BulkLoader<'a>,
    /// Per entity of this load, its type so far (a later document's replaces an
    /// earlier one's, as in sequence); written at the commit.
    types: BTreeMap<NamedNode, NamedNode>,
    /// Per entity, its labels so far: the store's, then each document's in turn.
    labels: BTreeMap<NamedNode, BTreeSet<String>>,
    quads: usize,
}

impl BulkLoad<'_> {
    /// Adds a batch of new documents (visible at the commit).
    pub fn add(&mut self, docs: &[&DocumentQuads]) -> Result<(), StoreError> {
        let store = self.store;
        let about = |e: &NamedNode, p: NamedNodeRef<'_>| {
            store.inner.quads_for_pattern(
                Some(e.as_ref().into()),
                Some(p),
                None,
                Some(GraphNameRef::DefaultGraph),
            )
        };
        let summaries: Vec<MentionSummary> = docs.iter().map(|d| MentionSummary::of(d)).collect();
        let mut quads: Vec<Quad> = Vec::new();
        for (new, summary) in docs.iter().zip(summaries) {
            quads.extend(new.quads.iter().cloned());
            quads.extend(new.asserted.iter().cloned());
            quads.extend(new.relations.iter().cloned());
            for e in &new.entities {
                quads.push(Quad::new(
                    e.iri.clone(),
                    rdfs::LABEL,
                    rdf::label_literal(&e.label),
                    GraphName::DefaultGraph,
                ));
                if let Some(same) = &e.same_as {
                    quads.push(Quad::new(
                        e.iri.clone(),
                        term::OWL_SAME_AS,
                        same.clone(),
                        GraphName::DefaultGraph,
                    ));
                }
                if !self.labels.contains_key(&e.iri) {
                    let stored = labels_of(about(&e.iri, rdfs::LABEL))?;
                    self.labels.insert(e.iri.clone(), stored);
                }
                if let Some(l) = self.labels.get_mut(&e.iri) {
                    l.insert(e.label.clone());
                }
            }
            for (e, a) in summary.names {
                if !self.labels.contains_key(&e) {
                    let stored = labels_of(about(&e, rdfs::LABEL))?;
                    self.labels.insert(e.clone(), stored);
                }
                if self.labels.get(&e).is_some_and(|l| !l.contains(&a)) {
                    quads.push(Quad::new(
                        e,
                        term::SCHEMA_ALTERNATE_NAME,
                        rdf::label_literal(&a),
                        GraphName::DefaultGraph,
                    ));
                }
            }
            self.types.extend(summary.types);
        }
        self.quads += quads.len();
        self.loader.load_quads(quads)?;
        Ok(())
    }

    /// Quads added so far (not counting the entity types written at the commit).
    pub fn len(&self) -> usize {
        self.quads
    }

    pub fn is_empty(&self) -> bool {
        self.quads == 0
    }

    /// Writes the entity types and makes everything added visible at once; then
    /// removes the types this load replaced (see [`BulkLoad`]).
    pub fn commit(mut self) -> Result<(), StoreError> {
        let types = std::mem::take(&mut self.types);
        let mut quads: Vec<Quad> = Vec::with_capacity(types.len());
        let mut retyped = false;
        for (e, class) in types {
            for q in self.store.inner.quads_for_pattern(
                Some(e.as_ref().into()),
                Some(rdfv::TYPE),
                None,
                Some(GraphNameRef::DefaultGraph),
            ) {
                let q = q?;
                if q.object.as_ref() != TermRef::from(class.as_ref()) {
                    quads.push(Quad::new(
                        q.subject,
                        q.predicate,
                        q.object,
                        RETYPE_JOURNAL.into_owned(),
                    ));
                    retyped = true;
                }
            }
            quads.push(Quad::new(e, rdfv::TYPE, class, GraphName::DefaultGraph));
        }
        self.loader.load_quads(quads)?;
        self.loader.commit()?;
        if retyped {
            self.store.finish_retypes()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kg::{CharSpan, Document, DocumentGraph, Entity, EntityType, Fact, Mention};

    fn graph(text: &str, facts: &[(&str, &str, &str)]) -> DocumentGraph {
        let mut g = DocumentGraph {
            document: Document {
                text: text.to_owned(),
                ..Default::default()
            },
            sentences: vec![CharSpan {
                begin: 0,
                end: text.chars().count(),
            }],
            ..Default::default()
        };
        let index = |name: &str, g: &mut DocumentGraph| -> usize {
            if let Some(i) = g.entities.iter().position(|e| e.name == name) {
                return i;
            }
            g.entities.push(Entity {
                name: name.to_owned(),
                kind: EntityType::Person,
                same_as: None,
            });
            let begin = text
                .find(name)
                .map(|b| text[..b].chars().count())
                .unwrap_or(0);
            g.mentions.push(Mention {
                span: CharSpan {
                    begin,
                    end: begin + name.chars().count(),
                },
                entity: g.entities.len() - 1,
            });
            g.entities.len() - 1
        };
        for (s, p, o) in facts {
            let s = index(s, &mut g);
            let o = index(o, &mut g);
            g.facts.push(Fact {
                subject: s,
                relation: (*p).to_owned(),
                object: o,
                sentence: 0,
                confidence: 0.8,
                surface: String::new(),
                qualifiers: Default::default(),
            });
        }
        g
    }

    fn count(store: &Store, iris: &Iris, q: &str) -> usize {
        store.select(iris, q).unwrap().len()
    }

    #[test]
    fn reingest_is_idempotent() {
        let iris = Iris::default();
        let store = Store::memory().unwrap();
        let g = graph("Ann thanked Bob.", &[("Ann", "thank", "Bob")]);
        let dq = rdf::document_quads(&iris, &g, None).unwrap();
        store.replace_document(&iris, &dq).unwrap();
        let n = store.len().unwrap();
        store.replace_document(&iris, &dq).unwrap();
        assert_eq!(store.len().unwrap(), n);
        assert_eq!(count(&store, &iris, "SELECT * { ?s rel:thank ?o }"), 1);
    }

    #[test]
    fn shared_triples_survive_until_their_last_evidence_goes() {
        let iris = Iris::default();
        let store = Store::memory().unwrap();
        let a = graph("Ann thanked Bob.", &[("Ann", "thank", "Bob")]);
        let b = graph("Ann thanked Bob again.", &[("Ann", "thank", "Bob")]);
        for g in [&a, &b] {
            store
                .replace_document(&iris, &rdf::document_quads(&iris, g, None).unwrap())
                .unwrap();
        }
        assert_eq!(
            count(&store, &iris, "SELECT * { ?f rdf:predicate rel:thank }"),
            2
        );
        // Document b now says something else: its evidence goes, a's stays.
        let b2 = DocumentGraph {
            document: b.document.clone(),
            sentences: b.sentences.clone(),
            entities: b.entities.clone(),
            mentions: b.mentions.clone(),
            facts: vec![],
        };
        store
            .replace_document(&iris, &rdf::document_quads(&iris, &b2, None).unwrap())
            .unwrap();
        assert_eq!(count(&store, &iris, "SELECT * { ?s rel:thank ?o }"), 1);
        // And when a goes too, the asserted triple and the relation go.
        let a2 = DocumentGraph {
            facts: vec![],
            ..a.clone()
        };
        store
            .replace_document(&iris, &rdf::document_quads(&iris, &a2, None).unwrap())
            .unwrap();
        assert_eq!(count(&store, &iris, "SELECT * { ?s rel:thank ?o }"), 0);
        assert_eq!(count(&store, &iris, "SELECT * { rel:thank ?p ?o }"), 0);
    }

    /// Every quad of a store, as sorted N-Quads lines.
    fn contents(store: &Store) -> Vec<String> {
        let mut v: Vec<String> = store.inner.iter().map(|q| q.unwrap().to_string()).collect();
        v.sort();
        v
    }

    /// Documents sharing entities under other names and other types, as a batch.
    fn batch() -> Vec<DocumentGraph> {
        let a = graph("Ann Lee thanked Bob.", &[("Ann Lee", "thank", "Bob")]);
        let mut b = graph("Lee met Bob.", &[("Ann Lee", "meet", "Bob")]);
        b.mentions[0].span = CharSpan { begin: 0, end: 3 };
        // c calls Bob an organisation twice and a person once: c's type wins
        let mut c = graph(
            "Bob hired Cy. Bob paid Cy. Bob left.",
            &[("Bob", "hire", "Cy"), ("Bob", "pay", "Cy")],
        );
        c.entities[0].kind = EntityType::Organization;
        c.mentions.push(Mention {
            span: CharSpan { begin: 14, end: 17 },
            entity: 0,
        });
        c.mentions.push(Mention {
            span: CharSpan { begin: 27, end: 30 },
            entity: 0,
        });
        vec![a, b, c]
    }

    /// `batch()` as quads, and a store holding them written one transaction each (the
    /// reference a bulk load must equal).
    fn batch_written_one_by_one() -> (Iris, Vec<DocumentQuads>, Store) {
        let iris = Iris::default();
        let docs: Vec<DocumentQuads> = batch()
            .iter()
            .map(|g| rdf::document_quads(&iris, g, None).unwrap())
            .collect();
        let one_by_one = Store::memory().unwrap();
        for d in &docs {
            one_by_one.replace_document(&iris, d).unwrap();
        }
        (iris, docs, one_by_one)
    }

    #[test]
    fn a_bulk_batch_writes_what_transactions_in_turn_write() {
        let (iris, docs, one_by_one) = batch_written_one_by_one();
        let bulk = Store::memory().unwrap();
        let refs: Vec<&DocumentQuads> = docs.iter().collect();
        bulk.add_new_documents(&refs).unwrap();
        assert_eq!(contents(&bulk), contents(&one_by_one));
        // and on top of a store that already knows the entities (same types), with
        // the retyping document written after it
        let on_top = Store::memory().unwrap();
        on_top.replace_document(&iris, refs[0]).unwrap();
        on_top.add_new_documents(&refs[1..2]).unwrap();
        on_top.replace_document(&iris, refs[2]).unwrap();
        assert_eq!(contents(&on_top), contents(&one_by_one));
    }

    #[test]
    fn one_bulk_load_over_several_batches_writes_what_transactions_write() {
        let (iris, docs, one_by_one) = batch_written_one_by_one();
        // one batch per document, a single commit: c retypes Bob inside the load
        let store = Store::memory().unwrap();
        let mut load = store.bulk_load();
        for d in &docs {
            load.add(&[d]).unwrap();
        }
        assert!(
            contents(&store).is_empty(),
            "nothing is visible before the commit"
        );
        load.commit().unwrap();
        assert_eq!(contents(&store), contents(&one_by_one));
        // c retypes the stored Bob: the commit replaces his type, as a transaction
        // would, and leaves no journal behind
        let store = Store::memory().unwrap();
        store.replace_document(&iris, &docs[0]).unwrap(); // Bob is a person here
        let mut load = store.bulk_load();
        load.add(&[&docs[1]]).unwrap();
        load.add(&[&docs[2]]).unwrap();
        load.commit().unwrap();
        assert_eq!(contents(&store), contents(&one_by_one));
        assert_eq!(journal_len(&store), 0);
        // dropped without a commit, a load writes nothing
        let store = Store::memory().unwrap();
        let mut load = store.bulk_load();
        load.add(&[&docs[0]]).unwrap();
        drop(load);
        assert!(contents(&store).is_empty());
    }

    fn journal_len(store: &Store) -> usize {
        store
            .inner
            .quads_for_pattern(None, None, None, Some(RETYPE_JOURNAL.into()))
            .count()
    }

    /// A fresh on-disk store in a directory of its own, or `None` when kg is built
    /// without on-disk storage.
    fn fresh_disk_store(name: &str) -> Option<(PathBuf, Store)> {
        let dir = std::env::temp_dir().join(format!("kg-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let store = Store::open(&dir, Mode::ReadWrite).ok()?;
        Some((dir, store))
    }

    #[test]
    fn a_retyping_bulk_commit_interrupted_after_its_first_step_is_finished_on_open() {
        let (iris, docs, one_by_one) = batch_written_one_by_one();
        let Some((dir, store)) = fresh_disk_store("retype") else {
            return;
        };
        store.replace_document(&iris, &docs[0]).unwrap(); // Bob is a person here
        store.replace_document(&iris, &docs[1]).unwrap();
        // the first step of c's bulk commit: its quads, the new type and the
        // journal entry of the old one, without the transaction that follows
        let old: Vec<Quad> = store
            .inner
            .quads_for_pattern(
                None,
                Some(rdfv::TYPE),
                None,
                Some(GraphNameRef::DefaultGraph),
            )
            .collect::<Result<_, _>>()
            .unwrap();
        store.add_new_documents(&[&docs[2]]).unwrap();
        let retyped: Vec<Quad> = old
            .into_iter()
            .filter(|q| !store.inner.contains(q).unwrap())
            .collect();
        assert!(!retyped.is_empty(), "c retypes Bob");
        for q in &retyped {
            store.inner.insert(q).unwrap();
            let j = Quad::new(
                q.subject.clone(),
                q.predicate.clone(),
                q.object.clone(),
                RETYPE_JOURNAL.into_owned(),
            );
            store.inner.insert(&j).unwrap();
        }
        assert_ne!(contents(&store), contents(&one_by_one));
        drop(store);
        let store = Store::open(&dir, Mode::ReadWrite).unwrap();
        assert_eq!(contents(&store), contents(&one_by_one));
        assert_eq!(journal_len(&store), 0);
        drop(store);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_bulk_loading_run_on_a_small_store_merges_its_table_files() {
        assert!(merges_after(10, 1), "a first load");
        assert!(merges_after(MERGE_WHOLE_STORE_BYTES, 3));
        assert!(
            !merges_after(MERGE_WHOLE_STORE_BYTES + 1, 1),
            "a large store"
        );
        assert!(!merges_after(10, 0), "no bulk load: transactions only");
        let (_, docs, one_by_one) = batch_written_one_by_one();
        let Some((dir, store)) = fresh_disk_store("settle") else {
            return;
        };
        let tables = || {
            fs::read_dir(&dir)
                .unwrap()
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".sst"))
                .count()
        };
        let mut load = store.bulk_load();
        for d in &docs {
            load.add(&[d]).unwrap(); // a table file per index each
        }
        load.commit().unwrap();
        assert!(store.needs_merge(1));
        store.merge_tables().unwrap();
        // one file per index that holds anything: id2str, the three triple indexes
        // (no named graphs here), and the default column family's version record
        assert_eq!(tables(), 5);
        assert_eq!(contents(&store), contents(&one_by_one));
        drop(store);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_read_write_open_removes_the_files_of_bulk_loads_that_never_committed() {
        let (iris, docs, _) = batch_written_one_by_one();
        let Some((dir, store)) = fresh_disk_store("orphans") else {
            return;
        };
        store.replace_document(&iris, &docs[0]).unwrap();
        let before = contents(&store);
        drop(store);
        // what a bulk load killed before its commit leaves (oxigraph's file naming)
        let orphan = dir.join("bulk-123456789.sst");
        fs::write(&orphan, b"not committed").unwrap();
        let read_only = Store::open(&dir, Mode::ReadOnly).unwrap();
        assert!(orphan.exists(), "a read-only open changes nothing");
        drop(read_only);
        let store = Store::open(&dir, Mode::ReadWrite).unwrap();
        assert!(!orphan.exists());
        assert_eq!(contents(&store), before);
        drop(store);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn alternate_names_accumulate_across_documents() {
        let iris = Iris::default();
        let store = Store::memory().unwrap();
        let mut a = graph("Ann Lee thanked Bob.", &[("Ann Lee", "thank", "Bob")]);
        let mut b = graph("Lee thanked Bob.", &[("Ann Lee", "thank", "Bob")]);
        // In b the mention of "Ann Lee" is the surname only.
        b.mentions[0].span = CharSpan { begin: 0, end: 3 };
        a.document.url = Some("https://example.org/a".into());
        for g in [&a, &b] {
            store
                .replace_document(&iris, &rdf::document_quads(&iris, g, None).unwrap())
                .unwrap();
        }
        let rows = store
            .select(&iris, "SELECT ?n { ent:Ann_Lee schema:alternateName ?n }")
            .unwrap();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(
            count(
                &store,
                &iris,
                "SELECT * { ent:Ann_Lee a schema:Person; rdfs:label \"Ann Lee\"@en }"
            ),
            1
        );
    }

    #[test]
    fn names_and_entities_only_an_old_version_had_go() {
        let iris = Iris::default();
        let store = Store::memory().unwrap();
        let mut a = graph("Lee thanked Bob.", &[("Ann Lee", "thank", "Bob")]);
        a.mentions[0].span = CharSpan { begin: 0, end: 3 };
        let other = graph("Lee met Bob.", &[("Ann Lee", "meet", "Bob")]);
        let mut other = other;
        other.mentions[0].span = CharSpan { begin: 0, end: 3 };
        for g in [&a, &other] {
            store
                .replace_document(&iris, &rdf::document_quads(&iris, g, None).unwrap())
                .unwrap();
        }
        let names = |s: &Store| {
            s.select(&iris, "SELECT ?n { ent:Ann_Lee schema:alternateName ?n }")
                .unwrap()
                .len()
        };
        assert_eq!(names(&store), 1, "\"Lee\" from both documents");
        // a's new version calls Bob "Bobby" and drops Ann Lee: "Lee" stays (other
        // still says it), Bob keeps existing, and nothing about Ann Lee is lost.
        let a2 = graph("Bobby slept.", &[]);
        let mut a2 = a2;
        a2.document = a.document.clone();
        store
            .replace_document(&iris, &rdf::document_quads(&iris, &a2, None).unwrap())
            .unwrap();
        assert_eq!(names(&store), 1);
        // When the other document goes too, Ann Lee has no mention left: her node goes.
        let gone = DocumentGraph {
            facts: vec![],
            mentions: vec![],
            entities: vec![],
            ..other.clone()
        };
        store
            .replace_document(&iris, &rdf::document_quads(&iris, &gone, None).unwrap())
            .unwrap();
        assert_eq!(names(&store), 0);
        assert_eq!(count(&store, &iris, "SELECT * { ent:Ann_Lee ?p ?o }"), 0);
    }

    #[test]
    fn query_syntax_errors_are_reported() {
        let iris = Iris::default();
        let store = Store::memory().unwrap();
        let Err(err) = store.query(&iris, "SELEC * {", None) else {
            panic!("a bad query must fail");
        };
        assert!(matches!(err, StoreError::QuerySyntax(_)), "{err}");
    }

    #[test]
    fn formats_resolve() {
        assert_eq!(
            format_from_extension(Path::new("a.TTL")),
            Some(RdfFormat::Turtle)
        );
        assert_eq!(format_from_name("nq"), Some(RdfFormat::NQuads));
        assert!(format_from_name("docx").is_none());
    }
}
