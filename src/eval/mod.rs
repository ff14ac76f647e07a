//! Evaluation against public benchmarks: UD metrics (CoNLL 2018), CaRB, NER and
//! coreference.

pub mod carb;
pub mod coref;
pub mod ner;
pub mod sample;
pub mod suite;
pub mod ud;
