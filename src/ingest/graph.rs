//! From one document's analysis (sentences, entity clusters, propositions) to
//! the kg model: entities are the coreference clusters that have a proper
//! name; arguments that name no entity become concept nodes; propositions whose
//! subject or object stays unresolved (a pronoun with no antecedent) are kept
//! out of the asserted graph.

use std::collections::BTreeMap;

use super::Options;
use super::dates::{self, Date, DateValue};
use crate::extract::{Argument, Modality, PropKind, Proposition, QualifierKind};
use crate::kg::{
    CharSpan, Document, DocumentGraph, Entity, EntityType, Fact, Mention, Qualifiers, Value,
};
use crate::nlp::coref::{EntityKind, Resolution};
use crate::nlp::pipeline::AnalyzedSentence;
use crate::text::Doc;

/// Determiners and possessives dropped from the front of a concept label.
const LEADING_FUNCTION_WORDS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "his", "her", "its", "their", "our", "my",
    "your", "some", "any", "all", "each", "every",
];

/// Dependents that stay in a concept's label (the noun's own modifiers).
const LABEL_DEPRELS: &[&str] = &["amod", "compound", "flat", "nummod", "compound:prt"];

fn entity_type(k: EntityKind) -> EntityType {
    match k {
        EntityKind::Person => EntityType::Person,
        EntityKind::Organization => EntityType::Organization,
        EntityKind::Country => EntityType::Country,
        EntityKind::City => EntityType::City,
        EntityKind::Place => EntityType::Place,
        EntityKind::Event => EntityType::Event,
        EntityKind::Thing => EntityType::Thing,
    }
}

/// A name written in capitals, as datelines write places ("NUR-SULTAN", "ST. LOUIS"),
/// in the usual case ("Nur-Sultan", "St. Louis"); other spellings are kept.
fn unshout(written: &str) -> String {
    if written.chars().any(char::is_lowercase) {
        return written.to_owned();
    }
    let mut out = String::with_capacity(written.len());
    let mut start = true;
    for c in written.chars() {
        if start {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphabetic();
    }
    out
}

/// The publication date: the document's own, `--date`, a date in the file name,
/// in that order.
pub fn publication_date(document: &Document, options: &Options) -> Option<Date> {
    document
        .date
        .as_deref()
        .and_then(Date::parse_iso)
        .or(options.date)
        .or_else(|| options.file_name.as_deref().and_then(dates::date_in_name))
}

struct Builder<'a> {
    doc: &'a Doc,
    sentences: &'a [AnalyzedSentence],
    graph: DocumentGraph,
    /// (sentence, head word index 0-based) → entity index.
    by_head: BTreeMap<(usize, usize), usize>,
    /// (sentence, start, end) of every named mention, with its entity, for containment lookups.
    spans: Vec<(usize, usize, usize, usize)>,
    concepts: BTreeMap<String, usize>,
    things: BTreeMap<String, usize>,
    anchor: Option<Date>,
}

/// What an argument refers to.
enum Ref {
    Entity(usize),
    Unresolved,
}

impl Builder<'_> {
    fn char_span(&self, bytes: (usize, usize)) -> CharSpan {
        CharSpan {
            begin: self.doc.char_offset(bytes.0),
            end: self.doc.char_offset(bytes.1),
        }
    }

    fn word_bytes(&self, sent: usize, first_id: usize, last_id: usize) -> Option<(usize, usize)> {
        let spans = &self.sentences[sent].word_spans;
        let b = spans.get(first_id.checked_sub(1)?)?.0;
        let e = spans.get(last_id.checked_sub(1)?)?.1;
        (b <= e).then_some((b, e))
    }

    /// The concept label of an argument: its head noun with the noun's own
    /// modifiers ("a united front" → "united front"), lower-cased.
    fn concept_label(&self, sent: usize, arg: &Argument) -> Option<(String, (usize, usize))> {
        let s = &self.sentences[sent].sentence;
        let head = arg.head;
        // Walk left over the noun's own modifiers, and theirs ("large - scale").
        let mut first = head;
        while first > 1 {
            let w = s.words.get(first - 2)?;
            let inside = w.head >= first - 1 && w.head <= head && w.head != 0;
            let modifier = LABEL_DEPRELS.contains(&w.deprel.as_str())
                || (w.form == "-" && w.deprel == "punct");
            if inside && modifier {
                first -= 1;
            } else {
                break;
            }
        }
        // Never start with a hyphen or a function word.
        while first < head {
            let w = &s.words[first - 1];
            if w.form == "-" || LEADING_FUNCTION_WORDS.contains(&w.form.to_lowercase().as_str()) {
                first += 1;
            } else {
                break;
            }
        }
        let bytes = self.word_bytes(sent, first, head)?;
        let text = self.doc.text()[bytes.0..bytes.1]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if text.is_empty() || !text.chars().any(char::is_alphanumeric) {
            return None;
        }
        Some((text, bytes))
    }

    /// The argument's core: its words from the first one up to (not including)
    /// the first preposition, clause marker, comma or bracket — "his Russian
    /// counterpart Vladimir Putin" in "his Russian counterpart Vladimir Putin for
    /// the swift resolution of …".
    fn core(&self, sent: usize, arg: &Argument) -> (usize, usize) {
        let s = &self.sentences[sent].sentence;
        let mut ids: Vec<usize> = arg.tokens.clone();
        ids.sort_unstable();
        let first = ids.first().copied().unwrap_or(arg.head);
        let mut last = first;
        for &id in &ids {
            if id != last && id != last + 1 {
                break;
            }
            let Some(w) = s.words.get(id.wrapping_sub(1)) else {
                break;
            };
            let stop = id != first
                && (matches!(w.upos.as_str(), "ADP" | "SCONJ" | "VERB" | "AUX")
                    || matches!(w.form.as_str(), "," | "(" | "[" | ";" | ":" | "—" | "–"));
            if stop {
                break;
            }
            last = id;
        }
        (first, last)
    }

    /// The named mention that best stands for the argument: the longest one
    /// inside its core, if it holds the head word, or the head is a name or a
    /// pronoun (a mis-parsed title phrase), or it names a person.
    fn named_in_core(&self, sent: usize, arg: &Argument) -> Option<usize> {
        let (first, last) = self.core(sent, arg);
        let (b, e) = (first.checked_sub(1)?, last);
        let head0 = arg.head.wrapping_sub(1);
        let head_upos = self.sentences[sent]
            .sentence
            .words
            .get(head0)
            .map(|w| w.upos.as_str())
            .unwrap_or("");
        self.spans
            .iter()
            .filter(|(s, mb, me, _)| *s == sent && b <= *mb && *me <= e)
            .filter(|(_, mb, me, ent)| {
                (*mb <= head0 && head0 < *me)
                    || matches!(head_upos, "PROPN" | "PRON" | "DET")
                    || self.graph.entities[*ent].kind == EntityType::Person
            })
            .max_by_key(|(_, mb, me, _)| (me - mb, *mb))
            .map(|(_, _, _, ent)| *ent)
    }

    fn resolve(&mut self, sent: usize, arg: &Argument) -> Ref {
        let head0 = arg.head.wrapping_sub(1);
        if let Some(e) = self.named_in_core(sent, arg) {
            return Ref::Entity(e);
        }
        if let Some(&e) = self.by_head.get(&(sent, head0)) {
            return Ref::Entity(e);
        }
        // The smallest named mention that contains the head.
        if let Some(&(_, _, _, e)) = self
            .spans
            .iter()
            .filter(|(s, b, en, _)| *s == sent && *b <= head0 && head0 < *en)
            .min_by_key(|(_, b, en, _)| en - b)
        {
            return Ref::Entity(e);
        }
        let s = &self.sentences[sent].sentence;
        let Some(w) = s.words.get(head0) else {
            return Ref::Unresolved;
        };
        // Pronouns with no antecedent, and clauses ("noted that … formed"), are
        // not things: the proposition stays evidence-only.
        if matches!(
            w.upos.as_str(),
            "PRON" | "DET" | "PUNCT" | "SCONJ" | "CCONJ" | "VERB" | "AUX" | "NUM" | "ADP" | "PART"
        ) {
            return Ref::Unresolved;
        }
        let Some((label, bytes)) = self.concept_label(sent, arg) else {
            return Ref::Unresolved;
        };
        let proper = w.upos == "PROPN";
        let span = self.char_span(bytes);
        let (key, kind, table) = if proper {
            (label.clone(), EntityType::Thing, &mut self.things)
        } else {
            (
                label.to_lowercase(),
                EntityType::Concept,
                &mut self.concepts,
            )
        };
        let idx = match table.get(&key) {
            Some(&i) => i,
            None => {
                self.graph.entities.push(Entity {
                    name: key.clone(),
                    kind,
                    same_as: None,
                });
                let i = self.graph.entities.len() - 1;
                table.insert(key, i);
                i
            }
        };
        if !self
            .graph
            .mentions
            .iter()
            .any(|m| m.span == span && m.entity == idx)
        {
            self.graph.mentions.push(Mention { span, entity: idx });
        }
        Ref::Entity(idx)
    }

    fn value(&mut self, sent: usize, arg: &Argument) -> Value {
        match self.resolve(sent, arg) {
            Ref::Entity(e) => Value::Entity(e),
            Ref::Unresolved => Value::Text(arg.text.clone()),
        }
    }
}

/// The role of an extra argument: its leading preposition, else `arg`.
fn role_of(sent: &AnalyzedSentence, arg: &Argument) -> String {
    let first = arg.tokens.first().copied().unwrap_or(arg.head);
    match sent.sentence.words.get(first.wrapping_sub(1)) {
        Some(w) if w.upos == "ADP" && first != arg.head => w.form.to_lowercase(),
        _ => "arg".to_owned(),
    }
}

fn surface(p: &Proposition) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if let Some(first) = p.surface.args.first() {
        parts.push(&first.text);
    }
    parts.push(&p.surface.relation);
    for a in p.surface.args.iter().skip(1) {
        parts.push(&a.text);
    }
    parts.join("; ")
}

/// Builds the kg model of one document.
pub fn build(
    document: &Document,
    doc: &Doc,
    sentences: &[AnalyzedSentence],
    resolution: &Resolution,
    propositions: &[Vec<Proposition>],
    options: &Options,
) -> DocumentGraph {
    let anchor = publication_date(document, options);
    let mut document = document.clone();
    if document.date.is_none() {
        document.date = anchor.map(|d| d.to_string());
    }
    if let Some(d) = doc.datelines().first() {
        document
            .metadata
            .insert("dateline_place".into(), d.place.clone());
        if let Some(a) = &d.agency {
            document
                .metadata
                .insert("dateline_agency".into(), a.clone());
        }
        if let Some(t) = &d.date_text {
            document.metadata.insert("dateline_date".into(), t.clone());
        }
    }
    let mut b = Builder {
        doc,
        sentences,
        graph: DocumentGraph {
            document,
            sentences: Vec::new(),
            ..Default::default()
        },
        by_head: BTreeMap::new(),
        spans: Vec::new(),
        concepts: BTreeMap::new(),
        things: BTreeMap::new(),
        anchor,
    };
    b.graph.sentences = sentences.iter().map(|s| b.char_span(s.span)).collect();

    // Entities: clusters with a proper name; pronoun mentions never name them.
    let mut cluster_entity = vec![None; resolution.clusters.len()];
    for (ci, c) in resolution.clusters.iter().enumerate() {
        let e = b.graph.entities.len();
        b.graph.entities.push(Entity {
            name: c.canonical.clone(),
            kind: entity_type(c.kind),
            same_as: c.qid.as_ref().map(|q| format!("{}{q}", crate::rdf::ns::WD)),
        });
        cluster_entity[ci] = Some(e);
        for m in &c.mentions {
            b.by_head.entry((m.sentence, m.head)).or_insert(e);
            if m.is_pronoun {
                continue;
            }
            b.spans.push((m.sentence, m.start, m.end, e));
            let span = b.char_span(m.bytes);
            if span.begin < span.end {
                b.graph.mentions.push(Mention { span, entity: e });
            }
        }
    }
    // The dateline's place and agency are entities too ("NUR-SULTAN, January 10.
    // /TASS/."): where the story was filed and who published it. The mention is the
    // dateline's own text; a story entity of the same name is the same node.
    if let Some(d) = doc.datelines().first() {
        let place = d.place.split(',').next().unwrap_or("").trim();
        let agency = d.agency.as_deref().unwrap_or("").trim();
        for (written, kind) in [
            (place, EntityType::City),
            (agency, EntityType::Organization),
        ] {
            let head = doc.text().get(d.start..d.end).unwrap_or("");
            let Some(at) = head.find(written).filter(|_| !written.is_empty()) else {
                continue;
            };
            let name = if kind == EntityType::City {
                unshout(written)
            } else {
                written.to_owned()
            };
            let same =
                |e: &Entity| e.kind != EntityType::Concept && e.name.eq_ignore_ascii_case(&name);
            let e = match b.graph.entities.iter().position(same) {
                Some(e) => e,
                None => {
                    b.graph.entities.push(Entity {
                        name,
                        kind,
                        same_as: None,
                    });
                    b.graph.entities.len() - 1
                }
            };
            let span = b.char_span((d.start + at, d.start + at + written.len()));
            b.graph.mentions.push(Mention { span, entity: e });
        }
    }
    // A cluster whose mentions were all pronouns has no name in the text: drop it
    // again so it cannot become a node.
    let named: Vec<bool> = (0..b.graph.entities.len())
        .map(|e| b.graph.mentions.iter().any(|m| m.entity == e))
        .collect();
    b.by_head.retain(|_, e| named[*e]);

    let mut facts: Vec<Fact> = Vec::new();
    for (si, props) in propositions.iter().enumerate() {
        if si >= sentences.len() {
            break;
        }
        for p in props {
            let (Some(obj), subj) = (p.canonical.objects.first(), &p.canonical.subject) else {
                continue;
            };
            let (Ref::Entity(s), Ref::Entity(o)) = (b.resolve(si, subj), b.resolve(si, obj)) else {
                continue;
            };
            if s == o {
                continue;
            }
            // Noun-internal relations ("X's Y", "Y in X") are facts about things,
            // not about their words: keep them only between named entities.
            let concept = |e: usize| b.graph.entities[e].kind == EntityType::Concept;
            if matches!(p.kind, PropKind::NounPhrase | PropKind::Possessive)
                && (concept(s) || concept(o))
            {
                continue;
            }
            let mut q = Qualifiers {
                negated: p.negated,
                modality: (p.modality == Modality::Possibility).then(|| "possibility".to_owned()),
                ..Default::default()
            };
            if let Some(a) = &p.attribution {
                if let Ref::Entity(e) = b.resolve(p.attributed_in.unwrap_or(si), a) {
                    q.attributed_to = Some(e);
                }
            }
            for extra in p.canonical.objects.iter().skip(1) {
                let role = role_of(&sentences[si], extra);
                let v = b.value(si, extra);
                q.extra.push((role, v));
            }
            for qual in &p.qualifiers {
                match qual.kind {
                    QualifierKind::Time if q.time.is_none() => {
                        q.time = Some(match dates::resolve(&qual.arg.text, b.anchor) {
                            Some(DateValue::Full(d)) => Value::Date(d.to_string()),
                            _ => Value::Text(qual.arg.text.clone()),
                        });
                    }
                    QualifierKind::Place if q.location.is_none() => {
                        if let Ref::Entity(e) = b.resolve(si, &qual.arg) {
                            if b.graph.entities[e].kind != EntityType::Concept {
                                q.location = Some(e);
                                continue;
                            }
                        }
                        let role = qual.marker.clone().unwrap_or_else(|| "in".into());
                        q.extra.push((role, Value::Text(qual.arg.text.clone())));
                    }
                    _ => {
                        let role = qual
                            .marker
                            .clone()
                            .unwrap_or_else(|| format!("{:?}", qual.kind).to_lowercase());
                        q.extra.push((role, Value::Text(qual.arg.text.clone())));
                    }
                }
            }
            facts.push(Fact {
                subject: s,
                relation: p.canonical.lemma.clone(),
                object: o,
                sentence: si,
                confidence: p.confidence.clamp(0.0, 1.0),
                surface: surface(p),
                qualifiers: q,
            });
        }
    }

    // Titles and demonyms: "Kazakh President X" → X be_president_of Kazakhstan.
    for t in &resolution.titles {
        let (Some(Some(person)), Some(Some(place))) = (
            cluster_entity.get(t.person_cluster),
            cluster_entity.get(t.place_cluster),
        ) else {
            continue;
        };
        if !named[*person] || !named[*place] {
            continue;
        }
        let person_c = &resolution.clusters[t.person_cluster];
        let place_c = &resolution.clusters[t.place_cluster];
        // The sentence where both are mentioned, else the person's first mention.
        let sentence = person_c
            .mentions
            .iter()
            .map(|m| m.sentence)
            .find(|s| place_c.mentions.iter().any(|m| m.sentence == *s))
            .or_else(|| person_c.mentions.first().map(|m| m.sentence));
        let Some(sentence) = sentence.filter(|s| *s < sentences.len()) else {
            continue;
        };
        let title = t.title_lemma.replace('_', " ");
        facts.push(Fact {
            subject: *person,
            relation: format!("be_{}_of", t.title_lemma),
            object: *place,
            sentence,
            confidence: 0.9,
            surface: format!(
                "{}; is {title} of; {}",
                person_c.canonical, place_c.canonical
            ),
            qualifiers: Qualifiers::default(),
        });
    }

    // Highest confidence first, so the evidence node kept for a repeated
    // (triple, sentence) is the best one.
    facts.sort_by(|a, b| {
        (a.sentence, &a.relation, a.subject, a.object)
            .cmp(&(b.sentence, &b.relation, b.subject, b.object))
            .then(b.confidence.total_cmp(&a.confidence))
    });
    b.graph.facts = facts;

    // Entities nothing mentions by name are dropped; indices are remapped.
    let keep: Vec<bool> = (0..b.graph.entities.len())
        .map(|e| b.graph.mentions.iter().any(|m| m.entity == e))
        .collect();
    compact(&mut b.graph, &keep);
    b.graph
}

/// Removes the entities not kept, renumbering every reference.
fn compact(g: &mut DocumentGraph, keep: &[bool]) {
    let mut map = vec![usize::MAX; keep.len()];
    let mut next = 0;
    for (i, k) in keep.iter().enumerate() {
        if *k {
            map[i] = next;
            next += 1;
        }
    }
    let ok = |i: usize| map.get(i).copied().filter(|&m| m != usize::MAX);
    g.entities = std::mem::take(&mut g.entities)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep[*i])
        .map(|(_, e)| e)
        .collect();
    g.mentions.retain_mut(|m| match ok(m.entity) {
        Some(n) => {
            m.entity = n;
            true
        }
        None => false,
    });
    g.facts.retain_mut(|f| {
        let (Some(s), Some(o)) = (ok(f.subject), ok(f.object)) else {
            return false;
        };
        f.subject = s;
        f.object = o;
        let q = &mut f.qualifiers;
        q.location = q.location.and_then(ok);
        q.attributed_to = q.attributed_to.and_then(ok);
        let fix = |v: &mut Value| {
            if let Value::Entity(e) = v {
                match ok(*e) {
                    Some(n) => *e = n,
                    None => *v = Value::Text(String::new()),
                }
            }
        };
        if let Some(t) = &mut q.time {
            fix(t);
        }
        for (_, v) in &mut q.extra {
            fix(v);
        }
        true
    });
}

#[cfg(test)]
mod tests {
    use super::unshout;

    #[test]
    fn shouted_dateline_places_get_their_usual_case() {
        assert_eq!(unshout("NUR-SULTAN"), "Nur-Sultan");
        assert_eq!(unshout("ST. LOUIS"), "St. Louis");
        assert_eq!(unshout("KYIV"), "Kyiv");
        assert_eq!(unshout("МОСКВА"), "Москва");
        assert_eq!(unshout("Kyiv"), "Kyiv");
        assert_eq!(unshout("McAllen"), "McAllen");
    }
}
