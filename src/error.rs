//! Error types of the library: what went wrong with user input, where, and a hint.
//!
//! Every variant that comes from a file carries the file path, the key (a dotted path),
//! the line and column where known, and a hint. `main.rs` prints these with `{:#}` and maps
//! [`InputError`] to exit code 2. Infeasible plans are *not* errors: see
//! [`crate::parallel::Infeasible`].

use std::fmt;
use std::path::PathBuf;

/// A 1-based line and column in a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `src`.
    pub fn of_offset(src: &str, offset: usize) -> Location {
        let offset = offset.min(src.len());
        let before = &src[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before[line_start..].chars().count() + 1;
        Location { line, column }
    }

    /// The location of `key` inside the TOML table `[table]` (or `[[table]]` entry number
    /// `index` when given) of `src`, found by scanning the text. Falls back to the table header.
    pub fn of_key(src: &str, table: &[&str], key: Option<&str>) -> Option<Location> {
        let mut offset = 0usize;
        let mut in_table = table.is_empty();
        let header_variants: Vec<String> = if table.is_empty() {
            Vec::new()
        } else {
            let plain = table.join(".");
            let quoted = table
                .iter()
                .map(|t| format!("\"{t}\""))
                .collect::<Vec<_>>()
                .join(".");
            vec![format!("[{plain}]"), format!("[{quoted}]")]
        };
        let mut header_loc = None;
        for line in src.split_inclusive('\n') {
            let trimmed = line.trim();
            if trimmed.starts_with('[') {
                let head = trimmed.split('#').next().unwrap_or("").trim();
                if header_variants.iter().any(|h| h == head) {
                    in_table = true;
                    header_loc = Some(Location::of_offset(
                        src,
                        offset + line.find('[').unwrap_or(0),
                    ));
                } else if in_table {
                    in_table = false;
                    if header_loc.is_some() {
                        break;
                    }
                }
            } else if in_table {
                if let Some(k) = key {
                    let stripped = trimmed.trim_start_matches('"');
                    if let Some(rest) = stripped.strip_prefix(k) {
                        let rest = rest.trim_start_matches('"').trim_start();
                        if rest.starts_with('=') {
                            let col = line.find(|c: char| !c.is_whitespace()).unwrap_or(0);
                            return Some(Location::of_offset(src, offset + col));
                        }
                    }
                }
            }
            offset += line.len();
        }
        header_loc
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Bad user input: a catalog, model or scenario file, or a command-line value.
#[derive(Debug, thiserror::Error)]
pub struct InputError {
    /// The file, when the input came from one.
    pub file: Option<PathBuf>,
    /// Dotted key path (`fleet.count`, `h100-sxm-80gb.hbm_gib`), when known.
    pub key: Option<String>,
    /// Line and column, when known.
    pub location: Option<Location>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when the fix is clear.
    pub hint: Option<String>,
}

impl InputError {
    /// An error with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        InputError {
            file: None,
            key: None,
            location: None,
            message: message.into(),
            hint: None,
        }
    }
    /// Attach the file.
    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.file = Some(file.into());
        self
    }
    /// Attach the key, unless one is already set.
    pub fn at_key(mut self, key: impl Into<String>) -> Self {
        if self.key.is_none() {
            self.key = Some(key.into());
        }
        self
    }
    /// Attach a location, unless one is already set.
    pub fn at(mut self, location: Option<Location>) -> Self {
        if self.location.is_none() {
            self.location = location;
        }
        self
    }
    /// Attach a hint, unless one is already set.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        if self.hint.is_none() {
            self.hint = Some(hint.into());
        }
        self
    }

    /// Turn a TOML parse error into an input error with its line and column.
    pub fn from_toml(src: &str, err: &toml::de::Error) -> Self {
        let location = err.span().map(|s| Location::of_offset(src, s.start));
        let message = err.message().trim().to_string();
        let mut e = InputError::new(message.clone()).at(location);
        if message.contains("unknown field") {
            e = e.with_hint("check the spelling; the README lists every key");
        } else if message.contains("invalid type") {
            e = e.with_hint("numbers are written without quotes, text with quotes");
        } else if message.contains("duplicate key") {
            e = e.with_hint("each id or key may appear only once");
        }
        e
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            if let Some(loc) = self.location {
                write!(f, ":{loc}")?;
            }
            write!(f, ": ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "`{key}`: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Most characters of user input echoed back in a message (issue 12: a 200 KB name was
/// echoed whole).
pub const MAX_ECHO_CHARS: usize = 80;

/// `s` as a message echoes it: at most [`MAX_ECHO_CHARS`] characters, then `…` and how
/// many bytes were left out.
pub fn echo(s: &str) -> String {
    match s.char_indices().nth(MAX_ECHO_CHARS) {
        None => s.to_string(),
        Some((i, _)) => format!("{}… ({} more bytes)", &s[..i], s.len() - i),
    }
}

/// The family of an id: its part before the first `-` or `.` (`llama3` of `llama3.1-8b`).
fn family(id: &str) -> &str {
    id.split(['-', '.']).next().unwrap_or(id)
}

/// The closest of `candidates` to `word` by edit distance, if it is close enough to be a
/// plausible typo, or if one candidate starts with `word`. Ties, and near-ties across
/// families, go to the candidate of the word's family (`llama3-8b` → `llama3.1-8b`, not
/// `llama2-7b`), then to the longest common prefix.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    // Longer words are no one's typo of a catalog id; do not spend time on them.
    if w.len() > 4 * MAX_ECHO_CHARS {
        return None;
    }
    let mut best: Option<((usize, usize, usize), &str)> = None;
    for c in candidates {
        let d = if c.starts_with(&w) {
            // The word is the start of a name ("h100-sxm" for "h100-sxm-80gb"): best.
            0
        } else if w.starts_with(c) {
            1
        } else {
            edit_distance(&w, c)
        };
        let other_family = usize::from(family(c) != family(&w));
        let prefix = w.chars().zip(c.chars()).take_while(|(a, b)| a == b).count();
        let rank = (d + other_family, d, usize::MAX - prefix);
        if best.is_none_or(|(br, bc)| rank < br || (rank == br && c < bc)) {
            best = Some((rank, c));
        }
    }
    best.filter(|((_, d, _), _)| *d <= 3.max(w.len() / 3))
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let src = "a = 1\nbb = 2\n";
        assert_eq!(Location::of_offset(src, 6), Location { line: 2, column: 1 });
        assert_eq!(Location::of_offset(src, 9), Location { line: 2, column: 4 });
    }

    #[test]
    fn keys_are_found_inside_their_table() {
        let src = "[a]\nx = 1\n[b]\ny = 2\nx = 3\n";
        assert_eq!(
            Location::of_key(src, &["b"], Some("x")),
            Some(Location { line: 5, column: 1 })
        );
        assert_eq!(
            Location::of_key(src, &["b"], Some("zz")),
            Some(Location { line: 3, column: 1 })
        );
    }

    #[test]
    fn suggestions_catch_typos_and_prefixes() {
        let ids = ["h100-sxm-80gb", "h800-sxm-80gb", "a100-sxm-80gb"];
        assert_eq!(did_you_mean("h100-sxm", ids), Some("h100-sxm-80gb"));
        assert_eq!(did_you_mean("h100-sxm-80bg", ids), Some("h100-sxm-80gb"));
        assert_eq!(did_you_mean("tpu-v9-pod-extreme", ids), None);
        // Issue 12: the family breaks the tie (both are 2 edits away).
        let models = ["llama2-7b", "llama3.1-8b", "llama3.1-70b"];
        assert_eq!(did_you_mean("llama3-8b", models), Some("llama3.1-8b"));
    }
}
