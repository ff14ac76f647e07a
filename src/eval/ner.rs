//! NER evaluation: exact-span F1 by type, on GUM dev (spans derived from its `Entity=`
//! annotations exactly as for training, see `nlp::ner`) and on UNER EWT dev (IOB2 file,
//! PER/ORG/LOC; a corpus the model never saw). UNER sentences are joined by `sent_id` to
//! the EWT dev CoNLL-U, whose UPOS/XPOS/trees feed the features — pass a CoNLL-U with
//! *predicted* analyses to measure the end-to-end pipeline.

use crate::nlp::conllu::{self, Sentence};
use crate::nlp::gazetteer::Gazetteer;
use crate::nlp::ner::{self, EntitySpan, Ner, NerKind};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Errors reading evaluation files.
#[derive(Debug, thiserror::Error)]
pub enum NerEvalError {
    #[error("{path}: {message}")]
    Input { path: String, message: String },
}

fn input_err(path: &Path, message: impl Into<String>) -> NerEvalError {
    NerEvalError::Input {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// Counts for precision/recall/F1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prf {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Prf {
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            0.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            0.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, o: &Prf) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

/// Scores by type plus micro-average over the types evaluated.
#[derive(Debug, Clone, Default)]
pub struct NerScores {
    pub by_type: BTreeMap<&'static str, Prf>,
    pub overall: Prf,
}

/// Exact span+type matching, restricted to `kinds`.
pub fn score(gold: &[Vec<EntitySpan>], pred: &[Vec<EntitySpan>], kinds: &[NerKind]) -> NerScores {
    let mut out = NerScores::default();
    for k in kinds {
        out.by_type.insert(k.as_str(), Prf::default());
    }
    for (g, p) in gold.iter().zip(pred) {
        let g: Vec<&EntitySpan> = g.iter().filter(|s| kinds.contains(&s.kind)).collect();
        let p: Vec<&EntitySpan> = p.iter().filter(|s| kinds.contains(&s.kind)).collect();
        for s in &p {
            let e = out.by_type.entry(s.kind.as_str()).or_default();
            if g.contains(s) { e.tp += 1 } else { e.fp += 1 }
        }
        for s in &g {
            if !p.contains(s) {
                out.by_type.entry(s.kind.as_str()).or_default().fn_ += 1;
            }
        }
    }
    let mut all = Prf::default();
    for v in out.by_type.values() {
        all.add(v);
    }
    out.overall = all;
    out
}

/// GUM dev: (sentences, gold spans) from a GUM CoNLL-U file.
pub fn gum_gold(
    path: &Path,
    gaz: Option<&Gazetteer>,
) -> Result<Vec<(Sentence, Vec<EntitySpan>)>, NerEvalError> {
    let sents = conllu::read_file(path).map_err(|e| input_err(path, e.to_string()))?;
    let docs = ner::gum_documents(sents);
    Ok(ner::gum_training_data(&docs, gaz))
}

/// One UNER sentence: (sent_id, token forms, gold spans).
pub type UnerSentence = (String, Vec<String>, Vec<EntitySpan>);

/// UNER IOB2 file -> sentences with gold spans (PER/ORG/LOC; other types ignored).
pub fn read_uner(path: &Path) -> Result<Vec<UnerSentence>, NerEvalError> {
    let text = std::fs::read_to_string(path).map_err(|e| input_err(path, e.to_string()))?;
    let mut out = Vec::new();
    let mut id = String::new();
    let mut forms: Vec<String> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    let flush =
        |id: &mut String, forms: &mut Vec<String>, tags: &mut Vec<String>, out: &mut Vec<_>| {
            if !forms.is_empty() {
                out.push((std::mem::take(id), std::mem::take(forms), iob2_spans(tags)));
            }
            tags.clear();
        };
    for (ln, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            flush(&mut id, &mut forms, &mut tags, &mut out);
            continue;
        }
        if let Some(rest) = line.strip_prefix("# sent_id = ") {
            id = rest.trim().to_string();
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 3 {
            return Err(input_err(
                path,
                format!("line {}: expected at least 3 tab-separated columns", ln + 1),
            ));
        }
        forms.push(cols[1].to_string());
        tags.push(cols[2].to_string());
    }
    flush(&mut id, &mut forms, &mut tags, &mut out);
    Ok(out)
}

fn iob2_spans(tags: &[String]) -> Vec<EntitySpan> {
    let mut out = Vec::new();
    let mut open: Option<(usize, NerKind)> = None;
    for (i, t) in tags.iter().enumerate() {
        let (bi, ty) = t.split_once('-').unwrap_or((t.as_str(), ""));
        let kind = NerKind::parse(ty);
        let cont = bi == "I" && matches!((open, kind), (Some((_, a)), Some(b)) if a == b);
        if !cont {
            if let Some((s, k)) = open.take() {
                out.push(EntitySpan {
                    start: s,
                    end: i,
                    kind: k,
                });
            }
            if (bi == "B" || bi == "I")
                && let Some(k) = kind
            {
                open = Some((i, k));
            }
        }
    }
    if let Some((s, k)) = open {
        out.push(EntitySpan {
            start: s,
            end: tags.len(),
            kind: k,
        });
    }
    out
}

/// One evaluation run: scores and the per-sentence errors for inspection.
#[derive(Debug, Clone, Default)]
pub struct NerReport {
    pub scores: NerScores,
    /// (sentence text, gold spans text, predicted spans text) of sentences with errors.
    pub errors: Vec<(String, String, String)>,
    /// Sentences not scored because the two files tokenize them differently.
    pub skipped: usize,
}

fn spans_text(s: &Sentence, spans: &[EntitySpan]) -> String {
    spans
        .iter()
        .map(|sp| {
            let t: Vec<&str> = s.words[sp.start..sp.end.min(s.words.len())]
                .iter()
                .map(|w| w.form.as_str())
                .collect();
            format!("[{} {}]", sp.kind.as_str(), t.join(" "))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Consecutive sentences split into documents at every `# newdoc id` comment (GUM and
/// EWT mark each document's first sentence), so NER sees documents as in `kg`.
pub fn documents<'a, 'b>(sents: &'b [&'a Sentence]) -> Vec<&'b [&'a Sentence]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=sents.len() {
        if i == sents.len() || sents[i].meta("newdoc id").is_some() {
            out.push(&sents[start..i]);
            start = i;
        }
    }
    out
}

/// Re-analyses a gold-tokenized sentence (tagger, lemmatizer, parser) before NER sees it.
pub type Analyze<'a> = &'a dyn Fn(&mut Sentence);

fn run(
    ner: &Ner,
    data: &[(Sentence, Vec<EntitySpan>)],
    kinds: &[NerKind],
    analyze: Option<Analyze>,
) -> NerReport {
    // Gold spans come from the gold analysis; the model sees the predicted one, as at run
    // time, and whole documents, as `kg` does with an article.
    let analysed: Vec<Sentence> = match analyze {
        Some(f) => data
            .iter()
            .map(|(s, _)| {
                let mut c = s.clone();
                f(&mut c);
                c
            })
            .collect(),
        None => Vec::new(),
    };
    let sents: Vec<&Sentence> = match analyze {
        Some(_) => analysed.iter().collect(),
        None => data.iter().map(|(s, _)| s).collect(),
    };
    let mut pred: Vec<Vec<EntitySpan>> = Vec::with_capacity(sents.len());
    for doc in documents(&sents) {
        pred.extend(ner.tag_document(doc));
    }
    let gold: Vec<Vec<EntitySpan>> = data.iter().map(|(_, g)| g.clone()).collect();
    let scores = score(&gold, &pred, kinds);
    let mut errors = Vec::new();
    for ((s, g), p) in data.iter().zip(&pred) {
        let g: Vec<EntitySpan> = g
            .iter()
            .copied()
            .filter(|x| kinds.contains(&x.kind))
            .collect();
        let p: Vec<EntitySpan> = p
            .iter()
            .copied()
            .filter(|x| kinds.contains(&x.kind))
            .collect();
        if g != p {
            let text = s
                .text()
                .map(str::to_string)
                .unwrap_or_else(|| s.reconstruct_text());
            errors.push((text, spans_text(s, &g), spans_text(s, &p)));
        }
    }
    NerReport {
        scores,
        errors,
        skipped: 0,
    }
}

/// Span F1 on GUM dev, all five types, NER fed with the treebank's gold tags and trees.
/// Pass the same gazetteer as for training so gold spans follow the same conventions.
pub fn eval_gum(
    ner: &Ner,
    gum_dev: &Path,
    gaz: Option<&Gazetteer>,
) -> Result<NerReport, NerEvalError> {
    eval_gum_analyzed(ner, gum_dev, gaz, None)
}

/// Like `eval_gum`, but every sentence is first re-analysed by `analyze` (the shipped
/// tagger, lemmatizer and parser): the honest end-to-end number, since at run time NER
/// only ever sees predicted tags and trees. Gold spans still come from the gold analysis.
pub fn eval_gum_analyzed(
    ner: &Ner,
    gum_dev: &Path,
    gaz: Option<&Gazetteer>,
    analyze: Option<Analyze>,
) -> Result<NerReport, NerEvalError> {
    let data = gum_gold(gum_dev, gaz)?;
    Ok(run(ner, &data, &NerKind::ALL, analyze))
}

/// Span F1 on UNER EWT dev (PER/ORG/LOC), features from `ewt_dev` (CoNLL-U with the same
/// sentence ids; gold or predicted analyses). A sentence missing from `ewt_dev` is an error;
/// one tokenized differently is skipped (counted in `skipped`, its entities as misses).
pub fn eval_uner(ner: &Ner, uner: &Path, ewt_dev: &Path) -> Result<NerReport, NerEvalError> {
    eval_uner_analyzed(ner, uner, ewt_dev, None)
}

/// Like `eval_uner`, but every EWT sentence is first re-analysed by `analyze` (see
/// `eval_gum_analyzed`).
pub fn eval_uner_analyzed(
    ner: &Ner,
    uner: &Path,
    ewt_dev: &Path,
    analyze: Option<Analyze>,
) -> Result<NerReport, NerEvalError> {
    let gold = read_uner(uner)?;
    let sents = conllu::read_file(ewt_dev).map_err(|e| input_err(ewt_dev, e.to_string()))?;
    let by_id: HashMap<String, Sentence> = sents
        .into_iter()
        .filter_map(|s| s.sent_id().map(str::to_string).map(|id| (id, s)))
        .collect();
    let mut data = Vec::with_capacity(gold.len());
    let mut skipped = 0;
    let mut missed: BTreeMap<&'static str, Prf> = BTreeMap::new();
    for (id, forms, spans) in gold {
        let Some(s) = by_id.get(&id) else {
            return Err(input_err(
                ewt_dev,
                format!("sentence {id} of the UNER file is missing"),
            ));
        };
        if s.words.len() != forms.len() {
            // A few sentences were retokenized between UNER's and this EWT release; they
            // are not scored, but their gold entities count as misses (conservative).
            skipped += 1;
            for sp in spans
                .iter()
                .filter(|sp| matches!(sp.kind, NerKind::Per | NerKind::Org | NerKind::Loc))
            {
                missed.entry(sp.kind.as_str()).or_default().fn_ += 1;
            }
            continue;
        }
        data.push((s.clone(), spans));
    }
    let mut rep = run(
        ner,
        &data,
        &[NerKind::Per, NerKind::Org, NerKind::Loc],
        analyze,
    );
    for (k, v) in &missed {
        rep.scores.by_type.entry(k).or_default().fn_ += v.fn_;
        rep.scores.overall.fn_ += v.fn_;
    }
    rep.skipped = skipped;
    Ok(rep)
}

/// Human-readable table.
pub fn format_scores(title: &str, s: &NerScores) -> String {
    let mut out = format!("{title}\n  type    P      R      F1     (tp/fp/fn)\n");
    for (k, v) in &s.by_type {
        out.push_str(&format!(
            "  {:<6} {:.3}  {:.3}  {:.3}  ({}/{}/{})\n",
            k,
            v.precision(),
            v.recall(),
            v.f1(),
            v.tp,
            v.fp,
            v.fn_
        ));
    }
    let row = |name: &str, o: &Prf| {
        format!(
            "  {:<6} {:.3}  {:.3}  {:.3}  ({}/{}/{})\n",
            name,
            o.precision(),
            o.recall(),
            o.f1(),
            o.tp,
            o.fp,
            o.fn_
        )
    };
    // With dates or events in the table, also the three name types together (the
    // person/organization/place score that compares with UNER and CoNLL).
    if s.by_type.len() > 3 {
        let mut pol = Prf::default();
        for k in ["PER", "ORG", "LOC"] {
            if let Some(v) = s.by_type.get(k) {
                pol.add(v);
            }
        }
        out.push_str(&row("P/O/L", &pol));
    }
    out.push_str(&row("all", &s.overall));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_span_scoring() {
        let sp = |a, b, k| EntitySpan {
            start: a,
            end: b,
            kind: k,
        };
        let gold = vec![vec![sp(0, 2, NerKind::Per), sp(3, 4, NerKind::Loc)]];
        let pred = vec![vec![
            sp(0, 2, NerKind::Per),
            sp(3, 5, NerKind::Loc),
            sp(6, 7, NerKind::Date),
        ]];
        let s = score(&gold, &pred, &[NerKind::Per, NerKind::Loc]);
        assert_eq!(
            s.overall,
            Prf {
                tp: 1,
                fp: 1,
                fn_: 1
            }
        );
        assert!((s.overall.f1() - 0.5).abs() < 1e-9);
        assert_eq!(s.by_type["PER"].tp, 1);
        // three types print no P/O/L row; with dates, the row sums PER, ORG and LOC only
        let t = format_scores(
            "t",
            &score(&gold, &pred, &[NerKind::Per, NerKind::Org, NerKind::Loc]),
        );
        assert!(!t.contains("P/O/L"), "{t}");
        let kinds = [NerKind::Per, NerKind::Org, NerKind::Loc, NerKind::Date];
        let t = format_scores("t", &score(&gold, &pred, &kinds));
        assert!(t.contains("  P/O/L  0.500  0.500  0.500  (1/1/1)\n"), "{t}");
        assert!(t.contains("  all    0.333  0.500  0.400  (1/2/1)\n"), "{t}");
    }

    /// With an analyzer, the model sees the re-analysed sentence while the gold spans stay.
    #[test]
    fn analyzed_run_tags_the_reanalysed_sentence() {
        let conllu = "1\tAnna\tanna\tPROPN\tNNP\t_\t2\tnsubj\t_\t_\n\
                      2\tvisited\tvisit\tVERB\tVBD\t_\t0\troot\t_\t_\n\
                      3\tParis\tparis\tPROPN\tNNP\t_\t2\tobj\t_\t_\n";
        let s = conllu::parse_str(conllu).unwrap().remove(0);
        let gold = vec![
            EntitySpan::new(0, 1, NerKind::Per),
            EntitySpan::new(2, 3, NerKind::Loc),
        ];
        let data = vec![(s, gold)];
        let opts = ner::TrainOptions {
            hash_bits: 12,
            ..Default::default()
        };
        let model = Ner::train(&data, None, &opts);
        let kinds = [NerKind::Per, NerKind::Loc];
        assert_eq!(run(&model, &data, &kinds, None).scores.overall.tp, 2);
        let blank = |s: &mut Sentence| {
            for w in &mut s.words {
                w.form = ",".into();
                w.upos = "PUNCT".into();
                w.xpos = ",".into();
            }
        };
        let rep = run(&model, &data, &kinds, Some(&blank));
        assert_eq!(rep.scores.overall.tp, 0);
        assert_eq!(rep.scores.overall.fn_, 2);
    }

    #[test]
    fn iob2_reading() {
        let t: Vec<String> = ["B-LOC", "I-LOC", "O", "I-PER", "B-ORG", "B-ORG", "I-ORG"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let sp = iob2_spans(&t);
        let got: Vec<(usize, usize, &str)> = sp
            .iter()
            .map(|s| (s.start, s.end, s.kind.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![(0, 2, "LOC"), (3, 4, "PER"), (4, 5, "ORG"), (5, 7, "ORG")]
        );
    }
}
