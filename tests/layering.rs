//! The core's arrows point one way (issue 12, item 4): each listed module may name only the
//! modules of the layers below it (and itself). Read from the `crate::` paths of every
//! `src/**/*.rs` file outside its `#[cfg(test)]` section and comments, so a new import of a
//! higher layer fails here, naming the file and the path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Core modules and what each may import, lowest layer first. `catalog` is the data every
/// layer reads.
const LAYERS: &[(&str, &[&str])] = &[
    ("plan", &[]),
    ("dist", &[]),
    ("catalog", &["error", "plan"]),
    ("cost", &["catalog"]),
    ("workload", &["plan", "catalog"]),
    ("perf", &["plan", "catalog", "workload", "cost"]),
    ("parallel", &["plan", "catalog", "workload", "perf"]),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level modules a file names through `crate::`, outside tests and comments.
fn imports(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut out = Vec::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or("");
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn core_modules_import_only_lower_layers() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut broken = Vec::new();
    let mut seen = 0;
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let top = top_module(&src, f);
        let Some((_, allowed)) = LAYERS.iter().find(|(m, _)| *m == top) else {
            continue;
        };
        seen += 1;
        for m in imports(&std::fs::read_to_string(f).unwrap()) {
            if m != top && !allowed.contains(&m.as_str()) {
                broken.push(format!("src/{}: crate::{m}", rel.display()));
            }
        }
    }
    assert!(seen >= LAYERS.len(), "only {seen} core files found");
    assert!(
        broken.is_empty(),
        "core modules importing a higher layer (see the layering in src/lib.rs):\n{}",
        broken.join("\n")
    );
}

/// The top-level module a file under `src/` belongs to (`src/x.rs` and `src/x/**` → `x`).
fn top_module(src: &Path, f: &Path) -> String {
    f.strip_prefix(src)
        .unwrap()
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

/// Each top-level module → the other top-level modules it imports (outside tests/comments).
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let top = top_module(&src, f);
        let deps = graph.entry(top.clone()).or_default();
        for m in imports(&std::fs::read_to_string(f).unwrap()) {
            if m != top {
                deps.insert(m);
            }
        }
    }
    graph
}

/// A cycle of `graph`, as the modules along it (first repeated at the end), skipping the
/// edges `skip` allows; `None` when there is none.
fn find_cycle(
    graph: &BTreeMap<String, BTreeSet<String>>,
    skip: &dyn Fn(&str, &str) -> bool,
) -> Option<Vec<String>> {
    // 0: unvisited, 1: on the current path, 2: done.
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        skip: &dyn Fn(&str, &str) -> bool,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        path.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            if skip(n, m) {
                continue;
            }
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = path.iter().position(|p| p == m).unwrap();
                    let mut cycle = path[at..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, graph, skip, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            let mut path = Vec::new();
            if let Some(c) = visit(n, graph, skip, &mut state, &mut path) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn no_import_cycle_among_top_level_modules() {
    let graph = import_graph();
    assert!(graph.len() >= 15, "only {} modules found", graph.len());
    if let Some(c) = find_cycle(&graph, &|_, _| false) {
        panic!("import cycle among top-level modules: {}", c.join(" → "));
    }
}

#[test]
fn the_cycle_finder_names_a_cycle() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut edge = |a: &str, b: &str| {
        g.entry(a.into()).or_default().insert(b.into());
    };
    edge("a", "b");
    edge("b", "c");
    edge("c", "a");
    edge("c", "d");
    let c = find_cycle(&g, &|_, _| false).unwrap();
    assert_eq!(c, ["a", "b", "c", "a"]);
    assert_eq!(find_cycle(&g, &|a, b| (a, b) == ("c", "a")), None);
}

/// `montecarlo` runs sweep points; the scenario files they come from are not its business.
#[test]
fn montecarlo_does_not_import_scenario() {
    let graph = import_graph();
    let mc = &graph["montecarlo"];
    assert!(!mc.contains("scenario"), "montecarlo imports: {mc:?}");
}

/// `montecarlo` draws trials; the scenario's key table is not its business.
#[test]
fn montecarlo_does_not_import_the_scenario_key_table() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/montecarlo");
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            assert!(!line.contains("scenario::keys"), "{}: {line}", f.display());
        }
    }
}

#[test]
fn the_import_reader_sees_paths_and_skips_comments_and_tests() {
    let text = "use crate::plan::Strategy;\n// crate::report\nlet x = crate::perf::f(); // crate::run\n#[cfg(test)]\nuse crate::estimate;\n";
    assert_eq!(imports(text), ["plan", "perf"]);
}

/// The binary's front ends: `commands` (the CLI) starts `serve`, so `serve` must not import
/// `commands`; what both return (`estimate`, `plan`, `classify`) lives in `answer`, below
/// both, which imports neither.
#[test]
fn front_ends_do_not_import_each_other() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut broken = Vec::new();
    for (dir, forbidden) in [
        ("serve", &["commands"][..]),
        ("answer", &["commands", "serve"][..]),
    ] {
        let mut files = Vec::new();
        rust_files(&src.join(dir), &mut files);
        assert!(!files.is_empty(), "src/{dir} has no files");
        for f in &files {
            for m in imports(&std::fs::read_to_string(f).unwrap()) {
                if forbidden.contains(&m.as_str()) {
                    broken.push(format!("{}: crate::{m}", f.display()));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "front ends importing each other:\n{}",
        broken.join("\n")
    );
}
