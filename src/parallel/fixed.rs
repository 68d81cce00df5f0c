//! The one place fixed plan values are checked (issue 12). Every front end (`estimate` and
//! `plan` flags, a scenario's `[plan]`, the published layouts of `validate`) calls
//! [`SearchSpace::fixed_violation`] before the search, so a value the search itself would
//! never produce is refused naming the condition it breaks, in the same words everywhere;
//! the front end only says how it spells a key (`--tp` or `plan.tp`).
//!
//! Fixed values may leave the search grid where published plans do: TP beyond a node
//! (timed over the scale-out network, `perf::comm::hierarchical_all_gather_s`), any
//! micro-batch or interleave that divides. They may not break what makes a plan exist.

use crate::plan::SearchSpace;

/// What a fixed plan is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanLimits<'a> {
    /// The model's id, as messages name it.
    pub model: &'a str,
    /// Attention heads.
    pub heads: u32,
    /// KV heads.
    pub kv_heads: u32,
    /// Layers.
    pub layers: u32,
    /// Routed experts (0 for a dense model).
    pub experts: u32,
    /// Global batch, sequences.
    pub batch_seqs: u64,
    /// GPUs the plan may occupy.
    pub gpus: u64,
}

/// A fixed value no plan can satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanViolation {
    /// The plan key to blame (`tp`, `pp`, `dp`, `ep`, `cp`, `micro_batch`, `interleave`).
    pub key: &'static str,
    /// The broken condition.
    pub message: String,
    /// A hint of its own, when the front end's default ("leave it out to search it") does
    /// not fit.
    pub hint: Option<String>,
}

fn violation(key: &'static str, message: String) -> Option<PlanViolation> {
    Some(PlanViolation {
        key,
        message,
        hint: None,
    })
}

impl SearchSpace {
    /// The first fixed value that no plan can satisfy. `name` spells a plan key (and
    /// `gpus`) as the front end writes it (`--dp`, `plan.dp`, `fleet.count`). Conditions,
    /// in order: `tp·pp·dp·cp ≤ gpus`; TP divides the attention heads (and divides or is
    /// divided by the KV heads); PP at most the layers; interleave > 1 needs PP > 1 and a
    /// layer per virtual stage; the micro-batch and `dp × micro_batch` divide the batch;
    /// with interleave > 1 the micro-batches per replica are a multiple of PP (the
    /// interleaved schedule runs them in groups of PP); EP only on a mixture-of-experts
    /// model, dividing the experts and the `tp·cp·dp` GPUs of a stage.
    pub fn fixed_violation(
        &self,
        l: &PlanLimits<'_>,
        name: &dyn Fn(&str) -> String,
    ) -> Option<PlanViolation> {
        self.gpus_violation(l, name)
            .or_else(|| self.shape_violation(l))
            .or_else(|| self.batch_violation(l))
            .or_else(|| self.ep_violation(l, name))
    }

    /// `tp·pp·dp·cp` of the fixed degrees more than the GPUs.
    fn gpus_violation(
        &self,
        l: &PlanLimits<'_>,
        name: &dyn Fn(&str) -> String,
    ) -> Option<PlanViolation> {
        let fixed: Vec<(&'static str, u32)> = [
            ("tp", self.tp),
            ("pp", self.pp),
            ("dp", self.dp),
            ("cp", self.cp),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
        let need: u64 = fixed.iter().map(|(_, v)| u64::from(*v)).product();
        if need <= l.gpus {
            return None;
        }
        let named: Vec<String> = fixed
            .iter()
            .map(|(k, v)| format!("{} {v}", name(k)))
            .collect();
        Some(PlanViolation {
            key: fixed.last().map_or("tp", |f| f.0),
            message: format!(
                "{} need{} at least {need} GPUs (tp × pp × dp × cp), more than the {} given by {}",
                named.join(" "),
                if fixed.len() == 1 { "s" } else { "" },
                l.gpus,
                name("gpus")
            ),
            hint: Some(format!("lower the fixed degrees or raise {}", name("gpus"))),
        })
    }

    /// TP against the heads; PP and interleave against the layers.
    fn shape_violation(&self, l: &PlanLimits<'_>) -> Option<PlanViolation> {
        let (heads, kv_heads, layers) = (l.heads, l.kv_heads, l.layers);
        if let Some(t) = self.tp {
            if heads % t != 0 || (kv_heads % t != 0 && t % kv_heads != 0) {
                return violation(
                    "tp",
                    format!("TP {t} does not divide the model's {heads} attention heads ({kv_heads} KV heads)"),
                );
            }
        }
        if let Some(p) = self.pp {
            if p > layers {
                return violation(
                    "pp",
                    format!("PP {p} is more than the model's {layers} layers"),
                );
            }
        }
        match (self.pp, self.interleave) {
            (Some(1), Some(v)) if v > 1 => violation(
                "interleave",
                format!("interleave {v} splits each GPU's layers into virtual pipeline stages and needs PP > 1; PP is 1"),
            ),
            (Some(p), Some(v)) if u64::from(p) * u64::from(v) > u64::from(layers) => violation(
                "interleave",
                format!("PP {p} × interleave {v} virtual stages need at least {} layers; the model has {layers}", u64::from(p) * u64::from(v)),
            ),
            _ => None,
        }
    }

    /// The micro-batch, `dp × micro_batch` and the interleaved schedule against the batch.
    fn batch_violation(&self, l: &PlanLimits<'_>) -> Option<PlanViolation> {
        let batch_seqs = l.batch_seqs;
        if let Some(m) = self.micro_batch {
            if batch_seqs % u64::from(m) != 0 {
                return violation(
                    "micro_batch",
                    format!("a micro-batch of {m} sequences does not divide the global batch of {batch_seqs} sequences"),
                );
            }
        }
        if let Some(d) = self.dp {
            let mb = self.micro_batch.unwrap_or(1);
            let per = u64::from(d) * u64::from(mb);
            if per > batch_seqs {
                return violation(
                    "dp",
                    format!("DP {d} replicas × micro-batch {mb} need at least {per} sequences per step; the global batch has {batch_seqs}"),
                );
            }
            if batch_seqs % per != 0 {
                return violation(
                    "dp",
                    format!("DP {d} × micro-batch {mb} = {per} does not divide the global batch of {batch_seqs} sequences"),
                );
            }
        }
        if let (Some(p), Some(v), Some(d), Some(mb)) =
            (self.pp, self.interleave, self.dp, self.micro_batch)
        {
            let m = batch_seqs / (u64::from(d) * u64::from(mb));
            if v > 1 && m % u64::from(p) != 0 {
                return violation(
                    "interleave",
                    format!("interleave {v} runs micro-batches in groups of PP {p}, but each replica has {m} micro-batches, not a multiple of {p}"),
                );
            }
        }
        None
    }

    /// EP against the model's experts and the GPUs of a stage.
    fn ep_violation(
        &self,
        l: &PlanLimits<'_>,
        name: &dyn Fn(&str) -> String,
    ) -> Option<PlanViolation> {
        let ep = self.ep?;
        if l.experts == 0 {
            return (ep > 1).then(|| PlanViolation {
                key: "ep",
                message: format!(
                    "{} {ep} needs a mixture-of-experts model; `{}` is dense",
                    name("ep"),
                    l.model
                ),
                hint: Some(format!(
                    "leave {} out (or use 1) for dense models",
                    name("ep")
                )),
            });
        }
        let whole = Some("expert parallelism places whole experts on each GPU".to_string());
        if l.experts % ep != 0 {
            return Some(PlanViolation {
                key: "ep",
                message: format!(
                    "{} {ep} does not divide the {} experts",
                    name("ep"),
                    l.experts
                ),
                hint: whole,
            });
        }
        if let (Some(t), Some(c), Some(d)) = (self.tp, self.cp, self.dp) {
            let group = u64::from(t) * u64::from(c) * u64::from(d);
            if group % u64::from(ep) != 0 {
                return Some(PlanViolation {
                    key: "ep",
                    message: format!("{} {ep} does not divide the TP × CP × DP = {group} GPUs of a pipeline stage", name("ep")),
                    hint: whole,
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Llama 3.1 405B: 128 heads, 8 KV heads, 126 layers; a 16M-token batch of 8K sequences.
    const LLAMA: PlanLimits = PlanLimits {
        model: "llama3.1-405b",
        heads: 128,
        kv_heads: 8,
        layers: 126,
        experts: 0,
        batch_seqs: 2048,
        gpus: 16_384,
    };

    fn flag(k: &str) -> String {
        format!("--{k}")
    }

    fn key_of(s: SearchSpace, l: &PlanLimits<'_>) -> Option<&'static str> {
        s.fixed_violation(l, &flag).map(|v| v.key)
    }

    #[test]
    fn each_condition_is_named() {
        let s = |f: fn(&mut SearchSpace)| {
            let mut s = SearchSpace::default();
            f(&mut s);
            s
        };
        assert_eq!(key_of(s(|s| s.tp = Some(3)), &LLAMA), Some("tp"));
        // 1024 divides neither 128 heads nor fits: the GPU count is checked first only
        // when it is exceeded, so TP 1024 on 16,384 GPUs is refused for the heads.
        assert_eq!(key_of(s(|s| s.tp = Some(1024)), &LLAMA), Some("tp"));
        assert_eq!(
            key_of(s(|s| s.tp = Some(16)), &LLAMA),
            None,
            "TP16 across nodes is allowed when fixed"
        );
        assert_eq!(key_of(s(|s| s.pp = Some(127)), &LLAMA), Some("pp"));
        assert_eq!(
            key_of(
                s(|s| {
                    s.pp = Some(1);
                    s.interleave = Some(2)
                }),
                &LLAMA
            ),
            Some("interleave")
        );
        // 2048 / (DP 64 × mb 1) = 32 micro-batches: a multiple of PP 16, not of PP 12.
        let il = |p| {
            s(|s| {
                s.dp = Some(64);
                s.micro_batch = Some(1);
                s.interleave = Some(2);
                s.pp = Some(1)
            })
            .with_pp(p)
        };
        assert_eq!(key_of(il(16), &LLAMA), None);
        assert_eq!(key_of(il(12), &LLAMA), Some("interleave"));
        assert_eq!(
            key_of(s(|s| s.micro_batch = Some(3)), &LLAMA),
            Some("micro_batch")
        );
        assert_eq!(key_of(s(|s| s.dp = Some(3)), &LLAMA), Some("dp"));
        assert_eq!(key_of(s(|s| s.ep = Some(2)), &LLAMA), Some("ep"));
        assert_eq!(key_of(s(|s| s.ep = Some(1)), &LLAMA), None);
    }

    #[test]
    fn gpus_are_counted_over_the_fixed_degrees() {
        let s = SearchSpace {
            tp: Some(8),
            dp: Some(128),
            ..SearchSpace::default()
        };
        let small = PlanLimits {
            gpus: 1000,
            ..LLAMA
        };
        let v = s.fixed_violation(&small, &flag).unwrap();
        assert_eq!(v.key, "dp");
        assert_eq!(
            v.message,
            "--tp 8 --dp 128 need at least 1024 GPUs (tp × pp × dp × cp), more than the 1000 given by --gpus"
        );
        assert!(s
            .fixed_violation(
                &PlanLimits {
                    gpus: 1024,
                    ..LLAMA
                },
                &flag
            )
            .is_none());
    }

    #[test]
    fn expert_parallelism_divides_experts_and_the_stage() {
        // DeepSeek-V3: 256 routed experts.
        let moe = PlanLimits {
            experts: 256,
            ..LLAMA
        };
        let ep = |e, dp| SearchSpace {
            ep: Some(e),
            tp: Some(1),
            cp: Some(1),
            dp,
            ..SearchSpace::default()
        };
        assert_eq!(key_of(ep(3, None), &moe), Some("ep"));
        assert_eq!(key_of(ep(64, None), &moe), None);
        // TP 1 × CP 1 × DP 32 = 32 GPUs per stage cannot hold EP 64 groups.
        assert_eq!(key_of(ep(64, Some(32)), &moe), Some("ep"));
        assert_eq!(key_of(ep(32, Some(32)), &moe), None);
    }

    impl SearchSpace {
        fn with_pp(mut self, p: u32) -> Self {
            self.pp = Some(p);
            self
        }
    }
}
