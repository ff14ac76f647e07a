//! Multi-class averaged perceptron over hashed features (Collins 2002), shared by the
//! tagger and the parser.
//!
//! Why hashed features: no feature dictionary to build, store or look up — a feature is
//! a 64-bit hash of its template id and atom strings, and its weight row is found by the
//! top `hash_bits` bits. Collisions cost a little accuracy and save a lot of memory and
//! code. Rows are allocated lazily (only features that were ever updated get a row), so a
//! large `hash_bits` costs 4 bytes per slot of index, not `n_classes` floats.
//!
//! Averaging uses the "lazy" trick of Daumé (2006): besides the current weights `w` we keep
//! `u = Σ c·Δ` (clock at the update times the update); with `T` ticks in all, the averaged
//! weights are `w − u/T`, exactly the mean of the weight vectors in force after each of the
//! `T` instances. No per-weight timestamps needed.
//!
//! On disk the averaged weights are quantized to i16 with one global scale, all-zero rows
//! are dropped, rows are delta/varint coded and stored dense or sparse, whichever is smaller.

use std::io::{Read, Write};

/// Errors loading a model file.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a model file of the expected kind (bad magic)")]
    BadMagic,
    #[error("model format version {found}, this build reads version {expected}; retrain or update")]
    Version { found: u32, expected: u32 },
    #[error("model file is truncated")]
    Truncated,
    #[error("model file is corrupt: {0}")]
    Corrupt(String),
}

const MAGIC: &[u8; 8] = b"KGPERCPT";
const VERSION: u32 = 1;
const EMPTY: u32 = u32::MAX;
/// Largest table we agree to allocate (2^28 slots = 1 GiB of index): guards corrupt headers.
const MAX_HASH_BITS: u32 = 28;

/// Averaged perceptron; see the module documentation.
///
/// Two representations: while training, dense rows (`w`, `u`) so updates are O(1);
/// once finished (or loaded), sparse rows of (class, weight) pairs, because after
/// averaging most weights of a row are zero and scoring touches ~10x less memory.
#[derive(Debug, Clone)]
pub struct Perceptron {
    n_classes: usize,
    hash_bits: u32,
    /// Training: slot -> row number, or EMPTY.
    index: Vec<u32>,
    /// Training: current weights, row-major (`n_classes` per row).
    w: Vec<f32>,
    /// Training: Σ clock·delta per weight.
    u: Vec<f64>,
    /// Finished: which slots have a row, 64 slots per block, with the number of rows
    /// before the block (a rank directory). With `rows` below it replaces a table of
    /// one entry per slot: 2^20 slots cost 256 KiB here instead of 8 MiB, so the first
    /// lookup of every feature hits the core's own cache instead of missing it.
    blocks: Vec<Block>,
    /// Finished: per row, in slot order, where its weights are: `DENSE | r` for the
    /// row `r` of `dense`, else a range of `packed` (see [`sparse_entry`]).
    entries: Vec<u32>,
    /// Finished: rows with many non-zero classes, `n_classes` weights each. Summing a
    /// dense row is a few vector instructions; a long sparse row is a loop with a
    /// bounds check per entry, and it is longer in memory too.
    dense: Vec<i16>,
    /// Finished: `class << 16 | (quantized weight as u16)`; weight = q * `scale`.
    packed: Vec<u32>,
    scale: f32,
    /// Finished: number of non-empty rows.
    rows: usize,
    /// Averaging clock: number of ticks (instances) so far.
    clock: u64,
    /// Number of non-trivial updates (statistics only).
    updates: u64,
    finished: bool,
}

/// Flag in an `entries` value: the row is dense.
/// `entries_of`'s mark for a feature without a row.
const NO_ROW: u32 = u32::MAX;
const DENSE: u32 = 1 << 31;
/// A sparse entry is `len << SPARSE_LEN_SHIFT | start`: rows of up to 127 weights
/// starting in the first 2^24 weights of `packed` (longer or later rows are stored dense).
const SPARSE_LEN_SHIFT: u32 = 24;
const SPARSE_MAX_LEN: usize = (1 << (31 - SPARSE_LEN_SHIFT)) - 1;
const SPARSE_MAX_START: usize = (1 << SPARSE_LEN_SHIFT) - 1;

/// 64 slots of the rank directory: bit `i` of `bits` says slot `64 k + i` has a row;
/// `rank` counts the rows of all earlier blocks. 16 bytes, so one load reads both.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(16))]
struct Block {
    bits: u64,
    rank: u32,
}

fn sparse_entry(start: usize, len: usize) -> u32 {
    ((len as u32) << SPARSE_LEN_SHIFT) | start as u32
}

/// `[start, end)` of a sparse entry in `packed`.
#[inline]
fn sparse_range(e: u32) -> (usize, usize) {
    let start = (e & ((1 << SPARSE_LEN_SHIFT) - 1)) as usize;
    (start, start + (e >> SPARSE_LEN_SHIFT) as usize)
}
/// A row with at least `n_classes / DENSE_MIN_SHARE` non-zero weights is stored dense.
const DENSE_MIN_SHARE: usize = 4;

/// Hints the CPU to load `v[i]` into cache (no-op off x86-64 or out of range).
#[inline(always)]
pub(crate) fn prefetch<T>(v: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = v.get(i) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch is only a hint: it never faults and reads nothing the
        // program can observe, and the pointer comes from a live element of `v`.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (v, i);
}

/// Stable 64-bit hash of a feature: FNV-1a over the template id and the parts (with a
/// separator so ("ab","c") != ("a","bc")), then a SplitMix64 finalizer so that the top
/// bits used for the row index are well mixed. Never depends on process randomness.
pub fn hash_feature(template: u32, parts: &[&str]) -> u64 {
    parts
        .iter()
        .fold(FeatureHash::new(template), |h, p| h.part(p))
        .finish()
}

/// `hash_feature` one part at a time, so a caller can keep the state after the parts
/// that repeat (a template and a label, say) and hash only the rest for each word:
/// `FeatureHash::new(t).part(a).part(b).finish() == hash_feature(t, &[a, b])`.
#[derive(Debug, Clone, Copy)]
pub struct FeatureHash(u64);

impl FeatureHash {
    const P: u64 = 0x0000_0100_0000_01b3;

    pub fn new(template: u32) -> FeatureHash {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in template.to_le_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(Self::P);
        }
        FeatureHash(h)
    }

    /// The state after one more part.
    #[inline]
    pub fn part(self, part: &str) -> FeatureHash {
        let mut h = self.0;
        for &b in part.as_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(Self::P);
        }
        h ^= 0xff;
        FeatureHash(h.wrapping_mul(Self::P))
    }

    /// The feature.
    #[inline]
    pub fn finish(self) -> u64 {
        mix64(self.0)
    }
}

/// SplitMix64 finalizer (also useful to combine integer atoms into a feature hash).
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Perceptron {
    /// An empty model with `n_classes` classes and a table of `1 << hash_bits` slots
    /// (`hash_bits` is clamped to 1..=28, `n_classes` to 1..=65536).
    pub fn new(n_classes: usize, hash_bits: u32) -> Self {
        let hash_bits = hash_bits.clamp(1, MAX_HASH_BITS);
        let n_classes = n_classes.clamp(1, u16::MAX as usize + 1);
        Perceptron::with_index(n_classes, hash_bits, vec![EMPTY; 1usize << hash_bits])
    }

    /// An empty model with the given training index (empty for a model about to be
    /// filled by `set_rows`).
    fn with_index(n_classes: usize, hash_bits: u32, index: Vec<u32>) -> Self {
        Perceptron {
            n_classes,
            hash_bits,
            index,
            w: Vec::new(),
            u: Vec::new(),
            blocks: Vec::new(),
            entries: Vec::new(),
            dense: Vec::new(),
            packed: Vec::new(),
            scale: 1.0,
            rows: 0,
            clock: 0,
            updates: 0,
            finished: false,
        }
    }

    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    pub fn hash_bits(&self) -> u32 {
        self.hash_bits
    }

    /// Number of allocated weight rows.
    pub fn n_rows(&self) -> usize {
        if self.finished {
            self.rows
        } else {
            self.w.len() / self.n_classes
        }
    }

    /// Number of stored non-zero weights (finished models).
    pub fn n_weights(&self) -> usize {
        if self.finished {
            self.packed.len() + self.dense.iter().filter(|q| **q != 0).count()
        } else {
            self.w.len()
        }
    }

    /// The factor from summed raw weights (`add_raw`) to scores, for a finished
    /// model (`None` while training: `add_raw` then sums float weights).
    pub fn raw_scale(&self) -> Option<f32> {
        self.finished.then_some(self.scale)
    }

    /// Number of non-trivial updates made so far.
    pub fn n_updates(&self) -> u64 {
        self.updates
    }

    #[inline]
    fn slot(&self, f: u64) -> usize {
        (f >> (64 - self.hash_bits)) as usize
    }

    /// Finished model: the row of feature `f` in `entries`, if it has one.
    #[inline]
    fn row_number(&self, f: u64) -> Option<u32> {
        let slot = self.slot(f);
        let b = self.blocks.get(slot >> 6)?;
        let bit = 1u64 << (slot & 63);
        (b.bits & bit != 0).then(|| b.rank + (b.bits & (bit - 1)).count_ones())
    }

    /// Adds the weight rows of `feats` to `out` after zeroing it (`out.len()` should be
    /// `n_classes`; extra entries are left at 0, missing ones ignored).
    pub fn scores(&self, feats: &[u64], out: &mut [f32]) {
        out.iter_mut().for_each(|x| *x = 0.0);
        self.add_raw(feats, out);
        if self.finished {
            for o in out.iter_mut() {
                *o *= self.scale;
            }
        }
    }

    /// [`Perceptron::add_raw`] for many instances at once: `out` holds one row of
    /// `n_classes` scores per instance, and instance `k` has the `per_row` features
    /// `feats[k * per_row..(k + 1) * per_row]`. One call overlaps the cache misses of
    /// all the instances' features (a Viterbi step scores every previous label with
    /// two features each: one call instead of one per label). Same sums as
    /// `add_raw` on each row.
    pub fn add_raw_rows(&self, feats: &[u64], per_row: usize, out: &mut [f32]) {
        let n = self.n_classes;
        let per_row = per_row.max(1);
        if !self.finished {
            for (fs, row) in feats.chunks(per_row).zip(out.chunks_mut(n)) {
                self.add_raw(fs, row);
            }
            return;
        }
        let mut rows = [NO_ROW; 64];
        for (c, chunk) in feats.chunks(64).enumerate() {
            let rows = &mut rows[..chunk.len()];
            self.entries_of(chunk, rows);
            for (i, &e) in rows.iter().enumerate() {
                let at = (c * 64 + i) / per_row * n;
                if e != NO_ROW && at + n <= out.len() {
                    self.add_entry(e, &mut out[at..at + n]);
                }
            }
        }
    }

    /// Adds the weight rows of `feats` to `out` without zeroing or scaling it: a
    /// finished model adds its integer quantized weights (so sums are exact in any
    /// order, and `argmax` is the same as for `scores`), a model in training its float
    /// weights. Lets a caller split one instance's features into several calls.
    pub fn add_raw(&self, feats: &[u64], out: &mut [f32]) {
        if !self.finished {
            let n = self.n_classes.min(out.len());
            for &f in feats {
                let r = self.index[self.slot(f)];
                if r != EMPTY {
                    let base = r as usize * self.n_classes;
                    for (o, x) in out[..n].iter_mut().zip(&self.w[base..base + n]) {
                        *o += *x;
                    }
                }
            }
            return;
        }
        let mut rows = [NO_ROW; 64];
        let n = self.n_classes.min(out.len());
        for chunk in feats.chunks(64) {
            let rows = &mut rows[..chunk.len()];
            self.entries_of(chunk, rows);
            for &e in rows.iter().filter(|&&e| e != NO_ROW) {
                self.add_entry(e, &mut out[..n]);
            }
        }
    }

    /// The row entries of up to 64 features (`NO_ROW` for a feature without a row), in
    /// two passes, one per level of indirection (directory block -> row entry): within
    /// a pass the loads are independent, so the CPU overlaps their cache misses instead
    /// of waiting for each feature in turn, and each pass prefetches what the next one
    /// (and `add_entry`) reads.
    #[inline]
    fn entries_of(&self, feats: &[u64], rows: &mut [u32]) {
        for (r, &f) in rows.iter_mut().zip(feats) {
            *r = self.row_number(f).unwrap_or(NO_ROW);
            if *r != NO_ROW {
                prefetch(&self.entries, *r as usize);
            }
        }
        for r in rows.iter_mut().filter(|r| **r != NO_ROW) {
            let e = self.entries[*r as usize];
            if e & DENSE == 0 {
                prefetch(&self.packed, sparse_range(e).0);
            } else {
                prefetch(&self.dense, (e & !DENSE) as usize * self.n_classes);
            }
            *r = e;
        }
    }

    /// Adds the quantized row of entry `e` to `out` (classes past `out.len()` ignored).
    #[inline]
    fn add_entry(&self, e: u32, out: &mut [f32]) {
        if e & DENSE != 0 {
            let start = (e & !DENSE) as usize * self.n_classes;
            for (o, &q) in out
                .iter_mut()
                .zip(&self.dense[start..start + self.n_classes])
            {
                *o += q as f32;
            }
            return;
        }
        let (a, b) = sparse_range(e);
        for &w in &self.packed[a..b] {
            if let Some(o) = out.get_mut((w >> 16) as usize) {
                *o += (w as u16 as i16) as f32;
            }
        }
    }

    /// Scores of a subset of classes only (`out[k]` = score of `classes[k]`), used when
    /// a dictionary already restricts the candidates.
    pub fn scores_subset(&self, feats: &[u64], classes: &[u16], out: &mut [f32]) {
        let mut all = vec![0f32; self.n_classes];
        self.scores(feats, &mut all);
        for (o, &c) in out.iter_mut().zip(classes) {
            *o = all.get(c as usize).copied().unwrap_or(0.0);
        }
    }

    /// Highest-scoring class; ties go to the lowest class index.
    pub fn predict(&self, feats: &[u64]) -> usize {
        let mut buf = vec![0f32; self.n_classes];
        self.scores(feats, &mut buf);
        argmax(&buf)
    }

    fn row_of(&mut self, f: u64) -> usize {
        let s = self.slot(f);
        let r = self.index[s];
        if r != EMPTY {
            return r as usize;
        }
        let r = self.n_rows();
        self.index[s] = r as u32;
        self.w.resize(self.w.len() + self.n_classes, 0.0);
        self.u.resize(self.u.len() + self.n_classes, 0.0);
        r
    }

    /// Perceptron update: +1 to `truth`, −1 to `guess` for every feature. No-op when
    /// they are equal or out of range, or after `finish`. Does not advance the clock.
    pub fn update(&mut self, feats: &[u64], truth: usize, guess: usize) {
        if truth == guess || truth >= self.n_classes || guess >= self.n_classes || self.finished {
            return;
        }
        self.updates += 1;
        let c = self.clock as f64;
        for &f in feats {
            let base = self.row_of(f) * self.n_classes;
            self.w[base + truth] += 1.0;
            self.u[base + truth] += c;
            self.w[base + guess] -= 1.0;
            self.u[base + guess] -= c;
        }
    }

    /// Advances the averaging clock by one training instance.
    pub fn tick(&mut self) {
        self.clock += 1;
    }

    /// Replaces the weights by their average over all ticks, quantized to i16 with one
    /// scale (exactly what `write_to` stores, so a finished model scores like a loaded
    /// one), and switches to the sparse read-only representation.
    pub fn finish(mut self) -> Perceptron {
        if self.finished {
            return self;
        }
        let c = self.clock.max(1) as f64;
        let n = self.n_classes;
        let avg: Vec<f32> = self
            .w
            .iter()
            .zip(&self.u)
            .map(|(w, u)| (*w as f64 - *u / c) as f32)
            .collect();
        self.w = Vec::new();
        self.u = Vec::new();
        let max = avg.iter().fold(0f32, |m, x| m.max(x.abs()));
        self.scale = if max > 0.0 { max / 32767.0 } else { 1.0 };
        let scale = self.scale;
        let index = std::mem::take(&mut self.index);
        let rows: Vec<(u32, Vec<(u16, i16)>)> = index
            .iter()
            .enumerate()
            .filter(|(_, r)| **r != EMPTY)
            .map(|(slot, &r)| {
                let row = &avg[r as usize * n..(r as usize + 1) * n];
                let q: Vec<(u16, i16)> = row
                    .iter()
                    .enumerate()
                    .map(|(k, x)| {
                        (
                            k as u16,
                            (x / scale).round().clamp(-32767.0, 32767.0) as i16,
                        )
                    })
                    .filter(|(_, q)| *q != 0)
                    .collect();
                (slot as u32, q)
            })
            .collect();
        self.set_rows(rows);
        self
    }

    /// Installs quantized sparse rows `(slot, [(class, q)])` as the finished representation.
    fn set_rows(&mut self, rows: Vec<(u32, Vec<(u16, i16)>)>) {
        let slots = 1usize << self.hash_bits;
        self.blocks = vec![Block::default(); slots.div_ceil(64)];
        self.entries.clear();
        self.packed.clear();
        self.dense.clear();
        let n = self.n_classes;
        // `rows` come in increasing slot order (from the index, a file or
        // `quantized_rows`), so the entries are in slot order, as the ranks assume.
        for (slot, row) in rows {
            let slot = slot as usize;
            if row.is_empty() || slot >= slots {
                continue;
            }
            let sparse = row.len() * DENSE_MIN_SHARE < n
                && row.len() <= SPARSE_MAX_LEN
                && self.packed.len() + row.len() <= SPARSE_MAX_START;
            let entry = if sparse {
                let start = self.packed.len();
                self.packed.extend(
                    row.iter()
                        .map(|(c, q)| ((*c as u32) << 16) | (*q as u16 as u32)),
                );
                sparse_entry(start, row.len())
            } else {
                let r = (self.dense.len() / n) as u32;
                let start = self.dense.len();
                self.dense.resize(start + n, 0);
                for (c, q) in &row {
                    if let Some(x) = self.dense.get_mut(start + *c as usize) {
                        *x = *q;
                    }
                }
                DENSE | r
            };
            self.blocks[slot >> 6].bits |= 1 << (slot & 63);
            self.entries.push(entry);
        }
        let mut rank = 0u32;
        for b in &mut self.blocks {
            b.rank = rank;
            rank += b.bits.count_ones();
        }
        self.rows = self.entries.len();
        self.index = Vec::new();
        self.finished = true;
    }

    /// Drops weights with |w| < `min_abs` and rows that become empty (finishes the model
    /// first if needed). Trades a little accuracy for size and speed.
    pub fn prune(&mut self, min_abs: f32) {
        if !self.finished {
            let m = std::mem::replace(self, Perceptron::new(1, 1));
            *self = m.finish();
        }
        let scale = self.scale;
        let rows: Vec<(u32, Vec<(u16, i16)>)> = self
            .quantized_rows()
            .into_iter()
            .map(|(s, r)| {
                (
                    s,
                    r.into_iter()
                        .filter(|(_, q)| (*q as f32 * scale).abs() >= min_abs)
                        .collect(),
                )
            })
            .collect();
        self.set_rows(rows);
    }

    /// Finished model: (slot, [(class, q)]) in slot order.
    fn quantized_rows(&self) -> Vec<(u32, Vec<(u16, i16)>)> {
        let slots = self.blocks.iter().enumerate().flat_map(|(k, b)| {
            (0..64)
                .filter(move |i| b.bits & (1u64 << i) != 0)
                .map(move |i| k * 64 + i)
        });
        slots
            .zip(&self.entries)
            .map(|(slot, &e)| {
                let row = if e & DENSE != 0 {
                    let start = (e & !DENSE) as usize * self.n_classes;
                    self.dense[start..start + self.n_classes]
                        .iter()
                        .enumerate()
                        .filter(|(_, q)| **q != 0)
                        .map(|(c, q)| (c as u16, *q))
                        .collect()
                } else {
                    let (a, b) = sparse_range(e);
                    self.packed[a..b]
                        .iter()
                        .map(|e| ((e >> 16) as u16, *e as u16 as i16))
                        .collect()
                };
                (slot as u32, row)
            })
            .collect()
    }

    /// Writes the weights quantized to i16 (a training model is finished on a copy
    /// first, so what is written is always the averaged model).
    pub fn write_to<W: Write>(&self, w: &mut W) -> std::io::Result<()> {
        if !self.finished {
            return self.clone().finish().write_to(w);
        }
        let n = self.n_classes;
        let scale = self.scale;
        let rows = self.quantized_rows();
        let mut buf = Vec::with_capacity(32 + rows.len() * 8);
        buf.extend_from_slice(MAGIC);
        buf.extend_from_slice(&VERSION.to_le_bytes());
        buf.extend_from_slice(&(n as u32).to_le_bytes());
        buf.extend_from_slice(&self.hash_bits.to_le_bytes());
        buf.extend_from_slice(&scale.to_le_bytes());
        buf.extend_from_slice(&(rows.len() as u32).to_le_bytes());
        let mut prev = 0u32;
        for (slot, row) in &rows {
            put_varint(&mut buf, (slot - prev) as u64);
            prev = *slot;
            let nz = row.len();
            if nz * 4 < n * 2 {
                buf.push(1);
                put_varint(&mut buf, nz as u64);
                for (c, x) in row {
                    buf.extend_from_slice(&c.to_le_bytes());
                    buf.extend_from_slice(&x.to_le_bytes());
                }
            } else {
                buf.push(0);
                let mut dense = vec![0i16; n];
                for (c, x) in row {
                    dense[*c as usize] = *x;
                }
                for x in dense {
                    buf.extend_from_slice(&x.to_le_bytes());
                }
            }
        }
        w.write_all(&buf)
    }

    /// Reads a model written by `write_to`. Truncation, another format version or a
    /// corrupt header give an error, never a panic.
    pub fn read_from<R: Read>(r: &mut R) -> Result<Perceptron, ModelError> {
        let mut magic = [0u8; 8];
        read_exact(r, &mut magic)?;
        if &magic != MAGIC {
            return Err(ModelError::BadMagic);
        }
        let version = read_u32(r)?;
        if version != VERSION {
            return Err(ModelError::Version {
                found: version,
                expected: VERSION,
            });
        }
        let n = read_u32(r)? as usize;
        let hash_bits = read_u32(r)?;
        let scale = f32::from_le_bytes(read_4(r)?);
        let n_rows = read_u32(r)? as usize;
        if n == 0 || n > u16::MAX as usize + 1 {
            return Err(ModelError::Corrupt(format!("{n} classes")));
        }
        if hash_bits == 0 || hash_bits > MAX_HASH_BITS {
            return Err(ModelError::Corrupt(format!("hash_bits {hash_bits}")));
        }
        if !scale.is_finite() || scale <= 0.0 {
            return Err(ModelError::Corrupt(format!("scale {scale}")));
        }
        let slots = 1usize << hash_bits;
        if n_rows > slots {
            return Err(ModelError::Corrupt(format!(
                "{n_rows} rows for {slots} slots"
            )));
        }
        // (not `new`: its training index would be allocated only to be dropped)
        let mut p = Perceptron::with_index(n, hash_bits, Vec::new());
        p.scale = scale;
        let mut rows: Vec<(u32, Vec<(u16, i16)>)> = Vec::with_capacity(n_rows.min(1 << 22));
        let mut slot: u64 = 0;
        let mut two = [0u8; 2];
        for i in 0..n_rows {
            let d = read_varint(r)?;
            slot += d;
            if slot >= slots as u64 || (i > 0 && d == 0) {
                return Err(ModelError::Corrupt(format!("row slot {slot}")));
            }
            let mut kind = [0u8; 1];
            read_exact(r, &mut kind)?;
            let mut row = Vec::new();
            match kind[0] {
                0 => {
                    for c in 0..n {
                        read_exact(r, &mut two)?;
                        let x = i16::from_le_bytes(two);
                        if x != 0 {
                            row.push((c as u16, x));
                        }
                    }
                }
                1 => {
                    let nz = read_varint(r)? as usize;
                    if nz > n {
                        return Err(ModelError::Corrupt(
                            "sparse row longer than the class count".into(),
                        ));
                    }
                    for _ in 0..nz {
                        read_exact(r, &mut two)?;
                        let c = u16::from_le_bytes(two) as usize;
                        read_exact(r, &mut two)?;
                        if c >= n {
                            return Err(ModelError::Corrupt(format!("class {c} out of range")));
                        }
                        row.push((c as u16, i16::from_le_bytes(two)));
                    }
                }
                k => return Err(ModelError::Corrupt(format!("row kind {k}"))),
            }
            rows.push((slot as u32, row));
        }
        p.set_rows(rows);
        Ok(p)
    }
}

/// FNV-1a hasher for the models' string tables (tag dictionary, lexicons): much faster
/// than SipHash on short keys and deterministic. The tables are fixed at load time and
/// only queried, so adversarial keys cannot degrade them the way they could a map that
/// grows from untrusted input.
#[derive(Debug, Clone, Copy, Default)]
pub struct FnvBuild;

/// See [`FnvBuild`].
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        mix64(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

impl std::hash::BuildHasher for FnvBuild {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

/// A `HashMap` with the FNV hasher.
pub type FastMap<K, V> = std::collections::HashMap<K, V, FnvBuild>;

/// Index of the maximum (ties -> lowest index); 0 for an empty slice.
pub fn argmax(xs: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate() {
        if x > xs[best] {
            best = i;
        }
    }
    best
}

fn put_varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

fn read_exact<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<(), ModelError> {
    r.read_exact(buf).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            ModelError::Truncated
        } else {
            ModelError::Io(e)
        }
    })
}

fn read_4<R: Read>(r: &mut R) -> Result<[u8; 4], ModelError> {
    let mut b = [0u8; 4];
    read_exact(r, &mut b)?;
    Ok(b)
}

fn read_u32<R: Read>(r: &mut R) -> Result<u32, ModelError> {
    Ok(u32::from_le_bytes(read_4(r)?))
}

fn read_varint<R: Read>(r: &mut R) -> Result<u64, ModelError> {
    let mut v = 0u64;
    let mut b = [0u8; 1];
    for shift in (0..64).step_by(7) {
        read_exact(r, &mut b)?;
        v |= ((b[0] & 0x7f) as u64) << shift;
        if b[0] & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(ModelError::Corrupt("varint too long".into()))
}

/// Small helpers for the binary model formats built on top of the perceptron (tag lists,
/// dictionaries): length-prefixed strings and u32s, with truncation mapped to
/// `ModelError::Truncated`.
pub mod io {
    use super::*;

    pub fn write_u32<W: Write>(w: &mut W, v: u32) -> std::io::Result<()> {
        w.write_all(&v.to_le_bytes())
    }

    pub fn write_str<W: Write>(w: &mut W, s: &str) -> std::io::Result<()> {
        write_u32(w, s.len() as u32)?;
        w.write_all(s.as_bytes())
    }

    pub fn read_u32<R: Read>(r: &mut R) -> Result<u32, ModelError> {
        super::read_u32(r)
    }

    /// Reads a string written by `write_str`; refuses lengths over 1 MiB (corrupt file).
    pub fn read_str<R: Read>(r: &mut R) -> Result<String, ModelError> {
        let n = read_u32(r)? as usize;
        if n > 1 << 20 {
            return Err(ModelError::Corrupt(format!("string of {n} bytes")));
        }
        let mut b = vec![0u8; n];
        read_exact(r, &mut b)?;
        String::from_utf8(b).map_err(|_| ModelError::Corrupt("invalid UTF-8 in string".into()))
    }

    pub fn read_bytes<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<(), ModelError> {
        read_exact(r, buf)
    }

    /// Checks a file header (magic + version) written as raw bytes + u32.
    pub fn check_header<R: Read>(r: &mut R, magic: &[u8], version: u32) -> Result<(), ModelError> {
        let mut m = vec![0u8; magic.len()];
        read_exact(r, &mut m)?;
        if m != magic {
            return Err(ModelError::BadMagic);
        }
        let v = read_u32(r)?;
        if v != version {
            return Err(ModelError::Version {
                found: v,
                expected: version,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Linearly separable toy task: class = which of three marker features is present.
    fn toy() -> Perceptron {
        let mut p = Perceptron::new(3, 12);
        let data: Vec<(Vec<u64>, usize)> = (0..30)
            .map(|i| {
                let c = i % 3;
                let f = vec![
                    hash_feature(0, &["bias"]),
                    hash_feature(1, &[&c.to_string()]),
                    hash_feature(2, &[&(i % 5).to_string()]),
                ];
                (f, c)
            })
            .collect();
        for _ in 0..5 {
            for (f, c) in &data {
                let g = p.predict(f);
                p.update(f, *c, g);
                p.tick();
            }
        }
        p.finish()
    }

    const FIXED_THE: u64 = 918916750348501941;

    #[test]
    fn hash_is_stable_and_separates_parts() {
        assert_eq!(hash_feature(3, &["ab", "c"]), hash_feature(3, &["ab", "c"]));
        assert_ne!(hash_feature(3, &["ab", "c"]), hash_feature(3, &["a", "bc"]));
        assert_ne!(hash_feature(3, &["x"]), hash_feature(4, &["x"]));
        // fixed value: a change of the hash silently invalidates every shipped model
        assert_eq!(hash_feature(1, &["the"]), FIXED_THE);
    }

    #[test]
    fn learns_separable_task() {
        let p = toy();
        for c in 0..3 {
            let f = vec![
                hash_feature(0, &["bias"]),
                hash_feature(1, &[&c.to_string()]),
            ];
            assert_eq!(p.predict(&f), c);
        }
    }

    #[test]
    fn averaging_matches_definition() {
        // one update at clock 1, then 3 more ticks: w=+1 for the whole run of 4 ticks
        let mut p = Perceptron::new(2, 4);
        let f = [hash_feature(0, &["a"])];
        p.update(&f, 1, 0);
        for _ in 0..4 {
            p.tick();
        }
        // second update at clock 5 (after 4 ticks), then 4 more ticks
        p.update(&f, 1, 0);
        for _ in 0..4 {
            p.tick();
        }
        let p = p.finish();
        let mut s = [0f32; 2];
        p.scores(&f, &mut s);
        // weights over the 8 instances: 1,1,1,1,2,2,2,2 -> mean 1.5 for class 1, -1.5 for class 0
        assert!((s[1] - 1.5).abs() < 1e-6, "{s:?}");
        assert!((s[0] + 1.5).abs() < 1e-6, "{s:?}");
    }

    #[test]
    fn ties_go_to_lowest_and_noop_update() {
        let mut p = Perceptron::new(4, 4);
        assert_eq!(p.predict(&[1, 2, 3]), 0);
        p.update(&[1], 2, 2);
        assert_eq!(p.n_rows(), 0);
        assert_eq!(p.n_updates(), 0);
    }

    #[test]
    fn dense_and_sparse_rows_score_like_their_weights() {
        let n = 40;
        let (wide, narrow) = (hash_feature(0, &["wide"]), hash_feature(0, &["narrow"]));
        let mut p = Perceptron::new(n, 10);
        for c in 0..n {
            p.update(&[wide], c, (c + 1) % n);
            p.tick();
        }
        for _ in 0..5 {
            p.update(&[narrow], 3, 7);
            p.tick();
        }
        let p = p.finish();
        assert!(!p.dense.is_empty() && !p.packed.is_empty());
        let mut expected = vec![0f32; n];
        for (slot, row) in p.quantized_rows() {
            for f in [wide, narrow] {
                if p.slot(f) == slot as usize {
                    for (c, q) in &row {
                        expected[*c as usize] += *q as f32;
                    }
                }
            }
        }
        let expected: Vec<f32> = expected.iter().map(|x| x * p.scale).collect();
        let mut got = vec![0f32; n];
        p.scores(&[wide, narrow], &mut got);
        assert_eq!(got, expected);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        p.write_to(&mut a).unwrap();
        Perceptron::read_from(&mut a.as_slice())
            .unwrap()
            .write_to(&mut b)
            .unwrap();
        assert_eq!(a, b);
    }

    /// Many features in a small table (so directory blocks hold several rows and the
    /// ranks matter), a row too long for a sparse entry, and features without a row:
    /// each scores exactly its own quantized row.
    #[test]
    fn every_feature_finds_its_own_row() {
        let n = 600;
        let feats: Vec<u64> = (0..300)
            .map(|i| hash_feature(1, &[&i.to_string()]))
            .collect();
        let mut p = Perceptron::new(n, 9);
        for (i, &f) in feats.iter().enumerate() {
            p.update(&[f], i % n, (i + 1) % n);
            p.tick();
        }
        let long = hash_feature(2, &["long"]);
        for c in 0..70 {
            p.update(&[long], c, c + 300);
            p.tick();
        }
        let p = p.finish();
        // 140 weights: under a quarter of the classes, but over a sparse entry's limit
        assert!(!p.dense.is_empty(), "a 140-weight row is stored dense");
        let rows: std::collections::HashMap<usize, Vec<(u16, i16)>> = p
            .quantized_rows()
            .into_iter()
            .map(|(s, r)| (s as usize, r))
            .collect();
        let missing = (0..).map(|i| hash_feature(3, &[&format!("{i}")]));
        let absent: Vec<u64> = missing
            .filter(|f| !rows.contains_key(&p.slot(*f)))
            .take(20)
            .collect();
        for &f in feats.iter().chain([&long]).chain(&absent) {
            let mut expected = vec![0f32; n];
            for (c, q) in rows.get(&p.slot(f)).into_iter().flatten() {
                expected[*c as usize] = *q as f32 * p.scale;
            }
            let mut got = vec![0f32; n];
            p.scores(&[f], &mut got);
            assert_eq!(got, expected);
        }
    }

    /// Scoring many instances in one call gives each row what `add_raw` gives it, for
    /// a finished model (prefetching path, more than one 64-feature chunk) and for one
    /// in training.
    #[test]
    fn add_raw_rows_equals_add_raw_per_row() {
        let n = 25;
        let mut p = Perceptron::new(n, 10);
        let feats: Vec<u64> = (0..200)
            .map(|i| hash_feature(4, &[&i.to_string()]))
            .collect();
        for (i, &f) in feats.iter().enumerate() {
            p.update(&[f, feats[(i * 7) % 200]], i % n, (i * 3 + 1) % n);
            p.tick();
        }
        let check = |p: &Perceptron| {
            // 70 instances of 2 features (140 features: three chunks), some unknown
            let inst: Vec<u64> = (0..140)
                .map(|i| match i % 5 {
                    4 => hash_feature(5, &[&i.to_string()]),
                    _ => feats[(i * 13) % 200],
                })
                .collect();
            let mut rows = vec![1f32; 70 * n];
            p.add_raw_rows(&inst, 2, &mut rows);
            for (k, fs) in inst.chunks(2).enumerate() {
                let mut one = vec![1f32; n];
                p.add_raw(fs, &mut one);
                assert_eq!(&rows[k * n..(k + 1) * n], &one[..], "instance {k}");
            }
        };
        check(&p);
        check(&p.finish());
    }

    #[test]
    fn save_load_round_trip_and_errors() {
        let p = toy();
        let mut buf = Vec::new();
        p.write_to(&mut buf).unwrap();
        let q = Perceptron::read_from(&mut buf.as_slice()).unwrap();
        assert_eq!(q.n_classes(), 3);
        for c in 0..3 {
            let f = vec![
                hash_feature(0, &["bias"]),
                hash_feature(1, &[&c.to_string()]),
            ];
            assert_eq!(q.predict(&f), c);
            let (mut a, mut b) = ([0f32; 3], [0f32; 3]);
            p.scores(&f, &mut a);
            q.scores(&f, &mut b);
            for k in 0..3 {
                assert!((a[k] - b[k]).abs() < 1e-3 * (1.0 + a[k].abs()));
            }
        }
        // deterministic bytes
        let mut buf2 = Vec::new();
        q.write_to(&mut buf2).unwrap();
        let mut buf3 = Vec::new();
        toy().write_to(&mut buf3).unwrap();
        assert_eq!(buf, buf3);
        // truncated at every length: error, never panic
        for cut in 0..buf.len() {
            assert!(
                Perceptron::read_from(&mut &buf[..cut]).is_err(),
                "cut {cut}"
            );
        }
        assert!(matches!(
            Perceptron::read_from(&mut &buf[..20]),
            Err(ModelError::Truncated)
        ));
        let mut bad = buf.clone();
        bad[0] = b'X';
        assert!(matches!(
            Perceptron::read_from(&mut bad.as_slice()),
            Err(ModelError::BadMagic)
        ));
        let mut v2 = buf.clone();
        v2[8] = 9;
        assert!(matches!(
            Perceptron::read_from(&mut v2.as_slice()),
            Err(ModelError::Version {
                found: 9,
                expected: 1
            })
        ));
    }

    #[test]
    fn prune_drops_small_rows() {
        let mut p = Perceptron::new(2, 6);
        p.update(&[hash_feature(0, &["a"])], 1, 0);
        p.update(&[hash_feature(0, &["b"])], 1, 0);
        p.update(&[hash_feature(0, &["b"])], 1, 0);
        p.tick();
        let mut p = p.finish();
        assert_eq!(p.n_rows(), 2);
        p.prune(1.5);
        assert_eq!(p.n_rows(), 1);
        assert_eq!(p.predict(&[hash_feature(0, &["b"])]), 1);
        let mut s = [0f32; 2];
        p.scores(&[hash_feature(0, &["a"])], &mut s);
        assert_eq!(s, [0.0, 0.0]);
    }
}
