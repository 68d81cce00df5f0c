//! The examples each `--help` ends with, two per command as ripgrep's help does. Every line
//! that starts with `  trainsim ` is run by a test (`tests/cli.rs`, `help_examples_run`), so
//! an example cannot go stale.

/// `trainsim --help`.
pub const TRAINSIM: &str = "\
Examples:
  trainsim estimate --model llama3.1-70b --gpu h20 --gpus 2048 --tokens 15e12
  trainsim run --out output

`trainsim <COMMAND> --help` shows each command's options and examples.";

/// `trainsim estimate --help`.
pub const ESTIMATE: &str = "\
Examples:
  trainsim estimate --model llama3.1-70b --gpu h100 --gpus 1024 --tokens 15e12
  trainsim estimate --model deepseek-v3 --gpu h20 --gpus 2048 --tokens 14.8e12 --precision fp8 --rule oct-2023 --format json";

/// `trainsim plan --help`.
pub const PLAN: &str = "\
Examples:
  trainsim plan --model llama3.1-405b --gpu h100 --gpus 16384 --top 5
  trainsim plan --model deepseek-v3 --gpu h800 --gpus 2048 --precision fp8 --tp 1 --format csv";

/// `trainsim validate --help`.
pub const VALIDATE: &str = "\
Examples:
  trainsim validate
  trainsim validate --format csv --chart validation.png";

/// `trainsim classify --help`.
pub const CLASSIFY: &str = "\
Examples:
  trainsim classify --rule oct-2023
  trainsim classify --format csv";

/// `trainsim run --help`.
pub const RUN: &str = "\
Examples:
  trainsim run --trials 200 --out output
  trainsim run scenarios/stockpile-vs-h20.toml --trials 200 --shard 1/2 --out results";

/// `trainsim merge --help`.
pub const MERGE: &str = "\
Examples (after both shards of `trainsim run SCENARIO --shard K/2 --out results`):
  trainsim merge results --out final
  trainsim merge results --out final --no-charts";

/// `trainsim timeline --help`.
pub const TIMELINE: &str = "\
Examples:
  trainsim timeline scenarios/timeline/h20-loophole.toml --trials 100 --out output
  trainsim timeline scenarios/timeline/us-china-2022-2027.toml --trials 100 --no-charts --out output";

/// `trainsim serve --help`.
pub const SERVE: &str = "\
Examples (then open http://127.0.0.1:8080/ in a browser):
  trainsim serve
  trainsim serve --port 9000 --open";

/// `trainsim catalog --help`.
pub const CATALOG: &str = "\
Examples:
  trainsim catalog gpus
  trainsim catalog rules --format json";
