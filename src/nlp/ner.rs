//! Named-entity recognition: a first-order structured averaged perceptron over BILOU tags
//! for five types (PER ORG LOC DATE EVENT), decoded with Viterbi, plus the reader for
//! GUM's `Entity=` annotations that provides its training data.
//!
//! Why Viterbi rather than greedy left-to-right decoding with previous-label features:
//! measured on GUM dev it is +2 F1 (gold and predicted tags; UNER: +1 gold tags, ±0
//! predicted), because a greedy decoder commits to B-PER on the first word of "Harrow
//! School" before it sees "School". Invalid transitions (I/L without a preceding B/I of
//! the same type) are excluded from the search, so every sequence is well-formed.
//! Decoding costs one emission scoring per word plus three label features per previous
//! label (~25 small lookups per word): still far below the parser's cost.
//!
//! Why derive spans from GUM: GUM marks *every* mention (pronouns, nominals, names) with a
//! type and coreference id, not named entities as such. We keep a mention as a named entity
//! when its syntactic head is a proper noun (PROPN), and cut the name out of the mention:
//! the maximal run of proper nouns around the head, joined across connectors ("University
//! of Portsmouth", "Kassym - Jomart"), stopping at title words ("President", "Dr") and never
//! including "the" — the conventions of UNER/CoNLL, measured in `eval::ner`. Time mentions
//! become DATE when headed by a proper noun or number, or containing a month or year.
//!
//! The gazetteer is compiled into the model file (its lowercase phrases, plus general
//! English word lists: regions, cities, given names, organization and place keywords), so
//! `tag` needs only the sentence and training and tagging can never see different lists.
//!
//! Decoded spans pass a small repair step (`Ner::repair`) that enforces the target
//! conventions the model only mostly learns: titles, demonyms and role nouns before a
//! person's name are cut ("German Chancellor Anna Berg" -> "Anna Berg"), a nationality
//! word alone is no entity, addresses and trailing lowercase words are dropped.

use crate::nlp::conllu::{Sentence, Word};
use crate::nlp::gazetteer::Gazetteer;
use crate::nlp::perceptron::{FeatureHash, ModelError, Perceptron, hash_feature, io};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

/// Named-entity types of the `kg parse` MISC column (DESIGN.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NerKind {
    Per,
    Org,
    Loc,
    Date,
    Event,
    /// Other proper names (works, products, languages, fields: GUM's abstract/object/…
    /// mentions with a proper-noun head). Learned so that the model does not confuse them
    /// with the five output types, but never returned by `Ner::tag`.
    Misc,
}

impl NerKind {
    /// The five output types.
    pub const ALL: [NerKind; 5] = [
        NerKind::Per,
        NerKind::Org,
        NerKind::Loc,
        NerKind::Date,
        NerKind::Event,
    ];
    const INTERNAL: [NerKind; 6] = [
        NerKind::Per,
        NerKind::Org,
        NerKind::Loc,
        NerKind::Date,
        NerKind::Event,
        NerKind::Misc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NerKind::Per => "PER",
            NerKind::Org => "ORG",
            NerKind::Loc => "LOC",
            NerKind::Date => "DATE",
            NerKind::Event => "EVENT",
            NerKind::Misc => "MISC",
        }
    }

    pub fn parse(s: &str) -> Option<NerKind> {
        NerKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    fn index(self) -> usize {
        self as usize
    }

    /// GUM entity type -> NER type (abstract, object, animal, … -> the internal `Misc`).
    pub fn from_gum(etype: &str) -> Option<NerKind> {
        match etype {
            "person" => Some(NerKind::Per),
            "organization" => Some(NerKind::Org),
            "place" => Some(NerKind::Loc),
            "time" => Some(NerKind::Date),
            "event" => Some(NerKind::Event),
            "abstract" | "object" | "animal" | "plant" | "substance" => Some(NerKind::Misc),
            _ => None,
        }
    }
}

/// An entity span over word indices of one sentence (0-based, `end` exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntitySpan {
    pub start: usize,
    pub end: usize,
    pub kind: NerKind,
}

impl EntitySpan {
    pub fn new(start: usize, end: usize, kind: NerKind) -> EntitySpan {
        EntitySpan { start, end, kind }
    }
}

/// Title and honorific words that precede a name but are not part of it (general English).
pub const TITLE_WORDS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "president",
    "vice",
    "premier",
    "minister",
    "prime",
    "chancellor",
    "secretary",
    "senator",
    "sen",
    "rep",
    "representative",
    "congressman",
    "congresswoman",
    "governor",
    "gov",
    "mayor",
    "king",
    "queen",
    "prince",
    "princess",
    "emperor",
    "empress",
    "pope",
    "saint",
    "st",
    "general",
    "gen",
    "colonel",
    "col",
    "captain",
    "capt",
    "lieutenant",
    "lt",
    "sergeant",
    "sgt",
    "admiral",
    "commander",
    "judge",
    "justice",
    "chief",
    "ambassador",
    "chairman",
    "chairwoman",
    "chair",
    "ceo",
    "director",
    "coach",
    "rev",
    "reverend",
    "father",
    "bishop",
    "archbishop",
    "rabbi",
    "imam",
    "sheikh",
    "officer",
    "detective",
    "agent",
    "deputy",
    "foreign",
    "defense",
    "defence",
    "speaker",
    "leader",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "head",
    "mx",
    "jr",
    "sr",
];

/// A month name or abbreviation, or a weekday name, in lower case ("jan.", "monday").
fn is_calendar_word(lower: &str) -> bool {
    crate::text::calendar::month_of(lower).is_some()
        || crate::text::calendar::WEEKDAYS.contains(&lower)
}

/// Greetings that precede a name in letters and mails ("Dear Anna", "Hi Tom").
const SALUTATIONS: &[&str] = &["dear", "hi", "hello", "hey", "thanks", "morning"];

/// Role nouns that, like titles, are directly followed by a person's name ("his Polish
/// counterpart Jan Nowak", "her colleague Ana Silva").
const ROLE_NOUNS: &[&str] = &[
    "counterpart",
    "colleague",
    "successor",
    "predecessor",
    "rival",
    "opponent",
    "envoy",
    "aide",
    "adviser",
    "advisor",
    "lawyer",
    "attorney",
    "founder",
    "author",
    "actor",
    "actress",
    "singer",
    "writer",
    "player",
    "manager",
    "owner",
    "wife",
    "husband",
    "son",
    "daughter",
    "brother",
    "sister",
    "aunt",
    "uncle",
    "cousin",
    "nephew",
    "niece",
    "grandmother",
    "grandfather",
    "teacher",
    "friend",
];

/// Nouns that name a kind of organization; a name in apposition to one is the name of
/// an organization ("the militant group Hamdan", "the carmaker Lotta", "satellite imaging
/// company Keyhole").
const ORG_NOUNS: &[&str] = &[
    "organisation",
    "organization",
    "group",
    "company",
    "firm",
    "party",
    "movement",
    "agency",
    "network",
    "bank",
    "newspaper",
    "broadcaster",
    "airline",
    "carrier",
    "retailer",
    "manufacturer",
    "carmaker",
    "automaker",
    "startup",
    "start-up",
    "bloc",
    "alliance",
    "coalition",
    "faction",
    "militia",
    "charity",
    "foundation",
    "publisher",
    "label",
    "conglomerate",
    "corporation",
    "insurer",
    "lender",
    "operator",
    "supplier",
    "developer",
    "chain",
];

/// Nouns that name a kind of place; a name in apposition to one, or after one and "of",
/// is a place ("the eastern city Baqubah", "the town of Hilla", "Zeeland province").
const LOC_NOUNS: &[&str] = &[
    "city",
    "town",
    "village",
    "province",
    "region",
    "district",
    "county",
    "country",
    "island",
    "capital",
    "port",
    "suburb",
    "neighbourhood",
    "neighborhood",
    "municipality",
    "state",
];

/// The kind of the name at `start..end` when its sentence states it with a class noun
/// right before it (`ORG_NOUNS`, `LOC_NOUNS`): in the tree, the name's head is an
/// `appos` of the noun ("the group, Hamdan" / "the militant group Hamdan"), or the
/// noun a `compound` or `nmod:desc` of the name's head ("company Keyhole"), or, for
/// places, the name the noun's `nmod` after "of" ("the city of Hilla"). A name that is
/// the subject of a relative clause ("the group Anna founded") is not typed.
fn class_noun_kind(
    s: &Sentence,
    start: usize,
    end: usize,
    given: &dyn Fn(&str) -> bool,
) -> Option<NerKind> {
    let w = &s.words;
    if end > w.len() || start >= end {
        return None;
    }
    let h = span_head(s, start, end);
    if let Some(k) = appositive_after(s, end, h).or_else(|| class_noun_after(s, end, h)) {
        return Some(k);
    }
    if start == 0 {
        return None;
    }
    if let Some(k) = employer(s, start, end, given) {
        return Some(k);
    }
    let of = start >= 2 && w[start - 1].form == "of";
    let noun = if of { start - 2 } else { start - 1 };
    // a person noun before a name is `complete_person_names`'s case ("President X")
    let kind = match class_of_noun(&w[noun].form)? {
        NerKind::Org if !of => NerKind::Org,
        NerKind::Loc => NerKind::Loc,
        _ => return None,
    };
    let stated = if of {
        w[h].head == noun + 1 && w[h].deprel.starts_with("nmod")
    } else {
        (w[h].head == noun + 1 && w[h].deprel.starts_with("appos"))
            || (w[noun].head == h + 1
                && matches!(w[noun].deprel.as_str(), "compound" | "nmod:desc"))
    };
    stated.then_some(kind)
}

/// The kind of thing a lowercase class noun names: `ORG_NOUNS` an organization,
/// `LOC_NOUNS` a place, `EVENT_NOUNS` an event, titles, role and person nouns a person.
/// `None` for a capitalized word (part of a name) or any other noun.
fn class_of_noun(form: &str) -> Option<NerKind> {
    if !form.chars().next().is_some_and(char::is_lowercase) {
        return None;
    }
    let l = form.to_lowercase();
    let l = l.as_str();
    if ORG_NOUNS.contains(&l) {
        Some(NerKind::Org)
    } else if LOC_NOUNS.contains(&l) {
        Some(NerKind::Loc)
    } else if EVENT_NOUNS.contains(&l) {
        Some(NerKind::Event)
    } else if is_title_word(l) || ROLE_NOUNS.contains(&l) || PERSON_NOUNS.contains(&l) {
        Some(NerKind::Per)
    } else {
        None
    }
}

/// The kind a class noun right after a name states when the name modifies it ("the
/// ruling Hamdan party", "the Zeeland province"): the name's head is a `compound` of the
/// lowercase noun (`h` is the name's head). Event nouns state nothing here ("the Lumo
/// summit"), nor do person nouns.
fn class_noun_after(s: &Sentence, end: usize, h: usize) -> Option<NerKind> {
    let w = &s.words;
    let noun = w.get(end)?;
    if !(w[h].head == end + 1 && w[h].deprel == "compound") {
        return None;
    }
    // not events: "the Lumo conference" is Lumo's conference, not Lumo
    class_of_noun(&noun.form).filter(|k| matches!(k, NerKind::Org | NerKind::Loc))
}

/// Work nouns besides `PERSON_NOUNS` and `ROLE_NOUNS` whose "at"/"for" names an employer.
const WORK_NOUNS: &[&str] = &[
    "student",
    "teacher",
    "employee",
    "worker",
    "engineer",
    "researcher",
    "scientist",
    "consultant",
    "intern",
    "coach",
    "volunteer",
    "staff",
    "lecturer",
    "fellow",
    "partner",
];

/// `Some(Org)` for an employer: a name after "at" or "for" that modifies a person's work
/// noun ("an editor at Blue Forum", "a spokesman for Hamdan", "a student at Westbury"),
/// unless it starts with a given name (`given`, on the lowercase word).
fn employer(
    s: &Sentence,
    start: usize,
    end: usize,
    given: &dyn Fn(&str) -> bool,
) -> Option<NerKind> {
    let w = &s.words;
    // a person can be worked for too ("a writer for Jimmy Fallon")
    if start < 2
        || !matches!(w[start - 1].form.as_str(), "at" | "for")
        || given(&w[start].form.to_lowercase())
    {
        return None;
    }
    let noun = start - 2;
    let l = w[noun].form.to_lowercase();
    let work = w[noun].form.chars().next().is_some_and(char::is_lowercase)
        && (PERSON_NOUNS.contains(&l.as_str())
            || ROLE_NOUNS.contains(&l.as_str())
            || WORK_NOUNS.contains(&l.as_str()));
    let h = span_head(s, start, end);
    (work && w[h].head == noun + 1 && w[h].deprel.starts_with("nmod")).then_some(NerKind::Org)
}

/// Nouns (besides titles and `ROLE_NOUNS`) that, as an appositive after a name, say
/// it names a person ("Hamdan, the leader of …").
const PERSON_NOUNS: &[&str] = &[
    "leader",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "official",
    "cleric",
    "commander",
    "chief",
    "head",
    "director",
    "executive",
    "chairman",
    "chairwoman",
    "professor",
    "journalist",
    "reporter",
    "editor",
    "analyst",
    "economist",
    "member",
];

/// Nouns that name a kind of event; a name in apposition to one is an event's name
/// ("Mela Utsav, an annual procession"). (A name modifying one is not: "the NATO
/// summit".)
const EVENT_NOUNS: &[&str] = &[
    "festival",
    "procession",
    "parade",
    "carnival",
    "celebration",
    "ceremony",
    "rally",
    "conference",
    "summit",
    "tournament",
    "championship",
    "war",
    "battle",
    "election",
    "fair",
    "exhibition",
];

/// The kind an appositive after a name states: "Hamdan, the militant group" (ORG),
/// "Hilla, a town north of …" (LOC), "Hamdan, the leader of …" (PER). `h` is the name's
/// head; the appositive is a dependent of it right after the name (`end`), with a
/// comma, determiners and adjectives before its noun.
fn appositive_after(s: &Sentence, end: usize, h: usize) -> Option<NerKind> {
    let w = &s.words;
    let c = (end..w.len()).find(|&c| w[c].head == h + 1 && w[c].deprel.starts_with("appos"))?;
    // only a comma, determiners and modifiers between the name and the noun
    let between_ok = (end..c).all(|k| {
        w[k].form == ","
            || (w[k].head == c + 1 && matches!(w[k].deprel.as_str(), "det" | "amod" | "compound"))
    });
    if !between_ok {
        return None;
    }
    class_of_noun(&w[c].form)
}

/// Last words that make a capitalized name an organization (`Ner::keyword_names`).
/// Stricter than the phrase lists' "orgword" class and than `coref`'s name heads: these
/// add spans where the model found none, so only words that head names ("Systems",
/// "News", "Group" do not).
const STRONG_ORG_HEADS: &[&str] = &[
    "university",
    "college",
    "institute",
    "academy",
    "party",
    "ministry",
    "department",
    "agency",
    "bureau",
    "commission",
    "committee",
    "council",
    "association",
    "federation",
    "foundation",
    "league",
    "court",
    "parliament",
    "organization",
    "organisation",
    "corporation",
    "inc",
    "corp",
    "ltd",
    "llc",
    "plc",
];

/// Last words that make a capitalized name a place (`Ner::keyword_names`).
const STRONG_LOC_HEADS: &[&str] = &[
    "street",
    "road",
    "avenue",
    "boulevard",
    "river",
    "lake",
    "mountains",
    "county",
    "province",
    "island",
    "islands",
    "valley",
    "bay",
    "peninsula",
    "desert",
    "canyon",
];

/// Lowercase particles inside family names ("al-Rashid", "van Dijk", "de Souza").
const NAME_PARTICLES: &[&str] = &[
    "al", "el", "bin", "ibn", "bint", "abu", "van", "von", "de", "da", "di", "du", "der", "den",
    "ter", "dos", "das", "del", "della", "le", "la",
];

/// Words that may join proper nouns inside one name ("Bank of England", "AT & T").
const CONNECTORS: &[&str] = &[
    "of", "de", "la", "le", "du", "da", "von", "van", "der", "den", "del", "and", "&", "for", "-",
    "the", "on", "upon", "'s",
];

pub fn is_title_word(w: &str) -> bool {
    let l = w.trim_end_matches('.').to_lowercase();
    TITLE_WORDS.contains(&l.as_str())
}

// ---------------------------------------------------------------------------------------
// GUM Entity= annotations
// ---------------------------------------------------------------------------------------

/// One GUM mention (any type, named or not), within one sentence of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GumMention {
    /// Sentence index within the document.
    pub sentence: usize,
    /// Word indices, 0-based, end exclusive.
    pub start: usize,
    pub end: usize,
    /// Coreference group id (same id = same entity within the document).
    pub eid: String,
    pub etype: String,
    /// Wikipedia identity when annotated ("Barack_Obama").
    pub identity: Option<String>,
}

/// A GUM document: its sentences and all their mentions.
#[derive(Debug, Clone)]
pub struct GumDoc {
    pub id: String,
    pub sentences: Vec<Sentence>,
    pub mentions: Vec<GumMention>,
}

/// Field positions from `# global.Entity = GRP-etype-infstat-…-identity`.
#[derive(Debug, Clone, Copy)]
struct EntityLayout {
    etype: usize,
    identity: Option<usize>,
}

impl EntityLayout {
    fn parse(spec: &str) -> EntityLayout {
        let fields: Vec<&str> = spec.trim().split('-').collect();
        let etype = fields.iter().position(|f| *f == "etype").unwrap_or(1);
        let identity = fields.iter().position(|f| *f == "identity");
        EntityLayout { etype, identity }
    }
}

impl Default for EntityLayout {
    fn default() -> Self {
        EntityLayout {
            etype: 1,
            identity: Some(7),
        }
    }
}

/// Splits sentences into documents (`# newdoc id = …`) and reads every `Entity=` bracket.
/// Malformed brackets (a close without an open) are skipped, never a panic.
pub fn gum_documents(sentences: Vec<Sentence>) -> Vec<GumDoc> {
    let mut docs: Vec<GumDoc> = Vec::new();
    let mut layout = EntityLayout::default();
    for s in sentences {
        let newdoc = s.meta("newdoc id").map(str::to_string);
        if let Some(spec) = s.meta("global.Entity") {
            layout = EntityLayout::parse(spec);
        }
        if newdoc.is_some() || docs.is_empty() {
            docs.push(GumDoc {
                id: newdoc.unwrap_or_default(),
                sentences: Vec::new(),
                mentions: Vec::new(),
            });
        }
        let Some(doc) = docs.last_mut() else { continue };
        let si = doc.sentences.len();
        doc.mentions.extend(sentence_mentions(&s, si, layout));
        doc.sentences.push(s);
    }
    docs
}

fn sentence_mentions(s: &Sentence, si: usize, layout: EntityLayout) -> Vec<GumMention> {
    let mut open: Vec<(String, usize, String, Option<String>)> = Vec::new();
    let mut out = Vec::new();
    for (wi, w) in s.words.iter().enumerate() {
        let Some(ent) = w.misc_value("Entity") else {
            continue;
        };
        let b = ent.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'(' {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'(' && b[j] != b')' {
                    j += 1;
                }
                let body = &ent[i + 1..j];
                let fields: Vec<&str> = body.split('-').collect();
                let eid = fields.first().copied().unwrap_or("").to_string();
                let etype = fields.get(layout.etype).copied().unwrap_or("").to_string();
                let identity = layout
                    .identity
                    .filter(|&k| k < fields.len())
                    .map(|k| fields[k..].join("-"))
                    .filter(|x| !x.is_empty());
                if j < b.len() && b[j] == b')' {
                    out.push(GumMention {
                        sentence: si,
                        start: wi,
                        end: wi + 1,
                        eid,
                        etype,
                        identity,
                    });
                    i = j + 1;
                } else {
                    open.push((eid, wi, etype, identity));
                    i = j;
                }
            } else if b[i].is_ascii_digit() || b[i].is_ascii_alphabetic() {
                let mut j = i;
                while j < b.len() && b[j] != b')' && b[j] != b'(' {
                    j += 1;
                }
                let eid = &ent[i..j];
                if let Some(pos) = open.iter().rposition(|o| o.0 == eid) {
                    let (eid, start, etype, identity) = open.remove(pos);
                    out.push(GumMention {
                        sentence: si,
                        start,
                        end: wi + 1,
                        eid,
                        etype,
                        identity,
                    });
                }
                i = j + 1;
            } else {
                i += 1;
            }
        }
    }
    out.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    out
}

/// A file name with a common extension ("CrudeStocks.pdf", "notes.docx"): never a name.
fn is_file_name(f: &str) -> bool {
    const EXT: &[&str] = &[
        "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "csv", "zip", "jpg", "jpeg",
        "png", "gif", "htm", "html", "xml", "json", "mp3", "mp4", "exe",
    ];
    f.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && EXT.contains(&ext.to_ascii_lowercase().as_str())
    })
}

/// Whether a sentence is normally cased: upper and lower case letters, and not every
/// word capitalized (a heading).
fn is_cased(w: &[Word]) -> bool {
    w.iter().any(|x| x.form.chars().any(char::is_uppercase))
        && w.iter().any(|x| x.form.chars().any(char::is_lowercase))
        && !w
            .iter()
            .filter(|x| x.form.chars().any(char::is_alphabetic))
            .all(|x| x.form.chars().next().is_some_and(char::is_uppercase))
}

/// Syntactic head of words `start..end`: the first word whose head lies outside the span.
pub fn span_head(s: &Sentence, start: usize, end: usize) -> usize {
    for i in start..end.min(s.words.len()) {
        let h = s.words[i].head;
        if h == 0 || h - 1 < start || h > end {
            return i;
        }
    }
    start
}

fn lower(w: &Word) -> String {
    w.form.to_lowercase()
}

/// Proper nouns, and capitalized content words inside a name ("National Library",
/// "United States": GUM tags such modifiers ADJ/VERB). Never a title word.
fn is_name_token(w: &Word) -> bool {
    if is_title_word(&w.form) {
        return false;
    }
    w.upos == "PROPN"
        || (matches!(w.upos.as_str(), "ADJ" | "NOUN" | "VERB" | "NUM" | "X")
            && w.form.chars().next().is_some_and(char::is_uppercase))
}

/// Cuts the proper name out of a mention whose head is `head` (see module docs).
pub fn name_span_around(
    s: &Sentence,
    start: usize,
    end: usize,
    head: usize,
) -> Option<(usize, usize)> {
    let w = &s.words;
    if head >= w.len() || w[head].upos != "PROPN" || is_title_word(&w[head].form) {
        return None;
    }
    let mut a = head;
    let mut b = head + 1;
    // Extend left: name tokens directly, connectors only when a name token precedes them.
    while a > start {
        let p = &w[a - 1];
        if is_name_token(p) {
            a -= 1;
        } else if CONNECTORS.contains(&lower(p).as_str())
            && lower(p) != "the"
            && a >= start + 2
            && is_name_token(&w[a - 2])
        {
            a -= 2;
        } else {
            break;
        }
    }
    // Extend right the same way; numbers directly after a name count ("World War II").
    loop {
        if b >= end {
            break;
        }
        let n = &w[b];
        if is_name_token(n) || (n.upos == "NUM" && is_name_token(&w[b - 1])) {
            b += 1;
            continue;
        }
        let l = lower(n);
        if CONNECTORS.contains(&l.as_str()) {
            // connector(s) then a name token
            let mut k = b + 1;
            while k < end && CONNECTORS.contains(&lower(&w[k]).as_str()) {
                k += 1;
            }
            if k < end && is_name_token(&w[k]) && l != "'s" {
                b = k + 1;
                continue;
            }
        }
        break;
    }
    Some((a, b))
}

fn is_date_like(s: &Sentence, start: usize, end: usize) -> bool {
    s.words[start..end].iter().any(|w| {
        let l = lower(w);
        is_calendar_word(&l)
            || (l.len() == 4
                && l.chars().all(|c| c.is_ascii_digit())
                && (l.starts_with("1") || l.starts_with("2")))
            || (l.len() == 5 && l.ends_with('s') && l[..4].chars().all(|c| c.is_ascii_digit()))
    })
}

/// The named-entity spans of one sentence derived from its GUM mentions (outermost wins).
/// With a gazetteer, nationality nouns ("Americans") are not names.
pub fn gum_named_spans(
    s: &Sentence,
    mentions: &[&GumMention],
    gaz: Option<&Gazetteer>,
) -> Vec<EntitySpan> {
    let mut cands: Vec<EntitySpan> = Vec::new();
    for m in mentions {
        let Some(kind) = NerKind::from_gum(&m.etype) else {
            continue;
        };
        if m.end > s.words.len() || m.start >= m.end {
            continue;
        }
        let head = span_head(s, m.start, m.end);
        if kind == NerKind::Date {
            let hw = &s.words[head];
            if !(hw.upos == "PROPN" || hw.upos == "NUM" || is_date_like(s, m.start, m.end)) {
                continue;
            }
            let mut a = m.start;
            while a < m.end && matches!(s.words[a].upos.as_str(), "DET" | "ADP" | "PUNCT" | "CCONJ")
            {
                a += 1;
            }
            // Stop where a clause or a non-date appendix starts ("October, 1805, when I…").
            let mut b = a;
            while b < m.end {
                let w = &s.words[b];
                let stop = matches!(w.upos.as_str(), "VERB" | "AUX" | "PRON" | "SCONJ" | "ADV")
                    || (w.form == "," && s.words.get(b + 1).is_none_or(|n| n.upos != "NUM"));
                if stop {
                    break;
                }
                b += 1;
            }
            while b > a && s.words[b - 1].upos == "PUNCT" {
                b -= 1;
            }
            if a < b {
                cands.push(EntitySpan {
                    start: a,
                    end: b,
                    kind,
                });
            }
            continue;
        }
        if let Some((a, b)) = name_span_around(s, m.start, m.end, head) {
            // Nationality nouns ("Americans") are not named entities in UNER/CoNLL.
            if b - a == 1
                && gaz.is_some_and(|g| {
                    g.demonym(s.words[a].form.trim_end_matches('s')).is_some()
                        || g.demonym(&s.words[a].form).is_some()
                })
            {
                continue;
            }
            cands.push(EntitySpan {
                start: a,
                end: b,
                kind,
            });
        }
    }
    // Outermost (longest, then earliest) first; drop anything overlapping a kept span.
    cands.sort_by(|x, y| (y.end - y.start, x.start).cmp(&(x.end - x.start, y.start)));
    let mut kept: Vec<EntitySpan> = Vec::new();
    for c in cands {
        if kept.iter().all(|k| c.end <= k.start || c.start >= k.end) {
            kept.push(c);
        }
    }
    kept.sort();
    kept
}

/// Reads a GUM CoNLL-U file into (sentence, named spans) training pairs.
pub fn gum_training_data(
    docs: &[GumDoc],
    gaz: Option<&Gazetteer>,
) -> Vec<(Sentence, Vec<EntitySpan>)> {
    let mut out = Vec::new();
    for d in docs {
        for (si, s) in d.sentences.iter().enumerate() {
            let ms: Vec<&GumMention> = d.mentions.iter().filter(|m| m.sentence == si).collect();
            out.push((s.clone(), gum_named_spans(s, &ms, gaz)));
        }
    }
    out
}

/// Like [`gum_training_data`], but the sentences paired with the spans are `analysed`
/// (the same sentences, in the same order, re-analysed by kg's own tagger and
/// lemmatizer) while the spans still come from the gold analysis of `docs`.
/// Why: at run time NER only sees predicted tags; a model trained on gold tags learns to
/// trust PROPN, which kg's tagger also gives to capitalized common nouns and withholds
/// from some names (GUM dev, kg's tags: +2.3 F1; coreference on kg's tags +3.5). A
/// sentence whose analysed copy is missing or has other words keeps its gold analysis.
pub fn gum_training_data_with(
    docs: &[GumDoc],
    gaz: Option<&Gazetteer>,
    analysed: &[Sentence],
) -> Vec<(Sentence, Vec<EntitySpan>)> {
    let mut out = gum_training_data(docs, gaz);
    for ((s, _), a) in out.iter_mut().zip(analysed) {
        let same = a.words.len() == s.words.len()
            && a.words.iter().zip(&s.words).all(|(x, y)| x.form == y.form);
        if same {
            *s = a.clone();
        }
    }
    out
}

/// GUM train with jack-knifed tags, exactly as `kg train parser` tags its training data:
/// `ewt_train ++ gum_train` split into `folds` folds (sentence `i` of the concatenation
/// in fold `i % folds`), each fold tagged by a tagger trained on the other folds
/// (`Tagger::train(rest, ewt_dev, 7)`), then lemmatized by `lemmatizer`. Returns the GUM
/// part, in order; trees stay gold. (So a run that trains both the parser and NER can
/// pass the GUM part of the parser's jack-knifed data instead of computing it twice.)
pub fn jackknife_gum_tags(
    ewt_train: &[Sentence],
    gum_train: &[Sentence],
    ewt_dev: &[Sentence],
    folds: usize,
    lemmatizer: &crate::nlp::lemma::Lemmatizer,
) -> Vec<Sentence> {
    use crate::nlp::tagger::Tagger;
    let train: Vec<Sentence> = ewt_train.iter().chain(gum_train).cloned().collect();
    let mut tagged = crate::nlp::parser::jackknife(
        &train,
        folds,
        |rest| Tagger::train(rest, ewt_dev, 7),
        |tagger, s| tagger.tag(s),
    );
    let mut gum = tagged.split_off(ewt_train.len());
    for s in &mut gum {
        lemmatizer.lemmatize(s);
    }
    gum
}

// ---------------------------------------------------------------------------------------
// BILOU labels
// ---------------------------------------------------------------------------------------

const N_LABELS: usize = 1 + 4 * 6;
const POS_B: usize = 0;
const POS_I: usize = 1;
const POS_L: usize = 2;
const POS_U: usize = 3;

fn label(kind: NerKind, pos: usize) -> usize {
    1 + kind.index() * 4 + pos
}

fn label_parts(l: usize) -> Option<(NerKind, usize)> {
    if l == 0 || l >= N_LABELS {
        return None;
    }
    Some((NerKind::INTERNAL[(l - 1) / 4], (l - 1) % 4))
}

fn label_name(l: usize) -> String {
    match label_parts(l) {
        None => "O".into(),
        Some((k, p)) => format!("{}-{}", ["B", "I", "L", "U"][p], k.as_str()),
    }
}

/// `label_name` of every label, built once (Viterbi asks for them at every word).
fn label_names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| (0..N_LABELS).map(label_name).collect())
}

/// BILOU label sequence of spans (overlaps: later spans ignored).
pub fn spans_to_labels(n: usize, spans: &[EntitySpan]) -> Vec<usize> {
    let mut l = vec![0; n];
    for sp in spans {
        if sp.end > n || sp.start >= sp.end || l[sp.start..sp.end].iter().any(|&x| x != 0) {
            continue;
        }
        if sp.end - sp.start == 1 {
            l[sp.start] = label(sp.kind, POS_U);
        } else {
            l[sp.start] = label(sp.kind, POS_B);
            for x in l.iter_mut().take(sp.end - 1).skip(sp.start + 1) {
                *x = label(sp.kind, POS_I);
            }
            l[sp.end - 1] = label(sp.kind, POS_L);
        }
    }
    l
}

/// Spans of a (well-formed) BILOU sequence.
pub fn labels_to_spans(labels: &[usize]) -> Vec<EntitySpan> {
    let mut out = Vec::new();
    let mut open: Option<(usize, NerKind)> = None;
    for (i, &l) in labels.iter().enumerate() {
        match label_parts(l) {
            None => open = None,
            Some((k, POS_U)) => {
                open = None;
                out.push(EntitySpan {
                    start: i,
                    end: i + 1,
                    kind: k,
                });
            }
            Some((k, POS_B)) => open = Some((i, k)),
            Some((k, POS_I)) => {
                if !matches!(open, Some((_, ok)) if ok == k) {
                    open = Some((i, k));
                }
            }
            Some((k, _)) => {
                let st = match open {
                    Some((s, ok)) if ok == k => s,
                    _ => i,
                };
                out.push(EntitySpan {
                    start: st,
                    end: i + 1,
                    kind: k,
                });
                open = None;
            }
        }
    }
    out
}

/// May label `next` follow label `prev`?
fn allowed(prev: usize, next: usize) -> bool {
    let p = label_parts(prev);
    let n = label_parts(next);
    let open = matches!(p, Some((_, POS_B)) | Some((_, POS_I)));
    match n {
        None | Some((_, POS_B)) | Some((_, POS_U)) => !open,
        Some((k, _)) => matches!(p, Some((pk, POS_B)) | Some((pk, POS_I)) if pk == k),
    }
}

/// The labels that may follow each label (`allowed`, tabulated once): 2 after an open
/// span's B/I, 13 otherwise, so a Viterbi step visits ~190 pairs instead of 625.
fn successors() -> &'static [Vec<u8>] {
    static S: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        (0..N_LABELS)
            .map(|p| {
                (0..N_LABELS)
                    .filter(|&l| allowed(p, l))
                    .map(|l| l as u8)
                    .collect()
            })
            .collect()
    })
}

fn allowed_last(prev: usize) -> bool {
    !matches!(label_parts(prev), Some((_, POS_B)) | Some((_, POS_I)))
}

// ---------------------------------------------------------------------------------------
// Features
// ---------------------------------------------------------------------------------------

/// Word shape: X/x/d for upper/lower/digit, other characters kept, runs longer than two
/// collapsed ("Kassym" -> "Xxx", "2022" -> "dd"). Works for any script.
pub fn word_shape(w: &str) -> String {
    let mut out = String::new();
    let mut last = '\0';
    let mut run = 0;
    for c in w.chars() {
        let m = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if m == last {
            run += 1;
        } else {
            run = 1;
            last = m;
        }
        if run <= 2 {
            out.push(m);
        }
    }
    out
}

fn short_shape(w: &str) -> String {
    let mut s: Vec<char> = word_shape(w).chars().collect();
    s.dedup();
    s.into_iter().collect()
}

fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn suffix(s: &str, n: usize) -> &str {
    let c = s.chars().count();
    if c <= n {
        return s;
    }
    match s.char_indices().nth(c - n) {
        Some((i, _)) => &s[i..],
        None => s,
    }
}

/// Gazetteer phrases compiled for matching over token sequences.
#[derive(Debug, Clone, Default)]
struct GazIndex {
    /// phrase with all whitespace removed (lowercase) -> class name
    phrases: HashMap<String, String>,
    /// English dictionary words (lowercase) -> [`DICT_LOWER`] | [`DICT_PROPER`]: how the
    /// dictionary writes them (entries of class `dict-l` / `dict-p` in `list`).
    words: HashMap<String, u8>,
    list: Vec<(String, String)>,
}

/// Words before a storm's name ("Hurricane Anna"; "Storm" only after "Tropical").
const STORM_WORDS: &[&str] = &["Hurricane", "Typhoon", "Cyclone"];

/// Words after which a place name is expected ("in", "to", "from" …).
const LOCATIVE: &[&str] = &[
    "in",
    "to",
    "from",
    "near",
    "at",
    "around",
    "across",
    "into",
    "throughout",
    "between",
    "via",
    "toward",
    "towards",
    "visit",
    "visiting",
    "visited",
];

/// The dictionary has the word in lower case ("delivery").
const DICT_LOWER: u8 = 1;
/// The dictionary has the word capitalized ("Venus", "Tampa").
const DICT_PROPER: u8 = 2;

impl GazIndex {
    fn from_list(list: Vec<(String, String)>) -> GazIndex {
        let mut phrases = HashMap::new();
        let mut words = HashMap::new();
        for (p, c) in &list {
            let bit = match c.as_str() {
                "dict-l" => DICT_LOWER,
                "dict-p" => DICT_PROPER,
                _ => 0,
            };
            if bit != 0 {
                *words.entry(p.clone()).or_insert(0) |= bit;
                continue;
            }
            let key: String = p.chars().filter(|c| !c.is_whitespace()).collect();
            phrases.entry(key).or_insert_with(|| c.clone());
        }
        GazIndex {
            phrases,
            words,
            list,
        }
    }

    /// Whether the dictionary writes the (lowercase) word in lower case: a common word.
    fn is_common(&self, lower: &str) -> bool {
        self.words.get(lower).is_some_and(|b| b & DICT_LOWER != 0)
    }

    /// How the dictionary writes a lowercase word: "-", "l", "p" or "lp".
    fn dict_flag(&self, lower: &str) -> &'static str {
        match self.words.get(lower).copied().unwrap_or(0) {
            0 => "-",
            DICT_LOWER => "l",
            DICT_PROPER => "p",
            _ => "lp",
        }
    }

    /// Per word: Some((class, "B"|"I"|"L"|"U")) for the longest match covering it.
    fn annotate(&self, forms: &[String]) -> Vec<Option<(String, &'static str)>> {
        let n = forms.len();
        let mut out: Vec<Option<(String, &'static str)>> = vec![None; n];
        if self.phrases.is_empty() {
            return out;
        }
        let mut i = 0;
        while i < n {
            let mut best: Option<(usize, String)> = None;
            let mut key = String::new();
            for (j, form) in forms.iter().enumerate().take(n.min(i + 7)).skip(i) {
                key.push_str(form);
                if let Some(c) = self.phrases.get(&key) {
                    best = Some((j + 1, c.clone()));
                }
            }
            match best {
                Some((e, c)) => {
                    for (k, slot) in out.iter_mut().enumerate().take(e).skip(i) {
                        let pos = if e - i == 1 {
                            "U"
                        } else if k == i {
                            "B"
                        } else if k + 1 == e {
                            "L"
                        } else {
                            "I"
                        };
                        *slot = Some((c.clone(), pos));
                    }
                    i = e;
                }
                None => i += 1,
            }
        }
        out
    }
}

/// A sentence's lowercase words, their phrase-list marks and its capitalized runs,
/// computed once for the features and the rules that run after the model
/// (`Ner::complete_places`, `split_place_and_region`, `keyword_names`).
struct Marked {
    lower: Vec<String>,
    marks: Vec<Option<(String, &'static str)>>,
    /// Per word: the (first, last) word index of the run of capitalized words (joined
    /// across name connectors such as "of") that contains it, if it is capitalized.
    runs: Vec<Option<(usize, usize)>>,
}

impl Marked {
    fn new(s: &Sentence, gaz: &GazIndex) -> Marked {
        let lower: Vec<String> = s.words.iter().map(lower).collect();
        let marks = gaz.annotate(&lower);
        let runs = capitalized_runs(&s.words, &lower);
        Marked { lower, marks, runs }
    }

    /// The class of the phrase covering word `i` ("" when none).
    fn class(&self, i: usize) -> &str {
        self.marks[i].as_ref().map_or("", |(c, _)| c.as_str())
    }

    /// Word `i`'s position in that phrase: "B", "I", "L", "U" ("" when none).
    fn pos(&self, i: usize) -> &'static str {
        self.marks[i].as_ref().map_or("", |(_, p)| *p)
    }
}

struct SentFeats<'a> {
    s: &'a Sentence,
    lower: &'a [String],
    shape: Vec<String>,
    /// Per word, its phrase-list mark as a feature value: "{class}-{B|I|L|U}" or "-".
    gaz: Vec<String>,
    /// Per word, how the English dictionary writes it (`GazIndex::dict_flag`).
    dict: Vec<&'static str>,
    all_lower: bool,
    all_upper: bool,
    /// `Marked::runs`.
    runs: &'a [Option<(usize, usize)>],
}

/// Runs of capitalized words, joined across one or two connectors ("Bank of England").
/// Why: the last word of a name ("... College", "... River", "... Inc") and its length
/// decide its type far more often than the word being labelled.
fn capitalized_runs(words: &[Word], lower: &[String]) -> Vec<Option<(usize, usize)>> {
    let n = words.len();
    let cap = |i: usize| {
        words[i]
            .form
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_numeric())
            && words[i].form.chars().any(char::is_alphabetic)
    };
    let mut out = vec![None; n];
    let mut i = 0;
    while i < n {
        if !cap(i) || !words[i].form.chars().next().is_some_and(char::is_uppercase) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i + 1;
        loop {
            if end < n && cap(end) {
                end += 1;
                continue;
            }
            let mut k = end;
            while k < n
                && k < end + 2
                && CONNECTORS.contains(&lower[k].as_str())
                && lower[k] != "'s"
            {
                k += 1;
            }
            if k > end && k < n && cap(k) {
                end = k + 1;
                continue;
            }
            break;
        }
        for slot in out.iter_mut().take(end).skip(start) {
            *slot = Some((start, end - 1));
        }
        i = end;
    }
    out
}

impl<'a> SentFeats<'a> {
    /// `marked` is `Marked::new(s, gaz)`: the rules after the model read the same marks.
    fn new(s: &'a Sentence, gaz: &GazIndex, marked: &'a Marked) -> SentFeats<'a> {
        let lower = &marked.lower[..];
        let shape = s.words.iter().map(|w| word_shape(&w.form)).collect();
        let dict = lower.iter().map(|l| gaz.dict_flag(l)).collect();
        let gaz = marked
            .marks
            .iter()
            .map(|m| match m {
                Some((c, p)) => format!("{c}-{p}"),
                None => "-".into(),
            })
            .collect();
        let letters: Vec<char> = s
            .words
            .iter()
            .flat_map(|w| w.form.chars())
            .filter(|c| c.is_alphabetic())
            .collect();
        let all_lower = letters.len() > 3 && letters.iter().all(|c| !c.is_uppercase());
        let all_upper = letters.len() > 3 && letters.iter().all(|c| !c.is_lowercase());
        SentFeats {
            runs: &marked.runs,
            s,
            lower,
            shape,
            gaz,
            dict,
            all_lower,
            all_upper,
        }
    }

    fn word(&self, i: isize) -> &str {
        if i < 0 {
            "<s>"
        } else if i as usize >= self.s.words.len() {
            "</s>"
        } else {
            &self.lower[i as usize]
        }
    }

    fn upos(&self, i: isize) -> &str {
        if i < 0 || i as usize >= self.s.words.len() {
            "<>"
        } else {
            &self.s.words[i as usize].upos
        }
    }

    fn xpos(&self, i: isize) -> &str {
        if i < 0 || i as usize >= self.s.words.len() {
            "<>"
        } else {
            &self.s.words[i as usize].xpos
        }
    }

    fn shape_at(&self, i: isize) -> &str {
        if i < 0 || i as usize >= self.s.words.len() {
            "<>"
        } else {
            &self.shape[i as usize]
        }
    }

    fn gaz_at(&self, i: isize) -> &str {
        if i < 0 || i as usize >= self.s.words.len() {
            "<>"
        } else {
            &self.gaz[i as usize]
        }
    }

    /// The label-dependent features of word `i` for first-order (Viterbi) decoding.
    fn transition(&self, i: usize, p1: usize, out: &mut Vec<u64>) {
        out.clear();
        out.push(Self::label_bias(p1));
        self.transition_with_word(i, p1, out);
    }

    /// The one label-dependent feature that does not depend on the word.
    fn label_bias(p1: usize) -> u64 {
        hash_feature(19, &[&label_names()[p1]])
    }

    /// The label-dependent features that read word `i` (appended to `out`): the
    /// hash state after template and label is kept per label, so only the word's
    /// own bytes are hashed for each previous label.
    fn transition_with_word(&self, i: usize, p1: usize, out: &mut Vec<u64>) {
        static PREFIX: std::sync::OnceLock<Vec<[FeatureHash; 2]>> = std::sync::OnceLock::new();
        let prefix = PREFIX.get_or_init(|| {
            label_names()
                .iter()
                .map(|p| [FeatureHash::new(21).part(p), FeatureHash::new(22).part(p)])
                .collect()
        });
        let [word, upos] = prefix[p1];
        out.push(word.part(&self.lower[i]).finish());
        out.push(upos.part(self.upos(i as isize)).finish());
    }

    /// Features of word `i` that do not depend on labels.
    fn emission(&self, i: usize, out: &mut Vec<u64>) {
        out.clear();
        let ii = i as isize;
        let w = &self.s.words[i];
        let l = self.lower[i].as_str();
        let form = w.form.as_str();
        let sh = self.shape[i].as_str();
        let ssh = short_shape(form);
        let case = if self.all_lower {
            "lc"
        } else if self.all_upper {
            "uc"
        } else {
            "mixed"
        };
        let first = if i == 0 { "first" } else { "nonfirst" };
        let f = |t: u32, parts: &[&str]| hash_feature(t, parts);
        out.push(f(0, &[]));
        out.push(f(1, &[l]));
        out.push(f(2, &[form]));
        out.push(f(3, &[sh]));
        out.push(f(4, &[&ssh, first]));
        const N: [&str; 5] = ["0", "1", "2", "3", "4"];
        for (n, name) in N.iter().enumerate().take(4).skip(1) {
            out.push(f(5, &[name, prefix(l, n)]));
        }
        for (n, name) in N.iter().enumerate().skip(1) {
            out.push(f(6, &[name, suffix(l, n)]));
        }
        out.push(f(7, &[self.word(ii - 1)]));
        out.push(f(8, &[self.word(ii + 1)]));
        out.push(f(9, &[self.word(ii - 2)]));
        out.push(f(10, &[self.word(ii + 2)]));
        out.push(f(11, &[self.upos(ii)]));
        out.push(f(12, &[self.xpos(ii)]));
        out.push(f(13, &[self.upos(ii - 1), self.upos(ii)]));
        out.push(f(14, &[self.upos(ii), self.upos(ii + 1)]));
        out.push(f(15, &[self.xpos(ii - 1)]));
        out.push(f(16, &[self.xpos(ii + 1)]));
        out.push(f(
            17,
            &[self.upos(ii - 2), self.upos(ii - 1), self.upos(ii)],
        ));
        out.push(f(
            18,
            &[self.upos(ii), self.upos(ii + 1), self.upos(ii + 2)],
        ));
        out.push(f(23, &[self.gaz_at(ii)]));
        out.push(f(24, &[self.gaz_at(ii - 1), self.gaz_at(ii)]));
        out.push(f(25, &[self.gaz_at(ii + 1)]));
        out.push(f(26, &[first, sh]));
        out.push(f(27, &[case, self.upos(ii)]));
        out.push(f(28, &[case, sh]));
        out.push(f(29, &[self.word(ii - 1), l]));
        out.push(f(30, &[l, self.word(ii + 1)]));
        out.push(f(31, &[self.shape_at(ii - 1), sh, self.shape_at(ii + 1)]));
        out.push(f(32, &[&w.deprel]));
        let head_lemma: std::borrow::Cow<str> = if w.head > 0 && w.head <= self.s.words.len() {
            let lemma = &self.s.words[w.head - 1].lemma;
            if lemma.chars().flat_map(char::to_lowercase).eq(lemma.chars()) {
                lemma.as_str().into()
            } else {
                lemma.to_lowercase().into()
            }
        } else {
            "<root>".into()
        };
        out.push(f(33, &[&w.deprel, &head_lemma]));
        out.push(f(
            34,
            &[if is_title_word(self.word(ii - 1)) {
                "title-before"
            } else {
                "-"
            }],
        ));
        if i + 1 == self.s.words.len() {
            out.push(f(35, &["last"]));
        }
        if let Some((a, b)) = self.runs[i] {
            let len = N[(b + 1 - a).min(4)];
            let pos = if a == b {
                "U"
            } else if i == a {
                "B"
            } else if i == b {
                "L"
            } else {
                "I"
            };
            out.push(f(37, &[&self.lower[b], pos]));
            out.push(f(38, &[self.gaz_at(b as isize), pos]));
            out.push(f(39, &[len, pos, first]));
            out.push(f(40, &[&self.lower[a]]));
            out.push(f(41, &[self.word(a as isize - 1), pos]));
            out.push(f(44, &[self.dict[b], pos]));
        }
        // How the dictionary writes the word, with its case here: a capitalized word
        // the dictionary writes in lower case is a common word ("Delivery"), one it
        // capitalizes or lacks is more likely a name.
        let cap = if form.chars().next().is_some_and(char::is_uppercase) {
            "C"
        } else {
            "c"
        };
        out.push(f(42, &[self.dict[i], cap, first]));
        out.push(f(43, &[self.dict[i], cap, self.gaz_at(ii)]));
        out.push(f(
            36,
            &[if is_calendar_word(l) { "cal" } else { "-" }, self.upos(ii)],
        ));
    }
}

// ---------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------

/// Training options (defaults used for the shipped model).
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub iterations: usize,
    pub hash_bits: u32,
    pub seed: u64,
    /// Weights with |w| below this are dropped before saving.
    pub prune: f32,
    /// Also train on a lowercased copy of every 4th sentence and an uppercased copy of
    /// every 10th: web and headline text is often not in title case, and without such
    /// copies the model learns "capitalized = name" and nothing else.
    pub case_augment: bool,
    /// More (lowercase phrase, class) entries for the phrase table, after the country
    /// gazetteer and the built-in word lists (see [`name_lists`]).
    pub extra_phrases: Vec<(String, String)>,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            iterations: 5,
            hash_bits: 21,
            seed: 0x5eed_4e45,
            prune: 0.05,
            case_augment: true,
            extra_phrases: Vec::new(),
        }
    }
}

/// How many votes a span whose type its sentence states (`class_noun_kind`) has in
/// `harmonize_document`: more than any guesses, so one "the militant group Hamdan"
/// types every "Hamdan" of the document.
const STATED_TYPE_VOTES: usize = 1000;

/// Kinds whose names are made consistent across a document (dates are not names that
/// repeat verbatim with one referent; named events are: "the Mela festival" … "Mela").
const HARMONIZED: [NerKind; 5] = [
    NerKind::Per,
    NerKind::Org,
    NerKind::Loc,
    NerKind::Misc,
    NerKind::Event,
];

fn kind_slot(k: NerKind) -> Option<usize> {
    HARMONIZED.iter().position(|&h| h == k)
}

/// The kind most spans with this text got, if one kind got strictly more than any other.
fn majority(votes: &[usize; 5]) -> Option<NerKind> {
    let best = *votes.iter().max()?;
    if best == 0 || votes.iter().filter(|&&v| v == best).count() > 1 {
        return None;
    }
    votes.iter().position(|&v| v == best).map(|i| HARMONIZED[i])
}

fn starts_upper(f: &str) -> bool {
    f.chars().next().is_some_and(char::is_uppercase)
}

/// One sense per document: within one document a name string almost always refers to
/// the same entity, but the sentence-level model types it from local context only, so
/// "Hamas" is ORG after "militant organisation" and PER before "said", and a name seen
/// as "Yasser Arafat" is missed as a bare "Arafat". Here every PER/ORG/LOC/MISC/EVENT
/// span takes the kind most spans with the same words got in the document (a strict
/// majority; ties keep the model's kind; a span whose sentence states its kind, as in
/// "the militant group Hamas", outvotes all others), and a capitalized word sequence the model left
/// untagged becomes a span when the same words were tagged elsewhere in the document,
/// or, for one word, when it is the last word of a multi-word person name there. Only
/// sequences that are not part of a longer capitalized run are added.
///
/// `given` says whether a lowercase word is a given name (see `class_noun_kind`).
pub fn harmonize_document(
    doc: &[&Sentence],
    spans: &mut [Vec<EntitySpan>],
    given: &dyn Fn(&str) -> bool,
) {
    use std::collections::BTreeMap;
    let key = |s: &Sentence, a: usize, b: usize| -> String {
        s.words[a..b]
            .iter()
            .map(|w| w.form.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut votes: BTreeMap<String, [usize; 5]> = BTreeMap::new();
    for (s, sp) in doc.iter().zip(spans.iter()) {
        for x in sp {
            if x.end > s.words.len() {
                continue;
            }
            if let Some(k) = kind_slot(x.kind) {
                // a type the sentence states ("the group Hamdan") outweighs guesses
                let weight = if class_noun_kind(s, x.start, x.end, given) == Some(x.kind) {
                    STATED_TYPE_VOTES
                } else {
                    1
                };
                votes.entry(key(s, x.start, x.end)).or_default()[k] += weight;
            }
        }
    }
    // Surnames of multi-word person names, as one-word names (not voting for the type
    // of a one-word span the model found itself).
    let mut surnames: BTreeMap<String, usize> = BTreeMap::new();
    for (s, sp) in doc.iter().zip(spans.iter()) {
        for x in sp
            .iter()
            .filter(|x| x.kind == NerKind::Per && x.end - x.start >= 2)
        {
            let Some(last) = s.words.get(x.end - 1) else {
                continue;
            };
            if starts_upper(&last.form) && last.form.chars().count() > 1 {
                *surnames.entry(last.form.clone()).or_default() += 1;
            }
        }
    }
    // Words the document also uses in lower case are common words ("Keep", "Analyst"
    // capitalized in a heading), not names to propagate.
    let lowercase_words: std::collections::BTreeSet<&str> = doc
        .iter()
        .flat_map(|s| s.words.iter())
        .map(|w| w.form.as_str())
        .filter(|f| f.chars().next().is_some_and(char::is_lowercase))
        .collect();
    let max_len = votes
        .keys()
        .map(|k| k.split(' ').count())
        .max()
        .unwrap_or(0);
    for (s, sp) in doc.iter().zip(spans.iter_mut()) {
        for x in sp.iter_mut() {
            if kind_slot(x.kind).is_none() || x.end > s.words.len() {
                continue;
            }
            if let Some(k) = votes.get(&key(s, x.start, x.end)).and_then(majority) {
                x.kind = k;
            }
        }
        let w = &s.words;
        let n = w.len();
        // Headings and all-caps lines capitalize every word: no evidence of a name.
        let alpha: Vec<&Word> = w
            .iter()
            .filter(|x| x.form.chars().any(char::is_alphabetic))
            .collect();
        if alpha.len() > 2 && alpha.iter().all(|x| starts_upper(&x.form)) {
            continue;
        }
        let capital = |i: usize| starts_upper(&w[i].form);
        let plain = |i: usize| {
            let f = &w[i].form;
            f.chars()
                .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
                && !lowercase_words.contains(f.to_lowercase().as_str())
        };
        let mut added: Vec<EntitySpan> = Vec::new();
        let mut i = 0;
        while i < n {
            let covered =
                |a: usize, b: usize| sp.iter().chain(&added).any(|x| x.start < b && a < x.end);
            if !capital(i) || covered(i, i + 1) {
                i += 1;
                continue;
            }
            let mut found = None;
            for len in (1..=max_len.min(n - i)).rev() {
                let b = i + len;
                // Whole capitalized runs only ("Arafat", not "Arafat" inside "Arafat Street").
                let run_continues =
                    (b < n && capital(b)) || (i > 0 && capital(i - 1) && !covered(i - 1, i));
                if run_continues || covered(i, b) || !capital(b - 1) || !(i..b).all(plain) {
                    continue;
                }
                let k = key(s, i, b);
                let kind = votes
                    .get(&k)
                    .and_then(majority)
                    .or_else(|| (len == 1 && surnames.contains_key(&k)).then_some(NerKind::Per));
                if let Some(kind) = kind {
                    found = Some(EntitySpan::new(i, b, kind));
                    break;
                }
            }
            match found {
                Some(x) => {
                    i = x.end;
                    added.push(x);
                }
                None => i += 1,
            }
        }
        if !added.is_empty() {
            sp.extend(added);
            sp.sort();
        }
    }
}

/// The case-changed copies `TrainOptions::case_augment` adds to the training data: a
/// lowercased copy of every 4th sentence (index 1, 5, 9, …) and an uppercased copy of
/// every 10th (index 3, 13, …), with the spans, tags, lemmas and trees of the original.
/// (Re-tagging the copies with kg's tagger, so that lowercase names are NOUN as at run
/// time, was tried: GUM dev +1.6 F1, UNER −1.1, more spurious lowercase spans.)
fn case_augmented_copies(data: &[(Sentence, Vec<EntitySpan>)]) -> Vec<(Sentence, Vec<EntitySpan>)> {
    let mut out = Vec::new();
    for (k, (s, sp)) in data.iter().enumerate() {
        let f: fn(&str) -> String = if k % 4 == 1 {
            str::to_lowercase
        } else if k % 10 == 3 {
            str::to_uppercase
        } else {
            continue;
        };
        let mut c = s.clone();
        for w in c.words.iter_mut() {
            w.form = f(&w.form);
        }
        out.push((c, sp.clone()));
    }
    out
}

/// The NER model. See the module documentation.
#[derive(Debug, Clone)]
pub struct Ner {
    model: Perceptron,
    gaz: GazIndex,
}

const MAGIC: &[u8; 8] = b"KGNERMDL";
/// 3: word lists in the phrase table, capitalized-run features. 4: structured
/// perceptron decoded with Viterbi (a version-3 greedy model would load but decode with
/// weights trained for another search, so older versions are refused).
const VERSION: u32 = 4;

impl Ner {
    /// Trains on (sentence, gold spans) pairs; the sentences must carry UPOS/XPOS (and
    /// ideally trees). Deterministic for a given seed.
    pub fn train(
        data: &[(Sentence, Vec<EntitySpan>)],
        gaz: Option<&Gazetteer>,
        opts: &TrainOptions,
    ) -> Ner {
        let list: Vec<(String, String)> = gaz
            .map(|g| {
                g.phrases()
                    .into_iter()
                    .map(|(p, c)| (p, c.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let mut list = list;
        // Country gazetteer first: on a phrase in both, its class wins (`from_list`).
        list.extend(word_list_phrases());
        list.extend(opts.extra_phrases.iter().cloned());
        let gidx = GazIndex::from_list(list);
        let mut model = Perceptron::new(N_LABELS, opts.hash_bits);
        let augmented = if opts.case_augment {
            case_augmented_copies(data)
        } else {
            Vec::new()
        };
        let data: Vec<&(Sentence, Vec<EntitySpan>)> = data.iter().chain(augmented.iter()).collect();
        let golds: Vec<Vec<usize>> = data
            .iter()
            .map(|(s, sp)| spans_to_labels(s.words.len(), sp))
            .collect();
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut rng = opts.seed | 1;
        let mut feats = Vec::with_capacity(64);
        for _it in 0..opts.iterations {
            // Fisher–Yates with a xorshift generator: deterministic shuffle per iteration.
            for i in (1..order.len()).rev() {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let j = (rng % (i as u64 + 1)) as usize;
                order.swap(i, j);
            }
            for &k in &order {
                let (s, _) = data[k];
                let gold = &golds[k];
                let marked = Marked::new(s, &gidx);
                let sf = SentFeats::new(s, &gidx, &marked);
                // Structured perceptron: decode the whole sentence, then move the weights
                // of every wrong position towards the gold label under the gold previous
                // label (and away from the guess under the guessed one).
                let n = s.words.len().min(gold.len());
                let pred = viterbi(&model, &sf, n);
                for i in 0..n {
                    if gold[i] != pred[i] {
                        let gp = if i == 0 { 0 } else { gold[i - 1] };
                        let yp = if i == 0 { 0 } else { pred[i - 1] };
                        sf.emission(i, &mut feats);
                        model.update(&feats, gold[i], pred[i]);
                        sf.transition(i, gp, &mut feats);
                        model.update(&feats, gold[i], pred[i]);
                        if yp != gp {
                            sf.transition(i, yp, &mut feats);
                            model.update(&feats, gold[i], pred[i]);
                        }
                    }
                    model.tick();
                }
            }
        }
        let mut model = model.finish();
        model.prune(opts.prune);
        Ner { model, gaz: gidx }
    }

    /// Labels one sentence; spans are well-formed and non-overlapping.
    pub fn tag(&self, s: &Sentence) -> Vec<EntitySpan> {
        let mut v = self.tag_with_misc(s);
        v.retain(|x| x.kind != NerKind::Misc);
        v
    }

    /// Tags the sentences of one document (an article, a mail thread, a GUM document)
    /// and makes its names consistent (`harmonize_document`).
    pub fn tag_document(&self, doc: &[&Sentence]) -> Vec<Vec<EntitySpan>> {
        let mut v = self.tag_document_with_misc(doc);
        for x in &mut v {
            x.retain(|s| s.kind != NerKind::Misc);
        }
        v
    }

    /// `tag_document` with the internal `Misc` spans (see `tag_with_misc`).
    pub fn tag_document_with_misc(&self, doc: &[&Sentence]) -> Vec<Vec<EntitySpan>> {
        let mut spans: Vec<Vec<EntitySpan>> = doc.iter().map(|s| self.tag_with_misc(s)).collect();
        harmonize_document(doc, &mut spans, &|w| self.is_given(w));
        // names the document level added may be parts of one name around a particle
        for (s, sp) in doc.iter().zip(spans.iter_mut()) {
            self.person_name_particles(s, sp);
        }
        self.organization_first_words(doc, &mut spans);
        for (s, sp) in doc.iter().zip(spans.iter_mut()) {
            self.countries_are_places(s, sp);
        }
        Self::storm_names_in_document(doc, &mut spans);
        spans
    }

    /// A name that is exactly a country of the gazetteer ("North Korea", "US") is a
    /// place, whatever the model or the document vote made of it: a country acting as a
    /// state is still LOC in the CoNLL/UNER conventions kg follows.
    fn countries_are_places(&self, s: &Sentence, spans: &mut [EntitySpan]) {
        for x in spans.iter_mut() {
            if !matches!(x.kind, NerKind::Org | NerKind::Per | NerKind::Misc)
                || x.end > s.words.len()
            {
                continue;
            }
            // phrase keys are the lowercase words without spaces (`GazIndex::from_list`)
            let key: String = s.words[x.start..x.end]
                .iter()
                .map(|w| w.form.to_lowercase())
                .collect();
            // a short code only in capitals: "US", not the "Us" of "Toys 'R' Us"
            let form = &s.words[x.start].form;
            let code_case = x.end > x.start + 1
                || form.chars().count() > 3
                || form.chars().all(|c| !c.is_lowercase());
            // a one-word "person" may be one: "Jordan", "Chad" and "Georgia" are given
            // names too
            let person_name = x.kind == NerKind::Per && x.end == x.start + 1;
            if code_case
                && !person_name
                && self.gaz.phrases.get(&key).is_some_and(|c| c == "country")
            {
                x.kind = NerKind::Loc;
            }
        }
    }

    /// A one-word "person" that is the first word of an organization's name elsewhere
    /// in the document ("Lumo" … "the Lumo Foundation", "Lumo Systems Inc") is that
    /// organization, as a surname is its person (`harmonize_document`). Given names are
    /// left alone.
    fn organization_first_words(&self, doc: &[&Sentence], spans: &mut [Vec<EntitySpan>]) {
        let mut firsts = std::collections::BTreeSet::new();
        for (s, sp) in doc.iter().zip(spans.iter()) {
            for x in sp
                .iter()
                .filter(|x| x.kind == NerKind::Org && x.end >= x.start + 2)
            {
                let mut a = x.start;
                if s.words[a].form.eq_ignore_ascii_case("the") {
                    a += 1;
                }
                let w = &s.words[a].form;
                if a + 1 < x.end && starts_upper(w) && w.chars().any(char::is_lowercase) {
                    firsts.insert(w.clone());
                }
            }
        }
        if firsts.is_empty() {
            return;
        }
        for (s, sp) in doc.iter().zip(spans.iter_mut()) {
            for x in sp.iter_mut() {
                let f = &s.words[x.start].form;
                if x.kind == NerKind::Per
                    && x.end == x.start + 1
                    && firsts.contains(f)
                    && self
                        .gaz
                        .phrases
                        .get(&f.to_lowercase())
                        .is_none_or(|c| c != "given")
                {
                    x.kind = NerKind::Org;
                }
            }
        }
    }

    /// Like `tag`, plus the internal `Misc` spans (other proper names: works, products,
    /// laws, fields). Coreference uses them so that such names group and become
    /// `schema:Thing` entities instead of being lost.
    pub fn tag_with_misc(&self, s: &Sentence) -> Vec<EntitySpan> {
        let marked = Marked::new(s, &self.gaz);
        let sf = SentFeats::new(s, &self.gaz, &marked);
        let labels = viterbi(&self.model, &sf, s.words.len());
        let mut spans: Vec<EntitySpan> = labels_to_spans(&labels)
            .into_iter()
            .filter_map(|sp| self.repair(s, sp))
            .collect();
        self.complete_person_names(s, &mut spans);
        self.people_by_form(s, &mut spans);
        self.names_after_class_nouns(s, &mut spans);
        self.acronyms_in_parentheses(s, &mut spans);
        self.complete_places(s, &marked, &mut spans);
        self.keyword_names(s, &marked, &mut spans);
        Self::place_name_prefixes(s, &mut spans);
        self.split_place_and_region(s, &marked, &mut spans);
        self.storm_names(s, &mut spans);
        spans
    }

    /// A storm's name after "Hurricane", "Typhoon", "Cyclone" or "Tropical Storm"
    /// ("Hurricane Anna", "Tropical Storm Bill") is an event with its storm words, not a
    /// person: the model, which saw few storms, types the given name. Overlapping spans
    /// are replaced. ("Storm" alone is left out: "Storm Shadow" is a missile.)
    fn storm_names(&self, s: &Sentence, spans: &mut Vec<EntitySpan>) {
        let w = &s.words;
        let mut added = false;
        for i in 0..w.len().saturating_sub(1) {
            let f = w[i].form.as_str();
            let tropical = i > 0 && w[i - 1].form == "Tropical";
            if !(STORM_WORDS.contains(&f) || (f == "Storm" && tropical)) {
                continue;
            }
            let e = self.name_end(s, i + 1);
            if e == i + 1 {
                continue;
            }
            let start = if tropical { i - 1 } else { i };
            spans.retain(|x| x.end <= start || e <= x.start);
            spans.push(EntitySpan::new(start, e, NerKind::Event));
            added = true;
        }
        if added {
            spans.sort();
        }
    }

    /// In a document that names a storm ("Hurricane Anna"), the storm's name alone
    /// ("Anna") is the same event.
    fn storm_names_in_document(doc: &[&Sentence], spans: &mut [Vec<EntitySpan>]) {
        let mut names: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        for (s, sp) in doc.iter().zip(spans.iter()) {
            for x in sp
                .iter()
                .filter(|x| x.kind == NerKind::Event && x.end - x.start >= 2)
            {
                let first = &s.words[x.start].form;
                if STORM_WORDS.contains(&first.as_str()) || first == "Tropical" {
                    names.insert(s.words[x.end - 1].form.clone());
                }
            }
        }
        if names.is_empty() {
            return;
        }
        for (s, sp) in doc.iter().zip(spans.iter_mut()) {
            for x in sp.iter_mut() {
                if x.end - x.start == 1 && names.contains(&s.words[x.start].form) {
                    x.kind = NerKind::Event;
                }
            }
        }
    }

    /// A place followed by its state or country without a comma ("Miramar California",
    /// "Springfield Illinois") is two places, and a country followed by a name of two
    /// words or more (not common words) is a place and a person ("President of the
    /// Russian Federation Anna Maria Berg"; the model, which saw few such titles, often
    /// makes one span of both). A person or place span is split when it
    /// ends in a US state, region or country of the phrase lists and the words before
    /// it are capitalized, none of them an organization or place keyword, a demonym or
    /// (the first) a given name ("Joe Montana" stays a person), and no word of the span
    /// is one the dictionary writes in lower case ("New England", "South Australia",
    /// "Coron Island" stay whole).
    fn split_place_and_region(&self, s: &Sentence, m: &Marked, spans: &mut Vec<EntitySpan>) {
        if !spans.iter().any(|x| x.end - x.start > 1) {
            return;
        }
        let w = &s.words;
        let lower = &m.lower;
        let class = |i: usize| m.class(i);
        let pos = |i: usize| m.pos(i);
        let mut out = Vec::with_capacity(spans.len() + 1);
        for sp in spans.drain(..) {
            let end = sp.end.min(w.len());
            let mut cut = None;
            if matches!(sp.kind, NerKind::Per | NerKind::Loc)
                && end >= sp.start + 2
                && matches!(class(end - 1), "region" | "country")
                && matches!(pos(end - 1), "U" | "L")
            {
                let mut t = end - 1;
                while t > sp.start && pos(t) != "U" && pos(t) != "B" {
                    t -= 1;
                }
                let head_ok = t > sp.start
                    && matches!(pos(t), "U" | "B")
                    && class(t) == class(end - 1)
                    && (sp.start..end).all(|i| !self.gaz.is_common(&lower[i]))
                    && (sp.start..t).all(|i| {
                        w[i].form.chars().next().is_some_and(char::is_uppercase)
                            && w[i].form.chars().all(char::is_alphabetic)
                            && !matches!(
                                self.gaz.phrases.get(&lower[i]).map(String::as_str),
                                Some("orgword" | "locword" | "demonym")
                            )
                    })
                    && self.gaz.phrases.get(&lower[sp.start]).map(String::as_str) != Some("given");
                if head_ok {
                    cut = Some(t);
                }
            }
            // A country, then a person's name of two words or more ("President of the
            // Russian Federation Anna Maria Berg").
            let mut person_after = None;
            if cut.is_none()
                && matches!(
                    sp.kind,
                    NerKind::Per | NerKind::Loc | NerKind::Org | NerKind::Misc
                )
                && class(sp.start) == "country"
                && matches!(pos(sp.start), "U" | "B")
            {
                // the end of the country's phrase
                let mut t = sp.start + 1;
                if pos(sp.start) == "B" {
                    while t < end && pos(t) == "I" {
                        t += 1;
                    }
                    t += 1; // past its "L"
                }
                if end >= t + 2
                    && self.name_end(s, t) >= end
                    && (t..end).all(|i| {
                        !self.gaz.is_common(&lower[i]) && w[i].form.chars().all(char::is_alphabetic)
                    })
                {
                    person_after = Some(t);
                }
            }
            match (cut, person_after) {
                (Some(t), _) => {
                    out.push(EntitySpan::new(sp.start, t, NerKind::Loc));
                    out.push(EntitySpan::new(t, sp.end, NerKind::Loc));
                }
                (None, Some(t)) => {
                    out.push(EntitySpan::new(sp.start, t, NerKind::Loc));
                    out.push(EntitySpan::new(t, sp.end, NerKind::Per));
                }
                _ => out.push(sp),
            }
        }
        *spans = out;
    }

    /// A known place (country, capital, US state or region, city: the phrase lists)
    /// right after a locative preposition ("in", "to", "between" …) that no span covers
    /// becomes LOC, and so does a country written in lower case anywhere. Why: in
    /// lowercase web text ("get certified in delaware", "hotels in kerala", "how are
    /// vietnam and Afghanistan alike") kg's tagger gives such words NOUN, and the model,
    /// which learned names from PROPN, misses them. Phrases shorter than four letters
    /// (postal codes, country codes such as "us", "in") are never matched, nor a phrase
    /// followed by a capitalized word or a possessive (part of a longer name). A city of
    /// the long GeoNames list (`town`), or a country outside a locative phrase, must
    /// have five letters or more and no word the English dictionary writes in lower
    /// case ("split", "bath", "chad", "turkey").
    fn complete_places(&self, s: &Sentence, m: &Marked, spans: &mut Vec<EntitySpan>) {
        let w = &s.words;
        let (lower, marks) = (&m.lower, &m.marks);
        let class = |i: usize| m.class(i);
        let place =
            |i: usize| matches!(class(i), "country" | "capital" | "region" | "city" | "town");
        let mut added = false;
        let mut i = 1;
        while i < w.len() {
            let pos_ok = marks[i]
                .as_ref()
                .is_some_and(|(_, p)| *p == "U" || *p == "B");
            let locative = LOCATIVE.contains(&lower[i - 1].as_str());
            let lowercase_country = class(i) == "country" && w[i].form == lower[i];
            // "san francisco california", "brittany france": the state or country of
            // the place just before
            let after_place = matches!(class(i), "region" | "country")
                && spans.iter().any(|x| x.kind == NerKind::Loc && x.end == i);
            if !(place(i) && pos_ok && (locative || lowercase_country || after_place)) {
                i += 1;
                continue;
            }
            let mut e = i + 1;
            while e < w.len()
                && marks[e]
                    .as_ref()
                    .is_some_and(|(_, p)| matches!(*p, "I" | "L"))
            {
                e += 1;
            }
            let letters: usize = lower[i..e]
                .iter()
                .map(|x| x.chars().filter(|c| c.is_alphabetic()).count())
                .sum();
            let longer = w.get(e).is_some_and(|n| {
                n.form.chars().next().is_some_and(char::is_uppercase) || lower[e] == "'s"
            });
            let covered = spans.iter().any(|x| x.start < e && i < x.end);
            let strict = class(i) == "town" || !locative;
            let common = || lower[i..e].iter().any(|x| self.gaz.is_common(x));
            let enough = if strict {
                letters >= 5 && !common()
            } else {
                letters >= 4
            };
            if enough && !longer && !covered {
                spans.push(EntitySpan::new(i, e, NerKind::Loc));
                added = true;
            }
            i = e;
        }
        if added {
            spans.sort();
        }
    }

    /// "St." / "Mt." / "Ft." right before a place or organization belongs to its name
    /// ("St. Thomas", "Mt. Hood", "Ft. Worth"): the title-like abbreviation is where the
    /// model often starts too late.
    fn place_name_prefixes(s: &Sentence, spans: &mut [EntitySpan]) {
        let w = &s.words;
        let taken: Vec<(usize, usize)> = spans.iter().map(|x| (x.start, x.end)).collect();
        for x in spans.iter_mut() {
            if !matches!(x.kind, NerKind::Loc | NerKind::Org) || x.start == 0 {
                continue;
            }
            let p = x.start - 1;
            let prefix = matches!(
                w[p].form.as_str(),
                "St." | "St" | "Saint" | "Mt." | "Mt" | "Ft." | "Ft"
            );
            if prefix && !taken.iter().any(|&(a, b)| a <= p && p < b) {
                x.start = p;
            }
        }
    }

    /// A capitalized name of two or more words that ends in a word that heads names of
    /// organizations or places (`STRONG_ORG_HEADS`, `STRONG_LOC_HEADS`: "a World Health
    /// Organisation report", "the Supreme Court", "Dallas Street") and that no span
    /// covers is an organization or a place: the model misses such names when they
    /// modify a noun. Only in normally cased sentences that are not title-case headings;
    /// a leading "The" is not part of the name.
    fn keyword_names(&self, s: &Sentence, m: &Marked, spans: &mut Vec<EntitySpan>) {
        let w = &s.words;
        // Title case ("Design of Mutation Operators for Information Systems"): every
        // word of four letters or more capitalized is a heading, not evidence of names.
        let title_case = w
            .iter()
            .filter(|x| x.form.chars().filter(|c| c.is_alphabetic()).count() >= 4)
            .all(|x| x.form.chars().next().is_some_and(char::is_uppercase));
        if !is_cased(w) || title_case {
            return;
        }
        let runs = &m.runs;
        let mut i = 0;
        while i < w.len() {
            let Some((a, b)) = runs[i] else {
                i += 1;
                continue;
            };
            i = b + 1;
            let a = if m.lower[a] == "the" { a + 1 } else { a };
            // only keywords that head names, not "Systems" or "State"
            let kind = match m.lower[b].trim_end_matches('.') {
                k if STRONG_ORG_HEADS.contains(&k) => NerKind::Org,
                k if STRONG_LOC_HEADS.contains(&k) => NerKind::Loc,
                _ => continue,
            };
            let letters = |k: usize| w[k].form.chars().any(char::is_lowercase);
            if b > a && (a..=b).all(letters) && !spans.iter().any(|x| x.start <= b && a < x.end) {
                spans.push(EntitySpan::new(a, b + 1, kind));
                spans.sort();
            }
        }
    }

    /// Whether a lowercase word is a given name of the phrase lists.
    fn is_given(&self, lower: &str) -> bool {
        self.gaz.phrases.get(lower).is_some_and(|c| c == "given")
    }

    /// Whether word `i` can be part of a person's name found by rule: capitalized, not a
    /// title, month or weekday, and not a nationality, organization or place keyword.
    fn name_word(&self, s: &Sentence, i: usize) -> bool {
        let f = &s.words[i].form;
        // the cheap tests first: this runs for every word of every sentence
        if !f.chars().next().is_some_and(char::is_uppercase) || !f.chars().any(char::is_lowercase) {
            return false;
        }
        let l = f.to_lowercase();
        !is_title_word(f)
            && !is_calendar_word(&l)
            && !self
                .gaz
                .phrases
                .get(&l)
                .is_some_and(|c| matches!(c.as_str(), "demonym" | "orgword" | "locword"))
    }

    /// End (exclusive) of the name starting at `i`: name words, also joined by a hyphen
    /// written without spaces ("Kowalski-Nowak" is tokenized Kowalski / - / Nowak).
    fn name_end(&self, s: &Sentence, i: usize) -> usize {
        let w = &s.words;
        let mut e = i;
        while e < w.len() {
            if self.name_word(s, e) {
                e += 1;
            } else if e > i
                && w[e].form == "-"
                && w[e - 1].no_space_after()
                && w[e].no_space_after()
                && e + 1 < w.len()
                && self.name_word(s, e + 1)
            {
                e += 2;
            } else {
                break;
            }
        }
        e
    }

    /// Persons the sequence model often misses or cuts, completed by two general rules
    /// (the issue's "his Russian counterpart X" / "French President X" patterns):
    /// a PER span that stops at a space-less hyphen continues through the rest of the name,
    /// and a capitalized name right after a title or role noun ("counterpart", "President")
    /// that no span covers becomes PER. Only in normally cased sentences.
    fn complete_person_names(&self, s: &Sentence, spans: &mut Vec<EntitySpan>) {
        let w = &s.words;
        if !is_cased(w) {
            return;
        }
        let covered = |spans: &[EntitySpan], a: usize, b: usize| {
            spans.iter().any(|x| x.start < b && a < x.end)
        };
        for k in 0..spans.len() {
            let sp = spans[k];
            if sp.kind == NerKind::Per && sp.end < w.len() && w[sp.end].form == "-" {
                let e = self.name_end(s, sp.end - 1);
                let rest: Vec<EntitySpan> = spans.iter().copied().filter(|x| *x != sp).collect();
                if e > sp.end && !covered(&rest, sp.end, e) {
                    spans[k].end = e;
                }
            }
        }
        self.person_name_particles(s, spans);
        self.split_person_lists(s, spans);
        for (i, word) in w.iter().enumerate().take(w.len().saturating_sub(1)) {
            let l = word.form.to_lowercase();
            if !(is_title_word(&l) || ROLE_NOUNS.contains(&l.as_str())) {
                continue;
            }
            let e = self.name_end(s, i + 1);
            if e > i + 1 && !covered(spans, i + 1, e) {
                spans.push(EntitySpan {
                    start: i + 1,
                    end: e,
                    kind: NerKind::Per,
                });
            } else if let Some(x) = spans
                .iter_mut()
                .find(|x| x.start == i + 1 && x.kind == NerKind::Misc && x.end <= e)
            {
                // a role noun names a person, not a work or product
                x.kind = NerKind::Per;
            }
        }
        spans.sort();
    }

    /// A person's name runs through a lowercase family-name particle and the name after
    /// it ("Omar al-Rashid", "Ludwig van Dijk", "Pedro de Souza"): the model, which
    /// stops names at lowercase words, often tags the parts before and after the
    /// particle as two persons, or only one of them. Where a person span touches such a
    /// chain (name words, particle, name words) and no other kind of span does, the
    /// chain becomes one person; a span right after a particle written with a hyphen and
    /// no spaces ("al-Rashid said", "al-Qaida") starts at the particle.
    fn person_name_particles(&self, s: &Sentence, spans: &mut Vec<EntitySpan>) {
        let w = &s.words;
        let n = w.len();
        for i in 0..n {
            if !NAME_PARTICLES.contains(&w[i].form.as_str()) {
                continue;
            }
            // "al - Rashid" written "al-Rashid": particle, hyphen, name
            let glued = i + 2 < n
                && w[i + 1].form == "-"
                && w[i].no_space_after()
                && w[i + 1].no_space_after();
            let next = if glued { i + 2 } else { i + 1 };
            if next >= n || !self.name_word(s, next) {
                continue;
            }
            let mut start = i;
            while start > 0 && self.name_word(s, start - 1) {
                start -= 1;
            }
            if start == i && !glued {
                continue;
            }
            let end = self.name_end(s, next);
            let touching: Vec<EntitySpan> = spans
                .iter()
                .copied()
                .filter(|x| x.start < end && start < x.end)
                .collect();
            // "al-Qaida", "al-Anbar": a name of any kind starts at a glued particle
            if let [x] = touching[..]
                && glued
                && x.start == next
                && !matches!(x.kind, NerKind::Per | NerKind::Date)
            {
                if let Some(y) = spans.iter_mut().find(|y| **y == x) {
                    y.start = i;
                }
                continue;
            }
            if touching.is_empty() || touching.iter().any(|x| x.kind != NerKind::Per) {
                continue;
            }
            let a = touching.iter().fold(start, |m, x| m.min(x.start));
            let b = touching.iter().fold(end, |m, x| m.max(x.end));
            spans.retain(|x| !touching.contains(x));
            spans.push(EntitySpan::new(a, b, NerKind::Per));
            spans.sort();
        }
    }

    /// A name in apposition to an organization or place noun is an organization or a
    /// place (see `class_noun_kind`): the span there takes that kind, or a capitalized
    /// name no span covers becomes one. Dates and events are left alone.
    fn names_after_class_nouns(&self, s: &Sentence, spans: &mut Vec<EntitySpan>) {
        let w = &s.words;
        for x in spans.iter_mut() {
            if !matches!(x.kind, NerKind::Date | NerKind::Event)
                && let Some(k) = class_noun_kind(s, x.start, x.end, &|w| self.is_given(w))
            {
                x.kind = k;
            }
        }
        for i in 0..w.len().saturating_sub(1) {
            if spans.iter().any(|x| x.start == i + 1) {
                continue;
            }
            let e = self.name_end(s, i + 1);
            if e > i + 1
                && !spans.iter().any(|x| x.start < e && i + 1 < x.end)
                && let Some(k) = class_noun_kind(s, i + 1, e, &|w| self.is_given(w))
            {
                spans.push(EntitySpan::new(i + 1, e, k));
                spans.sort();
            }
        }
    }

    /// Persons named by the form of the text rather than by their words: a mail
    /// address's display name (`"Anna Berg" <anna@example.org>`, also unquoted at the
    /// start of a line) and a byline ("By anna berg", "Posted by anna" as a whole line,
    /// or before "at"/"on" and a time) are persons, whatever their case, and so is a line
    /// that is only "Surname, Given" with a listed given name. Spans inside such a name
    /// become one person; a span reaching outside it is only retyped.
    fn people_by_form(&self, s: &Sentence, spans: &mut Vec<EntitySpan>) {
        let w = &s.words;
        let n = w.len();
        let wordlike = |i: usize| {
            let f = &w[i].form;
            f == ","
                || (f.chars().any(char::is_alphabetic)
                    && f.chars()
                        .all(|c| c.is_alphabetic() || c == '.' || c == '\'' || c == '-'))
        };
        let quote = |i: usize| matches!(w[i].form.as_str(), "\"" | "\u{201c}" | "\u{201d}" | "'");
        let mut found: Vec<(usize, usize)> = Vec::new();
        // display names before a mail address
        for e in 0..n {
            let f = &w[e].form;
            if !(f.contains('@') && f.contains('.')) {
                continue;
            }
            let mut q = e;
            if q > 0 && w[q - 1].form == "<" {
                q -= 1;
            }
            if q > 0 && quote(q - 1) {
                let close = q - 1;
                if let Some(open) = (0..close).rev().take(5).find(|&k| quote(k))
                    && open + 1 < close
                    && (open + 1..close).all(wordlike)
                {
                    found.push((open + 1, close));
                }
            } else if q > 0 && q <= 4 && (0..q).all(wordlike) && w[q].form == "<" {
                found.push((0, q));
            }
        }
        let lower = |i: usize| w[i].form.to_lowercase();
        // a line that is only "Surname, Given" (quoted or not), as in mail headers
        let (mut p, mut q) = (0, n);
        if n > 2 && quote(0) && quote(n - 1) {
            (p, q) = (1, n - 1);
        }
        if q == p + 3
            && w[p + 1].form == ","
            && w[p].form.chars().next().is_some_and(char::is_uppercase)
            && w[p]
                .form
                .chars()
                .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
            && self
                .gaz
                .phrases
                .get(&lower(p + 2))
                .is_some_and(|c| c == "given")
        {
            found.push((p, q));
        }
        // bylines
        let start = match n {
            0 => None,
            _ if lower(0) == "by" => Some(1),
            _ if n > 1 && matches!(lower(0).as_str(), "posted" | "written") && lower(1) == "by" => {
                Some(2)
            }
            _ => None,
        };
        if let Some(a) = start {
            let mut b = a;
            while b < n
                && b < a + 3
                && w[b].form.chars().all(char::is_alphabetic)
                && !matches!(lower(b).as_str(), "at" | "on")
            {
                b += 1;
            }
            let rest_ok = b == n
                || (matches!(lower(b).as_str(), "at" | "on")
                    && w[b + 1..]
                        .iter()
                        .any(|x| x.form.chars().any(|c| c.is_ascii_digit())));
            // a name, not "By train" or "By Monday": lowercase words must not be common
            // words, and no word a month or weekday
            let named = (a..b).all(|i| {
                (w[i].form.chars().next().is_some_and(char::is_uppercase)
                    || !self.gaz.is_common(&lower(i)))
                    && !is_calendar_word(lower(i).trim_end_matches('.'))
            });
            if b > a && rest_ok && named {
                found.push((a, b));
            }
        }
        for (a, b) in found {
            let mut b = b;
            while b > a && w[b - 1].form == "," {
                b -= 1;
            }
            if b == a {
                continue;
            }
            let inside: Vec<usize> = (0..spans.len())
                .filter(|&k| spans[k].start < b && a < spans[k].end)
                .collect();
            // spans inside the name ("Berg", "Anna" of "Berg, Anna") become one person
            let within = inside.iter().all(|&k| {
                spans[k].start >= a && spans[k].end <= b && spans[k].kind != NerKind::Date
            });
            if within {
                let mut k = 0;
                spans.retain(|_| {
                    k += 1;
                    !inside.contains(&(k - 1))
                });
                spans.push(EntitySpan::new(a, b, NerKind::Per));
            } else {
                for k in inside {
                    if !matches!(spans[k].kind, NerKind::Date) {
                        spans[k].kind = NerKind::Per;
                    }
                }
            }
        }
        spans.sort();
    }

    /// An acronym in parentheses right after a name whose initials it spells ("the
    /// Northern Fair Housing Center (NFHC)") names the same thing: it gets the name's
    /// kind, as a new span or by retyping the span there.
    fn acronyms_in_parentheses(&self, s: &Sentence, spans: &mut Vec<EntitySpan>) {
        let w = &s.words;
        let mut add = Vec::new();
        for x in spans.iter() {
            let k = x.end;
            if matches!(x.kind, NerKind::Date | NerKind::Event)
                || k + 2 >= w.len()
                || w[k].form != "("
                || w[k + 2].form != ")"
            {
                continue;
            }
            let acr: String = w[k + 1]
                .form
                .chars()
                .filter(|c| c.is_alphabetic())
                .collect();
            let upper = acr.chars().count() >= 2 && acr.chars().all(char::is_uppercase);
            let initials: String = w[x.start..x.end]
                .iter()
                .filter_map(|t| t.form.chars().next())
                .filter(|c| c.is_uppercase())
                .collect();
            if upper && acr == initials {
                add.push(EntitySpan::new(k + 1, k + 2, x.kind));
            }
        }
        for a in add {
            match spans
                .iter_mut()
                .find(|y| y.start < a.end && a.start < y.end)
            {
                Some(y) if *y == EntitySpan::new(a.start, a.end, y.kind) => y.kind = a.kind,
                Some(_) => {}
                None => spans.push(a),
            }
        }
        spans.sort();
    }

    /// Two persons joined by "and" ("Anna and Maria", "Anna Berg & Marco Rossi") are
    /// two names, and a person "of the" organization ("Anna Berg of the Daily Courier")
    /// is a person and an organization: a PER span the model ran across them is split.
    /// Both sides must start with a capital letter.
    fn split_person_lists(&self, s: &Sentence, spans: &mut Vec<EntitySpan>) {
        let w = &s.words;
        let upper = |i: usize| w[i].form.chars().next().is_some_and(char::is_uppercase);
        let mut out = Vec::with_capacity(spans.len());
        for &sp in spans.iter() {
            if sp.kind != NerKind::Per || sp.end > w.len() {
                out.push(sp);
                continue;
            }
            let conj = (sp.start + 1..sp.end.saturating_sub(1))
                .find(|&k| matches!(w[k].form.as_str(), "and" | "&") && upper(k + 1));
            let of_the = (sp.start + 1..sp.end.saturating_sub(2))
                .find(|&k| w[k].form == "of" && w[k + 1].form == "the" && upper(k + 2));
            match (conj, of_the) {
                (Some(k), _) if upper(sp.start) => {
                    out.push(EntitySpan::new(sp.start, k, NerKind::Per));
                    out.push(EntitySpan::new(k + 1, sp.end, NerKind::Per));
                }
                (None, Some(k))
                    if upper(sp.start)
                        && self.name_word(s, k - 1)
                        && !self.gaz.is_common(&w[k - 1].form.to_lowercase()) =>
                {
                    out.push(EntitySpan::new(sp.start, k, NerKind::Per));
                    out.extend(self.repair(s, EntitySpan::new(k + 2, sp.end, NerKind::Org)));
                }
                _ => out.push(sp),
            }
        }
        *spans = out;
    }

    /// Enforces the span conventions the model only mostly learns (see module docs): a
    /// person's name starts after any title, demonym, salutation or (in a normally cased
    /// sentence) lowercase word ("German Chancellor Anna Berg", "her Italian counterpart
    /// Marco Rossi", "Dear Dr. Smith" -> the name only), no span starts with "the" or
    /// begins/ends with an address or bare punctuation, and in a normally cased sentence a
    /// multi-word name (not a date or event) does not end in a lowercase word ("Fallujah
    /// on Wednesday").
    /// `None` when nothing of the span is left, or only a nationality word.
    fn repair(&self, s: &Sentence, sp: EntitySpan) -> Option<EntitySpan> {
        let w = &s.words;
        let (mut a, mut b) = (sp.start, sp.end.min(w.len()));
        let lower_at = |i: usize| w[i].form.to_lowercase();
        let cased = w.iter().any(|x| x.form.chars().any(char::is_uppercase))
            && w.iter().any(|x| x.form.chars().any(char::is_lowercase));
        let starts_lower = |i: usize| w[i].form.chars().next().is_some_and(char::is_lowercase);
        while a < b {
            let l = lower_at(a);
            let l = l.trim_end_matches('.');
            let strip = l == "the"
                || (sp.kind == NerKind::Per
                    && (is_title_word(l)
                        || SALUTATIONS.contains(&l)
                        || (cased && starts_lower(a) && a + 1 < b)
                        || self.gaz.phrases.get(l).is_some_and(|c| c == "demonym")));
            if !strip {
                break;
            }
            a += 1;
        }
        // Addresses are never names ("Anna Berg anna@example.org", bare URLs).
        let junk = |i: usize| {
            let f = &w[i].form;
            f.contains("://")
                || f.starts_with("www.")
                || (f.contains('@') && f.contains('.'))
                || !f.chars().any(char::is_alphanumeric)
                || is_file_name(f)
        };
        while a < b && junk(a) {
            a += 1;
        }
        while b > a && junk(b - 1) {
            b -= 1;
        }
        // A person's name does not run across a dash written with spaces around it
        // ("Bryan Hull - Analyst"); a hyphenated name has none ("Kowalski-Nowak").
        if sp.kind == NerKind::Per
            && let Some(k) = (a + 1..b).find(|&k| {
                matches!(w[k].form.as_str(), "-" | "–" | "—")
                    && !w[k - 1].no_space_after()
                    && !w[k].no_space_after()
            })
        {
            b = k;
        }
        let name_like = !matches!(sp.kind, NerKind::Date | NerKind::Event);
        if name_like && cased && a < b && w[a].form.chars().next().is_some_and(char::is_uppercase) {
            while b > a + 1 {
                let last = &w[b - 1].form;
                let lowercase_word = last.chars().next().is_some_and(char::is_lowercase)
                    && last != "s"
                    && last != "'s";
                let punct = last.chars().all(|c| !c.is_alphanumeric());
                let conn = CONNECTORS.contains(&last.to_lowercase().as_str()) && last != "'s";
                if lowercase_word || (punct && last != ".") || conn {
                    b -= 1;
                } else {
                    break;
                }
            }
        }
        // A weekday ends no name ("Fallujah Wednesday"), and a month or weekday alone
        // is a date, not a name (unless it is a given name too: "May", "June").
        let weekday = |i: usize| crate::text::calendar::WEEKDAYS.contains(&lower_at(i).as_str());
        if name_like {
            while b > a + 1 && weekday(b - 1) {
                b -= 1;
            }
            if b == a + 1 {
                let l = lower_at(a);
                let given = self.gaz.phrases.get(&l).is_some_and(|c| c == "given");
                if is_calendar_word(l.trim_end_matches('.')) && !given {
                    return None;
                }
            }
        }
        // A company suffix alone is no name ("Blue Lottery Corporation, Inc.").
        if name_like
            && b == a + 1
            && matches!(
                lower_at(a).trim_end_matches('.'),
                "inc" | "corp" | "co" | "ltd" | "llc" | "plc" | "gmbh"
            )
        {
            return None;
        }
        // One letter is not a person ("when Z happens after X"): initials come with a name.
        if sp.kind == NerKind::Per && b == a + 1 && w[a].form.chars().count() == 1 {
            return None;
        }
        // A nationality word alone is not a named entity (UNER/CoNLL conventions, and
        // the training targets): "Dutch", "Americans".
        if name_like && b == a + 1 {
            let l = lower_at(a);
            let demonym = |x: &str| self.gaz.phrases.get(x).is_some_and(|c| c == "demonym");
            if demonym(&l) || l.strip_suffix('s').is_some_and(demonym) {
                return None;
            }
            // A plural of a word the dictionary knows is a group of people, not a
            // person ("Senators", "Methodists"), unless it is a given name's plural
            // ("Williams", tagged singular anyway).
            let plural = matches!(w[a].xpos.as_str(), "NNPS" | "NNS");
            if sp.kind == NerKind::Per
                && plural
                && let Some(one) = l
                    .strip_suffix('s')
                    .filter(|x| x.len() >= 3 && !x.ends_with('s'))
                && self.gaz.words.contains_key(one)
                && self.gaz.phrases.get(one).map(String::as_str) != Some("given")
            {
                return None;
            }
        }
        (a < b).then_some(EntitySpan {
            start: a,
            end: b,
            kind: sp.kind,
        })
    }

    /// BIO strings for the CoNLL-U MISC column (`B-PER`, `I-PER`, `O`), one per word.
    pub fn bio_labels(spans: &[EntitySpan], n_words: usize) -> Vec<String> {
        let mut v = vec!["O".to_string(); n_words];
        for sp in spans {
            for (k, slot) in v
                .iter_mut()
                .enumerate()
                .take(sp.end.min(n_words))
                .skip(sp.start)
            {
                *slot = format!(
                    "{}-{}",
                    if k == sp.start { "B" } else { "I" },
                    sp.kind.as_str()
                );
            }
        }
        v
    }

    pub fn write_to<W: Write>(&self, w: &mut W) -> std::io::Result<()> {
        w.write_all(MAGIC)?;
        io::write_u32(w, VERSION)?;
        io::write_u32(w, self.gaz.list.len() as u32)?;
        for (p, c) in &self.gaz.list {
            io::write_str(w, p)?;
            io::write_str(w, c)?;
        }
        self.model.write_to(w)
    }

    pub fn read_from<R: Read>(r: &mut R) -> Result<Ner, ModelError> {
        io::check_header(r, MAGIC, VERSION)?;
        let n = io::read_u32(r)? as usize;
        if n > 1_000_000 {
            return Err(ModelError::Corrupt(format!("{n} gazetteer phrases")));
        }
        let mut list = Vec::with_capacity(n.min(1 << 16));
        for _ in 0..n {
            let p = io::read_str(r)?;
            let c = io::read_str(r)?;
            list.push((p, c));
        }
        let model = Perceptron::read_from(r)?;
        if model.n_classes() != N_LABELS {
            return Err(ModelError::Corrupt(format!(
                "{} classes, expected {N_LABELS}",
                model.n_classes()
            )));
        }
        Ok(Ner {
            model,
            gaz: GazIndex::from_list(list),
        })
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let mut buf = Vec::new();
        self.write_to(&mut buf)?;
        std::fs::write(path, buf)
    }

    pub fn load(path: &Path) -> Result<Ner, ModelError> {
        let bytes = std::fs::read(path)?;
        Ner::read_from(&mut bytes.as_slice())
    }
}

// ---------------------------------------------------------------------------------------
// General English word lists (NER features only)
// ---------------------------------------------------------------------------------------

/// Lists compiled into the model next to the country gazetteer, as (class, comma-separated
/// lowercase phrases). Why: GUM train has only ~6k named mentions, so most names in new
/// text are unseen; whether a word is a known region, city or given name, or an
/// organization/place keyword ("Corp", "University", "River"), is what tells "Palo Alto"
/// from a person. Country names and capitals come from `countries.json`, not from here.
/// Two-letter state codes that are English words or clitic pieces (IN, OR, ME, OK, HI,
/// CA as in "ca n't", MS, ...) are left out, since matching is case-insensitive.
const WORD_LISTS: &[(&str, &str)] = &[
    (
        "region",
        "alabama, alaska, arizona, arkansas, california, colorado, connecticut, delaware, \
         florida, georgia, hawaii, idaho, illinois, indiana, iowa, kansas, kentucky, \
         louisiana, maine, maryland, massachusetts, michigan, minnesota, mississippi, \
         missouri, montana, nebraska, nevada, new hampshire, new jersey, new mexico, \
         new york, north carolina, north dakota, ohio, oklahoma, oregon, pennsylvania, \
         rhode island, south carolina, south dakota, tennessee, texas, utah, vermont, \
         virginia, washington, west virginia, wisconsin, wyoming, district of columbia, \
         ontario, quebec, alberta, manitoba, saskatchewan, nova scotia, british columbia, \
         new south wales, queensland, victoria, tasmania, bavaria, catalonia, scotland, \
         wales, england, northern ireland, ulster, punjab, bengal, kerala, gujarat, \
         rajasthan, tamil nadu, uttar pradesh, maharashtra, karnataka, andhra pradesh, \
         sichuan, guangdong, yunnan, tibet, xinjiang, siberia, \
         ak, az, ar, ct, fl, ga, ia, ks, ky, md, mn, nj, nm, ny, nc, nd, ri, sc, sd, tn, tx, \
         vt, va, wa, wv, wi, wy, dc",
    ),
    (
        "city",
        "new york city, los angeles, chicago, houston, phoenix, philadelphia, san antonio, \
         san diego, dallas, san jose, austin, jacksonville, san francisco, columbus, \
         indianapolis, seattle, denver, boston, el paso, detroit, nashville, memphis, \
         portland, las vegas, louisville, baltimore, milwaukee, albuquerque, tucson, fresno, \
         sacramento, atlanta, miami, oakland, minneapolis, tulsa, cleveland, pittsburgh, \
         cincinnati, st. louis, saint louis, kansas city, new orleans, tampa, orlando, \
         honolulu, anchorage, omaha, raleigh, richmond, buffalo, rochester, newark, hartford, \
         providence, salt lake city, santa fe, palo alto, berkeley, cambridge, princeton, \
         brooklyn, manhattan, queens, bronx, harlem, hollywood, beverly hills, \
         silicon valley, long island, santa monica, pasadena, toronto, montreal, vancouver, \
         calgary, edmonton, winnipeg, halifax, manchester, liverpool, birmingham, leeds, \
         glasgow, edinburgh, bristol, sheffield, oxford, belfast, cardiff, newcastle, \
         brighton, nottingham, barcelona, valencia, seville, milan, naples, turin, \
         florence, venice, munich, hamburg, frankfurt, cologne, stuttgart, lyon, marseille, \
         bordeaux, geneva, zurich, rotterdam, antwerp, porto, salzburg, krakow, gdansk, \
         istanbul, dubai, mumbai, bombay, delhi, bangalore, bengaluru, kolkata, calcutta, \
         chennai, madras, hyderabad, pune, karachi, lahore, shanghai, guangzhou, shenzhen, \
         osaka, kyoto, yokohama, busan, sydney, melbourne, brisbane, perth, adelaide, \
         auckland, sao paulo, rio de janeiro, johannesburg, cape town, durban, lagos, \
         alexandria, casablanca, marrakesh, tel aviv, jerusalem, gaza, mecca, medina, basra, \
         mosul, fallujah, aleppo, benghazi, mombasa, nyc, l.a.",
    ),
    (
        "given",
        "james, john, robert, michael, david, richard, charles, joseph, thomas, \
         christopher, daniel, paul, steven, andrew, kenneth, joshua, kevin, brian, george, \
         edward, ronald, timothy, jason, jeffrey, ryan, jacob, gary, nicholas, eric, \
         jonathan, stephen, larry, justin, scott, brandon, benjamin, samuel, gregory, \
         alexander, patrick, jack, dennis, jerry, tyler, aaron, henry, douglas, peter, adam, \
         nathan, zachary, walter, kyle, harold, carl, jeremy, keith, roger, gerald, ethan, \
         arthur, terry, christian, sean, lawrence, joe, noah, jesse, albert, bryan, billy, \
         bruce, willie, dylan, alan, ralph, gabriel, roy, wayne, eugene, logan, randy, louis, \
         russell, vincent, philip, bobby, johnny, bradley, mary, patricia, jennifer, linda, \
         elizabeth, barbara, susan, jessica, sarah, karen, nancy, lisa, betty, margaret, \
         sandra, ashley, kimberly, emily, donna, michelle, dorothy, carol, amanda, melissa, \
         deborah, stephanie, rebecca, sharon, laura, cynthia, kathleen, amy, shirley, \
         angela, helen, anna, brenda, pamela, nicole, emma, samantha, katherine, christine, \
         debra, rachel, catherine, carolyn, janet, heather, maria, diane, julie, joyce, \
         kelly, christina, lauren, joan, evelyn, olivia, judith, megan, cheryl, martha, \
         andrea, frances, hannah, jacqueline, ann, gloria, jean, kathryn, alice, teresa, \
         sara, janice, doris, madison, julia, judy, abigail, marie, denise, beverly, \
         danielle, theresa, sophia, marilyn, diana, natalie, brittany, charlotte, kayla, \
         alexis, lori, mohammed, muhammad, ahmed, ali, hassan, hussein, omar, abdul, \
         ibrahim, yusuf, fatima, aisha, mustafa, khalid, mahmoud, raj, rahul, amit, priya, \
         ravi, sanjay, vijay, arjun, hiroshi, yuki, kenji, carlos, jose, luis, miguel, juan, \
         pedro, pablo, francisco, antonio, manuel, javier, diego, jorge, alejandro, \
         fernando, sofia, lucia, carmen, isabel, pierre, jacques, francois, hans, klaus, \
         wolfgang, giuseppe, giovanni, marco, luca, matteo",
    ),
    (
        "orgword",
        "inc, inc., corp, corp., corporation, co., ltd, ltd., llc, plc, company, group, \
         holdings, partners, associates, bank, university, college, institute, school, \
         academy, party, ministry, department, agency, bureau, commission, committee, \
         council, association, federation, foundation, society, union, league, club, \
         airlines, airways, motors, industries, technologies, systems, enterprises, \
         services, media, network, news, times, post, journal, herald, tribune, gazette, \
         press, magazine, hospital, church, army, navy, court, senate, parliament, \
         congress, assembly, administration, authority, board, trust, fund, organization, \
         organisation",
    ),
    (
        "locword",
        "city, county, state, province, river, lake, mountain, mountains, mount, mt., bay, \
         island, islands, street, st., road, rd, avenue, ave, boulevard, blvd, park, valley, \
         beach, coast, ocean, sea, gulf, peninsula, desert, canyon, falls, harbor, harbour, \
         airport, station, square, bridge, district, region, heights, springs, hills",
    ),
];

/// The NER word lists of `data/gazetteer/` (see its README and
/// `scripts/make-name-lists.py`), as phrase-table entries: US Census given names
/// (class `given`), GeoNames cities of 5,000 people or more (`town`), and the SCOWL
/// English dictionary (`dict-l` for a word it writes in lower case, `dict-p` for one it
/// capitalizes). Why: GUM train has about 6,000 names, so most names in new text are
/// unseen, and so are most capitalized common words ("Delivery", "Responsive"); these
/// lists say which is which. Sorted, so the model file does not depend on the files'
/// order. A missing or empty file is an error naming it.
pub fn name_lists(
    dir: &Path,
) -> Result<Vec<(String, String)>, crate::nlp::gazetteer::GazetteerError> {
    use crate::nlp::gazetteer::GazetteerError;
    let read = |name: &str| -> Result<String, GazetteerError> {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).map_err(|source| GazetteerError::Io {
            path: path.clone(),
            source,
        })?;
        if text.trim().is_empty() {
            return Err(GazetteerError::Malformed {
                path,
                message: "no entries".into(),
            });
        }
        Ok(text)
    };
    let entries = |text: String| -> Vec<String> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for name in entries(read(GIVEN_NAMES_FILE)?) {
        out.push((name.to_lowercase(), "given".to_string()));
    }
    for (n, line) in read(CITIES_FILE)?.lines().enumerate() {
        let name = line.split('\t').next().unwrap_or("").trim();
        if name.is_empty() {
            return Err(GazetteerError::Malformed {
                path: dir.join(CITIES_FILE),
                message: format!("line {}: no name", n + 1),
            });
        }
        out.push((name.to_lowercase(), "town".to_string()));
    }
    for w in entries(read(WORDS_FILE)?) {
        let class = if w.chars().next().is_some_and(char::is_uppercase) {
            "dict-p"
        } else {
            "dict-l"
        };
        out.push((w.to_lowercase(), class.to_string()));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The word-list files of [`name_lists`], in the gazetteer directory.
pub const GIVEN_NAMES_FILE: &str = "given-names.txt";
pub const CITIES_FILE: &str = "cities.tsv";
pub const WORDS_FILE: &str = "english-words.txt";

/// The word lists as (lowercase phrase, class) pairs, sorted (deterministic model files).
fn word_list_phrases() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = WORD_LISTS
        .iter()
        .flat_map(|(class, items)| {
            items
                .split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(move |x| (x.to_string(), (*class).to_string()))
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Best well-formed label sequence under first-order scores: emission features once per
/// word, the label-dependent ones (`SentFeats::transition`) once per previous label.
fn viterbi(model: &Perceptron, sf: &SentFeats, n: usize) -> Vec<usize> {
    const NONE: f32 = f32::NEG_INFINITY;
    if n == 0 {
        return Vec::new();
    }
    let mut feats = Vec::with_capacity(64);
    let mut e = vec![0f32; N_LABELS];
    let mut t = vec![0f32; N_LABELS * N_LABELS];
    let mut prev = vec![NONE; N_LABELS];
    prev[0] = 0.0;
    let mut back: Vec<[u8; N_LABELS]> = Vec::with_capacity(n);
    // A finished model sums exact integer weights, so the word-independent row of
    // each previous label is summed once per sentence instead of at every word, and
    // the word's features for all previous labels are looked up in one call (their
    // cache misses overlap), with the same scores. (A model in training sums floats:
    // order matters there.)
    let bias: Option<(f32, Vec<f32>)> = model.raw_scale().map(|scale| {
        let mut rows = vec![0f32; N_LABELS * N_LABELS];
        let all: Vec<u64> = (0..N_LABELS).map(SentFeats::label_bias).collect();
        model.add_raw_rows(&all, 1, &mut rows);
        (scale, rows)
    });
    let mut live = Vec::with_capacity(N_LABELS);
    for i in 0..n {
        sf.emission(i, &mut feats);
        model.scores(&feats, &mut e);
        live.clear();
        live.extend((0..N_LABELS).filter(|&p| prev[p] != NONE));
        if let Some((scale, rows)) = &bias {
            // one row of N_LABELS scores per live previous label, in `live` order
            feats.clear();
            for &p in &live {
                sf.transition_with_word(i, p, &mut feats);
            }
            let per = feats.len() / live.len().max(1);
            for (k, &p) in live.iter().enumerate() {
                t[k * N_LABELS..(k + 1) * N_LABELS]
                    .copy_from_slice(&rows[p * N_LABELS..(p + 1) * N_LABELS]);
            }
            let used = &mut t[..live.len() * N_LABELS];
            model.add_raw_rows(&feats, per, used);
            used.iter_mut().for_each(|x| *x *= scale);
        } else {
            for (k, &p) in live.iter().enumerate() {
                sf.transition(i, p, &mut feats);
                model.scores(&feats, &mut t[k * N_LABELS..(k + 1) * N_LABELS]);
            }
        }
        let mut cur = vec![NONE; N_LABELS];
        let mut bp = [0u8; N_LABELS];
        let succ = successors();
        for (k, &p) in live.iter().enumerate() {
            let from = prev[p];
            let t = &t[k * N_LABELS..(k + 1) * N_LABELS];
            for &l in &succ[p] {
                let l = l as usize;
                let v = from + t[l] + e[l];
                if v > cur[l] {
                    cur[l] = v;
                    bp[l] = p as u8;
                }
            }
        }
        back.push(bp);
        prev = cur;
    }
    let mut best = 0;
    let mut best_s = NONE;
    for (l, &v) in prev.iter().enumerate() {
        if allowed_last(l) && v > best_s {
            best_s = v;
            best = l;
        }
    }
    let mut out = vec![0; n];
    for i in (0..n).rev() {
        out[i] = best;
        best = back[i][best] as usize;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlp::conllu::parse_str;

    fn sent(rows: &[(&str, &str, usize, &str, &str)]) -> Sentence {
        let mut text = String::new();
        for (i, (f, u, h, d, misc)) in rows.iter().enumerate() {
            text.push_str(&format!(
                "{}\t{f}\t{}\t{u}\t_\t_\t{h}\t{d}\t_\t{misc}\n",
                i + 1,
                f.to_lowercase()
            ));
        }
        parse_str(&text).unwrap().remove(0)
    }

    #[test]
    fn bilou_round_trip_and_constraints() {
        let spans = vec![
            EntitySpan::new(0, 1, NerKind::Per),
            EntitySpan::new(2, 5, NerKind::Org),
        ];
        let l = spans_to_labels(6, &spans);
        assert_eq!(labels_to_spans(&l), spans);
        assert!(!allowed(0, label(NerKind::Per, POS_I)));
        assert!(allowed(
            label(NerKind::Per, POS_B),
            label(NerKind::Per, POS_L)
        ));
        assert!(!allowed(
            label(NerKind::Per, POS_B),
            label(NerKind::Org, POS_L)
        ));
        assert!(!allowed(label(NerKind::Per, POS_B), 0));
        assert_eq!(
            Ner::bio_labels(&spans, 6),
            vec!["B-PER", "O", "B-ORG", "I-ORG", "I-ORG", "O"]
        );
    }

    #[test]
    fn gum_brackets_nested_and_single() {
        let s = sent(&[
            (
                "Kazakh",
                "ADJ",
                3,
                "amod",
                "Entity=(1-person-new-nnnnn-cf1-3-coref-Kassym-Jomart_Tokayev(2-place-new-nnnnn-cf2-1-coref-Kazakhstan)",
            ),
            ("President", "PROPN", 3, "compound", "_"),
            ("Tokayev", "PROPN", 4, "nsubj", "Entity=1)"),
            ("spoke", "VERB", 0, "root", "_"),
        ]);
        let ms = sentence_mentions(&s, 0, EntityLayout::default());
        assert_eq!(ms.len(), 2);
        assert_eq!(
            (ms[0].start, ms[0].end, ms[0].etype.as_str()),
            (0, 3, "person")
        );
        assert_eq!(ms[0].identity.as_deref(), Some("Kassym-Jomart_Tokayev"));
        assert_eq!((ms[1].start, ms[1].end, ms[1].eid.as_str()), (0, 1, "2"));
        let refs: Vec<&GumMention> = ms.iter().collect();
        // The title is cut off; the demonym (ADJ head) is not a named entity.
        assert_eq!(
            gum_named_spans(&s, &refs, None),
            vec![EntitySpan::new(2, 3, NerKind::Per)]
        );
    }

    #[test]
    fn name_span_joins_connectors() {
        let s = sent(&[
            (
                "the",
                "DET",
                2,
                "det",
                "Entity=(1-organization-new-nnnnn-cf1-2-coref",
            ),
            ("University", "PROPN", 5, "nsubj", "_"),
            ("of", "ADP", 4, "case", "_"),
            ("Portsmouth", "PROPN", 2, "nmod", "Entity=1)"),
            ("grew", "VERB", 0, "root", "_"),
        ]);
        let ms = sentence_mentions(&s, 0, EntityLayout::default());
        let refs: Vec<&GumMention> = ms.iter().collect();
        assert_eq!(
            gum_named_spans(&s, &refs, None),
            vec![EntitySpan::new(1, 4, NerKind::Org)]
        );
    }

    /// A sentence of the space-separated words of `t`: capitalized ones PROPN, the
    /// others NOUN (what the rules after the model read is the words, not the tags).
    fn words(t: &str) -> Sentence {
        let r: Vec<(&str, &str, &str)> = t
            .split(' ')
            .map(|f| {
                if f.chars().next().is_some_and(char::is_uppercase) {
                    (f, "PROPN", "NNP")
                } else {
                    (f, "NOUN", "NN")
                }
            })
            .collect();
        tagged(&r)
    }

    /// `complete_places` on a sentence with its phrase-list marks.
    fn places(ner: &Ner, s: &Sentence, spans: &mut Vec<EntitySpan>) {
        ner.complete_places(s, &Marked::new(s, &ner.gaz), spans);
    }

    fn tagged(rows: &[(&str, &str, &str)]) -> Sentence {
        let mut text = String::new();
        for (i, (f, u, x)) in rows.iter().enumerate() {
            text.push_str(&format!(
                "{}\t{f}\t{}\t{u}\t{x}\t_\t0\tdep\t_\t_\n",
                i + 1,
                f.to_lowercase()
            ));
        }
        parse_str(&text).unwrap().remove(0)
    }

    fn per(start: usize, end: usize) -> EntitySpan {
        EntitySpan {
            start,
            end,
            kind: NerKind::Per,
        }
    }

    #[test]
    fn repair_cuts_titles_demonyms_and_trailing_words() {
        let mut ner = Ner::train(&[], None, &TrainOptions::default());
        ner.gaz = GazIndex::from_list(vec![
            ("german".into(), "demonym".into()),
            ("italian".into(), "demonym".into()),
        ]);
        let s = tagged(&[
            ("German", "ADJ", "JJ"),
            ("Chancellor", "PROPN", "NNP"),
            ("Anna", "PROPN", "NNP"),
            ("Berg", "PROPN", "NNP"),
            ("met", "VERB", "VBD"),
            ("her", "PRON", "PRP$"),
            ("Italian", "ADJ", "JJ"),
            ("counterpart", "NOUN", "NN"),
            ("Marco", "PROPN", "NNP"),
            ("Rossi", "PROPN", "NNP"),
            ("on", "ADP", "IN"),
            ("Monday", "PROPN", "NNP"),
            ("in", "ADP", "IN"),
            ("Rome", "PROPN", "NNP"),
            ("that", "PRON", "WDT"),
        ]);
        assert_eq!(ner.repair(&s, per(0, 4)), Some(per(2, 4)));
        assert_eq!(ner.repair(&s, per(5, 10)), Some(per(8, 10)));
        assert_eq!(ner.repair(&s, per(8, 11)), Some(per(8, 10)));
        let loc = EntitySpan::new(13, 15, NerKind::Loc);
        assert_eq!(
            ner.repair(&s, loc).map(|x| (x.start, x.end)),
            Some((13, 14))
        );
        // Only a title or a nationality: nothing left.
        assert_eq!(ner.repair(&s, per(1, 2)), None);
        assert_eq!(ner.repair(&s, per(6, 7)), None);
        // Addresses are cut off.
        let m = tagged(&[
            ("Anna", "PROPN", "NNP"),
            ("Berg", "PROPN", "NNP"),
            ("anna@example.org", "X", "ADD"),
        ]);
        assert_eq!(ner.repair(&m, per(0, 3)), Some(per(0, 2)));
    }

    #[test]
    fn a_person_name_stops_at_a_spaced_dash_not_at_a_hyphen() {
        let ner = Ner::train(&[], None, &TrainOptions::default());
        // "Jan Kowalski-Nowak - Analyst"
        let rows = [
            ("Jan", "_"),
            ("Kowalski", "SpaceAfter=No"),
            ("-", "SpaceAfter=No"),
            ("Nowak", "_"),
            ("-", "_"),
            ("Analyst", "_"),
        ];
        let mut text = String::new();
        for (i, (f, misc)) in rows.iter().enumerate() {
            text.push_str(&format!(
                "{}\t{f}\t_\tPROPN\tNNP\t_\t0\tdep\t_\t{misc}\n",
                i + 1
            ));
        }
        let s = parse_str(&text).unwrap().remove(0);
        assert_eq!(ner.repair(&s, per(0, 6)), Some(per(0, 4)));
        // other kinds keep their dashes ("Enron On - Line" is one organization)
        let org = EntitySpan::new(0, 6, NerKind::Org);
        assert_eq!(ner.repair(&s, org), Some(org));
    }

    #[test]
    fn person_names_completed_after_roles_and_hyphens() {
        let mut ner = Ner::train(&[], None, &TrainOptions::default());
        ner.gaz = GazIndex::from_list(vec![("czech".into(), "demonym".into())]);
        let rows = [
            ("Jan", "_"),
            ("Kowalski", "SpaceAfter=No"),
            ("-", "SpaceAfter=No"),
            ("Nowak", "_"),
            ("thanked", "_"),
            ("his", "_"),
            ("Czech", "_"),
            ("counterpart", "_"),
            ("Petr", "_"),
            ("Novak", "_"),
            ("on", "_"),
            ("Monday", "_"),
            (".", "_"),
        ];
        let mut text = String::new();
        for (i, (f, misc)) in rows.iter().enumerate() {
            text.push_str(&format!("{}\t{f}\t_\tX\t_\t_\t0\tdep\t_\t{misc}\n", i + 1));
        }
        let s = parse_str(&text).unwrap().remove(0);
        let mut spans = vec![per(0, 2)];
        ner.complete_person_names(&s, &mut spans);
        assert_eq!(spans, vec![per(0, 4), per(8, 10)]);
        // Nothing is added where a span already covers the name, or in all-caps text.
        let mut again = spans.clone();
        ner.complete_person_names(&s, &mut again);
        assert_eq!(again, spans);
        // A name after a role noun that the model took for a work or product is a person.
        let mut misc = vec![per(0, 4), EntitySpan::new(8, 10, NerKind::Misc)];
        ner.complete_person_names(&s, &mut misc);
        assert_eq!(misc, spans);
        let mut upper = s.clone();
        for w in &mut upper.words {
            w.form = w.form.to_uppercase();
        }
        let mut none = Vec::new();
        ner.complete_person_names(&upper, &mut none);
        assert!(none.is_empty());
    }

    #[test]
    fn person_names_join_across_particles_and_split_at_and_or_of_the() {
        let mut ner = Ner::train(&[], None, &TrainOptions::default());
        ner.gaz = GazIndex::from_list(vec![("many".into(), "dict-l".into())]);
        let sent = |rows: &[(&str, &str)]| {
            let mut text = String::new();
            for (i, (f, misc)) in rows.iter().enumerate() {
                text.push_str(&format!("{}\t{f}\t_\tX\t_\t_\t0\tdep\t_\t{misc}\n", i + 1));
            }
            parse_str(&text).unwrap().remove(0)
        };
        // "Omar al-Rashid spoke": two person parts around the particle are one person.
        let s = sent(&[
            ("Omar", "_"),
            ("al", "SpaceAfter=No"),
            ("-", "SpaceAfter=No"),
            ("Rashid", "_"),
            ("spoke", "_"),
        ]);
        let mut spans = vec![per(0, 1), per(3, 4)];
        ner.person_name_particles(&s, &mut spans);
        assert_eq!(spans, vec![per(0, 4)]);
        // A lone surname after a glued particle starts at the particle.
        let mut alone = vec![per(3, 4)];
        let mut lone = s.clone();
        lone.words[0].form = "then".into();
        ner.person_name_particles(&lone, &mut alone);
        assert_eq!(alone, vec![per(1, 4)]);
        // Another kind of span in the chain blocks it; alone, it starts at the particle
        // too ("al-Qaida").
        let mut org = vec![per(0, 1), EntitySpan::new(3, 4, NerKind::Org)];
        ner.person_name_particles(&s, &mut org);
        assert_eq!(org, vec![per(0, 1), EntitySpan::new(3, 4, NerKind::Org)]);
        let mut org = vec![EntitySpan::new(3, 4, NerKind::Org)];
        ner.person_name_particles(&lone, &mut org);
        assert_eq!(org, vec![EntitySpan::new(1, 4, NerKind::Org)]);
        // "Ludwig van Dijk": a spaced particle joins only with a name before it.
        let s = sent(&[("Ludwig", "_"), ("van", "_"), ("Dijk", "_"), ("won", "_")]);
        let mut spans = vec![per(0, 1)];
        ner.person_name_particles(&s, &mut spans);
        assert_eq!(spans, vec![per(0, 3)]);
        let s = sent(&[("in", "_"), ("van", "_"), ("Dijk", "_")]);
        let mut spans = vec![per(2, 3)];
        ner.person_name_particles(&s, &mut spans);
        assert_eq!(spans, vec![per(2, 3)]);

        // "Anna and Maria": two people; "Anna Berg of the Daily Courier": a person and
        // an organization; "Many of the Voters" is left alone (a common word).
        let s = words("Anna and Maria met Anna Berg of the Daily Courier");
        let mut spans = vec![per(0, 3), per(4, 10)];
        ner.split_person_lists(&s, &mut spans);
        assert_eq!(
            spans,
            vec![
                per(0, 1),
                per(2, 3),
                per(4, 6),
                EntitySpan::new(8, 10, NerKind::Org)
            ]
        );
        let s = words("Many of the Voters came");
        let mut spans = vec![per(0, 4)];
        ner.split_person_lists(&s, &mut spans);
        assert_eq!(spans, vec![per(0, 4)]);
        // "Catherine of Aragon" has no "the": one name.
        let s = words("Catherine of Aragon came");
        let mut spans = vec![per(0, 3)];
        ner.split_person_lists(&s, &mut spans);
        assert_eq!(spans, vec![per(0, 3)]);
    }

    /// A sentence from (form, head, deprel) rows.
    fn tree(rows: &[(&str, usize, &str)]) -> Sentence {
        let mut text = String::new();
        for (i, (f, h, d)) in rows.iter().enumerate() {
            text.push_str(&format!("{}\t{f}\t_\tX\t_\t_\t{h}\t{d}\t_\t_\n", i + 1));
        }
        parse_str(&text).unwrap().remove(0)
    }

    #[test]
    fn class_nouns_state_the_kind_of_the_name_after_them() {
        let ner = Ner::train(&[], None, &TrainOptions::default());
        // "the militant group Hamdan said": appos of an organization noun
        let s = tree(&[
            ("the", 3, "det"),
            ("militant", 3, "amod"),
            ("group", 5, "nsubj"),
            ("Hamdan", 3, "appos"),
            ("said", 0, "root"),
        ]);
        assert_eq!(class_noun_kind(&s, 3, 4, &|_| false), Some(NerKind::Org));
        let mut spans = vec![per(3, 4)];
        ner.names_after_class_nouns(&s, &mut spans);
        assert_eq!(spans, vec![EntitySpan::new(3, 4, NerKind::Org)]);
        // no span there: one is added
        let mut spans = Vec::new();
        ner.names_after_class_nouns(&s, &mut spans);
        assert_eq!(spans, vec![EntitySpan::new(3, 4, NerKind::Org)]);
        // "company Keyhole": the noun modifies the name
        let s = tree(&[
            ("bought", 0, "root"),
            ("company", 3, "compound"),
            ("Keyhole", 1, "obj"),
        ]);
        assert_eq!(class_noun_kind(&s, 2, 3, &|_| false), Some(NerKind::Org));
        // "the city of Hilla": a place after "of"; "the group of Anna" is not stated
        let s = tree(&[
            ("in", 3, "case"),
            ("the", 3, "det"),
            ("city", 0, "root"),
            ("of", 5, "case"),
            ("Hilla", 3, "nmod"),
        ]);
        assert_eq!(class_noun_kind(&s, 4, 5, &|_| false), Some(NerKind::Loc));
        let mut of_group = s.clone();
        of_group.words[2].form = "group".into();
        assert_eq!(class_noun_kind(&of_group, 4, 5, &|_| false), None);
        // "the group Anna founded": Anna is the subject of a relative clause
        let s = tree(&[
            ("the", 2, "det"),
            ("group", 5, "nsubj"),
            ("Anna", 4, "nsubj"),
            ("founded", 2, "acl:relcl"),
            ("grew", 0, "root"),
        ]);
        assert_eq!(class_noun_kind(&s, 2, 3, &|_| false), None);
        let mut spans = vec![per(2, 3)];
        ner.names_after_class_nouns(&s, &mut spans);
        assert_eq!(spans, vec![per(2, 3)]);
        // An appositive after the name states it too: "to Hamdan, the leader of …" is a
        // person, "to Hamdan, the group" an organization; "Hamdan, Iraq" states nothing.
        let mut s = tree(&[
            ("to", 2, "case"),
            ("Hamdan", 0, "root"),
            (",", 5, "punct"),
            ("the", 5, "det"),
            ("leader", 2, "appos"),
        ]);
        let mut spans = vec![EntitySpan::new(1, 2, NerKind::Loc)];
        ner.names_after_class_nouns(&s, &mut spans);
        assert_eq!(spans, vec![per(1, 2)]);
        s.words[4].form = "group".into();
        assert_eq!(class_noun_kind(&s, 1, 2, &|_| false), Some(NerKind::Org));
        s.words[4].form = "Iraq".into();
        assert_eq!(class_noun_kind(&s, 1, 2, &|_| false), None);
        // "an editor at Blue Forum": an employer; "an editor at Blue Forum" parsed with
        // the name as the verb's dependent ("met an editor at Blue Forum") is not
        let mut s = tree(&[
            ("an", 2, "det"),
            ("editor", 0, "root"),
            ("at", 5, "case"),
            ("Blue", 5, "compound"),
            ("Forum", 2, "nmod"),
        ]);
        assert_eq!(class_noun_kind(&s, 3, 5, &|_| false), Some(NerKind::Org));
        // a writer for a person: a name that starts with a given name is no employer
        assert_eq!(class_noun_kind(&s, 3, 5, &|w| w == "blue"), None);
        s.words[4].head = 0;
        assert_eq!(class_noun_kind(&s, 3, 5, &|_| false), None);
        // "the ruling Hamdan party": the name modifies an organization noun after it
        let mut s = tree(&[
            ("the", 4, "det"),
            ("ruling", 4, "amod"),
            ("Hamdan", 4, "compound"),
            ("party", 0, "root"),
        ]);
        assert_eq!(class_noun_kind(&s, 2, 3, &|_| false), Some(NerKind::Org));
        s.words[3].form = "province".into();
        assert_eq!(class_noun_kind(&s, 2, 3, &|_| false), Some(NerKind::Loc));
        s.words[3].form = "summit".into();
        assert_eq!(class_noun_kind(&s, 2, 3, &|_| false), None);
        s.words[3].form = "leader".into();
        assert_eq!(class_noun_kind(&s, 2, 3, &|_| false), None);
        // "Mela Utsav, an annual procession": an event, and so is every "Mela Utsav" of
        // the document
        let stated = tree(&[
            ("Mela", 2, "compound"),
            ("Utsav", 0, "root"),
            (",", 5, "punct"),
            ("an", 5, "det"),
            ("procession", 2, "appos"),
        ]);
        assert_eq!(
            class_noun_kind(&stated, 0, 2, &|_| false),
            Some(NerKind::Event)
        );
        let alone = tree(&[("Mela", 2, "compound"), ("Utsav", 0, "root")]);
        let loc = |a, b| EntitySpan::new(a, b, NerKind::Loc);
        let mut spans = vec![vec![loc(0, 2)], vec![loc(0, 2)], vec![loc(0, 2)]];
        ner.names_after_class_nouns(&stated, &mut spans[0]);
        harmonize_document(&[&stated, &alone, &alone], &mut spans, &|_| false);
        assert!(
            spans.iter().flatten().all(|x| x.kind == NerKind::Event),
            "{spans:?}"
        );
    }

    /// One stated type ("the group Hamdan") types the name everywhere in the document,
    /// against any number of guesses.
    #[test]
    fn a_stated_type_wins_the_document_vote() {
        let stated = tree(&[
            ("the", 2, "det"),
            ("group", 0, "root"),
            ("Hamdan", 2, "appos"),
        ]);
        let guess = tree(&[("Hamdan", 2, "nsubj"), ("said", 0, "root")]);
        let doc = [&stated, &guess, &guess, &guess];
        let mut spans = vec![
            vec![EntitySpan::new(2, 3, NerKind::Org)],
            vec![per(0, 1)],
            vec![per(0, 1)],
            vec![per(0, 1)],
        ];
        harmonize_document(&doc, &mut spans, &|_| false);
        assert!(
            spans.iter().flatten().all(|x| x.kind == NerKind::Org),
            "{spans:?}"
        );
    }

    #[test]
    fn names_ending_in_a_keyword_are_organizations_or_places() {
        let mut ner = Ner::train(&[], None, &TrainOptions::default());
        ner.gaz = GazIndex::from_list(vec![
            ("organisation".into(), "orgword".into()),
            ("road".into(), "locword".into()),
        ]);
        let run = |t: &str, spans: &mut Vec<EntitySpan>| {
            let s = words(t);
            ner.keyword_names(&s, &Marked::new(&s, &ner.gaz), spans);
        };
        let mut spans = Vec::new();
        run(
            "a World Health Organisation report on The Canyon Road came",
            &mut spans,
        );
        assert_eq!(
            spans,
            vec![
                EntitySpan::new(1, 4, NerKind::Org),
                EntitySpan::new(7, 9, NerKind::Loc)
            ]
        );
        // a span already there stays; one keyword alone is no name; headings are skipped
        let mut spans = vec![per(1, 2)];
        run("a World Health Organisation report came", &mut spans);
        assert_eq!(spans, vec![per(1, 2)]);
        let mut spans = Vec::new();
        run("the Organisation met", &mut spans);
        assert!(spans.is_empty());
        run("World Health Organisation Report", &mut spans);
        assert!(spans.is_empty());
        // title case with connectors is a heading too; weak keywords name nothing
        run(
            "Testing of the Mutation Road for Health Organisation",
            &mut spans,
        );
        assert!(spans.is_empty());
        run(
            "the credibility of the Federal State was doubted",
            &mut spans,
        );
        assert!(spans.is_empty());
    }

    #[test]
    fn display_names_and_bylines_are_persons() {
        let mut ner = Ner::train(&[], None, &TrainOptions::default());
        ner.gaz = GazIndex::from_list(vec![("train".into(), "dict-l".into())]);
        let run = |t: &str, mut spans: Vec<EntitySpan>| {
            let s = words(t);
            ner.people_by_form(&s, &mut spans);
            spans
        };
        // Email : " anna berg " < anna@example.org >
        assert_eq!(
            run("Email : \" anna berg \" < anna@example.org >", vec![]),
            vec![per(3, 5)]
        );
        // unquoted at the start of a line, and a span of another kind retyped
        let org = EntitySpan::new(0, 2, NerKind::Org);
        assert_eq!(
            run("Anna Berg < anna@example.org >", vec![org]),
            vec![per(0, 2)]
        );
        // bylines: a whole line, or before "at" and a time
        assert_eq!(run("By anna berg", vec![]), vec![per(1, 3)]);
        assert_eq!(run("Posted by darin at 11:16", vec![]), vec![per(2, 3)]);
        // a sentence that starts with "By" is no byline
        assert!(run("By then the rain had stopped", vec![]).is_empty());
        // a lowercase common word is no name ("By train")
        assert!(run("By train", vec![]).is_empty());
        assert!(run("By Monday", vec![]).is_empty());
        assert_eq!(run("By Bill", vec![]), vec![per(1, 2)]);
        // an address alone names nobody
        assert!(run("write to anna@example.org today", vec![]).is_empty());
        // "Berg, Anna" before an address, or alone on a quoted line with a given name,
        // is one person, whatever the spans inside
        let loc = EntitySpan::new(1, 2, NerKind::Loc);
        assert_eq!(
            run(
                "\" Berg , Anna \" < anna@example.org >",
                vec![loc, per(3, 4)]
            ),
            vec![per(1, 4)]
        );
        ner.gaz = GazIndex::from_list(vec![("anna".into(), "given".into())]);
        let s = words("\" Berg , Anna \"");
        let mut spans = vec![loc, per(3, 4)];
        ner.people_by_form(&s, &mut spans);
        assert_eq!(spans, vec![per(1, 4)]);
        let s = words("Berg , Tuesday");
        let mut spans = vec![];
        ner.people_by_form(&s, &mut spans);
        assert!(spans.is_empty());
    }

    #[test]
    fn an_acronym_after_its_expansion_takes_its_kind() {
        let ner = Ner::train(&[], None, &TrainOptions::default());
        let org = |a, b| EntitySpan::new(a, b, NerKind::Org);
        let s = words("the World Health Organisation ( WHO ) and the Blue Fund ( XYZ ) met");
        let mut spans = vec![org(1, 4), org(8, 10)];
        ner.acronyms_in_parentheses(&s, &mut spans);
        assert_eq!(spans, vec![org(1, 4), org(5, 6), org(8, 10)]);
        // a span of another kind on the acronym is retyped
        let mut spans = vec![org(1, 4), EntitySpan::new(5, 6, NerKind::Loc)];
        ner.acronyms_in_parentheses(&s, &mut spans);
        assert_eq!(spans, vec![org(1, 4), org(5, 6)]);
    }

    #[test]
    fn the_first_word_of_an_organization_is_that_organization() {
        let mut ner = Ner::train(&[], None, &TrainOptions::default());
        ner.gaz = GazIndex::from_list(vec![("anna".into(), "given".into())]);
        let a = words("She left The Lumo Foundation and Anna Systems");
        let b = words("Lumo hired Anna");
        let org = |x, y| EntitySpan::new(x, y, NerKind::Org);
        let mut spans = vec![vec![org(2, 5), org(6, 8)], vec![per(0, 1), per(2, 3)]];
        ner.organization_first_words(&[&a, &b], &mut spans);
        // "Lumo" is the organization; "Anna", a given name, stays a person
        assert_eq!(spans[1], vec![org(0, 1), per(2, 3)]);
    }

    #[test]
    fn a_country_is_a_place_whatever_the_vote() {
        let mut ner = Ner::train(&[], None, &TrainOptions::default());
        ner.gaz = GazIndex::from_list(vec![
            ("north korea".into(), "country".into()),
            ("us".into(), "country".into()),
        ]);
        let s = words("North Korea has a Korea Fund and US envoys at Toys R Us");
        let org = |a, b| EntitySpan::new(a, b, NerKind::Org);
        let loc = |a, b| EntitySpan::new(a, b, NerKind::Loc);
        let mut spans = vec![org(0, 2), org(4, 6), org(7, 8), org(12, 13)];
        ner.countries_are_places(&s, &mut spans);
        assert_eq!(spans, vec![loc(0, 2), org(4, 6), loc(7, 8), org(12, 13)]);
        // "Jordan said": a one-word person stays a person
        ner.gaz = GazIndex::from_list(vec![("jordan".into(), "country".into())]);
        let s = words("Jordan said so");
        let mut spans = vec![per(0, 1)];
        ner.countries_are_places(&s, &mut spans);
        assert_eq!(spans, vec![per(0, 1)]);
    }

    #[test]
    fn saint_and_mount_belong_to_the_place_name() {
        let s = words("residents of St. Thomas met Mt. Hood fans and St. Anna");
        let loc = |a, b| EntitySpan::new(a, b, NerKind::Loc);
        let mut spans = vec![loc(3, 4), EntitySpan::new(6, 7, NerKind::Org), per(10, 11)];
        Ner::place_name_prefixes(&s, &mut spans);
        // a person after "St." is left to the title rules
        assert_eq!(
            spans,
            vec![loc(2, 4), EntitySpan::new(5, 7, NerKind::Org), per(10, 11)]
        );
    }

    #[test]
    fn one_letter_is_not_a_person() {
        let ner = Ner::train(&[], None, &TrainOptions::default());
        let s = words("when Z happens after X , Inc.");
        assert_eq!(ner.repair(&s, per(1, 2)), None);
        // an organization of one letter may be
        assert_eq!(
            ner.repair(&s, EntitySpan::new(1, 2, NerKind::Org)),
            Some(EntitySpan::new(1, 2, NerKind::Org))
        );
        // nor is a company suffix alone anything
        assert_eq!(ner.repair(&s, EntitySpan::new(6, 7, NerKind::Org)), None);
        // a weekday ends no name, and a month alone is no name, unless a given name
        let mut ner = ner;
        ner.gaz = GazIndex::from_list(vec![("may".into(), "given".into())]);
        let s = words("Marines took Fallujah Wednesday in November and May said so");
        let loc = |a, b| EntitySpan::new(a, b, NerKind::Loc);
        assert_eq!(ner.repair(&s, loc(2, 4)), Some(loc(2, 3)));
        assert_eq!(ner.repair(&s, EntitySpan::new(5, 6, NerKind::Org)), None);
        assert_eq!(ner.repair(&s, per(7, 8)), Some(per(7, 8)));
        // a file name is no name
        let s = words("See CrudeStocks.pdf and Notes.DOCX , not Mr.");
        assert_eq!(ner.repair(&s, EntitySpan::new(1, 2, NerKind::Loc)), None);
        assert_eq!(ner.repair(&s, per(3, 4)), None);
        assert!(!is_file_name("Mr.") && !is_file_name(".pdf"));
    }

    #[test]
    fn plurals_of_dictionary_words_are_groups_not_persons() {
        let mut ner = Ner::train(&[], None, &TrainOptions::default());
        ner.gaz = GazIndex::from_list(vec![
            ("senator".into(), "dict-l".into()),
            ("methodist".into(), "dict-p".into()),
            ("william".into(), "dict-p".into()),
            ("william".into(), "given".into()),
        ]);
        let s = tagged(&[
            ("Senators", "PROPN", "NNPS"),
            ("and", "CCONJ", "CC"),
            ("Methodists", "PROPN", "NNPS"),
            ("met", "VERB", "VBD"),
            ("Williams", "PROPN", "NNPS"),
            ("and", "CCONJ", "CC"),
            ("Senators", "PROPN", "NNP"),
        ]);
        assert_eq!(ner.repair(&s, per(0, 1)), None);
        assert_eq!(ner.repair(&s, per(2, 3)), None);
        // a given name's plural is a surname; a word tagged singular is left alone; an
        // organization of that name is not a person
        assert_eq!(ner.repair(&s, per(4, 5)), Some(per(4, 5)));
        assert_eq!(ner.repair(&s, per(6, 7)), Some(per(6, 7)));
        let org = EntitySpan::new(0, 1, NerKind::Org);
        assert_eq!(ner.repair(&s, org), Some(org));
    }

    /// The shipped model finds the name only after a title or an appositive role noun.
    #[test]
    fn shipped_model_names_after_titles_and_roles() {
        let path = Path::new(file!())
            .parent()
            .map(|p| p.join("../../data/models/ner.bin"))
            .unwrap_or_default();
        let ner = Ner::load(&path).expect("data/models/ner.bin");
        let s = tagged(&[
            ("German", "ADJ", "JJ"),
            ("Chancellor", "PROPN", "NNP"),
            ("Anna", "PROPN", "NNP"),
            ("Berg", "PROPN", "NNP"),
            ("thanked", "VERB", "VBD"),
            ("her", "PRON", "PRP$"),
            ("Italian", "ADJ", "JJ"),
            ("counterpart", "NOUN", "NN"),
            ("Marco", "PROPN", "NNP"),
            ("Rossi", "PROPN", "NNP"),
            ("for", "ADP", "IN"),
            ("the", "DET", "DT"),
            ("help", "NOUN", "NN"),
            (".", "PUNCT", "."),
        ]);
        let pers: Vec<EntitySpan> = ner
            .tag(&s)
            .into_iter()
            .filter(|x| x.kind == NerKind::Per)
            .collect();
        assert_eq!(pers, vec![per(2, 4), per(8, 10)]);
        let t = tagged(&[
            ("Mexican", "ADJ", "JJ"),
            ("President", "PROPN", "NNP"),
            ("Luis", "PROPN", "NNP"),
            ("Ortega", "PROPN", "NNP"),
            ("arrived", "VERB", "VBD"),
            ("in", "ADP", "IN"),
            ("Toronto", "PROPN", "NNP"),
            (".", "PUNCT", "."),
        ]);
        let got = ner.tag(&t);
        assert!(got.contains(&per(2, 4)), "{got:?}");
        assert!(got.iter().all(|x| x.start >= 2), "{got:?}");
    }

    #[test]
    fn document_names_are_consistent_and_completed() {
        let forms = |t: &str| {
            let rows: Vec<(&str, &str, &str)> = t.split(' ').map(|f| (f, "PROPN", "NNP")).collect();
            tagged(&rows)
        };
        let doc = [
            forms("the group Hamas said Yasser Arafat left"),
            forms("Hamas denied it"),
            forms("Hamas and Arafat met"),
            forms("Arafat Street is long"),
            forms("Keep the keep"),
        ];
        let refs: Vec<&Sentence> = doc.iter().collect();
        let org = |a, b| EntitySpan::new(a, b, NerKind::Org);
        let mut spans = vec![
            vec![org(2, 3), per(4, 6)],
            vec![per(0, 1)],
            vec![org(0, 1)],
            vec![],
            vec![org(0, 1)],
        ];
        harmonize_document(&refs, &mut spans, &|_| false);
        // Hamas: ORG 2 : PER 1 -> ORG everywhere; "Arafat" alone is the surname of a
        // person named in the document, but not inside the longer run "Arafat Street";
        // "Keep" is used in lower case in the document, so it is no name to propagate.
        assert_eq!(spans[0], vec![org(2, 3), per(4, 6)]);
        assert_eq!(spans[1], vec![org(0, 1)]);
        assert_eq!(spans[2], vec![org(0, 1), per(2, 3)]);
        assert!(spans[3].is_empty());
        assert_eq!(spans[4], vec![org(0, 1)]);
        // A tie keeps the model's kinds, and nothing is added where there is no evidence.
        let mut tie = vec![vec![org(2, 3)], vec![per(0, 1)], vec![]];
        harmonize_document(&refs[..3], &mut tie, &|_| false);
        assert_eq!(tie[0], vec![org(2, 3)]);
        assert_eq!(tie[1], vec![per(0, 1)]);
        assert!(tie[2].is_empty());
    }

    #[test]
    fn known_places_after_prepositions_become_loc() {
        let mut ner = Ner::train(&[], None, &TrainOptions::default());
        ner.gaz = GazIndex::from_list(vec![
            ("kerala".into(), "region".into()),
            ("new york".into(), "region".into()),
            ("us".into(), "country".into()),
            ("washington".into(), "region".into()),
        ]);
        let loc = |a, b| EntitySpan::new(a, b, NerKind::Loc);
        let mut spans = Vec::new();
        places(
            &ner,
            &words("hotels in kerala and in new york for us"),
            &mut spans,
        );
        assert_eq!(spans, vec![loc(2, 3), loc(5, 7)]);
        // Not after a preposition, part of a longer name, or too short ("for us").
        let mut none = Vec::new();
        places(
            &ner,
            &words("kerala is near Washington Post in us"),
            &mut none,
        );
        assert!(none.is_empty(), "{none:?}");
        // An existing span is kept as it is.
        let mut kept = vec![EntitySpan::new(2, 3, NerKind::Org)];
        places(&ner, &words("hotels in kerala"), &mut kept);
        assert_eq!(kept, vec![EntitySpan::new(2, 3, NerKind::Org)]);
    }

    #[test]
    fn lowercase_countries_and_long_list_towns_need_more_evidence() {
        let mut ner = Ner::train(&[], None, &TrainOptions::default());
        ner.gaz = GazIndex::from_list(vec![
            ("vietnam".into(), "country".into()),
            ("turkey".into(), "country".into()),
            ("turkey".into(), "dict-l".into()),
            ("noida".into(), "town".into()),
            ("split".into(), "town".into()),
            ("split".into(), "dict-l".into()),
            ("bar".into(), "town".into()),
        ]);
        let loc = |a, b| EntitySpan::new(a, b, NerKind::Loc);
        // A country in lower case is a place anywhere, unless it is also a common word.
        let mut spans = Vec::new();
        places(&ner, &words("how are vietnam and turkey alike"), &mut spans);
        assert_eq!(spans, vec![loc(2, 3)]);
        // A town of the long list only after a locative word, with five letters or more,
        // and not a common word ("split", "bar").
        let mut spans = Vec::new();
        places(
            &ner,
            &words("buses between noida and to split or to bar"),
            &mut spans,
        );
        assert_eq!(spans, vec![loc(2, 3)]);
        let mut none = Vec::new();
        places(&ner, &words("noida is far"), &mut none);
        assert!(none.is_empty(), "{none:?}");
        // a state right after a place is a place too
        ner.gaz = GazIndex::from_list(vec![
            ("noida".into(), "town".into()),
            ("kerala".into(), "region".into()),
        ]);
        let mut spans = Vec::new();
        places(&ner, &words("a trip to noida kerala soon"), &mut spans);
        assert_eq!(spans, vec![loc(3, 4), loc(4, 5)]);
        let mut none = Vec::new();
        places(&ner, &words("the kerala trip"), &mut none);
        assert!(none.is_empty(), "{none:?}");
    }

    #[test]
    fn a_place_and_its_region_written_together_are_two_places() {
        let mut ner = Ner::train(&[], None, &TrainOptions::default());
        ner.gaz = GazIndex::from_list(vec![
            ("california".into(), "region".into()),
            ("montana".into(), "region".into()),
            ("joe".into(), "given".into()),
            ("new".into(), "dict-l".into()),
            ("england".into(), "country".into()),
        ]);
        let s = tagged(&[
            ("Miramar", "PROPN", "NNP"),
            ("California", "PROPN", "NNP"),
            ("and", "CCONJ", "CC"),
            ("Joe", "PROPN", "NNP"),
            ("Montana", "PROPN", "NNP"),
            ("in", "ADP", "IN"),
            ("New", "PROPN", "NNP"),
            ("England", "PROPN", "NNP"),
        ]);
        let mut spans = vec![
            EntitySpan::new(0, 2, NerKind::Per),
            EntitySpan::new(3, 5, NerKind::Per),
            EntitySpan::new(6, 8, NerKind::Loc),
        ];
        ner.split_place_and_region(&s, &Marked::new(&s, &ner.gaz), &mut spans);
        assert_eq!(
            spans,
            vec![
                EntitySpan::new(0, 1, NerKind::Loc),
                EntitySpan::new(1, 2, NerKind::Loc),
                // a given name first: a person; a common word inside: one name
                EntitySpan::new(3, 5, NerKind::Per),
                EntitySpan::new(6, 8, NerKind::Loc),
            ]
        );
        ner.gaz = GazIndex::from_list(vec![
            ("russian federation".into(), "country".into()),
            ("bank".into(), "dict-l".into()),
        ]);
        let s = tagged(&[
            ("Russian", "ADJ", "JJ"),
            ("Federation", "PROPN", "NNP"),
            ("Anna", "PROPN", "NNP"),
            ("Maria", "PROPN", "NNP"),
            ("Berg", "PROPN", "NNP"),
            ("and", "CCONJ", "CC"),
            ("Russian", "ADJ", "JJ"),
            ("Federation", "PROPN", "NNP"),
            ("Savings", "PROPN", "NNP"),
            ("Bank", "PROPN", "NNP"),
        ]);
        let mut spans = vec![
            EntitySpan::new(0, 5, NerKind::Org),
            EntitySpan::new(6, 10, NerKind::Org),
        ];
        ner.split_place_and_region(&s, &Marked::new(&s, &ner.gaz), &mut spans);
        assert_eq!(
            spans,
            vec![
                EntitySpan::new(0, 2, NerKind::Loc),
                EntitySpan::new(2, 5, NerKind::Per),
                EntitySpan::new(6, 10, NerKind::Org),
            ]
        );
    }

    #[test]
    fn storms_are_events_and_so_are_their_names_alone() {
        let ner = Ner::train(&[], None, &TrainOptions::default());
        let ev = |a, b| EntitySpan::new(a, b, NerKind::Event);
        let s1 = words("Hurricane Anna and Tropical Storm Bill hit Florida");
        let mut spans = vec![
            EntitySpan::new(1, 2, NerKind::Per),
            EntitySpan::new(7, 8, NerKind::Loc),
        ];
        ner.storm_names(&s1, &mut spans);
        assert_eq!(
            spans,
            vec![ev(0, 2), ev(3, 6), EntitySpan::new(7, 8, NerKind::Loc)]
        );
        // "Storm" alone is not a storm word; a storm word with no name is nothing
        let s2 = words("the Storm Shadow and a Hurricane came");
        let mut none = Vec::new();
        ner.storm_names(&s2, &mut none);
        assert!(none.is_empty(), "{none:?}");
        // the name alone elsewhere in the document
        let s3 = words("Anna weakened");
        let mut doc = vec![spans, vec![EntitySpan::new(0, 1, NerKind::Per)]];
        Ner::storm_names_in_document(&[&s1, &s3], &mut doc);
        assert_eq!(doc[1], vec![ev(0, 1)]);
    }

    #[test]
    fn dictionary_entries_are_flags_not_phrases() {
        let g = GazIndex::from_list(vec![
            ("delivery".into(), "dict-l".into()),
            ("venus".into(), "dict-p".into()),
            ("bill".into(), "dict-l".into()),
            ("bill".into(), "dict-p".into()),
            ("bill".into(), "given".into()),
        ]);
        assert_eq!(g.dict_flag("delivery"), "l");
        assert_eq!(g.dict_flag("venus"), "p");
        assert_eq!(g.dict_flag("bill"), "lp");
        assert_eq!(g.dict_flag("noida"), "-");
        // only real phrase classes mark words in sentences
        assert_eq!(g.phrases.len(), 1);
        let marks = g.annotate(&["delivery".into(), "bill".into()]);
        assert_eq!(marks[0], None);
        assert_eq!(marks[1], Some(("given".to_string(), "U")));
    }

    #[test]
    fn name_lists_read_the_three_files_and_name_a_missing_or_empty_one() {
        let dir = std::env::temp_dir().join(format!("kg-name-lists-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(GIVEN_NAMES_FILE), "Anna\nMarco\n").unwrap();
        std::fs::write(
            dir.join(CITIES_FILE),
            "Noida\tIN\t642381\nSan Rafael\tUS\t58704\n",
        )
        .unwrap();
        std::fs::write(dir.join(WORDS_FILE), "delivery\nVenus\n").unwrap();
        let lists = name_lists(&dir).unwrap();
        let has = |p: &str, c: &str| lists.contains(&(p.to_string(), c.to_string()));
        assert!(has("anna", "given") && has("marco", "given"));
        assert!(has("noida", "town") && has("san rafael", "town"));
        assert!(has("delivery", "dict-l") && has("venus", "dict-p"));
        assert!(lists.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        std::fs::write(dir.join(WORDS_FILE), "\n").unwrap();
        let e = name_lists(&dir).unwrap_err().to_string();
        assert!(e.contains(WORDS_FILE) && e.contains("no entries"), "{e}");
        std::fs::remove_file(dir.join(CITIES_FILE)).unwrap();
        let e = name_lists(&dir).unwrap_err().to_string();
        assert!(e.contains(CITIES_FILE), "{e}");
        std::fs::write(dir.join(CITIES_FILE), "\tIN\t5\n").unwrap();
        let e = name_lists(&dir).unwrap_err().to_string();
        assert!(e.contains("line 1: no name"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn training_data_takes_analysed_sentences_with_gold_spans() {
        let gold = sent(&[
            (
                "Anna",
                "PROPN",
                2,
                "nsubj",
                "Entity=(1-person-new-nnnnn-cf1-1-coref)",
            ),
            ("left", "VERB", 0, "root", "_"),
        ]);
        let docs = gum_documents(vec![gold.clone(), gold.clone()]);
        let mut analysed = gold.clone();
        analysed.words[0].upos = "NOUN".into();
        let mut other = gold.clone();
        other.words[0].form = "Bob".into();
        other.words[0].upos = "X".into();
        let data = gum_training_data_with(&docs, None, &[analysed, other]);
        assert_eq!(data.len(), 2);
        // The span comes from the gold PROPN head, the features from the analysed copy;
        // a copy with other words is not used.
        assert_eq!(data[0].1, vec![per(0, 1)]);
        assert_eq!(data[0].0.words[0].upos, "NOUN");
        assert_eq!(data[1].0.words[0].upos, "PROPN");
    }

    #[test]
    fn shapes_work_for_any_script() {
        assert_eq!(word_shape("Kassym"), "Xxx");
        assert_eq!(word_shape("2022"), "dd");
        assert_eq!(word_shape("Токаев"), "Xxx");
        assert_eq!(word_shape("CSTO's"), "XX'x");
    }

    #[test]
    fn tiny_model_learns_and_round_trips() {
        let mk = |name: &str| {
            sent(&[
                (name, "PROPN", 2, "nsubj", "_"),
                ("visited", "VERB", 0, "root", "_"),
                ("Paris", "PROPN", 2, "obj", "_"),
            ])
        };
        let data: Vec<(Sentence, Vec<EntitySpan>)> = ["Anna", "Boris", "Carl", "Dana"]
            .iter()
            .map(|n| {
                (
                    mk(n),
                    vec![
                        EntitySpan::new(0, 1, NerKind::Per),
                        EntitySpan::new(2, 3, NerKind::Loc),
                    ],
                )
            })
            .collect();
        let opts = TrainOptions {
            iterations: 5,
            hash_bits: 12,
            ..Default::default()
        };
        let ner = Ner::train(&data, None, &opts);
        let test = mk("Anna");
        let got = ner.tag(&test);
        assert_eq!(got, data[0].1);
        let mut buf = Vec::new();
        ner.write_to(&mut buf).unwrap();
        let back = Ner::read_from(&mut buf.as_slice()).unwrap();
        assert_eq!(back.tag(&test), got);
        // Truncated file and other version: clear errors, no panic.
        assert!(matches!(
            Ner::read_from(&mut &buf[..buf.len() / 2]),
            Err(ModelError::Truncated)
        ));
        let mut other = buf.clone();
        other[8] = 9;
        assert!(matches!(
            Ner::read_from(&mut other.as_slice()),
            Err(ModelError::Version { .. })
        ));
        assert!(matches!(
            Ner::read_from(&mut &b"garbage!xxxx"[..]),
            Err(ModelError::BadMagic)
        ));
    }
}
