//! Probability distributions of uncertain scenario inputs: their parameters, validation,
//! nominal value, quantiles and seeded sampling (statrs).
//!
//! A scenario writes any number as a plain value or as a table:
//!
//! | `dist`         | parameters            | nominal  | support (what a trial can draw)              |
//! |----------------|-----------------------|----------|----------------------------------------------|
//! | `"triangular"` | `min`, `mode`, `max`  | `mode`   | `[min, max]`                                 |
//! | `"pert"`       | `min`, `mode`, `max`  | `mode`   | `[min, max]` (Beta with the standard λ = 4)  |
//! | `"uniform"`    | `min`, `max`          | mean     | `[min, max]`                                 |
//! | `"normal"`     | `mean`, `sd`          | `mean`   | `[mean − 5·sd, mean + 5·sd]` (clamped)       |
//! | `"lognormal"`  | `median`, `sigma`     | `median` | `[median·e^−5σ, median·e^5σ]` (clamped)      |
//!
//! `sigma` of a lognormal is the standard deviation of `ln X` (so `mu = ln median`). Normal
//! and lognormal draws are clamped at ±5 standard deviations (in log space for the
//! lognormal), which moves a probability of 5.7e-7 and gives every distribution a bounded
//! support that validation can check against the key's physical range. A distribution whose
//! support is a single point (`min = mode = max`, `sd = 0`, `sigma = 0`) is that constant and
//! consumes no random numbers.
//!
//! This module knows nothing about keys or scenarios (a leaf: it imports nothing of ours):
//! [`crate::scenario::keys`] says which range a key allows, [`crate::montecarlo`] draws the
//! trials.

use rand::distr::Distribution;
use statrs::distribution::{Beta, ContinuousCDF, LogNormal, Normal, Triangular, Uniform};

/// Standard deviations at which normal and lognormal draws are clamped.
pub const CLAMP_SD: f64 = 5.0;

/// PERT shape weight λ (Malcolm et al. 1959; Vose, *Risk Analysis*, 3rd ed., §9.1.3).
pub const PERT_LAMBDA: f64 = 4.0;

/// A distribution of one uncertain input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dist {
    /// Triangular on `[min, max]` with its peak at `mode`.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal, clamped at `mean ± 5·sd`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Lognormal: `ln X ~ Normal(ln median, sigma)`, clamped at ±5 `sigma` in log space.
    LogNormal {
        /// Median (`e^mu`).
        median: f64,
        /// Standard deviation of `ln X`.
        sigma: f64,
    },
    /// PERT: `min + (max − min)·Beta(α, β)`, `α = 1 + λ(mode − min)/(max − min)`,
    /// `β = 1 + λ(max − mode)/(max − min)`, λ = 4.
    Pert {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
}

/// The distribution names accepted in `dist = "..."`.
pub const DIST_NAMES: &[&str] = &["triangular", "pert", "uniform", "normal", "lognormal"];

impl Dist {
    /// The name used in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            Dist::Triangular { .. } => "triangular",
            Dist::Uniform { .. } => "uniform",
            Dist::Normal { .. } => "normal",
            Dist::LogNormal { .. } => "lognormal",
            Dist::Pert { .. } => "pert",
        }
    }

    /// Check the parameters make a distribution: finite, `min ≤ mode ≤ max`, `sd ≥ 0`,
    /// `median > 0`, `sigma ≥ 0`. The error says what is wrong.
    pub fn check(&self) -> Result<(), String> {
        let params = self.params();
        if let Some((k, v)) = params.iter().find(|(_, v)| !v.is_finite()) {
            return Err(format!("{} `{k}` is {v}, not a finite number", self.name()));
        }
        match *self {
            Dist::Triangular { min, mode, max } | Dist::Pert { min, mode, max } => {
                if !(min <= mode && mode <= max) {
                    return Err(format!(
                        "{} needs min ≤ mode ≤ max, got min {min}, mode {mode}, max {max}",
                        self.name()
                    ));
                }
            }
            Dist::Uniform { min, max } => {
                if min > max {
                    return Err(format!("uniform needs min ≤ max, got min {min}, max {max}"));
                }
            }
            Dist::Normal { sd, .. } => {
                if sd < 0.0 {
                    return Err(format!("normal needs sd ≥ 0, got {sd}"));
                }
            }
            Dist::LogNormal { median, sigma } => {
                if median <= 0.0 {
                    return Err(format!("lognormal needs a positive median, got {median}"));
                }
                if sigma < 0.0 {
                    return Err(format!("lognormal needs sigma ≥ 0, got {sigma}"));
                }
            }
        }
        Ok(())
    }

    /// The parameters by name, in the order a scenario writes them.
    pub fn params(&self) -> Vec<(&'static str, f64)> {
        match *self {
            Dist::Triangular { min, mode, max } | Dist::Pert { min, mode, max } => {
                vec![("min", min), ("mode", mode), ("max", max)]
            }
            Dist::Uniform { min, max } => vec![("min", min), ("max", max)],
            Dist::Normal { mean, sd } => vec![("mean", mean), ("sd", sd)],
            Dist::LogNormal { median, sigma } => vec![("median", median), ("sigma", sigma)],
        }
    }

    /// Whether the support is a single point (the distribution is a constant).
    pub fn is_degenerate(&self) -> bool {
        match *self {
            Dist::Triangular { min, max, .. }
            | Dist::Pert { min, max, .. }
            | Dist::Uniform { min, max } => min == max,
            Dist::Normal { sd, .. } => sd == 0.0,
            Dist::LogNormal { sigma, .. } => sigma == 0.0,
        }
    }

    /// The value used for the plan search and for every other input in a sensitivity run:
    /// the mode (triangular, PERT), the mean (uniform, normal) or the median (lognormal).
    pub fn nominal(&self) -> f64 {
        match *self {
            Dist::Triangular { mode, .. } | Dist::Pert { mode, .. } => mode,
            Dist::Uniform { min, max } => {
                if min == max {
                    min
                } else {
                    0.5 * (min + max)
                }
            }
            Dist::Normal { mean, .. } => mean,
            Dist::LogNormal { median, .. } => median,
        }
    }

    /// The smallest and largest value a trial can draw (after clamping).
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Dist::Triangular { min, max, .. }
            | Dist::Pert { min, max, .. }
            | Dist::Uniform { min, max } => (min, max),
            Dist::Normal { mean, sd } => (mean - CLAMP_SD * sd, mean + CLAMP_SD * sd),
            Dist::LogNormal { median, sigma } => (
                median * (-CLAMP_SD * sigma).exp(),
                median * (CLAMP_SD * sigma).exp(),
            ),
        }
    }

    /// The `p`-quantile (inverse CDF, statrs), `p` in `[0, 1]`, clamped to the support.
    /// A degenerate distribution returns its constant.
    pub fn quantile(&self, p: f64) -> f64 {
        let p = p.clamp(0.0, 1.0);
        let (lo, hi) = self.support();
        if self.is_degenerate() {
            return self.nominal();
        }
        let x = match self.sampler() {
            Sampler::Const(c) => c,
            Sampler::Triangular(d) => d.inverse_cdf(p),
            Sampler::Uniform(d) => d.inverse_cdf(p),
            Sampler::Normal(d, ..) => d.inverse_cdf(p),
            Sampler::LogNormal(d, ..) => d.inverse_cdf(p),
            Sampler::Pert { beta, min, width } => min + width * beta.inverse_cdf(p),
        };
        x.clamp(lo, hi)
    }

    /// A compact description for CSV cells and messages: `pert(min=0.5 mode=0.65 max=0.78)`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .params()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!("{}({})", self.name(), parts.join(" "))
    }

    /// A sampler for this distribution. Call only after [`Dist::check`] succeeded.
    pub fn sampler(&self) -> Sampler {
        if self.is_degenerate() {
            return Sampler::Const(self.nominal());
        }
        let (lo, hi) = self.support();
        // Parameters were checked, so the constructors cannot fail; fall back to the
        // nominal constant rather than panic if they ever do.
        let fallback = Sampler::Const(self.nominal());
        match *self {
            Dist::Triangular { min, mode, max } => {
                Triangular::new(min, max, mode).map_or(fallback, Sampler::Triangular)
            }
            Dist::Uniform { min, max } => Uniform::new(min, max).map_or(fallback, Sampler::Uniform),
            Dist::Normal { mean, sd } => {
                Normal::new(mean, sd).map_or(fallback, |d| Sampler::Normal(d, lo, hi))
            }
            Dist::LogNormal { median, sigma } => LogNormal::new(median.ln(), sigma)
                .map_or(fallback, |d| Sampler::LogNormal(d, lo, hi)),
            Dist::Pert { min, mode, max } => {
                let width = max - min;
                let a = 1.0 + PERT_LAMBDA * (mode - min) / width;
                let b = 1.0 + PERT_LAMBDA * (max - mode) / width;
                Beta::new(a, b).map_or(fallback, |beta| Sampler::Pert { beta, min, width })
            }
        }
    }
}

/// A ready-to-draw distribution (statrs objects built once per sweep point).
#[derive(Debug, Clone, Copy)]
pub enum Sampler {
    /// A constant (degenerate distribution); draws no random numbers.
    Const(f64),
    /// Triangular.
    Triangular(Triangular),
    /// Uniform.
    Uniform(Uniform),
    /// Normal, clamped to `[lo, hi]`.
    Normal(Normal, f64, f64),
    /// Lognormal, clamped to `[lo, hi]`.
    LogNormal(LogNormal, f64, f64),
    /// PERT as a scaled Beta.
    Pert {
        /// The Beta(α, β) on `[0, 1]`.
        beta: Beta,
        /// Lower bound.
        min: f64,
        /// `max − min`.
        width: f64,
    },
}

impl Sampler {
    /// Draw one value.
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Const(c) => *c,
            Sampler::Triangular(d) => d.sample(rng),
            Sampler::Uniform(d) => d.sample(rng),
            Sampler::Normal(d, lo, hi) => d.sample(rng).clamp(*lo, *hi),
            Sampler::LogNormal(d, lo, hi) => d.sample(rng).clamp(*lo, *hi),
            Sampler::Pert { beta, min, width } => {
                (min + width * beta.sample(rng)).clamp(*min, min + width)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::ChaCha8Rng;
    use rand::SeedableRng;

    #[test]
    fn nominal_values_follow_the_documented_rule() {
        assert_eq!(
            Dist::Pert {
                min: 0.5,
                mode: 0.65,
                max: 0.78
            }
            .nominal(),
            0.65
        );
        assert_eq!(
            Dist::Triangular {
                min: 1.0,
                mode: 2.0,
                max: 4.0
            }
            .nominal(),
            2.0
        );
        assert_eq!(Dist::Uniform { min: 1.0, max: 3.0 }.nominal(), 2.0);
        assert_eq!(Dist::Normal { mean: 5.0, sd: 1.0 }.nominal(), 5.0);
        assert_eq!(
            Dist::LogNormal {
                median: 2.0,
                sigma: 0.3
            }
            .nominal(),
            2.0
        );
    }

    #[test]
    fn bad_parameters_are_refused_with_the_reason() {
        let e = Dist::Triangular {
            min: 0.8,
            mode: 0.7,
            max: 0.6,
        }
        .check()
        .unwrap_err();
        assert_eq!(
            e,
            "triangular needs min ≤ mode ≤ max, got min 0.8, mode 0.7, max 0.6"
        );
        assert!(Dist::Normal {
            mean: 1.0,
            sd: -1.0
        }
        .check()
        .is_err());
        assert!(Dist::LogNormal {
            median: 0.0,
            sigma: 1.0
        }
        .check()
        .is_err());
        assert!(Dist::Uniform { min: 2.0, max: 1.0 }.check().is_err());
        assert!(Dist::Pert {
            min: 1.0,
            mode: f64::NAN,
            max: 2.0
        }
        .check()
        .is_err());
        assert!(Dist::Pert {
            min: 1.0,
            mode: 1.0,
            max: 1.0
        }
        .check()
        .is_ok());
    }

    #[test]
    fn degenerate_distributions_are_constants_and_draw_nothing() {
        let d = Dist::Pert {
            min: 0.7,
            mode: 0.7,
            max: 0.7,
        };
        assert!(d.is_degenerate());
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let before = rng.get_word_pos();
        assert_eq!(d.sampler().sample(&mut rng), 0.7);
        assert_eq!(rng.get_word_pos(), before);
        assert_eq!(d.quantile(0.1), 0.7);
    }

    #[test]
    fn quantiles_match_closed_forms() {
        // Triangular(0, 1, 2) is symmetric: p10 = sqrt(2·2·0.1·... ) = 0 + sqrt(0.1·2·1) = 0.4472.
        let t = Dist::Triangular {
            min: 0.0,
            mode: 1.0,
            max: 2.0,
        };
        assert!((t.quantile(0.1) - 0.2f64.sqrt()).abs() < 1e-12);
        assert!((t.quantile(0.9) - (2.0 - 0.2f64.sqrt())).abs() < 1e-12);
        // Normal p90 = mean + 1.2815516 sd.
        let n = Dist::Normal {
            mean: 10.0,
            sd: 2.0,
        };
        assert!((n.quantile(0.9) - (10.0 + 2.0 * 1.281_551_565_5)).abs() < 1e-6);
        // Lognormal median.
        let l = Dist::LogNormal {
            median: 3.0,
            sigma: 0.5,
        };
        assert!((l.quantile(0.5) - 3.0).abs() < 1e-9);
        // Symmetric PERT: median = mode.
        let p = Dist::Pert {
            min: 0.0,
            mode: 0.5,
            max: 1.0,
        };
        assert!((p.quantile(0.5) - 0.5).abs() < 1e-9);
        assert!(p.quantile(0.1) < 0.5 && p.quantile(0.9) > 0.5);
    }

    #[test]
    fn draws_stay_inside_the_support() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for d in [
            Dist::Pert {
                min: 0.5,
                mode: 0.65,
                max: 0.78,
            },
            Dist::Triangular {
                min: 1.0,
                mode: 1.0,
                max: 3.0,
            },
            Dist::Uniform {
                min: -1.0,
                max: 1.0,
            },
            Dist::Normal { mean: 0.0, sd: 1.0 },
            Dist::LogNormal {
                median: 1.0,
                sigma: 2.0,
            },
        ] {
            let s = d.sampler();
            let (lo, hi) = d.support();
            for _ in 0..2000 {
                let x = s.sample(&mut rng);
                assert!(x >= lo && x <= hi, "{d:?} drew {x}");
            }
        }
    }

    #[test]
    fn pert_mean_is_the_textbook_one() {
        // E[PERT] = (min + 4·mode + max) / 6.
        let d = Dist::Pert {
            min: 0.5,
            mode: 0.65,
            max: 0.78,
        };
        let s = d.sampler();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let n = 200_000;
        let mean = (0..n).map(|_| s.sample(&mut rng)).sum::<f64>() / n as f64;
        assert!(
            (mean - (0.5 + 4.0 * 0.65 + 0.78) / 6.0).abs() < 1e-3,
            "{mean}"
        );
    }
}
