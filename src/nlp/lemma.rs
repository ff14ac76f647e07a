//! Lemmatizer learned from the treebanks.
//!
//! Three layers, first match wins:
//! 1. a table `lower-cased form -> [(XPOS, lemma)]` of every training pair (most frequent
//!    lemma per pair); a known form with a tag it never had in training gets its most
//!    frequent lemma, because such a tag is more often a tagging error than a new lemma;
//! 2. fixed rules for clitic pieces (`n't` -> not, `ca` -> can, `wo` -> will, `'s` -> be
//!    or 's by tag, `gon` -> go, `na`/`ta` -> to), proper nouns and numbers (form kept);
//! 3. suffix rules `(XPOS, suffix of 1..=5 chars) -> (strip k chars, append s)` learned
//!    from word types, longest suffix first, for unseen words (`reassessed` -> strip 1).
//!
//! Keying on XPOS rather than UPOS separates `saw/VBD` (see) from `saw/NN` (saw) and
//! `'s/POS` from `'s/VBZ`; the tagger predicts both anyway.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use super::conllu::{Sentence, Word};
use super::perceptron::{FastMap, FnvBuild, ModelError, io::*};

const MAGIC: &[u8; 8] = b"KGLEMMA\0";
const VERSION: u32 = 1;
const MAX_SUFFIX: usize = 5;
/// A suffix rule is trusted only when at least this many word types support it.
const MIN_RULE_TYPES: usize = 2;

/// An edit turning a lower-cased form into its lemma: remove `strip` chars, add `append`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Edit {
    strip: u8,
    append: String,
}

impl Edit {
    fn between(form: &str, lemma: &str) -> Option<Edit> {
        let f: Vec<char> = form.chars().collect();
        let l: Vec<char> = lemma.chars().collect();
        let p = f.iter().zip(&l).take_while(|(a, b)| a == b).count();
        let strip = f.len() - p;
        if strip > 255 {
            return None;
        }
        Some(Edit {
            strip: strip as u8,
            append: l[p..].iter().collect(),
        })
    }

    fn apply(&self, form: &str) -> Option<String> {
        let n = form.chars().count();
        if self.strip as usize >= n {
            return None;
        }
        let keep: String = form.chars().take(n - self.strip as usize).collect();
        Some(keep + &self.append)
    }
}

/// Trained lemmatizer; see the module documentation.
#[derive(Debug, Clone, Default)]
pub struct Lemmatizer {
    /// lower form -> [(XPOS, lemma)] for every pair seen in training, most frequent
    /// first. An empty lemma stands for "the lower-cased form" (most entries).
    table: FastMap<String, Vec<(String, String)>>,
    /// `XPOS \t suffix` -> edit.
    rules: FastMap<String, Edit>,
}

fn is_proper(xpos: &str, upos: &str) -> bool {
    xpos == "NNP" || (upos == "PROPN" && xpos != "NNPS")
}

fn lower(form: &str) -> String {
    if form.is_ascii() {
        form.to_ascii_lowercase()
    } else {
        form.to_lowercase()
    }
}

/// A plural proper noun keeps the capitals of its form ("Methodists" -> "Methodist"),
/// where the table and the suffix rules work on the lower-cased form.
fn keep_case(form: &str, lemma: String, xpos: &str) -> String {
    if xpos == "NNPS" && lemma.len() <= form.len() {
        if let Some(prefix) = form.get(..lemma.len()) {
            if prefix.eq_ignore_ascii_case(&lemma) {
                return prefix.to_string();
            }
        }
    }
    lemma
}

/// Fixed rules for clitic pieces and closed classes; `None` when no rule applies.
fn fixed(form_l: &str, upos: &str, xpos: &str) -> Option<&'static str> {
    let f: Cow<'_, str> = if form_l.contains('\u{2019}') {
        Cow::Owned(form_l.replace('\u{2019}', "'"))
    } else {
        Cow::Borrowed(form_l)
    };
    Some(match (f.as_ref(), xpos) {
        ("n't" | "nt" | "not", _) if upos == "PART" || xpos == "RB" => "not",
        ("'m" | "m", _) if upos == "AUX" || upos == "VERB" => "be",
        ("'re" | "re", _) if upos == "AUX" || upos == "VERB" => "be",
        ("'ve" | "ve", _) if upos == "AUX" || upos == "VERB" => "have",
        ("'ll" | "ll", _) => "will",
        ("'d" | "d", "MD") => "would",
        ("'d" | "d", _) if upos == "AUX" || upos == "VERB" => "have",
        ("'s" | "s", "VBZ") => "be",
        ("'s" | "s" | "'", "POS") => "'s",
        ("ca", "MD") => "can",
        ("wo", "MD") => "will",
        ("ai", _) if upos == "AUX" || upos == "VERB" => "be",
        ("gon", _) => "go",
        ("wan", _) => "want",
        ("na" | "ta", "TO") => "to",
        _ => return None,
    })
}

impl Lemmatizer {
    /// Learns the exception table and suffix rules from gold-annotated sentences.
    pub fn train(train: &[Sentence]) -> Lemmatizer {
        Self::train_weighted(&[(train, 1)])
    }

    /// Trains on several treebanks, counting each word of a set `weight` times. Where the
    /// treebanks follow different conventions (GUM lemmatizes "people" as "person" and
    /// normalises "--" to "-", EWT does not), the heavier set wins.
    pub fn train_weighted(sets: &[(&[Sentence], usize)]) -> Lemmatizer {
        // (form_l, xpos, upos) -> lemma counts
        let mut pairs: BTreeMap<(String, String, String), BTreeMap<String, usize>> =
            BTreeMap::new();
        for (train, weight) in sets {
            for s in train.iter() {
                for w in &s.words {
                    if w.lemma.is_empty() || w.lemma == "_" && w.form != "_" {
                        continue;
                    }
                    *pairs
                        .entry((lower(&w.form), w.xpos.to_string(), w.upos.to_string()))
                        .or_default()
                        .entry(w.lemma.clone())
                        .or_default() += weight;
                }
            }
        }
        let best = |m: &BTreeMap<String, usize>| -> String {
            m.iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(l, _)| l.clone())
                .unwrap_or_default()
        };
        // Suffix rules from word types (not tokens: unseen words look like rare words).
        let mut counts: BTreeMap<String, BTreeMap<Edit, usize>> = BTreeMap::new();
        for ((form_l, xpos, upos), m) in &pairs {
            if is_proper(xpos, upos) {
                continue;
            }
            let lemma = lower(&best(m));
            let Some(edit) = Edit::between(form_l, &lemma) else {
                continue;
            };
            let chars: Vec<char> = form_l.chars().collect();
            for k in 1..=MAX_SUFFIX.min(chars.len()) {
                let suf: String = chars[chars.len() - k..].iter().collect();
                *counts
                    .entry(format!("{xpos}\t{suf}"))
                    .or_default()
                    .entry(edit.clone())
                    .or_default() += 1;
            }
        }
        let mut rules = FastMap::default();
        for (key, m) in counts {
            let total: usize = m.values().sum();
            if total < MIN_RULE_TYPES {
                continue;
            }
            if let Some((e, _)) = m.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) {
                rules.insert(key, e.clone());
            }
        }
        // Punctuation lemmas are a treebank convention ("--" is "--" in EWT, "-" in GUM),
        // not a function of the tag: decide them per form over all tags, so the heavier
        // treebank's convention wins for every tag the mark was given.
        let mut punct: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
        for ((form_l, _, upos), m) in &pairs {
            if upos == "PUNCT" {
                let e = punct.entry(form_l.as_str()).or_default();
                for (l, n) in m {
                    *e.entry(l.clone()).or_default() += n;
                }
            }
        }
        // Full table of seen pairs, most frequent pair first per form.
        let mut per_form: BTreeMap<String, Vec<(usize, String, String)>> = BTreeMap::new();
        for ((form_l, xpos, upos), m) in &pairs {
            let n: usize = m.values().sum();
            let gold = match punct.get(form_l.as_str()) {
                Some(all) if upos == "PUNCT" => best(all),
                _ => best(m),
            };
            let stored = if gold == *form_l { String::new() } else { gold };
            let v = per_form.entry(form_l.clone()).or_default();
            if let Some(e) = v.iter_mut().find(|e| e.1 == *xpos) {
                // same (form, XPOS) with another UPOS: keep the more frequent
                if n > e.0 {
                    *e = (n, xpos.clone(), stored);
                }
            } else {
                v.push((n, xpos.clone(), stored));
            }
        }
        let mut table = FastMap::default();
        for (form, mut v) in per_form {
            v.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            table.insert(form, v.into_iter().map(|(_, x, l)| (x, l)).collect());
        }
        Lemmatizer { table, rules }
    }

    fn by_rules(&self, form: &str, form_l: &str, upos: &str, xpos: &str) -> String {
        if let Some(l) = fixed(form_l, upos, xpos) {
            return l.to_string();
        }
        if is_proper(xpos, upos)
            || upos == "NUM"
            || upos == "PUNCT"
            || upos == "SYM"
            || xpos == "CD"
            || upos == "X"
        {
            return form.to_string();
        }
        if form_l == "i" && upos == "PRON" {
            return "I".to_string();
        }
        let chars: Vec<char> = form_l.chars().collect();
        for k in (1..=MAX_SUFFIX.min(chars.len())).rev() {
            let suf: String = chars[chars.len() - k..].iter().collect();
            if let Some(l) = self
                .rules
                .get(&format!("{xpos}\t{suf}"))
                .and_then(|e| e.apply(form_l))
            {
                return l;
            }
        }
        form_l.to_string()
    }

    /// Lemma of one word given its tags.
    pub fn lemma(&self, form: &str, upos: &str, xpos: &str) -> String {
        let mut out = String::new();
        self.lemma_into(form, upos, xpos, &mut out);
        out
    }

    /// `lemma` written into `out` (cleared first), reusing its allocation: the front
    /// end lemmatizes every word, and most lemmas are borrowed from the table.
    pub fn lemma_into(&self, form: &str, upos: &str, xpos: &str, out: &mut String) {
        out.clear();
        // A capitalised proper noun is its own lemma ("Holocaust", "WalMart"), whatever
        // case other spellings of the word had in training; a lower-cased one is
        // normalised through the table ("mexico" -> Mexico).
        let proper = xpos == "NNP" || (upos == "PROPN" && xpos != "NNPS");
        if proper && form.chars().any(char::is_uppercase) && fixed(form, upos, xpos).is_none() {
            out.push_str(form);
            return;
        }
        let form_l: Cow<'_, str> =
            if form.is_ascii() && !form.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Borrowed(form)
            } else {
                Cow::Owned(lower(form))
            };
        let found = self.table.get(form_l.as_ref()).and_then(|v| {
            // the pair as tagged; else the form's most frequent lemma (a tag never seen
            // with a known word is more likely a tagging error than a new lemma) - except
            // for clitic pieces and proper nouns, where the tag decides
            let hit = v.iter().find(|(x, _)| x == xpos);
            hit.or_else(|| {
                let fixed_applies = fixed(&form_l, upos, xpos).is_some() || is_proper(xpos, upos);
                if fixed_applies { None } else { v.first() }
            })
            .map(|(_, l)| l.as_str())
        });
        match found {
            Some("") => out.push_str(&form_l),
            Some(l) => out.push_str(l),
            None => out.push_str(&self.by_rules(form, &form_l, upos, xpos)),
        }
        if xpos == "NNPS" {
            let l = std::mem::take(out);
            *out = keep_case(form, l, xpos);
        }
    }

    /// Fills the LEMMA column from FORM, UPOS and XPOS.
    pub fn lemmatize(&self, s: &mut Sentence) {
        for w in &mut s.words {
            self.lemma_into(&w.form, &w.upos, &w.xpos, &mut w.lemma);
        }
        // A contracted "'s" before "been", "got" or "had" is "has" ("it's been", "she's
        // got"), not "is": the one clitic whose lemma needs the next word. (Other past
        // participles are mostly passives: "it's called".)
        for i in 0..s.words.len() {
            let clitic = s.words[i].xpos == "VBZ"
                && matches!(s.words[i].lemma.as_str(), "be")
                && matches!(s.words[i].form.as_str(), "'s" | "\u{2019}s" | "s");
            if clitic {
                let next = s.words[i + 1..]
                    .iter()
                    .find(|w| !matches!(w.upos.as_str(), "ADV" | "PART"));
                let perfect = |w: &&Word| {
                    let f = w.form.to_lowercase();
                    matches!(f.as_str(), "been" | "got" | "gotten" | "had")
                };
                if next.is_some_and(|w| perfect(&w)) {
                    s.words[i].lemma = "have".to_string();
                }
            }
        }
    }

    /// Lemma accuracy (percent) on gold sentences, using the tags already in `tagged`
    /// (gold or predicted) and the gold lemmas of `gold`.
    pub fn accuracy(&self, tagged: &[Sentence], gold: &[Sentence]) -> f64 {
        let (mut n, mut ok) = (0usize, 0usize);
        for (t, g) in tagged.iter().zip(gold) {
            for (tw, gw) in t.words.iter().zip(&g.words) {
                n += 1;
                ok += (self.lemma(&tw.form, &tw.upos, &tw.xpos) == gw.lemma) as usize;
            }
        }
        100.0 * ok as f64 / n.max(1) as f64
    }

    /// Number of known forms and suffix rules.
    pub fn sizes(&self) -> (usize, usize) {
        (self.table.len(), self.rules.len())
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let mut w = BufWriter::new(std::fs::File::create(path)?);
        self.write_to(&mut w)?;
        w.flush()
    }

    pub fn write_to<W: Write>(&self, w: &mut W) -> std::io::Result<()> {
        w.write_all(MAGIC)?;
        write_u32(w, VERSION)?;
        let mut forms: Vec<(&String, &Vec<(String, String)>)> = self.table.iter().collect();
        forms.sort();
        write_u32(w, forms.len() as u32)?;
        for (f, v) in forms {
            write_str(w, f)?;
            write_u32(w, v.len() as u32)?;
            for (x, l) in v {
                write_str(w, x)?;
                write_str(w, l)?;
            }
        }
        let mut rules: Vec<(&String, &Edit)> = self.rules.iter().collect();
        rules.sort();
        write_u32(w, rules.len() as u32)?;
        for (k, e) in rules {
            write_str(w, k)?;
            write_u32(w, e.strip as u32)?;
            write_str(w, &e.append)?;
        }
        Ok(())
    }

    pub fn load(path: &Path) -> Result<Lemmatizer, ModelError> {
        let mut r = BufReader::new(std::fs::File::open(path)?);
        Self::read_from(&mut r)
    }

    pub fn read_from<R: Read>(r: &mut R) -> Result<Lemmatizer, ModelError> {
        check_header(r, MAGIC, VERSION)?;
        let n = read_u32(r)? as usize;
        let mut table = FastMap::with_capacity_and_hasher(n.min(1 << 20), FnvBuild);
        for _ in 0..n {
            let f = read_str(r)?;
            let k = read_u32(r)? as usize;
            if k > 1024 {
                return Err(ModelError::Corrupt(format!("{k} tags for one form")));
            }
            let mut v = Vec::with_capacity(k);
            for _ in 0..k {
                let x = read_str(r)?;
                let l = read_str(r)?;
                v.push((x, l));
            }
            table.insert(f, v);
        }
        let n = read_u32(r)? as usize;
        let mut rules = FastMap::with_capacity_and_hasher(n.min(1 << 20), FnvBuild);
        for _ in 0..n {
            let k = read_str(r)?;
            let strip = read_u32(r)?;
            if strip > 255 {
                return Err(ModelError::Corrupt(format!(
                    "suffix rule strips {strip} chars"
                )));
            }
            let append = read_str(r)?;
            rules.insert(
                k,
                Edit {
                    strip: strip as u8,
                    append,
                },
            );
        }
        Ok(Lemmatizer { table, rules })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlp::conllu::parse_str;

    fn corpus() -> Vec<Sentence> {
        let rows = [
            ("walked", "walk", "VERB", "VBD"),
            ("talked", "talk", "VERB", "VBD"),
            ("jumped", "jump", "VERB", "VBD"),
            ("went", "go", "VERB", "VBD"),
            ("dogs", "dog", "NOUN", "NNS"),
            ("cats", "cat", "NOUN", "NNS"),
            ("boxes", "box", "NOUN", "NNS"),
            ("foxes", "fox", "NOUN", "NNS"),
            ("saw", "see", "VERB", "VBD"),
            ("saw", "saw", "NOUN", "NN"),
            ("Paris", "Paris", "PROPN", "NNP"),
            ("'s", "'s", "PART", "POS"),
            ("'s", "be", "AUX", "VBZ"),
            ("The", "the", "DET", "DT"),
        ];
        let mut t = String::new();
        for (i, (f, l, u, x)) in rows.iter().enumerate() {
            t.push_str(&format!("{}\t{f}\t{l}\t{u}\t{x}\t_\t0\t_\t_\t_\n", i + 1));
        }
        parse_str(&t).unwrap()
    }

    #[test]
    fn table_rules_and_fixed() {
        let l = Lemmatizer::train(&corpus());
        assert_eq!(l.lemma("went", "VERB", "VBD"), "go");
        assert_eq!(l.lemma("saw", "VERB", "VBD"), "see");
        assert_eq!(l.lemma("saw", "NOUN", "NN"), "saw");
        assert_eq!(l.lemma("crawled", "VERB", "VBD"), "crawl"); // suffix rule, unseen
        assert_eq!(l.lemma("taxes", "NOUN", "NNS"), "tax");
        assert_eq!(l.lemma("Tokayev", "PROPN", "NNP"), "Tokayev");
        assert_eq!(l.lemma("n't", "PART", "RB"), "not");
        assert_eq!(l.lemma("n\u{2019}t", "PART", "RB"), "not");
        assert_eq!(l.lemma("wo", "AUX", "MD"), "will");
        assert_eq!(l.lemma("ca", "AUX", "MD"), "can");
        assert_eq!(l.lemma("'s", "AUX", "VBZ"), "be");
        assert_eq!(l.lemma("'s", "PART", "POS"), "'s");
        assert_eq!(l.lemma("The", "DET", "DT"), "the");
        assert_eq!(l.lemma("1,000", "NUM", "CD"), "1,000");
    }

    #[test]
    fn proper_nouns_contractions_and_punctuation_conventions() {
        let mut t = String::new();
        let rows = [
            ("Al", "Al", "PROPN", "NNP"),
            ("Methodists", "Methodist", "PROPN", "NNPS"),
            ("Democrats", "Democrat", "PROPN", "NNPS"),
            ("--", "--", "PUNCT", ","),
            ("--", "--", "PUNCT", ","),
            ("--", "-", "PUNCT", ":"),
        ];
        for (i, (f, l, u, x)) in rows.iter().enumerate() {
            t.push_str(&format!("{}\t{f}\t{l}\t{u}\t{x}\t_\t0\t_\t_\t_\n", i + 1));
        }
        let l = Lemmatizer::train(&parse_str(&t).unwrap());
        // a capitalised proper noun keeps its own spelling; plurals keep their capitals
        assert_eq!(l.lemma("AL", "PROPN", "NNP"), "AL");
        assert_eq!(l.lemma("Baptists", "PROPN", "NNPS"), "Baptist");
        // one convention per punctuation mark, whatever its tag
        assert_eq!(l.lemma("--", "PUNCT", ":"), "--");
        let l = Lemmatizer::train(&corpus());
        let mut s = parse_str(
            "1\tit\t_\tPRON\tPRP\t_\t0\t_\t_\t_\n2\t's\t_\tAUX\tVBZ\t_\t0\t_\t_\t_\n\
             3\tnever\t_\tADV\tRB\t_\t0\t_\t_\t_\n4\tbeen\t_\tAUX\tVBN\t_\t0\t_\t_\t_\n\n\
             1\tit\t_\tPRON\tPRP\t_\t0\t_\t_\t_\n2\t's\t_\tAUX\tVBZ\t_\t0\t_\t_\t_\n\
             3\tcalled\t_\tVERB\tVBN\t_\t0\t_\t_\t_\n",
        )
        .unwrap();
        for x in &mut s {
            l.lemmatize(x);
        }
        assert_eq!(s[0].words[1].lemma, "have");
        assert_eq!(s[1].words[1].lemma, "be");
    }

    #[test]
    fn round_trip_deterministic_and_errors() {
        let l = Lemmatizer::train(&corpus());
        let (mut a, mut b) = (Vec::new(), Vec::new());
        l.write_to(&mut a).unwrap();
        Lemmatizer::train(&corpus()).write_to(&mut b).unwrap();
        assert_eq!(a, b);
        let r = Lemmatizer::read_from(&mut a.as_slice()).unwrap();
        assert_eq!(r.lemma("crawled", "VERB", "VBD"), "crawl");
        assert_eq!(r.lemma("went", "VERB", "VBD"), "go");
        for cut in [0, 4, 10, a.len() - 1] {
            assert!(Lemmatizer::read_from(&mut &a[..cut]).is_err());
        }
        let mut v = a.clone();
        v[8] = 7;
        assert!(matches!(
            Lemmatizer::read_from(&mut v.as_slice()),
            Err(ModelError::Version { found: 7, .. })
        ));
    }
}
