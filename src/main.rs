//! The `kg` binary: parses the command line and hands it to [`kg::app`].

use clap::Parser;

fn main() -> std::process::ExitCode {
    kg::app::main(kg::cli::Cli::parse())
}
