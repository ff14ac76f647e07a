//! Documents, sentences and UD tokens with exact offsets.
//!
//! A [`Doc`] owns the text; tokens, words and sentences are views holding BYTE offsets
//! into it (cheap slicing, no copies), and [`Doc::char_offset`] converts to Unicode code
//! points at the boundary (NIF counts code points). Nothing here knows about tags or trees.
//!
//! Tokenisation follows UD English as observed in EWT and GUM train (measured on the
//! treebanks; EWT dev from raw text: tokens F1 99.17, sentences F1 85.07):
//! - clitics and possessives split into multiword tokens whose words are sub-spans of the
//!   token (`don't` → `do` `n't`, `won't` → `wo` `n't`, `NATO's` → `NATO` `'s`,
//!   `parents'` → `parents` `'`, `cannot` → `can` `not`, `gonna` → `gon` `na`);
//! - hyphens between letters/digits split (`US-led` → `US` `-` `led`), except after
//!   bound prefixes (non-, re-, co-, …: 458 of 612 unsplit hyphen tokens in EWT+GUM train
//!   start with one), in phone-number-like digit groups, URLs and e-mail addresses;
//! - punctuation, brackets, quotes, `$` and `%` are separate tokens; abbreviations
//!   (`Mr.`, `U.S.`, `Inc.`) and initials keep their full stop.
//!
//! Sentence splitting is rule based: a blank line (paragraph) is a hard boundary; after
//! `.`/`!`/`?`/`…` (plus closing quotes and brackets) a boundary needs a following token
//! that does not start in lower case; abbreviations are non-final (titles, months,
//! initials) or final only before a common sentence opener (`U.S.`, `Inc.`). A news
//! dateline at the start of a paragraph (`BEIJING, March 3. /Xinhua/.`,
//! `WASHINGTON (Reuters) -`) becomes a [`Dateline`], not a sentence.
//!
//! Every step is a single left-to-right pass, so a 10 MB line without spaces or
//! punctuation costs linear time; control characters count as whitespace.

mod abbrev;
pub mod calendar;
mod dateline;
mod tokenize;

pub use dateline::Dateline;

/// Decodes bytes as UTF-8, replacing invalid sequences by U+FFFD. Returns the text and
/// the byte offset of the first invalid byte, if any, so the caller can warn about it.
pub fn decode_lossy(bytes: &[u8]) -> (String, Option<usize>) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), None),
        Err(e) => (
            String::from_utf8_lossy(bytes).into_owned(),
            Some(e.valid_up_to()),
        ),
    }
}

/// One surface token: a byte span of the text, the words it consists of (one, or several
/// for a multiword token), and whether whitespace follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// False when the next character is not whitespace (UD `SpaceAfter=No`).
    pub space_after: bool,
    /// Index of the first word in [`Doc::words`].
    pub first_word: u32,
    /// Number of words (≥ 2 for a multiword token).
    pub n_words: u32,
}

impl Token {
    pub fn is_multiword(&self) -> bool {
        self.n_words > 1
    }
}

/// One syntactic word: its form is `text[start..end]`, a sub-span of its token (UD
/// English multiword tokens are always split at character boundaries: `wo`+`n't`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordPiece {
    pub start: usize,
    pub end: usize,
}

/// A sentence: a byte span and a range of token indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceSpan {
    pub start: usize,
    pub end: usize,
    /// Token index range `first_token..end_token` in [`Doc::tokens`].
    pub first_token: usize,
    pub end_token: usize,
    /// Index of the paragraph (blank-line separated block) the sentence is in.
    pub paragraph: usize,
}

/// A document: owned text plus token, word, sentence and dateline views.
#[derive(Debug, Clone)]
pub struct Doc {
    text: String,
    tokens: Vec<Token>,
    words: Vec<WordPiece>,
    sentences: Vec<SentenceSpan>,
    datelines: Vec<Dateline>,
    /// Code points before byte `k * CP_STEP`; empty when the text is ASCII.
    cp_index: Vec<usize>,
}

const CP_STEP: usize = 64;

impl Doc {
    /// Tokenizes and sentence-splits `text`. Never panics; linear time.
    pub fn new(text: String) -> Doc {
        let mut doc = Doc {
            text,
            tokens: Vec::new(),
            words: Vec::new(),
            sentences: Vec::new(),
            datelines: Vec::new(),
            cp_index: Vec::new(),
        };
        doc.build_cp_index();
        let out = tokenize::analyze(&doc.text);
        doc.tokens = out.tokens;
        doc.words = out.words;
        doc.sentences = out.sentences;
        doc.datelines = out.datelines;
        doc
    }

    /// Like `new`, but every line is one sentence (benchmark inputs, `--lines`): a
    /// newline is a hard boundary and nothing else splits. Datelines are not detected.
    pub fn from_lines(text: String) -> Doc {
        let mut doc = Doc {
            text,
            tokens: Vec::new(),
            words: Vec::new(),
            sentences: Vec::new(),
            datelines: Vec::new(),
            cp_index: Vec::new(),
        };
        doc.build_cp_index();
        let out = tokenize::analyze_lines(&doc.text);
        doc.tokens = out.tokens;
        doc.words = out.words;
        doc.sentences = out.sentences;
        doc
    }

    fn build_cp_index(&mut self) {
        if self.text.is_ascii() {
            return;
        }
        let b = self.text.as_bytes();
        let mut idx = Vec::with_capacity(b.len() / CP_STEP + 2);
        let mut count = 0usize;
        for (k, chunk) in b.chunks(CP_STEP).enumerate() {
            debug_assert_eq!(k, idx.len());
            idx.push(count);
            count += chunk.iter().filter(|&&x| (x & 0xC0) != 0x80).count();
        }
        idx.push(count);
        self.cp_index = idx;
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn into_text(self) -> String {
        self.text
    }

    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    pub fn words(&self) -> &[WordPiece] {
        &self.words
    }

    pub fn sentences(&self) -> &[SentenceSpan] {
        &self.sentences
    }

    pub fn datelines(&self) -> &[Dateline] {
        &self.datelines
    }

    /// Tokens of one sentence.
    pub fn sentence_tokens(&self, s: &SentenceSpan) -> &[Token] {
        &self.tokens[s.first_token..s.end_token]
    }

    /// Text of one sentence (from its first token to its last).
    pub fn sentence_text(&self, s: &SentenceSpan) -> &str {
        &self.text[s.start..s.end]
    }

    /// Words of one token.
    pub fn token_words(&self, t: &Token) -> &[WordPiece] {
        &self.words[t.first_word as usize..(t.first_word + t.n_words) as usize]
    }

    /// Surface form of a token.
    pub fn token_text(&self, t: &Token) -> &str {
        &self.text[t.start..t.end]
    }

    /// Form of a word.
    pub fn word_form(&self, w: &WordPiece) -> &str {
        &self.text[w.start..w.end]
    }

    /// Number of Unicode code points in `text[..byte]`. O(1) for ASCII text, else at most
    /// 64 bytes scanned after a table lookup. `byte` is clamped to the text length; an
    /// offset inside a character counts that character as not yet started.
    pub fn char_offset(&self, byte: usize) -> usize {
        let byte = byte.min(self.text.len());
        if self.cp_index.is_empty() {
            return byte;
        }
        let k = byte / CP_STEP;
        let base = self.cp_index[k];
        base + self.text.as_bytes()[k * CP_STEP..byte]
            .iter()
            .filter(|&&x| (x & 0xC0) != 0x80)
            .count()
    }

    /// Byte offset of code point `cp` (inverse of `char_offset`); clamped to the text end.
    pub fn byte_offset(&self, cp: usize) -> usize {
        if self.cp_index.is_empty() {
            return cp.min(self.text.len());
        }
        // last checkpoint with count <= cp
        let k = match self.cp_index.binary_search(&cp) {
            Ok(mut k) => {
                while k > 0 && self.cp_index[k - 1] == cp {
                    k -= 1;
                }
                k
            }
            Err(k) => k.saturating_sub(1),
        };
        let mut count = self.cp_index[k];
        let b = self.text.as_bytes();
        let mut i = (k * CP_STEP).min(b.len());
        while i < b.len() {
            if (b[i] & 0xC0) != 0x80 {
                if count == cp {
                    return i;
                }
                count += 1;
            }
            i += 1;
        }
        b.len()
    }
}

#[cfg(test)]
mod tests;
