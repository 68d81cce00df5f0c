//! Plan-search speed: the whole plan space of GPT-3 175B on 1,024 A100-80GB at a global
//! batch of 1,536 × 2,048 tokens (the yardstick), and one step-time evaluation.

use divan::Bencher;
use trainsim::catalog::{Catalog, Precision};
use trainsim::estimate::{plan_search, Question};

fn gpt3_question() -> Question {
    let c = Catalog::builtin();
    let model = c.model("gpt3-175b").expect("catalog model").clone();
    let gpu = c.gpu("a100-sxm-80gb").expect("catalog gpu").clone();
    let mut q = Question::new(model, gpu, 1024, 300e9, Precision::Bf16);
    q.global_batch_tokens = 1536.0 * 2048.0;
    q
}

/// The whole space, top 10 kept. Plans per second = plans_considered / time (printed once).
#[divan::bench(sample_count = 20)]
fn gpt3_175b_1024_a100_whole_space(b: Bencher) {
    let q = gpt3_question();
    let n = plan_search(&q, 10).plans_considered;
    eprintln!("plans considered per search: {n}");
    b.counter(divan::counter::ItemsCount::new(n as usize))
        .bench(|| plan_search(divan::black_box(&q), 10));
}

/// One step-time evaluation of a fixed plan.
#[divan::bench]
fn step_time_one_plan(b: Bencher) {
    let q = gpt3_question();
    let model = q.step_model();
    let plan = plan_search(&q, 1).top[0].strategy;
    b.bench(|| model.step_time(divan::black_box(&plan)));
}
