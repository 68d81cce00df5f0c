//! Predictions for the published runs of `src/catalog/runs.toml`, compared with what was
//! reported, and the calibration of the whole-run time factor and the error bands.
//!
//! Two routes:
//! - **named**: a run with its own software stack named in the file (DeepSeek-V3, Llama 3,
//!   Megatron-LM 2021) and its published layout fixed, the rest searched;
//! - **typical**: a whole run predicted as an analyst would, from its architecture, chip,
//!   GPU count, tokens, published batch and year alone: the typical stack of the year, the
//!   plan searched.
//!
//! Calibration (see [`fit`]): the typical stacks' whole-run time factor is the weighted
//! geometric mean of `reported / predicted` over the typical rows (tier A weighs 1, tier B
//! ½), one constant. Each route's error band is the root-mean-square of its leave-one-out
//! log residuals. Leave-one-out is exact for the typical route (the factor is a pure time
//! multiplier) and, for the named route, treats the calibrated GEMM factor as the location
//! parameter of the log residuals (exact for compute-bound rows).

use serde::Serialize;

use crate::catalog::runs::{builtin_runs, PublishedRun, RunMetric};
use crate::catalog::{Catalog, Precision, StackKind};
use crate::error::InputError;
use crate::estimate::{evaluate, plan_search, Question};
use crate::parallel::{Recompute, SearchSpace};
use crate::question::{self, Front};

/// How a row is predicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Route {
    /// The run's own stack, its published layout fixed.
    Named,
    /// The typical stack of the run's year, the plan searched.
    Typical,
}

impl Route {
    /// Name as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Route::Named => "named",
            Route::Typical => "typical",
        }
    }
}

/// One run: predicted vs reported.
#[derive(Debug, Clone, Serialize)]
pub struct Validation {
    /// Run id.
    pub run: String,
    /// Route.
    pub route: Route,
    /// Stack used.
    pub stack: String,
    /// Year of the run.
    pub year: i32,
    /// Tier of the reported value (whole runs of the public record).
    pub tier: Option<String>,
    /// What is compared.
    pub metric: &'static str,
    /// Predicted value, in-sample (the fitted constants include this row).
    pub predicted: f64,
    /// Reported value.
    pub reported: f64,
    /// Relative error in-sample, signed: predicted / reported − 1.
    pub error: f64,
    /// Leave-one-out prediction (the fitted constants exclude this row).
    pub predicted_loo: f64,
    /// Relative error out of sample, signed.
    pub error_loo: f64,
    /// 5th percentile of the band around the leave-one-out prediction.
    pub band_p5: f64,
    /// 95th percentile.
    pub band_p95: f64,
    /// Whether the reported value falls inside the band.
    pub inside: bool,
    /// The fitted whole-run time factor this row's prediction carries (1 on the named route).
    pub time_factor: f64,
    /// The route's fitted band: sd of the log residual (leave-one-out, root-mean-square).
    pub band_log_sd: f64,
    /// The plan used.
    pub plan: String,
    /// Source of the reported value.
    pub source: String,
}

/// The stack a row is predicted with.
fn stack_for<'c>(c: &'c Catalog, r: &PublishedRun) -> &'c crate::catalog::StackSpec {
    match &r.stack {
        Some(s) => c.stack(s).expect("runs.toml names catalog stacks"),
        None => c
            .stack_for_year(r.year)
            .expect("runs.toml years have typical stacks"),
    }
}

/// The route of a row.
pub fn route_of(r: &PublishedRun) -> Route {
    if r.stack.is_some() {
        Route::Named
    } else {
        Route::Typical
    }
}

/// The question a published run asks, with its stack applied (typical stacks with a time
/// factor of 1: [`fit`] supplies it). Its batch and published layout go through the checks
/// every front end shares ([`crate::question`]); a row that breaks them is an error in
/// `runs.toml`, reported on its row.
pub fn question_for(c: &Catalog, r: &PublishedRun) -> Result<Question, InputError> {
    let model = c
        .model(&r.model)
        .expect("runs.toml names catalog models")
        .clone();
    let gpu = c.gpu(&r.gpu).expect("runs.toml names catalog GPUs").clone();
    let precision = Precision::parse(&r.precision).expect("runs.toml precisions are valid");
    let batch = question::batch(
        Front::Scenario,
        &model,
        r.seq_len,
        r.global_batch_tokens,
        r.gpus,
    )?;
    let space = SearchSpace {
        tp: r.tp,
        pp: r.pp,
        dp: r.dp,
        ep: r.ep,
        cp: r.cp,
        micro_batch: r.micro_batch,
        recompute: r.recompute.as_deref().and_then(Recompute::parse),
        zero_stage: r.zero_stage,
        interleave: r.interleave,
        ..SearchSpace::default()
    };
    question::check_plan(Front::Scenario, &space, &model, &batch, r.gpus, "gpus")?;
    let mut q = Question::new(
        model,
        gpu,
        r.gpus,
        r.train_tokens.unwrap_or(1e12),
        precision,
    );
    q.seq_len = batch.seq_len;
    q.global_batch_tokens = batch.global_batch_tokens;
    q.space = space;
    let stack = stack_for(c, r);
    q.apply_stack(stack);
    if stack.kind == StackKind::Typical {
        q.whole_run.time_factor = 1.0;
    }
    if r.steady_state == Some(true) {
        q.whole_run.overhead = 0.0;
    }
    // Published facts about the run's software beyond its stack.
    let e = &mut q.efficiency;
    if let Some(x) = r.flash_attention {
        e.flash_attention = x;
    }
    if let Some(x) = r.sequence_parallel {
        e.sequence_parallel = x;
    }
    if let Some(x) = r.ep_overlap {
        e.ep_overlap = x;
    }
    if let Some(x) = r.comm_sm_fraction {
        e.comm_sm_fraction = x;
    }
    Ok(q)
}

/// A row predicted before calibration: the model's value and the plan.
#[derive(Debug, Clone)]
pub struct Raw {
    /// The run.
    pub run: PublishedRun,
    /// Predicted value (typical rows: with a time factor of 1).
    pub predicted: f64,
    /// The plan, or why none fits.
    pub plan: String,
}

/// Predict one run before calibration; NaN when no plan fits.
pub fn predict_raw(c: &Catalog, r: &PublishedRun) -> Raw {
    let q = match question_for(c, r) {
        Ok(q) => q,
        Err(e) => {
            return Raw {
                run: r.clone(),
                predicted: f64::NAN,
                plan: format!("{}: {e}", r.id),
            }
        }
    };
    let found = plan_search(&q, 1);
    let (predicted, plan) = match found.top.first() {
        Some(best) => match evaluate(&q, best, &q.efficiency, &q.reliability, &q.energy, &q.cost) {
            Ok(e) => (
                match r.metric {
                    RunMetric::GpuHours => e.gpu_hours,
                    RunMetric::Mfu => e.mfu_bf16,
                    RunMetric::TokensPerGpuS => e.tokens_per_s / e.gpus_used as f64,
                    RunMetric::TimeH => e.train_days * 24.0,
                },
                best.strategy.label(),
            ),
            Err(why) => (f64::NAN, why.to_string()),
        },
        None => (
            f64::NAN,
            found.infeasible.map(|i| i.to_string()).unwrap_or_default(),
        ),
    };
    Raw {
        run: r.clone(),
        predicted,
        plan,
    }
}

/// `ln(reported / predicted)` oriented so that a positive value means the run took longer
/// than predicted (throughput metrics are inverted).
fn log_slowdown(metric: RunMetric, predicted: f64, reported: f64) -> f64 {
    match metric {
        RunMetric::GpuHours | RunMetric::TimeH => (reported / predicted).ln(),
        RunMetric::Mfu | RunMetric::TokensPerGpuS => (predicted / reported).ln(),
    }
}

/// Apply a time multiplier to a predicted value of `metric`.
fn scale(metric: RunMetric, predicted: f64, time_factor: f64) -> f64 {
    match metric {
        RunMetric::GpuHours | RunMetric::TimeH => predicted * time_factor,
        RunMetric::Mfu | RunMetric::TokensPerGpuS => predicted / time_factor,
    }
}

/// The weight of a row in the typical fit (`reference/public_runs.md`: weight tier A above B).
fn weight(r: &PublishedRun) -> f64 {
    if r.tier.as_deref() == Some("B") {
        0.5
    } else {
        1.0
    }
}

/// The calibration: fitted constants and per-route error figures.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    /// Whole-run time factor of the typical stacks (weighted geometric mean of
    /// reported ÷ predicted over the typical rows).
    pub typical_time_factor: f64,
    /// Root-mean-square leave-one-out log residual, typical route.
    pub typical_log_sd: f64,
    /// Root-mean-square leave-one-out log residual, named route.
    pub named_log_sd: f64,
    /// Typical rows used.
    pub typical_rows: usize,
    /// Named rows used.
    pub named_rows: usize,
}

/// Weighted mean of `xs` with weights `ws`.
fn wmean(xs: &[f64], ws: &[f64]) -> f64 {
    let w: f64 = ws.iter().sum();
    xs.iter().zip(ws).map(|(x, w)| x * w).sum::<f64>() / w.max(1e-300)
}

/// Fit the calibration on predicted rows and return it with the calibrated rows.
pub fn fit(raws: &[Raw]) -> (Calibration, Vec<Validation>) {
    let ok: Vec<&Raw> = raws.iter().filter(|r| r.predicted.is_finite()).collect();
    let typ: Vec<&Raw> = ok
        .iter()
        .copied()
        .filter(|r| route_of(&r.run) == Route::Typical)
        .collect();
    let named: Vec<&Raw> = ok
        .iter()
        .copied()
        .filter(|r| route_of(&r.run) == Route::Named)
        .collect();
    let res = |r: &Raw| log_slowdown(r.run.metric, r.predicted, r.run.reported);

    // Typical: one constant, log time factor = weighted mean log residual; exact LOO.
    let t_res: Vec<f64> = typ.iter().map(|r| res(r)).collect();
    let t_w: Vec<f64> = typ.iter().map(|r| weight(&r.run)).collect();
    let log_tf = wmean(&t_res, &t_w);
    let t_loo: Vec<f64> = (0..typ.len())
        .map(|i| {
            let (xs, ws): (Vec<f64>, Vec<f64>) = (0..typ.len())
                .filter(|&j| j != i)
                .map(|j| (t_res[j], t_w[j]))
                .unzip();
            wmean(&xs, &ws)
        })
        .collect();
    let rms = |v: &[f64]| (v.iter().map(|x| x * x).sum::<f64>() / v.len().max(1) as f64).sqrt();
    let typical_log_sd = rms(&t_res
        .iter()
        .zip(&t_loo)
        .map(|(r, f)| r - f)
        .collect::<Vec<_>>());

    // Named: the calibrated constants act as a location of the log residuals.
    let n_res: Vec<f64> = named.iter().map(|r| res(r)).collect();
    let n = n_res.len() as f64;
    let mu = n_res.iter().sum::<f64>() / n.max(1.0);
    let n_shift: Vec<f64> = n_res
        .iter()
        .map(|r| {
            if n > 1.0 {
                (mu * n - r) / (n - 1.0) - mu
            } else {
                0.0
            }
        })
        .collect();
    let named_log_sd = rms(&n_res
        .iter()
        .zip(&n_shift)
        .map(|(r, s)| r - s)
        .collect::<Vec<_>>());

    let cal = Calibration {
        typical_time_factor: log_tf.exp(),
        typical_log_sd,
        named_log_sd,
        typical_rows: typ.len(),
        named_rows: named.len(),
    };
    let z = crate::catalog::stack::Z95;
    let mut rows = Vec::new();
    let (mut ti, mut ni) = (0, 0);
    for r in raws {
        let route = route_of(&r.run);
        let m = r.run.metric;
        let (predicted, loo, sd) = if !r.predicted.is_finite() {
            (f64::NAN, f64::NAN, 0.0)
        } else if route == Route::Typical {
            let i = ti;
            ti += 1;
            (
                scale(m, r.predicted, log_tf.exp()),
                scale(m, r.predicted, t_loo[i].exp()),
                typical_log_sd,
            )
        } else {
            let i = ni;
            ni += 1;
            (
                r.predicted,
                scale(m, r.predicted, n_shift[i].exp()),
                named_log_sd,
            )
        };
        // The band around the LOO prediction, in the metric's direction.
        let (a, b) = (
            scale(m, loo, (-z * sd).exp()),
            scale(m, loo, (z * sd).exp()),
        );
        let (band_p5, band_p95) = (a.min(b), a.max(b));
        rows.push(Validation {
            run: r.run.id.clone(),
            route,
            stack: r
                .run
                .stack
                .clone()
                .unwrap_or_else(|| format!("typical-{}", r.run.year)),
            year: r.run.year,
            tier: r.run.tier.clone(),
            metric: m.as_str(),
            predicted,
            reported: r.run.reported,
            error: predicted / r.run.reported - 1.0,
            predicted_loo: loo,
            error_loo: loo / r.run.reported - 1.0,
            band_p5,
            band_p95,
            inside: band_p5 <= r.run.reported && r.run.reported <= band_p95,
            time_factor: if route == Route::Typical {
                log_tf.exp()
            } else {
                1.0
            },
            band_log_sd: if route == Route::Typical {
                typical_log_sd
            } else {
                named_log_sd
            },
            plan: r.plan.clone(),
            source: r.run.source.clone(),
        });
    }
    (cal, rows)
}

/// Predict every built-in run in parallel (rows in file order) and calibrate.
pub fn validate_all(c: &Catalog) -> (Calibration, Vec<Validation>) {
    use rayon::prelude::*;
    let raws: Vec<Raw> = builtin_runs()
        .par_iter()
        .map(|r| predict_raw(c, r))
        .collect();
    fit(&raws)
}

/// Summary figures of one route.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RouteSummary {
    /// Rows.
    pub rows: usize,
    /// Mean absolute relative error, in-sample.
    pub mae: f64,
    /// Mean absolute relative error, leave-one-out.
    pub mae_loo: f64,
    /// Share of rows whose reported value is inside p5–p95.
    pub coverage: f64,
    /// Median p95 ÷ p5 of the bands.
    pub median_band_ratio: f64,
}

/// Summarise the rows of `route`.
pub fn summarize(rows: &[Validation], route: Route) -> RouteSummary {
    let r: Vec<&Validation> = rows
        .iter()
        .filter(|v| v.route == route && v.predicted.is_finite())
        .collect();
    let n = r.len().max(1) as f64;
    let mut ratios: Vec<f64> = r.iter().map(|v| v.band_p95 / v.band_p5).collect();
    ratios.sort_by(f64::total_cmp);
    RouteSummary {
        rows: r.len(),
        mae: r.iter().map(|v| v.error.abs()).sum::<f64>() / n,
        mae_loo: r.iter().map(|v| v.error_loo.abs()).sum::<f64>() / n,
        coverage: r.iter().filter(|v| v.inside).count() as f64 / n,
        median_band_ratio: ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN),
    }
}

/// Mean absolute percentage error over `rows` (in-sample), as a fraction.
pub fn mape(rows: &[Validation]) -> f64 {
    rows.iter().map(|v| v.error.abs()).sum::<f64>() / rows.len().max(1) as f64
}
