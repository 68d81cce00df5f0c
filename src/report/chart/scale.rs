//! Axes: one coordinate type for linear, logarithmic and categorical axes, with our own
//! ticks and tick labels.

use std::ops::Range;

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};

use super::{human, round_sig, usd};

// ---------------------------------------------------------------------------------------
// Axes: one coordinate type for linear, logarithmic and categorical axes, with our own
// ticks (plotters' log ticks are irregular) and our own tick labels.
// ---------------------------------------------------------------------------------------

/// How tick labels are written.
#[derive(Debug, Clone)]
pub(crate) enum Fmt {
    /// [`human`]: 1.2k.
    Human,
    /// [`usd`]: $1.2M.
    Usd,
    /// Already in percent: 50 → "50%".
    Percent,
    /// A count with thousands separators: 16,384.
    Count,
    /// Category names, indexed by the rounded value.
    Labels(Vec<String>),
}

/// A numeric axis with explicit ticks.
#[derive(Debug, Clone)]
pub(crate) struct Scale {
    lo: f64,
    hi: f64,
    log: bool,
    ticks: Vec<f64>,
    minor: Vec<f64>,
    fmt: Fmt,
}

impl Scale {
    /// Linear from `lo` to `hi` with about seven "nice" ticks.
    pub(crate) fn linear(lo: f64, hi: f64, fmt: Fmt) -> Scale {
        let (lo, hi) = widen(lo, hi);
        Scale {
            lo,
            hi,
            log: false,
            ticks: nice_ticks(lo, hi, 7),
            minor: Vec::new(),
            fmt,
        }
    }

    /// Logarithmic from `lo` to `hi` (both > 0) with 1-2-5 ticks.
    pub(crate) fn log(lo: f64, hi: f64, fmt: Fmt) -> Scale {
        let (lo, hi) = if lo > 0.0 && hi > lo {
            (lo, hi)
        } else {
            let hi = hi.max(1e-9);
            (hi / 10.0, hi)
        };
        let (ticks, minor) = log_ticks(lo, hi);
        Scale {
            lo,
            hi,
            log: true,
            ticks,
            minor,
            fmt,
        }
    }

    /// Categories `0..n` (named by `labels`); index 0 first from the axis origin, or at the
    /// top of a vertical axis when `top_down`.
    pub(crate) fn categories(labels: Vec<String>, top_down: bool) -> Scale {
        let n = labels.len().max(1) as f64;
        let (lo, hi) = if top_down {
            (n - 0.5, -0.5)
        } else {
            (-0.5, n - 0.5)
        };
        Scale {
            lo,
            hi,
            log: false,
            ticks: (0..labels.len()).map(|i| i as f64).collect(),
            minor: Vec::new(),
            fmt: Fmt::Labels(labels),
        }
    }

    /// Replace the ticks.
    pub(crate) fn with_ticks(mut self, ticks: Vec<f64>) -> Scale {
        self.ticks = ticks;
        self.minor.clear();
        self
    }

    /// Is this axis logarithmic?
    pub(crate) fn is_log(&self) -> bool {
        self.log
    }

    /// Position of `v` in `[0, 1]` along the axis.
    pub(crate) fn unit(&self, v: f64) -> f64 {
        if self.log {
            (v.max(1e-300).ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }

    /// The lower end of the axis (where bars start).
    pub(crate) fn start(&self) -> f64 {
        self.lo.min(self.hi)
    }

    /// The upper end of the axis.
    pub(crate) fn end(&self) -> f64 {
        self.lo.max(self.hi)
    }

    /// Write `v` as a tick label.
    pub(crate) fn label(&self, v: f64) -> String {
        match &self.fmt {
            Fmt::Human => human(v),
            Fmt::Usd => usd(v),
            Fmt::Percent => format!("{}%", human(v)),
            Fmt::Count => crate::format::grouped(v),
            Fmt::Labels(names) => {
                let i = v.round();
                if i >= 0.0 && (i - v).abs() < 1e-6 {
                    names.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            }
        }
    }
}

pub(crate) fn widen(lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    if hi > lo {
        (lo, hi)
    } else if lo == 0.0 {
        (0.0, 1.0)
    } else {
        (lo - lo.abs() * 0.5, lo + lo.abs() * 0.5)
    }
}

/// About `target` intervals (at most 10% more) between ticks at multiples of 1, 2, 2.5 or
/// 5 × 10^k within `[lo, hi]`.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let span = hi - lo;
    if !(span > 0.0 && span.is_finite()) {
        return vec![lo];
    }
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf((raw / 1.1).log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s * 1.1 >= raw * 0.999)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last)
        .map(|k| round_sig(k as f64 * step, 12))
        .collect()
}

/// Major and minor ticks for a log axis over `[lo, hi]`: 1-1.5-2-3-5-7 per decade up to 1.7
/// decades, 1-2-5 up to three, powers of ten beyond; minors at 1..9 per decade.
pub(crate) fn log_ticks(lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let decades = (hi / lo).log10();
    let mantissas: &[f64] = if decades < 0.7 {
        &[1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    } else if decades < 1.7 {
        &[1.0, 1.5, 2.0, 3.0, 5.0, 7.0]
    } else if decades <= 3.2 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0]
    };
    let e0 = lo.log10().floor() as i32;
    let e1 = hi.log10().ceil() as i32;
    let mut major = Vec::new();
    let mut minor = Vec::new();
    for e in e0..=e1 {
        let d = 10f64.powi(e);
        for m in mantissas {
            let v = round_sig(m * d, 12);
            if v >= lo * 0.999_999 && v <= hi * 1.000_001 {
                major.push(v);
            }
        }
        if decades <= 4.0 {
            for m in 1..10 {
                let v = round_sig(m as f64 * d, 12);
                if v >= lo && v <= hi {
                    minor.push(v);
                }
            }
        }
    }
    if major.len() < 2 {
        major = nice_ticks(lo, hi, 5)
            .into_iter()
            .filter(|v| *v > 0.0)
            .collect();
    }
    (major, minor)
}

impl Ranged for Scale {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let t = self.unit(*value);
        let px = limit.0 as f64 + (limit.1 - limit.0) as f64 * t;
        px.round().clamp(-1e6, 1e6) as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.minor.clone()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

impl ValueFormatter<f64> for Scale {
    fn format_ext(&self, value: &f64) -> String {
        self.label(*value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_are_round() {
        assert_eq!(
            nice_ticks(0.0, 100.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(nice_ticks(0.0, 1.0, 4), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let t = nice_ticks(0.0, 37.0, 7);
        assert_eq!(t.first(), Some(&0.0));
        assert!(t.len() >= 4 && t.len() <= 9, "{t:?}");
    }

    #[test]
    fn log_ticks_follow_1_2_5() {
        let (major, minor) = log_ticks(8.0, 1200.0);
        assert_eq!(major, vec![10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]);
        assert!(minor.contains(&30.0));
        let (major, _) = log_ticks(1e2, 1e9);
        assert_eq!(major.len(), 8);
    }

    #[test]
    fn scale_maps_both_ways() {
        let s = Scale::linear(0.0, 10.0, Fmt::Human);
        assert_eq!(s.map(&5.0, (0, 100)), 50);
        let l = Scale::log(1.0, 100.0, Fmt::Human);
        assert_eq!(l.map(&10.0, (0, 100)), 50);
        let c = Scale::categories(vec!["a".into(), "b".into()], true);
        assert!(c.map(&0.0, (100, 0)) < c.map(&1.0, (100, 0)));
        assert_eq!(c.label(1.0), "b");
        assert_eq!(c.label(0.5), "");
    }
}
