//! `trainsim validate`: predicted vs reported for the published runs.

use trainsim::catalog::Catalog;
use trainsim::report::{csv_string, Table};
use trainsim::validate::{mape, validate_all};

use crate::cli::Format;

/// Print the validation table.
pub fn validate(c: &Catalog, format: Format) -> anyhow::Result<()> {
    let rows = validate_all(c);
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
        Format::Csv => print!("{}", csv_string(&rows)?),
        Format::Table => {
            let mut t = Table::new(["run", "metric", "predicted", "reported", "error", "plan"]);
            let fmt = |m: &str, v: f64| {
                if m == "gpu_hours" {
                    trainsim::report::grouped(v)
                } else if m == "mfu_bf16" {
                    format!("{v:.3}")
                } else {
                    format!("{v:.1}")
                }
            };
            for r in &rows {
                t.row([
                    r.run.clone(),
                    r.metric.to_string(),
                    fmt(r.metric, r.predicted),
                    fmt(r.metric, r.reported),
                    format!("{:+.1}%", 100.0 * r.error),
                    r.plan.clone(),
                ]);
            }
            print!("{}", t.render());
            println!("MAPE over {} runs: {:.1}%", rows.len(), 100.0 * mape(&rows));
        }
    }
    Ok(())
}
