//! The kg model as RDF quads (DESIGN.md §3). Opens no store.
//!
//! Everything is written to the default graph, so `?s rel:thank ?o` works in any
//! SPARQL client without a union-default-graph switch. What one document
//! contributed is found again through its NIF nodes: the document IRI, the
//! sentence and mention strings `{doc}#char=b,e` (all with
//! `nif:referenceContext {doc}`) and the evidence nodes derived from them.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term};

use crate::kg::{CharIndex, DocumentGraph, Entity, EntityType, Iris, Value, slice_chars};

/// Namespaces of the vocabularies `kg` writes.
pub mod ns {
    pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    pub const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
    pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
    pub const OWL: &str = "http://www.w3.org/2002/07/owl#";
    pub const SCHEMA: &str = "http://schema.org/";
    pub const PROV: &str = "http://www.w3.org/ns/prov#";
    pub const NIF: &str = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#";
    pub const ITSRDF: &str = "http://www.w3.org/2005/11/its/rdf#";
    pub const WD: &str = "http://www.wikidata.org/entity/";
}

/// Full IRIs of the terms `kg` uses, as constants.
pub mod term {
    use oxigraph::model::NamedNodeRef;
    macro_rules! iri {
        ($name:ident, $iri:expr) => {
            pub const $name: NamedNodeRef<'static> = NamedNodeRef::new_unchecked($iri);
        };
    }
    iri!(
        OWL_OBJECT_PROPERTY,
        "http://www.w3.org/2002/07/owl#ObjectProperty"
    );
    iri!(OWL_SAME_AS, "http://www.w3.org/2002/07/owl#sameAs");
    iri!(SCHEMA_ALTERNATE_NAME, "http://schema.org/alternateName");
    iri!(SCHEMA_DATE_PUBLISHED, "http://schema.org/datePublished");
    iri!(SCHEMA_NAME, "http://schema.org/name");
    iri!(SCHEMA_IDENTIFIER, "http://schema.org/identifier");
    iri!(PROV_ENTITY, "http://www.w3.org/ns/prov#Entity");
    iri!(PROV_ACTIVITY, "http://www.w3.org/ns/prov#Activity");
    iri!(
        PROV_SOFTWARE_AGENT,
        "http://www.w3.org/ns/prov#SoftwareAgent"
    );
    iri!(
        PROV_WAS_DERIVED_FROM,
        "http://www.w3.org/ns/prov#wasDerivedFrom"
    );
    iri!(
        PROV_WAS_GENERATED_BY,
        "http://www.w3.org/ns/prov#wasGeneratedBy"
    );
    iri!(
        PROV_WAS_ASSOCIATED_WITH,
        "http://www.w3.org/ns/prov#wasAssociatedWith"
    );
    iri!(
        PROV_STARTED_AT_TIME,
        "http://www.w3.org/ns/prov#startedAtTime"
    );
    iri!(
        NIF_CONTEXT,
        "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#Context"
    );
    iri!(
        NIF_SENTENCE,
        "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#Sentence"
    );
    iri!(
        NIF_PHRASE,
        "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#Phrase"
    );
    iri!(
        NIF_RFC5147,
        "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#RFC5147String"
    );
    iri!(
        NIF_IS_STRING,
        "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString"
    );
    iri!(
        NIF_SOURCE_URL,
        "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#sourceUrl"
    );
    iri!(
        NIF_BEGIN_INDEX,
        "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#beginIndex"
    );
    iri!(
        NIF_END_INDEX,
        "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#endIndex"
    );
    iri!(
        NIF_ANCHOR_OF,
        "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf"
    );
    iri!(
        NIF_REFERENCE_CONTEXT,
        "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#referenceContext"
    );
    iri!(
        ITS_TA_CONFIDENCE,
        "http://www.w3.org/2005/11/its/rdf#taConfidence"
    );
    iri!(
        ITS_TA_IDENT_REF,
        "http://www.w3.org/2005/11/its/rdf#taIdentRef"
    );
    iri!(
        ITS_TA_CLASS_REF,
        "http://www.w3.org/2005/11/its/rdf#taClassRef"
    );
    iri!(
        XSD_NON_NEGATIVE_INTEGER,
        "http://www.w3.org/2001/XMLSchema#nonNegativeInteger"
    );
}

/// The prefixes `kg query` predeclares and the serializers use, in a fixed order.
pub fn prefixes(iris: &Iris) -> Vec<(&'static str, String)> {
    vec![
        ("rdf", ns::RDF.to_owned()),
        ("rdfs", ns::RDFS.to_owned()),
        ("xsd", ns::XSD.to_owned()),
        ("owl", ns::OWL.to_owned()),
        ("schema", ns::SCHEMA.to_owned()),
        ("prov", ns::PROV.to_owned()),
        ("nif", ns::NIF.to_owned()),
        ("itsrdf", ns::ITSRDF.to_owned()),
        ("wd", ns::WD.to_owned()),
        ("ent", iris.ent_ns()),
        ("rel", iris.rel_ns()),
        ("fact", iris.fact_ns()),
        ("concept", iris.concept_ns()),
        ("kgv", iris.kgv_ns()),
    ]
}

/// The class IRI of an entity type.
pub fn type_iri(iris: &Iris, kind: EntityType) -> NamedNode {
    match kind {
        EntityType::Concept => NamedNode::new_unchecked(iris.vocab("Concept")),
        other => NamedNode::new_unchecked(format!("{}{}", ns::SCHEMA, other.local_name())),
    }
}

/// The entity type of a class IRI written by [`type_iri`].
pub fn type_of_iri(iris: &Iris, iri: &str) -> Option<EntityType> {
    if iri == iris.vocab("Concept") {
        return Some(EntityType::Concept);
    }
    iri.strip_prefix(ns::SCHEMA)
        .and_then(EntityType::from_local_name)
        .filter(|t| *t != EntityType::Concept)
}

/// A document graph that breaks the model's invariants.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{what} {index} is out of range")]
    Dangling { what: &'static str, index: usize },
    #[error("span {begin}..{end} is outside the document ({len} characters)")]
    Span {
        begin: usize,
        end: usize,
        len: usize,
    },
    #[error("entity {name:?} has no mention in the document")]
    Unmentioned { name: String },
    #[error("confidence {0} is not in 0..1")]
    Confidence(f64),
    #[error("relation {0:?} is empty")]
    EmptyRelation(String),
}

/// Everything one document contributes, as quads, plus what the store needs to
/// keep derived entity triples right.
#[derive(Debug, Clone)]
pub struct DocumentQuads {
    pub document: NamedNode,
    /// Document-scoped quads (document, sentences, mentions, evidence).
    pub quads: Vec<Quad>,
    /// Asserted triples (default graph), deduplicated.
    pub asserted: Vec<Quad>,
    /// Relation declarations (`a owl:ObjectProperty; rdfs:label`).
    pub relations: Vec<Quad>,
    /// Entities with their canonical label and optional `owl:sameAs`.
    pub entities: Vec<EntityRecord>,
}

/// An entity the document mentions: IRI, canonical label, optional `owl:sameAs`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EntityRecord {
    pub iri: NamedNode,
    pub label: String,
    pub same_as: Option<NamedNode>,
}

fn nn(iri: impl Into<String>) -> NamedNode {
    NamedNode::new_unchecked(iri)
}

fn quad(s: impl Into<NamedOrBlankNode>, p: NamedNodeRef<'_>, o: impl Into<Term>) -> Quad {
    Quad::new(s, p.into_owned(), o, GraphName::DefaultGraph)
}

fn index_literal(i: usize) -> Literal {
    Literal::new_typed_literal(i.to_string(), term::XSD_NON_NEGATIVE_INTEGER)
}

fn en(text: &str) -> Literal {
    Literal::new_language_tagged_literal_unchecked(text, "en")
}

/// Checks the invariants the RDF mapping relies on.
pub fn validate(graph: &DocumentGraph) -> Result<(), ModelError> {
    let len = graph.document.text.chars().count();
    let span_ok = |b: usize, e: usize| {
        if b <= e && e <= len {
            Ok(())
        } else {
            Err(ModelError::Span {
                begin: b,
                end: e,
                len,
            })
        }
    };
    for s in &graph.sentences {
        span_ok(s.begin, s.end)?;
    }
    let mut mentioned = vec![false; graph.entities.len()];
    for m in &graph.mentions {
        span_ok(m.span.begin, m.span.end)?;
        *mentioned.get_mut(m.entity).ok_or(ModelError::Dangling {
            what: "mention entity",
            index: m.entity,
        })? = true;
    }
    let entity = |what, i: usize| {
        if i < graph.entities.len() {
            Ok(())
        } else {
            Err(ModelError::Dangling { what, index: i })
        }
    };
    for f in &graph.facts {
        entity("fact subject", f.subject)?;
        entity("fact object", f.object)?;
        if f.sentence >= graph.sentences.len() {
            return Err(ModelError::Dangling {
                what: "fact sentence",
                index: f.sentence,
            });
        }
        if !(0.0..=1.0).contains(&f.confidence) {
            return Err(ModelError::Confidence(f.confidence));
        }
        if crate::kg::relation_key(&f.relation).is_empty() {
            return Err(ModelError::EmptyRelation(f.relation.clone()));
        }
        let q = &f.qualifiers;
        for i in [q.location, q.attributed_to].into_iter().flatten() {
            entity("qualifier entity", i)?;
        }
        for v in q.time.iter().chain(q.extra.iter().map(|(_, v)| v)) {
            if let Value::Entity(i) = v {
                entity("qualifier entity", *i)?;
            }
        }
    }
    for (i, e) in graph.entities.iter().enumerate() {
        if !mentioned[i] {
            return Err(ModelError::Unmentioned {
                name: e.name.clone(),
            });
        }
    }
    Ok(())
}

/// Maps one document's graph to quads. `run` is the ingest activity's IRI, if any.
pub fn document_quads(
    iris: &Iris,
    graph: &DocumentGraph,
    run: Option<&str>,
) -> Result<DocumentQuads, ModelError> {
    validate(graph)?;
    let text = &graph.document.text;
    let doc_iri = iris.document(text);
    let doc = nn(doc_iri.clone());
    let chars = CharIndex::new(text);
    let n_chars = chars.len();
    // The document as a NIF context.
    let mut quads = vec![quad(doc.clone(), rdf::TYPE, term::NIF_CONTEXT.into_owned())];
    quads.push(quad(doc.clone(), rdf::TYPE, term::NIF_RFC5147.into_owned()));
    quads.push(quad(
        doc.clone(),
        term::NIF_IS_STRING,
        Literal::new_simple_literal(text),
    ));
    quads.push(quad(doc.clone(), term::NIF_BEGIN_INDEX, index_literal(0)));
    quads.push(quad(
        doc.clone(),
        term::NIF_END_INDEX,
        index_literal(n_chars),
    ));
    let meta = &graph.document;
    if let Some(url) = &meta.url {
        match NamedNode::new(url.as_str()) {
            Ok(u) => quads.push(quad(doc.clone(), term::NIF_SOURCE_URL, u)),
            Err(_) => quads.push(quad(
                doc.clone(),
                term::NIF_SOURCE_URL,
                Literal::new_simple_literal(url),
            )),
        }
    }
    if let Some(date) = &meta.date {
        quads.push(quad(
            doc.clone(),
            term::SCHEMA_DATE_PUBLISHED,
            Literal::new_typed_literal(date, xsd::DATE),
        ));
    }
    if let Some(title) = &meta.title {
        quads.push(quad(
            doc.clone(),
            term::SCHEMA_NAME,
            Literal::new_simple_literal(title),
        ));
    }
    if let Some(id) = &meta.source_id {
        quads.push(quad(
            doc.clone(),
            term::SCHEMA_IDENTIFIER,
            Literal::new_simple_literal(id),
        ));
    }
    for (k, v) in &meta.metadata {
        let key = crate::kg::slug(k);
        quads.push(quad(
            doc.clone(),
            nn(iris.vocab(&format!("meta_{key}"))).as_ref(),
            Literal::new_simple_literal(v),
        ));
    }
    if let Some(run) = run {
        quads.push(quad(doc.clone(), term::PROV_WAS_GENERATED_BY, nn(run)));
    }

    let span_node = |span: crate::kg::CharSpan| nn(iris.span(&doc_iri, span));
    let anchor = |span: crate::kg::CharSpan| slice_chars(text, span).unwrap_or_default();

    // Sentences.
    let mut sentence_iris = Vec::with_capacity(graph.sentences.len());
    for &span in &graph.sentences {
        let s = span_node(span);
        quads.push(quad(s.clone(), rdf::TYPE, term::NIF_SENTENCE.into_owned()));
        quads.push(quad(s.clone(), rdf::TYPE, term::NIF_RFC5147.into_owned()));
        quads.push(quad(
            s.clone(),
            term::NIF_BEGIN_INDEX,
            index_literal(span.begin),
        ));
        quads.push(quad(
            s.clone(),
            term::NIF_END_INDEX,
            index_literal(span.end),
        ));
        quads.push(quad(
            s.clone(),
            term::NIF_ANCHOR_OF,
            Literal::new_simple_literal(anchor(span)),
        ));
        quads.push(quad(s.clone(), term::NIF_REFERENCE_CONTEXT, doc.clone()));
        sentence_iris.push(s);
    }

    // Entities and mentions.
    let entity_iris: Vec<NamedNode> = graph.entities.iter().map(|e| nn(iris.entity(e))).collect();
    let mut entities = BTreeMap::new();
    for (e, iri) in graph.entities.iter().zip(&entity_iris) {
        entities.entry(iri.clone()).or_insert_with(|| EntityRecord {
            iri: iri.clone(),
            label: e.name.clone(),
            same_as: e.same_as.as_deref().and_then(|s| NamedNode::new(s).ok()),
        });
    }
    for m in &graph.mentions {
        let node = span_node(m.span);
        let e: &Entity = &graph.entities[m.entity];
        quads.push(quad(node.clone(), rdf::TYPE, term::NIF_PHRASE.into_owned()));
        quads.push(quad(
            node.clone(),
            rdf::TYPE,
            term::NIF_RFC5147.into_owned(),
        ));
        quads.push(quad(
            node.clone(),
            term::NIF_BEGIN_INDEX,
            index_literal(m.span.begin),
        ));
        quads.push(quad(
            node.clone(),
            term::NIF_END_INDEX,
            index_literal(m.span.end),
        ));
        quads.push(quad(
            node.clone(),
            term::NIF_ANCHOR_OF,
            Literal::new_simple_literal(anchor(m.span)),
        ));
        quads.push(quad(node.clone(), term::NIF_REFERENCE_CONTEXT, doc.clone()));
        quads.push(quad(
            node.clone(),
            term::ITS_TA_IDENT_REF,
            entity_iris[m.entity].clone(),
        ));
        quads.push(quad(
            node.clone(),
            term::ITS_TA_CLASS_REF,
            type_iri(iris, e.kind),
        ));
    }

    // Facts: one evidence node per (triple, sentence), plus the asserted triple.
    let mut asserted: Vec<Quad> = Vec::new();
    let mut asserted_seen: HashSet<Quad> = HashSet::new();
    let mut relations = BTreeSet::new();
    let mut seen_facts = BTreeSet::new();
    for f in &graph.facts {
        let s = &entity_iris[f.subject];
        let p = nn(iris.relation(&f.relation));
        let o = &entity_iris[f.object];
        let sentence = &sentence_iris[f.sentence];
        let fact = nn(iris.fact(s.as_str(), p.as_str(), o.as_str(), sentence.as_str()));
        if !seen_facts.insert(fact.clone()) {
            // The same triple twice in one sentence: keep the first (highest
            // confidence first is the extractor's job).
            continue;
        }
        let a = quad(s.clone(), p.as_ref(), o.clone());
        if asserted_seen.insert(a.clone()) {
            asserted.push(a);
        }
        relations.insert(p.clone());
        quads.push(quad(fact.clone(), rdf::TYPE, rdf::STATEMENT.into_owned()));
        quads.push(quad(
            fact.clone(),
            rdf::TYPE,
            term::PROV_ENTITY.into_owned(),
        ));
        quads.push(quad(fact.clone(), rdf::SUBJECT, s.clone()));
        quads.push(quad(fact.clone(), rdf::PREDICATE, p.clone()));
        quads.push(quad(fact.clone(), rdf::OBJECT, o.clone()));
        quads.push(quad(
            fact.clone(),
            term::ITS_TA_CONFIDENCE,
            Literal::new_typed_literal(format_confidence(f.confidence), xsd::DOUBLE),
        ));
        quads.push(quad(
            fact.clone(),
            term::PROV_WAS_DERIVED_FROM,
            sentence.clone(),
        ));
        if let Some(run) = run {
            quads.push(quad(fact.clone(), term::PROV_WAS_GENERATED_BY, nn(run)));
        }
        if !f.surface.is_empty() {
            quads.push(quad(
                fact.clone(),
                nn(iris.vocab("surface")).as_ref(),
                Literal::new_simple_literal(&f.surface),
            ));
        }
        let q = &f.qualifiers;
        let value_term = |v: &Value| -> Term {
            match v {
                Value::Entity(i) => entity_iris[*i].clone().into(),
                Value::Text(t) => Literal::new_simple_literal(t).into(),
                Value::Date(d) => Literal::new_typed_literal(d, xsd::DATE).into(),
            }
        };
        if let Some(t) = &q.time {
            quads.push(quad(
                fact.clone(),
                nn(iris.vocab("time")).as_ref(),
                value_term(t),
            ));
        }
        if let Some(l) = q.location {
            quads.push(quad(
                fact.clone(),
                nn(iris.vocab("location")).as_ref(),
                entity_iris[l].clone(),
            ));
        }
        if q.negated {
            quads.push(quad(
                fact.clone(),
                nn(iris.vocab("negated")).as_ref(),
                Literal::from(true),
            ));
        }
        if let Some(m) = &q.modality {
            quads.push(quad(
                fact.clone(),
                nn(iris.vocab("modality")).as_ref(),
                Literal::new_simple_literal(m),
            ));
        }
        if let Some(a) = q.attributed_to {
            quads.push(quad(
                fact.clone(),
                nn(iris.vocab("attributedTo")).as_ref(),
                entity_iris[a].clone(),
            ));
        }
        for (role, v) in &q.extra {
            let role = crate::kg::slug(&crate::kg::relation_key(role));
            quads.push(quad(
                fact.clone(),
                nn(iris.vocab(&format!("arg_{role}"))).as_ref(),
                value_term(v),
            ));
        }
    }
    let mut relation_quads = Vec::new();
    for p in relations {
        let label = p
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .replace('_', " ");
        relation_quads.push(quad(
            p.clone(),
            rdf::TYPE,
            term::OWL_OBJECT_PROPERTY.into_owned(),
        ));
        relation_quads.push(quad(p, rdfs::LABEL, en(&label)));
    }
    Ok(DocumentQuads {
        document: doc,
        quads,
        asserted,
        relations: relation_quads,
        entities: entities.into_values().collect(),
    })
}

/// The `rdfs:label` literal of an entity.
pub fn label_literal(label: &str) -> Literal {
    en(label)
}

/// Shortest decimal that round-trips, so the same confidence is always the same literal.
pub fn format_confidence(c: f64) -> String {
    let c = (c * 1e4).round() / 1e4;
    let s = format!("{c}");
    if s.contains('.') || s.contains('e') {
        s
    } else {
        format!("{s}.0")
    }
}

/// The run (PROV activity) quads of one `kg ingest`.
pub fn run_quads(iris: &Iris, run: &str, started_at: &str) -> Vec<Quad> {
    let run = nn(run);
    let agent = nn(iris.agent());
    vec![
        quad(run.clone(), rdf::TYPE, term::PROV_ACTIVITY.into_owned()),
        quad(
            run.clone(),
            term::PROV_STARTED_AT_TIME,
            Literal::new_typed_literal(started_at, xsd::DATE_TIME),
        ),
        quad(run, term::PROV_WAS_ASSOCIATED_WITH, agent.clone()),
        quad(
            agent.clone(),
            rdf::TYPE,
            term::PROV_SOFTWARE_AGENT.into_owned(),
        ),
        quad(
            agent,
            rdfs::LABEL,
            Literal::new_simple_literal(format!("kg {}", env!("CARGO_PKG_VERSION"))),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kg::{CharSpan, Document, Fact, Mention, Qualifiers};

    pub(crate) fn sample() -> DocumentGraph {
        let text = "Tokayev thanked Putin. Putin replied.".to_owned();
        let person = |n: &str| Entity {
            name: n.into(),
            kind: EntityType::Person,
            same_as: None,
        };
        DocumentGraph {
            document: Document {
                text,
                date: Some("2022-01-10".into()),
                ..Default::default()
            },
            sentences: vec![
                CharSpan { begin: 0, end: 22 },
                CharSpan { begin: 23, end: 37 },
            ],
            entities: vec![person("Kassym-Jomart Tokayev"), person("Vladimir Putin")],
            mentions: vec![
                Mention {
                    span: CharSpan { begin: 0, end: 7 },
                    entity: 0,
                },
                Mention {
                    span: CharSpan { begin: 16, end: 21 },
                    entity: 1,
                },
            ],
            facts: vec![Fact {
                subject: 0,
                relation: "thank".into(),
                object: 1,
                sentence: 0,
                confidence: 0.9,
                surface: "Tokayev; thanked; Putin".into(),
                qualifiers: Qualifiers::default(),
            }],
        }
    }

    #[test]
    fn maps_a_fact_to_an_asserted_triple_and_evidence() {
        let iris = Iris::default();
        let q = document_quads(&iris, &sample(), None).unwrap();
        assert_eq!(q.asserted.len(), 1);
        let a = &q.asserted[0];
        assert_eq!(
            a.subject.to_string(),
            "<http://kg.local/entity/Kassym-Jomart_Tokayev>"
        );
        assert_eq!(a.predicate.as_str(), "http://kg.local/rel/thank");
        let anchors: Vec<String> = q
            .quads
            .iter()
            .filter(|q| q.predicate == term::NIF_ANCHOR_OF)
            .map(|q| q.object.to_string())
            .collect();
        assert!(anchors.contains(&"\"Tokayev thanked Putin.\"".to_owned()));
        assert!(
            q.quads
                .iter()
                .all(|q| !matches!(q.subject, NamedOrBlankNode::BlankNode(_)))
        );
        assert_eq!(q.entities.len(), 2);
    }

    #[test]
    fn rejects_broken_graphs() {
        let mut g = sample();
        g.facts[0].object = 7;
        assert!(matches!(validate(&g), Err(ModelError::Dangling { .. })));
        let mut g = sample();
        g.sentences[0].end = 999;
        assert!(matches!(validate(&g), Err(ModelError::Span { .. })));
        let mut g = sample();
        g.mentions.pop();
        assert!(matches!(validate(&g), Err(ModelError::Unmentioned { .. })));
        let mut g = sample();
        g.facts[0].confidence = 1.5;
        assert!(matches!(validate(&g), Err(ModelError::Confidence(_))));
    }

    #[test]
    fn confidence_literal_is_canonical() {
        assert_eq!(format_confidence(1.0), "1.0");
        assert_eq!(format_confidence(0.87), "0.87");
        assert_eq!(format_confidence(0.123456), "0.1235");
    }

    #[test]
    fn types_round_trip() {
        let iris = Iris::default();
        for t in EntityType::ALL {
            assert_eq!(type_of_iri(&iris, type_iri(&iris, t).as_str()), Some(t));
        }
    }
}
