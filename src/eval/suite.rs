//! The evaluations `make eval` runs, as library functions: the pipeline on a
//! benchmark, then the benchmark's own scorer.

use std::path::Path;

use crate::eval::carb::{self, CarbScores, Extraction, SystemSet};
use crate::eval::ud::{self, UdScores};
use crate::ingest::{Options, Pipeline, RawDoc};
use crate::kg::Document;
use crate::nlp::conllu::{Sentence, Word};
use crate::text::Doc;

/// An evaluation that could not run.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    #[error("{0}")]
    Conllu(#[from] crate::nlp::conllu::ConlluError),
    #[error("{0}")]
    Ud(#[from] ud::UdEvalError),
    #[error("{0}")]
    Carb(#[from] carb::CarbError),
    #[error("{0}")]
    Gold(#[from] crate::eval::sample::GoldError),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

/// The sample article through the whole pipeline, compared with its gold file.
pub fn sample(
    pipeline: &Pipeline,
    article: &Path,
    gold: &Path,
) -> Result<crate::eval::sample::SampleReport, SuiteError> {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|e| SuiteError::Io {
            path: p.display().to_string(),
            message: e.to_string(),
        })
    };
    let gold_text = String::from_utf8_lossy(&read(gold)?).into_owned();
    let gold = crate::eval::sample::parse_gold(&gold_text, &gold.display().to_string())?;
    let raw = crate::ingest::input::text_document(&article.display().to_string(), &read(article)?)
        .map_err(|e| SuiteError::Io {
            path: article.display().to_string(),
            message: e.to_string(),
        })?;
    let processed = pipeline.process(&raw, &Options::default());
    Ok(crate::eval::sample::compare(&processed.graph, &gold))
}

/// The raw text of a treebank: sentences' `# text` joined by spaces, documents
/// and paragraphs separated by blank lines (what a user would have given kg).
pub fn raw_text(gold: &[Sentence]) -> String {
    let mut text = String::new();
    for s in gold {
        let new_block = s
            .comments
            .iter()
            .any(|c| c.starts_with("newdoc") || c.starts_with("newpar"));
        if !text.is_empty() {
            text.push_str(if new_block { "\n\n" } else { " " });
        }
        match s.text() {
            Some(t) => text.push_str(t),
            None => text.push_str(&s.reconstruct_text()),
        }
    }
    text
}

/// UD metrics from raw text: kg tokenizes, splits, tags, lemmatizes and parses.
pub fn ud_from_raw(pipeline: &Pipeline, gold: &[Sentence]) -> Result<UdScores, SuiteError> {
    let doc = Doc::new(raw_text(gold));
    let system: Vec<Sentence> = pipeline
        .analyze(&doc)
        .into_iter()
        .map(|a| a.sentence)
        .collect();
    Ok(ud::evaluate(gold, &system)?)
}

/// UD metrics from gold tokens: kg tags, lemmatizes and parses the gold words.
pub fn ud_from_gold_tokens(pipeline: &Pipeline, gold: &[Sentence]) -> Result<UdScores, SuiteError> {
    let system: Vec<Sentence> = gold
        .iter()
        .map(|g| {
            let mut s = Sentence {
                comments: g.comments.clone(),
                multiword: g.multiword.clone(),
                words: g
                    .words
                    .iter()
                    .map(|w| {
                        let mut n = Word::new(w.id, w.form.clone());
                        n.misc = w.misc.clone();
                        n
                    })
                    .collect(),
            };
            pipeline.analyzer.analyze_conllu(&mut s);
            pipeline.parser.parse(&mut s);
            s
        })
        .collect();
    Ok(ud::evaluate(gold, &system)?)
}

/// Runs extraction on a one-sentence-per-line file; returns the system set in
/// the CaRB format (sentence column verbatim).
pub fn carb_system(pipeline: &Pipeline, sentences: &Path) -> Result<SystemSet, SuiteError> {
    let text = std::fs::read_to_string(sentences).map_err(|e| SuiteError::Io {
        path: sentences.display().to_string(),
        message: e.to_string(),
    })?;
    let mut raw = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let doc = RawDoc {
            origin: sentences.display().to_string(),
            document: Document {
                text: line.to_owned(),
                ..Default::default()
            },
            warnings: Vec::new(),
            input_end: 0,
        };
        let p = pipeline.process(
            &doc,
            &Options {
                lines: true,
                ..Default::default()
            },
        );
        let mut exs = Vec::new();
        for props in &p.propositions {
            for prop in props {
                exs.push(Extraction {
                    relation: prop.surface.relation.clone(),
                    args: prop.surface.args.iter().map(|a| a.text.clone()).collect(),
                    confidence: prop.confidence,
                });
            }
        }
        raw.push((line.to_owned(), exs));
    }
    Ok(SystemSet::from_raw(raw))
}

/// CaRB scores of kg's extractions, and of the same extractions with a constant
/// confidence (the baseline the confidence ranking must beat on AUC).
pub fn carb(
    pipeline: &Pipeline,
    sentences: &Path,
    gold: &Path,
) -> Result<(CarbScores, CarbScores), SuiteError> {
    let gold = carb::read_gold(gold)?;
    let system = carb_system(pipeline, sentences)?;
    let scores = carb::score(&gold, &system);
    let constant = carb::score(&gold, &carb::with_constant_confidence(&system));
    Ok((scores, constant))
}
