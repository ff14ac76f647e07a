//! CoNLL-U reading and writing (UD v2 format).
//!
//! Why a hand-written reader: the format is tiny, and we need exact control over the
//! two things other libraries tend to get wrong for our use — multiword token ranges
//! (`3-4 don't`) must survive a round trip because tokens carry the character offsets,
//! and a malformed line must produce an error naming the line instead of a panic.
//! Empty nodes (`8.1`, enhanced UD only) are skipped on read: nothing downstream uses them.

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

/// One syntactic word (a CoNLL-U line with an integer ID).
///
/// FORM and LEMMA are the word's own text. The tag-like columns are [`Field`]s: the
/// tagger, parser and tokenizer fill them from small fixed inventories without
/// allocating (the allocator was a quarter of the front end's time when every word
/// carried eight heap strings).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Word {
    /// 1-based position in the sentence.
    pub id: usize,
    pub form: String,
    pub lemma: String,
    pub upos: Field,
    pub xpos: Field,
    /// `"_"` when empty.
    pub feats: Field,
    /// 0 = root. A `_` head in the input (e.g. tokens only) reads as 0.
    pub head: usize,
    pub deprel: Field,
    pub deps: Field,
    pub misc: Field,
}

/// The value of a tag-like CoNLL-U column (UPOS, XPOS, FEATS, DEPREL, DEPS, MISC).
///
/// Either a `&'static str` (the `_` placeholder, a constant, or a model's inventory
/// entry from [`Field::interned`]) or an owned string (values read from a file, or
/// built at run time). Cloning a static field copies a pointer. It reads like a `&str`:
/// `w.upos == "NOUN"`, `w.upos.as_str()`, `&*w.feats`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Field(Cow<'static, str>);

impl Field {
    /// `_`, the empty column.
    pub const EMPTY: Field = Field(Cow::Borrowed("_"));

    /// A field holding a constant.
    pub const fn from_static(s: &'static str) -> Field {
        Field(Cow::Borrowed(s))
    }

    /// A field sharing the process-wide copy of `s`. Meant for model inventories (tags,
    /// labels, FEATS strings): each distinct string is stored once for the life of the
    /// process, so use it for bounded vocabularies, not for arbitrary input.
    pub fn interned(s: &str) -> Field {
        Field(Cow::Borrowed(intern(s)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Replaces the value with a constant (no allocation).
    pub fn set_static(&mut self, s: &'static str) {
        self.0 = Cow::Borrowed(s);
    }
}

impl Default for Field {
    /// The empty string (as `String::default` was), not `_`.
    fn default() -> Field {
        Field::from_static("")
    }
}

/// The process-wide copy of `s`, allocated on first use and never freed.
fn intern(s: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static TABLE: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut table = TABLE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(&found) = table.get(s) {
        return found;
    }
    let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
    table.insert(leaked);
    leaked
}

impl std::ops::Deref for Field {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Field {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Field {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<String> for Field {
    fn from(s: String) -> Field {
        Field(Cow::Owned(s))
    }
}

impl From<&str> for Field {
    fn from(s: &str) -> Field {
        if s == "_" {
            Field::EMPTY
        } else {
            Field(Cow::Owned(s.to_owned()))
        }
    }
}

impl From<&String> for Field {
    fn from(s: &String) -> Field {
        Field::from(s.as_str())
    }
}

impl From<Field> for String {
    fn from(f: Field) -> String {
        f.0.into_owned()
    }
}

impl PartialEq<str> for Field {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Field {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Field {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Field> for str {
    fn eq(&self, other: &Field) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Field> for &str {
    fn eq(&self, other: &Field) -> bool {
        *self == other.as_str()
    }
}

/// `_` in a buffer with room for the lemma the pipeline writes next: the smallest
/// heap block holds 24 bytes anyway, and filling a 1-byte buffer later means a
/// reallocation per word.
fn placeholder() -> String {
    let mut s = String::with_capacity(24);
    s.push('_');
    s
}

impl Word {
    /// A word with only ID and form set; every other column is `_`.
    pub fn new(id: usize, form: impl Into<String>) -> Word {
        Word {
            id,
            form: form.into(),
            lemma: placeholder(),
            upos: Field::EMPTY,
            xpos: Field::EMPTY,
            feats: Field::EMPTY,
            head: 0,
            deprel: Field::EMPTY,
            deps: Field::EMPTY,
            misc: Field::EMPTY,
        }
    }

    /// True when MISC contains `SpaceAfter=No`.
    pub fn no_space_after(&self) -> bool {
        misc_has(&self.misc, "SpaceAfter=No")
    }

    /// Value of one FEATS attribute (`feat("Number")` -> `Some("Sing")`).
    pub fn feat(&self, key: &str) -> Option<&str> {
        kv_get(&self.feats, key)
    }

    /// Value of one MISC attribute.
    pub fn misc_value(&self, key: &str) -> Option<&str> {
        kv_get(&self.misc, key)
    }
}

/// A multiword token range line (`3-4 don't _ _ ...`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MultiwordToken {
    /// ID of the first word of the range.
    pub first: usize,
    /// ID of the last word of the range (inclusive).
    pub last: usize,
    pub form: String,
    pub misc: String,
}

/// One sentence: comments (without the leading `# `), words and multiword ranges.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sentence {
    pub comments: Vec<String>,
    pub words: Vec<Word>,
    /// Sorted by `first`, non-overlapping.
    pub multiword: Vec<MultiwordToken>,
}

impl Sentence {
    /// `# sent_id = ...`
    pub fn sent_id(&self) -> Option<&str> {
        self.meta("sent_id")
    }

    /// `# text = ...`
    pub fn text(&self) -> Option<&str> {
        self.meta("text")
    }

    /// Value of a `key = value` comment (first match).
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.comments.iter().find_map(|c| {
            let (k, v) = c.split_once('=')?;
            (k.trim() == key).then(|| v.trim())
        })
    }

    /// Sets (replaces or appends) a `key = value` comment.
    pub fn set_meta(&mut self, key: &str, value: &str) {
        let line = format!("{key} = {value}");
        for c in &mut self.comments {
            if c.split_once('=').is_some_and(|(k, _)| k.trim() == key) {
                *c = line;
                return;
            }
        }
        self.comments.push(line);
    }

    /// Surface tokens: `(first word index, last word index, form, no_space_after)`, with
    /// 0-based word indices. A multiword token yields one entry spanning its words; its
    /// SpaceAfter comes from the range line, as UD prescribes.
    pub fn tokens(&self) -> Vec<(usize, usize, &str, bool)> {
        let mut out = Vec::with_capacity(self.words.len());
        let mut mw = self.multiword.iter().peekable();
        let mut i = 0;
        while i < self.words.len() {
            let id = self.words[i].id;
            while mw.peek().is_some_and(|m| m.first < id) {
                mw.next();
            }
            if let Some(m) = mw.peek().filter(|m| m.first == id) {
                let n = m.last - m.first;
                let last = (i + n).min(self.words.len() - 1);
                out.push((i, last, m.form.as_str(), misc_has(&m.misc, "SpaceAfter=No")));
                i = last + 1;
                mw.next();
            } else {
                let w = &self.words[i];
                out.push((i, i, w.form.as_str(), w.no_space_after()));
                i += 1;
            }
        }
        out
    }

    /// Rebuilds the sentence text from tokens and SpaceAfter=No (used when `# text` is absent).
    pub fn reconstruct_text(&self) -> String {
        let mut s = String::new();
        let toks = self.tokens();
        for (k, (_, _, form, nsa)) in toks.iter().enumerate() {
            s.push_str(form);
            if !nsa && k + 1 < toks.len() {
                s.push(' ');
            }
        }
        s
    }
}

/// A malformed CoNLL-U input; `line` is 1-based (0 for I/O errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ConlluError {
    pub line: usize,
    pub message: String,
}

fn err(line: usize, message: impl Into<String>) -> ConlluError {
    ConlluError {
        line,
        message: message.into(),
    }
}

/// True when a `|`-separated attribute list contains exactly `item`.
pub fn misc_has(misc: &str, item: &str) -> bool {
    misc.split('|').any(|x| x == item)
}

/// Value of `key` in a `K=V|K=V` list (FEATS or MISC).
pub fn kv_get<'a>(list: &'a str, key: &str) -> Option<&'a str> {
    list.split('|').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then_some(v)
    })
}

/// Adds `item` to a `|`-separated list (`_` means empty), keeping it unique.
pub fn misc_add(misc: &str, item: &str) -> String {
    if misc.is_empty() || misc == "_" {
        return item.to_string();
    }
    if misc_has(misc, item) {
        return misc.to_string();
    }
    format!("{misc}|{item}")
}

/// Removes `item` from a `|`-separated list; returns `_` when nothing is left.
pub fn misc_remove(misc: &str, item: &str) -> String {
    let rest: Vec<&str> = misc
        .split('|')
        .filter(|x| *x != item && *x != "_" && !x.is_empty())
        .collect();
    if rest.is_empty() {
        "_".to_string()
    } else {
        rest.join("|")
    }
}

/// Parses a whole CoNLL-U document. Sentences are separated by blank lines; a final
/// sentence without a trailing blank line is accepted. CRLF line ends and a UTF-8 BOM
/// are tolerated.
pub fn parse_str(text: &str) -> Result<Vec<Sentence>, ConlluError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut cur = Sentence::default();
    let mut started = false;
    for (idx, raw) in text.split('\n').enumerate() {
        let lineno = idx + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if started {
                finish_sentence(&mut cur, lineno)?;
                out.push(std::mem::take(&mut cur));
                started = false;
            }
            continue;
        }
        started = true;
        if let Some(c) = line.strip_prefix('#') {
            if !cur.words.is_empty() || !cur.multiword.is_empty() {
                return Err(err(lineno, "comment line inside a sentence"));
            }
            cur.comments
                .push(c.strip_prefix(' ').unwrap_or(c).to_string());
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 10 {
            return Err(err(
                lineno,
                format!("expected 10 tab-separated columns, found {}", cols.len()),
            ));
        }
        let id = cols[0];
        if id.contains('.') {
            // Empty node of enhanced UD: validated lightly, then skipped.
            let (a, b) = id.split_once('.').unwrap_or((id, ""));
            if a.parse::<usize>().is_err() || b.parse::<usize>().is_err() {
                return Err(err(lineno, format!("bad empty-node ID {id:?}")));
            }
            continue;
        }
        if let Some((a, b)) = id.split_once('-') {
            let first: usize = a
                .parse()
                .map_err(|_| err(lineno, format!("bad range ID {id:?}")))?;
            let last: usize = b
                .parse()
                .map_err(|_| err(lineno, format!("bad range ID {id:?}")))?;
            if first == 0 || last < first {
                return Err(err(lineno, format!("bad range ID {id:?}")));
            }
            if first != cur.words.len() + 1 {
                return Err(err(
                    lineno,
                    format!("range {id} does not start at the next word"),
                ));
            }
            cur.multiword.push(MultiwordToken {
                first,
                last,
                form: cols[1].to_string(),
                misc: cols[9].into(),
            });
            continue;
        }
        let n: usize = id
            .parse()
            .map_err(|_| err(lineno, format!("bad word ID {id:?}")))?;
        if n != cur.words.len() + 1 {
            return Err(err(
                lineno,
                format!(
                    "word ID {n} out of sequence (expected {})",
                    cur.words.len() + 1
                ),
            ));
        }
        let head = match cols[6] {
            "_" => 0,
            h => h
                .parse()
                .map_err(|_| err(lineno, format!("bad HEAD {h:?}")))?,
        };
        cur.words.push(Word {
            id: n,
            form: cols[1].to_string(),
            lemma: cols[2].to_string(),
            upos: cols[3].into(),
            xpos: cols[4].into(),
            feats: cols[5].into(),
            head,
            deprel: cols[7].into(),
            deps: cols[8].into(),
            misc: cols[9].into(),
        });
    }
    if started {
        let n = text.split('\n').count();
        finish_sentence(&mut cur, n)?;
        out.push(cur);
    }
    Ok(out)
}

/// Checks what can only be checked once the sentence is complete.
fn finish_sentence(s: &mut Sentence, lineno: usize) -> Result<(), ConlluError> {
    let n = s.words.len();
    if n == 0 && !s.multiword.is_empty() {
        return Err(err(lineno, "sentence has a multiword range but no words"));
    }
    for m in &s.multiword {
        if m.last > n {
            return Err(err(
                lineno,
                format!("range {}-{} runs past the last word {n}", m.first, m.last),
            ));
        }
    }
    for w in &s.words {
        if w.head > n {
            return Err(err(
                lineno,
                format!(
                    "word {} has HEAD {} beyond the sentence ({n} words)",
                    w.id, w.head
                ),
            ));
        }
    }
    Ok(())
}

/// Reads a CoNLL-U file; I/O and UTF-8 errors are reported as line 0.
pub fn read_file(path: &Path) -> Result<Vec<Sentence>, ConlluError> {
    let bytes = std::fs::read(path).map_err(|e| err(0, format!("{}: {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let off = e.utf8_error().valid_up_to();
        err(
            0,
            format!("{}: invalid UTF-8 at byte {off}", path.display()),
        )
    })?;
    parse_str(&text).map_err(|e| err(e.line, format!("{}: {}", path.display(), e.message)))
}

fn col(s: &str) -> &str {
    if s.is_empty() { "_" } else { s }
}

/// Writes one sentence followed by the blank separator line.
pub fn write_sentence<W: Write>(w: &mut W, s: &Sentence) -> std::io::Result<()> {
    for c in &s.comments {
        writeln!(w, "# {c}")?;
    }
    let mut mw = s.multiword.iter().peekable();
    for word in &s.words {
        while let Some(m) = mw.peek() {
            if m.first > word.id {
                break;
            }
            if m.first == word.id {
                writeln!(
                    w,
                    "{}-{}\t{}\t_\t_\t_\t_\t_\t_\t_\t{}",
                    m.first,
                    m.last,
                    col(&m.form),
                    col(&m.misc)
                )?;
            }
            mw.next();
        }
        writeln!(
            w,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            word.id,
            col(&word.form),
            col(&word.lemma),
            col(&word.upos),
            col(&word.xpos),
            col(&word.feats),
            word.head,
            col(&word.deprel),
            col(&word.deps),
            col(&word.misc)
        )?;
    }
    writeln!(w)
}

/// Serialises sentences to a CoNLL-U string.
pub fn to_string(sentences: &[Sentence]) -> String {
    let mut buf = Vec::new();
    for s in sentences {
        // Writing into a Vec cannot fail.
        let _ = write_sentence(&mut buf, s);
    }
    String::from_utf8(buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# sent_id = s1\n# text = I don't know.\n1\tI\tI\tPRON\tPRP\tCase=Nom|Number=Sing|Person=1|PronType=Prs\t4\tnsubj\t4:nsubj\t_\n2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n2\tdo\tdo\tAUX\tVBP\tMood=Ind\t4\taux\t4:aux\t_\n3\tn't\tnot\tPART\tRB\tPolarity=Neg\t4\tadvmod\t4:advmod\t_\n4\tknow\tknow\tVERB\tVB\tVerbForm=Inf\t0\troot\t0:root\tSpaceAfter=No\n5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t4:punct\t_\n\n# sent_id = s2\n1\tHi\thi\tINTJ\tUH\t_\t0\troot\t0:root\t_\n1.1\tx\tx\tX\tX\t_\t_\t_\t1:dep\t_\n";

    #[test]
    fn parses_comments_words_ranges() {
        let s = parse_str(SAMPLE).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].sent_id(), Some("s1"));
        assert_eq!(s[0].text(), Some("I don't know."));
        assert_eq!(s[0].words.len(), 5);
        assert_eq!(
            s[0].multiword,
            vec![MultiwordToken {
                first: 2,
                last: 3,
                form: "don't".into(),
                misc: "_".into()
            }]
        );
        assert_eq!(s[0].words[3].head, 0);
        assert_eq!(s[0].words[0].feat("Person"), Some("1"));
        assert!(s[0].words[3].no_space_after());
        // empty node skipped, last sentence without blank line accepted
        assert_eq!(s[1].words.len(), 1);
        assert_eq!(s[1].sent_id(), Some("s2"));
    }

    #[test]
    fn round_trip_is_exact() {
        let s = parse_str(SAMPLE).unwrap();
        let text = to_string(&s);
        let again = parse_str(&text).unwrap();
        assert_eq!(s, again);
        // the first sentence is written back byte-identical
        let first_block = SAMPLE.split("\n\n").next().unwrap();
        assert!(text.starts_with(first_block));
    }

    #[test]
    fn tokens_and_reconstruction() {
        let s = parse_str(SAMPLE).unwrap();
        let t = s[0].tokens();
        assert_eq!(t.len(), 4);
        assert_eq!(t[1], (1, 2, "don't", false));
        assert_eq!(s[0].reconstruct_text(), "I don't know.");
    }

    #[test]
    fn malformed_line_names_the_line() {
        let bad = "# x = y\n1\tA\ta\tX\tX\t_\t0\troot\t_\t_\n2\tB\tb\tX\n";
        let e = parse_str(bad).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.to_string().starts_with("line 3:"), "{e}");
        let bad_id = "1\tA\ta\tX\tX\t_\t0\troot\t_\t_\n3\tB\tb\tX\tX\t_\t0\troot\t_\t_\n";
        assert_eq!(parse_str(bad_id).unwrap_err().line, 2);
        let bad_head = "1\tA\ta\tX\tX\t_\tx\troot\t_\t_\n";
        assert_eq!(parse_str(bad_head).unwrap_err().line, 1);
        let far_head = "1\tA\ta\tX\tX\t_\t7\troot\t_\t_\n\n";
        assert!(parse_str(far_head).is_err());
    }

    #[test]
    fn crlf_bom_and_meta() {
        let t = "\u{feff}# sent_id = a\r\n# newdoc id = d\r\n1\tA\ta\tX\tX\t_\t_\t_\t_\t_\r\n\r\n";
        let mut s = parse_str(t).unwrap();
        assert_eq!(s[0].sent_id(), Some("a"));
        assert_eq!(s[0].meta("newdoc id"), Some("d"));
        assert_eq!(s[0].words[0].head, 0);
        s[0].set_meta("sent_id", "b");
        s[0].set_meta("text", "A");
        assert_eq!(s[0].sent_id(), Some("b"));
        assert_eq!(s[0].text(), Some("A"));
    }

    #[test]
    fn misc_helpers() {
        assert_eq!(misc_add("_", "SpaceAfter=No"), "SpaceAfter=No");
        assert_eq!(misc_add("A=1", "SpaceAfter=No"), "A=1|SpaceAfter=No");
        assert_eq!(misc_remove("A=1|SpaceAfter=No", "SpaceAfter=No"), "A=1");
        assert_eq!(misc_remove("SpaceAfter=No", "SpaceAfter=No"), "_");
    }

    #[test]
    fn read_file_io_error_is_line_zero() {
        let e = read_file(Path::new("/nonexistent/x.conllu")).unwrap_err();
        assert_eq!(e.line, 0);
    }
}
