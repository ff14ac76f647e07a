//! Language analysis: CoNLL-U I/O, tagger, lemmatizer, dependency parser, named
//! entities, coreference. Model loading and training live with each component.
//!
//! Knows nothing about RDF or the store (DESIGN.md §1).

pub mod conllu;
pub mod coref;
pub mod gazetteer;
pub mod lemma;
pub mod ner;
pub mod parser;
pub mod perceptron;
pub mod pipeline;
pub mod tagger;
pub mod train;
