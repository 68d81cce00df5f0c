//! Small HTML helpers for the page: escaping and reading JSON fields; the number formats
//! are the CLI's own (`trainsim::format`), re-exported.

use serde_json::Value;
pub use trainsim::format::{grouped, short};

/// `s` with `& < > " '` escaped, safe in text and in quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Field `k` of `v` as a number.
pub fn num(v: &Value, k: &str) -> Option<f64> {
    v.get(k).and_then(Value::as_f64)
}

/// Field `k` of `v` as text.
pub fn text<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(short(4_931_958.8), "4.93M");
        assert_eq!(short(14_746_556.8), "14.7M");
        assert_eq!(short(999.0), "999");
        assert_eq!(short(15e12), "15.0T");
        assert_eq!(grouped(1024.0), "1,024");
        assert_eq!(grouped(100.0), "100");
        assert_eq!(grouped(1_234_567.0), "1,234,567");
    }
}
