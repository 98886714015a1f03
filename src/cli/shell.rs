//! `flowcast completions SHELL` and `flowcast man`: the completion script and
//! the manual page, generated from the same argument definitions as `--help`.

use clap::CommandFactory;
use std::io::Write;

/// Arguments of `flowcast completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Prints the completion script for `a.shell`.
pub fn completions(a: CompletionsArgs) -> anyhow::Result<()> {
    let mut cmd = super::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "flowcast", &mut out);
    std::io::stdout().write_all(&out)?;
    Ok(())
}

/// Prints the manual page: the command, then each subcommand's synopsis,
/// description and options as sections of the same page.
pub fn man() -> anyhow::Result<()> {
    let cmd = super::Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        writeln!(out, ".SH \"FLOWCAST {}\"", sub.get_name().to_uppercase())?;
        let page = clap_mangen::Man::new(sub.clone());
        page.render_description_section(&mut out)?;
        page.render_options_section(&mut out)?;
        page.render_extra_section(&mut out)?;
    }
    std::io::stdout().write_all(&out)?;
    Ok(())
}
