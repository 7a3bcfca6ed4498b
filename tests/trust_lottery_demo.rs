//! Issue 14's trusts and lottery funds through the whole tool: `sunshine demo` writes every new
//! kind (a trust's income, contribution, fees, checked yearly statement and termination; the
//! lottery fund received, an announcement with its execution, a grant to a welfare home that is
//! not a charity), `sunshine audit` re-derives the figures, and the site's trust and lottery
//! pages show them in both languages with their failing cases: a termination reported after
//! the 15 days, an announcement whose amount raised has no receipts to be checked against.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use rust_decimal::Decimal;
use serde_json::Value;
use sunshine_ledger::site::format::money;
use sunshine_ledger::store::{Store, database_url};

fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap().parse().unwrap()
}

/// A view ratio as the pages print it: percent, one decimal.
fn percent(v: &Value) -> String {
    format!("{:.1}%", (dec(v) * Decimal::from(100)).round_dp(1))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_trusts_and_lottery_funds_are_audited_and_shown_with_their_failing_cases() {
    let (dir, site) = common::demo_site(150, "2026-11-01");
    common::run_in(dir.path(), &["audit"]);
    let url = database_url(dir.path().join("ledger.db").to_str().unwrap());
    let store = Store::open(&url, false).await.unwrap();
    let views = |prefix: &'static str| {
        let store = &store;
        async move {
            store
                .views_with_prefix(prefix)
                .await
                .unwrap()
                .into_iter()
                .map(|(k, v)| (k, serde_json::from_str::<Value>(&v).unwrap()))
                .collect::<Vec<_>>()
        }
    };
    let page =
        |p: &str| std::fs::read_to_string(site.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));

    // The trust that ended, late; the trust whose 2025 statement the ledger checked.
    let trusts = views("trust/").await;
    let ended = &trusts
        .iter()
        .find(|(_, t)| t.get("terminated").is_some())
        .expect("the demo ends a trust")
        .1;
    let end = &ended["terminated"];
    assert_eq!(end["days_to_report"], 28);
    assert_eq!(end["reported_late"], true);
    assert_eq!(dec(&ended["balance"]), Decimal::ZERO);
    let years = views("trust_year/").await;
    let checked: Vec<_> = years
        .iter()
        .filter(|(_, y)| y["report_checked"] == true)
        .collect();
    assert!(
        !checked.is_empty(),
        "a statement checked against the ledger"
    );
    let declared = years
        .iter()
        .find(|(_, y)| y["report_seq"].is_u64() && y["report_checked"] == false)
        .expect("a 2024 report declared only");
    // Each year's figures add up: opening + in − out = closing.
    for (k, y) in &years {
        let sum = dec(&y["opening_property"]) + dec(&y["contributions"]) + dec(&y["income"])
            - dec(&y["fees"])
            - dec(&y["disbursed"])
            - dec(&y["transferred_at_end"]);
        assert_eq!(sum, dec(&y["closing_property"]), "{k}");
    }

    // The lottery: 2025 received and checked with its execution, 2024 declared only.
    let exec = views("lottery_execution/").await;
    let year = |y: i64| {
        &exec
            .iter()
            .find(|(_, e)| e["fiscal_year"] == y)
            .unwrap_or_else(|| panic!("lottery_execution for {y}"))
            .1
    };
    let (y2025, y2024) = (year(2025), year(2024));
    assert_eq!(
        (
            y2025["raised_status"].as_str(),
            y2025["executed_announced"].as_bool()
        ),
        (Some("checked"), Some(true))
    );
    assert_eq!(dec(&y2025["received"]), dec(&y2025["raised_announced"]));
    assert_eq!(
        dec(&y2025["granted_to_welfare_institutions"]),
        Decimal::from(300_000)
    );
    assert_eq!(y2024["raised_status"], "declared");
    let shares: Decimal = y2025["by_purpose"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| dec(&p["granted"]))
        .sum();
    assert_eq!(shares, dec(&y2025["granted"]));
    let admin = y2025["administrator"].as_str().unwrap();

    // The same figures through the CLI: `report trusts` and `report lottery`.
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(common::bin())
            .arg("--db")
            .arg(dir.path().join("ledger.db"))
            .args(args)
            .output()
            .unwrap();
        common::succeeded(&format!("{args:?}"), out)
    };
    let out = cli(&["report", "trusts"]);
    assert!(
        out.contains("reported after 28 day(s): LATE (over 15 days, 逾期报告)"),
        "{out}"
    );
    assert!(
        out.contains(": checked against the ledger")
            && out.contains(": declared only, no statement"),
        "{out}"
    );
    // The end's report as a disclosure obligation (the Trust Law's 15 days from the cause): 30
    // June 2026 + 15 days = 15 July; reported on 28 July, 13 days late, met by the
    // `trust.terminate` entry.
    let trust_id = ended["filing"]["trust_id"].as_str().unwrap();
    let out = cli(&["report", "late", "--json", "--as-of", "2026-11-01"]);
    let ends: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|o| o["obligation"]["kind"] == "trust_termination")
        .collect();
    assert_eq!(ends.len(), 1, "{out}");
    let e = &ends[0];
    assert_eq!(
        (
            e["obligation"]["trust"].as_str(),
            e["obligation"]["terminated_on"].as_str(),
            e["due"].as_str(),
            e["status"].as_str(),
            e["days_late"].as_i64(),
            &e["met_by"]
        ),
        (
            Some(trust_id),
            Some("2026-06-30"),
            Some("2026-07-15"),
            Some("late"),
            Some(13),
            &end["seq"]
        ),
        "{e}"
    );
    let out = cli(&["report", "late", "--as-of", "2026-11-01"]);
    assert!(
        out.lines().any(|l| l.contains("trust_termination")
            && l.contains(trust_id)
            && l.contains("due 2026-07-15")
            && l.ends_with("13 day(s) late")),
        "{out}"
    );
    let out = cli(&["report", "lottery", "--administrator", admin]);
    let line = |y: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("lottery {admin} {y} CNY")))
            .unwrap_or_else(|| panic!("no {y} line: {out}"))
    };
    assert!(
        line("2025").contains("(agrees with the receipts)")
            && line("2025").ends_with("to welfare institutions 300000.00"),
        "{out}"
    );
    assert!(
        line("2024").contains("(declared, no receipts recorded: not checked)"),
        "{out}"
    );

    for (lang, zh) in [("", true), ("en/", false)] {
        let t = page(&format!(
            "{lang}trusts/{}.html",
            ended["filing"]["trust_id"].as_str().unwrap()
        ));
        let pick = |a: &'static str, b: &'static str| if zh { a } else { b };
        assert!(
            t.contains(pick("逐年信托财产", "Trust property year by year")),
            "{lang}"
        );
        assert!(
            t.contains(pick("✗ 超过终止事由发生后十五日", "✗ over the 15 days")),
            "{lang}"
        );
        assert!(
            t.contains(&money(dec(&end["remaining_property"]), "CNY")),
            "{lang}"
        );
        let (k, d) = declared;
        let id = k.split('/').nth(1).unwrap();
        let t = page(&format!("{lang}trusts/{id}.html"));
        assert!(
            t.contains(pick("仅申报，未附财务报表", "declared only, no statement")),
            "{lang}"
        );
        assert!(
            t.contains(&money(dec(&d["closing_property"]), "CNY")),
            "{lang}"
        );
        let c = &checked[0].1;
        let t = page(&format!(
            "{lang}trusts/{}.html",
            c["trust_id"].as_str().unwrap()
        ));
        assert!(
            t.contains(pick("✓ 已与账本核对", "✓ checked against the ledger")),
            "{lang}"
        );

        // The supervision page lists the late end under its own name, linked to the trust.
        let r = page(&format!("{lang}regulator/index.html"));
        let row = r
            .split("<tr")
            .find(|tr| tr.contains(pick("慈善信托终止报告", "Trust termination report")))
            .unwrap_or_else(|| panic!("{lang}: no termination row"));
        assert!(
            row.contains(&format!("{trust_id}.html")) && row.contains("2026-07-15"),
            "{lang}: {row}"
        );

        let l = page(&format!("{lang}lottery/{admin}.html"));
        assert!(l.contains(pick("执行情况", "Execution")), "{lang}");
        assert!(l.contains(&percent(&y2025["execution_rate"])), "{lang}");
        assert!(
            l.contains(pick("✓ 与收入记录一致", "✓ agrees with the receipts")),
            "{lang}"
        );
        assert!(
            l.contains(pick("✗ 未记录收入，无法核对", "✗ no receipts recorded")),
            "{lang}"
        );
        assert!(
            l.contains(pick(
                "广州市儿童福利院",
                "Guangzhou Children's Welfare Home"
            )),
            "the welfare home: {lang}"
        );
    }
}
