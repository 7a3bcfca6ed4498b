//! Disclosure obligations judged on a date (issue 15), end to end: entries appended through the
//! real pipeline, the cached `duties/` rows judged by `sunshine report late --as-of` (the binary)
//! and by `GET /api/v1/obligations` (the real server on loopback). Due dates and days late are
//! computed by hand in the comments; the clock crosses deadlines with no new entry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::app::spawn_app;
use common::{TestLedger, bin, sub_at};
use serde_json::{Value, json};
use sunshine_ledger::ledger::{Author, Kind, SignedSubmission, Timestamp};

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn org_sub(t: &TestLedger, kind: Kind, body: Value, time: &str) -> SignedSubmission {
    sub_at(kind, Author::Org(t.org_id.clone()), &t.org, body, at(time))
}

async fn append(t: &TestLedger, s: SignedSubmission, time: &str) -> u64 {
    t.service.append_at(vec![s], at(time)).await.unwrap();
    t.store().size().await.unwrap() - 1
}

/// A public-fundraising foundation that joined the ledger on 2 January 2025 and ran project P1
/// from 1 January 2025, with no planned end, until it closed it on 15 August 2025. Returns the
/// seqs of its first update, its second update and its close.
async fn closed_project() -> (TestLedger, [u64; 3]) {
    let t = TestLedger::new_at(at("2025-01-02T02:00:00Z")).await;
    let open = org_sub(
        &t,
        Kind::ProjectOpen,
        json!({"id": "P1", "title": "乡村助学", "purpose": "教育", "region": "440100",
               "target": "100000.00", "currency": "CNY", "start": "2025-01-01"}),
        "2025-01-02T03:00:00Z",
    );
    append(&t, open, "2025-01-02T03:00:00Z").await;
    let update = |on: &str| {
        org_sub(
            &t,
            Kind::ProjectUpdate,
            json!({"project": "P1", "as_of": on, "progress": "按计划实施", "document": "cd".repeat(32)}),
            &format!("{on}T02:00:00Z"),
        )
    };
    let u1 = append(&t, update("2025-04-01"), "2025-04-01T02:00:00Z").await;
    let u2 = append(&t, update("2025-07-05"), "2025-07-05T02:00:00Z").await;
    let close = org_sub(
        &t,
        Kind::ProjectClose,
        json!({"project": "P1", "closed_on": "2025-08-15", "summary": "项目完成"}),
        "2025-08-15T02:00:00Z",
    );
    let c = append(&t, close, "2025-08-15T02:00:00Z").await;
    t.service.refresh_views().await.unwrap();
    (t, [u1, u2, c])
}

fn report(t: &TestLedger, args: &[&str]) -> std::process::Output {
    std::process::Command::new(bin())
        .arg("--db")
        .arg(&t.url)
        .args(["report", "late"])
        .args(args)
        .output()
        .unwrap()
}

fn report_ok(t: &TestLedger, args: &[&str]) -> String {
    let out = report(t, args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// CSV lines without the header, as (kind, subject, period, due, status, disclosed, days_late,
/// met_by).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "org",
            "kind",
            "subject",
            "period",
            "due",
            "status",
            "disclosed",
            "days_late",
            "met_by",
            "source"
        ]
    );
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (1..9).map(|i| rec[i].to_owned()).collect()
        })
        .collect()
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

async fn the_clock_judges_a_quiet_ledger_and_a_closed_project_owes_nothing_after_its_close() {
    let (t, [u1, u2, c]) = closed_project().await;
    let org = t.org_id.to_string();
    // Updates: started 1 Jan 2025, ran past 1 Jul (six months), so the first update was due
    // 1 Apr (made 1 Apr: met), the second 1 Jul (made 5 Jul: 4 days late); the third would be
    // due 5 Oct, after the close on 15 Aug, so it is not owed — on no date. The close-out was due
    // 15 Nov 2025 and was the close itself.
    let may31 = report_ok(&t, &["--as-of", "2026-05-31", "--format", "csv"]);
    assert_eq!(
        csv_rows(&may31),
        vec![row(&[
            "project_updates",
            "P1",
            "2",
            "2025-07-01",
            "late",
            "2025-07-05",
            "4",
            &u2.to_string()
        ])]
    );
    // The same ledger, no new entry, one day later: the 2025 annual report and its audit (due
    // 31 May 2026) and the 2026 related-party list (due 31 May 2026) are now missing, 1 day.
    let june1 = report_ok(&t, &["--as-of", "2026-06-01", "--format", "csv"]);
    let rows = csv_rows(&june1);
    assert_eq!(rows.len(), 4, "{june1}");
    for (kind, subject) in [
        ("related_party_list", "2026"),
        ("annual_report", "2025"),
        ("audited_financial_report", "2025"),
    ] {
        assert!(
            rows.contains(&row(&[
                kind,
                subject,
                "",
                "2026-05-31",
                "missing",
                "",
                "1",
                ""
            ])),
            "{kind}: {june1}"
        );
    }
    // On 31 May they were due, not late.
    let due = report_ok(
        &t,
        &[
            "--as-of",
            "2026-05-31",
            "--status",
            "due",
            "--format",
            "csv",
        ],
    );
    assert_eq!(csv_rows(&due).len(), 3, "{due}");
    assert!(csv_rows(&due).iter().all(|r| r[4] == "due" && r[6] == "0"));
    // What was met, and by which entries.
    let met = report_ok(
        &t,
        &[
            "--as-of",
            "2026-06-01",
            "--status",
            "met",
            "--org",
            &org,
            "--format",
            "csv",
        ],
    );
    assert_eq!(
        csv_rows(&met),
        vec![
            row(&[
                "project_updates",
                "P1",
                "1",
                "2025-04-01",
                "met",
                "2025-04-01",
                "0",
                &u1.to_string()
            ]),
            row(&[
                "project_close",
                "P1",
                "",
                "2025-11-15",
                "met",
                "2025-08-15",
                "0",
                &c.to_string()
            ]),
        ]
    );
    // The table and JSON Lines say the same.
    let table = report_ok(&t, &["--as-of", "2026-06-01"]);
    assert!(
        table.contains("annual_report")
            && table.contains("due 2026-05-31")
            && table.contains("missing"),
        "{table}"
    );
    let lines = report_ok(&t, &["--as-of", "2026-06-01", "--json"]);
    let first: Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(first["org"], org);
    assert!(first["status"] == "late" || first["status"] == "missing");

    // Bad options are refused with the reason, and print nothing.
    for (args, why) in [
        (vec!["--as-of", "2026-02-30"], "2026-02-30"),
        (vec!["--status", "overdue"], "overdue"),
    ] {
        let out = report(&t, &args);
        assert!(!out.status.success());
        assert!(out.stdout.is_empty());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(why),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

async fn the_api_judges_on_the_day_asked_and_names_bad_parameters() {
    let app = spawn_app().await;
    let t = &app.ledger;
    let org = t.org_id.to_string();
    app.views_settled().await;
    // Joined today: its first annual report (for this year) is due 31 May next year.
    let year: i32 = Timestamp::now().china_date().year();
    let due = format!("{}-05-31", year + 1);
    let after = format!("{}-06-01", year + 1);
    let get = |q: String| {
        let app = &app;
        async move { app.get_json(&format!("/api/v1/obligations?{q}")).await }
    };
    let (status, body) = get(format!("org={org}&status=due&as_of={due}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["as_of"], due);
    let annual: Vec<&Value> = body["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["obligation"]["kind"] == "annual_report")
        .collect();
    assert_eq!(annual.len(), 1, "{body}");
    assert_eq!(annual[0]["obligation"]["year"], year);
    assert_eq!(annual[0]["due"], due);
    assert_eq!(annual[0]["days_late"], 0);
    let (_, body) = get(format!("org={org}&status=missing&as_of={after}")).await;
    let annual: Vec<&Value> = body["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["obligation"]["kind"] == "annual_report")
        .collect();
    assert_eq!(annual[0]["status"], "missing");
    assert_eq!(annual[0]["days_late"], 1);
    // Today (the default): nothing of it is due before next year's 31 May, so nothing is
    // missing yet.
    let (status, body) = get(format!("org={org}&status=missing")).await;
    assert_eq!(status, 200);
    assert_eq!(body["obligations"], json!([]), "{body}");

    for (q, field) in [
        ("as_of=2026-13-01", "as_of"),
        ("status=overdue", "status"),
        ("org=not-a-code", "org"),
    ] {
        let (status, body) = get(q.to_owned()).await;
        assert_eq!(status, 400, "{q}: {body}");
        assert_eq!(body["error"]["field"], field, "{q}: {body}");
    }
    let stranger = sunshine_ledger::ledger::Uscc::with_check("53100000500029999").unwrap();
    let (status, body) = get(format!("org={stranger}")).await;
    assert_eq!(status, 404, "{body}");

    // The OpenAPI document describes it.
    let (_, doc) = app.get_json("/api/v1/openapi.json").await;
    let op = &doc["paths"]["/api/v1/obligations"]["get"];
    let params: Vec<&str> = op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(params, ["org", "status", "as_of"], "{op}");
}

async fn the_site_shows_what_is_missing_on_its_build_date() {
    use indicatif::ProgressBar;
    use sunshine_ledger::site::build::build_on;
    use time::macros::date;
    let (t, [_, u2, _]) = closed_project().await;
    let org = t.org_id.to_string();
    let dir = tempfile::tempdir().unwrap();
    let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap();
    build_on(
        t.store(),
        dir.path(),
        &ProgressBar::hidden(),
        date!(2026 - 05 - 31),
    )
    .await
    .unwrap();
    let before = read("en/obligations.html");
    assert!(
        before.contains("2026-05-31"),
        "the date judged on is printed"
    );
    // The late update shows, with its days late and the entry that made it.
    assert!(before.contains("data-status=\"late\""), "{before}");
    assert!(before.contains(&format!("?seq={u2}")), "{before}");
    assert!(!before.contains("data-status=\"missing\""), "{before}");
    let csv_before = read("data/obligations.csv");
    // The same ledger, built a day later (no new entry): the page is rendered again and the
    // annual report, its audit and the related-party list are missing.
    let again = build_on(
        t.store(),
        dir.path(),
        &ProgressBar::hidden(),
        date!(2026 - 06 - 01),
    )
    .await
    .unwrap();
    assert!(
        again
            .written_paths
            .iter()
            .any(|p| p == "en/obligations.html"),
        "{:?}",
        again.written_paths
    );
    let after = read("en/obligations.html");
    assert_eq!(
        after.matches("data-status=\"missing\"").count(),
        3,
        "{after}"
    );
    let zh = read("obligations.html");
    assert!(zh.contains("逾期未公开"), "{zh}");
    let org_page = read(&format!("en/orgs/{org}.html"));
    assert!(
        org_page.contains("Disclosure obligations") && org_page.contains("data-status=\"missing\""),
        "{org_page}"
    );
    // The download lists every obligation with the date judged on.
    let csv_after = read("data/obligations.csv");
    assert_ne!(csv_before, csv_after);
    // Every cell is quoted (src/site/spreadsheet.rs); none of these holds a quote.
    assert!(
        csv_after.replace('"', "").contains(",missing,,1,,"),
        "{csv_after}"
    );
    assert!(csv_after.contains("2026-06-01"), "{csv_after}");
    // Built again on the same day: nothing new, nothing written.
    let same = build_on(
        t.store(),
        dir.path(),
        &ProgressBar::hidden(),
        date!(2026 - 06 - 01),
    )
    .await
    .unwrap();
    assert_eq!(same.written, 0);
}

on_both_backends!(
    the_clock_judges_a_quiet_ledger_and_a_closed_project_owes_nothing_after_its_close,
    the_api_judges_on_the_day_asked_and_names_bad_parameters,
    the_site_shows_what_is_missing_on_its_build_date,
);

/// A reader that stops reading (`sunshine report late | head`) closes the pipe before the report
/// is written: the command ends as it would have, with no panic on standard error.
#[tokio::test]
async fn a_report_piped_into_a_reader_that_stops_early_ends_quietly() {
    let (t, _) = closed_project().await;
    // There is a report to write (an empty one would never meet the closed pipe).
    assert!(!report_ok(&t, &["--as-of", "2026-12-31"]).is_empty());
    let mut child = std::process::Command::new(bin())
        .arg("--db")
        .arg(&t.url)
        .args(["report", "late", "--as-of", "2026-12-31"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The read end closes before the report is written.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
