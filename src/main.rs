//! The `flowcast` command line: parses arguments and hands them to the
//! library. Every error is printed as one line on stderr with exit code 2.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    restore_sigpipe();
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // clap's message opens with the problem; its usage lines follow.
            // Keep the one line (every error here is one line); --help has the rest.
            let text = e.render().to_string();
            let first: Vec<&str> = text
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let first = first.join(" ");
            let first = first.strip_prefix("error: ").unwrap_or(&first);
            // clap's "did you mean" (`tip: a similar argument exists: '--trials'`)
            // sits in a later paragraph: keep it on the line.
            let tips: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("tip:"))
                .collect();
            let tips = if tips.is_empty() {
                String::new()
            } else {
                format!("; {}", tips.join("; "))
            };
            eprintln!("flowcast: error: {first}{tips} (see --help)");
            return ExitCode::from(2);
        }
    };
    // Ctrl-C or a scheduler's SIGTERM removes this run's staging folder and
    // temporary files: the old results stay as they were.
    if let Err(e) = flowcast::files::cleanup::install_signal_handler() {
        eprintln!("flowcast: warning: no interrupt handler ({e}); an interrupted run may leave temporary files, which the next run sweeps");
    }
    match cli::execute(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) if flowcast::files::cleanup::interrupt_seen() => {
            // The handler is cleaning up and will exit 130 with its own
            // line; this error is its side effect (a removed staging
            // folder). Wait for it rather than race it to exit 2.
            loop {
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
        }
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

/// Dies quietly of SIGPIPE when standard output is closed early (`flowcast
/// run ... | head`), as command-line tools do, instead of panicking on the
/// next print: Rust ignores SIGPIPE by default.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to the default before any other
    // thread exists; no handler code runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
