//! The `flowcast` command line: parses arguments and hands them to the
//! library. Every error is printed as one line on stderr with exit code 2.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::execute(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the chain of causes joined, no backtrace.
            let msg: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!(
                "flowcast: error: {}",
                flowcast::files::one_line(&msg.join(": "))
            );
            ExitCode::from(2)
        }
    }
}
