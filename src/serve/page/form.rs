//! The page's inputs: one labelled field per CLI flag the page offers, each with a short
//! explanation and its source on hover (`title`), and a place for the error that names it.
//!
//! Owns: which inputs the page shows and their help texts. The values' meaning and checks
//! stay with the CLI (`cli.rs`).

use trainsim::catalog::Catalog;
use trainsim::policy::Rule;

use super::html::esc;
use super::State;

/// One input: parameter, label, help (with its source).
struct Field {
    name: &'static str,
    label: &'static str,
    help: &'static str,
}

const MODEL: Field = Field {
    name: "model",
    label: "Model",
    help: "The model architecture, from the built-in catalog (`trainsim catalog models`; each entry cites its paper or config, e.g. arXiv:2407.21783 for Llama 3.1).",
};
const MODEL_FILE: Field = Field {
    name: "model_file",
    label: "…or paste a model file",
    help: "A model file in the format of DESIGN.md §3 (layers, d_model, heads, ffn_hidden, vocab, seq_len, optional [moe]); at most 16 KiB. When given, it replaces the model above.",
};
const GPU: Field = Field {
    name: "gpu",
    label: "Chip",
    help: "The accelerator. Figures (peak FLOP/s, HBM, NVLink, price, TDP) come from vendor datasheets; `trainsim catalog gpus` lists each source.",
};
const GPUS: Field = Field {
    name: "gpus",
    label: "Chips (count)",
    help: "GPUs allocated, 1 to 10,000,000. The plan may leave a few idle when the count factors badly; the answer says so.",
};
const BUDGET: Field = Field {
    name: "budget_usd",
    label: "…or a budget, USD",
    help: "Up-front hardware budget: the fleet is as many chips as it buys, floor(budget ÷ capex per GPU), capex = purchase price × server overhead 1.64 (single-unit prices) ÷ (1 − 0.19 interconnect share) (Epoch AI, arXiv:2405.21015), as a scenario's fleet.budget_usd. Replaces the count; pinned fleets get equal budgets.",
};
const TOKENS: Field = Field {
    name: "tokens",
    label: "Training tokens",
    help: "Tokens seen in training, e.g. 15e12 (Llama 3.1 405B: 15.6T, arXiv:2407.21783; DeepSeek-V3: 14.8T, arXiv:2412.19437). At least one global batch, at most 1e16.",
};
const PRECISION: Field = Field {
    name: "precision",
    label: "Precision",
    help: "GEMM precision. FP8 doubles Hopper's dense peak but gains less in practice (README, fp8_overhead; LLM Foundry's tables). Chips without FP8 fall back to BF16.",
};
const STACK: Field = Field {
    name: "stack",
    label: "Software stack",
    help: "How well the training code uses the hardware, fitted on published runs (`trainsim catalog stacks`; README, calibration). Default: the typical stack of the year.",
};
const YEAR: Field = Field {
    name: "year",
    label: "Year",
    help: "Year whose typical software stack to use when no stack is chosen (default 2026).",
};
const RULE: Field = Field {
    name: "rule",
    label: "Export rule",
    help: "US export-control rule (`trainsim catalog rules`, from the BIS rule texts): adds the chip's status under it, and the Rules table below.",
};
const CHANNEL: Field = Field {
    name: "channel",
    label: "Acquisition channel",
    help: "How the fleet was obtained (DESIGN.md, Policy): purchase (refused when the export rule does not allow the chip), stockpile and domestic (owned), smuggled (unlawful, at a price premium; reference/assumptions.md §6), cloud (rented abroad). Not given: the rule only reports the chip's status.",
};
const PREMIUM: Field = Field {
    name: "channel_premium",
    label: "Channel price premium",
    help: "Price over the US price, as a fraction (0.5 = +50%). Default: 0.5 for smuggled chips, the mode of the 0.4–1.0 range in reference/assumptions.md §6 (derived H100 premia, FT, Reuters); else 0.",
};
const PRICE: Field = Field {
    name: "usd_per_gpu_hour",
    label: "USD per GPU-hour",
    help: "Rental price; default: the catalog's (gpus.csv, cited per chip). Used with the rental basis.",
};
const BASIS: Field = Field {
    name: "cost_basis",
    label: "Cost basis",
    help: "Rental: price × GPU-hours. Ownership: purchase price × server overhead ÷ (1 − interconnect share), amortised over the life, plus energy (Epoch AI, arXiv:2405.21015).",
};

/// Label, then the control, then the error slot (filled when the error names this field).
fn wrap(f: &Field, control: &str, state: &State) -> String {
    let err = state.error_for(f.name).unwrap_or_default();
    let cls = if err.is_empty() { "" } else { " bad" };
    format!(
        "<label class=\"field{cls}\" title=\"{help}\"><span class=\"name\">{label} <span class=\"q\">?</span></span>{control}<span class=\"err\" id=\"err-{name}\">{err}</span></label>\n",
        help = esc(f.help),
        label = esc(f.label),
        name = f.name,
        err = esc(&err),
    )
}

fn text_input(f: &Field, state: &State, placeholder: &str) -> String {
    let v = state.value(f.name).unwrap_or_default();
    let control = format!(
        "<input name=\"{}\" id=\"in-{}\" value=\"{}\" placeholder=\"{}\">",
        f.name,
        f.name,
        esc(&v),
        esc(placeholder)
    );
    wrap(f, &control, state)
}

/// A `<select>` of `(value, text)` options; the current value is kept even if unknown.
fn select(f: &Field, state: &State, options: &[(String, String)], none: Option<&str>) -> String {
    select_at(
        f,
        state,
        options,
        none,
        state.value(f.name).unwrap_or_default(),
    )
}

/// [`select`] with `cur` as the current value (a chip alias resolved to its id).
fn select_at(
    f: &Field,
    state: &State,
    options: &[(String, String)],
    none: Option<&str>,
    cur: String,
) -> String {
    let mut o = String::new();
    if let Some(n) = none {
        o.push_str(&format!("<option value=\"\">{}</option>", esc(n)));
    }
    let known = options.iter().any(|(v, _)| v.eq_ignore_ascii_case(&cur));
    if !cur.is_empty() && !known {
        o.push_str(&format!(
            "<option value=\"{0}\" selected>{0}</option>",
            esc(&cur)
        ));
    }
    for (v, t) in options {
        let sel = if v.eq_ignore_ascii_case(&cur) {
            " selected"
        } else {
            ""
        };
        o.push_str(&format!(
            "<option value=\"{}\"{sel}>{}</option>",
            esc(v),
            esc(t)
        ));
    }
    let control = format!("<select name=\"{0}\" id=\"in-{0}\">{o}</select>", f.name);
    wrap(f, &control, state)
}

fn list(items: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    items.collect()
}

/// The inputs, in the order a reader asks the question.
pub fn inputs(catalog: &Catalog, rules: &[Rule], state: &State) -> String {
    let models = list(
        catalog
            .models
            .values()
            .map(|m| (m.id.clone(), m.id.clone())),
    );
    let gpus = list(
        catalog
            .gpus
            .values()
            .map(|g| (g.id.clone(), format!("{} ({})", g.name, g.id))),
    );
    let stacks = list(
        catalog
            .stacks
            .values()
            .map(|s| (s.id.clone(), s.id.clone())),
    );
    let rule_ids = list(
        rules
            .iter()
            .map(|r| (r.id.clone(), format!("{} ({})", r.id, r.name))),
    );
    let precisions = list(
        ["bf16", "fp16", "fp8"]
            .map(|p| (p.to_owned(), p.to_owned()))
            .into_iter(),
    );
    let bases = list(
        ["rental", "ownership"]
            .map(|p| (p.to_owned(), p.to_owned()))
            .into_iter(),
    );
    let channels = list(
        ["purchase", "stockpile", "smuggled", "cloud", "domestic"]
            .map(|p| (p.to_owned(), p.to_owned()))
            .into_iter(),
    );
    let gpu = state.value("gpu").unwrap_or_default();
    let gpu = catalog.gpu(&gpu).map_or(gpu, |g| g.id.clone());
    let pasted = state.value("model_file").unwrap_or_default();
    let open = if pasted.is_empty() { "" } else { " open" };
    let paste = format!(
        "<details{open}><summary>paste a model file</summary><textarea name=\"model_file\" id=\"in-model_file\" rows=\"8\" placeholder=\"name = &quot;my-model&quot;&#10;layers = 32&#10;d_model = 4096&#10;heads = 32&#10;ffn_hidden = 14336&#10;ffn_kind = &quot;swiglu&quot;&#10;vocab = 128256&#10;seq_len = 8192\">{}</textarea></details>",
        esc(&pasted)
    );
    [
        select(&MODEL, state, &models, None),
        wrap(&MODEL_FILE, &paste, state),
        select_at(&GPU, state, &gpus, None, gpu),
        text_input(&GPUS, state, "1024"),
        if state.value("budget_usd").is_some() {
            "<p class=\"note\" id=\"count-unused\">The count is not used: the budget below sizes every fleet.</p>".to_owned()
        } else {
            String::new()
        },
        text_input(&BUDGET, state, "e.g. 3.4e8"),
        text_input(&TOKENS, state, "15e12"),
        select(&PRECISION, state, &precisions, None),
        select(&STACK, state, &stacks, Some("typical of the year")),
        text_input(&YEAR, state, "2026"),
        select(&RULE, state, &rule_ids, Some("none")),
        select(&CHANNEL, state, &channels, Some("not given")),
        text_input(&PREMIUM, state, "0.5 if smuggled, else 0"),
        select(&BASIS, state, &bases, None),
        text_input(&PRICE, state, "catalog's"),
    ]
    .concat()
}
