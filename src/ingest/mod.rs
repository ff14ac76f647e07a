//! The pipeline joined: raw documents → analysis → entities → propositions →
//! the kg model → the store, in parallel, written in input order.
//!
//! `Pipeline::process` is a pure function of a document (no store), so the same
//! code backs `kg ingest` (which writes each result in one transaction) and
//! `kg extract` (a stream filter for batch engines).

pub mod dates;
pub mod graph;
pub mod input;

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

/// File names inside the models directory.
pub const PARSER_FILE: &str = "parser.bin";
pub const NER_FILE: &str = "ner.bin";

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

impl Pipeline {
    /// Loads the models from `{data}/models` and the gazetteer from `{data}/gazetteer`.
    pub fn load(data: &Path) -> Result<Pipeline, LoadError> {
        let models = data.join("models");
        let analyzer =
            Analyzer::load(&models).map_err(|e| load_err("the tagger and lemmatizer", &models, e))?;
        let parser_path = models.join(PARSER_FILE);
        let parser = Parser::load(&parser_path).map_err(|e| load_err("the parser", &parser_path, e))?;
        let ner_path = models.join(NER_FILE);
        let ner = Ner::load(&ner_path).map_err(|e| load_err("the entity recognizer", &ner_path, e))?;
        let gaz_dir = data.join("gazetteer");
        let gazetteer =
            Gazetteer::load(&gaz_dir).map_err(|e| load_err("the gazetteer", &gaz_dir, e))?;
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        for f in [
            crate::nlp::pipeline::TAGGER_FILE,
            crate::nlp::pipeline::LEMMA_FILE,
            PARSER_FILE,
            NER_FILE,
        ] {
            let bytes = std::fs::read(models.join(f)).map_err(|e| load_err("a model", &models.join(f), e))?;
            h.update(Sha256::digest(&bytes));
        }
        let fingerprint: String = h.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect();
        Ok(Pipeline {
            analyzer,
            parser,
            ner,
            gazetteer,
            fingerprint,
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
        let ner: Vec<_> = sentences.iter().map(|s| self.ner.tag(&s.sentence)).collect();
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
        let tokens = sentences.iter().map(|s| s.sentence.words.len()).sum();
        let graph = graph::build(&raw.document, &doc, &sentences, &resolution, &propositions, options);
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
