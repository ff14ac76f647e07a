//! `kg train`: every shipped model rebuilt from the treebanks, deterministically
//! (fixed seeds, no hash-order dependence), with the settings the model cards record.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::conllu::{self, Sentence};
use super::gazetteer::Gazetteer;
use super::lemma::Lemmatizer;
use super::ner::{self, Ner};
use super::parser::{self, Parser};
use super::tagger::Tagger;

/// Which models to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    /// Tagger and lemmatizer.
    Tagger,
    /// Dependency parser, on jack-knifed tags.
    Parser,
    /// Named-entity recognizer.
    Ner,
}

/// Where the data comes from and where the models go.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Directory with `en_ewt-ud-{train,dev}.conllu` and `en_gum-ud-{train,dev}.conllu`.
    pub ud: PathBuf,
    /// Output directory (`data/models`).
    pub out: PathBuf,
    /// The gazetteer directory (NER features).
    pub gazetteer: PathBuf,
    /// Folds for jack-knifed parser training tags.
    pub folds: usize,
}

/// A training run that could not finish.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("{path}: {source}")]
    Treebank {
        path: String,
        source: conllu::ConlluError,
    },
    #[error("{0}")]
    Gazetteer(#[from] super::gazetteer::GazetteerError),
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
}

fn read(dir: &Path, name: &str) -> Result<Vec<Sentence>, TrainError> {
    let path = dir.join(name);
    conllu::read_file(&path).map_err(|source| TrainError::Treebank {
        path: path.display().to_string(),
        source,
    })
}

fn written(path: &Path, r: Result<(), impl std::fmt::Display>) -> Result<(), TrainError> {
    r.map_err(|e| TrainError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Trains the requested components; `log` receives one line per step.
pub fn train(
    cfg: &TrainConfig,
    components: &[Component],
    log: &mut dyn FnMut(String),
) -> Result<(), TrainError> {
    let ewt_train = read(&cfg.ud, "en_ewt-ud-train.conllu")?;
    let gum_train = read(&cfg.ud, "en_gum-ud-train.conllu")?;
    let ewt_dev = read(&cfg.ud, "en_ewt-ud-dev.conllu")?;
    let gum_dev = read(&cfg.ud, "en_gum-ud-dev.conllu")?;
    let train: Vec<Sentence> = ewt_train.iter().chain(&gum_train).cloned().collect();
    let dev: Vec<Sentence> = ewt_dev.iter().chain(&gum_dev).cloned().collect();
    std::fs::create_dir_all(&cfg.out).map_err(|e| TrainError::Write {
        path: cfg.out.display().to_string(),
        message: e.to_string(),
    })?;

    // The shipped tagger, as the Tagger branch writes it (the Parser branch retrains it
    // when it was not trained in this run: deterministic, so identical to `tagger.bin`).
    let mut shipped_tagger: Option<Tagger> = None;
    if components.contains(&Component::Tagger) {
        let t = Instant::now();
        let tagger = Tagger::train(&train, &dev, 1);
        let path = cfg.out.join(super::pipeline::TAGGER_FILE);
        written(&path, tagger.save(&path))?;
        log(format!(
            "tagger: {} ({:.0}s)",
            path.display(),
            t.elapsed().as_secs_f64()
        ));
        let t = Instant::now();
        let lemmatizer = Lemmatizer::train_weighted(&[(&ewt_train, 2), (&gum_train, 1)]);
        let path = cfg.out.join(super::pipeline::LEMMA_FILE);
        written(&path, lemmatizer.save(&path))?;
        log(format!(
            "lemmatizer: {} ({:.0}s)",
            path.display(),
            t.elapsed().as_secs_f64()
        ));
        shipped_tagger = Some(tagger);
    }

    // The jack-knifed, lemmatized EWT+GUM train of the parser branch, kept for NER.
    let mut jackknifed: Option<Vec<Sentence>> = None;
    if components.contains(&Component::Parser) {
        let t = Instant::now();
        // The parser learns from input as noisy as the one it will see: jack-knifed tags,
        // and lemmas from the shipped lemmatizer applied to those tags (at run time the
        // lemmatizer also works from predicted tags). Early stopping uses dev tagged and
        // lemmatized exactly as at run time, by the shipped tagger and lemmatizer.
        let lemmatizer = Lemmatizer::train_weighted(&[(&ewt_train, 2), (&gum_train, 1)]);
        let (mut train_tags, tagger) = rayon::join(
            || {
                parser::jackknife(
                    &train,
                    cfg.folds,
                    |rest| Tagger::train(rest, &ewt_dev, 7),
                    |tagger, s| tagger.tag(s),
                )
            },
            || shipped_tagger.unwrap_or_else(|| Tagger::train(&train, &dev, 1)),
        );
        for s in &mut train_tags {
            lemmatizer.lemmatize(s);
        }
        let mut dev_tags = dev.clone();
        for s in &mut dev_tags {
            // (overwrites every column the parser reads; HEAD/DEPREL stay gold)
            tagger.tag(s);
            lemmatizer.lemmatize(s);
        }
        log(format!(
            "parser: jack-knifed tags ({} folds, {:.0}s)",
            cfg.folds,
            t.elapsed().as_secs_f64()
        ));
        let t = Instant::now();
        let model = Parser::train(&train_tags, &dev_tags, &parser::TrainOptions::default());
        jackknifed = Some(train_tags);
        let path = cfg.out.join(super::pipeline::PARSER_FILE);
        written(&path, model.save(&path))?;
        log(format!(
            "parser: {} ({:.0}s)",
            path.display(),
            t.elapsed().as_secs_f64()
        ));
    }

    if components.contains(&Component::Ner) {
        let t = Instant::now();
        let gaz = Gazetteer::load(&cfg.gazetteer)?;
        // read before the slow part: a missing list fails at once
        let lists = ner::name_lists(&cfg.gazetteer)?;
        // NER learns from the tags it will see at run time: GUM train with the same
        // jack-knifed tags and lemmas as the parser's (reused when the parser was
        // trained in this run), spans from the gold annotation.
        let tagged = match jackknifed {
            Some(mut all) => all.split_off(ewt_train.len()),
            None => {
                let lemmatizer = Lemmatizer::train_weighted(&[(&ewt_train, 2), (&gum_train, 1)]);
                ner::jackknife_gum_tags(&ewt_train, &gum_train, &ewt_dev, cfg.folds, &lemmatizer)
            }
        };
        let docs = ner::gum_documents(gum_train.clone());
        let data = ner::gum_training_data_with(&docs, Some(&gaz), &tagged);
        let opts = ner::TrainOptions {
            extra_phrases: lists,
            ..Default::default()
        };
        let model = Ner::train(&data, Some(&gaz), &opts);
        let path = cfg.out.join(super::pipeline::NER_FILE);
        written(&path, model.save(&path))?;
        log(format!(
            "ner: {} ({:.0}s)",
            path.display(),
            t.elapsed().as_secs_f64()
        ));
    }
    Ok(())
}
