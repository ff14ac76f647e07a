//! `kg` turns English news text into a knowledge graph: facts about typed,
//! de-duplicated entities, each tied to the sentence it came from, stored in an
//! embedded Oxigraph RDF store. See `docs/DESIGN.md` for the data flow:
//!
//! `text` → `nlp` → `extract` → `ingest` (joins them into the `kg` model) →
//! `rdf` → `store` → `export`
//!
//! Each module owns one stage and imports only from the stages before it.

pub mod app;
pub mod cli;
pub mod eval;
pub mod export;
pub mod extract;
pub mod ingest;
pub mod kg;
pub mod nlp;
pub mod rdf;
pub mod store;
pub mod text;
