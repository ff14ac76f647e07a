//! CoNLL 2018 shared-task UD metrics, ported from the official `conll18_ud_eval.py` (v1.2).
//!
//! Why a port rather than "accuracy over words": from raw text the system's tokens, words
//! and sentences differ from gold, so every score is an F1 over an alignment. The script
//! aligns on character offsets of the concatenated non-whitespace token text; words inside
//! multiword tokens are aligned by an LCS of their lower-cased forms within the smallest
//! "multiword span" that contains whole multiword tokens of both sides. Everything here
//! follows the script step by step so that numbers are comparable with published ones:
//! - FEATS keeps only the universal features, sorted; DEPREL drops the subtype (`obl:agent`
//!   counts as `obl`);
//! - CLAS/MLAS/BLEX count only words with a content relation ([`CONTENT_DEPRELS`]); MLAS
//!   also compares UPOS, UFeats and the functional children ([`FUNCTIONAL_DEPRELS`]: their
//!   relation, UPOS and UFeats); BLEX compares lemmas, except where the gold lemma is `_`;
//! - Unicode `Zs` characters are removed from token forms before comparing text.
//!
//! Unlike the script, sentences without words are skipped instead of rejected.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::nlp::conllu::Sentence;

/// Relations whose dependents count for CLAS, MLAS and BLEX.
pub const CONTENT_DEPRELS: [&str; 29] = [
    "nsubj",
    "obj",
    "iobj",
    "csubj",
    "ccomp",
    "xcomp",
    "obl",
    "vocative",
    "expl",
    "dislocated",
    "advcl",
    "advmod",
    "discourse",
    "nmod",
    "appos",
    "nummod",
    "acl",
    "amod",
    "conj",
    "fixed",
    "flat",
    "compound",
    "list",
    "parataxis",
    "orphan",
    "goeswith",
    "reparandum",
    "root",
    "dep",
];

/// Relations of the function words that MLAS attaches to their content head.
pub const FUNCTIONAL_DEPRELS: [&str; 7] = ["aux", "cop", "mark", "det", "clf", "case", "cc"];

/// Features the script keeps in UFeats (all others are language-specific).
pub const UNIVERSAL_FEATURES: [&str; 21] = [
    "PronType", "NumType", "Poss", "Reflex", "Foreign", "Abbr", "Gender", "Animacy", "Number",
    "Case", "Definite", "Degree", "VerbForm", "Mood", "Tense", "Aspect", "Voice", "Evident",
    "Polarity", "Person", "Polite",
];

/// Why an evaluation could not be computed (the script raises `UDError` in the same cases).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UdEvalError {
    #[error(
        "the concatenation of tokens in gold and system differ: first 20 differing characters in gold: '{gold}' and system: '{system}'"
    )]
    TextMismatch { gold: String, system: String },
    #[error("{side} sentence {sentence}: {message}")]
    Invalid {
        side: &'static str,
        sentence: usize,
        message: String,
    },
}

/// One metric: counts plus the derived precision/recall/F1 and aligned accuracy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Score {
    pub correct: usize,
    pub gold_total: usize,
    pub system_total: usize,
    /// Number of aligned words the metric looked at; `None` for Tokens/Sentences/Words.
    pub aligned_total: Option<usize>,
}

impl Score {
    pub fn precision(&self) -> f64 {
        if self.system_total > 0 {
            self.correct as f64 / self.system_total as f64
        } else {
            0.0
        }
    }
    pub fn recall(&self) -> f64 {
        if self.gold_total > 0 {
            self.correct as f64 / self.gold_total as f64
        } else {
            0.0
        }
    }
    pub fn f1(&self) -> f64 {
        let d = self.system_total + self.gold_total;
        if d > 0 {
            2.0 * self.correct as f64 / d as f64
        } else {
            0.0
        }
    }
    /// `correct / aligned_total`; `Some(0.0)` when nothing was aligned (as the script does).
    pub fn aligned_accuracy(&self) -> Option<f64> {
        match self.aligned_total {
            None => None,
            Some(0) => Some(0.0),
            Some(a) => Some(self.correct as f64 / a as f64),
        }
    }
}

/// All CoNLL 2018 metrics.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UdScores {
    pub tokens: Score,
    pub sentences: Score,
    pub words: Score,
    pub upos: Score,
    pub xpos: Score,
    pub ufeats: Score,
    pub alltags: Score,
    pub lemmas: Score,
    pub uas: Score,
    pub las: Score,
    pub clas: Score,
    pub mlas: Score,
    pub blex: Score,
}

impl UdScores {
    /// The metrics in the script's order, with their names.
    pub fn metrics(&self) -> [(&'static str, &Score); 13] {
        [
            ("Tokens", &self.tokens),
            ("Sentences", &self.sentences),
            ("Words", &self.words),
            ("UPOS", &self.upos),
            ("XPOS", &self.xpos),
            ("UFeats", &self.ufeats),
            ("AllTags", &self.alltags),
            ("Lemmas", &self.lemmas),
            ("UAS", &self.uas),
            ("LAS", &self.las),
            ("CLAS", &self.clas),
            ("MLAS", &self.mlas),
            ("BLEX", &self.blex),
        ]
    }

    /// The table printed by `conll18_ud_eval.py -v`, byte for byte.
    pub fn table(&self) -> String {
        let mut s = String::new();
        s.push_str("Metric     | Precision |    Recall |  F1 Score | AligndAcc\n");
        s.push_str("-----------+-----------+-----------+-----------+-----------\n");
        for (name, m) in self.metrics() {
            let acc = m
                .aligned_accuracy()
                .map(|a| format!("{:10.2}", 100.0 * a))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "{:11}|{:10.2} |{:10.2} |{:10.2} |{}",
                name,
                100.0 * m.precision(),
                100.0 * m.recall(),
                100.0 * m.f1(),
                acc
            );
        }
        s
    }
}

impl std::fmt::Display for UdScores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.table())
    }
}

// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
}

#[derive(Debug)]
struct UdWord {
    span: Span,
    is_multiword: bool,
    form_lower: String,
    lemma: String,
    upos: String,
    xpos: String,
    feats: String,
    deprel: String,
    parent: Option<usize>,
    functional_children: Vec<usize>,
    is_content: bool,
    is_functional: bool,
}

#[derive(Debug, Default)]
struct UdDoc {
    characters: Vec<char>,
    tokens: Vec<Span>,
    words: Vec<UdWord>,
    sentences: Vec<Span>,
}

/// Unicode general category Zs (space separators).
fn is_zs(c: char) -> bool {
    matches!(
        c,
        '\u{20}' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

fn universal_feats(feats: &str) -> String {
    let mut v: Vec<&str> = feats
        .split('|')
        .filter(|f| UNIVERSAL_FEATURES.contains(&f.split_once('=').map_or(*f, |(k, _)| k)))
        .collect();
    v.sort_unstable();
    v.join("|")
}

fn load(sents: &[Sentence], side: &'static str) -> Result<UdDoc, UdEvalError> {
    let mut ud = UdDoc::default();
    let mut index = 0usize;
    for (si, s) in sents.iter().enumerate() {
        if s.words.is_empty() {
            continue;
        }
        let invalid = |message: String| UdEvalError::Invalid {
            side,
            sentence: si + 1,
            message,
        };
        let sentence_start = ud.words.len();
        let sent_char_start = index;
        let mut wi = 0usize;
        while wi < s.words.len() {
            let w = &s.words[wi];
            if w.id != wi + 1 {
                return Err(invalid(format!(
                    "incorrect word ID {} for word '{}', expected {}",
                    w.id,
                    w.form,
                    wi + 1
                )));
            }
            let mwt = s.multiword.iter().find(|m| m.first == w.id);
            let (token_form, last) = match mwt {
                Some(m) => {
                    if m.last < m.first || m.last > s.words.len() {
                        return Err(invalid(format!(
                            "bad multiword token range {}-{}",
                            m.first, m.last
                        )));
                    }
                    (m.form.as_str(), m.last)
                }
                None => (w.form.as_str(), w.id),
            };
            let form: Vec<char> = token_form.chars().filter(|&c| !is_zs(c)).collect();
            if form.is_empty() {
                return Err(invalid("there is an empty FORM".into()));
            }
            let span = Span {
                start: index,
                end: index + form.len(),
            };
            index += form.len();
            ud.characters.extend_from_slice(&form);
            ud.tokens.push(span);
            for k in w.id..=last {
                let word = &s.words[k - 1];
                // Words of a multiword token keep their own FORM (the script strips Zs only
                // on the token line, which is also the word line for plain tokens).
                let wform: String = if mwt.is_some() {
                    word.form.clone()
                } else {
                    form.iter().collect()
                };
                let deprel = word.deprel.split(':').next().unwrap_or("").to_string();
                ud.words.push(UdWord {
                    span,
                    is_multiword: mwt.is_some(),
                    form_lower: wform.to_lowercase(),
                    lemma: word.lemma.clone(),
                    upos: word.upos.to_string(),
                    xpos: word.xpos.to_string(),
                    feats: universal_feats(&word.feats),
                    is_content: CONTENT_DEPRELS.contains(&deprel.as_str()),
                    is_functional: FUNCTIONAL_DEPRELS.contains(&deprel.as_str()),
                    deprel,
                    parent: None,
                    functional_children: Vec::new(),
                });
            }
            wi = last;
        }
        // Heads: range check, single root, no cycles.
        let n = s.words.len();
        let mut roots = 0;
        for (k, w) in s.words.iter().enumerate() {
            if w.head > n {
                return Err(invalid(format!(
                    "HEAD '{}' points outside of the sentence",
                    w.head
                )));
            }
            if w.head == 0 {
                roots += 1;
            } else {
                ud.words[sentence_start + k].parent = Some(sentence_start + w.head - 1);
            }
        }
        for k in 0..n {
            let mut p = ud.words[sentence_start + k].parent;
            let mut steps = 0;
            while let Some(q) = p {
                steps += 1;
                if steps > n {
                    return Err(invalid("there is a cycle in a sentence".into()));
                }
                p = ud.words[q].parent;
            }
        }
        if roots != 1 {
            return Err(invalid("there are multiple roots in a sentence".into()));
        }
        for k in sentence_start..ud.words.len() {
            if let Some(p) = ud.words[k].parent
                && ud.words[k].is_functional
            {
                ud.words[p].functional_children.push(k);
            }
        }
        ud.sentences.push(Span {
            start: sent_char_start,
            end: index,
        });
    }
    Ok(ud)
}

fn spans_score(gold: &[Span], system: &[Span]) -> Score {
    let (mut correct, mut gi, mut si) = (0, 0, 0);
    while gi < gold.len() && si < system.len() {
        if system[si].start < gold[gi].start {
            si += 1;
        } else if gold[gi].start < system[si].start {
            gi += 1;
        } else {
            correct += (gold[gi].end == system[si].end) as usize;
            si += 1;
            gi += 1;
        }
    }
    Score {
        correct,
        gold_total: gold.len(),
        system_total: system.len(),
        aligned_total: None,
    }
}

struct Alignment {
    /// (gold word, system word) pairs in order.
    matched: Vec<(usize, usize)>,
    /// system word -> gold word
    map: HashMap<usize, usize>,
}

fn beyond_end(words: &[UdWord], i: usize, end: usize) -> bool {
    if i >= words.len() {
        return true;
    }
    if words[i].is_multiword {
        return words[i].span.start >= end;
    }
    words[i].span.end > end
}

fn extend_end(word: &UdWord, end: usize) -> usize {
    if word.is_multiword && word.span.end > end {
        word.span.end
    } else {
        end
    }
}

fn find_multiword_span(
    g: &[UdWord],
    s: &[UdWord],
    mut gi: usize,
    mut si: usize,
) -> (usize, usize, usize, usize) {
    let mut end;
    if g[gi].is_multiword {
        end = g[gi].span.end;
        if !s[si].is_multiword && s[si].span.start < g[gi].span.start {
            si += 1;
        }
    } else {
        end = s[si].span.end;
        if !g[gi].is_multiword && g[gi].span.start < s[si].span.start {
            gi += 1;
        }
    }
    let (gs, ss) = (gi, si);
    while !beyond_end(g, gi, end) || !beyond_end(s, si, end) {
        if gi < g.len() && (si >= s.len() || g[gi].span.start <= s[si].span.start) {
            end = extend_end(&g[gi], end);
            gi += 1;
        } else {
            end = extend_end(&s[si], end);
            si += 1;
        }
    }
    (gs, ss, gi, si)
}

fn compute_lcs(
    g: &[UdWord],
    s: &[UdWord],
    gi: usize,
    si: usize,
    gs: usize,
    ss: usize,
) -> Vec<Vec<usize>> {
    let (ng, ns) = (gi - gs, si - ss);
    let mut lcs = vec![vec![0usize; ns]; ng];
    for a in (0..ng).rev() {
        for b in (0..ns).rev() {
            if g[gs + a].form_lower == s[ss + b].form_lower {
                lcs[a][b] = 1 + if a + 1 < ng && b + 1 < ns {
                    lcs[a + 1][b + 1]
                } else {
                    0
                };
            }
            let down = if a + 1 < ng { lcs[a + 1][b] } else { 0 };
            let right = if b + 1 < ns { lcs[a][b + 1] } else { 0 };
            lcs[a][b] = lcs[a][b].max(down).max(right);
        }
    }
    lcs
}

fn align_words(g: &[UdWord], s: &[UdWord]) -> Alignment {
    let mut al = Alignment {
        matched: Vec::new(),
        map: HashMap::new(),
    };
    let push = |al: &mut Alignment, a: usize, b: usize| {
        al.matched.push((a, b));
        al.map.insert(b, a);
    };
    let (mut gi, mut si) = (0, 0);
    while gi < g.len() && si < s.len() {
        if g[gi].is_multiword || s[si].is_multiword {
            let (gs, ss, ngi, nsi) = find_multiword_span(g, s, gi, si);
            gi = ngi;
            si = nsi;
            if si > ss && gi > gs {
                let lcs = compute_lcs(g, s, gi, si, gs, ss);
                let (mut a, mut b) = (0, 0);
                while a < gi - gs && b < si - ss {
                    if g[gs + a].form_lower == s[ss + b].form_lower {
                        push(&mut al, gs + a, ss + b);
                        a += 1;
                        b += 1;
                    } else if lcs[a][b] == if a + 1 < gi - gs { lcs[a + 1][b] } else { 0 } {
                        a += 1;
                    } else {
                        b += 1;
                    }
                }
            }
        } else if g[gi].span == s[si].span {
            push(&mut al, gi, si);
            gi += 1;
            si += 1;
        } else if g[gi].span.start <= s[si].span.start {
            gi += 1;
        } else {
            si += 1;
        }
    }
    al
}

/// A parent as the script compares it: the gold word itself, or what a system word's
/// parent is aligned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ref {
    Root,
    Gold(usize),
    NotAligned,
}

fn score_aligned(
    gold: &UdDoc,
    sys: &UdDoc,
    al: &Alignment,
    filter: Option<fn(&UdWord) -> bool>,
    same: impl Fn(usize, usize) -> bool,
) -> Score {
    let keep = |w: &UdWord| filter.is_none_or(|f| f(w));
    let gold_total = gold.words.iter().filter(|w| keep(w)).count();
    let system_total = sys.words.iter().filter(|w| keep(w)).count();
    let aligned = al
        .matched
        .iter()
        .filter(|(g, _)| keep(&gold.words[*g]))
        .count();
    let correct = al
        .matched
        .iter()
        .filter(|(g, s)| keep(&gold.words[*g]) && same(*g, *s))
        .count();
    Score {
        correct,
        gold_total,
        system_total,
        aligned_total: Some(aligned),
    }
}

/// Score `system` against `gold` with the CoNLL 2018 definitions. Both must cover the same
/// text (concatenated token forms without whitespace); tokenization, sentence splitting
/// and word segmentation may differ. Both must carry well-formed trees (one root per
/// sentence, no cycles), as the official script requires.
pub fn evaluate(gold: &[Sentence], system: &[Sentence]) -> Result<UdScores, UdEvalError> {
    let g = load(gold, "gold")?;
    let s = load(system, "system")?;
    if g.characters != s.characters {
        let mut i = 0;
        while i < g.characters.len() && i < s.characters.len() && g.characters[i] == s.characters[i]
        {
            i += 1;
        }
        let take = |c: &[char]| {
            c[i.min(c.len())..(i + 20).min(c.len())]
                .iter()
                .collect::<String>()
        };
        return Err(UdEvalError::TextMismatch {
            gold: take(&g.characters),
            system: take(&s.characters),
        });
    }
    let al = align_words(&g.words, &s.words);
    let gp = |k: usize| g.words[k].parent.map_or(Ref::Root, Ref::Gold);
    let sp = |k: usize| match s.words[k].parent {
        None => Ref::Root,
        Some(p) => al.map.get(&p).map_or(Ref::NotAligned, |&q| Ref::Gold(q)),
    };
    let sref = |k: usize| al.map.get(&k).map_or(Ref::NotAligned, |&q| Ref::Gold(q));
    let lemma_eq = |a: usize, b: usize| {
        let gl = if g.words[a].lemma != "_" {
            g.words[a].lemma.as_str()
        } else {
            "_"
        };
        let sl = if g.words[a].lemma != "_" {
            s.words[b].lemma.as_str()
        } else {
            "_"
        };
        gl == sl
    };
    let content: Option<fn(&UdWord) -> bool> = Some(|w: &UdWord| w.is_content);
    let (gw, sw) = (&g.words, &s.words);
    let las_eq = |a: usize, b: usize| gp(a) == sp(b) && gw[a].deprel == sw[b].deprel;
    let words = Score {
        correct: al.matched.len(),
        gold_total: gw.len(),
        system_total: sw.len(),
        aligned_total: None,
    };
    Ok(UdScores {
        tokens: spans_score(&g.tokens, &s.tokens),
        sentences: spans_score(&g.sentences, &s.sentences),
        words,
        upos: score_aligned(&g, &s, &al, None, |a, b| gw[a].upos == sw[b].upos),
        xpos: score_aligned(&g, &s, &al, None, |a, b| gw[a].xpos == sw[b].xpos),
        ufeats: score_aligned(&g, &s, &al, None, |a, b| gw[a].feats == sw[b].feats),
        alltags: score_aligned(&g, &s, &al, None, |a, b| {
            gw[a].upos == sw[b].upos && gw[a].xpos == sw[b].xpos && gw[a].feats == sw[b].feats
        }),
        lemmas: score_aligned(&g, &s, &al, None, lemma_eq),
        uas: score_aligned(&g, &s, &al, None, |a, b| gp(a) == sp(b)),
        las: score_aligned(&g, &s, &al, None, las_eq),
        clas: score_aligned(&g, &s, &al, content, las_eq),
        mlas: score_aligned(&g, &s, &al, content, |a, b| {
            let (x, y) = (&gw[a], &sw[b]);
            las_eq(a, b)
                && x.upos == y.upos
                && x.feats == y.feats
                && x.functional_children.len() == y.functional_children.len()
                && x.functional_children
                    .iter()
                    .zip(&y.functional_children)
                    .all(|(&c, &d)| {
                        Ref::Gold(c) == sref(d)
                            && gw[c].deprel == sw[d].deprel
                            && gw[c].upos == sw[d].upos
                            && gw[c].feats == sw[d].feats
                    })
        }),
        blex: score_aligned(&g, &s, &al, content, |a, b| las_eq(a, b) && lemma_eq(a, b)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlp::conllu::{MultiwordToken, Word};

    fn word(id: usize, form: &str, head: usize, deprel: &str) -> Word {
        Word {
            id,
            form: form.to_string(),
            lemma: form.to_lowercase(),
            upos: "X".into(),
            xpos: "_".into(),
            feats: "_".into(),
            head,
            deprel: deprel.into(),
            deps: "_".into(),
            misc: "_".into(),
        }
    }

    /// The script's own test helper: "abc a b c" is a multiword token "abc" with words a, b,
    /// c; word 1 is the root and every other word hangs on word 1.
    fn load_words(spec: &[&str]) -> Vec<Sentence> {
        let mut s = Sentence {
            comments: vec![],
            words: vec![],
            multiword: vec![],
        };
        for w in spec {
            let parts: Vec<&str> = w.split(' ').collect();
            if parts.len() == 1 {
                let id = s.words.len() + 1;
                s.words.push(word(id, parts[0], (id > 1) as usize, "dep"));
            } else {
                let first = s.words.len() + 1;
                for p in &parts[1..] {
                    let id = s.words.len() + 1;
                    s.words.push(word(id, p, (id > 1) as usize, "dep"));
                }
                s.multiword.push(MultiwordToken {
                    first,
                    last: s.words.len(),
                    form: parts[0].to_string(),
                    misc: "_".into(),
                });
            }
        }
        vec![s]
    }

    fn check_ok(gold: &[&str], system: &[&str], correct: usize) {
        let m = evaluate(&load_words(gold), &load_words(system)).expect("evaluates");
        let count = |spec: &[&str]| {
            spec.iter()
                .map(|w| w.split(' ').count().max(2) - 1)
                .sum::<usize>()
        };
        let (gw, sw) = (count(gold), count(system));
        assert_eq!(m.words.correct, correct, "{gold:?} vs {system:?}");
        assert_eq!(m.words.gold_total, gw);
        assert_eq!(m.words.system_total, sw);
        assert!((m.words.f1() - 2.0 * correct as f64 / (gw + sw) as f64).abs() < 1e-12);
    }

    #[test]
    fn script_exception() {
        let e = evaluate(&load_words(&["a"]), &load_words(&["b"])).unwrap_err();
        assert!(matches!(e, UdEvalError::TextMismatch { .. }));
    }

    #[test]
    fn script_equal() {
        check_ok(&["a"], &["a"], 1);
        check_ok(&["a", "b", "c"], &["a", "b", "c"], 3);
    }

    #[test]
    fn script_equal_with_multiword() {
        check_ok(&["abc a b c"], &["a", "b", "c"], 3);
        check_ok(&["a", "bc b c", "d"], &["a", "b", "c", "d"], 4);
        check_ok(&["abcd a b c d"], &["ab a b", "cd c d"], 4);
        check_ok(&["abc a b c", "de d e"], &["a", "bcd b c d", "e"], 5);
    }

    #[test]
    fn script_alignment() {
        check_ok(&["abcd"], &["a", "b", "c", "d"], 0);
        check_ok(&["abc", "d"], &["a", "b", "c", "d"], 1);
        check_ok(&["a", "bc", "d"], &["a", "b", "c", "d"], 2);
        check_ok(&["a", "bc b c", "d"], &["a", "b", "cd"], 2);
        check_ok(
            &["abc a BX c", "def d EX f"],
            &["ab a b", "cd c d", "ef e f"],
            4,
        );
        check_ok(&["ab a b", "cd bc d"], &["a", "bc", "d"], 2);
        check_ok(&["a", "bc b c", "d"], &["ab AX BX", "cd CX a"], 1);
    }

    /// Gold "He doesn't sleep ." with the clitic split; system splits the token differently.
    fn gold_sentence() -> Sentence {
        let mut s = Sentence {
            comments: vec![],
            words: vec![],
            multiword: vec![],
        };
        s.words.push(Word {
            upos: "PRON".into(),
            feats: "Case=Nom|Number=Sing|Person=3".into(),
            ..word(1, "He", 4, "nsubj")
        });
        s.words.push(Word {
            upos: "AUX".into(),
            lemma: "do".into(),
            feats: "Mood=Ind|Tense=Pres|Typo=Yes".into(),
            ..word(2, "does", 4, "aux")
        });
        s.words.push(Word {
            upos: "PART".into(),
            lemma: "not".into(),
            ..word(3, "n't", 4, "advmod")
        });
        s.words.push(Word {
            upos: "VERB".into(),
            feats: "VerbForm=Inf".into(),
            ..word(4, "sleep", 0, "root")
        });
        s.words.push(Word {
            upos: "PUNCT".into(),
            ..word(5, ".", 4, "punct")
        });
        s.multiword.push(MultiwordToken {
            first: 2,
            last: 3,
            form: "doesn't".into(),
            misc: "_".into(),
        });
        s
    }

    #[test]
    fn identical_input_scores_100() {
        let g = vec![gold_sentence()];
        let m = evaluate(&g, &g).unwrap();
        for (name, sc) in m.metrics() {
            assert_eq!(sc.f1(), 1.0, "{name}");
        }
        assert_eq!(m.tokens.gold_total, 4);
        assert_eq!(m.words.gold_total, 5);
        // content words: nsubj, advmod, root (punct and aux are neither / functional)
        assert_eq!(m.clas.gold_total, 3);
    }

    #[test]
    fn multiword_token_missing_in_system() {
        // System keeps "doesn't" as one token/word: tokens match, words do not.
        let g = vec![gold_sentence()];
        let mut s = Sentence {
            comments: vec![],
            words: vec![],
            multiword: vec![],
        };
        s.words.push(Word {
            upos: "PRON".into(),
            ..word(1, "He", 3, "nsubj")
        });
        s.words.push(Word {
            upos: "AUX".into(),
            ..word(2, "doesn't", 3, "aux")
        });
        s.words.push(Word {
            upos: "VERB".into(),
            feats: "VerbForm=Inf".into(),
            ..word(3, "sleep", 0, "root")
        });
        s.words.push(Word {
            upos: "PUNCT".into(),
            ..word(4, ".", 3, "punct")
        });
        let m = evaluate(&g, &[s]).unwrap();
        assert_eq!(m.tokens.correct, 4);
        assert_eq!(
            (m.words.correct, m.words.gold_total, m.words.system_total),
            (3, 5, 4)
        );
        // UAS over aligned words He, sleep, "." -> all heads right.
        assert_eq!(m.uas.correct, 3);
        assert_eq!(m.uas.aligned_total, Some(3));
        // MLAS of "sleep": gold has functional child "does" (aux), system "doesn't" is not
        // aligned to it -> mismatch. "He" matches fully (feats differ: gold has Case...).
        assert_eq!(m.clas.correct, 2); // He (nsubj) and sleep (root); n't is not aligned
        assert_eq!(m.mlas.correct, 0);
    }

    #[test]
    fn subtypes_and_language_specific_feats_are_ignored() {
        let g = vec![gold_sentence()];
        let mut s = g.clone();
        s[0].words[0].deprel = "nsubj:pass".into();
        s[0].words[1].feats = "Mood=Ind|Tense=Pres".into(); // drops the non-universal Typo=Yes
        let m = evaluate(&g, &s).unwrap();
        assert_eq!(m.las.f1(), 1.0);
        assert_eq!(m.ufeats.f1(), 1.0);
        assert_eq!(m.mlas.f1(), 1.0);
    }

    #[test]
    fn wrong_head_and_label() {
        let g = vec![gold_sentence()];
        let mut s = g.clone();
        s[0].words[4].head = 1; // punct on "He": wrong head, not a content relation
        s[0].words[2].deprel = "dep".into(); // n't advmod -> dep: right head, wrong label
        let m = evaluate(&g, &s).unwrap();
        assert_eq!(m.uas.correct, 4);
        assert_eq!(m.las.correct, 3);
        assert_eq!(
            (m.clas.correct, m.clas.gold_total, m.clas.system_total),
            (2, 3, 3)
        );
        // the wrong label also changes nothing in MLAS of "sleep": advmod is not functional
        assert_eq!(m.mlas.correct, 2);
    }

    #[test]
    fn sentence_split_mismatch() {
        // Gold: two sentences "A b ." "C d ."; system: one sentence with all six tokens.
        let mk = |forms: &[&str]| {
            let mut s = Sentence {
                comments: vec![],
                words: vec![],
                multiword: vec![],
            };
            for (i, f) in forms.iter().enumerate() {
                s.words.push(word(
                    i + 1,
                    f,
                    if i == 0 { 0 } else { 1 },
                    if i == 0 { "root" } else { "dep" },
                ));
            }
            s
        };
        let gold = vec![mk(&["A", "b", "."]), mk(&["C", "d", "."])];
        let sys = vec![mk(&["A", "b", ".", "C", "d", "."])];
        let m = evaluate(&gold, &sys).unwrap();
        assert_eq!(
            (
                m.sentences.correct,
                m.sentences.gold_total,
                m.sentences.system_total
            ),
            (0, 2, 1)
        );
        assert_eq!(m.tokens.f1(), 1.0);
        // "C" is a root in gold but depends on "A" in the system; C's children still point
        // to C in gold but to A in the system.
        assert_eq!(m.uas.correct, 3);
        let two = vec![mk(&["A", "b", "."]), mk(&["C", "d", "."])];
        assert_eq!(evaluate(&gold, &two).unwrap().sentences.f1(), 1.0);
    }

    #[test]
    fn lemma_underscore_in_gold_always_counts() {
        let g = vec![gold_sentence()];
        let mut g2 = g.clone();
        g2[0].words[0].lemma = "_".into();
        let mut s = g.clone();
        s[0].words[0].lemma = "whatever".into();
        let m = evaluate(&g2, &s).unwrap();
        assert_eq!(m.lemmas.f1(), 1.0);
        let m = evaluate(&g, &s).unwrap();
        assert_eq!(m.lemmas.correct, 4);
    }

    #[test]
    fn spaces_inside_forms_are_ignored() {
        let mut g = vec![gold_sentence()];
        g[0].words[3].form = "sle ep".into();
        let s = vec![gold_sentence()];
        assert_eq!(evaluate(&g, &s).unwrap().tokens.f1(), 1.0);
    }

    #[test]
    fn invalid_trees_are_errors() {
        let g = vec![gold_sentence()];
        let mut s = g.clone();
        s[0].words[0].head = 0;
        assert!(matches!(
            evaluate(&g, &s),
            Err(UdEvalError::Invalid { side: "system", .. })
        ));
        let mut c = g.clone();
        c[0].words[0].head = 2;
        c[0].words[1].head = 1;
        assert!(evaluate(&g, &c).is_err());
        let mut o = g.clone();
        o[0].words[0].head = 9;
        assert!(evaluate(&g, &o).is_err());
    }

    #[test]
    fn table_has_script_layout() {
        let g = vec![gold_sentence()];
        let t = evaluate(&g, &g).unwrap().table();
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(
            lines[0],
            "Metric     | Precision |    Recall |  F1 Score | AligndAcc"
        );
        assert_eq!(lines[2], "Tokens     |    100.00 |    100.00 |    100.00 |");
        assert_eq!(
            lines[11],
            "LAS        |    100.00 |    100.00 |    100.00 |    100.00"
        );
        assert_eq!(lines.len(), 15);
    }
}
