//! From a [`Doc`] to analysed CoNLL-U sentences: tokens → words (multiword tokens kept),
//! then tagger and lemmatizer. The parser is added to [`Analyzer`] by the parser issue.
//!
//! Offsets stay attached: every [`AnalyzedSentence`] carries the byte span of the
//! sentence and of each word in the document text (all words of a multiword token carry
//! the token's span, since `wo`+`n't` are not separately addressable in NIF terms).

use std::path::Path;

use super::conllu::{MultiwordToken, Sentence, Word};
use super::lemma::Lemmatizer;
use super::perceptron::ModelError;
use super::tagger::Tagger;
use crate::text::Doc;

/// File names inside the models directory.
pub const TAGGER_FILE: &str = "tagger.bin";
pub const LEMMA_FILE: &str = "lemma.bin";
pub const PARSER_FILE: &str = "parser.bin";
pub const NER_FILE: &str = "ner.bin";

/// One sentence with its analysis and its place in the document text.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyzedSentence {
    pub sentence: Sentence,
    /// Byte span of the sentence in the document text.
    pub span: (usize, usize),
    /// Byte span of each word (index = word id − 1).
    pub word_spans: Vec<(usize, usize)>,
}

/// Builds untagged CoNLL-U sentences from the document's tokens: `# sent_id` (1-based
/// within the document), `# text` (newlines replaced by spaces), `# newpar` at paragraph
/// starts, `# dateline = …` on the first sentence after a dateline, multiword token
/// ranges and `SpaceAfter=No`.
pub fn tokens_to_conllu(doc: &Doc) -> Vec<AnalyzedSentence> {
    let text = doc.text();
    let mut out = Vec::with_capacity(doc.sentences().len());
    let mut last_par = usize::MAX;
    let mut datelines = doc.datelines().iter().peekable();
    for (k, s) in doc.sentences().iter().enumerate() {
        let mut sent = Sentence::default();
        if s.paragraph != last_par {
            sent.comments.push("newpar".to_string());
            last_par = s.paragraph;
        }
        while let Some(d) = datelines.peek() {
            if d.end <= s.start {
                sent.comments
                    .push(format!("dateline = {}", one_line(&text[d.start..d.end])));
                datelines.next();
            } else {
                break;
            }
        }
        sent.comments.push(format!("sent_id = {}", k + 1));
        sent.comments
            .push(format!("text = {}", one_line(doc.sentence_text(s))));
        let tokens = doc.sentence_tokens(s);
        let n_words: usize = tokens.iter().map(|t| doc.token_words(t).len()).sum();
        sent.words.reserve_exact(n_words);
        let mut spans = Vec::with_capacity(n_words);
        for t in tokens {
            let ws = doc.token_words(t);
            let first_id = sent.words.len() + 1;
            let nsa = !t.space_after;
            if ws.len() > 1 {
                sent.multiword.push(MultiwordToken {
                    first: first_id,
                    last: first_id + ws.len() - 1,
                    form: doc.token_text(t).to_string(),
                    misc: if nsa {
                        "SpaceAfter=No".into()
                    } else {
                        "_".into()
                    },
                });
            }
            for w in ws {
                let mut word = Word::new(sent.words.len() + 1, doc.word_form(w));
                if ws.len() == 1 && nsa {
                    word.misc.set_static("SpaceAfter=No");
                }
                sent.words.push(word);
                spans.push((t.start, t.end));
            }
        }
        out.push(AnalyzedSentence {
            sentence: sent,
            span: (s.start, s.end),
            word_spans: spans,
        });
    }
    out
}

fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '\n' || c == '\r' || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Tagger + lemmatizer (the parser issue adds the parser here).
#[derive(Debug, Clone)]
pub struct Analyzer {
    pub tagger: Tagger,
    pub lemmatizer: Lemmatizer,
}

impl Analyzer {
    /// Loads `tagger.bin` and `lemma.bin` from `models_dir`.
    pub fn load(models_dir: &Path) -> Result<Analyzer, ModelError> {
        let tagger = Tagger::load(&models_dir.join(TAGGER_FILE))?;
        let lemmatizer = Lemmatizer::load(&models_dir.join(LEMMA_FILE))?;
        Ok(Analyzer { tagger, lemmatizer })
    }

    /// Tokenized, tagged and lemmatized sentences of a document.
    pub fn analyze(&self, doc: &Doc) -> Vec<AnalyzedSentence> {
        let mut out = tokens_to_conllu(doc);
        for a in &mut out {
            self.analyze_conllu(&mut a.sentence);
        }
        out
    }

    /// Gold tokens (e.g. `kg parse --conllu-in`): fills UPOS, XPOS, FEATS and LEMMA only.
    pub fn analyze_conllu(&self, s: &mut Sentence) {
        self.tagger.tag(s);
        self.lemmatizer.lemmatize(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlp::conllu::{parse_str, to_string};

    #[test]
    fn conllu_from_doc_keeps_multiwords_offsets_and_space_after() {
        let text = "NUR-SULTAN, January 10. /TASS/. Tokayev didn't thank\nthe \u{201c}CSTO\u{201d}.\n\nSecond paragraph";
        let doc = Doc::new(text.to_string());
        let a = tokens_to_conllu(&doc);
        assert_eq!(a.len(), 2);
        let s = &a[0].sentence;
        assert_eq!(s.sent_id(), Some("1"));
        assert_eq!(
            s.text(),
            Some("Tokayev didn't thank the \u{201c}CSTO\u{201d}.")
        );
        assert!(
            s.comments
                .iter()
                .any(|c| c == "dateline = NUR-SULTAN, January 10. /TASS/.")
        );
        let forms: Vec<&str> = s.words.iter().map(|w| w.form.as_str()).collect();
        assert_eq!(
            forms,
            vec![
                "Tokayev", "did", "n't", "thank", "the", "\u{201c}", "CSTO", "\u{201d}", "."
            ]
        );
        assert_eq!(s.multiword.len(), 1);
        assert_eq!(
            (
                s.multiword[0].first,
                s.multiword[0].last,
                s.multiword[0].form.as_str()
            ),
            (2, 3, "didn't")
        );
        // both words of the multiword token carry the token's span
        assert_eq!(a[0].word_spans[1], a[0].word_spans[2]);
        assert_eq!(&text[a[0].word_spans[1].0..a[0].word_spans[1].1], "didn't");
        assert!(
            s.words[5].no_space_after()
                && s.words[6].no_space_after()
                && s.words[7].no_space_after()
        );
        assert!(!s.words[4].no_space_after());
        assert!(!s.words[0].no_space_after());
        for (w, (b, e)) in s.words.iter().zip(&a[0].word_spans) {
            if !s
                .multiword
                .iter()
                .any(|m| m.first <= w.id && w.id <= m.last)
            {
                assert_eq!(&text[*b..*e], w.form);
            }
        }
        // the output is valid CoNLL-U and reads back the same
        let sents: Vec<Sentence> = a.iter().map(|x| x.sentence.clone()).collect();
        assert_eq!(parse_str(&to_string(&sents)).unwrap(), sents);
        assert!(a[1].sentence.comments.contains(&"newpar".to_string()));
    }

    /// The shipped models (data/models) must load and tag a small hand-annotated sample
    /// well; this catches a broken or mismatched model file, not small regressions.
    #[test]
    fn shipped_models_meet_a_floor() {
        let dir = Path::new(file!())
            .parent()
            .map(|p| p.join("../../data/models"))
            .unwrap_or_default();
        let an = Analyzer::load(&dir).expect("models in data/models");
        let gold: &[(&str, &str, &str)] = &[
            ("The", "DET", "the"),
            ("president", "NOUN", "president"),
            ("thanked", "VERB", "thank"),
            ("the", "DET", "the"),
            ("leaders", "NOUN", "leader"),
            ("of", "ADP", "of"),
            ("Russia", "PROPN", "Russia"),
            ("and", "CCONJ", "and"),
            ("Belarus", "PROPN", "Belarus"),
            ("for", "ADP", "for"),
            ("their", "PRON", "their"),
            ("quick", "ADJ", "quick"),
            ("help", "NOUN", "help"),
            (".", "PUNCT", "."),
            ("She", "PRON", "she"),
            ("did", "AUX", "do"),
            ("n't", "PART", "not"),
            ("say", "VERB", "say"),
            ("when", "ADV", "when"),
            ("the", "DET", "the"),
            ("troops", "NOUN", "troop"),
            ("would", "AUX", "would"),
            ("leave", "VERB", "leave"),
            ("the", "DET", "the"),
            ("country", "NOUN", "country"),
            (".", "PUNCT", "."),
            ("Prices", "NOUN", "price"),
            ("rose", "VERB", "rise"),
            ("by", "ADP", "by"),
            ("5", "NUM", "5"),
            ("percent", "NOUN", "percent"),
            ("in", "ADP", "in"),
            ("January", "PROPN", "January"),
            ("2022", "NUM", "2022"),
            (".", "PUNCT", "."),
        ];
        let text = "The president thanked the leaders of Russia and Belarus for their quick help. She didn't say when the troops would leave the country. Prices rose by 5 percent in January 2022.";
        let out = an.analyze(&Doc::new(text.into()));
        let words: Vec<&Word> = out.iter().flat_map(|a| a.sentence.words.iter()).collect();
        assert_eq!(words.len(), gold.len());
        let upos_ok = words
            .iter()
            .zip(gold)
            .filter(|(w, g)| w.upos == g.1)
            .count();
        let lemma_ok = words
            .iter()
            .zip(gold)
            .filter(|(w, g)| w.lemma == g.2)
            .count();
        assert!(
            upos_ok * 100 >= gold.len() * 90,
            "UPOS {upos_ok}/{}",
            gold.len()
        );
        assert!(
            lemma_ok * 100 >= gold.len() * 90,
            "lemma {lemma_ok}/{}",
            gold.len()
        );
        assert!(words.iter().all(|w| w.xpos != "_" && !w.feats.is_empty()));
    }

    #[test]
    fn empty_doc_gives_nothing() {
        assert!(tokens_to_conllu(&Doc::new(String::new())).is_empty());
        assert!(tokens_to_conllu(&Doc::new(" \n\t ".into())).is_empty());
    }
}
