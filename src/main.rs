//! The `kg` binary: parses the command line and hands it to [`kg::app`].

use clap::Parser;

/// mimalloc instead of the system allocator: the pipeline allocates many small
/// strings per word from several threads, where glibc's allocator cost about a
/// tenth of a one-core ingest (measured with perf).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    kg::app::main(kg::cli::Cli::parse())
}
