//! Coreference evaluation on GUM dev with the CoNLL-2012 metrics (MUC, B³, CEAF-e and
//! their mean), over the gold clusters that contain a proper-name mention.
//!
//! What is compared, and why:
//! - **Key**: GUM's coreference clusters (all mentions: names, nominals, pronouns) that
//!   contain a proper-name mention, i.e. a mention whose syntactic head is PROPN and which
//!   is not a coordination ("Mario and Isabel" is a group). Singletons are removed, as in
//!   CoNLL-2012 (OntoNotes has none).
//! - **Response**: `kg`'s clusters, which by construction are the ones with a proper name
//!   (the system's own notion of "named"), plus countries' institutions ("Italian
//!   authorities", `coref::state_institution`); singletons removed (CoNLL-2012 systems do not
//!   output them, and the reference scorer would count a twinless singleton against
//!   precision). The response is not restricted further by the key: a response cluster
//!   that GUM does not consider named, or mentions GUM has no mention for, count against
//!   precision, as in the reference scorer (Pradhan et al. 2014: no mention manipulation).
//!   One scheme difference is removed: adjectival demonyms ("Dutch libraries"), which
//!   GUM never marks as mentions ([`response_clusters`]).
//! - **Mention identity**: (sentence, head word) on both sides, not the exact span — the
//!   usual head-match relaxation, because GUM's spans include relative clauses and
//!   appositions while `kg` marks the name or the short noun phrase. When two gold mentions
//!   share a head, the shortest one owns it ([`gold_named_clusters`]). The reference scorer
//!   matches exact spans, so these numbers are not comparable with published span-matched
//!   CoNLL scores. The head is always read off GUM's gold tree, for response mentions too
//!   (as minimum spans are in CorefUD's scorer): with `kg`'s own parse, a right span
//!   whose head `kg` parsed wrong would otherwise count as another mention.
//! - **Syntax**: `eval_gum` reads GUM's gold tokens, tags and trees (like the NER
//!   evaluation); only the NER is `kg`'s model. With the shipped tagger, lemmatizer and
//!   parser on gold tokens the score is lower ([`eval_gum_with`] measures that).
//!
//! Scores are accumulated over documents (numerators and denominators summed).

use crate::nlp::conllu::{self, Sentence};
use crate::nlp::coref::{self, Cluster};
use crate::nlp::gazetteer::Gazetteer;
use crate::nlp::ner::{self, EntitySpan, GumDoc, Ner, span_head};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A mention identity: (sentence, head word).
pub type Mid = (usize, usize);

/// Recall/precision accumulators of one metric.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Acc {
    pub r_num: f64,
    pub r_den: f64,
    pub p_num: f64,
    pub p_den: f64,
}

impl Acc {
    pub fn recall(&self) -> f64 {
        if self.r_den == 0.0 {
            0.0
        } else {
            self.r_num / self.r_den
        }
    }
    pub fn precision(&self) -> f64 {
        if self.p_den == 0.0 {
            0.0
        } else {
            self.p_num / self.p_den
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
    fn add(&mut self, o: Acc) {
        self.r_num += o.r_num;
        self.r_den += o.r_den;
        self.p_num += o.p_num;
        self.p_den += o.p_den;
    }
}

/// The three metrics and their mean F1 (the CoNLL score).
#[derive(Debug, Clone, Copy, Default)]
pub struct CorefScores {
    pub muc: Acc,
    pub b3: Acc,
    pub ceafe: Acc,
}

impl CorefScores {
    pub fn conll(&self) -> f64 {
        (self.muc.f1() + self.b3.f1() + self.ceafe.f1()) / 3.0
    }
    fn add(&mut self, o: &CorefScores) {
        self.muc.add(o.muc);
        self.b3.add(o.b3);
        self.ceafe.add(o.ceafe);
    }
}

/// MUC (Vilain et al. 1995): links. Recall = Σ(|K| − |partitions of K by R|) / Σ(|K| − 1).
pub fn muc(key: &[Vec<Mid>], resp: &[Vec<Mid>]) -> Acc {
    let part = |a: &[Vec<Mid>], b: &[Vec<Mid>]| -> (f64, f64) {
        let owner: BTreeMap<Mid, usize> = b
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.iter().map(move |m| (*m, i)))
            .collect();
        let (mut num, mut den) = (0.0, 0.0);
        for c in a {
            if c.is_empty() {
                continue;
            }
            let mut parts: BTreeSet<Option<usize>> = BTreeSet::new();
            let mut unaligned = 0usize;
            for m in c {
                match owner.get(m) {
                    Some(&i) => {
                        parts.insert(Some(i));
                    }
                    None => unaligned += 1,
                }
            }
            let p = parts.len() + unaligned;
            num += (c.len() - p) as f64;
            den += (c.len() - 1) as f64;
        }
        (num, den)
    };
    let (rn, rd) = part(key, resp);
    let (pn, pd) = part(resp, key);
    Acc {
        r_num: rn,
        r_den: rd,
        p_num: pn,
        p_den: pd,
    }
}

/// B³ (Bagga & Baldwin 1998): per-mention overlap of key and response clusters.
pub fn b_cubed(key: &[Vec<Mid>], resp: &[Vec<Mid>]) -> Acc {
    let side = |a: &[Vec<Mid>], b: &[Vec<Mid>]| -> (f64, f64) {
        let owner: BTreeMap<Mid, usize> = b
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.iter().map(move |m| (*m, i)))
            .collect();
        let (mut num, mut den) = (0.0, 0.0);
        for c in a {
            let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
            for m in c {
                if let Some(&i) = owner.get(m) {
                    *counts.entry(i).or_default() += 1;
                }
            }
            for n in counts.values() {
                num += (*n * *n) as f64 / c.len() as f64;
            }
            den += c.len() as f64;
        }
        (num, den)
    };
    let (rn, rd) = side(key, resp);
    let (pn, pd) = side(resp, key);
    Acc {
        r_num: rn,
        r_den: rd,
        p_num: pn,
        p_den: pd,
    }
}

/// CEAF-e (Luo 2005), entity similarity φ4 = 2|K∩R|/(|K|+|R|), optimal one-to-one
/// alignment by the Hungarian algorithm.
pub fn ceaf_e(key: &[Vec<Mid>], resp: &[Vec<Mid>]) -> Acc {
    let n = key.len().max(resp.len());
    let mut sim = vec![vec![0.0f64; n]; n];
    for (i, k) in key.iter().enumerate() {
        let ks: BTreeSet<&Mid> = k.iter().collect();
        for (j, r) in resp.iter().enumerate() {
            let common = r.iter().filter(|m| ks.contains(m)).count();
            if common > 0 {
                sim[i][j] = 2.0 * common as f64 / (k.len() + r.len()) as f64;
            }
        }
    }
    let total = max_assignment(&sim);
    Acc {
        r_num: total,
        r_den: key.len() as f64,
        p_num: total,
        p_den: resp.len() as f64,
    }
}

/// Maximum-weight perfect assignment on a square matrix (Hungarian algorithm, O(n³)).
fn max_assignment(w: &[Vec<f64>]) -> f64 {
    let n = w.len();
    if n == 0 {
        return 0.0;
    }
    // Minimise cost = max - w.
    let maxw = w.iter().flatten().cloned().fold(0.0, f64::max);
    let cost = |i: usize, j: usize| maxw - w[i][j];
    let inf = f64::INFINITY;
    let mut u = vec![0.0; n + 1];
    let mut v = vec![0.0; n + 1];
    let mut p = vec![0usize; n + 1];
    let mut way = vec![0usize; n + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![inf; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = inf;
            let mut j1 = 0;
            for j in 1..=n {
                if !used[j] {
                    let cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    (1..=n)
        .filter(|&j| p[j] > 0)
        .map(|j| w[p[j] - 1][j - 1])
        .sum()
}

/// All three metrics for one document.
pub fn score_document(key: &[Vec<Mid>], resp: &[Vec<Mid>]) -> CorefScores {
    CorefScores {
        muc: muc(key, resp),
        b3: b_cubed(key, resp),
        ceafe: ceaf_e(key, resp),
    }
}

/// Is the gold mention `start..end` with head `h` a proper-name mention? Its head is a
/// PROPN and it is not a coordination ("Mario and Isabel" is a group, not a name).
fn is_name_mention(s: &Sentence, start: usize, end: usize, h: usize) -> bool {
    s.words[h].upos == "PROPN"
        && !s.words[start..end]
            .iter()
            .any(|w| w.head == h + 1 && w.deprel == "conj")
}

/// Gold clusters of a GUM document that contain a proper-name mention, mentions as
/// (sentence, head), singletons removed.
///
/// Two gold mentions can share a head word ("\[\[Mario\] and Isabel\]", "\[Newfoundland\] and
/// Labrador" nested in a longer name): the shortest one owns the (sentence, head) id,
/// the longer ones get an id no response mention can have (they count as missed), so
/// that no id sits in two key clusters, which the metrics assume.
pub fn gold_named_clusters(doc: &GumDoc) -> Vec<Vec<Mid>> {
    // Shortest mention per (sentence, head).
    let mut owner: BTreeMap<Mid, (usize, usize)> = BTreeMap::new();
    let mut heads = Vec::with_capacity(doc.mentions.len());
    for (k, m) in doc.mentions.iter().enumerate() {
        let s = &doc.sentences[m.sentence];
        if m.end > s.words.len() || m.start >= m.end {
            heads.push(None);
            continue;
        }
        let h = span_head(s, m.start, m.end);
        heads.push(Some(h));
        let len = m.end - m.start;
        let e = owner.entry((m.sentence, h)).or_insert((len, k));
        if len < e.0 {
            *e = (len, k);
        }
    }
    let mut by_eid: BTreeMap<&str, (bool, BTreeSet<Mid>)> = BTreeMap::new();
    for (k, m) in doc.mentions.iter().enumerate() {
        let Some(h) = heads[k] else { continue };
        let s = &doc.sentences[m.sentence];
        let id = if owner.get(&(m.sentence, h)).map(|x| x.1) == Some(k) {
            (m.sentence, h)
        } else {
            (m.sentence, usize::MAX - k)
        };
        let e = by_eid.entry(m.eid.as_str()).or_default();
        e.0 |= is_name_mention(s, m.start, m.end, h);
        e.1.insert(id);
    }
    by_eid
        .into_values()
        .filter(|(named, ms)| *named && ms.len() > 1)
        .map(|(_, ms)| ms.into_iter().collect())
        .collect()
}

/// Response clusters as mention-id lists, singletons removed. An id claimed by two
/// clusters (nested mentions with one head) stays with the first.
///
/// Adjectival demonyms ("Dutch" in "Dutch libraries") are left out: `kg` keeps them in
/// the country's cluster on purpose (they give titles their jurisdiction), but GUM does
/// not mark adjectival modifiers as mentions at all (8 ADJ mentions in all of GUM
/// train+dev, none a country demonym), so scoring them would grade the annotation
/// scheme, not the coreference.
pub fn response_clusters(clusters: &[Cluster]) -> Vec<Vec<Mid>> {
    response_clusters_by(clusters, &|m| m.head)
}

/// [`response_clusters`] with each mention's head word given by `head`.
pub fn response_clusters_by(
    clusters: &[Cluster],
    head: &dyn Fn(&coref::MentionRef) -> usize,
) -> Vec<Vec<Mid>> {
    let mut seen: BTreeSet<Mid> = BTreeSet::new();
    clusters
        .iter()
        .map(|c| {
            c.mentions
                .iter()
                .filter(|m| !m.is_demonym)
                .map(|m| (m.sentence, head(m)))
                .filter(|id| seen.insert(*id))
                .collect::<BTreeSet<Mid>>()
        })
        .filter(|s| s.len() > 1)
        .map(|s| s.into_iter().collect())
        .collect()
}

/// Where the NER spans given to the resolver come from.
pub enum NerSource<'a> {
    /// The trained model (end-to-end).
    Model(&'a Ner),
    /// GUM gold named spans (isolates coreference from NER errors).
    Gold,
}

/// Evaluates on a GUM CoNLL-U file (gold tokens and trees).
pub fn eval_gum(
    path: &Path,
    ner_src: NerSource,
    gaz: &Gazetteer,
) -> Result<CorefScores, conllu::ConlluError> {
    eval_gum_with(path, ner_src, gaz, &|_| {})
}

/// [`eval_gum`] with `analyze` applied to every sentence first (e.g. the shipped tagger,
/// lemmatizer and parser on gold tokens); the key still comes from the gold annotation.
pub fn eval_gum_with(
    path: &Path,
    ner_src: NerSource,
    gaz: &Gazetteer,
    analyze: &dyn Fn(&mut Sentence),
) -> Result<CorefScores, conllu::ConlluError> {
    let docs = ner::gum_documents(conllu::read_file(path)?);
    let mut total = CorefScores::default();
    for d in &docs {
        let mut analysed = d.clone();
        analysed.sentences.iter_mut().for_each(analyze);
        let clusters = document_clusters(&analysed, &ner_src, gaz);
        // A response mention is identified by the head its words have in the gold tree,
        // like the key's: a parse error in `kg`'s own tree must not make a right span a
        // different mention (with gold trees this is the resolver's own head).
        let resp = response_clusters_by(&clusters, &|m| {
            span_head(&d.sentences[m.sentence], m.start, m.end)
        });
        total.add(&score_document(&gold_named_clusters(d), &resp));
    }
    Ok(total)
}

/// Key and response of one document (exposed for error analysis).
pub fn document_key_response(
    d: &GumDoc,
    ner_src: &NerSource,
    gaz: &Gazetteer,
) -> (Vec<Vec<Mid>>, Vec<Vec<Mid>>) {
    let clusters = document_clusters(d, ner_src, gaz);
    (gold_named_clusters(d), response_clusters(&clusters))
}

/// `kg`'s clusters for one document, with NER spans from `ner_src`.
pub fn document_clusters(d: &GumDoc, ner_src: &NerSource, gaz: &Gazetteer) -> Vec<Cluster> {
    let spans: Vec<Vec<EntitySpan>> = match ner_src {
        NerSource::Model(m) => m.tag_document_with_misc(&d.sentences.iter().collect::<Vec<_>>()),
        NerSource::Gold => ner::gum_training_data(std::slice::from_ref(d), Some(gaz))
            .into_iter()
            .map(|(_, sp)| sp)
            .collect(),
    };
    let (text, analyzed) = coref::analyzed_from_conllu(&d.sentences);
    coref::resolve(&text, &analyzed, &spans, gaz)
}

pub fn format_scores(title: &str, s: &CorefScores) -> String {
    let row = |n: &str, a: &Acc| {
        format!(
            "  {n:<7} R {:.3}  P {:.3}  F1 {:.3}\n",
            a.recall(),
            a.precision(),
            a.f1()
        )
    };
    let mut out = format!("{title}\n");
    out.push_str(&row("MUC", &s.muc));
    out.push_str(&row("B3", &s.b3));
    out.push_str(&row("CEAF-e", &s.ceafe));
    out.push_str(&format!("  CoNLL F1 {:.4}\n", s.conll()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(v: &[usize]) -> Vec<Mid> {
        v.iter().map(|&x| (0, x)).collect()
    }

    #[test]
    fn perfect_response_scores_one() {
        let key = vec![c(&[1, 2, 3]), c(&[4, 5])];
        let s = score_document(&key, &key);
        assert!(
            (s.muc.f1() - 1.0).abs() < 1e-9
                && (s.b3.f1() - 1.0).abs() < 1e-9
                && (s.ceafe.f1() - 1.0).abs() < 1e-9
        );
    }

    #[test]
    fn textbook_example() {
        // Key {1,2,3,4,5} {6,7}; response {1,2,3,4,5,6,7} (everything merged).
        let key = vec![c(&[1, 2, 3, 4, 5]), c(&[6, 7])];
        let resp = vec![c(&[1, 2, 3, 4, 5, 6, 7])];
        let m = muc(&key, &resp);
        assert!((m.recall() - 1.0).abs() < 1e-9);
        assert!((m.precision() - 5.0 / 6.0).abs() < 1e-9);
        let b = b_cubed(&key, &resp);
        assert!((b.recall() - 1.0).abs() < 1e-9);
        // precision = (5*5/7 + 2*2/7)/7 = 29/49
        assert!((b.precision() - 29.0 / 49.0).abs() < 1e-9);
        let e = ceaf_e(&key, &resp);
        // best alignment: {1..5} with the response: 2*5/12
        assert!((e.p_num - 10.0 / 12.0).abs() < 1e-9);
        assert!((e.recall() - (10.0 / 12.0) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn shared_heads_and_coordinations_in_the_key() {
        use crate::nlp::conllu::parse_str;
        use crate::nlp::ner::GumMention;
        // "Mario and Isabel came . Mario left ." Entities: 1 = Mario (2 mentions),
        // 2 = the pair (one mention with head "Mario", and "they" below).
        let rows = "1\tMario\tMario\tPROPN\t_\t_\t4\tnsubj\t_\t_\n\
                    2\tand\tand\tCCONJ\t_\t_\t3\tcc\t_\t_\n\
                    3\tIsabel\tIsabel\tPROPN\t_\t_\t1\tconj\t_\t_\n\
                    4\tcame\tcome\tVERB\t_\t_\t0\troot\t_\t_\n\n\
                    1\tMario\tMario\tPROPN\t_\t_\t2\tnsubj\t_\t_\n\
                    2\tleft\tleave\tVERB\t_\t_\t0\troot\t_\t_\n\
                    3\tthey\tthey\tPRON\t_\t_\t2\tobj\t_\t_\n";
        let sentences = parse_str(rows).unwrap();
        let m = |sentence, start, end, eid: &str| GumMention {
            sentence,
            start,
            end,
            eid: eid.into(),
            etype: "person".into(),
            identity: None,
        };
        let doc = GumDoc {
            id: "t".into(),
            sentences,
            mentions: vec![
                m(0, 0, 3, "2"),
                m(0, 0, 1, "1"),
                m(1, 0, 1, "1"),
                m(1, 2, 3, "2"),
            ],
        };
        let key = gold_named_clusters(&doc);
        // Mario keeps (0,0); the pair is not a name, so its cluster is not in the key.
        assert_eq!(key, vec![vec![(0, 0), (1, 0)]]);
    }

    #[test]
    fn response_drops_demonyms_duplicates_and_singletons() {
        use crate::nlp::coref::MentionRef;
        let r = |sentence, head, demonym| MentionRef {
            sentence,
            start: head,
            end: head + 1,
            head,
            bytes: (0, 0),
            text: String::new(),
            is_pronoun: false,
            is_demonym: demonym,
        };
        let c = |ms: Vec<MentionRef>| Cluster {
            canonical: "x".into(),
            kind: coref::EntityKind::Country,
            qid: None,
            mentions: ms,
        };
        let resp = response_clusters(&[
            c(vec![r(0, 1, false), r(1, 2, true), r(2, 3, false)]),
            c(vec![r(2, 3, false), r(3, 0, false)]),
            c(vec![r(4, 0, false), r(5, 0, true)]),
        ]);
        assert_eq!(resp, vec![vec![(0, 1), (2, 3)]]);
    }

    #[test]
    fn hungarian_finds_the_optimum() {
        let w = vec![
            vec![0.1, 0.9, 0.0],
            vec![0.8, 0.85, 0.0],
            vec![0.0, 0.0, 0.3],
        ];
        assert!((max_assignment(&w) - (0.9 + 0.8 + 0.3)).abs() < 1e-9);
    }
}
