//! Attribution of quotations across sentences (MinIE's attribution, extended to news
//! quotes): `"A. B," X said.` — every proposition inside the quotation marks is what X
//! said, even in the sentences before the one that names X. News quotes usually name the
//! speaker after the closing mark ("…," he emphasized) and sometimes before the opening one
//! (He said: "…).

use super::clause;
use super::lexicon::{self as lx, contains};
use super::tree::Tree;
use super::{Argument, Proposition};
use crate::nlp::conllu::Sentence;

/// A quotation longer than this many sentences is taken for an unbalanced quote mark (a
/// missing closing mark would otherwise attribute the rest of the document).
pub const MAX_QUOTE_SENTENCES: usize = 12;

/// How a word takes part in a quotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Open,
    Close,
    /// A straight `"`: opens or closes depending on the current state.
    Toggle,
}

fn mark_of(form: &str) -> Option<Mark> {
    match form {
        "\u{201c}" | "``" => Some(Mark::Open),
        "\u{201d}" | "''" => Some(Mark::Close),
        "\"" => Some(Mark::Toggle),
        _ => None,
    }
}

/// A quoted stretch: from (sentence, word) to (sentence, word), 0-based, both marks included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Quote {
    start: (usize, usize),
    end: (usize, usize),
}

impl Quote {
    fn covers(&self, s: usize, w: usize) -> bool {
        (s, w) > self.start && (s, w) < self.end
    }
}

/// Finds the balanced quotations of a document. A quotation still open after
/// [`MAX_QUOTE_SENTENCES`] sentences, or at the end of the document, is dropped.
fn quotations(sentences: &[&Sentence]) -> Vec<Quote> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    for (si, s) in sentences.iter().enumerate() {
        if open.is_some_and(|(os, _)| si - os >= MAX_QUOTE_SENTENCES) {
            open = None;
        }
        for (wi, w) in s.words.iter().enumerate() {
            let Some(m) = mark_of(&w.form) else { continue };
            match (m, open) {
                (Mark::Open, _) | (Mark::Toggle, None) => open = Some((si, wi)),
                (Mark::Close | Mark::Toggle, Some(start)) => {
                    out.push(Quote {
                        start,
                        end: (si, wi),
                    });
                    open = None;
                }
                (Mark::Close, None) => {}
            }
        }
    }
    out
}

/// The speaker of a quotation: the subject of a reporting verb outside the marks, in the
/// sentence of the closing mark after it, else in the sentence of the opening mark before
/// it.
fn speaker(sentences: &[&Sentence], q: &Quote) -> Option<(usize, Argument)> {
    let find = |si: usize, range: &dyn Fn(usize) -> bool| -> Option<(usize, Argument)> {
        let t = Tree::new(sentences.get(si)?).ok()?;
        (0..t.len())
            .filter(|&v| range(v) && contains(lx::REPORTING, &t.lemma(v)))
            .filter(|&v| matches!(t.upos(v), "VERB" | "AUX"))
            .find_map(|v| {
                let a = clause::subject_phrase(&t, v)?;
                // the subject must be outside the quotation too
                let quoted = a.tokens.iter().any(|&k| !range(k - 1));
                (!quoted).then_some((si, a))
            })
    };
    let (es, ew) = q.end;
    find(es, &|v| v > ew).or_else(|| {
        let (ss, sw) = q.start;
        find(ss, &|v| v < sw)
    })
}

/// Sets the attribution of every proposition inside a quotation that has none yet to the
/// quotation's speaker (with [`Proposition::attributed_in`] naming the speaker's sentence
/// when it is another one). `props[i]` are the propositions of the `i`-th sentence (in
/// document order, as [`super::extract`] returned them); extra or missing entries are ignored.
pub fn attribute_quotations<'a>(
    sentences: impl IntoIterator<Item = &'a Sentence>,
    props: &mut [Vec<Proposition>],
) {
    let sentences: Vec<&Sentence> = sentences.into_iter().collect();
    for q in quotations(&sentences) {
        let Some((ss, who)) = speaker(&sentences, &q) else {
            continue;
        };
        for si in q.start.0..=q.end.0 {
            let Some(list) = props.get_mut(si) else { break };
            for p in list.iter_mut() {
                if p.attribution.is_some() {
                    continue;
                }
                // where the proposition is: its relation words, else its subject
                let words: Vec<usize> = if p.surface.relation_tokens.is_empty() {
                    p.surface
                        .args
                        .first()
                        .map(|a| a.tokens.clone())
                        .unwrap_or_default()
                } else {
                    p.surface.relation_tokens.clone()
                };
                if words.is_empty() || !words.iter().all(|&w| q.covers(si, w - 1)) {
                    continue;
                }
                p.attribution = Some(who.clone());
                p.attributed_in = (ss != si).then_some(ss);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlp::conllu::parse_str;

    /// Two sentences: `" We won . It was hard , " she said .` split after "won .".
    fn doc() -> Vec<Sentence> {
        let text = "\
1\t\"\t\"\tPUNCT\t``\t_\t3\tpunct\t_\t_
2\tWe\twe\tPRON\tPRP\t_\t3\tnsubj\t_\t_
3\twon\twin\tVERB\tVBD\t_\t0\troot\t_\t_
4\tthe\tthe\tDET\tDT\t_\t5\tdet\t_\t_
5\tcup\tcup\tNOUN\tNN\t_\t3\tobj\t_\t_
6\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_

1\tIt\tit\tPRON\tPRP\t_\t3\tnsubj\t_\t_
2\twas\tbe\tAUX\tVBD\t_\t3\tcop\t_\t_
3\thard\thard\tADJ\tJJ\t_\t0\troot\t_\t_
4\t,\t,\tPUNCT\t,\t_\t3\tpunct\t_\t_
5\t\"\t\"\tPUNCT\t''\t_\t3\tpunct\t_\t_
6\tshe\tshe\tPRON\tPRP\t_\t7\tnsubj\t_\t_
7\tsaid\tsay\tVERB\tVBD\t_\t3\tparataxis\t_\t_
8\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_

";
        parse_str(text).unwrap()
    }

    /// Every sentence's propositions, then the quotations attributed.
    fn attributed(s: &[Sentence]) -> Vec<Vec<Proposition>> {
        let mut props: Vec<Vec<Proposition>> = s
            .iter()
            .map(|x| crate::extract::extract(x).unwrap())
            .collect();
        attribute_quotations(s, &mut props);
        props
    }

    /// The speaker a proposition of sentence `i` with this surface relation got, and
    /// the sentence the speaker's words are in.
    fn speaker_of<'a>(
        props: &'a [Vec<Proposition>],
        i: usize,
        relation: &str,
    ) -> (Option<&'a str>, Option<usize>) {
        let p = props[i]
            .iter()
            .find(|p| p.surface.relation == relation)
            .unwrap_or_else(|| panic!("no {relation:?} in sentence {i}"));
        (
            p.attribution.as_ref().map(|a| a.text.as_str()),
            p.attributed_in,
        )
    }

    #[test]
    fn quotation_over_two_sentences_goes_to_the_speaker_named_at_the_end() {
        let s = doc();
        let props = attributed(&s);
        assert_eq!(speaker_of(&props, 0, "won"), (Some("she"), Some(1)));
        assert_eq!(speaker_of(&props, 1, "was"), (Some("she"), None));
    }

    #[test]
    fn unclosed_quotation_attributes_nothing() {
        let mut s = doc();
        s.truncate(1);
        let props = attributed(&s);
        assert!(props[0].iter().all(|p| p.attribution.is_none()));
    }

    #[test]
    fn speaker_before_the_opening_mark() {
        let text = "\
1\tShe\tshe\tPRON\tPRP\t_\t2\tnsubj\t_\t_
2\tsaid\tsay\tVERB\tVBD\t_\t0\troot\t_\t_
3\t:\t:\tPUNCT\t:\t_\t2\tpunct\t_\t_
4\t\"\t\"\tPUNCT\t``\t_\t6\tpunct\t_\t_
5\tWe\twe\tPRON\tPRP\t_\t6\tnsubj\t_\t_
6\twon\twin\tVERB\tVBD\t_\t2\tparataxis\t_\t_
7\tthe\tthe\tDET\tDT\t_\t8\tdet\t_\t_
8\tcup\tcup\tNOUN\tNN\t_\t6\tobj\t_\t_
9\t.\t.\tPUNCT\t.\t_\t2\tpunct\t_\t_

1\tIt\tit\tPRON\tPRP\t_\t3\tnsubj\t_\t_
2\twas\tbe\tAUX\tVBD\t_\t3\tcop\t_\t_
3\thard\thard\tADJ\tJJ\t_\t0\troot\t_\t_
4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_
5\t\"\t\"\tPUNCT\t''\t_\t3\tpunct\t_\t_

";
        let s = parse_str(text).unwrap();
        let props = attributed(&s);
        assert_eq!(speaker_of(&props, 1, "was"), (Some("She"), Some(0)));
    }
}
