//! Where a dotted key is written in a scenario's text, for the line:column of messages:
//! `[table]` + `key =`, a top-level inline table, or the `n`-th `[[fleet.pools]]` entry.

use crate::error::Location;

/// Find a dotted key in TOML text: `[table]` + `key =`, then a top-level `table = {..}`,
/// then any `[[...table]]` header.
pub(crate) fn locate(src: &str, path: &str) -> Option<Location> {
    let parts: Vec<&str> = path.split('.').collect();
    if parts == ["fleet", "pools"] {
        if let Some(l) = locate_pool(src, 0, None) {
            return Some(l);
        }
    }
    if let ["fleet", "pools", n, rest @ ..] = parts.as_slice() {
        if let Ok(n) = n.parse::<usize>() {
            if let Some(l) = locate_pool(src, n, rest.first().copied()) {
                return Some(l);
            }
        }
    }
    let (leaf, tables) = parts.split_last()?;
    if let Some(l) = Location::of_key(src, tables, Some(leaf)) {
        return Some(l);
    }
    for i in (1..parts.len()).rev() {
        let (t, k) = parts[..=i].split_at(i);
        if let Some(l) = Location::of_key(src, t, Some(k[0])) {
            return Some(l);
        }
    }
    if let Some(l) = Location::of_key(src, &[], Some(parts[0])) {
        return Some(l);
    }
    let header = format!("[[{path}]]");
    src.find(&header).map(|off| Location::of_offset(src, off))
}

/// Find a key of the `n`-th (0-based) `[[fleet.pools]]` entry, or the entry's header.
fn locate_pool(src: &str, n: usize, key: Option<&str>) -> Option<Location> {
    let mut offset = 0usize;
    let mut seen = 0usize;
    let mut header = None;
    for line in src.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            if header.is_some() {
                break;
            }
            let head: String = trimmed
                .split('#')
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '"')
                .collect();
            if head == "[[fleet.pools]]" {
                if seen == n {
                    header = Some(Location::of_offset(
                        src,
                        offset + line.find('[').unwrap_or(0),
                    ));
                }
                seen += 1;
            }
        } else if header.is_some() {
            if let Some(k) = key {
                if let Some(rest) = trimmed.trim_start_matches('"').strip_prefix(k) {
                    if rest.trim_start_matches('"').trim_start().starts_with('=') {
                        let col = line.find(|c: char| !c.is_whitespace()).unwrap_or(0);
                        return Some(Location::of_offset(src, offset + col));
                    }
                }
            }
        }
        offset += line.len();
    }
    header
}
