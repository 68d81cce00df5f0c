//! The command-line contract: commands, JSON keys, exit codes, error messages.

use assert_cmd::Command;

pub fn trainsim() -> Command {
    Command::cargo_bin("trainsim").expect("binary built")
}
