//! Verbal and copular propositions: PredPatt predicate/argument rules over UD v2 labels,
//! typed with ClausIE clause types and annotated with MinIE polarity/modality/attribution.

use super::lexicon::{self as lx, contains};
use super::tree::Tree;
use super::{
    Argument, CanonicalTuple, ClauseType, Features, MAX_EXPANSION, Modality, PropKind, Proposition,
    Qualifier, QualifierKind, SurfaceTuple,
};

/// Relations that end the phrase of an argument (the dependents become propositions of
/// their own or are not part of the noun phrase).
/// Whether participial modifiers are cut out of argument phrases (they get their own
/// proposition either way). Measured on CaRB dev: keeping them scores better.
const CUT_PARTICIPLES: bool = false;

const ARG_CUT: &[&str] = &[
    "acl:relcl",
    "parataxis",
    "dep",
    "reparandum",
    "discourse",
    "vocative",
];

/// A (possibly borrowed) subject: the root of the phrase and, for relative clauses, the
/// clause to cut out of the antecedent.
#[derive(Clone, Copy, Debug)]
struct Subj {
    root: usize,
    borrowed: bool,
    relative: bool,
    /// A clause below `root` that must not be part of the phrase (the relative clause).
    cut: Option<usize>,
}

/// One argument slot before conjunction expansion.
#[derive(Clone, Debug)]
struct Slot {
    root: usize,
    /// Preposition tokens moved into the relation (not part of the phrase).
    hoisted_case: Vec<usize>,
    clausal: bool,
    cut: Option<usize>,
}

pub(crate) fn is_relative_word(t: &Tree, i: usize) -> bool {
    t.feat(i, "PronType") == Some("Rel")
        || (matches!(t.words[i].xpos.as_str(), "WDT" | "WP" | "WP$")
            && contains(lx::RELATIVE_PRONOUNS, &t.lemma(i)))
}

fn is_negation(t: &Tree, i: usize) -> bool {
    let b = t.base(i);
    (b == "advmod" || b == "det")
        && (t.feat(i, "Polarity") == Some("Neg") || contains(lx::NEGATION, &t.lemma(i)))
}

fn is_verbal(t: &Tree, i: usize) -> bool {
    matches!(t.upos(i), "VERB" | "AUX")
}

fn has_subject(t: &Tree, i: usize) -> bool {
    t.kids[i]
        .iter()
        .any(|&k| matches!(t.base(k), "nsubj" | "csubj"))
}

/// Is `i` the root of a clause we build propositions for?
pub(crate) fn is_predicate(t: &Tree, i: usize) -> bool {
    if t.is_punct(i) {
        return false;
    }
    let rel = t.rel(i);
    let base = t.base(i);
    // xcomp heads are merged into their governor's relation.
    if base == "xcomp" && t.parent[i].is_some() {
        return false;
    }
    if matches!(
        base,
        "amod"
            | "compound"
            | "case"
            | "mark"
            | "det"
            | "fixed"
            | "flat"
            | "goeswith"
            | "reparandum"
            | "aux"
            | "cop"
            | "cc"
            | "punct"
            | "nummod"
            | "discourse"
    ) {
        return false;
    }
    let copular = t.has_kid(i, "cop");
    if is_verbal(t, i) {
        if base == "acl" && rel != "acl:relcl" {
            // infinitival/gerund noun complements ("the decision to leave", "the issue of sending")
            if t.kids[i]
                .iter()
                .any(|&k| matches!(t.base(k), "mark") || t.rel(k) == "case")
            {
                return false;
            }
            return true;
        }
        if matches!(base, "nsubj" | "obj" | "iobj" | "obl" | "nmod" | "appos") && !has_subject(t, i)
        {
            // gerunds used as nouns
            return false;
        }
        return true;
    }
    copular || has_subject(t, i)
}

/// The subject of predicate `p`, borrowed from the governor when missing.
fn subject_of(t: &Tree, p: usize, depth: usize) -> Option<Subj> {
    if depth > 8 {
        return None;
    }
    let own = t.kids[p]
        .iter()
        .copied()
        .find(|&k| matches!(t.base(k), "nsubj" | "csubj"));
    let in_relcl = matches!(t.rel(p), "acl:relcl" | "advcl:relcl");
    if let Some(s) = own {
        if in_relcl && is_relative_word(t, s) {
            if let Some(n) = t.parent[p] {
                return Some(antecedent(t, n, p, false));
            }
        }
        return Some(Subj {
            root: s,
            borrowed: false,
            relative: false,
            cut: None,
        });
    }
    let gov = t.parent[p]?;
    match t.base(p) {
        "conj" => subject_of(t, gov, depth + 1).map(|s| Subj {
            borrowed: true,
            ..s
        }),
        "acl" => Some(antecedent(t, gov, p, true)),
        "advcl" if in_relcl => Some(antecedent(t, gov, p, true)),
        "advcl" | "xcomp" => subject_of(t, gov, depth + 1).map(|s| Subj {
            borrowed: true,
            ..s
        }),
        _ => None,
    }
}

/// The noun a relative clause or participle `p` modifies; when that noun is itself the
/// complement of a copula ("X is a footballer who plays …"), the copula's subject is what
/// the clause is about (CaRB's gold resolves it that way too).
fn antecedent(t: &Tree, n: usize, p: usize, borrowed: bool) -> Subj {
    if t.has_kid(n, "cop") {
        if let Some(s) = t.kids[n].iter().copied().find(|&k| t.base(k) == "nsubj") {
            if !is_relative_word(t, s) && t.upos(s) != "PRON" {
                return Subj {
                    root: s,
                    borrowed,
                    relative: true,
                    cut: None,
                };
            }
        }
    }
    Subj {
        root: n,
        borrowed,
        relative: true,
        cut: Some(p),
    }
}

/// The words of the phrase rooted at `r`: its subtree without clauses and appositions that
/// yield their own propositions, without `cut`, and with edge punctuation trimmed.
fn phrase(
    t: &Tree,
    r: usize,
    cut: Option<usize>,
    drop_conj: bool,
    extra_skip: &[usize],
) -> Vec<usize> {
    let skip = |k: usize| {
        if Some(k) == cut || extra_skip.contains(&k) {
            return true;
        }
        if t.parent[k] == Some(r) {
            let rel = t.rel(k);
            // free relatives ("what many consider …") keep their clause
            if rel == "acl:relcl"
                && matches!(
                    t.lemma(r).as_str(),
                    "what" | "whatever" | "whoever" | "whichever"
                )
            {
                return false;
            }
            if ARG_CUT.contains(&rel) {
                return true;
            }
            // participles that yield their own proposition ("the session held in …")
            if rel == "acl"
                && is_predicate(t, k)
                && t.feat(k, "VerbForm") == Some("Part")
                && CUT_PARTICIPLES
            {
                return true;
            }
            if drop_conj && matches!(t.base(k), "conj" | "cc") {
                return true;
            }
            // a conjunct with a subject of its own is a coordinated clause (extracted on its
            // own), never part of this phrase: "the leader of X and Y confronts Z"
            if t.base(k) == "conj" && has_subject(t, k) {
                return true;
            }
            // bracketed or comma-separated punctuation directly under the root before a dropped conj
        }
        false
    };
    let mut v = t.subtree_where(r, &skip);
    if drop_conj {
        // punctuation between conjuncts that belonged to the removed conjuncts
        let conj_start = t.kids[r]
            .iter()
            .copied()
            .filter(|&k| t.base(k) == "conj")
            .min();
        if let Some(cs) = conj_start {
            v.retain(|&i| !(i > r && i < cs && t.is_punct(i) && t.parent[i] == Some(r)) || i < r);
        }
    }
    trim(t, v)
}

/// Strips punctuation, coordinators and subordinators from both ends.
fn trim(t: &Tree, mut v: Vec<usize>) -> Vec<usize> {
    let edge = |i: usize| t.is_punct(i) || matches!(t.base(i), "cc");
    while v.len() > 1 && edge(v[0]) {
        v.remove(0);
    }
    while v.len() > 1 && edge(v[v.len() - 1]) {
        v.pop();
    }
    balance(t, v)
}

/// Drops an opening bracket whose closing one is not in the phrase (and vice versa), so
/// cutting an apposition or a citation does not leave "( L2" behind.
pub(crate) fn balance(t: &Tree, mut v: Vec<usize>) -> Vec<usize> {
    let opener = |f: &str| matches!(f, "(" | "[" | "{" | "-LRB-" | "-LSB-" | "``" | "\u{201c}");
    let closer = |f: &str| matches!(f, ")" | "]" | "}" | "-RRB-" | "-RSB-" | "''" | "\u{201d}");
    let mut depth: Vec<usize> = Vec::new();
    let mut drop: Vec<usize> = Vec::new();
    for (pos, &i) in v.iter().enumerate() {
        let f = t.form(i);
        if opener(f) {
            depth.push(pos);
        } else if closer(f) && depth.pop().is_none() {
            drop.push(pos);
        }
    }
    drop.extend(depth);
    if drop.is_empty() {
        return v;
    }
    drop.sort_unstable();
    for &pos in drop.iter().rev() {
        v.remove(pos);
    }
    while v.len() > 1 && (t.is_punct(v[v.len() - 1]) || t.base(v[v.len() - 1]) == "cc") {
        v.pop();
    }
    while v.len() > 1 && (t.is_punct(v[0]) || t.base(v[0]) == "cc") {
        v.remove(0);
    }
    v
}

fn mk_arg(t: &Tree, head: usize, toks: Vec<usize>) -> Argument {
    let span = (
        toks.iter().copied().min().unwrap_or(head) + 1,
        toks.iter().copied().max().unwrap_or(head) + 1,
    );
    let text = t.text(&toks);
    Argument {
        head: head + 1,
        tokens: toks.iter().map(|i| i + 1).collect(),
        span,
        text,
    }
}

/// Children of a predicate node, classified.
#[derive(Default, Debug)]
struct Parts {
    rel: Vec<usize>,
    objs: Vec<Slot>,
    obls: Vec<usize>,
    negated: bool,
    modal: Vec<usize>,
    possibility_adv: bool,
    according: Option<usize>,
    xcomp_nonverbal: Option<usize>,
}

/// Collects relation words and arguments of predicate `p` and its merged xcomp chain.
fn collect(t: &Tree, p: usize) -> (Parts, Vec<usize>) {
    let mut parts = Parts::default();
    let mut chain = vec![p];
    let mut cur = p;
    loop {
        let x = t.kids_with(cur, "xcomp").next();
        match x {
            Some(x) if chain.len() < 6 => {
                chain.push(x);
                cur = x;
            }
            _ => break,
        }
    }
    for (ci, &c) in chain.iter().enumerate() {
        let copular_c = t.has_kid(c, "cop");
        let verbal_c = is_verbal(t, c) && !copular_c;
        if verbal_c {
            parts.rel.push(c);
        }
        for &k in &t.kids[c] {
            let rel = t.rel(k);
            let base = t.base(k);
            match base {
                "aux" => {
                    parts.rel.push(k);
                    if contains(lx::POSSIBILITY_MODALS, &t.lemma(k)) {
                        parts.modal.push(k);
                    }
                }
                "cop" => parts.rel.push(k),
                "compound" if rel == "compound:prt" => parts.rel.push(k),
                "advmod" if is_negation(t, k) => {
                    parts.rel.push(k);
                    parts.negated = true;
                }
                "advmod" if contains(lx::POSSIBILITY_ADVERBS, &t.lemma(k)) => {
                    parts.possibility_adv = true
                }
                "advmod" if (verbal_c || ci == 0) && relation_adverb(t, k, c) => parts.rel.push(k),
                "mark" if ci > 0 && t.lemma(k) == "to" => parts.rel.push(k),
                "obj" | "iobj" | "ccomp" if copular_c => {}
                "obj" | "iobj" => parts.objs.push(Slot {
                    root: k,
                    hoisted_case: vec![],
                    clausal: false,
                    cut: None,
                }),
                "ccomp" => {
                    let that: Vec<usize> = t
                        .kids_with(k, "mark")
                        .filter(|&m| t.lemma(m) == "that")
                        .collect();
                    parts.rel.extend(that.iter().copied());
                    parts.objs.push(Slot {
                        root: k,
                        hoisted_case: that,
                        clausal: true,
                        cut: None,
                    })
                }
                // secondary predicate ("turned out to be the most difficult one",
                // "named X chairman"): the complement is an object.
                "xcomp" if chain.get(ci + 1) == Some(&k) && !is_verbal(t, k) => {
                    parts.xcomp_nonverbal = Some(k);
                }
                "obl" | "nmod" if (ci == 0 || verbal_c) && (!copular_c || base == "obl") => {
                    if t.kids_with(k, "case")
                        .any(|c| t.form(c).eq_ignore_ascii_case("according"))
                    {
                        parts.according = Some(k);
                    } else if !(copular_c && base == "nmod") {
                        parts.obls.push(k);
                    }
                }
                _ => {}
            }
        }
        if copular_c {
            // the complement itself: its case (PP predicate) joins the relation
            for cs in t.kids_with(c, "case") {
                parts.rel.push(cs);
                for f in t.kids_with(cs, "fixed") {
                    parts.rel.push(f);
                }
            }
        }
    }
    if let Some(x) = parts.xcomp_nonverbal {
        let toks: Vec<usize> = t.kids[x]
            .iter()
            .copied()
            .filter(|&k| matches!(t.base(k), "mark" | "cop" | "aux"))
            .collect();
        parts.rel.extend(toks);
        parts.objs.push(Slot {
            root: x,
            hoisted_case: vec![],
            clausal: false,
            cut: None,
        });
    }
    parts.rel.sort_unstable();
    parts.rel.dedup();
    (parts, chain)
}

/// A single-word adverb inside the clause ("often refers to", "is also used as"): part of
/// the relation, as in CaRB's gold. Sentence adverbs before the subject, wh-adverbs and
/// adverbs with dependents of their own are not.
fn relation_adverb(t: &Tree, k: usize, c: usize) -> bool {
    if t.upos(k) != "ADV" || !t.kids[k].is_empty() || is_negation(t, k) {
        return false;
    }
    let l = t.lemma(k);
    if matches!(
        l.as_str(),
        "when"
            | "where"
            | "why"
            | "how"
            | "however"
            | "so"
            | "then"
            | "thus"
            | "therefore"
            | "also"
            | "just"
            | "only"
            | "even"
    ) && l != "also"
    {
        return false;
    }
    let subj = t.kids[c]
        .iter()
        .copied()
        .find(|&x| matches!(t.base(x), "nsubj" | "csubj" | "expl"));
    match subj {
        Some(s) => k > s && (k < c || k == c + 1),
        None => k < c && k + 3 >= c,
    }
}

/// The phrase of a copular complement: the predicate word and its nominal dependents.
fn complement_phrase(t: &Tree, c: usize) -> Vec<usize> {
    let skip = |k: usize| {
        if t.parent[k] != Some(c) {
            return false;
        }
        matches!(
            t.base(k),
            "nsubj"
                | "csubj"
                | "cop"
                | "aux"
                | "mark"
                | "punct"
                | "cc"
                | "conj"
                | "advcl"
                | "parataxis"
                | "ccomp"
                | "obl"
                | "discourse"
                | "expl"
                | "case"
                | "vocative"
                | "dep"
                | "xcomp"
        ) || t.rel(k) == "acl:relcl"
            || (t.base(k) == "advmod"
                && (is_negation(t, k)
                    || k < c && t.kids_with(c, "cop").any(|cp| k < cp)
                    || relation_adverb(t, k, c)))
    };
    trim(t, t.subtree_where(c, &skip))
}

fn qualifier_kind(t: &Tree, k: usize) -> (QualifierKind, Option<String>) {
    let case: Vec<usize> = t.kids_with(k, "case").collect();
    let marker = if case.is_empty() {
        None
    } else {
        let mut m = Vec::new();
        for &c in &case {
            m.push(t.lemma(c));
            for f in t.kids_with(c, "fixed") {
                m.push(t.lemma(f));
            }
        }
        Some(m.join(" "))
    };
    let head = t.lemma(k);
    let timey = lx::is_time_word(&head)
        || t.rel(k).ends_with(":tmod")
        || (t.upos(k) == "NUM"
            && t.form(k).len() == 4
            && t.form(k).chars().all(|c| c.is_ascii_digit()))
        || t.kids[k]
            .iter()
            .any(|&d| t.base(d) == "nummod" && lx::is_time_word(&t.lemma(k)));
    let m = marker.as_deref().unwrap_or("");
    let kind = if timey || contains(lx::TIME_PREPS, m) && !matches!(m, "by" | "from") {
        QualifierKind::Time
    } else if matches!(m, "because of" | "due to" | "owing to" | "thanks to") {
        QualifierKind::Cause
    } else if matches!(m, "for" | "in order to") {
        QualifierKind::Purpose
    } else if matches!(m, "with" | "without" | "by" | "like" | "via" | "through") {
        QualifierKind::Manner
    } else if contains(lx::PLACE_PREPS, m) {
        QualifierKind::Place
    } else {
        QualifierKind::Other
    };
    (kind, marker)
}

/// Conjuncts of an argument root (itself first) when the coordination distributes.
fn conjuncts(t: &Tree, r: usize, rel_lemma: &str) -> Vec<usize> {
    let cs: Vec<usize> = t
        .kids_with(r, "conj")
        .filter(|&c| !is_verbal(t, c) || !has_subject(t, c))
        .collect();
    if cs.is_empty() || !matches!(t.upos(r), "NOUN" | "PROPN" | "PRON" | "NUM" | "ADJ") {
        return vec![r];
    }
    let lr = t.lemma(r);
    for &c in &cs {
        let lc = t.lemma(c);
        if lx::FIXED_PAIRS
            .iter()
            .any(|(a, b)| (*a == lr && *b == lc) || (*a == lc && *b == lr))
        {
            return vec![r];
        }
        if t.upos(c) != t.upos(r)
            && !(matches!(t.upos(c), "NOUN" | "PROPN") && matches!(t.upos(r), "NOUN" | "PROPN"))
        {
            return vec![r];
        }
    }
    if contains(lx::COLLECTIVE_WORDS, rel_lemma)
        || t.kids_with(r, "case")
            .any(|c| contains(lx::COLLECTIVE_WORDS, &t.lemma(c)))
    {
        return vec![r];
    }
    // "both X and Y" / "X and Y together" stay as they are
    if t.kids_with(r, "advmod")
        .any(|a| contains(lx::COLLECTIVE_WORDS, &t.lemma(a)))
    {
        return vec![r];
    }
    let mut v = vec![r];
    v.extend(cs);
    v
}

/// Attribution context inherited from reporting verbs above `p`.
fn attribution_of(t: &Tree, p: usize) -> (Option<Argument>, bool) {
    // parenthetical "X said" attached by parataxis to this predicate
    for k in t.kids_with(p, "parataxis") {
        if contains(lx::REPORTING, &t.lemma(k)) && !t.has_kid(k, "obj") && !t.has_kid(k, "ccomp") {
            if let Some(s) = t.kids[k].iter().copied().find(|&x| t.base(x) == "nsubj") {
                return (Some(mk_arg(t, s, phrase(t, s, None, false, &[]))), false);
            }
        }
    }
    // climb ccomp (and conj of ccomp) edges to a reporting/belief verb
    let mut cur = p;
    for _ in 0..6 {
        let Some(g) = t.parent[cur] else { break };
        match t.base(cur) {
            "ccomp" | "parataxis" => {
                let l = t.lemma(g);
                let poss = contains(lx::POSSIBILITY_VERBS, &l);
                if contains(lx::REPORTING, &l) || poss {
                    if let Some(s) = subject_of(t, g, 0) {
                        return (
                            Some(mk_arg(t, s.root, phrase(t, s.root, s.cut, false, &[]))),
                            poss,
                        );
                    }
                }
                return (None, false);
            }
            "conj" => cur = g,
            _ => break,
        }
    }
    (None, false)
}

/// The subject phrase of predicate `v` (borrowed from its governor when it has none), as the
/// attribution of what `v` reports.
pub(crate) fn subject_phrase(t: &Tree, v: usize) -> Option<Argument> {
    let s = subject_of(t, v, 0)?;
    let toks = phrase(t, s.root, s.cut, false, &[]);
    (!toks.is_empty()).then(|| mk_arg(t, s.root, toks))
}

/// Builds the propositions of every predicate of the tree.
pub(crate) fn extract_clauses(t: &Tree) -> Vec<Proposition> {
    let mut out = Vec::new();
    let n = t.len();
    for p in 0..n {
        if !is_predicate(t, p) {
            continue;
        }
        // a parenthetical reporting verb ("..., X said") only annotates its host
        if t.base(p) == "parataxis"
            && contains(lx::REPORTING, &t.lemma(p))
            && !t.has_kid(p, "obj")
            && !t.has_kid(p, "ccomp")
        {
            continue;
        }
        build(t, p, &mut out);
    }
    out
}

fn build(t: &Tree, p: usize, out: &mut Vec<Proposition>) {
    let Some(subj) = subject_of(t, p, 0) else {
        return;
    };
    if t.is_punct(subj.root) {
        return;
    }
    let (mut parts, chain) = collect(t, p);
    let last = *chain.last().unwrap_or(&p);
    let copular = t.has_kid(p, "cop") && chain.len() == 1;
    let verbal = is_verbal(t, p) && !t.has_kid(p, "cop");
    if !copular && !verbal && chain.len() == 1 {
        return;
    }
    // object sharing across conjoined verbs: "bought and sold stocks" (the object may hang
    // from either conjunct)
    if verbal && parts.objs.is_empty() && t.base(p) == "conj" {
        if let Some(g) = t.parent[p] {
            if let Some(o) = t.kids_with(g, "obj").find(|&o| o > p) {
                parts.objs.push(Slot {
                    root: o,
                    hoisted_case: vec![],
                    clausal: false,
                    cut: None,
                });
            }
        }
    }
    if verbal && parts.objs.is_empty() {
        let shared = t
            .kids_with(p, "conj")
            .filter(|&c| is_verbal(t, c) && !has_subject(t, c))
            .flat_map(|c| t.kids_with(c, "obj").collect::<Vec<_>>())
            .next();
        if let Some(o) = shared {
            if t.kids_with(p, "obl").all(|x| x < p) {
                parts.objs.push(Slot {
                    root: o,
                    hoisted_case: vec![],
                    clausal: false,
                    cut: None,
                });
            }
        }
    }
    // relative clause whose relative word is an object/oblique: replace it by the antecedent
    let mut rel_obj_antecedent: Option<(usize, usize)> = None;
    if matches!(t.rel(p), "acl:relcl") && !subj.relative {
        if let Some(n) = t.parent[p] {
            for s in parts.objs.iter_mut() {
                if is_relative_word(t, s.root) {
                    rel_obj_antecedent = Some((s.root, n));
                }
            }
            for &o in &parts.obls {
                if is_relative_word(t, o) {
                    rel_obj_antecedent = Some((o, n));
                }
            }
        }
    }
    // sentence-initial adverbials scope over every conjoined predicate ("In 1717, she
    // observed X and attempted Y")
    if t.base(p) == "conj" {
        let mut g = t.parent[p];
        for _ in 0..4 {
            let Some(q) = g else { break };
            let first = t.kids[q]
                .iter()
                .copied()
                .find(|&k| matches!(t.base(k), "nsubj" | "csubj"))
                .unwrap_or(q)
                .min(q);
            parts
                .obls
                .extend(t.kids_with(q, "obl").filter(|&o| o < first));
            if t.base(q) != "conj" {
                break;
            }
            g = t.parent[q];
        }
    }
    let rel_lemma = t.lemma(p);
    let mut hoisted = false;
    let mut objs = std::mem::take(&mut parts.objs);
    let mut obls = std::mem::take(&mut parts.obls);
    obls.sort_unstable();
    // Prepositional verbs ("turned to X", "relies on X"): the complement right after the verb
    // is obligatory even when a direct object was found after it (an object that follows the
    // verb's own prepositional complement is usually a misread participle clause or an
    // afterthought); the preposition joins the relation and the complement comes first.
    if !copular && !objs.is_empty() {
        let first_obj = objs.iter().map(|s| s.root).min().unwrap_or(usize::MAX);
        let pv = obls.iter().position(|&o| {
            o > last
                && o < first_obj
                && t.kids_with(o, "case").any(|c| {
                    lx::PREPOSITIONAL_VERBS
                        .iter()
                        .any(|&(v, pr)| v == rel_lemma && pr == t.lemma(c))
                })
        });
        if let Some(i) = pv {
            let o = obls.remove(i);
            let case: Vec<usize> = t.kids_with(o, "case").collect();
            hoisted = true;
            objs.insert(
                0,
                Slot {
                    root: o,
                    hoisted_case: case,
                    clausal: false,
                    cut: None,
                },
            );
        }
    }
    // ClausIE SVA: with no object, the first adverbial after the verb is obligatory and its
    // preposition joins the relation ("remain in", "turn to", "was built by").
    if objs.is_empty() && !copular {
        // time adverbials are optional even then ("was readmitted | in 1841")
        let after = obls.iter().position(|&o| {
            o > last
                && t.kids_with(o, "case").next().is_some()
                && qualifier_kind(t, o).0 != QualifierKind::Time
        });
        if let Some(i) = after {
            let o = obls.remove(i);
            let case: Vec<usize> = t
                .kids_with(o, "case")
                .flat_map(|c| std::iter::once(c).chain(t.kids_with(c, "fixed").collect::<Vec<_>>()))
                .collect();
            hoisted = true;
            objs.push(Slot {
                root: o,
                hoisted_case: case,
                clausal: false,
                cut: None,
            });
        }
    }
    let mut rel_toks = parts.rel.clone();
    for s in &objs {
        rel_toks.extend(&s.hoisted_case);
    }
    rel_toks.sort_unstable();
    rel_toks.dedup();
    if rel_toks.is_empty() && !copular {
        return;
    }

    // canonical lemma
    let passive = t.kids_with(p, "aux").any(|a| t.rel(a) == "aux:pass")
        || t.feat(p, "Voice") == Some("Pass") && t.base(p) == "acl";
    let mut lemma_parts: Vec<String> = Vec::new();
    if copular {
        lemma_parts.push("be".into());
    } else {
        for (ci, &c) in chain.iter().enumerate() {
            if ci > 0 {
                if !is_verbal(t, c) && !t.has_kid(c, "cop") {
                    continue;
                }
                for m in t.kids_with(c, "mark") {
                    lemma_parts.push(t.lemma(m));
                }
            }
            if is_verbal(t, c) && !t.has_kid(c, "cop") {
                if ci == 0 && passive {
                    lemma_parts.push("be".into());
                    lemma_parts.push(t.form(c).to_lowercase());
                } else {
                    lemma_parts.push(t.lemma(c));
                }
                for prt in t.kids_with(c, "compound:prt") {
                    lemma_parts.push(t.lemma(prt));
                }
            } else {
                lemma_parts.push("be".into());
            }
        }
    }
    if copular {
        for cs in t.kids_with(p, "case") {
            lemma_parts.push(t.lemma(cs));
        }
    }
    for s in &objs {
        for &c in &s.hoisted_case {
            lemma_parts.push(t.lemma(c));
        }
    }

    // surface relation
    let relation = t.text(&rel_toks);

    // modality
    let mut modality = Modality::Certainty;
    for &m in &parts.modal {
        let performative =
            t.lemma(m) == "would" && contains(lx::PERFORMATIVE_AFTER_WOULD, &t.lemma(p));
        if !performative {
            modality = Modality::Possibility;
        }
    }
    if parts.possibility_adv {
        modality = Modality::Possibility;
    }
    let (mut attribution, poss_attr) = attribution_of(t, p);
    if poss_attr {
        modality = Modality::Possibility;
    }
    if let Some(a) = parts.according {
        let inner: Vec<usize> =
            t.subtree_where(a, &|k| t.parent[k] == Some(a) && t.base(k) == "case");
        attribution = Some(mk_arg(t, a, trim(t, inner)));
    }

    // argument phrases
    // a personal pronoun subject of a clause that shares the sentence with a nominal subject
    // is resolved to that subject ("The division … when it broke out" -> The division)
    let subj = match resolve_pronoun(t, subj.root) {
        Some(a) => Subj {
            root: a,
            borrowed: true,
            relative: false,
            cut: None,
        },
        None => subj,
    };
    let subj_variants: Vec<usize> = if subj.relative || subj.borrowed && subj.cut.is_some() {
        vec![subj.root]
    } else {
        conjuncts(t, subj.root, &rel_lemma)
    };
    let expanded_subj = subj_variants.len() > 1;
    let mk_subj = |r: usize| -> Argument {
        let drop = subj_variants.len() > 1;
        let toks = if t.base(subj.root) == "csubj" {
            trim(t, t.subtree(r))
        } else {
            let case: Vec<usize> = t.kids_with(r, "case").collect();
            phrase(t, r, subj.cut, drop, &case)
        };
        mk_arg(t, r, toks)
    };

    // object variants
    let mut obj_variant_lists: Vec<Vec<(Argument, Argument)>> = Vec::new(); // (surface, canonical)
    let mut clausal_object = false;
    for s in &objs {
        let roots = if s.clausal {
            vec![s.root]
        } else {
            conjuncts(t, s.root, &rel_lemma)
        };
        let drop = roots.len() > 1;
        let mut vs = Vec::new();
        for r in roots {
            let (surface_toks, canon_toks) = if s.clausal {
                clausal_object = true;
                let v = t.subtree_where(r, &|k| {
                    t.parent[k] == Some(r) && t.base(k) == "mark" && t.lemma(k) == "that"
                });
                let v = trim(t, v);
                (v.clone(), v)
            } else if Some(r) == parts.xcomp_nonverbal {
                let v = complement_phrase(t, r);
                (v.clone(), v)
            } else if let Some((rw, ante)) = rel_obj_antecedent.filter(|(rw, _)| *rw == r) {
                let _ = rw;
                let case: Vec<usize> = t.kids_with(ante, "case").collect();
                let v = phrase(t, ante, Some(p), false, &case);
                (v.clone(), v)
            } else {
                let v = phrase(t, r, s.cut, drop, &s.hoisted_case);
                let c: Vec<usize> = v
                    .iter()
                    .copied()
                    .filter(|&i| !(t.base(i) == "case" && t.parent[i] == Some(r)))
                    .collect();
                (v, c)
            };
            if surface_toks.is_empty() {
                continue;
            }
            vs.push((mk_arg(t, r, surface_toks), mk_arg(t, r, canon_toks)));
        }
        if !vs.is_empty() {
            obj_variant_lists.push(vs);
        }
    }
    if copular {
        let v = complement_phrase(t, p);
        if v.is_empty() {
            return;
        }
        let surface = mk_arg(t, p, v.clone());
        // "is president of X" -> be_president_of(X)
        let of = t
            .kids_with(p, "nmod")
            .find(|&k| t.kids_with(k, "case").next().is_some());
        let canon = match of {
            Some(k) if matches!(t.upos(p), "NOUN" | "PROPN") && lemma_parts.len() == 1 => {
                lemma_parts.push(t.lemma(p));
                for c in t.kids_with(k, "case") {
                    lemma_parts.push(t.lemma(c));
                }
                let inner: Vec<usize> = phrase(t, k, None, false, &[])
                    .into_iter()
                    .filter(|&i| !(t.parent[i] == Some(k) && t.base(i) == "case"))
                    .collect();
                mk_arg(t, k, inner)
            }
            _ => surface.clone(),
        };
        obj_variant_lists.insert(0, vec![(surface, canon)]);
    }
    // qualifiers
    let mut quals: Vec<Qualifier> = Vec::new();
    for &o in &obls {
        if rel_obj_antecedent.map(|(rw, _)| rw) == Some(o) {
            let ante = rel_obj_antecedent.map(|(_, a)| a).unwrap_or(o);
            let mut toks: Vec<usize> = t.kids_with(o, "case").collect();
            let case: Vec<usize> = t.kids_with(ante, "case").collect();
            toks.extend(phrase(t, ante, Some(p), false, &case));
            let (kind, marker) = qualifier_kind(t, o);
            quals.push(Qualifier {
                kind,
                marker,
                arg: mk_arg(t, ante, toks),
            });
            continue;
        }
        let v = phrase(t, o, None, false, &[]);
        if v.is_empty() {
            continue;
        }
        let (kind, marker) = qualifier_kind(t, o);
        quals.push(Qualifier {
            kind,
            marker,
            arg: mk_arg(t, o, v),
        });
    }

    let clause_type = clause_type(
        t,
        p,
        copular,
        &objs,
        &obls,
        hoisted,
        parts.xcomp_nonverbal.is_some(),
    );
    let quantity =
        quantity_of(t, subj.root).or_else(|| objs.first().and_then(|s| quantity_of(t, s.root)));
    let lemma = lemma_parts.join("_");

    // Cartesian product of subject and object conjuncts (capped)
    let mut combos: Vec<Vec<usize>> = vec![vec![]];
    for list in &obj_variant_lists {
        let mut next = Vec::new();
        for c in &combos {
            for j in 0..list.len() {
                if next.len() >= MAX_EXPANSION {
                    break;
                }
                let mut c2 = c.clone();
                c2.push(j);
                next.push(c2);
            }
        }
        combos = next;
    }
    let expanded = expanded_subj || obj_variant_lists.iter().any(|l| l.len() > 1);
    let under_clause =
        matches!(t.base(p), "ccomp" | "advcl" | "acl" | "csubj") || t.rel(p) == "acl:relcl";
    let mut emitted = 0;
    for &sr in &subj_variants {
        let s_arg = mk_subj(sr);
        if s_arg.tokens.is_empty() {
            continue;
        }
        for combo in &combos {
            if emitted >= MAX_EXPANSION {
                return;
            }
            let mut args = vec![s_arg.clone()];
            let mut canon_objs = Vec::new();
            for (li, &j) in combo.iter().enumerate() {
                args.push(obj_variant_lists[li][j].0.clone());
                canon_objs.push(obj_variant_lists[li][j].1.clone());
            }
            for q in &quals {
                args.push(q.arg.clone());
            }
            let arg_tokens = args.iter().skip(1).map(|a| a.tokens.len()).sum();
            let features = Features {
                borrowed_subject: subj.borrowed,
                relative_subject: subj.relative,
                conj_expanded: expanded,
                pronoun_subject: t.upos(sr) == "PRON",
                n_args: args.len(),
                arg_tokens,
                sentence_len: t.len(),
                hoisted,
                clausal_object,
                under_clause,
                borrowed_gerund: subj.borrowed
                    && (t.words[p].xpos == "VBG" || t.feat(p, "VerbForm") == Some("Ger"))
                    && !t.kids[p]
                        .iter()
                        .any(|&c| matches!(t.base(c), "aux" | "cop")),
            };
            let relation = if relation.is_empty() {
                super::nominal::IMPLICIT_BE.to_string()
            } else {
                relation.clone()
            };
            out.push(Proposition {
                kind: if copular {
                    PropKind::Copular
                } else {
                    PropKind::Verbal
                },
                clause_type,
                surface: SurfaceTuple {
                    relation,
                    relation_tokens: rel_toks.iter().map(|i| i + 1).collect(),
                    args,
                },
                canonical: CanonicalTuple {
                    lemma: lemma.clone(),
                    subject: canonical_subject(t, sr, &s_arg),
                    objects: canon_objs,
                },
                qualifiers: quals.clone(),
                negated: parts.negated,
                modality,
                attribution: attribution.clone(),
                attributed_in: None,
                quantity: quantity.clone(),
                confidence: 0.0,
                features,
            });
            emitted += 1;
        }
    }
}

/// The nearest preceding nominal subject that agrees with a personal pronoun subject.
/// The canonical subject: the surface subject without appositions (CaRB's gold keeps
/// "X , the director" in the surface argument; the entity layer wants the name).
fn canonical_subject(t: &Tree, head: usize, surface: &Argument) -> Argument {
    let appos: Vec<usize> = t
        .kids_with(head, "appos")
        .flat_map(|a| t.subtree(a))
        .collect();
    if appos.is_empty() {
        return surface.clone();
    }
    let toks: Vec<usize> = surface
        .tokens
        .iter()
        .map(|i| i - 1)
        .filter(|i| !appos.contains(i))
        .collect();
    let toks = trim(t, toks);
    mk_arg(t, head, toks)
}

pub(crate) fn resolve_pronoun(t: &Tree, pr: usize) -> Option<usize> {
    if t.upos(pr) != "PRON" {
        return None;
    }
    // by form: treebanks disagree on the lemma of possessives ("her" -> she / her)
    let l = match t.form(pr).to_lowercase().as_str() {
        "he" | "him" | "his" => "he",
        "she" | "her" | "hers" => "she",
        "it" | "its" => "it",
        "they" | "them" | "their" | "theirs" => "they",
        _ => return None,
    };
    let want_plural = l == "they";
    let person = matches!(l, "he" | "she");
    (0..pr).rev().find(|&k| {
        if !matches!(t.base(k), "nsubj")
            || k == pr
            || !matches!(t.upos(k), "NOUN" | "PROPN")
            || is_relative_word(t, k)
        {
            return false;
        }
        let plural = t.feat(k, "Number") == Some("Plur") || t.has_kid(k, "conj");
        if plural != want_plural {
            return false;
        }
        if person && t.upos(k) != "PROPN" {
            return false;
        }
        if l == "it" && t.upos(k) == "PROPN" {
            return false;
        }
        true
    })
}

fn quantity_of(t: &Tree, r: usize) -> Option<String> {
    for &k in &t.kids[r] {
        let b = t.base(k);
        if b == "nummod"
            || (b == "det"
                && matches!(
                    t.lemma(k).as_str(),
                    "all"
                        | "some"
                        | "any"
                        | "each"
                        | "every"
                        | "many"
                        | "few"
                        | "several"
                        | "most"
                        | "half"
                        | "both"
                ))
        {
            return Some(t.text(&trim(t, t.subtree(k))));
        }
    }
    if t.upos(r) == "NUM" {
        return Some(t.form(r).to_string());
    }
    None
}

fn clause_type(
    t: &Tree,
    p: usize,
    copular: bool,
    objs: &[Slot],
    obls: &[usize],
    hoisted: bool,
    complement: bool,
) -> ClauseType {
    if t.kids_with(p, "expl").next().is_some() {
        return ClauseType::Existential;
    }
    if copular {
        return ClauseType::SVC;
    }
    let n_obj = objs.iter().filter(|s| s.hoisted_case.is_empty()).count();
    let has_iobj = t.has_kid(p, "iobj");
    if n_obj == 0 {
        if hoisted {
            return ClauseType::SVA;
        }
        return ClauseType::SV;
    }
    if has_iobj && n_obj >= 2 {
        return ClauseType::SVOO;
    }
    if complement && n_obj >= 2 {
        return ClauseType::SVOC;
    }
    if !obls.is_empty()
        && contains(
            &[
                "bring", "catch", "drive", "get", "keep", "lay", "lead", "place", "put", "set",
                "sit", "show", "stand", "slip", "take",
            ],
            &t.lemma(p),
        )
    {
        return ClauseType::SVOA;
    }
    ClauseType::SVO
}
