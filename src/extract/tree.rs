//! A validated, index-based view of one UD tree: 0-based word indices, parent and child
//! lists, and subtree/phrase helpers used by every extraction rule.
//!
//! Validation happens once here so that the rules can walk the tree without guarding
//! against cycles or dangling heads (a parser bug or a hand-edited file must produce a
//! clear error, never an endless loop or a panic).

use crate::nlp::conllu::{Sentence, Word};

/// Why a tree was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error("word {position} has id {found}, expected {expected} (ids must be 1..n in order)")]
    BadId {
        position: usize,
        found: usize,
        expected: usize,
    },
    #[error("word {word} has head {head}, but the sentence has only {n} words")]
    MissingHead { word: usize, head: usize, n: usize },
    #[error("word {word} is its own head")]
    SelfLoop { word: usize },
    #[error("the heads of words {cycle:?} form a cycle")]
    Cycle { cycle: Vec<usize> },
}

/// The tree of one sentence.
#[derive(Debug)]
pub struct Tree<'a> {
    pub words: &'a [Word],
    /// Parent index, `None` for root words.
    pub parent: Vec<Option<usize>>,
    /// Children indices in surface order.
    pub kids: Vec<Vec<usize>>,
}

impl<'a> Tree<'a> {
    /// Validates ids and heads (range, self loops, cycles) and builds the child lists.
    pub fn new(s: &'a Sentence) -> Result<Tree<'a>, TreeError> {
        let n = s.words.len();
        let mut parent = Vec::with_capacity(n);
        for (i, w) in s.words.iter().enumerate() {
            if w.id != i + 1 {
                return Err(TreeError::BadId {
                    position: i + 1,
                    found: w.id,
                    expected: i + 1,
                });
            }
            if w.head > n {
                return Err(TreeError::MissingHead {
                    word: w.id,
                    head: w.head,
                    n,
                });
            }
            if w.head == w.id {
                return Err(TreeError::SelfLoop { word: w.id });
            }
            parent.push(if w.head == 0 { None } else { Some(w.head - 1) });
        }
        if n > 0 && parent.iter().all(|p| p.is_some()) {
            // Every word has a head, so following heads must loop: report the cycle.
            let mut i = 0;
            let mut seen = vec![false; n];
            while !seen[i] {
                seen[i] = true;
                i = parent[i].unwrap_or(i);
            }
            let start = i;
            let mut cycle = vec![start + 1];
            let mut j = parent[start].unwrap_or(start);
            while j != start {
                cycle.push(j + 1);
                j = parent[j].unwrap_or(start);
            }
            cycle.sort_unstable();
            return Err(TreeError::Cycle { cycle });
        }
        // state: 0 unknown, 1 on current path, 2 reaches a root.
        let mut state = vec![0u8; n];
        let mut path = Vec::new();
        for start in 0..n {
            let mut i = start;
            path.clear();
            loop {
                match state[i] {
                    2 => break,
                    1 => {
                        let pos = path.iter().position(|&x| x == i).unwrap_or(0);
                        let mut cycle: Vec<usize> = path[pos..].iter().map(|x| x + 1).collect();
                        cycle.sort_unstable();
                        return Err(TreeError::Cycle { cycle });
                    }
                    _ => {}
                }
                state[i] = 1;
                path.push(i);
                match parent[i] {
                    Some(p) => i = p,
                    None => break,
                }
            }
            for &k in &path {
                state[k] = 2;
            }
        }
        let mut kids = vec![Vec::new(); n];
        for (i, p) in parent.iter().enumerate() {
            if let Some(p) = p {
                kids[*p].push(i);
            }
        }
        Ok(Tree {
            words: &s.words,
            parent,
            kids,
        })
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Full deprel (`obl:tmod`).
    pub fn rel(&self, i: usize) -> &str {
        &self.words[i].deprel
    }

    /// Universal part of the deprel (`obl`).
    pub fn base(&self, i: usize) -> &str {
        let r = self.rel(i);
        r.split(':').next().unwrap_or(r)
    }

    pub fn upos(&self, i: usize) -> &str {
        &self.words[i].upos
    }

    pub fn form(&self, i: usize) -> &str {
        &self.words[i].form
    }

    /// Lower-cased lemma (falls back to the form when the lemma is `_`).
    pub fn lemma(&self, i: usize) -> String {
        let w = &self.words[i];
        let l = if w.lemma.is_empty() || w.lemma == "_" {
            &w.form
        } else {
            &w.lemma
        };
        l.to_lowercase()
    }

    pub fn feat(&self, i: usize, key: &str) -> Option<&str> {
        let f = &self.words[i].feats;
        f.split('|').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == key).then_some(v)
        })
    }

    /// Children whose deprel equals `rel` or starts with `rel:`.
    pub fn kids_with<'b>(&'b self, i: usize, rel: &'b str) -> impl Iterator<Item = usize> + 'b {
        self.kids[i].iter().copied().filter(move |&k| {
            let r = self.rel(k);
            r == rel
                || (r.len() > rel.len() && r.starts_with(rel) && r.as_bytes()[rel.len()] == b':')
        })
    }

    pub fn has_kid(&self, i: usize, rel: &str) -> bool {
        self.kids_with(i, rel).next().is_some()
    }

    /// Collects `i` and its descendants, skipping any child `k` (and its subtree) for which
    /// `skip(k)` is true. Returns sorted indices.
    pub fn subtree_where(&self, i: usize, skip: &dyn Fn(usize) -> bool) -> Vec<usize> {
        let mut out = vec![i];
        let mut stack = vec![i];
        while let Some(x) = stack.pop() {
            for &k in &self.kids[x] {
                if !skip(k) {
                    out.push(k);
                    stack.push(k);
                }
            }
        }
        out.sort_unstable();
        out
    }

    pub fn subtree(&self, i: usize) -> Vec<usize> {
        self.subtree_where(i, &|_| false)
    }

    /// Is `a` an ancestor of (or equal to) `b`?
    pub fn dominates(&self, a: usize, b: usize) -> bool {
        let mut x = Some(b);
        let mut steps = 0;
        while let Some(y) = x {
            if y == a {
                return true;
            }
            steps += 1;
            if steps > self.len() {
                return false;
            }
            x = self.parent[y];
        }
        false
    }

    /// Space-joined forms of the given indices.
    pub fn text(&self, idx: &[usize]) -> String {
        let mut s = String::new();
        for (n, &i) in idx.iter().enumerate() {
            if n > 0 {
                s.push(' ');
            }
            s.push_str(self.form(i));
        }
        s
    }

    pub fn is_punct(&self, i: usize) -> bool {
        self.upos(i) == "PUNCT" || self.base(i) == "punct"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Built directly (not through the CoNLL-U reader, which already rejects bad heads) to
    /// check that trees made in code are validated too.
    fn sent(rows: &[(usize, &str, usize, &str)]) -> Sentence {
        let mut s = Sentence::default();
        for (id, form, head, rel) in rows {
            let mut w = Word::new(*id, *form);
            w.head = *head;
            w.deprel = (*rel).into();
            s.words.push(w);
        }
        s
    }

    #[test]
    fn rejects_cycles_and_missing_heads() {
        let s = sent(&[(1, "a", 2, "nsubj"), (2, "b", 3, "dep"), (3, "c", 2, "dep")]);
        assert_eq!(
            Tree::new(&s).unwrap_err(),
            TreeError::Cycle { cycle: vec![2, 3] }
        );
        let s = sent(&[(1, "a", 0, "root"), (2, "b", 3, "dep"), (3, "c", 2, "dep")]);
        assert_eq!(
            Tree::new(&s).unwrap_err(),
            TreeError::Cycle { cycle: vec![2, 3] }
        );
        let s = sent(&[(1, "a", 0, "root"), (2, "b", 7, "dep")]);
        assert!(matches!(
            Tree::new(&s).unwrap_err(),
            TreeError::MissingHead {
                word: 2,
                head: 7,
                n: 2
            }
        ));
        let s = sent(&[(1, "a", 1, "root")]);
        assert_eq!(Tree::new(&s).unwrap_err(), TreeError::SelfLoop { word: 1 });
        let s = sent(&[(1, "a", 0, "root"), (2, "b", 1, "obj")]);
        let t = Tree::new(&s).unwrap();
        assert_eq!(t.kids[0], vec![1]);
        assert_eq!(t.subtree(0), vec![0, 1]);
    }
}
