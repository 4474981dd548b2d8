//! Reading an administrator's new password.

use anyhow::Context;

/// The new password: one line of standard input when it is piped in, else typed twice
/// (unechoed) at the terminal.
pub(crate) fn read_new_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};

    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).context("reading the password from standard input")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let password = rpassword::prompt_password("Password: ").context("reading the password")?;
    let again = rpassword::prompt_password("Password again: ").context("reading the password")?;
    anyhow::ensure!(password == again, "the two passwords differ");
    Ok(password)
}
