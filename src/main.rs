//! The `trainsim` binary: parse the command line, run, print errors, set the exit code
//! (0 success, 2 bad input, 1 internal failure).

mod cli;
mod commands;

use clap::Parser;

fn main() {
    // Rust ignores SIGPIPE, so printing into a closed pipe (`trainsim catalog gpus | head`)
    // would panic; restore the default action and let the process end quietly instead.
    #[cfg(unix)]
    // SAFETY: setting a signal disposition to SIG_DFL at start-up, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => 2,
                _ => 2,
            };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    if let Err(err) = commands::run(cli) {
        eprintln!("Error: {err:#}");
        let code = if err.downcast_ref::<trainsim::error::InputError>().is_some() {
            2
        } else {
            1
        };
        std::process::exit(code);
    }
}
