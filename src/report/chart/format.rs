//! Numbers on axes and labels (`human`, `usd`, `percent`) and text cut to fit a width.

use plotters::coord::Shift;
use plotters::prelude::*;

// ---------------------------------------------------------------------------------------
// Numbers on axes and labels.
// ---------------------------------------------------------------------------------------

/// `v` with up to three significant digits and a k/M/B/T suffix: 1.2k, 34.5M, 0.35.
pub fn human(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let r = round_sig(v, 3);
    let a = r.abs();
    let (div, suffix) = if a >= 1e12 {
        (1e12, "T")
    } else if a >= 1e9 {
        (1e9, "B")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    format!("{}{suffix}", sig3(r / div))
}

/// US dollars, human: $5.6M.
pub fn usd(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    if v < 0.0 {
        format!("-${}", human(-v))
    } else {
        format!("${}", human(v))
    }
}

/// A fraction as a percentage with up to three significant digits: 0.385 → 38.5%.
pub fn percent(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    format!("{}%", sig3(round_sig(v * 100.0, 3)))
}

pub(crate) fn round_sig(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let mag = v.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits - 1 - mag);
    (v * scale).round() / scale
}

/// Three significant digits without trailing zeros, for |x| < 1000.
pub(crate) fn sig3(x: f64) -> String {
    let a = x.abs();
    let decimals = if a >= 100.0 || a == 0.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        (2 - a.log10().floor() as i32).clamp(0, 12) as usize
    };
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `s` cut to at most `max` characters, ending in "…" when cut.
pub(crate) fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let keep: String = s.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", keep.trim_end())
}

/// `s` cut to fit `max_px` pixels in `style` on `area`, ending in "…" when cut.
pub(crate) fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    style: &TextStyle,
    max_px: u32,
) -> String {
    let width = |t: &str| {
        area.estimate_text_size(t, style)
            .map(|(w, _)| w)
            .unwrap_or(0)
    };
    cut_to_width(s, &width, max_px)
}

/// Width in pixels of the widest of `labels` in `style`.
pub(crate) fn max_text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &[String],
    style: &TextStyle,
) -> u32 {
    labels
        .iter()
        .map(|t| {
            area.estimate_text_size(t, style)
                .map(|(w, _)| w)
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0)
}

/// `s` cut inside (ending in "…") to fit `max_px` by `width`, for a single long word.
pub(crate) fn cut_to_width(s: &str, width: &dyn Fn(&str) -> u32, max_px: u32) -> String {
    if width(s) <= max_px {
        return s.to_string();
    }
    let mut n = s.chars().count();
    while n > 1 {
        n -= 1;
        let t = truncate_chars(s, n);
        if width(&t) <= max_px {
            return t;
        }
    }
    "…".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_numbers() {
        assert_eq!(human(0.0), "0");
        assert_eq!(human(0.35), "0.35");
        assert_eq!(human(12.345), "12.3");
        assert_eq!(human(999.6), "1k");
        assert_eq!(human(1200.0), "1.2k");
        assert_eq!(human(16384.0), "16.4k");
        assert_eq!(human(3.4e6), "3.4M");
        assert_eq!(human(-2.5e9), "-2.5B");
        assert_eq!(usd(5.6e6), "$5.6M");
        assert_eq!(usd(950.0), "$950");
        assert_eq!(percent(0.385), "38.5%");
        assert_eq!(human(f64::NAN), "n/a");
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate_chars("abcdef", 10), "abcdef");
        assert_eq!(truncate_chars("abcdef", 4), "abc…");
    }
}
