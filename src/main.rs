//! The `trainsim` binary: parse the command line, run, print errors, set the exit code
//! (0 success, 2 bad input, 1 internal failure).

mod answer;
mod cli;
mod commands;
mod serve;

use clap::Parser;

fn main() {
    // Rust ignores SIGPIPE, so printing into a closed pipe (`trainsim catalog gpus | head`)
    // would panic; restore the default action and let the process end quietly instead.
    #[cfg(unix)]
    // SAFETY: setting a signal disposition to SIG_DFL at start-up, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    #[cfg(unix)]
    clean_up_on_interrupt();
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

/// On SIGINT, SIGTERM or SIGHUP, delete the temporary files being written, then end as the
/// signal would have (issue 12: an interrupted run left `.trials.csv.<pid>.tmp` behind).
///
/// The signals are blocked here, before any other thread exists, so every thread inherits
/// the mask and only the waiting thread takes them (with `sigwait`): the clean-up runs as
/// ordinary code, not inside a signal handler.
#[cfg(unix)]
fn clean_up_on_interrupt() {
    // SAFETY: plain libc calls on a signal set owned here, at start-up, before any other
    // thread exists, so the mask applies to every thread spawned later.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, sig);
        }
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return;
        }
        set
    };
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || wait_and_clean_up(set));
    if spawned.is_err() {
        // No waiting thread: let the signals act as before.
        // SAFETY: unblocks the signals blocked above.
        unsafe { libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) };
    }
}

/// Wait for a signal of `set`, delete the temporary files, and end by that signal.
#[cfg(unix)]
fn wait_and_clean_up(set: libc::sigset_t) {
    let mut sig: libc::c_int = 0;
    // SAFETY: `set` and `sig` are owned by this thread.
    if unsafe { libc::sigwait(&set, &mut sig) } != 0 {
        return;
    }
    trainsim::report::remove_temp_files();
    // SAFETY: restore the default action and re-raise it on this thread, where it is
    // unblocked, so the process ends as the signal asks (exit status 128 + signal).
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
    }
    std::process::exit(128 + sig);
}
