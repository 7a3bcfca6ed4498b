//! `sunshine bench` and `sunshine bench --http` run end to end on small sizes and print each
//! figure beside its raw baseline from the same run. (The figures themselves are measured by
//! running the benchmarks, never by tests; see the README.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

/// Runs `sunshine bench ARGS` in a temporary working directory and returns its stdout.
fn bench(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    bench_in(dir.path(), args)
}

fn bench_in(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(common::bin())
        .args(["bench", "--workdir", dir.to_str().unwrap()])
        .args(args)
        .output()
        .unwrap();
    common::succeeded("bench", out)
}

/// The first number on the line that starts (after indentation) with `label`.
fn figure(stdout: &str, label: &str) -> f64 {
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no {label:?} line in {stdout}"));
    line[label.len() + line.find(label).unwrap()..]
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no figure on {line:?}"))
}

#[test]
fn append_and_audit_bench_prints_figures_beside_raw_baselines() {
    let out = bench(&["--size", "300", "--batch", "100", "--runs", "1"]);
    assert!(out.starts_with("sunshine bench: 300 entries"), "{out}");
    for label in ["raw Ed25519 verify loop", "raw SQLite insert (durable)"] {
        assert!(figure(&out, label) > 0.0, "{label}: {out}");
    }
    assert!(out.contains("x raw insert"), "{out}");
    assert!(out.contains("x raw verify"), "{out}");
}

#[test]
fn http_bench_appends_every_submission_and_prints_raw_baselines() {
    let out = bench(&[
        "--http",
        "--requests",
        "300",
        "--clients",
        "8",
        "--runs",
        "1",
    ]);
    for label in [
        "raw Ed25519 verify loop",
        "raw loopback HTTP",
        "durable appends",
    ] {
        assert!(figure(&out, label) > 0.0, "{label}: {out}");
    }
    assert!(out.contains("x raw HTTP"), "{out}");
    // The same clients against the server with three loopback witnesses, and their lag.
    assert!(figure(&out, "durable appends, 3 witnesses") > 0.0, "{out}");
    assert!(out.contains("x without witnesses"), "{out}");
    let lag = out
        .lines()
        .find(|l| l.trim_start().starts_with("cosigned checkpoint lag"))
        .unwrap_or_else(|| panic!("no lag line in {out}"));
    assert!(lag.contains("p99") && lag.contains("quorum 2"), "{lag}");
    assert!(
        !lag.contains("(0 checkpoints"),
        "nothing was cosigned: {lag}"
    );
    // Genesis and the organisation's registration, then every submission: all appended.
    assert!(out.contains("log size 302"), "{out}");
}

/// The witnesses as `sunshine witness serve` processes: the log's CPU and theirs, apart.
#[test]
fn http_bench_runs_the_witnesses_as_processes_and_measures_them_apart() {
    let out = bench(&[
        "--http",
        "--requests",
        "300",
        "--clients",
        "8",
        "--runs",
        "1",
        "--witness-processes",
        "--witness-interval-ms",
        "50",
    ]);
    assert!(
        figure(&out, "durable appends, 3 witnesses (processes)") > 0.0,
        "{out}"
    );
    assert!(figure(&out, "CPU with witnesses") > 0.0, "{out}");
    assert!(
        out.contains("this process: the log with all its witness work"),
        "{out}"
    );
    // Their CPU is printed apart (a few hundred requests may take less than one 10 ms tick),
    // and they did cosign.
    assert!(figure(&out, "CPU of the witnesses") >= 0.0, "{out}");
    let work = out
        .lines()
        .find(|l| l.trim_start().starts_with("cosigning work"))
        .unwrap_or_else(|| panic!("no work line in {out}"));
    assert!(!work.contains(" 0 cosignatures"), "{work}");
    assert!(out.contains("interval 50 ms"), "{out}");
    assert!(out.contains("log size 302"), "{out}");
}

#[test]
fn scale_bench_runs_every_command_and_reports_its_memory() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--scale", "150", "--requests", "40", "--clients", "4"];
    let out = bench_in(dir.path(), &args);
    assert!(out.starts_with("sunshine bench --scale 150: "), "{out}");
    // Each command ran as its own process and reported its peak memory.
    for label in [
        "raw: ledger database",
        "raw: export (streams)",
        "demo",
        "audit",
        "audit --dir",
        "serve: start to /healthz",
        "site build",
        "site build, one new entry",
        "site on disk apart from log/",
    ] {
        assert!(figure(&out, label) > 0.0, "{label}: {out}");
    }
    let peak = |label: &str| {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap();
        let mib = line.split("peak").nth(1).unwrap();
        mib.split_whitespace()
            .next()
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    assert!(peak("audit ") > 1.0, "{out}");
    // Every HTTP append was answered 200 (the benchmark fails otherwise).
    assert!(out.contains("after 40 HTTP appends"), "{out}");
    // Again on the ledger the first run left, which holds its appends: this run's are new
    // donations too, every one answered 200, not refused as receipt numbers already used.
    let again = bench_in(dir.path(), &[&args[..], &["--reuse"]].concat());
    assert!(
        again.contains("a demo ledger made before, reused"),
        "{again}"
    );
    assert!(again.contains("after 40 HTTP appends"), "{again}");
    let entries = |out: &str| {
        out.split(": ")
            .nth(1)
            .and_then(|t| t.split(' ').next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap()
    };
    // A correction of this run's first HTTP donation, rebuilt from a snapshot below it, and
    // one of the first organisation's first donation, rebuilt from entry 0.
    let near: u64 = again
        .split("  correction (")
        .nth(1)
        .and_then(|t| t.split(" back)").next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no correction row: {again}"));
    assert!(near <= 40, "{again}");
    assert!(again.contains("  raw: correction ("), "{again}");
    // 40 HTTP appends, the two corrections and one more for the site's rebuild.
    assert_eq!(entries(&again), entries(&out) + 43, "{out}\n{again}");
}

#[test]
fn a_benchmark_of_nothing_is_refused_by_name() {
    for flag in [
        "--size",
        "--batch",
        "--runs",
        "--requests",
        "--clients",
        "--processes",
        "--scale",
    ] {
        let out = Command::new(common::bin())
            .args(["bench", flag, "0"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {stderr}");
        assert!(
            stderr.contains(&format!("invalid value '0' for '{flag}")),
            "{flag}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{flag} printed figures");
    }
}
