//! The storage-free knowledge model and the one place where IRIs are minted.
//!
//! Everything the extractor produces for one document is a [`DocumentGraph`]:
//! the document text, its sentences, the entity mentions it contains and the
//! facts it states. The `rdf` module turns it into quads; the `store` module
//! writes it in one transaction. Nothing here does I/O.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// The default base IRI (`--base-iri`).
pub const DEFAULT_BASE_IRI: &str = "http://kg.local/";

/// The type of an entity node, mapped to schema.org (DESIGN.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntityType {
    Person,
    Organization,
    Country,
    City,
    Place,
    Event,
    Thing,
    /// A non-named argument ("assistance", "a united front"): `kgv:Concept`.
    Concept,
}

impl EntityType {
    pub const ALL: [EntityType; 8] = [
        EntityType::Person,
        EntityType::Organization,
        EntityType::Country,
        EntityType::City,
        EntityType::Place,
        EntityType::Event,
        EntityType::Thing,
        EntityType::Concept,
    ];

    /// The local name of the class: `Person` for `schema:Person`, `Concept` for `kgv:Concept`.
    pub fn local_name(self) -> &'static str {
        match self {
            EntityType::Person => "Person",
            EntityType::Organization => "Organization",
            EntityType::Country => "Country",
            EntityType::City => "City",
            EntityType::Place => "Place",
            EntityType::Event => "Event",
            EntityType::Thing => "Thing",
            EntityType::Concept => "Concept",
        }
    }

    pub fn from_local_name(name: &str) -> Option<EntityType> {
        Self::ALL.into_iter().find(|t| t.local_name() == name)
    }

    /// Whether two types may describe the same real-world thing: places are
    /// compatible with each other, everything is compatible with `Thing`.
    pub fn compatible(self, other: EntityType) -> bool {
        use EntityType::*;
        let place = |t| matches!(t, Country | City | Place);
        self == other
            || (self == Thing && other != Concept)
            || (other == Thing && self != Concept)
            || (place(self) && place(other))
    }
}

/// An entity: one node per real-world thing, whatever it was called.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Canonical name; the IRI is minted from it.
    pub name: String,
    pub kind: EntityType,
    /// Wikidata IRI, only when a gazetteer is sure.
    pub same_as: Option<String>,
}

/// A document and its metadata.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// The text, NFC-normalised (see [`normalize_text`]); every offset refers to it.
    pub text: String,
    /// Identifier the user gave (JSON Lines `id`), kept as metadata only.
    pub source_id: Option<String>,
    pub url: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    pub date: Option<String>,
    pub title: Option<String>,
    /// Other metadata fields, sorted by key.
    pub metadata: BTreeMap<String, String>,
}

/// A text span in code points (end exclusive), as NIF counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CharSpan {
    pub begin: usize,
    pub end: usize,
}

/// One mention of an entity in the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub span: CharSpan,
    /// Index into [`DocumentGraph::entities`].
    pub entity: usize,
}

/// One argument or qualifier value: an entity or a literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Entity(usize),
    Text(String),
    /// An `xsd:date` (`YYYY-MM-DD`).
    Date(String),
}

/// Typed qualifiers of a fact (optional adverbials, annotations).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Qualifiers {
    pub time: Option<Value>,
    /// Index into [`DocumentGraph::entities`].
    pub location: Option<usize>,
    pub negated: bool,
    /// `possibility` or `certainty` when the text hedges.
    pub modality: Option<String>,
    /// Index into [`DocumentGraph::entities`].
    pub attributed_to: Option<usize>,
    /// Further n-ary arguments: (role such as `for`, `in`, value).
    pub extra: Vec<(String, Value)>,
}

/// A fact as stated by one sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// Index into [`DocumentGraph::entities`].
    pub subject: usize,
    /// Relation lemma, multiword joined by `_` (`thank`, `turn_to`).
    pub relation: String,
    /// Index into [`DocumentGraph::entities`].
    pub object: usize,
    /// Index into [`DocumentGraph::sentences`].
    pub sentence: usize,
    /// 0..1
    pub confidence: f64,
    /// The surface tuple in the sentence's own words.
    pub surface: String,
    pub qualifiers: Qualifiers,
}

/// Everything one document contributes to the graph.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentGraph {
    pub document: Document,
    pub sentences: Vec<CharSpan>,
    pub entities: Vec<Entity>,
    pub mentions: Vec<Mention>,
    pub facts: Vec<Fact>,
}

/// NFC normalisation, applied to every document before hashing or offsets.
pub fn normalize_text(text: &str) -> String {
    text.nfc().collect()
}

/// First 16 hex digits of SHA-256.
pub fn hash16(data: &[u8]) -> String {
    format!("{:016x}", hash64(data))
}

/// The first 64 bits of SHA-256, big-endian: the number `hash16` writes in hex, so
/// two texts have the same `hash64` exactly when they have the same `hash16` (and
/// the same document IRI).
pub fn hash64(data: &[u8]) -> u64 {
    let digest = Sha256::digest(data);
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// Mints every IRI `kg` writes. The base must end in `/` or `#`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iris {
    base: String,
}

/// The reason a base IRI is refused.
#[derive(Debug, thiserror::Error)]
#[error("invalid base IRI {iri:?}: {reason}")]
pub struct BaseIriError {
    pub iri: String,
    pub reason: &'static str,
}

impl Default for Iris {
    fn default() -> Self {
        Iris {
            base: DEFAULT_BASE_IRI.to_owned(),
        }
    }
}

impl Iris {
    pub fn new(base: &str) -> Result<Iris, BaseIriError> {
        let err = |reason| BaseIriError {
            iri: base.to_owned(),
            reason,
        };
        let Some((scheme, rest)) = base.split_once(':') else {
            return Err(err(
                "no scheme (expected something like http://example.org/kg/)",
            ));
        };
        if scheme.is_empty()
            || !scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return Err(err("bad scheme"));
        }
        if rest.is_empty() {
            return Err(err("nothing after the scheme"));
        }
        if base
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"{}|\\^`".contains(c))
        {
            return Err(err("contains a character IRIs do not allow"));
        }
        if !(base.ends_with('/') || base.ends_with('#')) {
            return Err(err("must end with '/' or '#'"));
        }
        Ok(Iris {
            base: base.to_owned(),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn ent_ns(&self) -> String {
        format!("{}entity/", self.base)
    }
    pub fn rel_ns(&self) -> String {
        format!("{}rel/", self.base)
    }
    pub fn fact_ns(&self) -> String {
        format!("{}fact/", self.base)
    }
    pub fn concept_ns(&self) -> String {
        format!("{}concept/", self.base)
    }
    pub fn kgv_ns(&self) -> String {
        format!("{}ns#", self.base)
    }
    pub fn doc_ns(&self) -> String {
        format!("{}doc/", self.base)
    }

    /// `ent:{Slug}` for named entities, `{base}concept/{slug}` for concepts, so a
    /// concept "turkey" never collides with the country.
    pub fn entity(&self, entity: &Entity) -> String {
        if entity.kind == EntityType::Concept {
            format!("{}concept/{}", self.base, slug(&entity.name))
        } else {
            format!("{}entity/{}", self.base, slug(&entity.name))
        }
    }

    pub fn relation(&self, lemma: &str) -> String {
        format!("{}rel/{}", self.base, slug(&relation_key(lemma)))
    }

    /// `{base}doc/{h16}` of the NFC text.
    pub fn document(&self, nfc_text: &str) -> String {
        self.document_with_hash(hash64(nfc_text.as_bytes()))
    }

    /// `document` from the text's `hash64`, for a caller that already has it.
    pub fn document_with_hash(&self, hash: u64) -> String {
        format!("{}doc/{hash:016x}", self.base)
    }

    /// `{doc}#char={b},{e}` (RFC 5147, code points).
    pub fn span(&self, doc_iri: &str, span: CharSpan) -> String {
        format!("{doc_iri}#char={},{}", span.begin, span.end)
    }

    /// `fact:{h16}` of subject, predicate, object and sentence IRIs.
    pub fn fact(&self, s: &str, p: &str, o: &str, sentence: &str) -> String {
        let key = format!("{s}\n{p}\n{o}\n{sentence}");
        format!("{}fact/{}", self.base, hash16(key.as_bytes()))
    }

    /// `{base}run/{stamp}` for one `kg ingest` activity; `stamp` like `20261125T224000Z`.
    pub fn run(&self, stamp: &str) -> String {
        format!("{}run/{stamp}", self.base)
    }

    pub fn agent(&self) -> String {
        format!("{}agent/kg-{}", self.base, env!("CARGO_PKG_VERSION"))
    }

    pub fn vocab(&self, local: &str) -> String {
        format!("{}ns#{local}", self.base)
    }
}

/// Relation lemma normalised to a key: lowercase, whitespace runs → `_`.
pub fn relation_key(lemma: &str) -> String {
    lemma
        .split_whitespace()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// DBpedia-style slug: NFC, spaces → `_`, letters/digits/`-`/`_`/`.` kept,
/// everything else percent-encoded (UTF-8 bytes).
pub fn slug(name: &str) -> String {
    let nfc: String = name.trim().nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    let mut last_underscore = false;
    for c in nfc.chars() {
        if c.is_whitespace() {
            if !last_underscore && !out.is_empty() {
                out.push('_');
                last_underscore = true;
            }
            continue;
        }
        last_underscore = c == '_';
        if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// Byte offset → code-point offset table for one text.
pub struct CharIndex {
    /// Byte offsets of every char boundary, plus the text length.
    starts: Vec<usize>,
}

impl CharIndex {
    pub fn new(text: &str) -> CharIndex {
        let mut starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        starts.push(text.len());
        CharIndex { starts }
    }

    /// Code-point offset of a byte offset (rounded down to a char boundary).
    pub fn char_of(&self, byte: usize) -> usize {
        match self.starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    pub fn span(&self, bytes: (usize, usize)) -> CharSpan {
        CharSpan {
            begin: self.char_of(bytes.0),
            end: self.char_of(bytes.1),
        }
    }

    /// Number of code points.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The substring of `text` at a code-point span, if it is in range.
pub fn slice_chars(text: &str, span: CharSpan) -> Option<&str> {
    let mut iter = text.char_indices().map(|(i, _)| i).chain([text.len()]);
    let begin = iter.nth(span.begin)?;
    if span.end < span.begin {
        return None;
    }
    let end = if span.end == span.begin {
        begin
    } else {
        iter.nth(span.end - span.begin - 1)?
    };
    Some(&text[begin..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_follows_dbpedia_style() {
        assert_eq!(slug("Kassym-Jomart Tokayev"), "Kassym-Jomart_Tokayev");
        assert_eq!(slug("  a  b "), "a_b");
        assert_eq!(slug("AT&T"), "AT%26T");
        assert_eq!(slug("Владимир Путин"), "Владимир_Путин");
        assert_eq!(slug("\"quoted\""), "%22quoted%22");
        assert_eq!(slug(""), "_");
    }

    #[test]
    fn slug_is_nfc_stable() {
        // "é" composed vs decomposed give the same slug.
        assert_eq!(slug("Caf\u{e9}"), slug("Cafe\u{301}"));
    }

    #[test]
    fn iris_are_deterministic() {
        let iris = Iris::new("https://example.org/kg/").unwrap();
        let person = Entity {
            name: "Vladimir Putin".into(),
            kind: EntityType::Person,
            same_as: None,
        };
        assert_eq!(
            iris.entity(&person),
            "https://example.org/kg/entity/Vladimir_Putin"
        );
        assert_eq!(
            iris.relation("turn to"),
            "https://example.org/kg/rel/turn_to"
        );
        let d = iris.document("abc");
        assert_eq!(d, "https://example.org/kg/doc/ba7816bf8f01cfea");
        assert_eq!(
            iris.span(&d, CharSpan { begin: 0, end: 3 }),
            format!("{d}#char=0,3")
        );
        let f1 = iris.fact("s", "p", "o", "x");
        assert_eq!(f1, iris.fact("s", "p", "o", "x"));
        assert_ne!(f1, iris.fact("s", "p", "o", "y"));
    }

    #[test]
    fn concepts_do_not_collide_with_entities() {
        let iris = Iris::default();
        let a = Entity {
            name: "Turkey".into(),
            kind: EntityType::Country,
            same_as: None,
        };
        let b = Entity {
            name: "Turkey".into(),
            kind: EntityType::Concept,
            same_as: None,
        };
        assert_ne!(iris.entity(&a), iris.entity(&b));
    }

    #[test]
    fn base_iri_is_validated() {
        assert!(Iris::new("http://kg.local/").is_ok());
        assert!(Iris::new("urn:x:kg#").is_ok());
        assert!(Iris::new("kg.local/").is_err());
        assert!(Iris::new("http://kg.local").is_err());
        assert!(Iris::new("http://kg local/").is_err());
    }

    #[test]
    fn char_index_counts_code_points() {
        let text = "«Путин» 👍 ok";
        let idx = CharIndex::new(text);
        let ok = text.find("ok").unwrap();
        assert_eq!(idx.char_of(ok), text[..ok].chars().count());
        let span = idx.span((ok, ok + 2));
        assert_eq!(slice_chars(text, span), Some("ok"));
        assert_eq!(idx.len(), text.chars().count());
        assert_eq!(slice_chars(text, CharSpan { begin: 0, end: 99 }), None);
    }

    #[test]
    fn types_compatibility() {
        assert!(EntityType::Country.compatible(EntityType::Place));
        assert!(EntityType::Thing.compatible(EntityType::Person));
        assert!(!EntityType::Person.compatible(EntityType::Organization));
        assert!(!EntityType::Concept.compatible(EntityType::Thing));
    }
}
