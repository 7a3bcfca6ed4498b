//! `sunshine report trusts` and `sunshine report lottery` (issue 14, parts 4 and 5): the trust
//! and lottery figures the site and the API show, as lines a regulator can read or grep — a
//! trust's years (property at start and end and what moved it, whether the year's report was
//! checked against the ledger), its end with the days to report it against the Trust Law's 15;
//! an administrator's fiscal years (received against the amount announced, granted, used, the
//! execution rate, and each purpose's share and execution). Read from the cached `trust/`,
//! `trust_year/` and `lottery_execution/` rows.

use rust_decimal::Decimal;

use crate::ledger::time::format_date;
use crate::money::books::lottery::funds::RaisedStatus;
use crate::money::types::Money;
use crate::money::views::rows::{self, LotteryExecutionRow, TrustRow, TrustYearRow};

/// A ratio ("0.625") as written, or "-" when there is none.
pub(super) fn ratio(v: Option<Decimal>) -> String {
    v.map_or_else(|| "-".to_owned(), |d| d.to_string())
}

/// A figure that may be absent, or "-".
pub(super) fn figure(m: Option<Money>) -> String {
    m.map_or_else(|| "-".to_owned(), |m| m.to_string())
}

/// A stored row of a typed family read as its type, or an error naming the key.
pub(super) fn typed<T: serde::de::DeserializeOwned>(key: &str, text: &str) -> anyhow::Result<T> {
    rows::read(key, text).map_err(|e| anyhow::anyhow!("{e}; run `sunshine audit`"))
}

/// The lines of trust row `t` and its `trust_year/` rows `years`.
pub fn trust_lines(t: &TrustRow, years: &[TrustYearRow]) -> String {
    let f = &t.filing;
    let cur = f.currency;
    let mut out = format!(
        "trust {} {} trustee {} filed {} property {} {cur}, now {} {cur}\n",
        f.trust_id,
        f.name,
        f.trustee,
        format_date(f.filed_on),
        f.property,
        t.balance,
    );
    for y in years {
        let report = match (y.report_seq, y.report_checked) {
            (Some(seq), true) => format!("report entry {seq}: checked against the ledger"),
            (Some(seq), false) => format!("report entry {seq}: declared only, no statement"),
            (None, _) => "no report".to_owned(),
        };
        out.push_str(&format!(
            "    {} opening {} + contributions {} + income {} - fees {} - disbursed {} - handed over {} = closing {}  {report}\n",
            y.year,
            y.opening_property,
            y.contributions,
            y.income,
            y.fees,
            y.disbursed,
            y.transferred_at_end,
            y.closing_property,
        ));
    }
    if let Some(end) = &t.terminated {
        let verdict = if end.reported_late {
            "LATE (over 15 days, 逾期报告)"
        } else {
            "on time"
        };
        out.push_str(&format!(
            "    terminated {} (entry {}), reported after {} day(s): {verdict}; remaining {} to {}\n",
            format_date(end.body.terminated_on),
            end.seq,
            end.days_to_report,
            end.body.remaining_property,
            end.body.remaining_to.as_ref().map_or("-", |r| r.as_str()),
        ));
    }
    out
}

/// The lines of `lottery_execution/` rows `rows`.
pub fn lottery_lines(rows: &[LotteryExecutionRow]) -> String {
    let mut out = String::new();
    for y in rows {
        let cur = y.currency;
        let raised = match y.raised_status {
            RaisedStatus::Checked => "agrees with the receipts",
            RaisedStatus::Declared => "declared, no receipts recorded: not checked",
            RaisedStatus::NotAnnounced => "not_announced",
        };
        out.push_str(&format!(
            "lottery {} {} {cur}  received {}  announced raised {} ({raised})  granted {}  used {}  execution {}  to welfare institutions {}\n",
            y.administrator,
            y.fiscal_year,
            figure(y.received),
            figure(y.raised_announced),
            y.granted,
            y.used,
            ratio(y.execution_rate),
            y.granted_to_welfare_institutions,
        ));
        for p in &y.by_purpose {
            out.push_str(&format!(
                "    {:<10} grants {}  granted {}  share {}  used {}  execution {}\n",
                p.purpose.as_str(),
                p.grants,
                p.granted,
                ratio(p.share),
                p.used,
                ratio(p.execution_rate),
            ));
        }
    }
    out
}

/// What `report trusts` prints: every trust (or `only`), each with its years; as JSON Lines of
/// `{key, value}` with `json`.
pub async fn trusts(
    store: &crate::store::Store,
    only: Option<&str>,
    json: bool,
) -> anyhow::Result<String> {
    use crate::money::views::keys;
    let mut out = String::new();
    for (key, text) in store.views_with_prefix(keys::TRUST.prefix()).await? {
        let t: TrustRow = typed(&key, &text)?;
        let id = t.filing.trust_id.as_str().to_owned();
        if only.is_some_and(|o| o != id) {
            continue;
        }
        let years = store
            .views_with_prefix(&keys::TRUST_YEAR.under(&[&id]))
            .await?;
        if json {
            let years = years
                .iter()
                .map(|(k, v)| Ok((k, super::report::parse(k, v)?)))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let t = super::report::parse(&key, &text)?;
            for (k, v) in std::iter::once((&key, &t)).chain(years.iter().map(|(k, v)| (*k, v))) {
                out.push_str(&format!("{}\n", serde_json::json!({"key": k, "value": v})));
            }
        } else {
            let years = years
                .iter()
                .map(|(k, v)| typed(k, v))
                .collect::<anyhow::Result<Vec<TrustYearRow>>>()?;
            out.push_str(&trust_lines(&t, &years));
        }
    }
    Ok(out)
}

/// What `report lottery` prints: every administrator's fiscal years (or `only`'s).
pub async fn lottery(
    store: &crate::store::Store,
    only: Option<&crate::ledger::Uscc>,
    json: bool,
) -> anyhow::Result<String> {
    use crate::money::views::keys;
    let prefix = only.map_or(keys::LOTTERY_EXECUTION.prefix().to_owned(), |a| {
        keys::LOTTERY_EXECUTION.under(&[a])
    });
    let mut rows = Vec::new();
    let mut out = String::new();
    for (key, text) in store.views_with_prefix(&prefix).await? {
        if json {
            let v = super::report::parse(&key, &text)?;
            out.push_str(&format!(
                "{}\n",
                serde_json::json!({"key": key, "value": v})
            ));
        } else {
            rows.push(typed::<LotteryExecutionRow>(&key, &text)?);
        }
    }
    if !json {
        out = lottery_lines(&rows);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_trusts_years_add_up_on_their_lines_and_a_late_end_says_so() {
        // 1,000,000.00 + 200,000.00 + 12,345.67 − 6,234.56 − 1,100,000.00 = 106,111.11.
        let org = "91350100M000100Y43";
        let hash = "ab".repeat(32);
        let t: TrustRow = serde_json::from_value(json!({"seq": 3,
            "recorded_at": "2026-01-08T02:00:00Z", "filed_by": "53100000500021676K",
            "filing": {"trust_id": "T-1", "name": "春晖助学慈善信托", "trustee": org,
                "settlors": [], "purpose": "教育", "property": "1000000.00", "currency": "CNY",
                "term_start": "2026-01-08", "filing_no": "F-1", "filing_authority": "民政局",
                "signed_on": "2026-01-05", "filed_on": "2026-01-08"},
            "balance": "0.00", "disbursements": [], "reports": {},
            "terminated": {"seq": 40, "recorded_at": "2026-07-28T02:00:00Z", "trust_id": "T-1",
                "reason": "目的已实现", "terminated_on": "2026-06-30",
                "liquidation_report": hash, "remaining_property": "106111.11",
                "remaining_to": "某慈善会", "reported_on": "2026-07-28",
                "days_to_report": 28, "reported_late": true}}))
        .unwrap();
        let years = [
            serde_json::from_value(json!({"trust_id": "T-1", "year": 2026,
            "opening_property": "1000000.00",
            "contributions": "200000.00", "income": "12345.67", "fees": "6234.56",
            "disbursed": "1100000.00", "transferred_at_end": "106111.11",
            "closing_property": "0.00", "report_seq": 33, "report_checked": true}))
            .unwrap(),
        ];
        let out = trust_lines(&t, &years);
        assert!(out.contains("opening 1000000.00 + contributions 200000.00 + income 12345.67 - fees 6234.56 - disbursed 1100000.00 - handed over 106111.11 = closing 0.00"), "{out}");
        assert!(
            out.contains("report entry 33: checked against the ledger"),
            "{out}"
        );
        assert!(out.contains("reported after 28 day(s): LATE"), "{out}");
        assert!(
            out.contains("trust T-1 春晖助学慈善信托 trustee 91350100M000100Y43 filed 2026-01-08 property 1000000.00 CNY, now 0.00 CNY"),
            "{out}"
        );
        assert!(
            out.contains("terminated 2026-06-30 (entry 40)")
                && out.contains("remaining 106111.11 to 某慈善会"),
            "{out}"
        );
    }

    #[test]
    fn a_lottery_year_shows_its_execution_by_purpose() {
        // 62,500.00 used of 100,000.00 granted: 0.625.
        let rows = [serde_json::from_value(
            json!({"administrator": "53100000500021676K", "fiscal_year": 2026, "currency": "CNY",
            "received": "120000.00", "raised_announced": "120000.00", "raised_status": "checked",
            "granted": "100000.00", "used": "62500.00", "execution_rate": "0.625",
            "granted_to_welfare_institutions": "0.00", "executed_announced": false,
            "by_purpose": [{"purpose": "养老服务", "grants": 2, "granted": "60000.00",
                "share": "0.6", "used": "45000.00", "execution_rate": "0.75"}]}),
        )
        .unwrap()];
        let out = lottery_lines(&rows);
        assert!(
            out.contains("execution 0.625") && out.contains("agrees with the receipts"),
            "{out}"
        );
        assert!(
            out.contains("养老服务") && out.contains("share 0.6") && out.contains("execution 0.75"),
            "{out}"
        );
    }
}
