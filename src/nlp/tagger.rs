//! Part-of-speech and morphology tagger: greedy left-to-right averaged perceptron.
//!
//! Design (measured choices, see data/models/tagger.md):
//! - One perceptron predicts the joint class `UPOS+XPOS` (about 120 classes in EWT+GUM),
//!   so UPOS and XPOS are always consistent with each other and the parser can trust both.
//! - FEATS are predicted by a second perceptron whose candidates are restricted to the
//!   feature strings seen with the predicted UPOS+XPOS in training; most classes have a
//!   single candidate (NN -> Number=Sing), so the second model only runs for the few
//!   ambiguous ones (VBN ± Voice=Pass, pronouns, ...).
//! - A tag dictionary (forms seen ≥ 20 times with one class ≥ 97% of the time) skips the
//!   model for about half the tokens (Honnibal's recipe, NLTK thresholds).
//! - Features follow Honnibal/NLTK plus suffixes 1-4, prefixes, word shape and a few
//!   word-pair features; atoms are hashed once per token and combined by integer mixing.

use std::collections::HashMap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use super::conllu::{Field, Sentence, Word};
use super::perceptron::{
    self, FastMap, FnvBuild, ModelError, Perceptron, argmax, hash_feature, mix64,
};

const MAGIC: &[u8; 8] = b"KGTAGGER";
const VERSION: u32 = 2;
/// Words seen at least this often get an ambiguity-class feature (the set of classes
/// they had in training); rarer words would leak their gold tag into the feature.
const AMB_MIN_COUNT: usize = 3;
const HASH_BITS: u32 = 20;
const FEATS_HASH_BITS: u32 = 18;
const TAGDICT_MIN_COUNT: usize = 20;
/// See [`Tagger::train`].
pub const DEFAULT_PRUNE: f32 = 0.5;
/// Suggested share for [`Tagger::restrict_feats_candidates`] (not applied to the shipped
/// model: measured +18% tagging speed for -0.23 FEATS accuracy on EWT dev).
pub const FEATS_MIN_SHARE: f64 = 0.01;
const TAGDICT_MIN_SHARE: f64 = 0.97;

/// Trained tagger; see the module documentation.
#[derive(Debug, Clone)]
pub struct Tagger {
    /// Joint classes, sorted: (UPOS, XPOS). Interned, so tagging a word copies pointers.
    classes: Vec<(Field, Field)>,
    /// FEATS strings, sorted; index 0 is "_". Interned.
    feats: Vec<Field>,
    /// Per joint class: candidate FEATS indices (most frequent first).
    allowed: Vec<Vec<u16>>,
    /// The tag dictionary (exact forms) and the ambiguity classes (lower-cased words:
    /// hash of the sorted set of classes seen) in one table: see [`Lexeme`]. The file
    /// keeps them as two sorted lists.
    lex: FastMap<String, Lexeme>,
    model: Perceptron,
    feats_model: Perceptron,
}

/// Per-epoch and final training figures (also printed by the training driver).
#[derive(Debug, Clone, Default)]
pub struct TrainReport {
    pub epochs: Vec<EpochScore>,
    pub best_epoch: usize,
}

/// Accuracies on the dev sets after one epoch (percent).
#[derive(Debug, Clone, Default)]
pub struct EpochScore {
    pub epoch: usize,
    pub train_acc: f64,
    pub dev: TagScores,
}

/// Token-level accuracies (percent) of UPOS, XPOS, FEATS and all three together.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TagScores {
    pub tokens: usize,
    pub upos: f64,
    pub xpos: f64,
    pub feats: f64,
    pub all_tags: f64,
}

// ---- feature extraction -------------------------------------------------------------

const K1: u64 = 0x9e37_79b9_7f4a_7c15;
const K2: u64 = 0xc2b2_ae3d_27d4_eb4f;

#[inline]
fn f1(t: u64, a: u64) -> u64 {
    mix64(a ^ t.wrapping_mul(K1))
}
#[inline]
fn f2(t: u64, a: u64, b: u64) -> u64 {
    mix64(mix64(a ^ t.wrapping_mul(K1)) ^ b.wrapping_mul(K2))
}

/// Hashes of the string atoms of one token, computed once per token.
#[derive(Debug, Clone, Copy)]
struct Atoms {
    word: u64,
    suf: [u64; 4],
    pre: [u64; 3],
    shape: u64,
    flags: u64,
    amb: u64,
}

const PAD_L: Atoms = Atoms {
    word: 11,
    suf: [11; 4],
    pre: [11; 3],
    shape: 11,
    flags: 11,
    amb: 11,
};
const PAD_R: Atoms = Atoms {
    word: 13,
    suf: [13; 4],
    pre: [13; 3],
    shape: 13,
    flags: 13,
    amb: 13,
};

fn word_shape(form: &str) -> String {
    let mut out = String::new();
    let mut last = '\0';
    let mut run = 0;
    for ch in form.chars() {
        let c = if ch.is_uppercase() {
            'X'
        } else if ch.is_lowercase() {
            'x'
        } else if ch.is_ascii_digit() {
            'd'
        } else if ch.is_alphabetic() {
            'a'
        } else {
            ch
        };
        if c == last {
            run += 1;
            if run >= 2 {
                continue;
            }
        } else {
            run = 0;
        }
        last = c;
        out.push(c);
        if out.len() > 12 {
            break;
        }
    }
    out
}

/// Word normalisation for the word-identity features: lower case; numbers collapse
/// to a few classes (a year, other digit strings by shape) so "1,250" and "3,400" share.
fn norm_word(form: &str, lower: &str) -> String {
    if form.bytes().any(|b| b.is_ascii_digit()) {
        if form.len() == 4 && form.bytes().all(|b| b.is_ascii_digit()) {
            return "!YEAR".into();
        }
        if form.bytes().all(|b| {
            b.is_ascii_digit() || b == b',' || b == b'.' || b == b'-' || b == b'/' || b == b':'
        }) {
            return format!("!D{}", word_shape(form));
        }
    }
    lower.to_string()
}

/// FNV-1a over a byte string, seeded by a template id, then mixed (same scheme as
/// `perceptron::hash_feature` for one part, without building a slice of parts).
#[inline]
fn hash_bytes(template: u64, bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ template.wrapping_mul(K1);
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix64(h)
}

/// What the tagger knows of one spelling: its tag-dictionary class (as an exact
/// form) and the hash of its ambiguity class (as a lower-cased word). For a
/// lower-case token, the common case, one lookup answers both.
#[derive(Debug, Clone, Copy, Default)]
struct Lexeme {
    dict: Option<u16>,
    amb: Option<u64>,
}

fn lexicon(tagdict: &FastMap<String, u16>, amb: &FastMap<String, u64>) -> FastMap<String, Lexeme> {
    let mut lex: FastMap<String, Lexeme> = FastMap::default();
    for (k, &c) in tagdict {
        lex.entry(k.clone()).or_default().dict = Some(c);
    }
    for (k, &h) in amb {
        lex.entry(k.clone()).or_default().amb = Some(h);
    }
    lex
}

/// The atoms of a token and its tag-dictionary class.
fn atoms(form: &str, first: bool, lex: &FastMap<String, Lexeme>) -> (Atoms, Option<u16>) {
    use std::borrow::Cow;
    let lower: Cow<str> = if form.bytes().any(|b| b.is_ascii_uppercase()) || !form.is_ascii() {
        Cow::Owned(form.to_lowercase())
    } else {
        Cow::Borrowed(form)
    };
    let exact = lex.get(form);
    let dict = exact.and_then(|e| e.dict);
    let amb = match lower {
        Cow::Borrowed(_) => exact.and_then(|e| e.amb),
        Cow::Owned(ref l) => lex.get(l.as_str()).and_then(|e| e.amb),
    };
    let has_digit = form.bytes().any(|b| b.is_ascii_digit());
    let word = if has_digit {
        hash_feature(1, &[&norm_word(form, &lower)])
    } else {
        hash_bytes(1, lower.as_bytes())
    };
    let lb = lower.as_bytes();
    let mut suf = [0u64; 4];
    let mut ends = [0usize; 4]; // byte start of the last 1..=4 chars
    let mut k = 0;
    for (i, _) in lower.char_indices().rev().take(4) {
        ends[k] = i;
        k += 1;
    }
    for e in ends.iter_mut().skip(k) {
        *e = 0;
    }
    for (j, s) in suf.iter_mut().enumerate() {
        *s = hash_bytes(100 + j as u64, &lb[ends[j]..]);
    }
    let mut pre = [0u64; 3];
    let mut it = lower.char_indices().skip(1).map(|(i, _)| i);
    for (j, p) in pre.iter_mut().enumerate() {
        let end = it.next().unwrap_or(lb.len());
        *p = hash_bytes(110 + j as u64, &lb[..end]);
    }
    // shape hash without building the string
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ 2u64.wrapping_mul(K1);
    let mut last = '\0';
    let mut run = 0;
    let mut len = 0;
    let mut upper0 = false;
    let mut any_upper = false;
    let mut any_lower = false;
    for (i, ch) in form.chars().enumerate() {
        let c = if ch.is_uppercase() {
            any_upper = true;
            if i == 0 {
                upper0 = true;
            }
            'X'
        } else if ch.is_lowercase() {
            any_lower = true;
            'x'
        } else if ch.is_ascii_digit() {
            'd'
        } else if ch.is_alphabetic() {
            'a'
        } else {
            ch
        };
        if c == last {
            run += 1;
            if run >= 2 {
                continue;
            }
        } else {
            run = 0;
        }
        last = c;
        if len <= 12 {
            h ^= c as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
            len += 1;
        }
    }
    let n = lower.chars().count();
    let has_hyphen = form.contains('-') && n > 1;
    let all_upper = any_upper && !any_lower;
    let flags = (upper0 as u64)
        | (has_hyphen as u64) << 1
        | (has_digit as u64) << 2
        | (all_upper as u64) << 3
        | (first as u64) << 4;
    let atoms = Atoms {
        word,
        suf,
        pre,
        shape: mix64(h),
        flags: mix64(flags + 17),
        amb: amb.unwrap_or(7),
    };
    (atoms, dict)
}

fn tag_atom(c: Option<usize>) -> u64 {
    match c {
        Some(c) => 1000 + c as u64,
        None => 1,
    }
}

/// Buffers `Tagger::tag` reuses from one sentence to the next: allocating them per
/// sentence made the allocator consolidate its free lists over and over (a third of
/// the front end's time went to malloc).
#[derive(Default)]
struct Scratch {
    atoms: Vec<Atoms>,
    dict: Vec<Option<u16>>,
    base: Vec<f32>,
    scores: Vec<f32>,
    all: Vec<f32>,
    pred: Vec<usize>,
    fv: Vec<u64>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Features for the joint-class model at position `i`; `prev` holds the classes already
/// assigned to positions `< i`.
fn class_features(a: &[Atoms], i: usize, prev: &[usize], out: &mut Vec<u64>) {
    out.clear();
    emit_class_features(a, i, prev, |_, f| out.push(f));
}

/// The features of `class_features` that do not look at earlier decisions: at tagging
/// time they are scored for the whole sentence up front, where their independent
/// table lookups overlap in memory.
fn static_class_features(a: &[Atoms], i: usize, out: &mut Vec<u64>) {
    out.clear();
    emit_class_features(a, i, &[], |history, f| {
        if !history {
            out.push(f);
        }
    });
}

/// The features of `class_features` that read the two previous classes.
fn history_class_features(a: &[Atoms], i: usize, prev: &[usize], out: &mut Vec<u64>) {
    out.clear();
    emit_class_features(a, i, prev, |history, f| {
        if history {
            out.push(f);
        }
    });
}

/// The one list of joint-class templates. `emit(history, feature)` receives them in a
/// fixed order (training sums float weights in this order, so it must not change);
/// `history` says whether the feature reads `prev`.
#[inline(always)]
fn emit_class_features(a: &[Atoms], i: usize, prev: &[usize], mut emit: impl FnMut(bool, u64)) {
    let at = |j: isize| -> &Atoms {
        if j < 0 {
            &PAD_L
        } else if j as usize >= a.len() {
            &PAD_R
        } else {
            &a[j as usize]
        }
    };
    let ii = i as isize;
    let w = at(ii);
    let (wm1, wm2, wp1, wp2) = (at(ii - 1), at(ii - 2), at(ii + 1), at(ii + 2));
    let t1 = tag_atom(i.checked_sub(1).and_then(|j| prev.get(j)).copied());
    let t2 = tag_atom(i.checked_sub(2).and_then(|j| prev.get(j)).copied());
    let (s, h) = (false, true);
    emit(s, f1(0, 0));
    emit(s, f1(1, w.word));
    emit(s, f1(2, w.suf[0]));
    emit(s, f1(3, w.suf[1]));
    emit(s, f1(4, w.suf[2]));
    emit(s, f1(5, w.suf[3]));
    emit(s, f1(6, w.pre[0]));
    emit(s, f1(7, w.pre[2]));
    emit(s, f1(8, w.shape));
    emit(s, f1(9, w.flags));
    emit(h, f1(10, t1));
    emit(h, f1(11, t2));
    emit(h, f2(12, t1, t2));
    emit(h, f2(13, t1, w.word));
    emit(s, f1(14, wm1.word));
    emit(s, f1(15, wm1.suf[2]));
    emit(s, f1(16, wm2.word));
    emit(s, f1(17, wp1.word));
    emit(s, f1(18, wp1.suf[2]));
    emit(s, f1(19, wp2.word));
    emit(s, f2(20, wm1.word, w.word));
    emit(s, f2(21, w.word, wp1.word));
    emit(h, f2(22, t1, w.suf[2]));
    emit(s, f1(23, wp1.shape));
    emit(s, f2(24, w.shape, w.flags));
    emit(s, f1(25, wm1.shape));
    emit(h, f2(26, t1, wp1.word));
    emit(s, f1(27, w.amb));
    emit(h, f2(28, w.amb, t1));
    emit(s, f1(29, wp1.amb));
    emit(s, f2(30, w.amb, wp1.amb));
    emit(s, f2(31, wm1.amb, w.amb));
}

/// Features for the FEATS model: the word, its neighbours and the predicted classes.
fn feats_features(a: &[Atoms], i: usize, classes: &[usize], out: &mut Vec<u64>) {
    out.clear();
    let cl = |j: isize| -> u64 {
        if j < 0 || j as usize >= classes.len() {
            3
        } else {
            1000 + classes[j as usize] as u64
        }
    };
    let wd = |j: isize| -> u64 {
        if j < 0 {
            11
        } else if j as usize >= a.len() {
            13
        } else {
            a[j as usize].word
        }
    };
    let ii = i as isize;
    let c = cl(ii);
    out.push(f1(50, c));
    out.push(f2(51, c, a[i].word));
    out.push(f2(52, c, a[i].suf[1]));
    out.push(f2(53, c, a[i].suf[2]));
    out.push(f2(54, c, cl(ii - 1)));
    out.push(f2(55, c, cl(ii - 2)));
    out.push(f2(56, c, cl(ii + 1)));
    out.push(f2(57, c, wd(ii - 1)));
    out.push(f2(58, c, wd(ii - 2)));
    out.push(f2(59, c, wd(ii + 1)));
    out.push(f2(60, c, a[i].shape));
    // "been/was ... VBN" and "has ... VBN" spread over up to 3 words to the left
    for k in 3..=4 {
        out.push(f2(60 + k as u64, c, wd(ii - k)));
    }
}

// ---- deterministic RNG for shuffling ------------------------------------------------

struct SplitMix(u64);
impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix64(self.0)
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

fn has_tags(w: &Word) -> bool {
    !w.upos.is_empty() && w.upos != "_"
}

impl Tagger {
    /// Trains on `train`, choosing the number of epochs (at most `max_epochs`) by the
    /// accuracy on `dev` (all three tags together). Deterministic for a given seed.
    /// The shipped model is pruned of averaged weights below this magnitude: -15% size,
    /// dev accuracy unchanged (EWT UPOS 95.00 -> 95.01, GUM 96.43 -> 96.39).
    pub fn train(train: &[Sentence], dev: &[Sentence], seed: u64) -> Tagger {
        let mut t = Self::train_with(train, dev, seed, 12, |_| {}).0;
        t.prune(DEFAULT_PRUNE);
        t
    }

    /// `train` with an epoch limit and a progress callback; returns the per-epoch report.
    pub fn train_with(
        train: &[Sentence],
        dev: &[Sentence],
        seed: u64,
        max_epochs: usize,
        mut progress: impl FnMut(&EpochScore),
    ) -> (Tagger, TrainReport) {
        // Inventories (BTreeMaps: sorted, so indices are deterministic).
        use std::collections::BTreeMap;
        let mut class_count: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut feats_count: BTreeMap<String, usize> = BTreeMap::new();
        for s in train {
            for w in s.words.iter().filter(|w| has_tags(w)) {
                *class_count
                    .entry((w.upos.to_string(), w.xpos.to_string()))
                    .or_default() += 1;
                *feats_count
                    .entry(norm_feats(&w.feats).to_string())
                    .or_default() += 1;
            }
        }
        feats_count.entry("_".into()).or_default();
        let classes: Vec<(Field, Field)> = class_count
            .keys()
            .map(|(u, x)| (Field::interned(u), Field::interned(x)))
            .collect();
        let feats: Vec<Field> = feats_count.keys().map(|f| Field::interned(f)).collect();
        let class_idx: HashMap<(&str, &str), usize> = classes
            .iter()
            .enumerate()
            .map(|(i, (u, x))| ((u.as_str(), x.as_str()), i))
            .collect();
        let feats_idx: HashMap<&str, usize> = feats
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();

        // Gold indices per sentence.
        let gold: Vec<(Vec<usize>, Vec<usize>)> = train
            .iter()
            .map(|s| {
                let c = s
                    .words
                    .iter()
                    .map(|w| {
                        class_idx
                            .get(&(w.upos.as_str(), w.xpos.as_str()))
                            .copied()
                            .unwrap_or(0)
                    })
                    .collect();
                let f = s
                    .words
                    .iter()
                    .map(|w| feats_idx.get(norm_feats(&w.feats)).copied().unwrap_or(0))
                    .collect();
                (c, f)
            })
            .collect();

        // Allowed FEATS per class, most frequent first (ties by index).
        let mut cf: Vec<BTreeMap<usize, usize>> = vec![BTreeMap::new(); classes.len()];
        // Tag dictionary counts.
        let mut word_class: BTreeMap<&str, BTreeMap<usize, usize>> = BTreeMap::new();
        for (s, (gc, gf)) in train.iter().zip(&gold) {
            for (k, w) in s.words.iter().enumerate() {
                if !has_tags(w) {
                    continue;
                }
                *cf[gc[k]].entry(gf[k]).or_default() += 1;
                *word_class
                    .entry(w.form.as_str())
                    .or_default()
                    .entry(gc[k])
                    .or_default() += 1;
            }
        }
        let allowed: Vec<Vec<u16>> = cf
            .iter()
            .map(|m| {
                let mut v: Vec<(usize, usize)> = m.iter().map(|(&f, &n)| (f, n)).collect();
                v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                let mut out: Vec<u16> = v.iter().map(|x| x.0 as u16).collect();
                if out.is_empty() {
                    out.push(0);
                }
                out
            })
            .collect();
        let mut tagdict = FastMap::default();
        for (form, m) in &word_class {
            let total: usize = m.values().sum();
            let (best, n) = m
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(c, n)| (*c, *n))
                .unwrap_or((0, 0));
            if total >= TAGDICT_MIN_COUNT && n as f64 / total as f64 >= TAGDICT_MIN_SHARE {
                tagdict.insert(form.to_string(), best as u16);
            }
        }

        let mut lower_class: BTreeMap<String, (usize, std::collections::BTreeSet<usize>)> =
            BTreeMap::new();
        for (s, (gc, _)) in train.iter().zip(&gold) {
            for (k, w) in s.words.iter().enumerate() {
                if has_tags(w) {
                    let e = lower_class.entry(w.form.to_lowercase()).or_default();
                    e.0 += 1;
                    e.1.insert(gc[k]);
                }
            }
        }
        let mut amb = FastMap::default();
        for (w, (n, set)) in lower_class {
            if n >= AMB_MIN_COUNT {
                let mut h = 0x1234_5678u64;
                for c in set {
                    h = mix64(h ^ (c as u64 + 1));
                }
                amb.insert(w, h);
            }
        }
        let mut tagger = Tagger {
            classes,
            feats,
            allowed,
            lex: lexicon(&tagdict, &amb),
            model: Perceptron::new(class_count.len(), HASH_BITS),
            feats_model: Perceptron::new(feats_count.len(), FEATS_HASH_BITS),
        };
        let mut order: Vec<usize> = (0..train.len()).collect();
        let mut rng = SplitMix(seed);
        let mut report = TrainReport::default();
        let mut best: Option<(f64, Tagger)> = None;
        let mut fv = Vec::with_capacity(64);
        let mut scores = vec![0f32; tagger.model.n_classes()];
        let mut sub = Vec::new();
        for epoch in 1..=max_epochs {
            rng.shuffle(&mut order);
            let (mut correct, mut total) = (0usize, 0usize);
            for &si in &order {
                let s = &train[si];
                let (gc, gf) = &gold[si];
                if s.words.is_empty() || !s.words.iter().all(has_tags) {
                    continue;
                }
                let at: Vec<Atoms> = s
                    .words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| atoms(&w.form, i == 0, &tagger.lex).0)
                    .collect();
                let mut pred = Vec::with_capacity(at.len());
                #[allow(clippy::needless_range_loop)] // i indexes words, atoms and gold together
                for i in 0..at.len() {
                    let dict = tagger.lex.get(&s.words[i].form).and_then(|e| e.dict);
                    let guess = if let Some(c) = dict {
                        c as usize
                    } else {
                        class_features(&at, i, &pred, &mut fv);
                        tagger.model.scores(&fv, &mut scores);
                        let g = argmax(&scores);
                        tagger.model.update(&fv, gc[i], g);
                        tagger.model.tick();
                        g
                    };
                    correct += (guess == gc[i]) as usize;
                    total += 1;
                    pred.push(guess);
                }
                // FEATS model trained on gold classes in context.
                for i in 0..at.len() {
                    let cand = &tagger.allowed[gc[i]];
                    if cand.len() < 2 {
                        continue;
                    }
                    feats_features(&at, i, gc, &mut fv);
                    sub.resize(cand.len(), 0.0);
                    tagger.feats_model.scores_subset(&fv, cand, &mut sub);
                    let g = cand[argmax(&sub)] as usize;
                    tagger.feats_model.update(&fv, gf[i], g);
                    tagger.feats_model.tick();
                }
            }
            let snapshot = Tagger {
                model: tagger.model.clone().finish(),
                feats_model: tagger.feats_model.clone().finish(),
                ..tagger.clone()
            };
            let dev_scores = snapshot.evaluate(dev);
            let es = EpochScore {
                epoch,
                train_acc: 100.0 * correct as f64 / total.max(1) as f64,
                dev: dev_scores,
            };
            progress(&es);
            report.epochs.push(es);
            let key = if dev.is_empty() {
                epoch as f64
            } else {
                dev_scores.all_tags
            };
            if best.as_ref().is_none_or(|(b, _)| key > *b) {
                best = Some((key, snapshot));
                report.best_epoch = epoch;
            } else if epoch >= report.best_epoch + 2 {
                break; // two epochs without improvement
            }
        }
        let tagger = match best {
            Some((_, t)) => t,
            None => Tagger {
                model: tagger.model.finish(),
                feats_model: tagger.feats_model.finish(),
                ..tagger
            },
        };
        (tagger, report)
    }

    /// Drops weights below `min_abs` (relative to the largest weight) in both models, to
    /// shrink the file; returns nothing, measure the accuracy afterwards.
    pub fn prune(&mut self, min_abs: f32) {
        self.model.prune(min_abs);
        self.feats_model.prune(min_abs);
    }

    /// Fills UPOS, XPOS and FEATS of every word from the forms.
    ///
    /// Scoring is memory-bound (two table lookups per feature in a table larger than
    /// the L2 cache), so it runs in passes whose lookups do not wait on each other:
    /// first the history-free features of every word the dictionary does not settle,
    /// then left to right the few that read the previous classes, then FEATS. Weights
    /// of a finished model are integers, so the sums (and tags) are exactly those of
    /// scoring each word in one go.
    pub fn tag(&self, s: &mut Sentence) {
        SCRATCH.with_borrow_mut(|sc| self.tag_with(s, sc));
    }

    fn tag_with(&self, s: &mut Sentence, sc: &mut Scratch) {
        let n = s.words.len();
        let nc = self.model.n_classes();
        sc.atoms.clear();
        sc.dict.clear();
        for (i, w) in s.words.iter().enumerate() {
            let (a, d) = atoms(&w.form, i == 0, &self.lex);
            sc.atoms.push(a);
            sc.dict.push(d);
        }
        sc.base.clear();
        sc.base.resize(n * nc, 0.0);
        let Scratch {
            atoms: at,
            dict,
            base,
            scores,
            all,
            pred,
            fv,
        } = sc;
        for (i, row) in base.chunks_exact_mut(nc).enumerate() {
            if dict[i].is_none() {
                static_class_features(at, i, fv);
                self.model.add_raw(fv, row);
            }
        }
        scores.resize(nc, 0.0);
        pred.clear();
        for (i, row) in base.chunks_exact(nc).enumerate() {
            let c = match dict[i] {
                Some(c) => c as usize,
                None => {
                    history_class_features(at, i, pred, fv);
                    scores.copy_from_slice(row);
                    self.model.add_raw(fv, scores);
                    argmax(scores)
                }
            };
            pred.push(c);
        }
        all.resize(self.feats_model.n_classes(), 0.0);
        for (i, w) in s.words.iter_mut().enumerate() {
            let c = pred[i];
            let cand = &self.allowed[c];
            let f = if cand.len() < 2 {
                cand[0] as usize
            } else {
                feats_features(at, i, pred, fv);
                all.iter_mut().for_each(|x| *x = 0.0);
                self.feats_model.add_raw(fv, all);
                let pick = |k: &u16| all.get(*k as usize).copied().unwrap_or(0.0);
                let mut best = 0;
                for (k, x) in cand.iter().enumerate() {
                    if pick(x) > pick(&cand[best]) {
                        best = k;
                    }
                }
                cand[best] as usize
            };
            w.upos.clone_from(&self.classes[c].0);
            w.xpos.clone_from(&self.classes[c].1);
            w.feats.clone_from(&self.feats[f]);
        }
    }

    /// Tags a copy of each gold sentence and compares (percent accuracies).
    pub fn evaluate(&self, gold: &[Sentence]) -> TagScores {
        let (mut n, mut u, mut x, mut f, mut a) = (0usize, 0usize, 0usize, 0usize, 0usize);
        for g in gold {
            let mut s = g.clone();
            self.tag(&mut s);
            for (p, g) in s.words.iter().zip(&g.words) {
                n += 1;
                let (ou, ox, of) = (p.upos == g.upos, p.xpos == g.xpos, p.feats == g.feats);
                u += ou as usize;
                x += ox as usize;
                f += of as usize;
                a += (ou && ox && of) as usize;
            }
        }
        let pct = |k: usize| 100.0 * k as f64 / n.max(1) as f64;
        TagScores {
            tokens: n,
            upos: pct(u),
            xpos: pct(x),
            feats: pct(f),
            all_tags: pct(a),
        }
    }

    /// Drops FEATS candidates that had less than `min_share` of their class's tokens in
    /// `train` (gold tags). Most classes keep one candidate (NN: Number=Sing), so the FEATS
    /// model is skipped for them (+18% tagging speed, -0.23 FEATS accuracy at 1%).
    pub fn restrict_feats_candidates(&mut self, train: &[Sentence], min_share: f64) {
        use std::collections::BTreeMap;
        let class_idx: HashMap<(&str, &str), usize> = self
            .classes
            .iter()
            .enumerate()
            .map(|(i, (u, x))| ((u.as_str(), x.as_str()), i))
            .collect();
        let feats_idx: HashMap<&str, usize> = self
            .feats
            .iter()
            .enumerate()
            .map(|(i, f)| (f.as_str(), i))
            .collect();
        let mut counts: Vec<BTreeMap<usize, usize>> = vec![BTreeMap::new(); self.classes.len()];
        for s in train {
            for w in s.words.iter().filter(|w| has_tags(w)) {
                if let (Some(&c), Some(&f)) = (
                    class_idx.get(&(w.upos.as_str(), w.xpos.as_str())),
                    feats_idx.get(norm_feats(&w.feats)),
                ) {
                    *counts[c].entry(f).or_default() += 1;
                }
            }
        }
        for (c, cand) in self.allowed.iter_mut().enumerate() {
            let total: usize = counts[c].values().sum();
            if total == 0 || cand.len() < 2 {
                continue;
            }
            let keep: Vec<u16> = cand
                .iter()
                .copied()
                .filter(|f| {
                    *counts[c].get(&(*f as usize)).unwrap_or(&0) as f64 >= min_share * total as f64
                })
                .collect();
            if !keep.is_empty() {
                *cand = keep;
            }
        }
    }

    /// Joint classes (UPOS, XPOS) with their FEATS candidates (for model cards/diagnostics).
    pub fn class_candidates(&self) -> Vec<(String, String, Vec<String>)> {
        self.classes
            .iter()
            .zip(&self.allowed)
            .map(|((u, x), a)| {
                (
                    u.to_string(),
                    x.to_string(),
                    a.iter()
                        .map(|&f| self.feats[f as usize].to_string())
                        .collect(),
                )
            })
            .collect()
    }

    /// Number of joint UPOS+XPOS classes and FEATS strings, and tag-dictionary size.
    pub fn sizes(&self) -> (usize, usize, usize) {
        let dict = self.lex.values().filter(|e| e.dict.is_some()).count();
        (self.classes.len(), self.feats.len(), dict)
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let mut w = BufWriter::new(std::fs::File::create(path)?);
        self.write_to(&mut w)?;
        w.flush()
    }

    pub fn write_to<W: Write>(&self, w: &mut W) -> std::io::Result<()> {
        use perceptron::io::*;
        w.write_all(MAGIC)?;
        write_u32(w, VERSION)?;
        write_u32(w, self.classes.len() as u32)?;
        for (u, x) in &self.classes {
            write_str(w, u)?;
            write_str(w, x)?;
        }
        write_u32(w, self.feats.len() as u32)?;
        for f in &self.feats {
            write_str(w, f)?;
        }
        for a in &self.allowed {
            write_u32(w, a.len() as u32)?;
            for &x in a {
                write_u32(w, x as u32)?;
            }
        }
        let mut dict: Vec<(&String, u16)> = self
            .lex
            .iter()
            .filter_map(|(k, e)| Some((k, e.dict?)))
            .collect();
        dict.sort();
        write_u32(w, dict.len() as u32)?;
        for (k, v) in dict {
            write_str(w, k)?;
            write_u32(w, v as u32)?;
        }
        let mut amb: Vec<(&String, u64)> = self
            .lex
            .iter()
            .filter_map(|(k, e)| Some((k, e.amb?)))
            .collect();
        amb.sort();
        write_u32(w, amb.len() as u32)?;
        for (k, v) in amb {
            write_str(w, k)?;
            w.write_all(&v.to_le_bytes())?;
        }
        self.model.write_to(w)?;
        self.feats_model.write_to(w)
    }

    pub fn load(path: &Path) -> Result<Tagger, ModelError> {
        let mut r = BufReader::new(std::fs::File::open(path)?);
        Self::read_from(&mut r)
    }

    pub fn read_from<R: Read>(r: &mut R) -> Result<Tagger, ModelError> {
        use perceptron::io::*;
        check_header(r, MAGIC, VERSION)?;
        let n = read_u32(r)? as usize;
        if n == 0 || n > 4096 {
            return Err(ModelError::Corrupt(format!("{n} tag classes")));
        }
        let mut classes = Vec::with_capacity(n);
        for _ in 0..n {
            classes.push((
                Field::interned(&read_str(r)?),
                Field::interned(&read_str(r)?),
            ));
        }
        let nf = read_u32(r)? as usize;
        if nf == 0 || nf > 65535 {
            return Err(ModelError::Corrupt(format!("{nf} FEATS classes")));
        }
        let mut feats = Vec::with_capacity(nf);
        for _ in 0..nf {
            feats.push(Field::interned(&read_str(r)?));
        }
        let mut allowed = Vec::with_capacity(n);
        for _ in 0..n {
            let k = read_u32(r)? as usize;
            if k == 0 || k > nf {
                return Err(ModelError::Corrupt("bad FEATS candidate list".into()));
            }
            let mut v = Vec::with_capacity(k);
            for _ in 0..k {
                let x = read_u32(r)? as usize;
                if x >= nf {
                    return Err(ModelError::Corrupt("FEATS index out of range".into()));
                }
                v.push(x as u16);
            }
            allowed.push(v);
        }
        let nd = read_u32(r)? as usize;
        let mut tagdict = FastMap::with_capacity_and_hasher(nd.min(1 << 20), FnvBuild);
        for _ in 0..nd {
            let k = read_str(r)?;
            let v = read_u32(r)? as usize;
            if v >= n {
                return Err(ModelError::Corrupt(
                    "tag dictionary class out of range".into(),
                ));
            }
            tagdict.insert(k, v as u16);
        }
        let na = read_u32(r)? as usize;
        let mut amb = FastMap::with_capacity_and_hasher(na.min(1 << 20), FnvBuild);
        for _ in 0..na {
            let k = read_str(r)?;
            let mut b = [0u8; 8];
            read_bytes(r, &mut b)?;
            amb.insert(k, u64::from_le_bytes(b));
        }
        let model = Perceptron::read_from(r)?;
        let feats_model = Perceptron::read_from(r)?;
        if model.n_classes() != n || feats_model.n_classes() != nf {
            return Err(ModelError::Corrupt(
                "class counts disagree with the perceptrons".into(),
            ));
        }
        Ok(Tagger {
            classes,
            feats,
            allowed,
            lex: lexicon(&tagdict, &amb),
            model,
            feats_model,
        })
    }
}

/// FEATS target used for training: the treebank string minus annotation-only features
/// (Typo, Abbr, Style, ExtPos) that no tagger can predict from clean news text.
fn norm_feats(f: &str) -> &str {
    if f.contains("Typo=") || f.contains("Abbr=") || f.contains("Style=") || f.contains("ExtPos=") {
        // rare; leak the cleaned string to keep the signature borrow-only
        let cleaned: Vec<&str> = f
            .split('|')
            .filter(|kv| {
                !(kv.starts_with("Typo=")
                    || kv.starts_with("Abbr=")
                    || kv.starts_with("Style=")
                    || kv.starts_with("ExtPos="))
            })
            .collect();
        let s = if cleaned.is_empty() {
            "_".to_string()
        } else {
            cleaned.join("|")
        };
        return intern(s);
    }
    f
}

/// Interns the few cleaned FEATS strings (bounded by the FEATS inventory, a few hundred).
fn intern(s: String) -> &'static str {
    use std::sync::{Mutex, OnceLock};
    static POOL: OnceLock<Mutex<std::collections::BTreeSet<&'static str>>> = OnceLock::new();
    let pool = POOL.get_or_init(|| Mutex::new(std::collections::BTreeSet::new()));
    let mut g = match pool.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    if let Some(x) = g.get(s.as_str()) {
        return x;
    }
    let leaked: &'static str = Box::leak(s.into_boxed_str());
    g.insert(leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlp::conllu::parse_str;

    fn toy_corpus() -> Vec<Sentence> {
        let mut text = String::new();
        let rows = [
            ("The", "DET", "DT", "Definite=Def|PronType=Art"),
            ("dog", "NOUN", "NN", "Number=Sing"),
            (
                "was",
                "AUX",
                "VBD",
                "Mood=Ind|Number=Sing|Person=3|Tense=Past|VerbForm=Fin",
            ),
            ("seen", "VERB", "VBN", "Tense=Past|VerbForm=Part|Voice=Pass"),
            (".", "PUNCT", ".", "_"),
        ];
        let rows2 = [
            (
                "They",
                "PRON",
                "PRP",
                "Case=Nom|Number=Plur|Person=3|PronType=Prs",
            ),
            (
                "have",
                "AUX",
                "VBP",
                "Mood=Ind|Number=Plur|Person=3|Tense=Pres|VerbForm=Fin",
            ),
            ("seen", "VERB", "VBN", "Tense=Past|VerbForm=Part"),
            ("cats", "NOUN", "NNS", "Number=Plur"),
            (".", "PUNCT", ".", "_"),
        ];
        for k in 0..30 {
            for rows in [&rows[..], &rows2[..]] {
                text.push_str(&format!("# sent_id = {k}\n"));
                for (i, (f, u, x, ft)) in rows.iter().enumerate() {
                    text.push_str(&format!("{}\t{f}\t_\t{u}\t{x}\t{ft}\t0\t_\t_\t_\n", i + 1));
                }
                text.push('\n');
            }
        }
        parse_str(&text).unwrap()
    }

    #[test]
    fn learns_toy_corpus_and_feats_depend_on_context() {
        let train = toy_corpus();
        let t = Tagger::train(&train, &train[..4], 7);
        let sc = t.evaluate(&train[..4]);
        assert_eq!(sc.all_tags, 100.0, "{sc:?}");
    }

    #[test]
    fn deterministic_model_bytes_and_round_trip() {
        let train = toy_corpus();
        let a = Tagger::train(&train, &train[..2], 42);
        let b = Tagger::train(&train, &train[..2], 42);
        let (mut ba, mut bb) = (Vec::new(), Vec::new());
        a.write_to(&mut ba).unwrap();
        b.write_to(&mut bb).unwrap();
        assert_eq!(ba, bb);
        let c = Tagger::read_from(&mut ba.as_slice()).unwrap();
        assert_eq!(c.evaluate(&train[..4]), a.evaluate(&train[..4]));
        for cut in [0, 5, 12, ba.len() / 2, ba.len() - 1] {
            assert!(Tagger::read_from(&mut &ba[..cut]).is_err());
        }
        let mut v = ba.clone();
        v[8] = 99;
        assert!(matches!(
            Tagger::read_from(&mut v.as_slice()),
            Err(ModelError::Version { .. })
        ));
    }

    #[test]
    fn shape_and_norm() {
        assert_eq!(word_shape("McDonald"), "XxXxx");
        assert_eq!(word_shape("1,000"), "d,dd");
        assert_eq!(word_shape("U.S."), "X.X.");
        assert_eq!(norm_word("1999", "1999"), "!YEAR");
        assert_eq!(norm_feats("Number=Sing|Typo=Yes"), "Number=Sing");
        assert_eq!(norm_feats("Typo=Yes"), "_");
    }

    #[test]
    fn tags_empty_and_odd_input_without_panic() {
        let t = Tagger::train(&toy_corpus(), &[], 1);
        let mut s = Sentence::default();
        t.tag(&mut s);
        let mut s = Sentence {
            words: vec![
                Word::new(1, ""),
                Word::new(2, "\u{1F600}"),
                Word::new(3, "x".repeat(5000)),
            ],
            ..Default::default()
        };
        t.tag(&mut s);
        assert!(s.words.iter().all(|w| w.upos != "_"));
    }
}
