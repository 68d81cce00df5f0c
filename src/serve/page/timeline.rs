//! The timeline view (`/timeline?storyline=ID`): pick a shipped storyline (links and a
//! plain GET form, no script needed) and read its answer in one sentence, the lead table
//! (p5, p50, p95 months, base case and each counterfactual) and its charts, inline SVG.
//!
//! Owns: the HTML of the view, of its "still computing" page (which reloads itself) and of
//! its errors. Every number comes from `serve::timeline`'s run, which is `trainsim
//! timeline`'s own summary.

use trainsim::format::fmt_f64;
use trainsim::report::html::inline_svg;

use super::html::esc;
use super::{nav, CSS};
use crate::serve::query::QueryError;
use crate::serve::timeline::{Computed, STORYLINES, TIMELINE_WAIT};

/// The page around `body`; `reload_s` makes it reload itself after that many seconds.
fn shell(title: &str, selected: Option<usize>, body: &str, reload_s: Option<u64>) -> String {
    let reload = reload_s.map_or(String::new(), |s| {
        format!("<meta http-equiv=\"refresh\" content=\"{s}\">")
    });
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{reload}\
<title>{title}</title><style>{CSS}</style></head>\n<body>\
<header><h1>trainsim</h1>{nav}<p>Compute over time: the shipped storylines of <code>trainsim timeline</code>, \
each a Monte Carlo run of two labs' fleets under the export rules month by month.</p></header>\n\
<main class=\"timeline\">{picker}{body}</main></body></html>\n",
        title = esc(title),
        nav = nav("timeline"),
        picker = picker(selected),
    )
}

/// The storylines as links (the chosen one marked) and as a GET form.
fn picker(selected: Option<usize>) -> String {
    let links: Vec<String> = STORYLINES
        .iter()
        .enumerate()
        .map(|(i, (id, _))| {
            if Some(i) == selected {
                format!("<b aria-current=\"page\">{}</b>", esc(id))
            } else {
                format!("<a href=\"/timeline?storyline={0}\">{0}</a>", esc(id))
            }
        })
        .collect();
    let options: String = STORYLINES
        .iter()
        .enumerate()
        .map(|(i, (id, _))| {
            let sel = if Some(i) == selected { " selected" } else { "" };
            format!("<option value=\"{0}\"{sel}>{0}</option>", esc(id))
        })
        .collect();
    format!(
        "<section class=\"picker\"><form method=\"get\" action=\"/timeline\">\
<label for=\"in-storyline\"><b>Storyline</b></label> \
<select id=\"in-storyline\" name=\"storyline\">{options}</select> \
<button type=\"submit\" id=\"show\">Show</button></form>\
<p class=\"note\">Storylines: {}. Each is <code>scenarios/timeline/&lt;name&gt;.toml</code>; \
<code>trainsim timeline</code> on that file writes the same answer, tables and charts.</p></section>",
        links.join(" · ")
    )
}

/// `x` months, to two decimals at most.
fn months(x: f64) -> String {
    fmt_f64((x * 100.0).round() / 100.0)
}

/// The lead table: one row per variant, the base case first.
fn lead_table(c: &Computed) -> String {
    let rows: String = c
        .lead
        .iter()
        .map(|r| {
            format!(
                "<tr{cls}><td>{cf}</td><td>{leader} leads {follower}</td><td>{p5}</td><td><b>{p50}</b></td><td>{p95}</td><td>{chg}</td><td>{cens:.0}%</td></tr>",
                cls = if r.counterfactual == "base" { " class=\"base\"" } else { "" },
                cf = esc(&r.counterfactual),
                leader = esc(&r.leader),
                follower = esc(&r.follower),
                p5 = months(r.lead_months_p5),
                p50 = months(r.lead_months_p50),
                p95 = months(r.lead_months_p95),
                chg = if r.counterfactual == "base" {
                    "–".into()
                } else {
                    months(r.lead_change_months_p50)
                },
                cens = 100.0 * r.censored_share,
            )
        })
        .collect();
    format!(
        "<table class=\"cmp\" id=\"lead\"><caption>Lead in months: how long after the leader the follower first trains the target</caption>\
<thead><tr><th>Case</th><th>Pair</th><th>p5</th><th>p50</th><th>p95</th><th>p50 change vs base</th><th>Trials censored</th></tr></thead>\
<tbody>{rows}</tbody></table>\
<p class=\"note\">p5–p95: the middle 90% of trials; a negative lead means the follower got there first. \
\"base\" is the storyline as written; each other row changes one thing (its name says what). Censored: trials \
in which an actor never reaches the target within the period (counted as reaching it the month after).</p>"
    )
}

/// The view of a finished run.
pub fn view(i: usize, c: &Computed) -> String {
    let charts: String = c
        .charts
        .iter()
        .map(|ch| {
            // The chart draws its own title and subtitle; the caption, below it, says how
            // to read it.
            format!(
                "<figure class=\"chart\" id=\"chart-{id}\" aria-label=\"{title}\">{svg}{cap}</figure>",
                id = esc(&ch.name),
                title = esc(&ch.title),
                cap = ch.caption.as_ref().map_or(String::new(), |c| format!(
                    "<figcaption>{}</figcaption>",
                    esc(c)
                )),
                svg = inline_svg(&ch.svg_text),
            )
        })
        .collect();
    let body = format!(
        "<section class=\"answer\"><h2>{q}</h2><p class=\"headline\" id=\"answer\">{a}</p>\
<p class=\"note\">Target: {t}. Period {p}. {n} trials, seed {s}; {searches} plan searches, run in {secs:.1} s \
when first asked. Same as <code>trainsim timeline scenarios/timeline/{id}.toml</code>.</p>{lead}</section>\
<section class=\"charts\">{charts}</section>",
        q = esc(&c.question),
        a = esc(&c.answer.replace('`', "")),
        t = esc(&c.target),
        p = esc(&c.period),
        n = c.trials,
        s = c.seed,
        searches = c.searches,
        secs = c.run_s,
        id = esc(&c.id),
        lead = lead_table(c),
    );
    shell(
        &format!("trainsim timeline: {}", c.id),
        Some(i),
        &body,
        None,
    )
}

/// The page while storyline `i` runs: it reloads itself until the run is done.
pub fn pending(i: usize) -> String {
    let body = format!(
        "<section class=\"status\" id=\"pending\"><h2>Running {id}…</h2><p>A storyline runs a few hundred plan searches \
the first time it is asked (several seconds; more than {w} s on this machine now). This page reloads itself every \
2 s until the answer is ready; after that it is kept in memory and answers at once.</p></section>",
        id = esc(STORYLINES[i].0),
        w = TIMELINE_WAIT.as_secs()
    );
    shell("trainsim timeline: running", Some(i), &body, Some(2))
}

/// The page for a bad request (an unknown storyline) or a failed run.
pub fn error(selected: Option<usize>, e: &QueryError) -> String {
    let field = e.parameter.as_ref().map_or(String::new(), |p| {
        format!(" (the <b>{}</b> parameter)", esc(p))
    });
    let body = format!(
        "<div class=\"status error\"><h2>No timeline to show{field}</h2><pre id=\"error\">{}</pre></div>",
        esc(&e.message)
    );
    shell("trainsim timeline: error", selected, &body, None)
}
