//! Predictions for the published runs of `src/catalog/runs.toml`: each is estimated from
//! its architecture, hardware, GPU count, tokens and, where published, its parallel layout
//! (what was published is fixed, the rest searched), and compared with what was reported.

use serde::Serialize;

use crate::catalog::runs::{builtin_runs, PublishedRun, RunMetric};
use crate::catalog::{Catalog, Precision};
use crate::estimate::{evaluate, plan_search, Question};
use crate::parallel::{Recompute, SearchSpace};

/// One run: predicted vs reported.
#[derive(Debug, Clone, Serialize)]
pub struct Validation {
    /// Run id.
    pub run: String,
    /// What is compared.
    pub metric: &'static str,
    /// Predicted value.
    pub predicted: f64,
    /// Reported value.
    pub reported: f64,
    /// Relative error, signed: predicted / reported − 1.
    pub error: f64,
    /// The plan used.
    pub plan: String,
    /// Source of the reported value.
    pub source: String,
}

/// The question a published run asks.
pub fn question_for(c: &Catalog, r: &PublishedRun) -> Question {
    let model = c
        .model(&r.model)
        .expect("runs.toml names catalog models")
        .clone();
    let gpu = c.gpu(&r.gpu).expect("runs.toml names catalog GPUs").clone();
    let precision = Precision::parse(&r.precision).expect("runs.toml precisions are valid");
    let seq_len = r.seq_len.unwrap_or(model.seq_len);
    let mut q = Question::new(
        model,
        gpu,
        r.gpus,
        r.train_tokens.unwrap_or(1e12),
        precision,
    );
    q.seq_len = seq_len;
    q.global_batch_tokens = r.global_batch_tokens;
    // Published facts about the run's software.
    let e = &mut q.efficiency;
    e.flash_attention = r.flash_attention.unwrap_or(true);
    e.sequence_parallel = r.sequence_parallel.unwrap_or(true);
    if let Some(x) = r.ep_overlap {
        e.ep_overlap = x;
    }
    if let Some(x) = r.comm_sm_fraction {
        e.comm_sm_fraction = x;
    }
    q.space = SearchSpace {
        tp: r.tp,
        pp: r.pp,
        dp: r.dp,
        ep: r.ep,
        cp: r.cp,
        micro_batch: r.micro_batch,
        recompute: r.recompute.as_deref().and_then(Recompute::parse),
        zero_stage: r.zero_stage,
        interleave: None,
    };
    q
}

/// Predict one run; `None` when no plan fits (reported as a failure of the model).
pub fn validate_run(c: &Catalog, r: &PublishedRun) -> Validation {
    let q = question_for(c, r);
    let found = plan_search(&q, 1);
    let (predicted, plan) = match found.top.first() {
        Some(best) => match evaluate(&q, best, &q.efficiency, &q.reliability, &q.energy, &q.cost) {
            Ok(e) => (
                match r.metric {
                    RunMetric::GpuHours => e.gpu_hours,
                    RunMetric::Mfu => e.mfu_bf16,
                    RunMetric::TokensPerGpuS => e.tokens_per_s / e.gpus_used as f64,
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
    Validation {
        run: r.id.clone(),
        metric: r.metric.as_str(),
        predicted,
        reported: r.reported,
        error: predicted / r.reported - 1.0,
        plan,
        source: r.source.clone(),
    }
}

/// Predict every built-in run.
pub fn validate_all(c: &Catalog) -> Vec<Validation> {
    builtin_runs().iter().map(|r| validate_run(c, r)).collect()
}

/// Mean absolute percentage error over `rows`, as a fraction.
pub fn mape(rows: &[Validation]) -> f64 {
    rows.iter().map(|v| v.error.abs()).sum::<f64>() / rows.len().max(1) as f64
}
