//! End-to-end tests of the `kg` binary against real on-disk stores and the real
//! tools that consume its exports. One test binary (faster to link).

mod util;

mod cli_store;
mod exports;
mod ingest;
mod queries;
