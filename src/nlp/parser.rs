//! Transition-based dependency parser (arc-hybrid, averaged perceptron): beam search with
//! global training (the shipped model), or greedy decoding with a dynamic oracle.
//!
//! Why this design (see `docs/openie.md` §4.5–4.8):
//! - **Arc-hybrid** with the artificial root at the bottom of the stack: its dynamic oracle
//!   is arc-decomposable and has the simplest exact cost function, and a root arc is only
//!   allowed once the buffer is empty, so every output is a single-rooted projective tree.
//! - **Beam search, trained globally** ([`TrainOptions::beam`], 4 in the shipped model):
//!   k hypotheses per step ranked by their summed transition scores, each labelling its own
//!   arcs; training makes one max-violation perceptron update per sentence (Huang et al.
//!   2012) against the static-oracle derivation. Greedy decoding could not reach the GUM
//!   accuracy floor (81.6 LAS against 83; beam 4: 83.1). A dynamic margin
//!   ([`BEAM_MARGIN`]) lets the beam collapse where the model is sure, which keeps the
//!   parser at about 0.6× greedy speed instead of 0.35×.
//! - **Greedy with a dynamic oracle** (`beam: 1`; Goldberg & Nivre 2012/2013): after the
//!   first epoch the trainer follows its own (possibly wrong) prediction with probability
//!   `explore_p` and learns the best zero-cost action from there. Kept for fast models.
//! - **Factored classifiers**: one averaged perceptron scores the three unlabelled
//!   transitions (SHIFT, LEFT, RIGHT) over ~130 Zhang & Nivre (2011) templates (plus
//!   lemma, suffix, UPOS/XPOS, morphology, string neighbours, the punctuation and verbs
//!   lying between the two candidates, and a lookahead past b2: verbs and punctuation
//!   still in the buffer, the next verb and punctuation mark), a second one picks the UD
//!   label (full labels with subtypes, 54 in EWT+GUM train) for the arc being built, over
//!   ~47 arc templates. A joint transition×label classifier needs ~36× wider weight rows;
//!   factoring keeps the model small and the parser fast.
//! - **Parameter mixing** (greedy models): several runs with different shuffles and
//!   exploration paths are trained in parallel and their averaged weights averaged
//!   ([`TrainOptions::runs`]).
//! - **Hashed features** (no vocabulary): every feature is a 64-bit hash of its template
//!   id and atom hashes; the table has `2^bits` rows of class weights. Unseen words need no
//!   special case, and the model needs no string table (an optional ambiguity-class
//!   lexicon, off in the shipped model, is the only one).
//! - **Trained on jack-knifed tags** ([`jackknife`]): the parser sees tagger errors in
//!   training as it will at run time (+0.7 LAS on EWT dev with predicted tags).
//!
//! The weight tables are parser-specific rather than `nlp::perceptron::Perceptron` because
//! training needs a non-consuming averaged snapshot every epoch (early stopping on dev LAS
//! keeps the best epoch) and the file format needs a compact encoding (Huffman-coded
//! sparsity patterns and weights, see `write_table`) to stay within the model-size budget.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use crate::nlp::conllu::{Field, Sentence};
use crate::nlp::perceptron::prefetch;

/// File magic of `parser.bin`.
const MAGIC: &[u8; 8] = b"KGPARSE\0";
/// Bumped whenever features, hashing or the file layout change: an old model with new
/// code would silently parse garbage, so loading it is an error instead.
pub const FORMAT_VERSION: u32 = 5;

const SHIFT: usize = 0;
const LEFT: usize = 1;
const RIGHT: usize = 2;
const N_ACTIONS: usize = 3;
/// Dynamic-beam margin of decoding: a candidate scoring more than this below the step's
/// best is dropped, so where the model is sure the beam collapses towards greedy and only
/// doubtful steps pay for k hypotheses. The quantized tables put the largest weight at
/// 32767, so this is about 1.4 of the strongest features. Measured with the beam-4 model on
/// EWT+GUM dev (predicted tags): 1.2-1.7x faster than the full beam at +0.07 / -0.08 LAS;
/// margins of 30000 and below cost GUM 0.7 LAS or more. 0 keeps the full beam. Not used in
/// training (the max-violation update needs the full beam).
pub const BEAM_MARGIN: i64 = 45_000;
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
    /// Beam width: 1 = greedy decoding with dynamic-oracle training (the shipped model);
    /// k > 1 = beam search over k hypotheses at parse time, trained globally with
    /// max-violation updates (Huang et al. 2012) against the static oracle. Saved in the
    /// model, so `parse` decodes the way the model was trained.
    pub beam: usize,
    /// Print per-epoch progress to stderr.
    pub verbose: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            max_epochs: 15,
            patience: 2,
            seed: 0x5eed_2018,
            explore_from: 1,
            explore_p: 0.9,
            action_bits: 22,
            label_bits: 18,
            prune: 1,
            ambiguity_classes: false,
            runs: 1,
            beam: 4,
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
    /// The class scores of a feature vector. The rows are prefetched first: their
    /// loads are cache misses (the tables are tens of MB), and issued together they
    /// overlap instead of each waiting behind the previous row's sums.
    #[inline]
    fn scores(&self, feats: &[u64], out: &mut [i32]) {
        let n = self.n;
        out[..n].iter_mut().for_each(|x| *x = 0);
        for &f in feats {
            let r = row_of(f, self.bits) * n;
            // every cache line of the row: one per 32 weights, and the row's end
            for k in (0..n).step_by(32).chain([n - 1]) {
                prefetch(&self.q, r + k);
            }
        }
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
    /// Add `delta` to the weights of `class` for every feature (a sequence-level update).
    fn add(&mut self, feats: &[u64], class: usize, delta: f32) {
        let c = self.c * delta as f64;
        for &f in feats {
            let r = row_of(f, self.bits) * self.n + class;
            self.w[r] += delta;
            self.u[r] += c;
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

impl Clone for State {
    fn clone(&self) -> Self {
        let mut st = State::new(self.n);
        st.clone_from(self);
        st
    }
    /// Reuses the allocations of `self` (beam search clones a state per hypothesis and step).
    fn clone_from(&mut self, o: &Self) {
        self.n = o.n;
        self.stack.clone_from(&o.stack);
        self.b = o.b;
        self.head.clone_from(&o.head);
        self.lab.clone_from(&o.lab);
        self.l1.clone_from(&o.l1);
        self.l2.clone_from(&o.l2);
        self.r1.clone_from(&o.r1);
        self.r2.clone_from(&o.r2);
        self.lval.clone_from(&o.lval);
        self.rval.clone_from(&o.rval);
        self.lset.clone_from(&o.lset);
        self.rset.clone_from(&o.rset);
    }
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
// Beam search

/// One beam hypothesis: its state, the sum of its transition scores, and its node in the
/// back-pointer arena of [`Beam`].
struct Hyp<S> {
    st: State,
    score: S,
    node: usize,
}

/// A beam over arc-hybrid states. Every complete derivation has exactly `2n` transitions
/// (n shifts, n arcs), so all hypotheses finish together and scores need no normalising.
struct Beam<S> {
    k: usize,
    /// Best first.
    hyps: Vec<Hyp<S>>,
    next: Vec<Hyp<S>>,
    /// States of dropped hypotheses, reused (`clone_from`) to avoid allocating.
    spare: Vec<State>,
    /// (score, hypothesis, action) of the expansions of one step.
    cands: Vec<(S, usize, usize)>,
    /// Back-pointers (parent node, action, label); node 0 is the initial state.
    nodes: Vec<(usize, usize, u16)>,
    /// Dynamic beam: candidates scoring more than this below the step's best are dropped
    /// (`S::default()` = off, as in training).
    margin: S,
}

impl<S: Copy + Default + PartialOrd + std::ops::Add<Output = S> + std::ops::Sub<Output = S>>
    Beam<S>
{
    fn new(n: usize, k: usize) -> Self {
        Beam {
            k: k.max(1),
            hyps: vec![Hyp {
                st: State::new(n),
                score: S::default(),
                node: 0,
            }],
            next: Vec::new(),
            spare: Vec::new(),
            cands: Vec::new(),
            nodes: vec![(0, SHIFT, 0)],
            margin: S::default(),
        }
    }

    fn done(&self) -> bool {
        self.hyps[0].st.terminal()
    }

    /// Expand every hypothesis by its valid transitions (`score` fills the transition
    /// scores; a forced move is not scored), keep the `k` best (ties: earlier hypothesis,
    /// then lower action: deterministic) and label their arcs with `label`.
    fn step(
        &mut self,
        mut score: impl FnMut(&State, &mut [S; N_ACTIONS]),
        mut label: impl FnMut(&State, (usize, usize)) -> u16,
    ) {
        self.cands.clear();
        let mut sc = [S::default(); N_ACTIONS];
        for (h, hyp) in self.hyps.iter().enumerate() {
            let valid = hyp.st.valid();
            if valid.iter().filter(|&&v| v).count() == 1 {
                let a = valid.iter().position(|&v| v).unwrap_or(SHIFT);
                self.cands.push((hyp.score, h, a));
                continue;
            }
            score(&hyp.st, &mut sc);
            for a in (0..N_ACTIONS).filter(|&a| valid[a]) {
                self.cands.push((hyp.score + sc[a], h, a));
            }
        }
        self.cands.sort_by(|x, y| {
            y.0.partial_cmp(&x.0)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(x.1.cmp(&y.1))
                .then(x.2.cmp(&y.2))
        });
        self.cands.truncate(self.k);
        if self.margin > S::default() {
            let cut = self.cands[0].0 - self.margin;
            self.cands.retain(|c| c.0 >= cut);
        }
        for &(score, h, a) in &self.cands {
            let parent = &self.hyps[h];
            let lab = parent.st.arc_of(a).map_or(0, |arc| label(&parent.st, arc));
            let mut st = self.spare.pop().unwrap_or_else(|| State::new(parent.st.n));
            st.clone_from(&parent.st);
            st.apply(a, lab);
            self.nodes.push((parent.node, a, lab));
            self.next.push(Hyp {
                st,
                score,
                node: self.nodes.len() - 1,
            });
        }
        self.spare.extend(self.hyps.drain(..).map(|h| h.st));
        std::mem::swap(&mut self.hyps, &mut self.next);
    }

    /// The transitions (action, label) that lead to `node`.
    fn path(&self, mut node: usize) -> Vec<(usize, u16)> {
        let mut p = Vec::new();
        while node != 0 {
            let (parent, a, l) = self.nodes[node];
            p.push((a, l));
            node = parent;
        }
        p.reverse();
        p
    }

    fn into_best(mut self) -> State {
        self.hyps.swap_remove(0).st
    }
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
    /// Beam width of decoding (1 = greedy), as trained.
    beam: usize,
    /// Dynamic beam margin of decoding (0 = off), in quantized score units; not saved.
    margin: i64,
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

/// Feature and score buffers of beam training.
struct Buffers {
    feats: Vec<u64>,
    lfeats: Vec<u64>,
    lscores: Vec<f32>,
}

impl TrainCtx<'_> {
    /// Global training on one sentence (`beam > 1`): beam search with the current weights
    /// beside the static-oracle derivation of the gold tree (arcs as early as possible,
    /// gold labels); then one max-violation update (Huang et al. 2012): at the step where
    /// the beam's best prefix outscores the gold prefix by the most, the gold prefix's
    /// transition features are rewarded and the best prefix's penalised. The label model
    /// learns on the gold derivation's arcs (perceptron updates, as in greedy training).
    /// Returns (words the beam's best derivation attached correctly, words).
    fn beam_update(
        &self,
        it: &TrainItem,
        actions: &mut TrainTable,
        labeler: &mut TrainTable,
        b: &mut Buffers,
    ) -> (usize, usize) {
        let n = it.gh.len() - 1;
        let a = &it.atoms;
        let amb = self.use_amb;
        let root = self.root_label;
        let mut sc = [0f32; N_ACTIONS];
        let mut gst = State::new(n);
        let mut gold: Vec<(usize, u16)> = Vec::with_capacity(2 * n);
        let mut gscore = 0f64;
        let mut beam: Beam<f64> = Beam::new(n, self.opts.beam);
        // (violation, steps, node of the beam's best prefix)
        let mut worst: Option<(f64, usize, usize)> = None;
        // per arena node: its transitions are the gold ones
        let mut on_gold = vec![true];
        while !gst.terminal() {
            let valid = gst.valid();
            let costs = gst.costs(&it.gh);
            let act = [LEFT, RIGHT, SHIFT]
                .into_iter()
                .find(|&x| valid[x] && costs[x] == 0)
                .or_else(|| (0..N_ACTIONS).find(|&x| valid[x]))
                .unwrap_or(SHIFT);
            if valid.iter().filter(|&&v| v).count() > 1 {
                action_features(&gst, a, amb, &mut b.feats);
                actions.scores(&b.feats, &mut sc);
                gscore += sc[act] as f64;
            }
            let mut lab = 0u16;
            if let Some((h, d)) = gst.arc_of(act) {
                lab = root;
                if h != 0 {
                    label_features(&gst, a, amb, h, d, &mut b.lfeats);
                    labeler.scores(&b.lfeats, &mut b.lscores);
                    let lp = argmax_except(&b.lscores, root as usize) as u16;
                    lab = it.gl[d];
                    if lab != root {
                        if lp != lab {
                            labeler.update(&b.lfeats, lab as usize, lp as usize);
                        }
                        labeler.tick();
                    }
                }
            }
            gold.push((act, lab));
            gst.apply(act, lab);
            let feats = &mut b.feats;
            let (lfeats, lscores) = (&mut b.lfeats, &mut b.lscores);
            let labeler = &*labeler;
            beam.step(
                |st, out| {
                    action_features(st, a, amb, feats);
                    actions.scores(feats, &mut sc);
                    for (o, &x) in out.iter_mut().zip(&sc) {
                        *o = x as f64;
                    }
                },
                |st, (h, d)| {
                    if h == 0 {
                        return root;
                    }
                    label_features(st, a, amb, h, d, lfeats);
                    labeler.scores(lfeats, lscores);
                    argmax_except(lscores, root as usize) as u16
                },
            );
            for i in on_gold.len()..beam.nodes.len() {
                let (parent, x, _) = beam.nodes[i];
                on_gold.push(on_gold[parent] && x == act);
            }
            // a violation: the best prefix is not the gold one and scores at least as high
            let top = &beam.hyps[0];
            let v = top.score - gscore;
            if !on_gold[top.node] && v >= 0.0 && worst.is_none_or(|(w, _, _)| v > w) {
                worst = Some((v, gold.len(), top.node));
            }
        }
        let heads = &beam.hyps[0].st.head;
        let correct = (1..=n).filter(|&d| heads[d] == it.gh[d]).count();
        if let Some((_, steps, node)) = worst {
            let pred = beam.path(node);
            for (seq, delta) in [(&gold[..steps], 1.0f32), (&pred[..], -1.0)] {
                let mut st = State::new(n);
                for &(act, lab) in seq {
                    if st.valid().iter().filter(|&&v| v).count() > 1 {
                        action_features(&st, a, amb, &mut b.feats);
                        actions.add(&b.feats, act, delta);
                    }
                    st.apply(act, lab);
                }
            }
        }
        actions.tick();
        (correct, n)
    }

    /// The parser with these (averaged, summed or mixed) weights, quantized as saved.
    fn parser(&self, actions: &[f32], labeler: &[f32]) -> Parser {
        Parser {
            labels: self.labels.to_vec(),
            lexicon: self.lexicon.to_vec(),
            lex: self.lex.clone(),
            root_label: self.root_label,
            beam: self.opts.beam.max(1),
            margin: BEAM_MARGIN,
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
        let mut bufs = Buffers {
            feats: Vec::with_capacity(160),
            lfeats: Vec::with_capacity(64),
            lscores: vec![0f32; self.labels.len()],
        };
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
                if self.opts.beam > 1 {
                    let (c, t) = self.beam_update(it, &mut actions, &mut labeler, &mut bufs);
                    correct += c;
                    total += t;
                    continue;
                }
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
    /// Decode with beam width `k` (1 = greedy) instead of the width the model was trained
    /// with (not saved): a globally trained model can be measured at narrower widths.
    pub fn set_beam(&mut self, k: usize) {
        self.beam = k.clamp(1, 64);
    }

    /// Dynamic beam margin (0 = off), in quantized score units.
    pub fn set_margin(&mut self, m: i64) {
        self.margin = m.max(0);
    }

    /// The beam width `parse` decodes with.
    pub fn beam(&self) -> usize {
        self.beam
    }

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
        let st = if self.beam > 1 {
            self.beam_search(&atoms, use_amb, n)
        } else {
            self.greedy(&atoms, use_amb, n)
        };
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

    /// The label of arc `h -> d` in state `st` (root arcs are `root`).
    fn label_of(
        &self,
        st: &State,
        a: &[Atoms],
        use_amb: bool,
        (h, d): (usize, usize),
        lfeats: &mut Vec<u64>,
        lscores: &mut [i32],
    ) -> u16 {
        if h == 0 {
            return self.root_label;
        }
        label_features(st, a, use_amb, h, d, lfeats);
        self.labeler.scores(lfeats, lscores);
        argmax_except(lscores, self.root_label as usize) as u16
    }

    /// Beam search: the best terminal state of width-`beam` search by summed transition
    /// scores; each hypothesis labels its own arcs.
    fn beam_search(&self, a: &[Atoms], use_amb: bool, n: usize) -> State {
        let mut feats = Vec::with_capacity(160);
        let mut lfeats = Vec::with_capacity(64);
        let mut sc = [0i32; N_ACTIONS];
        let mut lscores = vec![0i32; self.labels.len()];
        let mut beam: Beam<i64> = Beam::new(n, self.beam);
        beam.margin = self.margin;
        while !beam.done() {
            beam.step(
                |st, out| {
                    action_features(st, a, use_amb, &mut feats);
                    self.actions.scores(&feats, &mut sc);
                    for (o, &x) in out.iter_mut().zip(&sc) {
                        *o = x as i64;
                    }
                },
                |st, arc| self.label_of(st, a, use_amb, arc, &mut lfeats, &mut lscores),
            );
        }
        beam.into_best()
    }

    /// Greedy decoding: the best transition at every step.
    fn greedy(&self, atoms: &[Atoms], use_amb: bool, n: usize) -> State {
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
                action_features(&st, atoms, use_amb, &mut feats);
                self.actions.scores(&feats, &mut scores);
                argmax_valid(&scores, &valid)
            };
            let label = match st.arc_of(action) {
                Some(arc) => self.label_of(&st, atoms, use_amb, arc, &mut lfeats, &mut lscores),
                None => 0,
            };
            st.apply(action, label);
        }
        st
    }

    /// Write the model: quantized i16 weights, entropy-coded (see `write_table`).
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
        buf.extend_from_slice(&(self.beam as u32).to_le_bytes());
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
        let beam = r.u32()? as usize;
        if !(1..=64).contains(&beam) {
            return Err(ParserError::Corrupt(format!("beam width {beam}")));
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
            beam,
            margin: BEAM_MARGIN,
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

/// Tables are stored row by row with three families of canonical Huffman codes (the code
/// lengths are written first, the bit stream after them; format version 4):
/// - **masks**: which cells of the row are nonzero, 8 columns per symbol, one alphabet per
///   group of 8 columns (the 3-class action rows: one symbol, the row's zero pattern).
/// - **values**: every nonzero cell but the row's last as sign and magnitude bucket
///   ([`ubucket`]: 2 leading bits of `|q| - 1`, the rest as raw bits).
/// - **residuals**: the row's last nonzero cell is not written; the row sum is, and the
///   cell is the sum minus the others. Every perceptron update adds +1 to one class and −1
///   to another, so an averaged row sums to 0 and a quantized one to within a few units:
///   the last value costs ~1 bit instead of ~11.
///
/// The weights are exactly those of the varint stream of version 3 (21.7 MB -> 10 MB for
/// the shipped model); decoding is table-driven (`LUT_BITS`), ~0.1 s for the shipped file.
fn write_table(buf: &mut Vec<u8>, t: &Table) {
    let n = t.n;
    buf.extend_from_slice(&(n as u32).to_le_bytes());
    buf.extend_from_slice(&t.bits.to_le_bytes());
    let mut counts = Alphabets::new(n, |len| vec![0u64; len]);
    for row in t.q.chunks_exact(n) {
        row_tokens(row, |a, sym, _, _| counts.get_mut(a)[sym] += 1);
    }
    let lengths = counts.map(|c| code_lengths(c));
    for l in lengths.all() {
        buf.extend_from_slice(l);
    }
    let codes = lengths.map(|l| canonical_codes(l));
    let mut w = BitWriter::default();
    for row in t.q.chunks_exact(n) {
        row_tokens(row, |a, sym, nextra, extra| {
            let (code, len) = codes.get(a)[sym];
            w.put(code, len);
            w.put(extra, nextra);
        });
    }
    let stream = w.finish();
    buf.extend_from_slice(&(stream.len() as u64).to_le_bytes());
    buf.extend_from_slice(&stream);
}

fn read_table(r: &mut Cursor) -> Result<Table, ParserError> {
    let n = r.u32()? as usize;
    let bits = r.u32()?;
    if n == 0 || n > 4096 || !(4..=28).contains(&bits) {
        return Err(ParserError::Corrupt(format!(
            "table header n={n} bits={bits}"
        )));
    }
    let mut lengths = Alphabets::new(n, |len| vec![0u8; len]);
    for l in lengths.all_mut() {
        let len = l.len();
        l.copy_from_slice(r.take(len)?);
    }
    let dec = lengths.try_map(|l| Decoder::new(l))?;
    let len =
        usize::try_from(u64::from_le_bytes(r.array()?)).map_err(|_| ParserError::Truncated)?;
    let mut br = BitReader::new(r.take(len)?);
    let mut q = vec![0i16; (1usize << bits) * n];
    let mut cols = Vec::with_capacity(n);
    for row in q.chunks_exact_mut(n) {
        cols.clear();
        for (k, d) in dec.masks.iter().enumerate() {
            let mut m = br.decode(d)?;
            while m != 0 {
                cols.push(8 * k + m.trailing_zeros() as usize);
                m &= m - 1;
            }
        }
        let Some((&last, rest)) = cols.split_last() else {
            continue;
        };
        let mut sum = 0i64;
        for &j in rest {
            let s = br.decode(&dec.value)?;
            let mag = br.ubucket_value(s >> 1) as i64 + 1;
            if mag > i16::MAX as i64 {
                return Err(ParserError::Corrupt("weight out of range".into()));
            }
            let v = if s & 1 == 1 { -mag } else { mag };
            row[j] = v as i16;
            sum += v;
        }
        let s = br.decode(&dec.residual)?;
        let z = br.ubucket_value(s);
        let total = ((z >> 1) as i64) ^ -((z & 1) as i64);
        let v = total - sum;
        if v == 0 || v.abs() > i16::MAX as i64 {
            return Err(ParserError::Corrupt("row sum out of range".into()));
        }
        row[last] = v as i16;
    }
    if br.overrun() {
        return Err(ParserError::Corrupt("weight stream ends early".into()));
    }
    Ok(Table { n, bits, q })
}

/// Which code family a symbol belongs to (see [`write_table`]).
#[derive(Clone, Copy)]
enum Alpha {
    /// Nonzero cells among columns `8k..8k + 8`.
    Mask(usize),
    Value,
    Residual,
}

/// Symbols of [`ubucket`]: 4 small values + 2 per bit length 3..=32.
const UBUCKETS: usize = 64;

/// One item per code family of a table.
struct Alphabets<T> {
    masks: Vec<T>,
    value: T,
    residual: T,
}

impl<T> Alphabets<T> {
    /// Built from each family's alphabet size.
    fn new(n: usize, make: impl Fn(usize) -> T) -> Self {
        Alphabets {
            masks: (0..n.div_ceil(8))
                .map(|k| make(1 << (n - 8 * k).min(8)))
                .collect(),
            value: make(2 * UBUCKETS),
            residual: make(UBUCKETS),
        }
    }
    fn get(&self, a: Alpha) -> &T {
        match a {
            Alpha::Mask(k) => &self.masks[k],
            Alpha::Value => &self.value,
            Alpha::Residual => &self.residual,
        }
    }
    fn get_mut(&mut self, a: Alpha) -> &mut T {
        match a {
            Alpha::Mask(k) => &mut self.masks[k],
            Alpha::Value => &mut self.value,
            Alpha::Residual => &mut self.residual,
        }
    }
    /// In file order.
    fn all(&self) -> impl Iterator<Item = &T> {
        self.masks.iter().chain([&self.value, &self.residual])
    }
    fn all_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.masks
            .iter_mut()
            .chain([&mut self.value, &mut self.residual])
    }
    fn map<U>(&self, f: impl Fn(&T) -> U) -> Alphabets<U> {
        Alphabets {
            masks: self.masks.iter().map(&f).collect(),
            value: f(&self.value),
            residual: f(&self.residual),
        }
    }
    fn try_map<U, E>(&self, f: impl Fn(&T) -> Result<U, E>) -> Result<Alphabets<U>, E> {
        Ok(Alphabets {
            masks: self.masks.iter().map(&f).collect::<Result<_, _>>()?,
            value: f(&self.value)?,
            residual: f(&self.residual)?,
        })
    }
}

/// The symbols of one table row, in stream order: `emit(family, symbol, extra bit count,
/// extra bits)`.
fn row_tokens(row: &[i16], mut emit: impl FnMut(Alpha, usize, u32, u32)) {
    for (k, group) in row.chunks(8).enumerate() {
        let mask = group
            .iter()
            .enumerate()
            .fold(0, |m, (i, &v)| m | ((v != 0) as usize) << i);
        emit(Alpha::Mask(k), mask, 0, 0);
    }
    let Some(last) = row.iter().rposition(|&v| v != 0) else {
        return;
    };
    let mut sum = 0i32;
    for (j, &v) in row.iter().enumerate() {
        sum += v as i32;
        if v != 0 && j != last {
            let (s, nextra, extra) = ubucket(v.unsigned_abs() as u32 - 1);
            emit(Alpha::Value, 2 * s + (v < 0) as usize, nextra, extra);
        }
    }
    let (s, nextra, extra) = ubucket(((sum << 1) ^ (sum >> 31)) as u32);
    emit(Alpha::Residual, s, nextra, extra);
}

/// Magnitude bucket of `x`: values 0..=3 are their own symbol; larger ones are coded by
/// bit length and the bit after the leading one, the remaining bits raw. Returns
/// (symbol < `UBUCKETS`, raw bit count, raw bits).
#[inline]
fn ubucket(x: u32) -> (usize, u32, u32) {
    if x < 4 {
        return (x as usize, 0, 0);
    }
    let b = 32 - x.leading_zeros();
    let e = b - 2;
    let top = (x >> e) as usize;
    (4 + (b as usize - 3) * 2 + (top - 2), e, x & ((1 << e) - 1))
}

/// Longest Huffman code: code lengths are limited to this when they are built.
const MAX_CODE_LEN: u32 = 24;
/// Codes up to this long decode with one table lookup.
const LUT_BITS: u32 = 11;

/// Huffman code lengths for symbol counts (0 for unused symbols; a lone symbol gets 1 bit).
/// Deterministic: ties are broken by symbol order. Lengths over `MAX_CODE_LEN` are avoided
/// by flattening the counts and rebuilding (never triggered by the shipped model).
fn code_lengths(counts: &[u64]) -> Vec<u8> {
    let mut counts = counts.to_vec();
    loop {
        let lens = huffman_lengths(&counts);
        if lens.iter().all(|&l| l as u32 <= MAX_CODE_LEN) {
            return lens;
        }
        for c in counts.iter_mut().filter(|c| **c > 0) {
            *c = (*c >> 1) | 1;
        }
    }
}

fn huffman_lengths(counts: &[u64]) -> Vec<u8> {
    let mut lens = vec![0u8; counts.len()];
    // leaves sorted by (count, symbol); internal nodes are made in nondecreasing weight
    // order, so two queues replace a heap (van Leeuwen).
    let mut leaves: Vec<(u64, usize)> = counts
        .iter()
        .enumerate()
        .filter(|&(_, &c)| c > 0)
        .map(|(s, &c)| (c, s))
        .collect();
    if leaves.len() == 1 {
        lens[leaves[0].1] = 1;
    }
    if leaves.len() <= 1 {
        return lens;
    }
    leaves.sort_unstable();
    let m = leaves.len();
    // node i < m: leaf i; node m + k: k-th internal node
    let mut parent = vec![0usize; 2 * m - 1];
    let mut weight: Vec<u64> = leaves.iter().map(|&(c, _)| c).collect();
    let (mut li, mut ii) = (0usize, m);
    for k in 0..m - 1 {
        let mut pick = || {
            if li < m && (ii >= m + k || weight[li] <= weight[ii]) {
                li += 1;
                li - 1
            } else {
                ii += 1;
                ii - 1
            }
        };
        let (a, b) = (pick(), pick());
        weight.push(weight[a] + weight[b]);
        parent[a] = m + k;
        parent[b] = m + k;
    }
    // depths from the root (the last node) down: parents come after their children
    let mut depth = vec![0u32; 2 * m - 1];
    for i in (0..2 * m - 2).rev() {
        depth[i] = depth[parent[i]] + 1;
    }
    for (i, &(_, s)) in leaves.iter().enumerate() {
        lens[s] = depth[i].min(255) as u8;
    }
    lens
}

/// Canonical codes (code, length) for code lengths: shorter codes first, then by symbol.
fn canonical_codes(lens: &[u8]) -> Vec<(u32, u32)> {
    let mut count = [0u32; MAX_CODE_LEN as usize + 2];
    for &l in lens {
        count[l as usize] += 1;
    }
    count[0] = 0;
    let mut next = [0u32; MAX_CODE_LEN as usize + 2];
    let mut code = 0u32;
    for len in 1..=MAX_CODE_LEN as usize {
        code = (code + count[len - 1]) << 1;
        next[len] = code;
    }
    lens.iter()
        .map(|&l| {
            if l == 0 {
                return (0, 0);
            }
            let c = next[l as usize];
            next[l as usize] += 1;
            (c, l as u32)
        })
        .collect()
}

/// Table-driven canonical Huffman decoder.
struct Decoder {
    /// Indexed by the next `LUT_BITS` bits: `symbol << 8 | length` for codes of at most
    /// `LUT_BITS` bits, 0 when the code is longer (or invalid).
    lut: Box<[u32; 1 << LUT_BITS]>,
    /// Per length: first code, number of codes, index of the first symbol in `syms`.
    first: [u32; MAX_CODE_LEN as usize + 1],
    count: [u32; MAX_CODE_LEN as usize + 1],
    offset: [u32; MAX_CODE_LEN as usize + 1],
    /// Symbols sorted by (length, symbol).
    syms: Vec<u32>,
}

impl Decoder {
    fn new(lens: &[u8]) -> Result<Decoder, ParserError> {
        let max = MAX_CODE_LEN as usize;
        let mut count = [0u32; MAX_CODE_LEN as usize + 1];
        for &l in lens {
            if l as usize > max {
                return Err(ParserError::Corrupt("Huffman code too long".into()));
            }
            if l > 0 {
                count[l as usize] += 1;
            }
        }
        // Kraft: the code must not be oversubscribed.
        let mut left = 1i64;
        for &c in &count[1..] {
            left = 2 * left - c as i64;
            if left < 0 {
                return Err(ParserError::Corrupt("oversubscribed Huffman code".into()));
            }
        }
        let mut first = [0u32; MAX_CODE_LEN as usize + 1];
        let mut offset = [0u32; MAX_CODE_LEN as usize + 1];
        let (mut code, mut off) = (0u32, 0u32);
        for len in 1..=max {
            code = (code + count[len - 1]) << 1;
            first[len] = code;
            offset[len] = off;
            off += count[len];
        }
        let mut syms: Vec<u32> = (0..lens.len() as u32)
            .filter(|&s| lens[s as usize] > 0)
            .collect();
        syms.sort_by_key(|&s| lens[s as usize]);
        let codes = canonical_codes(lens);
        let mut lut = Box::new([0u32; 1 << LUT_BITS]);
        for (s, &(c, l)) in codes.iter().enumerate() {
            if l > 0 && l <= LUT_BITS {
                let lo = (c << (LUT_BITS - l)) as usize;
                let hi = lo + (1 << (LUT_BITS - l));
                lut[lo..hi]
                    .iter_mut()
                    .for_each(|e| *e = (s as u32) << 8 | l);
            }
        }
        Ok(Decoder {
            lut,
            first,
            count,
            offset,
            syms,
        })
    }
}

#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    /// Append the low `len` (≤ 32) bits of `v`, most significant first.
    fn put(&mut self, v: u32, len: u32) {
        if len == 0 {
            return;
        }
        self.acc = (self.acc << len) | (v as u64 & ((1u64 << len) - 1));
        self.n += len;
        while self.n >= 8 {
            self.n -= 8;
            self.out.push((self.acc >> self.n) as u8);
        }
    }
    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push((self.acc << (8 - self.n)) as u8);
        }
        self.out
    }
}

/// A bit pattern that is no code of the alphabet (a damaged file).
#[derive(Debug)]
struct BadCode;

impl From<BadCode> for ParserError {
    fn from(_: BadCode) -> Self {
        ParserError::Corrupt("invalid Huffman code".into())
    }
}

/// Reads a bit stream MSB first; past the end it reads zeros and remembers it overran.
struct BitReader<'a> {
    b: &'a [u8],
    pos: usize,
    /// The next bits, left-aligned; `avail` of them are valid.
    window: u64,
    avail: u32,
    used: u64,
}

impl<'a> BitReader<'a> {
    fn new(b: &'a [u8]) -> Self {
        BitReader {
            b,
            pos: 0,
            window: 0,
            avail: 0,
            used: 0,
        }
    }
    /// Make at least 57 bits available. Bits past `avail` are either zero or already the
    /// stream's next bits (a whole word is loaded at once), so OR-ing bytes in is exact.
    #[inline]
    fn refill(&mut self) {
        if self.avail > 56 {
            return;
        }
        if let Some(a) = self
            .b
            .get(self.pos..self.pos + 8)
            .and_then(|c| <[u8; 8]>::try_from(c).ok())
        {
            self.window |= u64::from_be_bytes(a) >> self.avail;
            let take = (64 - self.avail) / 8;
            self.pos += take as usize;
            self.avail += 8 * take;
            return;
        }
        while self.avail <= 56 {
            let byte = self.b.get(self.pos).copied().unwrap_or(0);
            self.pos += 1;
            self.window |= (byte as u64) << (56 - self.avail);
            self.avail += 8;
        }
    }
    #[inline]
    fn consume(&mut self, len: u32) {
        self.window <<= len;
        self.avail -= len;
        self.used += len as u64;
    }
    /// `len` (≤ 32) raw bits.
    #[inline(always)]
    fn bits(&mut self, len: u32) -> u32 {
        if len == 0 {
            return 0;
        }
        self.refill();
        let v = (self.window >> (64 - len)) as u32;
        self.consume(len);
        v
    }
    #[inline(always)]
    fn decode(&mut self, d: &Decoder) -> Result<usize, BadCode> {
        self.refill();
        let e = d.lut[(self.window >> (64 - LUT_BITS)) as usize];
        if e != 0 {
            self.consume(e & 0xff);
            return Ok((e >> 8) as usize);
        }
        self.decode_long(d)
    }
    /// Codes longer than `LUT_BITS` (rare: the slow canonical search).
    #[cold]
    #[inline(never)]
    fn decode_long(&mut self, d: &Decoder) -> Result<usize, BadCode> {
        for len in LUT_BITS + 1..=MAX_CODE_LEN {
            let c = (self.window >> (64 - len)) as u32;
            let l = len as usize;
            if c >= d.first[l] && c - d.first[l] < d.count[l] {
                self.consume(len);
                return Ok(d.syms[(d.offset[l] + c - d.first[l]) as usize] as usize);
            }
        }
        Err(BadCode)
    }
    /// The value of a [`ubucket`] symbol (`sym < UBUCKETS`: the alphabets are that
    /// small), reading its raw bits.
    #[inline(always)]
    fn ubucket_value(&mut self, sym: usize) -> u32 {
        if sym < 4 {
            return sym as u32;
        }
        let k = sym - 4;
        let e = (k / 2 + 1) as u32;
        let top = (2 + k % 2) as u32;
        (top << e) | self.bits(e)
    }
    fn overrun(&self) -> bool {
        self.used > 8 * self.b.len() as u64
    }
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

    /// Beam training (max-violation) learns the mini corpus, is deterministic, saves its
    /// width, and decodes to trees.
    #[test]
    fn dynamic_beam_drops_candidates_beyond_the_margin() {
        // After the forced first SHIFT of a 3-word sentence, SHIFT and LEFT are valid;
        // LEFT scores 10 below SHIFT.
        let run = |margin: i64| {
            let mut beam: Beam<i64> = Beam::new(3, 4);
            beam.margin = margin;
            for _ in 0..2 {
                beam.step(|_, out| *out = [0, -10, 0], |_, _| 0);
            }
            beam.hyps.len()
        };
        assert_eq!(run(0), 2, "margin 0 keeps the full beam");
        assert_eq!(run(20), 2);
        assert_eq!(run(5), 1);
    }

    #[test]
    fn beam_model_learns_saves_its_width_and_outputs_trees() {
        let train = parse_str(MINI).unwrap();
        let opts = TrainOptions {
            beam: 4,
            runs: 1,
            ..small_opts()
        };
        let p = Parser::train(&train, &train, &opts);
        assert_eq!(p.beam, 4);
        assert_eq!(
            p.to_bytes(),
            Parser::train(&train, &train, &opts).to_bytes()
        );
        let q = Parser::from_bytes(&p.to_bytes()).unwrap();
        assert_eq!(q.beam, 4);
        let mut sys = train.clone();
        for s in sys.iter_mut() {
            q.parse(s);
            assert_tree(s, q.labels());
        }
        assert_eq!(attachment_scores(&train, &sys), (100.0, 100.0));
        let mut long = sentence_of(&[("word", "NOUN", "NN"); 60]);
        q.parse(&mut long);
        assert_tree(&long, q.labels());
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

    fn table_round_trip(t: &Table) -> Vec<u8> {
        let mut buf = Vec::new();
        write_table(&mut buf, t);
        let mut r = Cursor { b: &buf, pos: 0 };
        assert_eq!(&read_table(&mut r).unwrap(), t);
        assert_eq!(r.pos, buf.len());
        buf
    }

    #[test]
    fn table_encoding_round_trips_patterns_and_extremes() {
        // rows that sum to 0 (as perceptron rows do), rows that do not, lone cells,
        // extremes, full and empty rows
        let mut q = vec![0i16; 4 * 64];
        q[0] = i16::MIN + 1;
        q[1] = 32767;
        q[2] = -1;
        q[3] = 1;
        q[7] = 5;
        q[70] = 63;
        q[71] = -64;
        q[72] = 64;
        q[255] = -300;
        q[254] = -32767;
        for (i, v) in (100..200).zip((1..).map(|x: i16| x * 97)) {
            q[i] = if i % 3 == 0 { 0 } else { v };
        }
        let mut r = rng(3);
        for v in &mut q[200..250] {
            *v = (r.below(9) as i16 - 4) * (1 << r.below(12));
        }
        table_round_trip(&Table { n: 4, bits: 6, q });
        // one column, and many columns (the label table's shape)
        let mut r = rng(5);
        for n in [1usize, 3, 54] {
            let q: Vec<i16> = (0..n << 8)
                .map(|_| {
                    if r.below(4) == 0 {
                        r.below(2001) as i16 - 1000
                    } else {
                        0
                    }
                })
                .collect();
            table_round_trip(&Table { n, bits: 8, q });
        }
        // all zeros: a few bytes of code lengths and one bit per row
        let z = Table {
            n: 3,
            bits: 10,
            q: vec![0; 3 << 10],
        };
        let zb = table_round_trip(&z);
        assert!(zb.len() <= 8 + 3 * 4 + 192 + 8 + 128, "{} bytes", zb.len());
        for x in [0u32, 1, 3, 4, 5, 7, 8, 100, 32766, 1 << 20, u32::MAX] {
            let (s, e, extra) = ubucket(x);
            assert!(s < UBUCKETS && e <= 30);
            let mut w = BitWriter::default();
            w.put(extra, e);
            let bytes = w.finish();
            let mut br = BitReader::new(&bytes);
            assert_eq!(br.ubucket_value(s), x);
        }
    }

    /// Skewed counts need long codes: they are limited, stay a prefix code and decode.
    #[test]
    fn huffman_codes_are_limited_and_decode() {
        let counts: Vec<u64> = (0..40).map(|i| 1u64 << i.min(39)).collect();
        let lens = code_lengths(&counts);
        assert!(lens.iter().all(|&l| l >= 1 && l as u32 <= MAX_CODE_LEN));
        let kraft: f64 = lens.iter().map(|&l| 0.5f64.powi(l as i32)).sum();
        assert!((kraft - 1.0).abs() < 1e-9, "complete code: {kraft}");
        let codes = canonical_codes(&lens);
        let dec = Decoder::new(&lens).unwrap();
        let mut w = BitWriter::default();
        let msg: Vec<usize> = (0..400).map(|i| (i * 7) % 40).collect();
        for &s in &msg {
            w.put(codes[s].0, codes[s].1);
        }
        let bytes = w.finish();
        let mut br = BitReader::new(&bytes);
        for &s in &msg {
            assert_eq!(br.decode(&dec).unwrap(), s);
        }
        assert!(!br.overrun());
        assert_eq!(code_lengths(&[0, 9, 0]), vec![0, 1, 0]);
        assert!(matches!(
            Decoder::new(&[1, 1, 1]),
            Err(ParserError::Corrupt(_))
        ));
    }

    /// Damaged weight streams are errors (or another valid table), never panics.
    #[test]
    fn corrupt_table_streams_do_not_panic() {
        let mut r = rng(11);
        let q: Vec<i16> = (0..3 << 8)
            .map(|_| {
                if r.below(2) == 0 {
                    r.below(301) as i16 - 150
                } else {
                    0
                }
            })
            .collect();
        let buf = table_round_trip(&Table { n: 3, bits: 8, q });
        for k in 0..300 {
            let mut bad = buf.clone();
            let at = 8 + r.below(bad.len() - 8);
            bad[at] ^= 1 << (k % 8);
            let mut c = Cursor { b: &bad, pos: 0 };
            let _ = read_table(&mut c);
        }
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
