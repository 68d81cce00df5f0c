//! `trainsim validate`: predicted vs reported for the published runs, in-sample and
//! leave-one-out, with the band and whether the reported value falls inside it.

use std::path::Path;

use trainsim::catalog::Catalog;
use trainsim::error::InputError;
use trainsim::report::chart::{validation_chart, ValidationPoint};
use trainsim::report::{csv_string, grouped, Table};
use trainsim::validate::{summarize, validate_all, Route};

use crate::cli::Format;

/// Print the validation table (and draw the chart when asked).
pub fn validate(c: &Catalog, format: Format, chart: Option<&Path>) -> anyhow::Result<()> {
    if let Some(path) = chart {
        check_chart_path(path)?;
    }
    let (cal, rows) = validate_all(c);
    let named = summarize(&rows, Route::Named);
    let typical = summarize(&rows, Route::Typical);
    match format {
        // The contract: an array of rows (each carries its route's fitted figures).
        Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
        Format::Csv => print!("{}", csv_string(&rows)?),
        Format::Table => {
            let mut t = Table::new([
                "run",
                "route",
                "stack",
                "metric",
                "predicted",
                "reported",
                "error",
                "loo error",
                "p5–p95",
                "in",
                "plan",
            ]);
            let fmt = |m: &str, v: f64| {
                if m == "gpu_hours" || m == "time_h" {
                    grouped(v)
                } else if m == "mfu_bf16" {
                    format!("{v:.3}")
                } else {
                    format!("{v:.1}")
                }
            };
            for r in &rows {
                t.row([
                    r.run.clone(),
                    r.route.as_str().to_string(),
                    r.stack.clone(),
                    r.metric.to_string(),
                    fmt(r.metric, r.predicted),
                    fmt(r.metric, r.reported),
                    format!("{:+.1}%", 100.0 * r.error),
                    format!("{:+.1}%", 100.0 * r.error_loo),
                    format!("{}–{}", fmt(r.metric, r.band_p5), fmt(r.metric, r.band_p95)),
                    if r.inside { "yes" } else { "no" }.to_string(),
                    r.plan.clone(),
                ]);
            }
            print!("{}", t.render());
            for (name, s) in [("named", named), ("typical", typical)] {
                println!(
                    "{name:<8} {:>2} runs: mean |error| {:.1}% in-sample, {:.1}% leave-one-out; {:.0}% inside p5–p95; median band p95/p5 {:.2}",
                    s.rows,
                    100.0 * s.mae,
                    100.0 * s.mae_loo,
                    100.0 * s.coverage,
                    s.median_band_ratio
                );
            }
            println!(
                "fitted: typical-stack time factor {:.3}; error log-sd named {:.3}, typical {:.3} (stored in stacks.toml)",
                cal.typical_time_factor, cal.named_log_sd, cal.typical_log_sd
            );
        }
    }
    if let Some(path) = chart {
        draw(path, &rows)?;
        eprintln!("chart: {}", path.display());
    }
    Ok(())
}

/// The chart path must end in `.png` or `.svg` and its folder must exist.
fn check_chart_path(path: &Path) -> Result<(), InputError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext != "png" && ext != "svg" {
        return Err(
            InputError::new(format!("`{}` must end in .png or .svg", path.display()))
                .at_key("--chart")
                .with_hint("e.g. --chart validation.png"),
        );
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(d) = dir {
        if !d.is_dir() {
            return Err(
                InputError::new(format!("folder `{}` does not exist", d.display()))
                    .at_key("--chart")
                    .with_hint("create it first"),
            );
        }
    }
    Ok(())
}

/// Draw into a private temporary folder beside the target, then rename the one file asked for.
fn draw(path: &Path, rows: &[trainsim::validate::Validation]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".trainsim-validate-chart.{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let points: Vec<ValidationPoint> = rows
        .iter()
        .map(|r| ValidationPoint {
            metric: format!("{} ({})", r.metric, r.route.as_str()),
            reported: r.reported,
            predicted: r.predicted_loo,
            p5: r.band_p5,
            p95: r.band_p95,
        })
        .collect();
    let drawn = validation_chart(
        points,
        "trainsim validate: predicted (leave-one-out) against reported",
        "Whiskers: p5–p95 of the fitted error band. Dots on the line y = x are exact.",
        &tmp,
        "validation",
    );
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("png");
    let moved = drawn.map_err(anyhow::Error::from).and_then(|_| {
        Ok(std::fs::rename(
            tmp.join(format!("validation.{ext}")),
            path,
        )?)
    });
    let _ = std::fs::remove_dir_all(&tmp);
    moved
}
