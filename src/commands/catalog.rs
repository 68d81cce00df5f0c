//! `trainsim catalog gpus|models`: the built-in (and user) catalogs with units in every
//! column name.

use serde::Serialize;
use trainsim::catalog::Catalog;
use trainsim::policy::{performance_density, tpp};
use trainsim::report::{csv_string, opt, Table};
use trainsim::workload::ParamCounts;

use crate::cli::{CatalogKind, Format};

#[derive(Serialize)]
struct GpuRow<'a> {
    id: &'a str,
    name: &'a str,
    aliases: String,
    vendor: &'a str,
    release_year: Option<u32>,
    datacenter: bool,
    bf16_dense_tflops: f64,
    fp8_dense_tflops: Option<f64>,
    int8_dense_tops: Option<f64>,
    tpp: f64,
    performance_density: Option<f64>,
    hbm_gib: f64,
    hbm_tb_per_s: f64,
    intra_node_gb_per_s: Option<f64>,
    intra_node_bidirectional: bool,
    pcie_gb_per_s: Option<f64>,
    io_total_gb_per_s: Option<f64>,
    gpus_per_node: u32,
    scale_up_domain_gpus: u32,
    scale_out_gbit_per_s: Option<f64>,
    tdp_w: Option<f64>,
    die_area_mm2: Option<f64>,
    logic_dies: u32,
    us_market: Option<&'static str>,
    purchase_usd: Option<f64>,
    purchase_year: Option<u32>,
    rental_usd_per_gpu_hour: Option<f64>,
    rental_year: Option<u32>,
    source: &'a str,
}

#[derive(Serialize)]
struct ModelRow<'a> {
    id: &'a str,
    name: &'a str,
    aliases: String,
    params: f64,
    active_params: f64,
    published_params: Option<f64>,
    layers: u32,
    d_model: u64,
    heads: u32,
    kv_heads: u32,
    head_dim: u64,
    ffn_hidden: u64,
    ffn_kind: &'static str,
    vocab: u64,
    seq_len: u64,
    experts: Option<u32>,
    experts_per_token: Option<u32>,
    source: &'a str,
}

/// Print a catalog.
pub fn catalog(c: &Catalog, what: CatalogKind, format: Format) -> anyhow::Result<()> {
    match what {
        CatalogKind::Gpus => {
            let rows: Vec<GpuRow> = c
                .gpus
                .values()
                .map(|g| GpuRow {
                    id: &g.id,
                    name: &g.name,
                    aliases: g.aliases.join(";"),
                    vendor: &g.vendor,
                    release_year: g.release_year,
                    datacenter: g.datacenter,
                    bf16_dense_tflops: g.bf16_dense_tflops,
                    fp8_dense_tflops: g.fp8_dense_tflops,
                    int8_dense_tops: g.int8_dense_tops,
                    tpp: tpp(g),
                    performance_density: performance_density(g)
                        .map(|x| (x * 100.0).round() / 100.0),
                    hbm_gib: g.hbm_gib,
                    hbm_tb_per_s: g.hbm_tb_per_s,
                    intra_node_gb_per_s: g.intra_node_gb_per_s,
                    intra_node_bidirectional: g.intra_node_bidirectional,
                    pcie_gb_per_s: g.pcie_gb_per_s,
                    io_total_gb_per_s: g.io_total_gb_per_s,
                    gpus_per_node: g.gpus_per_node,
                    scale_up_domain_gpus: g.scale_up_domain(),
                    scale_out_gbit_per_s: g.scale_out_gbit_per_s,
                    tdp_w: g.tdp_w,
                    die_area_mm2: g.die_area_mm2,
                    logic_dies: g.logic_dies.unwrap_or(1),
                    us_market: g.us_market.map(|m| m.as_str()),
                    purchase_usd: g.purchase_usd,
                    purchase_year: g.purchase_year,
                    rental_usd_per_gpu_hour: g.rental_usd_per_gpu_hour,
                    rental_year: g.rental_year,
                    source: &g.source,
                })
                .collect();
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
                Format::Csv => print!("{}", csv_string(&rows)?),
                Format::Table => {
                    let mut t = Table::new([
                        "id",
                        "bf16_tflops",
                        "fp8_tflops",
                        "hbm_gib",
                        "hbm_tb_s",
                        "link_gb_s",
                        "net_gbit_s",
                        "tdp_w",
                        "tpp",
                        "pd",
                        "price_usd",
                        "usd_gpu_h",
                    ]);
                    for r in &rows {
                        t.row([
                            r.id.to_string(),
                            opt(Some(r.bf16_dense_tflops), 1),
                            opt(r.fp8_dense_tflops, 1),
                            opt(Some(r.hbm_gib), 0),
                            opt(Some(r.hbm_tb_per_s), 2),
                            opt(r.intra_node_gb_per_s, 0),
                            opt(r.scale_out_gbit_per_s, 0),
                            opt(r.tdp_w, 0),
                            opt(Some(r.tpp), 0),
                            opt(r.performance_density, 2),
                            opt(r.purchase_usd, 0),
                            opt(r.rental_usd_per_gpu_hour, 2),
                        ]);
                    }
                    print!("{}", t.render());
                    eprintln!("n/p = not published. Link: intra-node GB/s (bidirectional total). TPP and PD per 88 FR 73458.");
                }
            }
        }
        CatalogKind::Rules => unreachable!("rules are listed by commands::classify::rules"),
        CatalogKind::Stacks => stacks(c, format)?,
        CatalogKind::Models => {
            let rows: Vec<ModelRow> = c
                .models
                .values()
                .map(|m| {
                    let p = ParamCounts::of(m);
                    ModelRow {
                        id: &m.id,
                        name: &m.name,
                        aliases: String::new(),
                        params: p.total,
                        active_params: p.active,
                        published_params: m.published_params,
                        layers: m.layers,
                        d_model: m.d_model,
                        heads: m.heads,
                        kv_heads: m.kv_heads(),
                        head_dim: m.head_dim(),
                        ffn_hidden: m.ffn_hidden(),
                        ffn_kind: match m.ffn_kind {
                            trainsim::catalog::FfnKind::Gelu => "gelu",
                            trainsim::catalog::FfnKind::Swiglu => "swiglu",
                        },
                        vocab: m.vocab,
                        seq_len: m.seq_len,
                        experts: m.moe.as_ref().map(|x| x.experts),
                        experts_per_token: m.moe.as_ref().map(|x| x.experts_per_token),
                        source: m.source.as_deref().unwrap_or(""),
                    }
                })
                .collect();
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
                Format::Csv => print!("{}", csv_string(&rows)?),
                Format::Table => {
                    let mut t = Table::new([
                        "id", "params_b", "active_b", "layers", "d_model", "heads", "kv", "ffn",
                        "vocab", "seq", "experts",
                    ]);
                    for r in &rows {
                        t.row([
                            r.id.to_string(),
                            format!("{:.1}", r.params / 1e9),
                            format!("{:.1}", r.active_params / 1e9),
                            r.layers.to_string(),
                            r.d_model.to_string(),
                            r.heads.to_string(),
                            r.kv_heads.to_string(),
                            r.ffn_hidden.to_string(),
                            r.vocab.to_string(),
                            r.seq_len.to_string(),
                            r.experts.map_or("-".into(), |e| {
                                format!("{e}/top{}", r.experts_per_token.unwrap_or(0))
                            }),
                        ]);
                    }
                    print!("{}", t.render());
                }
            }
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct StackRow<'a> {
    id: &'a str,
    name: &'a str,
    kind: &'static str,
    year: i32,
    flash_attention: &'static str,
    sequence_parallel: bool,
    schedule: &'static str,
    max_interleave: u32,
    max_tp: u32,
    max_pp: u32,
    max_zero_stage: u8,
    tp_overlap: f64,
    dp_overlap: f64,
    pp_overlap: f64,
    ep_overlap: f64,
    cp_overlap: f64,
    comm_sm_fraction: f64,
    fp8: bool,
    fp8_overhead: f64,
    gemm_factor: f64,
    comm_factor: f64,
    overhead_low: f64,
    overhead_mode: f64,
    overhead_high: f64,
    time_factor: f64,
    error_log_sd: f64,
    band_p5_factor: f64,
    band_p95_factor: f64,
    fitted_on: &'a str,
    source: &'a str,
    note: &'a str,
}

/// `trainsim catalog stacks`.
fn stacks(c: &Catalog, format: Format) -> anyhow::Result<()> {
    let rows: Vec<StackRow> = c
        .stacks
        .values()
        .map(|s| {
            let (lo, hi) = s.band();
            StackRow {
                id: &s.id,
                name: &s.name,
                kind: s.kind.as_str(),
                year: s.year,
                flash_attention: s.flash_attention.as_str(),
                sequence_parallel: s.sequence_parallel,
                schedule: s.schedule.as_str(),
                max_interleave: s.max_interleave,
                max_tp: s.max_tp,
                max_pp: s.max_pp,
                max_zero_stage: s.max_zero_stage,
                tp_overlap: s.tp_overlap,
                dp_overlap: s.dp_overlap,
                pp_overlap: s.pp_overlap,
                ep_overlap: s.ep_overlap,
                cp_overlap: s.cp_overlap,
                comm_sm_fraction: s.comm_sm_fraction,
                fp8: s.fp8,
                fp8_overhead: s.fp8_overhead,
                gemm_factor: s.gemm_factor,
                comm_factor: s.comm_factor,
                overhead_low: s.overhead.low,
                overhead_mode: s.overhead.mode,
                overhead_high: s.overhead.high,
                time_factor: s.time_factor,
                error_log_sd: s.error.log_sd,
                band_p5_factor: lo,
                band_p95_factor: hi,
                fitted_on: &s.fitted_on,
                source: &s.source,
                note: s.note.as_deref().unwrap_or(""),
            }
        })
        .collect();
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
        Format::Csv => print!("{}", csv_string(&rows)?),
        Format::Table => {
            let mut t = Table::new([
                "id",
                "kind",
                "year",
                "attn",
                "sp",
                "schedule",
                "v",
                "zero",
                "tp/dp/pp/ep ovl",
                "fp8",
                "gemm",
                "overhead",
                "time_x",
                "p5–p95 ×",
            ]);
            for r in &rows {
                t.row([
                    r.id.to_string(),
                    r.kind.to_string(),
                    r.year.to_string(),
                    r.flash_attention.to_string(),
                    if r.sequence_parallel { "yes" } else { "no" }.to_string(),
                    r.schedule.to_string(),
                    r.max_interleave.to_string(),
                    r.max_zero_stage.to_string(),
                    format!(
                        "{}/{}/{}/{}",
                        r.tp_overlap, r.dp_overlap, r.pp_overlap, r.ep_overlap
                    ),
                    if r.fp8 {
                        format!("+{:.0}%", 100.0 * r.fp8_overhead)
                    } else {
                        "no".into()
                    },
                    format!("{:.2}", r.gemm_factor),
                    format!(
                        "{:.2}/{:.2}/{:.2}",
                        r.overhead_low, r.overhead_mode, r.overhead_high
                    ),
                    format!("{:.2}", r.time_factor),
                    format!("{:.2}–{:.2}", r.band_p5_factor, r.band_p95_factor),
                ]);
            }
            print!("{}", t.render());
            eprintln!("attn: fused-attention generation; v: max interleave; zero: highest ZeRO stage; overhead: fraction of wall time outside steps (low/mode/high); time_x: fitted whole-run factor; p5–p95 ×: the answer's band over its point value. Sources: --format json.");
        }
    }
    Ok(())
}
