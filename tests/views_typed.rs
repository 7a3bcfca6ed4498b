//! Typed view rows over the real server: each money endpoint's 200 answer is a named schema in
//! the OpenAPI document, the answers served validate against those schemas, their figures are
//! the ones computed by hand below, and every stored row of a typed family reads back as its
//! type to the very bytes stored (so existing ledgers still audit clean).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::app::spawn_app;
use common::sub;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sunshine_ledger::ledger::jcs::canonical;
use sunshine_ledger::ledger::{Author, Kind, Timestamp};
use sunshine_ledger::money::Ident;
use sunshine_ledger::money::views::keys;
use sunshine_ledger::money::views::rows::{
    self, AnnualReportEventRow, BalanceRow, ComplianceRow, DonationRow, GoodsRow, GrantRow,
    HopRecord, LotteryEventRow, OrgRow, OrgTotalRow, ProjectEventRow, ProjectRow, TraceRow,
    TrustEventRow, TrustRow,
};
use sunshine_ledger::store::Store;

/// The schema `s` points at, following a `$ref` into the document's components.
fn resolve<'a>(doc: &'a Value, s: &'a Value) -> &'a Value {
    match s["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
        None => s,
    }
}

/// Why `v` does not conform to schema `s` (empty when it does): types, required members,
/// members the schema does not name (unless part of it is a free-form object), patterns.
fn violations(doc: &Value, s: &Value, v: &Value, at: &str) -> Vec<String> {
    let s = resolve(doc, s);
    if let Some(any) = s["oneOf"].as_array() {
        return if any.iter().any(|b| violations(doc, b, v, at).is_empty()) {
            vec![]
        } else {
            vec![format!("{at}: {v} matches no branch of {s}")]
        };
    }
    let parts: Vec<&Value> = match s["allOf"].as_array() {
        Some(all) => all.iter().map(|p| resolve(doc, p)).collect(),
        None => vec![s],
    };
    let mut out = vec![];
    let types: Vec<&str> = parts
        .iter()
        .flat_map(|p| match &p["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        })
        .collect();
    let is = match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_u64() || n.is_i64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let fits =
        types.is_empty() || types.contains(&is) || (is == "integer" && types.contains(&"number"));
    if !fits {
        out.push(format!("{at}: {is} where the schema says {types:?}"));
        return out;
    }
    if let (Value::String(text), Some(p)) = (v, parts.iter().find_map(|p| p["pattern"].as_str())) {
        // The patterns the money answers use: two-decimal money, and hashes in the proof.
        let fits = match p {
            r"^-?[0-9]+\.[0-9]{2}$" => {
                let (int, frac) = text
                    .trim_start_matches('-')
                    .split_once('.')
                    .unwrap_or(("", ""));
                !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit()) && frac.len() == 2
            }
            "^[0-9a-f]{64}$" => {
                text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            }
            other => panic!("{at}: a pattern this test does not know: {other}"),
        };
        if !fits {
            out.push(format!("{at}: {text} does not match {p}"));
        }
    }
    if let Value::Array(items) = v {
        for p in &parts {
            if p["items"].is_object() {
                for (i, item) in items.iter().enumerate() {
                    out.extend(violations(doc, &p["items"], item, &format!("{at}[{i}]")));
                }
            }
        }
    }
    if let Value::Object(members) = v {
        let named: Vec<(&String, &Value)> = parts
            .iter()
            .filter_map(|p| p["properties"].as_object())
            .flatten()
            .collect();
        let free = parts.iter().any(|p| {
            p["properties"].is_null()
                && (p["type"] == "object"
                    || p["type"]
                        .as_array()
                        .is_some_and(|t| t.contains(&"object".into()))
                    || p["additionalProperties"].is_object())
        });
        for p in &parts {
            for r in p["required"].as_array().into_iter().flatten() {
                if !members.contains_key(r.as_str().unwrap()) {
                    out.push(format!("{at}: required {r} is missing"));
                }
            }
            if let Some(extra) = p["additionalProperties"].as_object() {
                for (k, m) in members {
                    let extra = Value::Object(extra.clone());
                    out.extend(violations(doc, &extra, m, &format!("{at}.{k}")));
                }
            }
        }
        for (k, m) in members {
            match named.iter().find(|(n, _)| *n == k) {
                Some((_, ps)) => out.extend(violations(doc, ps, m, &format!("{at}.{k}"))),
                None if free => {}
                None => out.push(format!("{at}: {k} is not in the schema")),
            }
        }
    }
    out
}

/// Reads every stored row of a typed family as its type and writes it back: the bytes must be
/// the stored ones. How many rows of each family (by key prefix) were read.
async fn round_trip_all(store: &Store) -> BTreeMap<&'static str, usize> {
    let mut seen = BTreeMap::new();
    for (k, v) in store.views_with_prefix("").await.unwrap() {
        let Some(t) = rows::typed_family(&k) else {
            continue;
        };
        assert_eq!(t.again(&k, &v).unwrap(), v, "{k}");
        *seen.entry(t.family.prefix()).or_default() += 1;
    }
    seen
}

/// Composes the trace of every live donation in `store`, as the API and the site serve it, and
/// reads it back as its type to the very bytes served. How many were composed.
async fn round_trip_traces(store: &Store) -> usize {
    let mut n = 0;
    for (k, _) in store
        .views_with_prefix(keys::DONATION.prefix())
        .await
        .unwrap()
    {
        let mut parts = keys::DONATION.parts(&k).unwrap();
        let org = parts.next().unwrap().parse().unwrap();
        let receipt = Ident::check(parts.next().unwrap()).unwrap();
        let Some(trace) = store.trace(&org, &receipt).await.unwrap() else {
            continue;
        };
        let key = keys::TRACE.key(&[&org, &receipt]);
        let served = String::from_utf8(canonical(&trace).unwrap()).unwrap();
        let t = rows::typed_family(&key).unwrap();
        assert_eq!(t.again(&key, &served).unwrap(), served, "{key}");
        assert_eq!(
            rows::read::<TraceRow>(&key, &served).unwrap(),
            trace,
            "{key}"
        );
        n += 1;
    }
    n
}

/// Each typed family's row type is the one its documentation names: a row of one family does
/// not read as another's (so the table in `rows::TYPED` cannot pair a family with a type that
/// happens to accept anything).
fn reads_as<T: Serialize + DeserializeOwned>(key: &str, text: &str) -> bool {
    rows::read::<T>(key, text)
        .map(|t| String::from_utf8(canonical(&t).unwrap()).unwrap() == text)
        .unwrap_or(false)
}

/// The demo ledger has every kind (trusts, lottery grants, voided and amended donations): each
/// of its typed rows reads back to its stored bytes.
#[tokio::test]
async fn every_typed_row_of_a_demo_ledger_reads_back_to_its_stored_bytes() {
    let dir = tempfile::tempdir().unwrap();
    common::run_in(dir.path(), &["demo", "--seed", "1", "--scale", "150"]);
    let url = sunshine_ledger::store::database_url(dir.path().join("ledger.db").to_str().unwrap());
    let store = Store::open(&url, false).await.unwrap();
    let mut seen = round_trip_all(&store).await;
    // Traces are never stored: composed from each donation's row and hops when read.
    assert_eq!(seen.get(keys::TRACE.prefix()), None);
    seen.insert(keys::TRACE.prefix(), round_trip_traces(&store).await);
    for t in rows::TYPED {
        let family = t.family.prefix();
        assert!(
            seen.get(family).is_some_and(|n| *n > 0),
            "{family}: {seen:?}"
        );
    }
    // At least the scale's donations (voided ones keep their rows).
    assert!(seen["donation/"] >= 150, "{seen:?}");
    // The table pairs each family with its own type: spot checks against the named types.
    let all = store.views_with_prefix("").await.unwrap();
    let first = |f: keys::Family| all.iter().find(|(k, _)| f.has(k)).unwrap();
    let (k, v) = first(keys::BALANCE);
    assert!(reads_as::<BalanceRow>(k, v) && !reads_as::<OrgTotalRow>(k, v));
    let (k, v) = first(keys::ORG_TOTAL);
    assert!(reads_as::<OrgTotalRow>(k, v) && !reads_as::<BalanceRow>(k, v));
    let (k, v) = first(keys::PROJECT);
    assert!(reads_as::<ProjectRow>(k, v) && !reads_as::<GrantRow>(k, v));
    let (k, v) = first(keys::LOTTERY_GRANT);
    assert!(reads_as::<GrantRow>(k, v) && !reads_as::<ProjectRow>(k, v));
    let (k, v) = first(keys::ORG);
    assert!(reads_as::<OrgRow>(k, v) && !reads_as::<TrustRow>(k, v));
    let (k, v) = first(keys::TRUST);
    assert!(reads_as::<TrustRow>(k, v) && !reads_as::<OrgRow>(k, v));
    let (k, v) = first(keys::DONATION);
    assert!(reads_as::<DonationRow>(k, v) && !reads_as::<OrgRow>(k, v));
    let (k, v) = first(keys::COMPLIANCE);
    assert!(reads_as::<ComplianceRow>(k, v) && !reads_as::<GoodsRow>(k, v));
    let (k, v) = first(keys::GOODS);
    assert!(reads_as::<GoodsRow>(k, v) && !reads_as::<ComplianceRow>(k, v));
    let (k, v) = first(keys::HOP);
    assert!(reads_as::<HopRecord>(k, v) && !reads_as::<GoodsRow>(k, v));
    let (k, v) = first(keys::EVENTS_PROJECT);
    assert!(reads_as::<ProjectEventRow>(k, v) && !reads_as::<TrustEventRow>(k, v));
    let (k, v) = first(keys::EVENTS_TRUST);
    assert!(reads_as::<TrustEventRow>(k, v) && !reads_as::<ProjectEventRow>(k, v));
    let (k, v) = first(keys::EVENTS_ANNUAL_REPORT);
    assert!(reads_as::<AnnualReportEventRow>(k, v) && !reads_as::<LotteryEventRow>(k, v));
    let (k, v) = first(keys::EVENTS_LOTTERY);
    assert!(reads_as::<LotteryEventRow>(k, v) && !reads_as::<AnnualReportEventRow>(k, v));
    // Both kinds of hop are in the demo, each read as its own record.
    let hops: Vec<_> = all.iter().filter(|(k, _)| keys::HOP.has(k)).collect();
    let goods = |(k, v): &&(String, String)| {
        matches!(rows::read::<HopRecord>(k, v), Ok(HopRecord::Goods(_)))
    };
    assert!(hops.iter().any(goods) && !hops.iter().all(goods));
}

/// The binary run with `args` on the demo ledger in `dir`: its error text, or `None` when it
/// succeeded.
fn failure(dir: &std::path::Path, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new(common::bin())
        .args(["--db", dir.join("ledger.db").to_str().unwrap()])
        .args(["--keys", dir.join("keys").to_str().unwrap()])
        .args(args)
        .output()
        .unwrap();
    (!out.status.success()).then(|| String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A full `site build` (into a new directory `out`) of the demo ledger in `dir`: its error text,
/// or `None` when it succeeded.
fn site_build_error(dir: &std::path::Path, out: &str) -> Option<String> {
    failure(
        dir,
        &["site", "build", "--out", dir.join(out).to_str().unwrap()],
    )
}

/// A demo ledger (seed 1, scale 100) in a new directory: its database URL and every view row.
async fn demo_rows() -> (tempfile::TempDir, String, Vec<(String, String)>) {
    let dir = tempfile::tempdir().unwrap();
    common::run_in(dir.path(), &["demo", "--seed", "1", "--scale", "100"]);
    let url = sunshine_ledger::store::database_url(dir.path().join("ledger.db").to_str().unwrap());
    let store = Store::open(&url, false).await.unwrap();
    let all = store.views_with_prefix("").await.unwrap();
    drop(store);
    (dir, url, all)
}

/// The site's loader parses each row once, and still stops at a row of a typed family that
/// does not read as its type, naming its key: a donation (a record, read by the units), a
/// project, a compliance row and a goods stock (summary rows).
#[tokio::test]
async fn a_site_build_stops_at_a_typed_row_that_does_not_read_naming_its_key() {
    let (dir, url, all) = demo_rows().await;
    assert_eq!(site_build_error(dir.path(), "before"), None);
    let donation = all.iter().find(|(k, _)| keys::DONATION.has(k)).unwrap();
    let project = all.iter().find(|(k, _)| keys::PROJECT.has(k)).unwrap();
    let compliance = all.iter().find(|(k, _)| keys::COMPLIANCE.has(k)).unwrap();
    let goods = all.iter().find(|(k, _)| keys::GOODS.has(k)).unwrap();
    // Still JSON, no longer the type: a status that is neither live nor voided, a balance that
    // is not a two-decimal figure.
    let cases = [
        (
            "records",
            donation,
            r#""status":"live""#,
            r#""status":"kept""#,
        ),
        (
            "views",
            project,
            r#""balances":{"#,
            r#""balances":{"CNY":"1.5"},"was":{"#,
        ),
        // A ledger figure of the side-by-side years that is not a two-decimal figure, and a
        // stock's field under another name.
        (
            "views",
            compliance,
            r#""revenue":""#,
            r#""revenue":"1.5","was":""#,
        ),
        ("views", goods, r#""in_stock":"#, r#""in_stok":"#),
    ];
    for (table, (key, text), from, to) in cases {
        let bad = text.replacen(from, to, 1);
        assert_ne!(&bad, text, "{key}");
        let set = |v: &str| {
            let v = v.replace('\'', "''");
            format!("UPDATE {table} SET value = '{v}' WHERE key = '{key}'")
        };
        common::tamper(&url, &set(&bad)).await;
        let err = site_build_error(dir.path(), table).unwrap_or_default();
        assert!(
            err.contains(&format!("view row {key} does not read")),
            "{key}: {err}"
        );
        common::tamper(&url, &set(text)).await;
    }
    assert_eq!(site_build_error(dir.path(), "after"), None);
}

/// `report compliance` reads its rows as their types, as text and as JSON: a compliance row
/// whose fundraising status is a string, and a stock whose quantity in stock is under another
/// name, each stop it naming the key. Read as JSON fields, the first printed "no
/// (无公开募捐资格)" for an organisation that has the status, and the second a "-" in stock.
#[tokio::test]
async fn report_compliance_stops_at_a_row_that_does_not_read_naming_its_key() {
    let (dir, url, all) = demo_rows().await;
    let text = ["report", "compliance"];
    let json = ["report", "compliance", "--json"];
    assert_eq!(failure(dir.path(), &text), None);
    assert_eq!(failure(dir.path(), &json), None);
    let fundraising = r#""public_fundraising":true"#;
    let compliance = all
        .iter()
        .find(|(k, v)| keys::COMPLIANCE.has(k) && v.contains(fundraising))
        .expect("a compliance row of an organisation with the status");
    let goods = all.iter().find(|(k, _)| keys::GOODS.has(k)).unwrap();
    let cases = [
        (compliance, fundraising, r#""public_fundraising":"true""#),
        (goods, r#""in_stock":"#, r#""in_stok":"#),
    ];
    for ((key, text_row), from, to) in cases {
        let bad = text_row.replacen(from, to, 1);
        assert_ne!(&bad, text_row, "{key}");
        let set = |v: &str| {
            let v = v.replace('\'', "''");
            format!("UPDATE views SET value = '{v}' WHERE key = '{key}'")
        };
        common::tamper(&url, &set(&bad)).await;
        for args in [&text[..], &json[..]] {
            let err = failure(dir.path(), args).unwrap_or_default();
            assert!(
                err.contains(&format!("view row {key} does not read")),
                "{args:?} {key}: {err}"
            );
        }
        common::tamper(&url, &set(text_row)).await;
    }
    assert_eq!(failure(dir.path(), &text), None);
}

#[tokio::test]
async fn money_answers_are_named_schemas_served_as_named() {
    let app = spawn_app().await;
    let t = &app.ledger;
    let org = t.org_id.to_string();
    let today = Timestamp::now().to_string()[..10].to_owned();
    let year = &today[..4];
    let as_org = |kind, body: Value| sub(kind, Author::Org(t.org_id.clone()), &t.org, body);
    let ok = |(status, r): (u16, Value)| {
        assert_eq!(status, 200, "{r}");
        r["seq"].as_u64().unwrap()
    };
    let open = ok(app
        .submit(&as_org(
            Kind::ProjectOpen,
            json!({"id": "P1", "title": "山区助学", "purpose": "教育", "region": "530100",
                   "target": "100000.00", "currency": "CNY", "start": today, "end": today}),
        ))
        .await);
    let gift = ok(app
        .submit(&as_org(
            Kind::Donation,
            json!({"receipt_no": "R-1", "received_on": today, "form": "cash", "project": "P1",
                   "amount": "1000.00", "currency": "CNY", "donor_type": "individual",
                   "donor_display": "张*", "receipt": "issued", "commitment": "ab".repeat(32)}),
        ))
        .await);
    ok(app
        .submit(&as_org(
            Kind::Disbursement,
            json!({"project": "P1", "amount": "250.50", "currency": "CNY",
                   "category": "programme", "purpose": "助学金发放", "payee_type": "group",
                   "payee_display": "山区小学学生", "evidence": ["cd".repeat(32)],
                   "paid_on": today}),
        ))
        .await);
    app.views_settled().await;

    let (status, doc) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    let served = [
        ("/api/v1/orgs", "/api/v1/orgs".to_owned(), "OrgsAnswer"),
        (
            "/api/v1/orgs/{org}",
            format!("/api/v1/orgs/{org}"),
            "OrgAnswer",
        ),
        (
            "/api/v1/projects",
            "/api/v1/projects".to_owned(),
            "ProjectsAnswer",
        ),
        (
            "/api/v1/projects/{org}/{id}",
            format!("/api/v1/projects/{org}/P1"),
            "ProjectAnswer",
        ),
        (
            "/api/v1/trusts",
            "/api/v1/trusts".to_owned(),
            "TrustsAnswer",
        ),
        ("/api/v1/trusts/{id}", String::new(), "TrustAnswer"),
        (
            "/api/v1/lottery/grants",
            "/api/v1/lottery/grants".to_owned(),
            "GrantsAnswer",
        ),
        (
            "/api/v1/lottery/grants/{admin}/{grant}",
            String::new(),
            "GrantAnswer",
        ),
        (
            "/api/v1/receipts/{receipt_no}",
            "/api/v1/receipts/R-1".to_owned(),
            "ReceiptAnswer",
        ),
        (
            "/api/v1/compliance/{org}/{year}",
            format!("/api/v1/compliance/{org}/{year}"),
            "ComplianceAnswer",
        ),
        (
            "/api/v1/obligations",
            format!("/api/v1/obligations?as_of={today}"),
            "ObligationsAnswer",
        ),
    ];
    let mut answers = BTreeMap::new();
    for (route, path, schema) in served {
        let declared = &doc["paths"][route]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"];
        assert_eq!(
            declared["$ref"],
            format!("#/components/schemas/{schema}"),
            "{route}"
        );
        let s = &doc["components"]["schemas"][schema];
        assert!(s["properties"]["as_of_size"].is_object(), "{schema}: {s}");
        if path.is_empty() {
            continue;
        }
        let (status, body) = app.get_json(&path).await;
        assert_eq!(status, 200, "{path}: {body}");
        let wrong = violations(&doc, declared, &body, schema);
        assert!(wrong.is_empty(), "{path}: {wrong:#?}\n{body}");
        answers.insert(schema, body);
    }

    // By hand: 1,000.00 given to P1, 250.50 spent from it: 749.50 restricted, nothing else.
    let p = &answers["ProjectAnswer"];
    assert_eq!(p["project"]["org"], org);
    assert_eq!(p["project"]["seq"], open);
    assert_eq!(p["project"]["open"]["id"], "P1");
    assert_eq!(p["project"]["open"]["target"], "100000.00");
    assert_eq!(p["project"]["updates"], json!([]));
    assert_eq!(p["project"]["balances"], json!({"CNY": "749.50"}));
    assert_eq!(
        p["balances"],
        json!([{"key": format!("balance/{org}/project/P1/CNY"), "value": {"balance": "749.50"}}])
    );
    let o = &answers["OrgAnswer"];
    assert_eq!(o["org"]["org"], org);
    assert_eq!(
        o["totals"],
        json!([{"key": format!("org_total/{org}/CNY"),
                "value": {"unrestricted": "0.00", "restricted": "749.50",
                          "lottery_unused": "0.00", "total": "749.50"}}])
    );
    assert_eq!(o["balances"], p["balances"]);
    // The figures are a named schema too, and this year's are the hand-computed ones.
    let schemas = &doc["components"]["schemas"];
    for (answer, field, schema) in [
        ("OrgAnswer", "figures", "OrgYearFigures"),
        ("TrustAnswer", "years", "TrustYear"),
        ("GrantsAnswer", "execution", "LotteryYear"),
        ("OrgAnswer", "compliance", "OrgCompliance"),
        ("ComplianceAnswer", "compliance", "OrgCompliance"),
    ] {
        assert_eq!(
            schemas[answer]["properties"][field]["items"]["$ref"],
            format!("#/components/schemas/{schema}"),
            "{answer}.{field}"
        );
        assert!(schemas[schema]["properties"].is_object(), "{schema}");
    }
    // An entry row's kind is one of the kinds the ledger knows, each named in the document.
    assert_eq!(
        schemas["EntryRow"]["properties"]["kind"]["$ref"],
        "#/components/schemas/Kind"
    );
    let kinds: Vec<&str> = schemas["Kind"]["enum"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for name in [
        "genesis",
        "donation",
        "correction",
        "trust.report",
        "lottery.announce",
    ] {
        assert!(kinds.contains(&name), "{name} in {kinds:?}");
    }
    assert_eq!(kinds.len(), Kind::ALL.len(), "{kinds:?}");
    assert!(
        schemas["EntryRow"]["properties"]["correction"].is_object(),
        "{}",
        schemas["EntryRow"]
    );
    assert!(
        schemas["ReceiptAnswer"]["properties"]["correction"]
            .to_string()
            .contains("#/components/schemas/EntryRow"),
        "{}",
        schemas["ReceiptAnswer"]
    );
    // A trace, and a compliance row's parts down to each difference, are named schemas.
    assert!(
        schemas["ReceiptAnswer"]["properties"]["trace"]
            .to_string()
            .contains("#/components/schemas/Trace"),
        "{}",
        schemas["ReceiptAnswer"]
    );
    for (schema, field) in [
        ("Trace", "spent"),
        ("OrgCompliance", "sides"),
        ("YearSides", "differences"),
        ("Difference", "item"),
        ("RatioFigure", "bases"),
    ] {
        assert!(
            schemas[schema]["properties"][field].is_object(),
            "{schema}.{field}: {}",
            schemas[schema]
        );
    }
    let f = &o["figures"][0];
    assert_eq!(f["year"], year.parse::<i64>().unwrap());
    assert_eq!(f["currency"], "CNY");
    assert_eq!(f["income"], "1000.00");
    assert_eq!(f["donation_income"], "1000.00");
    assert_eq!(f["charitable_spending"], "250.50");
    assert_eq!(f["total_spending"], "250.50");
    assert_eq!(f["net_assets_year_end"], "749.50");
    // The year's ratio figures, read typed by both endpoints: the year is not over, so shown
    // and not judged, beside the ledger's own figures of it (no audited side).
    let c = &answers["ComplianceAnswer"]["compliance"];
    assert_eq!(c.as_array().map(Vec::len), Some(1), "{c}");
    assert_eq!(o["compliance"], *c);
    assert_eq!(c[0]["year"], f["year"]);
    let figures = c[0]["figures"].as_array().unwrap();
    assert!(!figures.is_empty());
    assert!(figures.iter().all(|x| x["status"] == "in_progress"), "{c}");
    let this = c[0]["sides"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == f["year"])
        .unwrap();
    assert_eq!(this["used"], "ledger");
    assert_eq!(this["ledger"]["revenue"], "1000.00");
    assert_eq!(this["ledger"]["charitable_spending"], "250.50");
    assert_eq!(this["differences"], json!([]));
    let r = &answers["ReceiptAnswer"];
    assert_eq!(r["org"], org);
    assert_eq!(r["donation"]["seq"], gift);
    assert_eq!(r["donation"]["org"], org);
    assert_eq!(r["donation"]["amount"], "1000.00");
    assert_eq!(r["donation"]["project"], "P1");
    assert_eq!(r["donation"]["status"], "live");
    assert_eq!(r["trace"]["spent_total"], "250.50");
    assert_eq!(r["trace"]["unspent_total"], "749.50");
    assert_eq!(r["proof"]["seq"], gift);
    assert_eq!(r["correction"], Value::Null);

    // Every stored row of a typed family reads as its type and writes back the stored bytes:
    // P1's balance, the org total, the project, the organisation, the donation, the year's
    // figures and its ratio figures, the regulator named in genesis, the organisation's
    // duties, the one payment and the donation's hop into it, the project's dated events and
    // the year's totals overall, by purpose and by region.
    let seen = round_trip_all(t.store()).await;
    assert_eq!(
        seen,
        BTreeMap::from([
            ("balance/", 1),
            ("compliance/", 1),
            ("donation/", 1),
            ("duties/", 1),
            ("events/project/", 1),
            ("figures/", 1),
            ("hop/", 1),
            ("org/", 1),
            ("org_total/", 1),
            ("project/", 1),
            ("regulator/", 1),
            ("spend/", 1),
            ("totals/purpose/", 1),
            ("totals/region/", 1),
            ("totals/year/", 1),
        ])
    );
}
