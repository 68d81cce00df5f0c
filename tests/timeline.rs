//! `trainsim timeline` (issue 10): figures worked out by hand, monotonicity, rules that stop
//! purchases, agreement with `estimate`, and determinism across thread counts.
//! See: issue 10.

use trainsim::catalog::Catalog;
use trainsim::timeline::simulate::NEVER;
use trainsim::timeline::{capacity, load_str, output, simulate};

use crate::cli::trainsim;

/// A small, fast timeline: Llama 3.1 8B, 1e12 tokens in at most 30 days.
fn small(actors: &str, extra: &str) -> String {
    format!(
        "name = \"t\"\nstart = \"2023-01\"\nend = \"2024-12\"\nmodel_error = 1\n\
         [target]\nmodel = \"llama3.1-8b\"\ntrain_tokens = 1e12\nmax_run_days = 30\n\
         [uncertainty]\ntrials = 20\n{actors}\n{extra}"
    )
}

const ACTOR_A: &str = "[[actors]]\nname = \"A\"\nstack = \"llama3-2024\"\n\
    [[actors.supply]]\ngpu = \"h100-sxm-80gb\"\nchannel = \"purchase\"\nrate_per_month = 16\n";

fn load(src: &str) -> trainsim::timeline::Timeline {
    load_str(src, "t.toml", "t", &Catalog::builtin()).unwrap()
}

/// Two actors with the same stack and the same fixed supply reach the target in the same
/// month in every trial: the lead is exactly 0.
#[test]
fn two_identical_actors_have_no_lead() {
    let b = ACTOR_A.replace("name = \"A\"", "name = \"B\"");
    let tl = load(&small(&format!("{ACTOR_A}{b}"), ""));
    let s = output::summarize(&tl, &simulate(&tl));
    let l = &s.lead[0];
    assert_eq!((l.leader.as_str(), l.follower.as_str()), ("A", "B"));
    assert_eq!(
        (l.lead_months_p5, l.lead_months_p50, l.lead_months_p95),
        (0.0, 0.0, 0.0)
    );
    assert_eq!(
        s.capability[0].target_month_p50,
        s.capability[1].target_month_p50
    );
    assert!(
        !s.capability[0].target_month_p50.is_empty(),
        "the target is reached"
    );
}

/// Removing a supply line never makes its actor's target month earlier, trial by trial,
/// with uncertain rates.
#[test]
fn removing_a_supply_line_never_helps() {
    let actor = "[[actors]]\nname = \"A\"\nstack = \"llama3-2024\"\n\
        [[actors.supply]]\ngpu = \"h100-sxm-80gb\"\nchannel = \"purchase\"\n\
        rate_per_month = { dist = \"triangular\", min = 4, mode = 10, max = 20 }\n\
        [[actors.supply]]\ngpu = \"a100-sxm-80gb\"\nchannel = \"smuggled\"\n\
        rate_per_month = { dist = \"uniform\", min = 2, max = 30 }\n";
    let cf = "[[counterfactuals]]\nname = \"no-a100\"\nremove = [\"actors.0.supply.1\"]\n\
        [[counterfactuals]]\nname = \"no-h100\"\nremove = [\"actors.0.supply.0\"]\n";
    let tl = load(&small(actor, cf));
    let o = simulate(&tl);
    let mut later = 0;
    for t in &o.trials {
        let base = t.months[0];
        assert!(t.months[1] >= base && t.months[2] >= base, "{:?}", t.months);
        later += usize::from(t.months[1] > base || t.months[2] > base);
    }
    assert!(
        later > 0,
        "removing a line delays the target in some trials"
    );
}

/// H800 bought at 100 a month from 2023-01 under a timeline that brings in oct-2023 in
/// 2023-11: deliveries at the ends of January … October arrive February … November, so
/// the fleet holds 1,000 in 2023-11 and stays at 1,000 from then on.
#[test]
fn a_rule_stops_purchases_from_its_month() {
    let actor = "[[actors]]\nname = \"CN\"\nstack = \"llama3-2024\"\n\
        [[actors.supply]]\ngpu = \"h800-sxm-80gb\"\nchannel = \"purchase\"\nrate_per_month = 100\n\
        [[actors.supply]]\ngpu = \"h800-sxm-80gb\"\nchannel = \"smuggled\"\nrate_per_month = 10\n";
    let tl = load(&small(
        actor,
        "[policy.timeline]\n\"2023-11\" = \"oct-2023\"\n",
    ));
    let s = output::summarize(&tl, &simulate(&tl));
    let at = |m: usize| s.series[m].gpus_total;
    // Month index 9 = 2023-10, 10 = 2023-11, 11 = 2023-12; the smuggled line adds 10 a month.
    assert_eq!(at(0), 0.0);
    assert_eq!(at(9), 900.0 + 90.0);
    assert_eq!(at(10), 1000.0 + 100.0);
    assert_eq!(
        at(11),
        1000.0 + 110.0,
        "purchases stop in 2023-11; smuggling goes on"
    );
    assert_eq!(at(23), 1000.0 + 230.0);
}

/// One month, one pool of 1,024 H100 (a grid point): the largest run in 30 days is the
/// model FLOP `estimate` gives for the run, scaled to 30 days.
#[test]
fn a_one_month_one_pool_timeline_equals_estimate() {
    let src = "start = \"2024-01\"\nend = \"2024-01\"\nmodel_error = 1\n\
        [target]\nmodel = \"llama3.1-8b\"\ntrain_tokens = 1e12\nmax_run_days = 30\n\
        [uncertainty]\ntrials = 3\n\
        [[actors]]\nname = \"A\"\nstack = \"llama3-2024\"\n\
        [[actors.supply]]\ngpu = \"h100-sxm-80gb\"\nchannel = \"stockpile\"\ninitial = 1024\n";
    let tl = load(src);
    let s = output::summarize(&tl, &simulate(&tl));
    let h100 = Catalog::builtin().gpu("h100-sxm-80gb").unwrap().clone();
    let q = capacity::question(&tl.target, &tl.variants[0].actors[0].stack, &h100, 1024);
    let e = trainsim::estimate::estimate(&q).unwrap();
    let want = e.model_flops * 30.0 / e.train_days;
    let got = s.series[0].largest_run_flop[1];
    assert!((got / want - 1.0).abs() < 1e-9, "{got} vs {want}");
    assert_eq!(s.series[0].h100_equivalents_p50, 1024.0);
}

/// A target no fleet reaches is an answer with a reason, not an error.
#[test]
fn an_unreachable_target_is_an_answer() {
    let actor = "[[actors]]\nname = \"A\"\nstack = \"llama3-2024\"\n\
        [[actors.supply]]\ngpu = \"h100-sxm-80gb\"\nchannel = \"stockpile\"\ninitial = 1\n";
    let tl = load(&small(actor, ""));
    let o = simulate(&tl);
    assert!(o.trials.iter().all(|t| t.months[0] == NEVER));
    let s = output::summarize(&tl, &o);
    assert_eq!(s.capability[0].target_month_p50, "");
    assert!(
        s.capability[0].reason.contains("not reached"),
        "{}",
        s.capability[0].reason
    );
}

/// Bad input exits 2 naming the file, key and line:column, and writes nothing.
#[test]
fn bad_timelines_exit_2_with_a_location() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("start = \"2023-13\"", "`start`", ":2:9"),
        ("\"2023-10\" = \"oct-2099\"", "policy.timeline", "unknown"),
        ("rate_per_month = 16", "rate_per_month", "negative"),
        ("remove = [\"actors.0.supply.1\"]", "remove", "not a key"),
    ];
    for (i, (what, key, text)) in cases.iter().enumerate() {
        let src = match i {
            0 => small(ACTOR_A, "").replace("start = \"2023-01\"", what),
            1 => small(ACTOR_A, &format!("[policy.timeline]\n{what}\n")),
            2 => small(&ACTOR_A.replace(what, "rate_per_month = -5"), ""),
            _ => small(
                ACTOR_A,
                &format!("[[counterfactuals]]\nname = \"x\"\n{what}\n"),
            ),
        };
        let file = dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&file, src).unwrap();
        let out = dir.path().join("out");
        let r = trainsim()
            .arg("timeline")
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{err}");
        assert!(err.contains(&format!("bad{i}.toml:")), "{err}");
        assert!(err.contains(key) && err.contains(text), "case {i}: {err}");
        assert!(err.contains("hint:"), "{err}");
        assert!(!out.join("t").exists(), "nothing written");
    }
}

/// The same seed gives byte-identical files at 1 and 2 threads.
#[test]
fn output_is_identical_at_1_and_2_threads() {
    let dir = tempfile::tempdir().unwrap();
    let actor = "[[actors]]\nname = \"A\"\nstack = \"llama3-2024\"\n\
        [[actors.supply]]\ngpu = \"h100-sxm-80gb\"\nchannel = \"purchase\"\n\
        rate_per_month = { dist = \"triangular\", min = 4, mode = 10, max = 20 }\n\
        [[actors]]\nname = \"B\"\nyear = 2023\n\
        [[actors.supply]]\ngpu = \"h20\"\nchannel = \"purchase\"\n\
        rate_per_month = { dist = \"pert\", min = 20, mode = 60, max = 90 }\n";
    let src = small(actor, "[[counterfactuals]]\nname = \"half\"\nscale = { \"actors.1.supply.0.rate_per_month\" = 0.5 }\n")
        .replace("trials = 20", "trials = 70")
        .replace("model_error = 1\n", "");
    let file = dir.path().join("t.toml");
    std::fs::write(&file, src).unwrap();
    let mut texts = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("out{threads}"));
        trainsim()
            .args(["--threads", threads, "timeline"])
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let read = |f: &str| std::fs::read(out.join("t").join(f)).unwrap();
        texts.push([
            read("timeline.csv"),
            read("capability.csv"),
            read("lead.csv"),
        ]);
    }
    assert_eq!(texts[0], texts[1]);
}
