//! What the report and charts call things: a point's label ([`point_label`]), a swept value
//! as shown ([`compact_value`]), a distribution in words ([`describe_dist`]), the
//! assumptions list of a scenario ([`assumptions`], carried in [`ReportMeta`]) and an
//! input's value on the tornado ([`input_label`]).

use serde::{Deserialize, Serialize};

#[cfg(test)]
use crate::format::input_number;
use crate::report::chart::human;
pub use crate::scenario::digest::describe_dist;
use crate::scenario::Scenario;

/// What the report says about a scenario besides its points: the same for every shard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportMeta {
    /// [`Scenario::question`].
    pub question: String,
    /// [`assumptions`].
    pub assumptions: Vec<(String, String)>,
}

impl ReportMeta {
    /// The report's text of a loaded scenario.
    pub fn of(s: &Scenario) -> ReportMeta {
        ReportMeta {
            question: s.question.clone(),
            assumptions: assumptions(s),
        }
    }
}

/// An input's value on the tornado: three significant digits ([`human`]), in scientific
/// notation below 0.001 (`1.58e-5`).
pub(crate) fn input_label(x: f64) -> String {
    if x.is_finite() && x != 0.0 && x.abs() < 1e-3 {
        format!("{x:.2e}")
    } else {
        human(x)
    }
}

/// The inputs the report lists (gathered while the scenario loaded, see
/// [`crate::scenario::digest::Assumptions`]).
pub fn assumptions(s: &Scenario) -> Vec<(String, String)> {
    s.digest.assumptions()
}

/// Swept keys that a point's label already shows through its fleet.
fn shown_by_fleet(path: &str) -> bool {
    matches!(
        path,
        "fleet.gpu" | "fleet.count" | "fleet.cap" | "policy.run_gpus"
    ) || (path.starts_with("fleet.pools.")
        && [".gpu", ".count", ".cap"].iter().any(|k| path.ends_with(k)))
}

/// A point's name in charts and the report: `<gpu> × <count>` for one pool,
/// `<pool> × <count>` joined by ` + ` for several, then `, <key>=<value>` for each swept
/// input the fleet does not show (the key's last dotted part).
pub fn point_label(p: &crate::scenario::Point, sweep_paths: &[String]) -> String {
    let mut label = if p.pools.len() > 1 {
        p.pools
            .iter()
            .map(|x| format!("{} × {}", x.label, x.gpus()))
            .collect::<Vec<_>>()
            .join(" + ")
    } else {
        let q = p.pools.first().map_or(&p.question, |x| &x.question);
        format!("{} × {}", q.gpu.id, q.gpus)
    };
    for (path, value) in sweep_paths.iter().zip(&p.inputs) {
        if shown_by_fleet(path) {
            continue;
        }
        let compact = compact_value(value);
        if compact != *value {
            // A table names its own keys: `rule=oct-2023`.
            label.push_str(&format!(", {compact}"));
        } else {
            let key = path.rsplit('.').next().unwrap_or(path);
            label.push_str(&format!(", {key}={value}"));
        }
    }
    label
}

/// A swept value as the report shows it: an inline table `{ rule = "oct-2023" }` as
/// `rule=oct-2023`; anything else as it is.
pub fn compact_value(v: &str) -> String {
    match v.trim().strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        Some(inner) => inner.trim().replace(" = ", "=").replace('"', ""),
        None => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_fleet_and_the_other_swept_inputs() {
        use crate::catalog::Catalog;
        use crate::scenario::{load_str, Overrides};
        let load = |src: &str| {
            load_str(
                src,
                "t.toml",
                None,
                Some("t"),
                &Catalog::builtin(),
                &Overrides::default(),
            )
            .unwrap()
        };
        let s = load(
            "model = \"llama3.1-8b\"\ntrain_tokens = 1e11\n[fleet]\ngpu = \"h100\"\ncount = 64\n\
             [sweep]\n\"fleet.count\" = [64, 128]\n\"cost.usd_per_gpu_hour\" = [2.5, 3]\n",
        );
        let labels: Vec<String> = s
            .points
            .iter()
            .map(|p| point_label(p, &s.sweep_paths))
            .collect();
        assert_eq!(
            labels,
            [
                "h100-sxm-80gb × 64, usd_per_gpu_hour=2.5",
                "h100-sxm-80gb × 64, usd_per_gpu_hour=3",
                "h100-sxm-80gb × 128, usd_per_gpu_hour=2.5",
                "h100-sxm-80gb × 128, usd_per_gpu_hour=3"
            ]
        );
        let s = load(
            "model = \"llama3.1-8b\"\ntrain_tokens = 1e11\n\
             [[fleet.pools]]\ngpu = \"h20\"\ncount = 100\n\
             [[fleet.pools]]\nname = \"old\"\ngpu = \"a100-sxm-80gb\"\ncount = 50\nchannel = \"stockpile\"\n\
             [efficiency]\nmatmul_scale = { dist = \"pert\", min = 0.8, mode = 1.0, max = 1.1 }\n",
        );
        assert_eq!(point_label(&s.points[0], &[]), "h20 × 100 + old × 50");
        let a = assumptions(&s);
        let get = |k: &str| a.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(
            get("efficiency.matmul_scale"),
            Some("PERT(min 0.8, mode 1, max 1.1)")
        );
        assert_eq!(
            get("fleet"),
            Some("100 × h20 (purchase) + old: 50 × a100-sxm-80gb (stockpile)")
        );
        assert_eq!(get("train_tokens"), Some("100B tokens"));
        assert_eq!(get("policy.rule"), Some("none"));
        assert_eq!(compact_value("{ rule = \"oct-2023\" }"), "rule=oct-2023");
        assert_eq!(
            compact_value("{ gpu = \"h20\", count = 8 }"),
            "gpu=h20, count=8"
        );
        assert_eq!(compact_value("h20"), "h20");
        assert_eq!(input_number(1.2e-5), "1.2e-5");
        assert_eq!(input_label(1.5849e-5), "1.58e-5");
        assert_eq!(input_label(0.9071), "0.907");
    }
}
