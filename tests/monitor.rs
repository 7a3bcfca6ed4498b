//! `sunshine monitor` follows a published log from outside (checkpoint and tiles only), replays
//! it with the audit's code and compares the operator's API with what it derives. A clean log
//! passes round after round; a fork (another root at a size it saw, or a tree that does not
//! extend the one it saw), a rollback and an API that serves other figures are each reported,
//! with a non-zero exit from the binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use indicatif::ProgressBar;
use sunshine_ledger::publish::export::export;
use sunshine_ledger::publish::monitor::{Monitor, MonitorError, Source};

use common::TestLedger;
use common::app::spawn_app;

async fn exported(ledger: &TestLedger) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    export(ledger.store(), dir.path(), &ProgressBar::hidden())
        .await
        .unwrap();
    dir
}

/// Runs `sunshine monitor --dir DIR --state STATE`: (success, stdout, stderr).
fn monitor_dir(dir: &Path, state: &Path) -> (bool, String, String) {
    let out = std::process::Command::new(common::bin())
        .arg("monitor")
        .arg("--dir")
        .arg(dir)
        .arg("--state")
        .arg(state)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn donations(ledger: &TestLedger, from: u64, n: u64) {
    for i in from..from + n {
        ledger
            .service
            .append(vec![ledger.donation(
                &format!("R-{i:03}"),
                &format!("{}.50", 100 + i),
                "2026-03-01",
            )])
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_clean_log_passes_and_forks_and_rollbacks_are_reported() {
    let a = TestLedger::new().await;
    donations(&a, 0, 3).await;
    let dir_a = exported(&a).await;
    let state = tempfile::tempdir().unwrap();
    let (ok, out, err) = monitor_dir(dir_a.path(), state.path());
    assert!(ok, "{out}{err}");
    assert!(out.contains("OK: 5 entries replayed"), "{out}");
    assert!(out.contains("first round"), "{out}");
    // Nothing new: still fine.
    let (ok, out, err) = monitor_dir(dir_a.path(), state.path());
    assert!(ok && out.contains("unchanged"), "{out}{err}");
    // The log grows: checked against the five entries seen.
    donations(&a, 3, 2).await;
    export(a.store(), dir_a.path(), &ProgressBar::hidden())
        .await
        .unwrap();
    let (ok, out, err) = monitor_dir(dir_a.path(), state.path());
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("OK: 7 entries replayed") && out.contains("consistent with the 5 entries"),
        "{out}"
    );
    let seen = std::fs::read_to_string(state.path().join("checkpoint")).unwrap();

    // Same operator key, another history of the same size: a fork at the size seen.
    let b = TestLedger::new().await;
    b.fill(5, 5).await;
    let dir_b = exported(&b).await;
    let (ok, out, err) = monitor_dir(dir_b.path(), state.path());
    assert!(!ok, "{out}");
    assert!(err.contains("FORK: at size 7"), "{err}");
    assert!(
        err.contains(&seen),
        "the seen checkpoint is the evidence: {err}"
    );
    // A longer tree that does not extend the one seen: a fork too.
    b.service
        .append((5..8).map(|i| b.filler(i)).collect())
        .await
        .unwrap();
    export(b.store(), dir_b.path(), &ProgressBar::hidden())
        .await
        .unwrap();
    let (ok, _, err) = monitor_dir(dir_b.path(), state.path());
    assert!(!ok);
    assert!(err.contains("FORK: at size 7"), "{err}");
    // A shorter tree than the one seen: a rollback.
    let c = TestLedger::new().await;
    let dir_c = exported(&c).await;
    let (ok, _, err) = monitor_dir(dir_c.path(), state.path());
    assert!(!ok);
    assert!(err.contains("ROLLBACK: the log now has 2 entries"), "{err}");
    // None of these moved the monitor's state.
    assert_eq!(
        std::fs::read_to_string(state.path().join("checkpoint")).unwrap(),
        seen
    );
    // A damaged tile is a replay failure, named by its file.
    donations(&a, 5, 1).await;
    export(a.store(), dir_a.path(), &ProgressBar::hidden())
        .await
        .unwrap();
    let bundle = dir_a.path().join("log/tile/entries/000.p/8");
    let mut bytes = std::fs::read(&bundle).unwrap();
    let at = bytes.windows(6).position(|w| w == b"105.50").unwrap();
    bytes[at] = b'9';
    std::fs::write(&bundle, bytes).unwrap();
    let (ok, _, err) = monitor_dir(dir_a.path(), state.path());
    assert!(!ok);
    assert!(
        err.contains("does not replay") && err.contains("entries/000.p/8"),
        "{err}"
    );
}

#[tokio::test]
async fn over_http_the_monitor_mirrors_tiles_and_compares_the_api() {
    let app = spawn_app().await;
    donations(&app.ledger, 0, 2).await;
    app.views_settled().await;
    let state = tempfile::tempdir().unwrap();
    let monitor = Monitor::new(
        Source::Url(app.base.clone()),
        state.path().to_owned(),
        Some(app.base.clone()),
        None,
    );
    let r = monitor.round().await.unwrap();
    assert_eq!((r.size, r.previous), (4, None));
    assert!(r.fetched >= 2, "{r:?}");
    // The orgs list, one organisation, two receipts.
    assert_eq!(r.api_checked, Some(4), "{r:?}");
    assert!(
        state
            .path()
            .join("mirror/log/tile/entries/000.p/4")
            .exists()
    );

    donations(&app.ledger, 2, 1).await;
    app.views_settled().await;
    let r = monitor.round().await.unwrap();
    assert_eq!((r.size, r.previous), (5, Some(4)));
    // Only the new receipt is looked up again.
    assert_eq!(r.api_checked, Some(3), "{r:?}");

    // The operator's API now serves another amount for the newest receipt than the log says.
    donations(&app.ledger, 3, 1).await;
    app.views_settled().await;
    common::tamper(
        &app.ledger.url,
        "UPDATE records SET value = replace(value, '103.50', '993.50') \
         WHERE key LIKE 'donation/%/R-003'",
    )
    .await;
    let e = monitor.round().await.unwrap_err();
    assert!(matches!(e, MonitorError::Api { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("/api/v1/receipts/R-003") && text.contains("993.50"),
        "{text}"
    );
}

#[tokio::test]
async fn over_http_a_rewritten_history_is_a_fork_even_where_full_tiles_were_mirrored() {
    // More than 256 entries, so the mirror keeps a full bundle and a full hash tile of the
    // first history, which the second one replaces at the same paths.
    let a = spawn_app().await;
    a.ledger.fill(300, 100).await;
    let state = tempfile::tempdir().unwrap();
    let monitor = |base: &str| {
        Monitor::new(
            Source::Url(base.to_owned()),
            state.path().to_owned(),
            None,
            None,
        )
    };
    let r = monitor(&a.base).round().await.unwrap();
    assert_eq!(r.size, 302);
    assert!(state.path().join("mirror/log/tile/entries/000").exists());

    let b = spawn_app().await;
    b.ledger.fill(310, 100).await;
    match monitor(&b.base).round().await {
        Err(MonitorError::Fork(f)) => {
            assert_eq!(f.size, 302);
            assert_ne!(f.seen_root, f.now_root);
        }
        other => panic!("expected a fork, got {other:?}"),
    }
}
