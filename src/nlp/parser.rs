//! Greedy transition-based dependency parser (arc-hybrid, dynamic oracle, averaged perceptron).
//!
//! Why this design (see `docs/openie.md` §4.5–4.8):
//! - **Arc-hybrid** with the artificial root at the bottom of the stack: its dynamic oracle
//!   is arc-decomposable and has the simplest exact cost function, and a root arc is only
//!   allowed once the buffer is empty, so every output is a single-rooted projective tree.
//! - **Dynamic oracle with exploration** (Goldberg & Nivre 2012/2013): after the first epoch
//!   the trainer follows its own (possibly wrong) prediction with probability `explore_p`
//!   and learns the best zero-cost action from there, so it learns to recover from its own
//!   mistakes instead of seeing only gold configurations.
//! - **Factored classifiers**: one averaged perceptron scores the three unlabelled
//!   transitions (SHIFT, LEFT, RIGHT) over ~130 Zhang & Nivre (2011) templates (plus
//!   lemma, suffix, UPOS/XPOS, morphology, string neighbours, the punctuation and verbs
//!   lying between the two candidates, and a lookahead past b2: verbs and punctuation
//!   still in the buffer, the next verb and punctuation mark), a second one picks the UD
//!   label (full labels with subtypes, 54 in EWT+GUM train) for the arc being built, over
//!   ~47 arc templates. A
//!   joint transition×label classifier needs ~36× wider weight rows; factoring keeps the
//!   model small and the parser fast (the label model is consulted once per word, the
//!   action model about twice).
//! - **Parameter mixing**: two runs with different shuffles and exploration paths are
//!   trained in parallel and their averaged weights averaged ([`TrainOptions::runs`]).
//! - **Greedy, not beam**: a beam of k costs k times the scoring at parse time, and the
//!   parser must keep ≥ 50k words per CPU-second; greedy + dynamic oracle fits that.
//! - **Hashed features** (no vocabulary): every feature is a 64-bit hash of its template
//!   id and atom hashes; the table has `2^bits` rows of class weights. Unseen words need no
//!   special case, and the model needs no string table (an optional ambiguity-class
//!   lexicon, off in the shipped model, is the only one).
//! - **Trained on jack-knifed tags** ([`jackknife`]): the parser sees tagger errors in
//!   training as it will at run time (+0.7 LAS on EWT dev with predicted tags).
//!
//! The weight tables are parser-specific rather than `nlp::perceptron::Perceptron` because
//! training needs a non-consuming averaged snapshot every epoch (early stopping on dev LAS
//! keeps the best epoch) and the file format needs a compact encoding (zero runs and
//! varint weights, see `write_table`) to stay within the model-size budget.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use crate::nlp::conllu::{Field, Sentence};

/// File magic of `parser.bin`.
const MAGIC: &[u8; 8] = b"KGPARSE\0";
/// Bumped whenever features, hashing or the file layout change: an old model with new
/// code would silently parse garbage, so loading it is an error instead.
pub const FORMAT_VERSION: u32 = 3;

const SHIFT: usize = 0;
const LEFT: usize = 1;
const RIGHT: usize = 2;
const N_ACTIONS: usize = 3;
/// Marks "no head yet" in parser state.
const NO_HEAD: usize = usize::MAX;

/// Errors of loading or saving a parser model.
#[derive(Debug, thiserror::Error)]
pub enum ParserError {
    #[error("parser model I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a kg parser model (bad magic bytes)")]
    BadMagic,
    #[error(
        "parser model format version {found}, this build reads version {expected}; retrain with `kg train parser`"
    )]
    Version { found: u32, expected: u32 },
    #[error("parser model file is truncated")]
    Truncated,
    #[error("parser model file is corrupt: {0}")]
    Corrupt(String),
}

/// Training hyper-parameters. `Default` is what `make train` uses.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Maximum number of passes over the training data.
    pub max_epochs: usize,
    /// Stop after this many epochs without a new best dev LAS.
    pub patience: usize,
    /// Seed of the shuffling / exploration PRNG (training is deterministic given it).
    pub seed: u64,
    /// First epoch (0-based) in which the trainer explores its own predictions.
    pub explore_from: usize,
    /// Probability of following the model's own prediction while exploring.
    pub explore_p: f64,
    /// log2 of the number of rows of the transition weight table.
    pub action_bits: u32,
    /// log2 of the number of rows of the label weight table.
    pub label_bits: u32,
    /// Quantized weights with |q| below this are dropped (model size/accuracy knob). Applied
    /// to every epoch's snapshot, so early stopping already sees the pruned model.
    pub prune: i16,
    /// Add ambiguity-class features (word form -> XPOS set seen in training; stored in the
    /// model as a small lexicon). Off by default: with jack-knifed tags it measured no gain
    /// (dev LAS 80.47 with and without after 4 epochs), and the shipped model has it off.
    pub ambiguity_classes: bool,
    /// Independent training runs (seeds `seed`, `seed + 1`, ...; run in parallel) whose
    /// best-epoch averaged weights are averaged into the shipped model ("parameter
    /// mixing"). Parsing costs the same as one model; the mixture is smoother than
    /// any single run's weights, which depend on one shuffle and exploration path
    /// (2 runs: +0.1 GUM dev LAS over the first run alone; 2 fit the 2-core budget).
    pub runs: usize,
    /// Print per-epoch progress to stderr.
    pub verbose: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            max_epochs: 20,
            patience: 3,
            seed: 0x5eed_2018,
            explore_from: 1,
            explore_p: 0.9,
            action_bits: 22,
            label_bits: 18,
            prune: 1,
            ambiguity_classes: false,
            runs: 2,
            verbose: false,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Hashing

const K1: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0x517C_C1B7_2722_0A95;

#[inline]
fn fmix(mut h: u64) -> u64 {
    h ^= h >> 31;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 29;
    h = h.wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 32)
}

/// Stable string hash (FNV-1a, then a finaliser), seeded by atom kind.
fn hash_str(kind: u64, s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ kind.wrapping_mul(K1);
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    fmix(h)
}

#[inline]
fn feat(template: u64, atoms: &[u64]) -> u64 {
    // Multiply-rotate-xor (FxHash style); the row index takes the top bits, which the last
    // multiply mixes from every input bit, so no extra finaliser is needed.
    let mut h = template.wrapping_mul(K1);
    for &a in atoms {
        h = (h.rotate_left(5) ^ a).wrapping_mul(K2);
    }
    h
}

#[inline]
fn row_of(f: u64, bits: u32) -> usize {
    (f >> (64 - bits)) as usize
}

// ---------------------------------------------------------------------------------------
// Weight tables

/// A frozen weight table: `2^bits` rows × `n` classes of i16 weights. Quantizing the
/// averaged weights (one scale per table; argmax does not need it back) halves memory
/// traffic at parse time, which is what bounds speed, and is exactly what is saved, so the
/// dev scores measured during training are the scores of the shipped file.
#[derive(Debug, Clone, PartialEq)]
struct Table {
    n: usize,
    bits: u32,
    q: Vec<i16>,
}

impl Table {
    #[inline]
    fn scores(&self, feats: &[u64], out: &mut [i32]) {
        let n = self.n;
        out[..n].iter_mut().for_each(|x| *x = 0);
        for &f in feats {
            let r = row_of(f, self.bits) * n;
            let row = &self.q[r..r + n];
            for (o, &x) in out[..n].iter_mut().zip(row) {
                *o += x as i32;
            }
        }
    }

    /// Quantize to i16 with the largest |w| at 32767; |q| < `prune` becomes 0.
    fn quantize(n: usize, bits: u32, w: &[f32], prune: i16) -> Table {
        let max = w.iter().fold(0f32, |m, &x| m.max(x.abs()));
        let scale = if max > 0.0 { 32767.0 / max } else { 1.0 };
        let p = prune.max(0) as u16;
        let q = w
            .iter()
            .map(|&x| {
                let v = (x * scale).round().clamp(-32767.0, 32767.0) as i16;
                if v.unsigned_abs() < p { 0 } else { v }
            })
            .collect();
        Table { n, bits, q }
    }

    fn prune(&mut self, min_abs: i16) {
        let p = min_abs.max(0) as u16;
        for v in self.q.iter_mut() {
            if v.unsigned_abs() < p {
                *v = 0;
            }
        }
    }
}

#[inline]
fn score_into(w: &[f32], n: usize, bits: u32, feats: &[u64], out: &mut [f32]) {
    out[..n].iter_mut().for_each(|x| *x = 0.0);
    for &f in feats {
        let r = row_of(f, bits) * n;
        let row = &w[r..r + n];
        for (o, x) in out[..n].iter_mut().zip(row) {
            *o += *x;
        }
    }
}

/// Training table with averaging by the "w - u/c" trick (no per-weight timestamps):
/// every update `v` at clock `c` adds `v` to `w` and `c·v` to `u`; the average over all
/// clock ticks is then `w - u/c`.
struct TrainTable {
    n: usize,
    bits: u32,
    w: Vec<f32>,
    u: Vec<f64>,
    c: f64,
}

impl TrainTable {
    fn new(n: usize, bits: u32) -> Self {
        let len = (1usize << bits) * n;
        TrainTable {
            n,
            bits,
            w: vec![0.0; len],
            u: vec![0.0; len],
            c: 1.0,
        }
    }
    fn scores(&self, feats: &[u64], out: &mut [f32]) {
        score_into(&self.w, self.n, self.bits, feats, out)
    }
    fn update(&mut self, feats: &[u64], truth: usize, guess: usize) {
        if truth == guess {
            return;
        }
        let c = self.c;
        for &f in feats {
            let r = row_of(f, self.bits) * self.n;
            self.w[r + truth] += 1.0;
            self.w[r + guess] -= 1.0;
            self.u[r + truth] += c;
            self.u[r + guess] -= c;
        }
    }
    fn tick(&mut self) {
        self.c += 1.0;
    }
    fn averaged(&self) -> Vec<f32> {
        let c = self.c;
        self.w
            .iter()
            .zip(&self.u)
            .map(|(&w, &u)| (w as f64 - u / c) as f32)
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// Per-token atoms

#[derive(Debug, Clone, Copy)]
struct Atoms {
    w: u64,
    lem: u64,
    p: u64,
    x: u64,
    suf: u64,
    m: u64,
    shape: u64,
    /// Ambiguity class: the set of XPOS tags the word form had in training. Lets the
    /// parser hedge when the tagger picks one reading of an ambiguous word (that: DT/IN/WDT).
    amb: u64,
    /// Punctuation marks among words 1..=i (prefix count, for "punctuation in between").
    cum_punct: u32,
    /// Verbs and auxiliaries among words 1..=i (prefix count, for "a clause in between").
    cum_verb: u32,
    /// Index of the next verb/auxiliary after word i (0 = none): lookahead past b2, so the
    /// parser knows whether another clause is still coming before it closes one.
    next_verb: u32,
    /// Index of the next punctuation mark after word i (0 = none).
    next_punct: u32,
}

const NONE_ATOMS: Atoms = Atoms {
    w: 1,
    lem: 1,
    p: 1,
    x: 1,
    suf: 1,
    m: 1,
    shape: 1,
    amb: 1,
    cum_punct: 0,
    cum_verb: 0,
    next_verb: 0,
    next_punct: 0,
};
const ROOT_ATOMS: Atoms = Atoms {
    w: 2,
    lem: 2,
    p: 2,
    x: 2,
    suf: 2,
    m: 2,
    shape: 2,
    amb: 2,
    cum_punct: 0,
    cum_verb: 0,
    next_verb: 0,
    next_punct: 0,
};
/// Ambiguity-class atom of forms not in the lexicon.
const UNKNOWN_AMB: u64 = 3;
/// A form enters the ambiguity lexicon when seen this often in training...
const AMB_MIN_COUNT: usize = 3;
/// ...and a tag enters its class when it has at least this share of the form's tokens.
const AMB_MIN_SHARE: f64 = 0.05;

/// Lower-cased form -> ambiguity-class atom.
type Lexicon = std::collections::HashMap<String, u64>;

fn build_lexicon(train: &[Sentence]) -> Vec<(String, u64)> {
    use std::collections::BTreeMap;
    let mut counts: BTreeMap<String, BTreeMap<&str, usize>> = BTreeMap::new();
    for s in train {
        for w in &s.words {
            *counts
                .entry(w.form.to_lowercase())
                .or_default()
                .entry(w.xpos.as_str())
                .or_default() += 1;
        }
    }
    let mut out = Vec::new();
    for (form, tags) in counts {
        let total: usize = tags.values().sum();
        if total < AMB_MIN_COUNT {
            continue;
        }
        let class: Vec<&str> = tags
            .iter()
            .filter(|&(_, &c)| c as f64 >= AMB_MIN_SHARE * total as f64)
            .map(|(t, _)| *t)
            .collect();
        out.push((form, hash_str(7, &class.join("|"))));
    }
    out
}

/// Morphological features the parser looks at: the ones that decide attachment or label
/// (passive voice → `nsubj:pass`/`obl:agent`, finiteness → clause type, case of pronouns).
const MORPH_KEYS: [&str; 6] = ["VerbForm", "Voice", "Mood", "PronType", "Case", "Poss"];

fn word_shape(form: &str) -> u64 {
    let mut f = 0u64;
    let mut chars = form.chars();
    if let Some(c) = chars.next() {
        if c.is_uppercase() {
            f |= 1;
        }
        if c.is_ascii_digit() {
            f |= 2;
        }
        if !c.is_alphanumeric() {
            f |= 4;
        }
    }
    if form.chars().any(|c| c.is_ascii_digit()) {
        f |= 8;
    }
    if form.contains('-') {
        f |= 16;
    }
    if form.chars().count() > 1 && form.chars().all(|c| c.is_uppercase()) {
        f |= 32;
    }
    f + 3
}

fn atoms_of(words: &[crate::nlp::conllu::Word], lex: &Lexicon) -> Vec<Atoms> {
    let mut out = Vec::with_capacity(words.len() + 1);
    out.push(ROOT_ATOMS);
    let mut lower = String::new();
    let mut morph = String::new();
    let (mut cum_punct, mut cum_verb) = (0u32, 0u32);
    for w in words {
        cum_punct += (w.upos == "PUNCT") as u32;
        cum_verb += (w.upos == "VERB" || w.upos == "AUX") as u32;
        lower.clear();
        lower.extend(w.form.chars().flat_map(|c| c.to_lowercase()));
        let suf: String = {
            let n = lower.chars().count();
            lower.chars().skip(n.saturating_sub(3)).collect()
        };
        morph.clear();
        for kv in w.feats.split('|') {
            if let Some((k, _)) = kv.split_once('=')
                && MORPH_KEYS.contains(&k)
            {
                morph.push_str(kv);
                morph.push('|');
            }
        }
        out.push(Atoms {
            w: hash_str(1, &lower),
            lem: hash_str(2, &w.lemma.to_lowercase()),
            p: hash_str(3, &w.upos),
            x: hash_str(4, &w.xpos),
            suf: hash_str(5, &suf),
            m: hash_str(6, &morph),
            shape: word_shape(&w.form),
            amb: lex.get(lower.as_str()).copied().unwrap_or(UNKNOWN_AMB),
            cum_punct,
            cum_verb,
            next_verb: 0,
            next_punct: 0,
        });
    }
    let (mut nv, mut np) = (0u32, 0u32);
    for i in (0..out.len()).rev() {
        out[i].next_verb = nv;
        out[i].next_punct = np;
        if i > 0 {
            let w = &words[i - 1];
            if w.upos == "VERB" || w.upos == "AUX" {
                nv = i as u32;
            }
            if w.upos == "PUNCT" {
                np = i as u32;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Parser state (arc-hybrid)

struct State {
    n: usize,
    stack: Vec<usize>,
    /// Front of the buffer (1-based word index); `n + 1` means empty.
    b: usize,
    head: Vec<usize>,
    lab: Vec<u16>,
    l1: Vec<usize>,
    l2: Vec<usize>,
    r1: Vec<usize>,
    r2: Vec<usize>,
    lval: Vec<u8>,
    rval: Vec<u8>,
    lset: Vec<u64>,
    rset: Vec<u64>,
}

impl State {
    fn new(n: usize) -> Self {
        let mut stack = Vec::with_capacity(n + 1);
        stack.push(0);
        State {
            n,
            stack,
            b: 1,
            head: vec![NO_HEAD; n + 1],
            lab: vec![0; n + 1],
            l1: vec![0; n + 1],
            l2: vec![0; n + 1],
            r1: vec![0; n + 1],
            r2: vec![0; n + 1],
            lval: vec![0; n + 1],
            rval: vec![0; n + 1],
            lset: vec![0; n + 1],
            rset: vec![0; n + 1],
        }
    }
    #[inline]
    fn s(&self, i: usize) -> Option<usize> {
        let l = self.stack.len();
        if i < l {
            Some(self.stack[l - 1 - i])
        } else {
            None
        }
    }
    #[inline]
    fn buf(&self, i: usize) -> Option<usize> {
        let k = self.b + i;
        if k <= self.n { Some(k) } else { None }
    }
    fn terminal(&self) -> bool {
        self.b > self.n && self.stack.len() <= 1
    }
    fn valid(&self) -> [bool; N_ACTIONS] {
        let buf = self.b <= self.n;
        let l = self.stack.len();
        let s0 = self.s(0).unwrap_or(0);
        let s1 = self.s(1).unwrap_or(0);
        [
            buf,
            buf && l >= 1 && s0 != 0,
            // Only the last word standing may attach to the root: single-rooted trees.
            l >= 2 && (s1 != 0 || !buf),
        ]
    }
    /// The arc (head, dependent) that `action` would build.
    fn arc_of(&self, action: usize) -> Option<(usize, usize)> {
        match action {
            LEFT => Some((self.b, self.s(0)?)),
            RIGHT => Some((self.s(1)?, self.s(0)?)),
            _ => None,
        }
    }
    fn add_arc(&mut self, h: usize, d: usize, label: u16) {
        self.head[d] = h;
        self.lab[d] = label;
        let bit = 1u64 << (label % 64);
        if d < h {
            if self.l1[h] == 0 || d < self.l1[h] {
                self.l2[h] = self.l1[h];
                self.l1[h] = d;
            } else if self.l2[h] == 0 || d < self.l2[h] {
                self.l2[h] = d;
            }
            self.lval[h] = self.lval[h].saturating_add(1);
            self.lset[h] |= bit;
        } else {
            if d > self.r1[h] {
                self.r2[h] = self.r1[h];
                self.r1[h] = d;
            } else if d > self.r2[h] {
                self.r2[h] = d;
            }
            self.rval[h] = self.rval[h].saturating_add(1);
            self.rset[h] |= bit;
        }
    }
    fn apply(&mut self, action: usize, label: u16) {
        match action {
            SHIFT => {
                self.stack.push(self.b);
                self.b += 1;
            }
            LEFT => {
                if let Some(d) = self.stack.pop() {
                    let h = self.b;
                    self.add_arc(h, d, label);
                }
            }
            _ => {
                if let Some(d) = self.stack.pop()
                    && let Some(&h) = self.stack.last()
                {
                    self.add_arc(h, d, label);
                }
            }
        }
    }
    /// Dynamic-oracle cost (gold arcs made unreachable) of each action, for a projective
    /// gold tree `gh` (1-based heads, `gh[0]` unused). Goldberg & Nivre (2013), arc-hybrid.
    fn costs(&self, gh: &[usize]) -> [usize; N_ACTIONS] {
        let n = self.n;
        let b = self.b;
        let mut c = [usize::MAX; N_ACTIONS];
        let v = self.valid();
        if let Some(s0) = self.s(0) {
            let deps_in_buf = if s0 == 0 {
                0
            } else {
                (b..=n).filter(|&k| gh[k] == s0).count()
            };
            if v[LEFT] {
                let s1 = self.s(1);
                let lost_head = s0 != 0 && (Some(gh[s0]) == s1 || gh[s0] > b);
                c[LEFT] = lost_head as usize + deps_in_buf;
            }
            if v[RIGHT] {
                let lost_head = s0 != 0 && gh[s0] >= b && gh[s0] <= n;
                c[RIGHT] = lost_head as usize + deps_in_buf;
            }
        }
        if v[SHIFT] {
            let s0 = self.s(0);
            let mut cost = 0;
            for &k in &self.stack {
                if gh[b] == k && Some(k) != s0 {
                    cost += 1;
                }
                if k != 0 && gh[k] == b {
                    cost += 1;
                }
            }
            c[SHIFT] = cost;
        }
        c
    }
}

#[inline]
fn dist_bucket(a: usize, b: usize) -> u64 {
    let d = a.abs_diff(b);
    match d {
        0..=4 => d as u64,
        5..=6 => 5,
        7..=9 => 6,
        _ => 7,
    }
}

/// Punctuation marks and verbs strictly between words `a` and `b` (bucketed 0, 1, 2, 3+),
/// packed into one atom: what separates two candidates is the best clue for clause-level
/// attachment (conj, parataxis, advcl and the punctuation that hangs off them), which
/// distance alone does not give.
#[inline]
fn between(a: &[Atoms], x: usize, y: usize) -> (u64, u64) {
    let (lo, hi) = if x < y { (x, y) } else { (y, x) };
    if hi <= lo + 1 {
        return (1, 1);
    }
    let p = a[hi - 1].cum_punct - a[lo].cum_punct;
    let v = a[hi - 1].cum_verb - a[lo].cum_verb;
    (p.min(3) as u64 + 1, v.min(3) as u64 + 1)
}

#[inline]
fn nz(i: usize) -> Option<usize> {
    if i == 0 { None } else { Some(i) }
}

/// Zhang & Nivre (2011) style transition features, plus lemma, suffix, XPOS and morphology.
fn action_features(st: &State, a: &[Atoms], amb: bool, out: &mut Vec<u64>) {
    out.clear();
    let at = |o: Option<usize>| o.map_or(NONE_ATOMS, |i| a[i]);
    let lab = |o: Option<usize>| o.map_or(0u64, |i| st.lab[i] as u64 + 1);
    let s0i = st.s(0);
    let s1i = st.s(1);
    let s2i = st.s(2);
    let b0i = st.buf(0);
    let b1i = st.buf(1);
    let b2i = st.buf(2);
    let s0li = s0i.and_then(|i| nz(st.l1[i]));
    let s0l2i = s0i.and_then(|i| nz(st.l2[i]));
    let s0ri = s0i.and_then(|i| nz(st.r1[i]));
    let s0r2i = s0i.and_then(|i| nz(st.r2[i]));
    let b0li = b0i.and_then(|i| nz(st.l1[i]));
    let b0l2i = b0i.and_then(|i| nz(st.l2[i]));
    let s1li = s1i.and_then(|i| nz(st.l1[i]));
    let s1ri = s1i.and_then(|i| nz(st.r1[i]));
    let (s0, s1, s2, b0, b1, b2) = (at(s0i), at(s1i), at(s2i), at(b0i), at(b1i), at(b2i));
    let (s0l, s0l2, s0r, s0r2, b0l, b0l2, s1l, s1r) = (
        at(s0li),
        at(s0l2i),
        at(s0ri),
        at(s0r2i),
        at(b0li),
        at(b0l2i),
        at(s1li),
        at(s1ri),
    );
    let mut t = 0u64;
    let mut f = |atoms: &[u64]| {
        t += 1;
        out.push(feat(t, atoms));
    };
    f(&[]); // bias
    // unigrams
    f(&[s0.w]);
    f(&[s0.p]);
    f(&[s0.x]);
    f(&[s0.w, s0.x]);
    f(&[s0.lem]);
    f(&[s0.m, s0.x]);
    f(&[s0.suf, s0.p]);
    f(&[s0.shape, s0.p]);
    f(&[b0.w]);
    f(&[b0.p]);
    f(&[b0.x]);
    f(&[b0.w, b0.x]);
    f(&[b0.lem]);
    f(&[b0.m, b0.x]);
    f(&[b0.suf, b0.p]);
    f(&[b0.shape, b0.p]);
    f(&[s1.w]);
    f(&[s1.x]);
    f(&[s1.w, s1.x]);
    f(&[s1.m, s1.x]);
    f(&[b1.w]);
    f(&[b1.x]);
    f(&[b1.w, b1.x]);
    f(&[b2.w]);
    f(&[b2.x]);
    f(&[s2.x]);
    // pairs s0 × b0
    f(&[s0.w, s0.x, b0.w, b0.x]);
    f(&[s0.w, s0.x, b0.w]);
    f(&[s0.w, b0.w, b0.x]);
    f(&[s0.w, s0.x, b0.x]);
    f(&[s0.x, b0.w, b0.x]);
    f(&[s0.w, b0.w]);
    f(&[s0.x, b0.x]);
    f(&[s0.p, b0.p]);
    f(&[b0.x, b1.x]);
    f(&[s0.lem, b0.lem]);
    f(&[s0.x, b0.lem]);
    f(&[s0.lem, b0.x]);
    // pairs s1 × s0 (the RIGHT decision)
    f(&[s1.w, s1.x, s0.w, s0.x]);
    f(&[s1.x, s0.x]);
    f(&[s1.w, s0.w]);
    f(&[s1.x, s0.w]);
    f(&[s1.w, s0.x]);
    f(&[s1.lem, s0.lem]);
    f(&[s1.x, b0.x]);
    // trigrams
    f(&[b0.x, b1.x, b2.x]);
    f(&[s0.x, b0.x, b1.x]);
    f(&[s1.x, s0.x, b0.x]);
    f(&[s2.x, s1.x, s0.x]);
    f(&[s0.x, b0.x, b0l.x]);
    f(&[s0.x, s0l.x, b0.x]);
    f(&[s0.x, s0r.x, b0.x]);
    f(&[s1.x, s0.x, s0l.x]);
    f(&[s1.x, s1r.x, s0.x]);
    f(&[s1.x, s0.x, s0r.x]);
    f(&[s1.x, s1l.x, s0.x]);
    // distance
    let d = s0i.zip(b0i).map_or(0, |(x, y)| dist_bucket(x, y) + 1);
    let d1 = s1i.zip(s0i).map_or(0, |(x, y)| dist_bucket(x, y) + 1);
    f(&[s0.w, d]);
    f(&[s0.x, d]);
    f(&[b0.w, d]);
    f(&[b0.x, d]);
    f(&[s0.w, b0.w, d]);
    f(&[s0.x, b0.x, d]);
    f(&[s1.x, s0.x, d1]);
    f(&[s1.w, d1]);
    f(&[s0.w, d1]);
    f(&[s1.x, s0.x, b0.x, d, d1]);
    // valency
    let vl = |o: Option<usize>| o.map_or(0, |i| st.lval[i].min(6) as u64 + 1);
    let vr = |o: Option<usize>| o.map_or(0, |i| st.rval[i].min(6) as u64 + 1);
    f(&[s0.w, vl(s0i)]);
    f(&[s0.x, vl(s0i)]);
    f(&[s0.w, vr(s0i)]);
    f(&[s0.x, vr(s0i)]);
    f(&[b0.w, vl(b0i)]);
    f(&[b0.x, vl(b0i)]);
    f(&[s1.x, vr(s1i)]);
    f(&[s1.x, vl(s1i)]);
    // second order: children
    f(&[s0l.w]);
    f(&[s0l.x]);
    f(&[lab(s0li)]);
    f(&[s0r.w]);
    f(&[s0r.x]);
    f(&[lab(s0ri)]);
    f(&[b0l.w]);
    f(&[b0l.x]);
    f(&[lab(b0li)]);
    f(&[s1r.w]);
    f(&[s1r.x]);
    f(&[lab(s1ri)]);
    f(&[s1l.x, lab(s1li)]);
    // third order
    f(&[s0l2.w]);
    f(&[s0l2.x]);
    f(&[lab(s0l2i)]);
    f(&[s0r2.w]);
    f(&[s0r2.x]);
    f(&[lab(s0r2i)]);
    f(&[b0l2.w]);
    f(&[b0l2.x]);
    f(&[lab(b0l2i)]);
    f(&[s0.x, s0l.x, s0l2.x]);
    f(&[s0.x, s0r.x, s0r2.x]);
    f(&[b0.x, b0l.x, b0l2.x]);
    f(&[s0.x, lab(s0li), lab(s0l2i)]);
    f(&[s0.x, lab(s0ri), lab(s0r2i)]);
    f(&[b0.x, lab(b0li), lab(b0l2i)]);
    // label sets
    let ls = |o: Option<usize>| o.map_or(0, |i| st.lset[i]);
    let rs = |o: Option<usize>| o.map_or(0, |i| st.rset[i]);
    f(&[s0.w, ls(s0i)]);
    f(&[s0.x, ls(s0i)]);
    f(&[s0.w, rs(s0i)]);
    f(&[s0.x, rs(s0i)]);
    f(&[b0.w, ls(b0i)]);
    f(&[b0.x, ls(b0i)]);
    f(&[s1.x, rs(s1i)]);
    f(&[s1.x, ls(s1i)]);
    // string neighbours of s0 and b0 (what lies between / around the two candidates)
    let s0prev = at(s0i.filter(|&i| i > 1).map(|i| i - 1));
    let s0next = at(s0i.filter(|&i| i > 0 && i < st.n).map(|i| i + 1));
    let b0prev = at(b0i.filter(|&i| i > 1).map(|i| i - 1));
    f(&[s0prev.x, s0.x, b0.x]);
    f(&[s0.x, s0next.x, b0.x]);
    f(&[s0.x, b0prev.x, b0.x]);
    f(&[s0next.w, s0.x]);
    // ambiguity classes (when off, the templates below keep the ids they had before)
    if amb {
        f(&[s0.amb, s0.x]);
        f(&[b0.amb, b0.x]);
        f(&[s1.amb, s1.x]);
        f(&[b1.amb]);
        f(&[s0.amb, b0.amb]);
        f(&[s1.amb, s0.amb]);
        f(&[s0.amb, b0.x]);
        f(&[s0.x, b0.amb]);
    }
    // what lies between the candidates
    let (bp, bv) = s0i.zip(b0i).map_or((0, 0), |(x, y)| between(a, x, y));
    let (bp1, bv1) = s1i.zip(s0i).map_or((0, 0), |(x, y)| between(a, x, y));
    f(&[s0.x, b0.x, bp]);
    f(&[s0.x, b0.x, bv]);
    f(&[s0.p, b0.p, bp, bv]);
    f(&[s1.x, s0.x, bp1]);
    f(&[s1.x, s0.x, bv1]);
    f(&[s1.p, s0.p, bp1, bv1]);
    // morphology pairs
    f(&[s0.m, b0.m]);
    f(&[s0.m, b0.x]);
    f(&[s0.x, b0.m]);
    f(&[s1.m, s0.m]);
    f(&[s1.m, s0.x]);
    // lookahead past b2: is another clause (verb) or punctuation still coming, and which
    let last = a[st.n];
    let (rv, rp, nvi, npi) = match b0i {
        Some(b) => (
            (last.cum_verb - a[b].cum_verb).min(3) as u64 + 1,
            (last.cum_punct - a[b].cum_punct).min(3) as u64 + 1,
            a[b].next_verb as usize,
            a[b].next_punct as usize,
        ),
        None => (0, 0, 0, 0),
    };
    let nv = at(nz(nvi));
    let np = at(nz(npi));
    let nvd = b0i.map_or(0, |b| if nvi == 0 { 9 } else { dist_bucket(b, nvi) + 1 });
    f(&[s0.x, b0.x, rv]);
    f(&[s1.x, s0.x, rv]);
    f(&[s0.x, rv, rp]);
    f(&[s0.x, b0.x, nv.x]);
    f(&[s0.x, nv.x, nvd]);
    f(&[s1.x, s0.x, nv.x]);
    f(&[s0.x, b0.x, np.w]);
    f(&[s1.x, s0.x, np.w]);
    let depth = (st.stack.len() as u64).min(6);
    f(&[s0.x, b0.x, depth]);
    f(&[s1.x, s0.x, depth]);
}

/// Features of the arc `h -> d` for the label classifier. `dir` distinguishes LEFT/RIGHT.
fn label_features(st: &State, a: &[Atoms], amb: bool, h: usize, d: usize, out: &mut Vec<u64>) {
    out.clear();
    let dir = if d < h { 1u64 } else { 2u64 };
    let at = |i: usize| if i <= st.n { a[i] } else { NONE_ATOMS };
    let lab = |i: usize| if i == 0 { 0 } else { st.lab[i] as u64 + 1 };
    let (dd, hh) = (a[d], a[h]);
    let dl1 = st.l1[d];
    let dr1 = st.r1[d];
    let prev = at(d - 1);
    let next = at(d + 1);
    let dist = dist_bucket(h, d);
    let mut t = 1000u64;
    let mut f = |atoms: &[u64]| {
        t += 1;
        let mut h = feat(t, atoms);
        h ^= dir.wrapping_mul(K1);
        out.push(fmix(h));
    };
    f(&[]);
    f(&[dd.w]);
    f(&[dd.x]);
    f(&[dd.p]);
    f(&[dd.lem]);
    f(&[dd.m, dd.x]);
    f(&[dd.suf, dd.p]);
    f(&[dd.shape, dd.p]);
    f(&[hh.w]);
    f(&[hh.x]);
    f(&[hh.lem]);
    f(&[hh.m, hh.x]);
    f(&[dd.x, hh.x]);
    f(&[dd.p, hh.p]);
    f(&[dd.w, hh.x]);
    f(&[dd.x, hh.w]);
    f(&[dd.w, hh.w]);
    f(&[dd.lem, hh.lem]);
    f(&[dd.m, hh.x]);
    f(&[dd.x, hh.m]);
    f(&[dd.m, dd.x, hh.m, hh.x]);
    f(&[dist, dd.x, hh.x]);
    f(&[dist, dd.p]);
    f(&[st.lset[d], dd.x]);
    f(&[st.rset[d], dd.x]);
    f(&[st.lset[d], st.rset[d], dd.p]);
    f(&[st.lset[h], hh.x]);
    f(&[st.rset[h], hh.x]);
    f(&[st.lset[h], dd.x, hh.x]);
    f(&[at(dl1).w, dd.x]);
    f(&[at(dl1).w, dd.x, hh.x]);
    f(&[lab(dl1), dd.x]);
    f(&[lab(dl1), at(dl1).w, hh.p]);
    f(&[at(dr1).x, lab(dr1), dd.x]);
    f(&[at(dr1).w, dd.p]);
    f(&[prev.x, dd.x]);
    f(&[next.x, dd.x]);
    f(&[prev.w, dd.p, hh.p]);
    f(&[at(st.l1[h]).w, hh.x, dd.x]);
    f(&[dd.lem, hh.x]);
    f(&[dd.x, hh.lem]);
    if amb {
        f(&[dd.amb, dd.x]);
        f(&[dd.amb, hh.x]);
        f(&[dd.x, hh.amb]);
    }
    // the competing attachment site: b0 when attaching right, s1 when attaching left
    let other = if d < h {
        st.s(1).map_or(NONE_ATOMS, |i| a[i])
    } else {
        st.buf(0).map_or(NONE_ATOMS, |i| a[i])
    };
    f(&[other.x, dd.x, hh.x]);
    f(&[other.w, dd.p]);
    let (bp, bv) = between(a, h, d);
    f(&[bp, bv, dd.x, hh.x]);
    f(&[bp, dd.p]);
}

// ---------------------------------------------------------------------------------------
// Projectivisation and gold-tree checks

/// Gold heads as `gh[1..=n]`, or `None` when the sentence is not a single-rooted tree
/// (such sentences are skipped in training rather than trusted).
fn gold_heads(s: &Sentence) -> Option<Vec<usize>> {
    let n = s.words.len();
    let mut gh = vec![0usize; n + 1];
    let mut roots = 0;
    for (i, w) in s.words.iter().enumerate() {
        if w.id != i + 1 || w.head > n || w.head == i + 1 {
            return None;
        }
        gh[i + 1] = w.head;
        if w.head == 0 {
            roots += 1;
        }
    }
    if roots != 1 || n == 0 {
        return None;
    }
    // acyclic: every word reaches the root in at most n steps
    for i in 1..=n {
        let mut k = i;
        let mut steps = 0;
        while k != 0 {
            k = gh[k];
            steps += 1;
            if steps > n {
                return None;
            }
        }
    }
    Some(gh)
}

fn dominates(gh: &[usize], h: usize, mut k: usize) -> bool {
    while k != 0 {
        if k == h {
            return true;
        }
        k = gh[k];
    }
    h == 0
}

/// Lift non-projective arcs (d gets its head's head) until the tree is projective. The
/// shortest offending arc is lifted first, which changes as few arcs as possible.
fn projectivize(gh: &mut [usize]) -> usize {
    let n = gh.len() - 1;
    let mut lifted = 0;
    loop {
        let mut best: Option<(usize, usize)> = None;
        for d in 1..=n {
            let h = gh[d];
            let (lo, hi) = if h < d { (h, d) } else { (d, h) };
            let nonproj = (lo + 1..hi).any(|k| !dominates(gh, h, k));
            if nonproj && best.is_none_or(|(len, _)| hi - lo < len) {
                best = Some((hi - lo, d));
            }
        }
        match best {
            Some((_, d)) if gh[d] != 0 => {
                gh[d] = gh[gh[d]];
                lifted += 1;
            }
            _ => return lifted,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Deterministic PRNG (splitmix64)

struct Rng(u64);
impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        fmix(self.0)
    }
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

// ---------------------------------------------------------------------------------------
// The parser

/// A trained parser. Cheap to share across threads (`parse` takes `&self`).
#[derive(Debug, Clone)]
pub struct Parser {
    /// Interned, so labelling an arc copies a pointer.
    labels: Vec<Field>,
    /// Ambiguity lexicon, sorted by form (the order it is saved in).
    lexicon: Vec<(String, u64)>,
    lex: Lexicon,
    root_label: u16,
    actions: Table,
    labeler: Table,
}

/// Per-epoch training statistics (for logs and the model card).
#[derive(Debug, Clone)]
pub struct EpochLog {
    pub epoch: usize,
    pub train_uas: f64,
    pub dev_uas: f64,
    pub dev_las: f64,
    pub seconds: f64,
}

/// Jack-knifing (k-fold cross-tagging) so the parser trains on tags as noisy as the ones
/// it will see: sentence `i` goes to fold `i % folds`; each fold is tagged by a model
/// trained (`train_model`) on the other folds. Generic over the tagger so this module
/// does not depend on its API; `kg train parser` passes a tagger + lemmatizer pair.
/// `make train` uses 5 folds. The folds are trained in parallel (rayon); each fold's
/// model depends only on its data, so the result does not depend on the thread count.
pub fn jackknife<T: Send>(
    sents: &[Sentence],
    folds: usize,
    train_model: impl Fn(&[Sentence]) -> T + Sync,
    tag: impl Fn(&T, &mut Sentence) + Sync,
) -> Vec<Sentence> {
    use rayon::prelude::*;
    let folds = folds.max(2);
    let models: Vec<T> = (0..folds)
        .into_par_iter()
        .map(|fold| {
            let rest: Vec<Sentence> = sents
                .iter()
                .enumerate()
                .filter(|(i, _)| i % folds != fold)
                .map(|(_, s)| s.clone())
                .collect();
            train_model(&rest)
        })
        .collect();
    let mut out = sents.to_vec();
    for (i, s) in out.iter_mut().enumerate() {
        tag(&models[i % folds], s);
    }
    out
}

/// Simple word-level attachment scores (full labels incl. subtypes) against gold trees.
pub fn attachment_scores(gold: &[Sentence], sys: &[Sentence]) -> (f64, f64) {
    let (mut total, mut uas, mut las) = (0usize, 0usize, 0usize);
    for (g, s) in gold.iter().zip(sys) {
        for (gw, sw) in g.words.iter().zip(&s.words) {
            total += 1;
            if gw.head == sw.head {
                uas += 1;
                if gw.deprel == sw.deprel {
                    las += 1;
                }
            }
        }
    }
    if total == 0 {
        return (0.0, 0.0);
    }
    (
        100.0 * uas as f64 / total as f64,
        100.0 * las as f64 / total as f64,
    )
}

/// A training sentence: atoms, projectivised gold heads, gold label ids.
struct TrainItem {
    atoms: Vec<Atoms>,
    gh: Vec<usize>,
    gl: Vec<u16>,
}

/// What one training run keeps: the averaged (unquantized) weights of its best epoch.
struct RunResult {
    actions: Vec<f32>,
    labeler: Vec<f32>,
    log: Vec<EpochLog>,
}

/// What every training run shares.
struct TrainCtx<'a> {
    labels: &'a [Field],
    lexicon: &'a [(String, u64)],
    lex: &'a Lexicon,
    root_label: u16,
    use_amb: bool,
    dev: &'a [Sentence],
    opts: &'a TrainOptions,
}

impl TrainCtx<'_> {
    /// The parser with these (averaged, summed or mixed) weights, quantized as saved.
    fn parser(&self, actions: &[f32], labeler: &[f32]) -> Parser {
        Parser {
            labels: self.labels.to_vec(),
            lexicon: self.lexicon.to_vec(),
            lex: self.lex.clone(),
            root_label: self.root_label,
            actions: Table::quantize(N_ACTIONS, self.opts.action_bits, actions, self.opts.prune),
            labeler: Table::quantize(
                self.labels.len(),
                self.opts.label_bits,
                labeler,
                self.opts.prune,
            ),
        }
    }

    /// One training run (shuffling and exploration from `seed`), early-stopped on dev LAS.
    fn run(&self, items: &[TrainItem], seed: u64) -> RunResult {
        let mut actions = TrainTable::new(N_ACTIONS, self.opts.action_bits);
        let mut labeler = TrainTable::new(self.labels.len(), self.opts.label_bits);
        let mut rng = Rng(seed);
        let mut order: Vec<usize> = (0..items.len()).collect();
        let mut feats = Vec::with_capacity(160);
        let mut lfeats = Vec::with_capacity(64);
        let mut scores = [0f32; N_ACTIONS];
        let mut lscores = vec![0f32; self.labels.len()];
        let mut best: Option<(f64, Vec<f32>, Vec<f32>)> = None;
        let mut since_best = 0;
        let mut log = Vec::new();

        for epoch in 0..self.opts.max_epochs {
            let t0 = std::time::Instant::now();
            // Fisher-Yates with the fixed-seed PRNG.
            for i in (1..order.len()).rev() {
                let j = rng.below(i + 1);
                order.swap(i, j);
            }
            let explore = epoch >= self.opts.explore_from;
            let (mut correct, mut total) = (0usize, 0usize);
            for &idx in &order {
                let it = &items[idx];
                let n = it.gh.len() - 1;
                let mut st = State::new(n);
                while !st.terminal() {
                    action_features(&st, &it.atoms, self.use_amb, &mut feats);
                    actions.scores(&feats, &mut scores);
                    let valid = st.valid();
                    let costs = st.costs(&it.gh);
                    let min_cost = (0..N_ACTIONS)
                        .filter(|&a| valid[a])
                        .map(|a| costs[a])
                        .min()
                        .unwrap_or(0);
                    let pred = argmax_valid(&scores, &valid);
                    let truth = (0..N_ACTIONS)
                        .filter(|&a| valid[a] && costs[a] == min_cost)
                        .fold(None, |b: Option<usize>, a| match b {
                            Some(b) if scores[b] >= scores[a] => Some(b),
                            _ => Some(a),
                        })
                        .unwrap_or(pred);
                    if costs[pred] > min_cost {
                        actions.update(&feats, truth, pred);
                    }
                    actions.tick();
                    let follow_pred = explore && rng.next_f64() < self.opts.explore_p;
                    let next = if follow_pred { pred } else { truth };
                    let mut label = 0u16;
                    if let Some((h, d)) = st.arc_of(next) {
                        if h == 0 {
                            label = self.root_label;
                        } else {
                            label_features(&st, &it.atoms, self.use_amb, h, d, &mut lfeats);
                            labeler.scores(&lfeats, &mut lscores);
                            let lp = argmax_except(&lscores, self.root_label as usize) as u16;
                            label = lp;
                            if it.gh[d] == h && it.gl[d] != self.root_label {
                                let g = it.gl[d];
                                if lp != g {
                                    labeler.update(&lfeats, g as usize, lp as usize);
                                }
                                labeler.tick();
                                if !follow_pred {
                                    label = g;
                                }
                            }
                        }
                        total += 1;
                        if it.gh[d] == h {
                            correct += 1;
                        }
                    }
                    st.apply(next, label);
                }
            }
            let (aw, lw) = (actions.averaged(), labeler.averaged());
            let parser = self.parser(&aw, &lw);
            let mut sys: Vec<Sentence> = self.dev.to_vec();
            for s in sys.iter_mut() {
                parser.parse(s);
            }
            let (dev_uas, dev_las) = attachment_scores(self.dev, &sys);
            let entry = EpochLog {
                epoch: epoch + 1,
                train_uas: 100.0 * correct as f64 / total.max(1) as f64,
                dev_uas,
                dev_las,
                seconds: t0.elapsed().as_secs_f64(),
            };
            if self.opts.verbose {
                eprintln!(
                    "parser epoch {:2}: train UAS {:.2} (explore {}), dev UAS {:.2} LAS {:.2}, {:.1}s",
                    entry.epoch, entry.train_uas, explore, dev_uas, dev_las, entry.seconds
                );
            }
            log.push(entry);
            if best.as_ref().is_none_or(|(b, _, _)| dev_las > *b) {
                best = Some((dev_las, aw, lw));
                since_best = 0;
            } else {
                since_best += 1;
                if since_best >= self.opts.patience {
                    break;
                }
            }
        }
        let (actions, labeler) = match best {
            Some((_, a, l)) => (a, l),
            None => (actions.averaged(), labeler.averaged()),
        };
        RunResult {
            actions,
            labeler,
            log,
        }
    }
}

impl Parser {
    /// Train on `train` (tags/lemmas/feats as given: pass predicted, jack-knifed tags to be
    /// robust to tagger errors), early-stopping on LAS over `dev`. Deterministic.
    pub fn train(train: &[Sentence], dev: &[Sentence], opts: &TrainOptions) -> Parser {
        Self::train_with_log(train, dev, opts).0
    }

    /// As [`Parser::train`], also returning the per-epoch log (with several
    /// [`TrainOptions::runs`], the epochs of run 0, then those of run 1, ...).
    pub fn train_with_log(
        train: &[Sentence],
        dev: &[Sentence],
        opts: &TrainOptions,
    ) -> (Parser, Vec<EpochLog>) {
        let mut label_set: BTreeSet<String> = BTreeSet::new();
        label_set.insert("root".to_string());
        label_set.insert("dep".to_string());
        for s in train {
            for w in &s.words {
                if !w.deprel.is_empty() && w.deprel != "_" {
                    label_set.insert(w.deprel.to_string());
                }
            }
        }
        let labels: Vec<Field> = label_set.iter().map(|l| Field::interned(l)).collect();
        let root_label = labels.iter().position(|l| l == "root").unwrap_or(0) as u16;
        let label_id = |s: &str| labels.iter().position(|l| l == s).map(|i| i as u16);

        let lexicon = if opts.ambiguity_classes {
            build_lexicon(train)
        } else {
            Vec::new()
        };
        let lex: Lexicon = lexicon.iter().cloned().collect();
        let use_amb = !lexicon.is_empty();
        let mut items = Vec::with_capacity(train.len());
        let mut lifted = 0usize;
        for s in train {
            let Some(mut gh) = gold_heads(s) else {
                continue;
            };
            lifted += projectivize(&mut gh);
            let mut gl = vec![0u16; gh.len()];
            for (i, w) in s.words.iter().enumerate() {
                gl[i + 1] = label_id(&w.deprel).unwrap_or(root_label);
            }
            items.push(TrainItem {
                atoms: atoms_of(&s.words, &lex),
                gh,
                gl,
            });
        }
        if opts.verbose {
            eprintln!(
                "parser: {} training sentences, {} labels, {} arcs lifted to projectivise",
                items.len(),
                labels.len(),
                lifted
            );
        }

        let ctx = TrainCtx {
            labels: &labels,
            lexicon: &lexicon,
            lex: &lex,
            root_label,
            use_amb,
            dev,
            opts,
        };
        let runs = opts.runs.max(1);
        let results: Vec<RunResult> = {
            use rayon::prelude::*;
            (0..runs)
                .into_par_iter()
                .map(|k| ctx.run(&items, opts.seed.wrapping_add(k as u64)))
                .collect()
        };
        let mut log = Vec::new();
        let mut mixed: Option<(Vec<f32>, Vec<f32>)> = None;
        for r in results {
            log.extend(r.log);
            match mixed.as_mut() {
                None => mixed = Some((r.actions, r.labeler)),
                Some((a, l)) => {
                    a.iter_mut().zip(&r.actions).for_each(|(x, y)| *x += y);
                    l.iter_mut().zip(&r.labeler).for_each(|(x, y)| *x += y);
                }
            }
        }
        // (runs >= 1, so `mixed` is set; the sum is in run order: deterministic)
        let (a, l) = mixed.unwrap_or_default();
        let parser = ctx.parser(&a, &l);
        if opts.verbose && runs > 1 {
            let mut sys: Vec<Sentence> = dev.to_vec();
            for s in sys.iter_mut() {
                parser.parse(s);
            }
            let (dev_uas, dev_las) = attachment_scores(dev, &sys);
            eprintln!("parser: mixture of {runs} runs, dev UAS {dev_uas:.2} LAS {dev_las:.2}");
        }
        (parser, log)
    }

    /// The label inventory (sorted).
    pub fn labels(&self) -> &[Field] {
        &self.labels
    }

    /// Fill `head` and `deprel` of every word. The result is always a single-rooted tree
    /// (exactly one word has head 0 and deprel `root`). Word ids are renumbered 1..=n.
    pub fn parse(&self, s: &mut Sentence) {
        let n = s.words.len();
        if n == 0 {
            return;
        }
        let atoms = atoms_of(&s.words, &self.lex);
        let use_amb = !self.lexicon.is_empty();
        let mut st = State::new(n);
        let mut feats = Vec::with_capacity(160);
        let mut lfeats = Vec::with_capacity(64);
        let mut scores = [0i32; N_ACTIONS];
        let mut lscores = vec![0i32; self.labels.len()];
        while !st.terminal() {
            let valid = st.valid();
            let action = if valid.iter().filter(|&&v| v).count() == 1 {
                // Forced move: no need to score.
                valid.iter().position(|&v| v).unwrap_or(SHIFT)
            } else {
                action_features(&st, &atoms, use_amb, &mut feats);
                self.actions.scores(&feats, &mut scores);
                argmax_valid(&scores, &valid)
            };
            let mut label = self.root_label;
            if let Some((h, d)) = st.arc_of(action)
                && h != 0
            {
                label_features(&st, &atoms, use_amb, h, d, &mut lfeats);
                self.labeler.scores(&lfeats, &mut lscores);
                label = argmax_except(&lscores, self.root_label as usize) as u16;
            }
            st.apply(action, label);
        }
        for (i, w) in s.words.iter_mut().enumerate() {
            w.id = i + 1;
            let h = st.head[i + 1];
            // Unreachable for a terminal arc-hybrid state, but never emit a broken tree.
            w.head = if h == NO_HEAD { 0 } else { h };
            w.deprel = self
                .labels
                .get(st.lab[i + 1] as usize)
                .cloned()
                .unwrap_or(Field::from_static("dep"));
        }
    }

    /// Write the model: quantized i16 weights, zero runs and small values compacted.
    pub fn save(&self, path: &Path) -> Result<(), ParserError> {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
        f.write_all(&self.to_bytes())?;
        f.flush()?;
        Ok(())
    }

    /// The bytes [`Parser::save`] writes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut buf: Vec<u8> = Vec::new();
        buf.extend_from_slice(MAGIC);
        buf.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        buf.extend_from_slice(&(self.labels.len() as u32).to_le_bytes());
        for l in &self.labels {
            buf.extend_from_slice(&(l.len() as u16).to_le_bytes());
            buf.extend_from_slice(l.as_bytes());
        }
        buf.extend_from_slice(&(self.root_label as u32).to_le_bytes());
        buf.extend_from_slice(&(self.lexicon.len() as u32).to_le_bytes());
        for (form, atom) in &self.lexicon {
            buf.extend_from_slice(&(form.len() as u16).to_le_bytes());
            buf.extend_from_slice(form.as_bytes());
            buf.extend_from_slice(&atom.to_le_bytes());
        }
        write_table(&mut buf, &self.actions);
        write_table(&mut buf, &self.labeler);
        buf
    }

    /// Zero every quantized weight with |q| < `min_abs` (trades accuracy for file size;
    /// measure after pruning).
    pub fn prune(&mut self, min_abs: i16) {
        self.actions.prune(min_abs);
        self.labeler.prune(min_abs);
    }

    /// Load a model written by [`Parser::save`]. Truncated files, files of another format
    /// version and foreign files are errors, never panics.
    pub fn load(path: &Path) -> Result<Parser, ParserError> {
        let bytes = std::fs::read(path)?;
        Self::from_bytes(&bytes)
    }

    /// Decode a model from memory (see [`Parser::load`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Parser, ParserError> {
        let mut r = Cursor { b: bytes, pos: 0 };
        let magic = r.take(MAGIC.len())?;
        if magic != MAGIC {
            return Err(ParserError::BadMagic);
        }
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(ParserError::Version {
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        let n_labels = r.u32()? as usize;
        if n_labels == 0 || n_labels > 4096 {
            return Err(ParserError::Corrupt(format!("{n_labels} labels")));
        }
        let mut labels = Vec::with_capacity(n_labels);
        for _ in 0..n_labels {
            let len = r.u16()? as usize;
            let s = std::str::from_utf8(r.take(len)?)
                .map_err(|_| ParserError::Corrupt("label is not UTF-8".into()))?;
            labels.push(Field::interned(s));
        }
        let root_label = r.u32()? as usize;
        if root_label >= n_labels {
            return Err(ParserError::Corrupt("root label out of range".into()));
        }
        let n_lex = r.u32()? as usize;
        if n_lex > 10_000_000 {
            return Err(ParserError::Corrupt(format!("{n_lex} lexicon entries")));
        }
        let mut lexicon = Vec::with_capacity(n_lex.min(1 << 20));
        for _ in 0..n_lex {
            let len = r.u16()? as usize;
            let form = std::str::from_utf8(r.take(len)?)
                .map_err(|_| ParserError::Corrupt("lexicon form is not UTF-8".into()))?;
            let atom = u64::from_le_bytes(r.array()?);
            lexicon.push((form.to_string(), atom));
        }
        let actions = read_table(&mut r)?;
        let labeler = read_table(&mut r)?;
        if actions.n != N_ACTIONS || labeler.n != n_labels {
            return Err(ParserError::Corrupt("table shapes do not match".into()));
        }
        if r.pos != bytes.len() {
            return Err(ParserError::Corrupt("trailing bytes".into()));
        }
        let lex = lexicon.iter().cloned().collect();
        Ok(Parser {
            labels,
            lexicon,
            lex,
            root_label: root_label as u16,
            actions,
            labeler,
        })
    }
}

#[inline]
fn argmax_valid<T: PartialOrd + Copy>(scores: &[T], valid: &[bool; N_ACTIONS]) -> usize {
    let mut best = usize::MAX;
    for a in 0..N_ACTIONS {
        if valid[a] && (best == usize::MAX || scores[a] > scores[best]) {
            best = a;
        }
    }
    if best == usize::MAX { SHIFT } else { best }
}

#[inline]
fn argmax_except<T: PartialOrd + Copy>(scores: &[T], skip: usize) -> usize {
    let mut best = usize::MAX;
    for (i, &s) in scores.iter().enumerate() {
        if i != skip && (best == usize::MAX || s > scores[best]) {
            best = i;
        }
    }
    if best == usize::MAX { 0 } else { best }
}

/// Tables are written as one stream over all cells (row-major): a nonzero weight is the
/// LEB128 varint of its zigzag code (|q| < 64 takes one byte, most weights do); a run of
/// zeros is a 0 byte followed by the varint of the run length minus one. Hashed rows are
/// dense but their cells are not (a label row only holds the labels that feature was ever
/// confused between), so this halves the file against a row bitmap of raw i16 rows.
fn write_table(buf: &mut Vec<u8>, t: &Table) {
    buf.extend_from_slice(&(t.n as u32).to_le_bytes());
    buf.extend_from_slice(&t.bits.to_le_bytes());
    let mut i = 0;
    while i < t.q.len() {
        let v = t.q[i];
        if v == 0 {
            let run = t.q[i..].iter().take_while(|&&x| x == 0).count();
            buf.push(0);
            write_varint(buf, (run - 1) as u64);
            i += run;
        } else {
            write_varint(buf, zigzag(v));
            i += 1;
        }
    }
}

#[inline]
fn zigzag(v: i16) -> u64 {
    ((v << 1) ^ (v >> 15)) as u16 as u64
}

#[inline]
fn unzigzag(u: u64) -> i16 {
    let u = u as u16;
    ((u >> 1) as i16) ^ -((u & 1) as i16)
}

fn write_varint(buf: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        buf.push((x as u8) | 0x80);
        x >>= 7;
    }
    buf.push(x as u8);
}

fn read_table(r: &mut Cursor) -> Result<Table, ParserError> {
    let n = r.u32()? as usize;
    let bits = r.u32()?;
    if n == 0 || n > 4096 || !(4..=28).contains(&bits) {
        return Err(ParserError::Corrupt(format!(
            "table header n={n} bits={bits}"
        )));
    }
    let cells = (1usize << bits) * n;
    let mut q = vec![0i16; cells];
    let mut i = 0;
    while i < cells {
        let u = r.varint()?;
        if u == 0 {
            let run = r.varint()? as usize + 1;
            if run > cells - i {
                return Err(ParserError::Corrupt("zero run past the table end".into()));
            }
            i += run;
        } else {
            if u > u16::MAX as u64 {
                return Err(ParserError::Corrupt("weight out of range".into()));
            }
            q[i] = unzigzag(u);
            i += 1;
        }
    }
    Ok(Table { n, bits, q })
}

struct Cursor<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], ParserError> {
        let end = self.pos.checked_add(len).ok_or(ParserError::Truncated)?;
        if end > self.b.len() {
            return Err(ParserError::Truncated);
        }
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], ParserError> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    fn u32(&mut self) -> Result<u32, ParserError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn u16(&mut self) -> Result<u16, ParserError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    fn varint(&mut self) -> Result<u64, ParserError> {
        let mut x = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.take(1)?[0];
            x |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(x);
            }
        }
        Err(ParserError::Corrupt("varint too long".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlp::conllu::{Word, parse_str, read_file};

    /// A tiny deterministic PRNG for property tests (no extra crate).
    fn rng(seed: u64) -> Rng {
        Rng(seed)
    }

    /// Random projective tree over 1..=n: the span [lo, hi] hanging off `head` is cut into
    /// consecutive segments, each with a random root attached to `head`.
    fn random_projective(n: usize, r: &mut Rng) -> Vec<usize> {
        fn span(lo: usize, hi: usize, head: usize, gh: &mut [usize], r: &mut Rng) {
            let mut start = lo;
            while start <= hi {
                let end = start + r.below(hi - start + 1);
                let c = start + r.below(end - start + 1);
                gh[c] = head;
                if c > start {
                    span(start, c - 1, c, gh, r);
                }
                if c < end {
                    span(c + 1, end, c, gh, r);
                }
                start = end + 1;
            }
        }
        let mut gh = vec![0usize; n + 1];
        let root = 1 + r.below(n);
        if root > 1 {
            span(1, root - 1, root, &mut gh, r);
        }
        if root < n {
            span(root + 1, n, root, &mut gh, r);
        }
        gh[root] = 0;
        gh
    }

    fn is_projective(gh: &[usize]) -> bool {
        let mut g = gh.to_vec();
        projectivize(&mut g) == 0
    }

    /// Follow zero-cost transitions from the initial state.
    fn oracle_parse(gh: &[usize]) -> Vec<usize> {
        let n = gh.len() - 1;
        let mut st = State::new(n);
        while !st.terminal() {
            let valid = st.valid();
            let c = st.costs(gh);
            let a = (0..N_ACTIONS)
                .find(|&a| valid[a] && c[a] == 0)
                .expect("a zero-cost transition exists");
            st.apply(a, 0);
        }
        st.head
    }

    #[test]
    fn oracle_reproduces_random_projective_trees() {
        let mut r = rng(42);
        for trial in 0..2000 {
            let n = 1 + r.below(if trial < 1000 { 12 } else { 60 });
            let gh = random_projective(n, &mut r);
            assert!(gold_heads_ok(&gh), "{gh:?}");
            assert!(is_projective(&gh));
            let heads = oracle_parse(&gh);
            assert_eq!(&heads[1..], &gh[1..], "trial {trial}");
        }
    }

    fn gold_heads_ok(gh: &[usize]) -> bool {
        let n = gh.len() - 1;
        gh[1..].iter().filter(|&&h| h == 0).count() == 1
            && (1..=n).all(|i| {
                let mut k = i;
                let mut steps = 0;
                while k != 0 && steps <= n {
                    k = gh[k];
                    steps += 1;
                }
                k == 0
            })
    }

    /// Exhaustive search: the most gold arcs any transition sequence from `st` can end with.
    fn best_reachable(st: &State, gh: &[usize]) -> usize {
        if st.terminal() {
            return (1..=st.n).filter(|&d| st.head[d] == gh[d]).count();
        }
        let mut best = 0;
        for (a, &ok) in st.valid().iter().enumerate() {
            if ok {
                let mut next = clone_state(st);
                next.apply(a, 0);
                best = best.max(best_reachable(&next, gh));
            }
        }
        best
    }

    fn clone_state(st: &State) -> State {
        State {
            n: st.n,
            stack: st.stack.clone(),
            b: st.b,
            head: st.head.clone(),
            lab: st.lab.clone(),
            l1: st.l1.clone(),
            l2: st.l2.clone(),
            r1: st.r1.clone(),
            r2: st.r2.clone(),
            lval: st.lval.clone(),
            rval: st.rval.clone(),
            lset: st.lset.clone(),
            rset: st.rset.clone(),
        }
    }

    /// The dynamic oracle is exact: from configurations reached by random (often wrong)
    /// transitions, each action's cost equals the drop in the best reachable score.
    #[test]
    fn dynamic_oracle_costs_are_exact() {
        let mut r = rng(7);
        for _ in 0..300 {
            let n = 1 + r.below(6);
            let gh = random_projective(n, &mut r);
            let mut st = State::new(n);
            while !st.terminal() {
                let valid = st.valid();
                let costs = st.costs(&gh);
                let here = best_reachable(&st, &gh);
                for a in 0..N_ACTIONS {
                    if valid[a] {
                        let mut next = clone_state(&st);
                        next.apply(a, 0);
                        assert_eq!(
                            costs[a],
                            here - best_reachable(&next, &gh),
                            "gh {gh:?} stack {:?} b {} a {a}",
                            st.stack,
                            st.b
                        );
                    }
                }
                let choices: Vec<usize> = (0..N_ACTIONS).filter(|&a| valid[a]).collect();
                st.apply(choices[r.below(choices.len())], 0);
            }
        }
    }

    #[test]
    fn projectivize_lifts_crossing_arcs() {
        // Words 1..4, root 2; 1 -> 2; 3 -> 1 spans word 2, which 1 does not dominate;
        // lifting gives 3 -> 2.
        let mut gh = vec![0, 2, 0, 1, 2];
        assert!(!is_projective(&gh));
        let lifted = projectivize(&mut gh);
        assert_eq!(lifted, 1);
        assert_eq!(gh, vec![0, 2, 0, 2, 2]);
        assert!(is_projective(&gh));
    }

    const MINI: &str = "\
# sent_id = 1
1\tThe\tthe\tDET\tDT\tDefinite=Def|PronType=Art\t2\tdet\t_\t_
2\tcat\tcat\tNOUN\tNN\tNumber=Sing\t3\tnsubj\t_\t_
3\tsat\tsit\tVERB\tVBD\tMood=Ind|Tense=Past|VerbForm=Fin\t0\troot\t_\t_
4\ton\ton\tADP\tIN\t_\t6\tcase\t_\t_
5\tthe\tthe\tDET\tDT\tDefinite=Def|PronType=Art\t6\tdet\t_\t_
6\tmat\tmat\tNOUN\tNN\tNumber=Sing\t3\tobl\t_\tSpaceAfter=No
7\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_

# sent_id = 2
1\tA\ta\tDET\tDT\tDefinite=Ind|PronType=Art\t2\tdet\t_\t_
2\tdog\tdog\tNOUN\tNN\tNumber=Sing\t4\tnsubj:pass\t_\t_
3\twas\tbe\tAUX\tVBD\tMood=Ind|Tense=Past|VerbForm=Fin\t4\taux:pass\t_\t_
4\tseen\tsee\tVERB\tVBN\tTense=Past|VerbForm=Part|Voice=Pass\t0\troot\t_\t_
5\tby\tby\tADP\tIN\t_\t6\tcase\t_\t_
6\tKim\tKim\tPROPN\tNNP\tNumber=Sing\t4\tobl:agent\t_\tSpaceAfter=No
7\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_

# sent_id = 3
1\tShe\tshe\tPRON\tPRP\tCase=Nom|Number=Sing|Person=3|PronType=Prs\t2\tnsubj\t_\t_
2\tgave\tgive\tVERB\tVBD\tMood=Ind|Tense=Past|VerbForm=Fin\t0\troot\t_\t_
3\thim\the\tPRON\tPRP\tCase=Acc|Number=Sing|Person=3|PronType=Prs\t2\tiobj\t_\t_
4\tbooks\tbook\tNOUN\tNNS\tNumber=Plur\t2\tobj\t_\t_
5\tand\tand\tCCONJ\tCC\t_\t6\tcc\t_\t_
6\tleft\tleave\tVERB\tVBD\tMood=Ind|Tense=Past|VerbForm=Fin\t2\tconj\t_\tSpaceAfter=No
7\t.\t.\tPUNCT\t.\t_\t2\tpunct\t_\t_

";

    fn small_opts() -> TrainOptions {
        TrainOptions {
            max_epochs: 15,
            patience: 15,
            action_bits: 16,
            label_bits: 12,
            ..TrainOptions::default()
        }
    }

    fn assert_tree(s: &Sentence, labels: &[Field]) {
        let n = s.words.len();
        let gh: Vec<usize> = std::iter::once(0)
            .chain(s.words.iter().map(|w| w.head))
            .collect();
        assert!(s.words.iter().all(|w| w.head <= n), "head out of range");
        assert!(gold_heads_ok(&gh), "not a single-rooted tree: {gh:?}");
        for w in &s.words {
            assert_eq!(
                w.head == 0,
                w.deprel == "root",
                "root label iff head 0: {w:?}"
            );
            assert!(labels.contains(&w.deprel), "unknown label {}", w.deprel);
        }
    }

    fn mini_parser() -> Parser {
        let train = parse_str(MINI).expect("mini corpus parses");
        Parser::train(&train, &train, &small_opts())
    }

    #[test]
    fn learns_the_mini_corpus_and_outputs_trees() {
        let train = parse_str(MINI).unwrap();
        let p = mini_parser();
        for g in &train {
            let mut s = g.clone();
            s.words.iter_mut().for_each(|w| {
                w.head = 0;
                w.deprel = "_".into();
            });
            p.parse(&mut s);
            assert_tree(&s, p.labels());
            let (uas, las) = attachment_scores(std::slice::from_ref(g), std::slice::from_ref(&s));
            assert_eq!((uas, las), (100.0, 100.0), "{s:?}");
        }
    }

    #[test]
    fn jackknife_tags_every_sentence_with_a_model_that_did_not_see_it() {
        let sents = parse_str(MINI).unwrap();
        // "model" = the sent_ids it was trained on; "tagging" writes whether the sentence
        // was among them into XPOS.
        let out = jackknife(
            &sents,
            3,
            |tr| {
                tr.iter()
                    .filter_map(|s| s.sent_id().map(str::to_string))
                    .collect::<Vec<_>>()
            },
            |seen, s| {
                let id = s.sent_id().unwrap_or("").to_string();
                let flag = if seen.contains(&id) {
                    "SEEN"
                } else {
                    "HELDOUT"
                };
                s.words.iter_mut().for_each(|w| w.xpos = flag.into());
            },
        );
        assert_eq!(out.len(), sents.len());
        assert!(
            out.iter()
                .all(|s| s.words.iter().all(|w| w.xpos == "HELDOUT"))
        );
    }

    #[test]
    fn ambiguity_lexicon_is_learned_saved_and_used() {
        let mut train = parse_str(MINI).unwrap();
        // repeat so forms pass the lexicon's count threshold
        train.extend(train.clone());
        train.extend(train.clone());
        let opts = TrainOptions {
            ambiguity_classes: true,
            ..small_opts()
        };
        let p = Parser::train(&train, &train, &opts);
        assert!(p.lexicon.iter().any(|(f, _)| f == "the"));
        assert!(p.lexicon.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
        let q = Parser::from_bytes(&p.to_bytes()).unwrap();
        assert_eq!(q.lexicon, p.lexicon);
        for g in &train[..3] {
            let mut s = g.clone();
            q.parse(&mut s);
            assert_tree(&s, q.labels());
            assert_eq!(
                attachment_scores(std::slice::from_ref(g), std::slice::from_ref(&s)).0,
                100.0
            );
        }
    }

    #[test]
    fn training_is_deterministic() {
        assert_eq!(mini_parser().to_bytes(), mini_parser().to_bytes());
    }

    #[test]
    fn mixed_runs_are_deterministic_and_learn() {
        let train = parse_str(MINI).unwrap();
        let one = TrainOptions {
            runs: 1,
            ..small_opts()
        };
        let two = TrainOptions {
            runs: 2,
            ..small_opts()
        };
        let p = Parser::train(&train, &train, &two);
        assert_eq!(p.to_bytes(), Parser::train(&train, &train, &two).to_bytes());
        // the mixture is not just the first run's model
        assert_ne!(p.to_bytes(), Parser::train(&train, &train, &one).to_bytes());
        let mut sys = train.clone();
        for s in sys.iter_mut() {
            p.parse(s);
            assert_tree(s, p.labels());
        }
        assert_eq!(attachment_scores(&train, &sys), (100.0, 100.0));
    }

    fn sentence_of(forms: &[(&str, &str, &str)]) -> Sentence {
        let mut s = Sentence {
            comments: vec![],
            words: vec![],
            multiword: vec![],
        };
        for (i, (f, u, x)) in forms.iter().enumerate() {
            let mut w = Word::new(i + 1, *f);
            w.lemma = f.to_lowercase();
            w.upos = (*u).into();
            w.xpos = (*x).into();
            s.words.push(w);
        }
        s
    }

    #[test]
    fn bad_input_still_gives_trees() {
        let p = mini_parser();
        // one word
        let mut one = sentence_of(&[("Hello", "INTJ", "UH")]);
        p.parse(&mut one);
        assert_eq!(
            (one.words[0].head, one.words[0].deprel.as_str()),
            (0, "root")
        );
        // punctuation only
        let mut punct = sentence_of(&[
            ("!", "PUNCT", "."),
            ("?", "PUNCT", "."),
            ("...", "PUNCT", ":"),
        ]);
        p.parse(&mut punct);
        assert_tree(&punct, p.labels());
        // unseen tokens and tags
        let mut unseen = sentence_of(&[
            ("Zyxqv", "PROPN", "NNP"),
            ("blorfed", "VERB", "VBD"),
            ("qwerty", "X", "FW"),
            ("∂∆", "SYM", "$"),
        ]);
        p.parse(&mut unseen);
        assert_tree(&unseen, p.labels());
        // 500 tokens
        let words: Vec<(&str, &str, &str)> = (0..500)
            .map(|i| {
                if i % 7 == 6 {
                    (",", "PUNCT", ",")
                } else {
                    ("word", "NOUN", "NN")
                }
            })
            .collect();
        let mut long = sentence_of(&words);
        p.parse(&mut long);
        assert_tree(&long, p.labels());
        // empty sentence: nothing to do, no panic
        let mut empty = Sentence {
            comments: vec![],
            words: vec![],
            multiword: vec![],
        };
        p.parse(&mut empty);
        assert!(empty.words.is_empty());
    }

    #[test]
    fn model_file_round_trip_and_errors() {
        let p = mini_parser();
        let bytes = p.to_bytes();
        let q = Parser::from_bytes(&bytes).expect("round trip");
        assert_eq!(q.to_bytes(), bytes);
        // truncated anywhere -> error, never a panic
        for cut in [0, 4, 8, 12, 20, bytes.len() / 2, bytes.len() - 1] {
            let e = Parser::from_bytes(&bytes[..cut]).unwrap_err();
            assert!(
                matches!(e, ParserError::Truncated | ParserError::BadMagic),
                "cut {cut}: {e}"
            );
        }
        let mut other = bytes.clone();
        other[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        let e = Parser::from_bytes(&other).unwrap_err();
        assert!(
            matches!(e, ParserError::Version { found, expected } if found == FORMAT_VERSION + 1 && expected == FORMAT_VERSION)
        );
        assert!(e.to_string().contains("version"));
        let mut foreign = bytes.clone();
        foreign[0] = b'X';
        assert!(matches!(
            Parser::from_bytes(&foreign),
            Err(ParserError::BadMagic)
        ));
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(matches!(
            Parser::from_bytes(&trailing),
            Err(ParserError::Corrupt(_))
        ));
        let dir = std::env::temp_dir().join(format!("kg-parser-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("p.bin");
        p.save(&path).unwrap();
        assert_eq!(Parser::load(&path).unwrap().to_bytes(), bytes);
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        assert!(matches!(Parser::load(&path), Err(ParserError::Truncated)));
        assert!(matches!(
            Parser::load(&dir.join("missing.bin")),
            Err(ParserError::Io(_))
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn table_encoding_round_trips_runs_and_extremes() {
        let mut q = vec![0i16; 4 * 64];
        q[0] = i16::MIN + 1;
        q[1] = 32767;
        q[2] = -1;
        q[3] = 1;
        q[70] = 63;
        q[71] = -64;
        q[72] = 64;
        q[255] = -300;
        for (i, v) in (100..200).zip((1..).map(|x: i16| x * 97)) {
            q[i] = if i % 3 == 0 { 0 } else { v };
        }
        let t = Table { n: 4, bits: 6, q };
        let mut buf = Vec::new();
        write_table(&mut buf, &t);
        let mut r = Cursor { b: &buf, pos: 0 };
        assert_eq!(read_table(&mut r).unwrap(), t);
        assert_eq!(r.pos, buf.len());
        // all zeros: header + one run token
        let z = Table {
            n: 3,
            bits: 10,
            q: vec![0; 3 << 10],
        };
        let mut zb = Vec::new();
        write_table(&mut zb, &z);
        assert!(zb.len() <= 8 + 4, "{} bytes", zb.len());
        let mut r = Cursor { b: &zb, pos: 0 };
        assert_eq!(read_table(&mut r).unwrap(), z);
        for u in [i16::MIN + 1, -1, 0, 1, 63, -64, 64, i16::MAX] {
            assert_eq!(unzigzag(zigzag(u)), u);
        }
        // a zero run longer than the table is corrupt, not a panic
        let mut bad = Vec::new();
        bad.extend_from_slice(&1u32.to_le_bytes());
        bad.extend_from_slice(&4u32.to_le_bytes());
        bad.push(0);
        write_varint(&mut bad, 16);
        let mut r = Cursor { b: &bad, pos: 0 };
        assert!(matches!(read_table(&mut r), Err(ParserError::Corrupt(_))));
    }

    #[test]
    fn between_counts_punctuation_and_verbs_strictly_inside() {
        let s = sentence_of(&[
            ("He", "PRON", "PRP"),
            ("said", "VERB", "VBD"),
            (",", "PUNCT", ","),
            ("quietly", "ADV", "RB"),
            (",", "PUNCT", ","),
            ("that", "SCONJ", "IN"),
            ("it", "PRON", "PRP"),
            ("is", "AUX", "VBZ"),
            ("late", "ADJ", "JJ"),
        ]);
        let a = atoms_of(&s.words, &Lexicon::new());
        // adjacent or identical: nothing between
        assert_eq!(between(&a, 2, 3), (1, 1));
        assert_eq!(between(&a, 4, 4), (1, 1));
        // 2 < {3,4,5,6,7,8} < 9: two commas, one AUX; symmetric in its arguments
        assert_eq!(between(&a, 2, 9), (3, 2));
        assert_eq!(between(&a, 9, 2), (3, 2));
        // from the root: "said" and "is" lie between 0 and 9
        assert_eq!(between(&a, 0, 9), (3, 3));
        assert_eq!(between(&a, 1, 3), (1, 2));
    }

    /// Accuracy floor of the shipped model on a small EWT dev sample (gold tokens and tags).
    #[test]
    fn shipped_model_accuracy_floor() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let model = root.join("../main/data/models/parser.bin");
        let model = if model.exists() {
            model
        } else {
            root.join("data/models/parser.bin")
        };
        let p = Parser::load(&model).expect("data/models/parser.bin loads");
        let dev = read_file(&root.join("../shared/data/ud/en_ewt-ud-dev.conllu")).expect("EWT dev");
        let gold: Vec<Sentence> = dev.into_iter().take(400).collect();
        let mut sys = gold.clone();
        for s in sys.iter_mut() {
            p.parse(s);
            assert_tree(s, p.labels());
        }
        let (uas, las) = attachment_scores(&gold, &sys);
        assert!(uas > 84.0 && las > 81.0, "UAS {uas:.2} LAS {las:.2}");
    }
}
