//! What `kg extract` and `kg parse` print: N-Quads of the kg model, TSV or JSON
//! Lines propositions, the CaRB format, and NER labels in CoNLL-U MISC.

use std::io::Write;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::vocab::rdf as rdfv;
use oxigraph::model::{GraphName, NamedNode, Quad};

use super::{Pipeline, Processed, RawDoc};
use crate::cli::ExtractFormat;
use crate::kg::Iris;
use crate::nlp::conllu::{Sentence, misc_add};
use crate::nlp::ner::Ner;

/// Adds `NER=B-PER` / `NER=I-PER` … to the MISC column.
pub fn add_ner_misc(pipeline: &Pipeline, s: &mut Sentence) {
    let spans = pipeline.ner.tag(s);
    let labels = Ner::bio_labels(&spans, s.words.len());
    for (w, l) in s.words.iter_mut().zip(labels) {
        if l != "O" {
            w.misc = misc_add(&w.misc, &format!("NER={l}")).into();
        }
    }
}

/// The verbatim text of a sentence for the CaRB column: the whole input line
/// with `--lines`, else the sentence's own text.
fn sentence_text(raw: &RawDoc, span: (usize, usize), lines: bool) -> &str {
    let text = raw.document.text.as_str();
    if !lines {
        return &text[span.0..span.1];
    }
    let start = text[..span.0].rfind('\n').map_or(0, |i| i + 1);
    let end = text[span.1..].find('\n').map_or(text.len(), |i| span.1 + i);
    text[start..end].trim_end_matches('\r')
}

/// Writes one processed document in the chosen format.
pub fn write(
    out: &mut dyn Write,
    format: ExtractFormat,
    iris: &Iris,
    raw: &RawDoc,
    p: &Processed,
) -> anyhow::Result<()> {
    let lines = raw.document.text.contains('\n') && p.sentences.len() > 1;
    match format {
        ExtractFormat::Carb => {
            for (s, props) in p.sentences.iter().zip(&p.propositions) {
                let text = sentence_text(raw, s.span, lines);
                for prop in props {
                    writeln!(out, "{}", crate::extract::to_carb_line(text, prop))?;
                }
            }
        }
        ExtractFormat::Tsv => {
            let doc = iris.document(&raw.document.text);
            for (i, (s, props)) in p.sentences.iter().zip(&p.propositions).enumerate() {
                for prop in props {
                    let c = &prop.canonical;
                    let objects: Vec<&str> = c.objects.iter().map(|a| a.text.as_str()).collect();
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}\t{}\t{:.3}\t{}",
                        clean(&doc),
                        i + 1,
                        clean(&c.subject.text),
                        clean(&c.lemma),
                        clean(&objects.join(" | ")),
                        prop.confidence,
                        clean(&raw.document.text[s.span.0..s.span.1])
                    )?;
                }
            }
        }
        ExtractFormat::Jsonl => {
            let doc = iris.document(&raw.document.text);
            let chars = crate::kg::CharIndex::new(&raw.document.text);
            for (i, (s, props)) in p.sentences.iter().zip(&p.propositions).enumerate() {
                let span = chars.span(s.span);
                for prop in props {
                    let arg = |a: &crate::extract::Argument| a.text.clone();
                    let v = serde_json::json!({
                        "doc": doc,
                        "origin": raw.origin,
                        "sentence": i + 1,
                        "begin": span.begin,
                        "end": span.end,
                        "text": &raw.document.text[s.span.0..s.span.1],
                        "relation": prop.surface.relation,
                        "args": prop.surface.args.iter().map(arg).collect::<Vec<_>>(),
                        "lemma": prop.canonical.lemma,
                        "subject": arg(&prop.canonical.subject),
                        "objects": prop.canonical.objects.iter().map(arg).collect::<Vec<_>>(),
                        "confidence": prop.confidence,
                        "negated": prop.negated,
                        "modality": format!("{:?}", prop.modality).to_lowercase(),
                        "attribution": prop.attribution.as_ref().map(arg),
                    });
                    serde_json::to_writer(&mut *out, &v)?;
                    writeln!(out)?;
                }
            }
        }
        ExtractFormat::Nq => {
            let q = crate::rdf::document_quads(iris, &p.graph, None)?;
            let mut all: Vec<Quad> = q.quads;
            all.extend(q.asserted);
            all.extend(q.relations);
            // Entity triples as the store would derive them from this document alone.
            for (e, m) in entity_triples(iris, p) {
                all.push(Quad::new(e, m.0, m.1, GraphName::DefaultGraph));
            }
            let mut w = RdfSerializer::from_format(RdfFormat::NQuads).for_writer(&mut *out);
            for quad in &all {
                w.serialize_quad(quad)?;
            }
            w.finish()?;
        }
    }
    Ok(())
}

type PredObj = (NamedNode, oxigraph::model::Term);

/// Type, label, alternate names and `owl:sameAs` of each entity of a document.
fn entity_triples(iris: &Iris, p: &Processed) -> Vec<(NamedNode, PredObj)> {
    let g = &p.graph;
    let mut out = Vec::new();
    for (i, e) in g.entities.iter().enumerate() {
        let iri = NamedNode::new_unchecked(iris.entity(e));
        out.push((
            iri.clone(),
            (
                rdfv::TYPE.into_owned(),
                crate::rdf::type_iri(iris, e.kind).into(),
            ),
        ));
        out.push((
            iri.clone(),
            (
                oxigraph::model::vocab::rdfs::LABEL.into_owned(),
                crate::rdf::label_literal(&e.name).into(),
            ),
        ));
        if let Some(s) = e.same_as.as_deref().and_then(|s| NamedNode::new(s).ok()) {
            out.push((
                iri.clone(),
                (crate::rdf::term::OWL_SAME_AS.into_owned(), s.into()),
            ));
        }
        let mut names: Vec<String> = g
            .mentions
            .iter()
            .filter(|m| m.entity == i)
            .filter_map(|m| crate::kg::slice_chars(&g.document.text, m.span).map(str::to_owned))
            .filter(|n| *n != e.name)
            .collect();
        names.sort();
        names.dedup();
        for n in names {
            out.push((
                iri.clone(),
                (
                    crate::rdf::term::SCHEMA_ALTERNATE_NAME.into_owned(),
                    crate::rdf::label_literal(&n).into(),
                ),
            ));
        }
    }
    out
}

fn clean(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}
