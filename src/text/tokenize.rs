//! Tokenizer and sentence splitter (see the module documentation of `text`).

use super::abbrev::{HYPHEN_PREFIXES, is_abbreviation, is_non_final, is_opener};
use super::{Dateline, SentenceSpan, Token, WordPiece, dateline};

pub(super) struct Output {
    pub tokens: Vec<Token>,
    pub words: Vec<WordPiece>,
    pub sentences: Vec<SentenceSpan>,
    pub datelines: Vec<Dateline>,
}

#[inline]
fn is_space(c: char) -> bool {
    c.is_whitespace() || c.is_control() || c == '\u{feff}' || c == '\u{200b}'
}

/// Paragraphs: maximal runs of non-blank lines. Returns byte ranges.
fn paragraphs(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut para: Option<(usize, usize)> = None;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let blank = line.chars().all(is_space);
        if blank {
            if let Some(p) = para.take() {
                out.push(p);
            }
        } else {
            let end = pos + line.trim_end_matches(is_space).len();
            match &mut para {
                Some(p) => p.1 = end,
                None => {
                    para = Some((
                        pos + (line.len() - line.trim_start_matches(is_space).len()),
                        end,
                    ))
                }
            }
        }
        pos += line.len();
    }
    if let Some(p) = para {
        out.push(p);
    }
    out
}

struct Builder<'a> {
    text: &'a str,
    out: Output,
    /// Per token of the current paragraph: a newline precedes it.
    nl_before: Vec<bool>,
}

pub(super) fn analyze(text: &str) -> Output {
    let mut b = Builder::new(text);
    for (pi, (ps, pe)) in paragraphs(text).into_iter().enumerate() {
        let mut start = ps;
        if let Some(mut d) = dateline::detect(&text[ps..pe]) {
            d.start += ps;
            d.end += ps;
            start = d.end;
            b.out.datelines.push(d);
        }
        let t0 = b.out.tokens.len();
        b.nl_before.clear();
        b.tokenize_range(start, pe);
        b.split_sentences(t0, pi);
    }
    b.out
}

pub(super) fn analyze_lines(text: &str) -> Output {
    let mut b = Builder::new(text);
    let mut pos = 0;
    let mut pi = 0;
    for line in text.split_inclusive('\n') {
        let t0 = b.out.tokens.len();
        b.nl_before.clear();
        b.tokenize_range(pos, pos + line.len());
        let t1 = b.out.tokens.len();
        if t1 > t0 {
            b.push_sentence(t0, t1, pi);
            pi += 1;
        }
        pos += line.len();
    }
    b.out
}

const OPENERS: &[char] = &[
    '(', '[', '{', '"', '\u{201c}', '\u{2018}', '\u{ab}', '\u{2039}', '\u{201e}', '\u{bf}',
    '\u{a1}', '<', '*', '$', '\u{20ac}', '\u{a3}', '\u{a5}', '~', '#', '\u{2022}', '|',
];
const CLOSERS: &[char] = &[
    ')', ']', '}', '"', '\u{201d}', '\u{bb}', '\u{203a}', ',', ';', ':', '%', '\u{2026}', '>', '*',
    '|',
];
const DASHES: &[char] = &['\u{2014}', '\u{2013}', '\u{2015}', '\u{2012}'];
const APOS: &[char] = &['\'', '\u{2019}', '`'];

impl<'a> Builder<'a> {
    fn new(text: &'a str) -> Self {
        Builder {
            text,
            out: Output {
                tokens: Vec::new(),
                words: Vec::new(),
                sentences: Vec::new(),
                datelines: Vec::new(),
            },
            nl_before: Vec::new(),
        }
    }

    /// Pushes a token `[s, e)` with word split points `cuts` (strictly inside).
    fn push(&mut self, s: usize, e: usize, cuts: &[usize], nl: bool) {
        if s >= e {
            return;
        }
        let first_word = self.out.words.len() as u32;
        let mut a = s;
        for &c in cuts {
            self.out.words.push(WordPiece { start: a, end: c });
            a = c;
        }
        self.out.words.push(WordPiece { start: a, end: e });
        let space_after = self.text[e..].chars().next().is_none_or(is_space);
        self.out.tokens.push(Token {
            start: s,
            end: e,
            space_after,
            first_word,
            n_words: cuts.len() as u32 + 1,
        });
        self.nl_before.push(nl);
    }

    fn tokenize_range(&mut self, start: usize, end: usize) {
        let text = self.text;
        let mut i = start;
        let mut nl = false;
        while i < end {
            let c = match text[i..end].chars().next() {
                Some(c) => c,
                None => break,
            };
            if is_space(c) {
                nl |= c == '\n' || c == '\r' || c == '\u{2028}' || c == '\u{2029}';
                i += c.len_utf8();
                continue;
            }
            let mut j = i;
            for (k, ch) in text[i..end].char_indices() {
                if is_space(ch) {
                    j = i + k;
                    break;
                }
                j = i + k + ch.len_utf8();
            }
            self.chunk(i, j, nl);
            nl = false;
            i = j;
        }
    }

    /// Splits one whitespace-free chunk `[a, b)` into tokens.
    fn chunk(&mut self, a: usize, b: usize, nl: bool) {
        let text = self.text;
        let s = &text[a..b];
        let mut nl = nl;
        let mut lo = a;
        let mut hi = b;
        // URLs and e-mail addresses stay whole (minus wrapping punctuation).
        if is_url_like(s) {
            while let Some(c) = text[lo..hi].chars().next() {
                if OPENERS.contains(&c) || APOS.contains(&c) || c == '\u{2018}' {
                    self.push(lo, lo + c.len_utf8(), &[], nl);
                    nl = false;
                    lo += c.len_utf8();
                } else {
                    break;
                }
            }
            let mut tail = Vec::new();
            while let Some(c) = text[lo..hi].chars().next_back() {
                if matches!(
                    c,
                    '.' | ','
                        | ';'
                        | ':'
                        | '!'
                        | '?'
                        | ')'
                        | ']'
                        | '"'
                        | '\''
                        | '\u{201d}'
                        | '\u{2019}'
                        | '>'
                ) && hi - c.len_utf8() > lo
                {
                    tail.push((hi - c.len_utf8(), hi));
                    hi -= c.len_utf8();
                } else {
                    break;
                }
            }
            self.push(lo, hi, &[], nl);
            for (x, y) in tail.into_iter().rev() {
                self.push(x, y, &[], false);
            }
            return;
        }
        // Emoticons and runs of one repeated symbol ("!!", "***", "$$$") stay whole.
        if is_emoticon(s) || is_symbol_run(s) {
            self.push(a, b, &[], nl);
            return;
        }
        // Leading punctuation.
        while lo < hi {
            let rest = &text[lo..hi];
            let c = match rest.chars().next() {
                Some(c) => c,
                None => break,
            };
            let n = c.len_utf8();
            let next = rest[n..].chars().next();
            if OPENERS.contains(&c) {
                if (c == '$' || c == '#' || c == '\u{20ac}' || c == '\u{a3}') && next.is_none() {
                    break;
                }
                self.push(lo, lo + n, &[], nl);
            } else if APOS.contains(&c) || c == '\u{2018}' {
                // '90s and a bare clitic ('s) keep their apostrophe
                if next.is_none_or(|x| x.is_ascii_digit()) || is_bare_clitic(rest) {
                    break;
                }
                self.push(lo, lo + n, &[], nl);
            } else if DASHES.contains(&c) {
                self.push(lo, lo + n, &[], nl);
            } else if c == '-' {
                let run = rest.bytes().take_while(|&x| x == b'-').count();
                if run == rest.len() {
                    break; // the chunk is only hyphens: one token below
                }
                self.push(lo, lo + run, &[], nl);
                lo += run;
                nl = false;
                continue;
            } else if c == '.' || c == '\u{2026}' {
                let run = rest.bytes().take_while(|&x| x == b'.').count();
                if c == '.' && (run < 2 || run == rest.len()) {
                    break; // ".5" or a chunk of dots only
                }
                let len = if c == '.' { run } else { n };
                self.push(lo, lo + len, &[], nl);
                lo += len;
                nl = false;
                continue;
            } else {
                break;
            }
            lo += n;
            nl = false;
        }
        // Trailing punctuation (collected right to left).
        let mut tail: Vec<(usize, usize)> = Vec::new();
        while hi > lo {
            let core = &text[lo..hi];
            let c = match core.chars().next_back() {
                Some(c) => c,
                None => break,
            };
            let n = c.len_utf8();
            if hi - n == lo {
                break; // keep at least one character in the core
            }
            if c == '!' || c == '?' || c == '.' {
                let run = core
                    .bytes()
                    .rev()
                    .take_while(|&x| x == b'!' || x == b'?' || x == b'.')
                    .count();
                if run >= 2 {
                    if run == core.len() {
                        break; // a chunk of terminal punctuation only: one token
                    }
                    let body = &core[..core.len() - run + 1];
                    if core.ends_with("..") && run == 2 && body.len() <= 12 && is_abbreviation(body)
                    {
                        tail.push((hi - 1, hi)); // "Inc.." = "Inc." + "."
                        hi -= 1;
                        break;
                    }
                    tail.push((hi - run, hi));
                    hi -= run;
                    continue;
                }
                if c == '.' && core.len() <= 12 && is_abbreviation(core) {
                    break;
                }
                tail.push((hi - 1, hi));
                hi -= 1;
            } else if CLOSERS.contains(&c) || DASHES.contains(&c) {
                if c == ':' && core.len() <= 3 {
                    // emoticons like ":)" are rare; keep "a:" style splits simple
                }
                tail.push((hi - n, hi));
                hi -= n;
            } else if APOS.contains(&c) {
                let before: Vec<char> = core[..core.len() - n].chars().rev().take(2).collect();
                let possessive = before.first().is_some_and(|x| *x == 's' || *x == 'S')
                    && before.get(1).is_some_and(|x| x.is_alphabetic());
                if possessive {
                    break;
                }
                tail.push((hi - n, hi));
                hi -= n;
            } else if c == '-' {
                let run = core.bytes().rev().take_while(|&x| x == b'-').count();
                if run < core.len() && (run >= 2 || core.len() >= 3) {
                    tail.push((hi - run, hi));
                    hi -= run;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        // Core: split at internal hyphens/dashes, then clitics.
        self.core(lo, hi, nl);
        for (x, y) in tail.into_iter().rev() {
            self.push(x, y, &[], false);
        }
    }

    fn core(&mut self, lo: usize, hi: usize, nl: bool) {
        if lo >= hi {
            return;
        }
        let text = self.text;
        let core = &text[lo..hi];
        let mut nl = nl;
        if !core.contains([
            '-', '\u{2014}', '\u{2013}', '\u{2015}', '\u{2026}', '/', ',', ')', '(',
        ]) && !core.contains("..")
        {
            self.word_with_clitics(lo, hi, nl);
            return;
        }
        let phone = is_phone_like(core);
        let bytes = core.as_bytes();
        let mut seg = 0; // relative start of the current segment
        let mut i = 0;
        while i < core.len() {
            let c = match core[i..].chars().next() {
                Some(c) => c,
                None => break,
            };
            let n = c.len_utf8();
            let prev = core[..i].chars().next_back();
            let next = core[i + n..].chars().next();
            let split_len = if c == '-' {
                let run = bytes[i..].iter().take_while(|&&x| x == b'-').count();
                if run >= 2 {
                    if i > seg && i + run < core.len() {
                        run
                    } else {
                        0
                    }
                } else if prev.is_some_and(|x| x.is_alphanumeric())
                    && next.is_some_and(|x| x.is_alphanumeric())
                    && !phone
                {
                    let left = &core[seg..i];
                    let is_prefix = left.len() <= 7
                        && HYPHEN_PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(left));
                    if is_prefix { 0 } else { 1 }
                } else {
                    0
                }
            } else if c == '/' || c == ',' {
                // "and/or" -> and / or; "Baltimore,MD" -> Baltimore , MD (not 1,000 or 03/28)
                let letters = prev.is_some_and(|x| x.is_alphabetic())
                    && next.is_some_and(|x| x.is_alphabetic());
                let comma_digit = c == ','
                    && prev.is_some_and(|x| x.is_alphabetic())
                    && next.is_some_and(|x| x.is_ascii_digit());
                if i > seg && (letters || comma_digit) {
                    1
                } else {
                    0
                }
            } else if (c == ')' && next == Some('(')) || (c == '(' && prev == Some(')')) {
                1
            } else if DASHES.contains(&c) || c == '\u{2026}' {
                if i > seg && i + n < core.len() { n } else { 0 }
            } else if c == '.' && bytes.get(i + 1) == Some(&b'.') {
                let run = bytes[i..].iter().take_while(|&&x| x == b'.').count();
                if i > seg && i + run < core.len() {
                    run
                } else {
                    0
                }
            } else {
                0
            };
            if split_len > 0 {
                self.word_with_clitics(lo + seg, lo + i, nl);
                nl = false;
                self.push(lo + i, lo + i + split_len, &[], false);
                i += split_len;
                seg = i;
            } else if c == '-' || c == '.' {
                // skip the whole run, so long runs of '-' or '.' stay linear
                let run = bytes[i..].iter().take_while(|&&x| x == c as u8).count();
                i += run.max(1);
            } else {
                i += n;
            }
        }
        if seg < core.len() {
            self.word_with_clitics(lo + seg, hi, nl);
        }
    }

    /// Emits one token, split into words at clitic boundaries (a multiword token).
    fn word_with_clitics(&mut self, lo: usize, hi: usize, nl: bool) {
        let cuts = clitic_cuts(&self.text[lo..hi]);
        let abs: Vec<usize> = cuts.iter().map(|c| lo + c).collect();
        self.push(lo, hi, &abs, nl);
    }

    fn push_sentence(&mut self, t0: usize, t1: usize, paragraph: usize) {
        if t1 <= t0 {
            return;
        }
        let start = self.out.tokens[t0].start;
        let end = self.out.tokens[t1 - 1].end;
        self.out.sentences.push(SentenceSpan {
            start,
            end,
            first_token: t0,
            end_token: t1,
            paragraph,
        });
    }

    /// Splits the tokens `t0..` of the current paragraph into sentences.
    fn split_sentences(&mut self, t0: usize, paragraph: usize) {
        let t1 = self.out.tokens.len();
        let mut s0 = t0;
        for k in t0..t1.saturating_sub(1) {
            if self.boundary_after(k, t0) {
                self.push_sentence(s0, k + 1, paragraph);
                s0 = k + 1;
            }
        }
        self.push_sentence(s0, t1, paragraph);
    }

    fn tok(&self, k: usize) -> &'a str {
        let t = &self.out.tokens[k];
        &self.text[t.start..t.end]
    }

    fn boundary_after(&self, k: usize, t0: usize) -> bool {
        let next = k + 1;
        let nf = self.tok(next);
        let nfc = nf.chars().next().unwrap_or(' ');
        let cur = self.tok(k);
        // Effective terminal: this token, or the one before a closing quote/bracket glued to it.
        let term_kind = |f: &str| -> u8 {
            if is_terminal_punct(f) {
                1
            } else if f.len() > 1 && f.ends_with('.') {
                2 // abbreviation kept with its full stop
            } else {
                0
            }
        };
        let mut kind = term_kind(cur);
        let mut term_form = cur;
        let mut via_closer = false;
        if kind == 0 && is_closing(cur) && k > t0 && !self.out.tokens[k - 1].space_after {
            let pk = term_kind(self.tok(k - 1));
            if pk == 1 {
                kind = 1;
                via_closer = true;
                term_form = self.tok(k - 1);
            }
        }
        let nl = self.nl_before[next - (self.out.tokens.len() - self.nl_before.len())];
        if kind != 0 && !self.out.tokens[k].space_after && is_closing(nf) {
            return false; // the closing quote/bracket still belongs to this sentence
        }
        if nl {
            // line break inside a paragraph: a boundary unless the text just wraps
            return kind != 0 || !nfc.is_lowercase();
        }
        match kind {
            1 => {
                if matches!(
                    nfc,
                    ',' | ';' | ':' | ')' | ']' | '}' | '%' | '.' | '!' | '?'
                ) {
                    return false;
                }
                let ellipsis = term_form.starts_with("..") || term_form == "\u{2026}";
                if ellipsis && !nfc.is_uppercase() && !is_opening(nf) {
                    return false;
                }
                // A lower-case word after a bare full stop still starts a sentence in
                // informal text ("i am out. call me"); known abbreviations never get here
                // because they keep their full stop.
                // After a quotation ("Go!" she said) lower case means the same sentence.
                !(nfc.is_lowercase() && (via_closer || LOWER_CONTINUATIONS.contains(&nf)))
            }
            2 => {
                if is_non_final(term_form) {
                    return false;
                }
                if is_abbreviation(term_form) {
                    is_opener(nf) || (is_opening(nf) && nf != "$")
                } else {
                    nfc.is_uppercase()
                }
            }
            _ => false,
        }
    }
}

/// Lower-case words that continue a sentence after an unknown abbreviation's full stop.
const LOWER_CONTINUATIONS: &[&str] = &[
    "and", "or", "of", "in", "to", "for", "with", "the", "a", "an", "is", "was", "are", "were",
    "on", "at", "by", "from",
];

fn is_terminal_punct(f: &str) -> bool {
    !f.is_empty() && (f.bytes().all(|b| b == b'.' || b == b'!' || b == b'?') || f == "\u{2026}")
}

fn is_closing(f: &str) -> bool {
    matches!(
        f,
        "\"" | "\u{201d}" | "\u{2019}" | "'" | ")" | "]" | "}" | "\u{bb}"
    )
}

fn is_opening(f: &str) -> bool {
    matches!(
        f,
        "\"" | "\u{201c}" | "\u{2018}" | "'" | "(" | "[" | "{" | "\u{ab}"
    )
}

fn is_url_like(s: &str) -> bool {
    let l = s.trim_start_matches(['(', '<', '"', '\'', '[']);
    let starts = |p: &str| {
        l.len() >= p.len() && l.is_char_boundary(p.len()) && l[..p.len()].eq_ignore_ascii_case(p)
    };
    if starts("http://")
        || starts("https://")
        || starts("www.")
        || starts("ftp://")
        || starts("mailto:")
    {
        return true;
    }
    // e-mail: x@y.z with word characters around
    if let Some(at) = l.find('@') {
        let (u, d) = (&l[..at], &l[at + 1..]);
        return !u.is_empty()
            && d.contains('.')
            && d.chars().next().is_some_and(|c| c.is_alphanumeric())
            && u.chars()
                .all(|c| c.is_alphanumeric() || ".-_+'\"(<".contains(c));
    }
    false
}

/// Phone numbers and similar digit groups keep their hyphens (713-853-1696, 555-1234).
fn is_phone_like(s: &str) -> bool {
    if !s
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'-' || b == b'/' || b == b'(' || b == b')')
    {
        return false;
    }
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() >= 3
        || (groups.len() == 2
            && (groups[0].len() == 3 || groups[0].len() == 1)
            && groups[1].len() == 4)
}

const EMOTICONS: &[&str] = &[
    ":)", ":-)", ":(", ":-(", ";)", ";-)", ":D", ":-D", ":P", ":-P", ":p", ":-p", ":/", ":-/",
    ":O", ":o", ":'(", "<3", ":?", ":]", ":[", "=)", "xD", "XD", "^^", "^_^", "-_-", "o_O", "O_o",
];

fn is_emoticon(s: &str) -> bool {
    EMOTICONS.contains(&s)
}

/// Two or more copies of one non-alphanumeric character ("!!", "***", "$$$", "==").
fn is_symbol_run(s: &str) -> bool {
    let mut it = s.chars();
    match it.next() {
        Some(c) if !c.is_alphanumeric() => s.len() >= 2 * c.len_utf8() && it.all(|x| x == c),
        _ => false,
    }
}

/// A chunk that is only a clitic (`'s`, `’re`), e.g. after a quoted name.
fn is_bare_clitic(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    let t = l
        .trim_start_matches(['\'', '`'])
        .trim_start_matches('\u{2019}');
    t.len() < l.len() && matches!(t, "s" | "re" | "ve" | "ll" | "d" | "m" | "em")
}

/// Whole words split at a fixed place: (lower-case form, byte split point).
const FIXED_SPLITS: &[(&str, usize)] = &[
    ("cannot", 3),
    ("gonna", 3),
    ("wanna", 3),
    ("gotta", 3),
    ("outta", 3),
    ("gimme", 3),
    ("lemme", 3),
    ("dont", 2),
    ("doesnt", 4),
    ("didnt", 3),
    ("cant", 2),
    ("wont", 2),
    ("isnt", 2),
    ("arent", 3),
    ("wasnt", 3),
    ("werent", 4),
    ("couldnt", 5),
    ("wouldnt", 5),
    ("shouldnt", 6),
    ("havent", 4),
    ("hasnt", 3),
    ("hadnt", 3),
    ("aint", 2),
    ("alot", 1),
    ("awhile", 1),
    ("thats", 4),
    ("whats", 4),
    ("theres", 5),
    ("youre", 3),
];

/// Byte positions (relative) where a token splits into words: clitics `n't 's 're 've
/// 'll 'd 'm`, possessive `'`, and the fixed forms above.
pub(super) fn clitic_cuts(w: &str) -> Vec<usize> {
    let mut cuts = Vec::new();
    if w.len() <= 8 && w.is_ascii() {
        let l = w.to_ascii_lowercase();
        if let Some((_, k)) = FIXED_SPLITS.iter().find(|(f, _)| *f == l) {
            cuts.push(*k);
            return cuts;
        }
    }
    let mut end = w.len();
    for round in 0..3 {
        let t = &w[..end];
        let cut = clitic_suffix(t, round == 0);
        match cut {
            Some(k) if k > 0 => {
                cuts.push(k);
                end = k;
            }
            _ => break,
        }
    }
    cuts.reverse();
    cuts
}

/// Start of a clitic suffix of `t`, if any (the stem must be non-empty and end in a
/// letter or digit).
fn clitic_suffix(t: &str, outermost: bool) -> Option<usize> {
    // find the last apostrophe among the final 4 characters
    let tail_start = t.char_indices().rev().nth(3).map(|(i, _)| i).unwrap_or(0);
    let (ai, ac) = t[tail_start..]
        .char_indices()
        .rev()
        .find(|(_, c)| APOS.contains(c))
        .map(|(i, c)| (tail_start + i, c))?;
    let after = t[ai + ac.len_utf8()..].to_ascii_lowercase();
    let stem = &t[..ai];
    let stem_ok = |s: &str| s.chars().next_back().is_some_and(|c| c.is_alphanumeric());
    if after == "t" {
        // n't: the cut is before the 'n'
        if stem.ends_with(['n', 'N']) && stem.len() > 1 && stem_ok(&stem[..stem.len() - 1]) {
            return Some(ai - 1);
        }
        return None;
    }
    if matches!(after.as_str(), "s" | "re" | "ve" | "ll" | "d" | "m") && stem_ok(stem) {
        return Some(ai);
    }
    if outermost
        && after.is_empty()
        && stem.len() >= 2
        && stem.ends_with(['s', 'S'])
        && stem_ok(stem)
    {
        return Some(ai); // plural possessive: parents'
    }
    None
}
