//! A port of the CaRB Open IE scorer (Bhardwaj, Aggarwal & Mausam 2019; dair-iitd/CaRB
//! `carb.py` + `matcher.py`, default `binary_linient_tuple_match`), exact to the algorithm
//! described in `docs/openie.md` §3.5.
//!
//! Why a port and not a re-design: published CaRB numbers are only comparable when every
//! quirk of the reference scorer is kept — sentence keys without spaces and ASCII
//! punctuation, case-sensitive multiset token matching, the "be" rule, the swapped-argument
//! leniency for said-type gold relations, greedy one-to-one precision matching per
//! confidence threshold, and the AUC with an appended (recall 0, precision 1) point. The
//! validation test reproduces the official OpenIE-5 dev numbers to three decimals.
//!
//! Readers: the CaRB gold TSV (`sentence \t relation \t arg1 \t arg2 …`, arguments
//! containing `C: ` are contexts and are dropped), the `carb` system format produced by
//! `kg extract --format carb` (`sentence \t confidence \t relation \t arg1 \t …`, CaRB's
//! `TabReader`), and the OpenIE-5 output format (CaRB's `OpenieFiveReader`).

use std::collections::HashMap;
use std::path::Path;

/// One extraction: a relation phrase, its arguments and a confidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Extraction {
    pub relation: String,
    pub args: Vec<String>,
    pub confidence: f64,
}

/// Extractions grouped by normalized sentence key, in first-seen order.
///
/// Keys follow CaRB: several raw sentences that normalize to the same key collapse, and
/// the extractions of the raw sentence seen *last* (by its first appearance) win, exactly as
/// Python's `dict([(normalize(k), v) …])` behaves.
#[derive(Debug, Clone, Default)]
pub struct ExtractionSet {
    /// (normalized key, extractions) in the position of the key's first insertion.
    sentences: Vec<(String, Vec<Extraction>)>,
}

/// The gold side (confidence is always 1).
pub type GoldSet = ExtractionSet;
/// The system side.
pub type SystemSet = ExtractionSet;

impl ExtractionSet {
    /// Builds a set from raw sentences (in first-appearance order) with their extractions.
    pub fn from_raw(raw: Vec<(String, Vec<Extraction>)>) -> Self {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut sentences: Vec<(String, Vec<Extraction>)> = Vec::new();
        for (text, exs) in raw {
            let key = sentence_key(&text);
            match index.get(&key) {
                Some(&i) => sentences[i].1 = exs,
                None => {
                    index.insert(key.clone(), sentences.len());
                    sentences.push((key, exs));
                }
            }
        }
        ExtractionSet { sentences }
    }

    /// Number of distinct sentence keys.
    pub fn len(&self) -> usize {
        self.sentences.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sentences.is_empty()
    }

    /// Total number of extractions.
    pub fn n_extractions(&self) -> usize {
        self.sentences.iter().map(|(_, e)| e.len()).sum()
    }

    /// Iterates (key, extractions) in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[Extraction])> {
        self.sentences
            .iter()
            .map(|(k, e)| (k.as_str(), e.as_slice()))
    }

    fn lookup(&self) -> HashMap<&str, &[Extraction]> {
        self.sentences
            .iter()
            .map(|(k, e)| (k.as_str(), e.as_slice()))
            .collect()
    }
}

/// Errors of the readers: the file and 1-based line of the problem.
#[derive(Debug, thiserror::Error)]
pub enum CarbError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}:{line}: {message}")]
    Malformed {
        file: String,
        line: usize,
        message: String,
    },
}

fn malformed(file: &str, line: usize, message: impl Into<String>) -> CarbError {
    CarbError::Malformed {
        file: file.to_string(),
        line,
        message: message.into(),
    }
}

/// Python's `str.strip()` (Unicode whitespace on both ends).
fn py_strip(s: &str) -> &str {
    s.trim()
}

/// Groups extractions by raw sentence text in order of first appearance.
#[derive(Default)]
struct RawGroups {
    order: Vec<(String, Vec<Extraction>)>,
    index: HashMap<String, usize>,
}

impl RawGroups {
    fn push(&mut self, text: &str, ex: Extraction) {
        match self.index.get(text) {
            Some(&i) => self.order[i].1.push(ex),
            None => {
                self.index.insert(text.to_string(), self.order.len());
                self.order.push((text.to_string(), vec![ex]));
            }
        }
    }
    fn finish(self) -> ExtractionSet {
        ExtractionSet::from_raw(self.order)
    }
}

fn read_to_string(path: &Path) -> Result<String, CarbError> {
    std::fs::read_to_string(path).map_err(|source| CarbError::Io {
        file: path.display().to_string(),
        source,
    })
}

/// Reads a CaRB gold TSV file.
pub fn read_gold(path: &Path) -> Result<GoldSet, CarbError> {
    parse_gold(&read_to_string(path)?, &path.display().to_string())
}

/// Parses CaRB gold TSV text: `sentence \t relation \t arg1 \t …`; arguments containing
/// `C: ` (contexts) are dropped; blank lines are skipped.
pub fn parse_gold(text: &str, file: &str) -> Result<GoldSet, CarbError> {
    let mut groups = RawGroups::default();
    for (i, line) in text.lines().enumerate() {
        let data: Vec<&str> = py_strip(line).split('\t').collect();
        if data.len() == 1 && data[0].is_empty() {
            continue;
        }
        if data.len() < 2 {
            return Err(malformed(
                file,
                i + 1,
                "expected `sentence<TAB>relation<TAB>arg…`",
            ));
        }
        let args = data[2..]
            .iter()
            .filter(|a| !a.contains("C: "))
            .map(|a| py_strip(a).to_string())
            .collect();
        let ex = Extraction {
            relation: py_strip(data[1]).to_string(),
            args,
            confidence: 1.0,
        };
        groups.push(py_strip(data[0]), ex);
    }
    Ok(groups.finish())
}

/// Reads a system file in the `carb` tab format.
pub fn read_system_tab(path: &Path) -> Result<SystemSet, CarbError> {
    parse_system_tab(&read_to_string(path)?, &path.display().to_string())
}

fn parse_confidence(s: &str, file: &str, line: usize) -> Result<f64, CarbError> {
    let c: f64 = py_strip(s)
        .parse()
        .map_err(|_| malformed(file, line, format!("confidence `{s}` is not a number")))?;
    if c.is_nan() {
        return Err(malformed(file, line, "confidence is NaN"));
    }
    Ok(c)
}

/// Parses the `carb` tab format: `sentence \t confidence \t relation \t arg1 \t …`.
/// As in CaRB's TabReader, the line is stripped first (so empty trailing arguments vanish)
/// and blank lines are skipped.
pub fn parse_system_tab(text: &str, file: &str) -> Result<SystemSet, CarbError> {
    let mut groups = RawGroups::default();
    for (i, line) in text.lines().enumerate() {
        let line = py_strip(line);
        if line.is_empty() {
            continue;
        }
        let data: Vec<&str> = line.split('\t').collect();
        if data.len() < 3 {
            return Err(malformed(
                file,
                i + 1,
                "expected `sentence<TAB>confidence<TAB>relation<TAB>arg…`",
            ));
        }
        let confidence = parse_confidence(data[1], file, i + 1)?;
        let ex = Extraction {
            relation: data[2].to_string(),
            args: data[3..].iter().map(|s| s.to_string()).collect(),
            confidence,
        };
        groups.push(data[0], ex);
    }
    Ok(groups.finish())
}

/// Reads an OpenIE-5 output file.
pub fn read_openie5(path: &Path) -> Result<SystemSet, CarbError> {
    parse_openie5(&read_to_string(path)?, &path.display().to_string())
}

/// The text of an OpenIE-4/5 element `Kind(text,List([b, e)))`: from after the first `(`
/// to the first `,List(` (empty when those come in the other order, like a Python slice).
fn oie5_inner<'a>(s: &'a str, file: &str, line: usize) -> Result<&'a str, CarbError> {
    let open = s
        .find('(')
        .ok_or_else(|| malformed(file, line, format!("no `(` in `{s}`")))?;
    let end = s
        .find(",List(")
        .ok_or_else(|| malformed(file, line, format!("no `,List(` in `{s}`")))?;
    Ok(if open < end { &s[open + 1..end] } else { "" })
}

/// Parses OpenIE-5 output: `confidence \t context \t arg1 \t relation \t arg2s \t sentence`,
/// where arg2s are `;`-separated elements. Lines with an empty arg1, relation or arg2s field
/// are skipped (as CaRB does); a context not already starting the tuple is prefixed to arg1.
pub fn parse_openie5(text: &str, file: &str) -> Result<SystemSet, CarbError> {
    let mut groups = RawGroups::default();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let stripped = py_strip(line);
        if stripped.is_empty() {
            continue;
        }
        let data: Vec<&str> = stripped.split('\t').collect();
        let core_end = data.len().min(5);
        if core_end > 2 && data[2..core_end].iter().any(|s| s.is_empty()) {
            continue;
        }
        if data.len() < 6 {
            return Err(malformed(
                file,
                n,
                format!("expected 6 tab-separated fields, found {}", data.len()),
            ));
        }
        let confidence = parse_confidence(data[0], file, n)?;
        let mut arg1 = oie5_inner(data[2], file, n)?.to_string();
        let rel = oie5_inner(data[3], file, n)?.to_string();
        let mut rest = Vec::new();
        for piece in py_strip(data[4]).split(");") {
            rest.push(oie5_inner(piece, file, n)?.to_string());
        }
        if !data[1].is_empty() {
            let ctx = oie5_inner(data[1], file, n)?;
            if !format!("{arg1} {rel}").starts_with(ctx) {
                arg1 = format!("{ctx} {arg1}");
            }
        }
        let mut args = vec![arg1];
        args.extend(rest);
        groups.push(
            data[5],
            Extraction {
                relation: rel,
                args,
                confidence,
            },
        );
    }
    Ok(groups.finish())
}

/// CaRB's sentence key: spaces removed, PTB bracket escapes undone, ASCII punctuation deleted.
pub fn sentence_key(s: &str) -> String {
    let mut k = s.replace(' ', "");
    for (u, e) in [
        ("(", "-LRB-"),
        (")", "-RRB-"),
        ("[", "-LSB-"),
        ("]", "-RSB-"),
        ("{", "-LCB-"),
        ("}", "-RCB-"),
    ] {
        k = k.replace(e, u);
    }
    k.chars().filter(|c| !c.is_ascii_punctuation()).collect()
}

/// One point of the precision–recall curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvePoint {
    pub threshold: f64,
    pub precision: f64,
    pub recall: f64,
}

/// The scorer's result: best-F1 point, its confidence threshold, AUC and the whole curve
/// (one point per distinct system confidence, ascending).
#[derive(Debug, Clone, PartialEq)]
pub struct CarbScores {
    pub auc: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub threshold: f64,
    pub curve: Vec<CurvePoint>,
}

/// Multiset matches of `gold` tokens in `pred` (each pred token used once); `pred` is consumed.
fn multiset_matches<'a>(gold: &[&'a str], pred: &mut Vec<&'a str>) -> usize {
    let mut m = 0;
    for w in gold {
        if let Some(pos) = pred.iter().position(|p| p == w) {
            m += 1;
            pred.remove(pos);
        }
    }
    m
}

const FORMS_OF_BE: [&str; 8] = ["be", "is", "am", "are", "was", "were", "been", "being"];

/// CaRB's `linient_tuple_match` on already binarized tuples: (precision, recall).
fn lenient_match(g_rel: &str, g_args: &[String], s_rel: &str, s_args: &[String]) -> (f64, f64) {
    let mut pred: Vec<&str> = s_rel.split_whitespace().collect();
    let gold: Vec<&str> = g_rel.split_whitespace().collect();
    let (mut p_num, mut p_den) = (0usize, pred.len());
    let (mut r_num, mut r_den) = (0usize, gold.len());
    let mut m = multiset_matches(&gold, &mut pred);
    if let Some(pos) = pred.iter().position(|w| *w == "be") {
        if FORMS_OF_BE.iter().any(|f| gold.contains(f)) {
            m += 1;
            pred.remove(pos);
        }
    }
    if m == 0 {
        return (0.0, 0.0);
    }
    p_num += m;
    r_num += m;
    for (i, ga) in g_args.iter().enumerate() {
        let gw: Vec<&str> = ga.split_whitespace().collect();
        r_den += gw.len();
        let Some(sa) = s_args.get(i) else {
            if i < 2 {
                return (0.0, 0.0);
            }
            continue;
        };
        let mut pw: Vec<&str> = sa.split_whitespace().collect();
        p_den += pw.len();
        let k = multiset_matches(&gw, &mut pw);
        p_num += k;
        r_num += k;
    }
    let p = if p_den == 0 {
        0.0
    } else {
        p_num as f64 / p_den as f64
    };
    let r = if r_den == 0 {
        0.0
    } else {
        r_num as f64 / r_den as f64
    };
    (p, r)
}

/// `[arg1, " ".join(args[1:])]` when there are at least two arguments.
fn binarize(args: &[String]) -> Vec<String> {
    if args.len() >= 2 {
        vec![args[0].clone(), args[1..].join(" ")]
    } else {
        args.to_vec()
    }
}

/// CaRB's default matcher `binary_linient_tuple_match`: (precision, recall) of a system tuple
/// against a gold tuple.
pub fn match_pair(gold: &Extraction, sys: &Extraction) -> (f64, f64) {
    let g_args = binarize(&gold.args);
    let s_args = binarize(&sys.args);
    let straight = lenient_match(&gold.relation, &g_args, &sys.relation, &s_args);
    let said = ["said", "told", "added", "adds", "says"]
        .iter()
        .any(|v| gold.relation.contains(v));
    if !said {
        return straight;
    }
    let swapped = if sys.args.len() >= 2 {
        vec![sys.args[1..].join(" "), sys.args[0].clone()]
    } else {
        sys.args.clone()
    };
    let reverse = lenient_match(&gold.relation, &g_args, &sys.relation, &swapped);
    // Python's max over [p, r] lists: lexicographic, first wins on ties.
    if reverse.0 > straight.0 || (reverse.0 == straight.0 && reverse.1 > straight.1) {
        reverse
    } else {
        straight
    }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Scores a system against gold with CaRB's algorithm (§3.5 of `docs/openie.md`).
pub fn score(gold: &GoldSet, system: &SystemSet) -> CarbScores {
    let mut thresholds: Vec<f64> = system
        .sentences
        .iter()
        .flat_map(|(_, e)| e.iter().map(|x| x.confidence))
        .collect();
    thresholds.sort_by(|a, b| a.total_cmp(b));
    thresholds.dedup();
    let n = thresholds.len();
    let mut p = vec![0.0f64; n];
    let mut pl = vec![0.0f64; n];
    let mut r = vec![0.0f64; n];
    let mut rl = vec![0.0f64; n];
    let sys = system.lookup();

    for (key, golds) in gold.iter() {
        let preds: &[Extraction] = sys.get(key).copied().unwrap_or(&[]);
        let scores: Vec<Vec<(f64, f64)>> = golds
            .iter()
            .map(|g| preds.iter().map(|s| match_pair(g, s)).collect())
            .collect();
        let mut confs: Vec<f64> = preds.iter().map(|e| e.confidence).collect();
        confs.sort_by(|a, b| a.total_cmp(b));
        confs.dedup();
        let mut prev_c = 0usize;
        for &conf in &confs {
            let c = thresholds.partition_point(|t| *t < conf);
            let selected: Vec<usize> = (0..preds.len())
                .filter(|&j| preds[j].confidence >= conf)
                .collect();
            let recall_num: f64 = scores
                .iter()
                .map(|row| {
                    selected
                        .iter()
                        .map(|&j| row[j].1)
                        .fold(0.0f64, |a, b| if b > a { b } else { a })
                })
                .sum();
            let mut used_rows = vec![false; scores.len()];
            let mut used_cols = vec![false; preds.len()];
            let mut precision_num = 0.0;
            for _ in 0..scores.len().min(selected.len()) {
                let mut best = (usize::MAX, usize::MAX, -1.0f64);
                for (i, row) in scores.iter().enumerate() {
                    if used_rows[i] {
                        continue;
                    }
                    for &j in &selected {
                        if !used_cols[j] && row[j].0 > best.2 {
                            best = (i, j, row[j].0);
                        }
                    }
                }
                if best.0 == usize::MAX {
                    break;
                }
                used_rows[best.0] = true;
                used_cols[best.1] = true;
                precision_num += best.2;
            }
            for k in prev_c..=c {
                p[k] += precision_num;
                pl[k] += selected.len() as f64;
                r[k] += recall_num;
                rl[k] += golds.len() as f64;
            }
            prev_c = c + 1;
        }
        for v in rl.iter_mut().skip(prev_c) {
            *v += golds.len() as f64;
        }
    }

    let precs: Vec<f64> = p
        .iter()
        .zip(&pl)
        .map(|(a, b)| if *b > 0.0 { a / b } else { 1.0 })
        .collect();
    let recs: Vec<f64> = r
        .iter()
        .zip(&rl)
        .map(|(a, b)| if *b > 0.0 { a / b } else { 0.0 })
        .collect();
    if n == 0 {
        return CarbScores {
            auc: 0.0,
            precision: 0.0,
            recall: 0.0,
            f1: 0.0,
            threshold: 0.0,
            curve: Vec::new(),
        };
    }
    let f1s: Vec<f64> = precs.iter().zip(&recs).map(|(a, b)| f1(*a, *b)).collect();
    let mut best = 0;
    for k in 1..n {
        if f1s[k] > f1s[best] {
            best = k;
        }
    }
    let mut xs = recs.clone();
    let mut ys = precs.clone();
    xs.push(0.0);
    ys.push(1.0);
    let auc = sklearn_auc(&xs, &ys);
    let curve = (0..n)
        .map(|k| CurvePoint {
            threshold: thresholds[k],
            precision: precs[k],
            recall: recs[k],
        })
        .collect();
    CarbScores {
        auc,
        precision: precs[best],
        recall: recs[best],
        f1: f1s[best],
        threshold: thresholds[best],
        curve,
    }
}

/// sklearn's `auc`: trapezoid rule, sign flipped when x is non-increasing. (CaRB's recall
/// is non-increasing in the threshold, so the curve always qualifies.)
fn sklearn_auc(x: &[f64], y: &[f64]) -> f64 {
    let decreasing = x.windows(2).all(|w| w[1] - w[0] <= 0.0);
    let mut area = 0.0;
    for k in 1..x.len() {
        area += (x[k] - x[k - 1]) * (y[k] + y[k - 1]) / 2.0;
    }
    if decreasing { -area } else { area }
}

/// Recomputes the scores as if every system tuple had the same confidence: the baseline a
/// graded confidence must beat on AUC.
pub fn with_constant_confidence(system: &SystemSet) -> SystemSet {
    let sentences = system
        .sentences
        .iter()
        .map(|(k, e)| {
            (
                k.clone(),
                e.iter()
                    .map(|x| Extraction {
                        confidence: 1.0,
                        ..x.clone()
                    })
                    .collect(),
            )
        })
        .collect();
    ExtractionSet { sentences }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn data_file(name: &str) -> PathBuf {
        let own = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/carb")).join(name);
        if own.exists() {
            return own;
        }
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data/carb")
            .join(name)
    }

    fn ex(rel: &str, args: &[&str], c: f64) -> Extraction {
        Extraction {
            relation: rel.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            confidence: c,
        }
    }

    #[test]
    fn official_openie5_dev_numbers() {
        let gold = read_gold(&data_file("dev-gold.tsv")).expect("gold");
        let sys = read_openie5(&data_file("dev-openie5-output.txt")).expect("system");
        let s = score(&gold, &sys);
        let r3 = |x: f64| (x * 1000.0).round() / 1000.0;
        assert_eq!(
            (r3(s.auc), r3(s.precision), r3(s.recall), r3(s.f1)),
            (0.240, 0.526, 0.406, 0.458),
            "{s:?}"
        );
    }

    #[test]
    fn sentence_keys() {
        assert_eq!(sentence_key("He said -LRB- a -RRB- `` x '' ."), "Hesaidax");
        assert_eq!(sentence_key("Bush 's plan , 2.5"), "Bushsplan25");
    }

    #[test]
    fn pair_matching_rules() {
        // exact match
        let g = ex("thanked", &["Tokayev", "Putin"], 1.0);
        assert_eq!(
            match_pair(&g, &ex("thanked", &["Tokayev", "Putin"], 1.0)),
            (1.0, 1.0)
        );
        // case-sensitive
        assert_eq!(
            match_pair(&g, &ex("Thanked", &["Tokayev", "Putin"], 1.0)),
            (0.0, 0.0)
        );
        // "be" rule
        let g = ex("is", &["Bush", "President"], 1.0);
        assert_eq!(
            match_pair(&g, &ex("be", &["Bush", "President"], 1.0)),
            (1.0, 1.0)
        );
        // missing arg2 -> zero; n-ary args are joined
        assert_eq!(match_pair(&g, &ex("is", &["Bush"], 1.0)), (0.0, 0.0));
        let g = ex("joined", &["Tom", "the firm", "in 1941"], 1.0);
        assert_eq!(
            match_pair(&g, &ex("joined", &["Tom", "the firm in 1941"], 1.0)),
            (1.0, 1.0)
        );
        // said-type swap
        let g = ex("said", &["he", "it rained"], 1.0);
        assert_eq!(
            match_pair(&g, &ex("said", &["it rained", "he"], 1.0)),
            (1.0, 1.0)
        );
        let g = ex("thanked", &["he", "it rained"], 1.0);
        assert!(match_pair(&g, &ex("thanked", &["it rained", "he"], 1.0)).0 < 1.0);
    }

    #[test]
    fn greedy_one_to_one_and_thresholds() {
        let gold = parse_gold("S a .\tr\tx\ty\nS a .\tq\tu\tv\n", "g").unwrap();
        // Two identical system tuples: only one can be matched one-to-one.
        let sys = parse_system_tab("S a .\t0.9\tr\tx\ty\nS a .\t0.5\tr\tx\ty\n", "s").unwrap();
        let s = score(&gold, &sys);
        assert_eq!(s.curve.len(), 2);
        // threshold 0.5: both selected: P = 1/2, R = (1 + 0)/2
        assert_eq!((s.curve[0].precision, s.curve[0].recall), (0.5, 0.5));
        // threshold 0.9: one selected: P = 1, R = 1/2
        assert_eq!((s.curve[1].precision, s.curve[1].recall), (1.0, 0.5));
        assert_eq!(s.threshold, 0.9);
        // AUC with appended (0,1): points (0.5,0.5),(0.5,1),(0,1) -> 0.5
        assert!((s.auc - 0.5).abs() < 1e-12);
    }

    #[test]
    fn context_args_dropped_and_malformed_lines_reported() {
        let g = parse_gold("S .\tr\tx\tC: he said\n", "g").unwrap();
        assert_eq!(g.iter().next().unwrap().1[0].args, vec!["x".to_string()]);
        let e = parse_system_tab("S .\tr\tx\n", "sys.tsv").unwrap_err();
        assert_eq!(e.to_string(), "sys.tsv:1: confidence `r` is not a number");
        let e = parse_system_tab("ok\t0.5\tr\tx\nbad\n", "sys.tsv").unwrap_err();
        assert!(e.to_string().starts_with("sys.tsv:2:"), "{e}");
        let e = parse_openie5("0.5\t\tSimpleArgument(a,List([0, 1)))\tRelation(b)\tSimpleArgument(c,List([2, 3)))\ts\n", "o5")
            .unwrap_err();
        assert!(e.to_string().contains("o5:1:"), "{e}");
        assert!(read_gold(Path::new("/nonexistent/gold.tsv")).is_err());
    }

    #[test]
    fn empty_system_scores_zero() {
        let gold = parse_gold("S .\tr\tx\ty\n", "g").unwrap();
        let s = score(&gold, &SystemSet::default());
        assert_eq!((s.f1, s.auc), (0.0, 0.0));
    }
}
