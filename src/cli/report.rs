//! `sunshine report`: what donors and regulators read, from the cached views (as of the log size
//! they were computed at, which every report states). `sunshine audit` re-derives the same views
//! from the log, so a reader can check that the cache tells the truth.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::Value;

use super::Global;
use crate::ledger::Uscc;
use crate::money::views::keys;
use crate::store::{Store, database_url};

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub what: Report,
    /// Print the view rows as JSON Lines instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum Report {
    /// A donation by receipt number and where its money went (first in, first out).
    Trace {
        /// The receiving organisation's unified social credit code.
        #[arg(long)]
        org: Uscc,
        /// The receipt number.
        receipt: String,
    },
    /// Regulator ratio figures (charitable spending, administrative costs) per organisation-year.
    Compliance {
        #[arg(long)]
        org: Option<Uscc>,
        #[arg(long)]
        year: Option<i32>,
    },
    /// Late or missing disclosures, with their due dates.
    Late,
    /// Fund balances of an organisation (restricted per project, unrestricted), per currency.
    Balances {
        #[arg(long)]
        org: Uscc,
    },
}

fn parse(key: &str, text: &str) -> anyhow::Result<Value> {
    serde_json::from_str(text)
        .with_context(|| format!("cached view {key} is not JSON; run `sunshine audit`"))
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

pub async fn run(g: &Global, args: &ReportArgs) -> anyhow::Result<()> {
    let store = Store::open(&database_url(&g.db), false).await?;
    let Some(size) = store.view_size().await? else {
        bail!(
            "no views are cached yet; they are computed after every `sunshine append`, `import` or `demo`"
        );
    };
    let rows = match &args.what {
        Report::Trace { org, receipt } => {
            let key = keys::TRACE.key(&[org, receipt]);
            let receipt_no = crate::money::Ident::parse(receipt)
                .with_context(|| format!("{receipt} is not a receipt number"))?;
            let trace = store
                .trace(org, &receipt_no)
                .await?
                .with_context(|| format!("no donation with receipt {receipt} at {org}"))?;
            vec![(key, serde_json::to_string(&trace)?)]
        }
        Report::Compliance { org, .. } => {
            let prefix = org
                .as_ref()
                .map_or(keys::COMPLIANCE.prefix().to_owned(), |o| {
                    keys::COMPLIANCE.under(&[o])
                });
            store.views_with_prefix(&prefix).await?
        }
        Report::Late => store.views_with_prefix(keys::LATE.prefix()).await?,
        Report::Balances { org } => {
            store
                .views_with_prefix(&keys::BALANCE.under(&[org]))
                .await?
        }
    };
    eprintln!("as of entry {} (log size {size})", size.saturating_sub(1));
    let mut out = String::new();
    for (key, text) in &rows {
        let v = parse(key, text)?;
        if args.json {
            out.push_str(&format!(
                "{}\n",
                serde_json::json!({"key": key, "value": v})
            ));
            continue;
        }
        match &args.what {
            Report::Trace { .. } => {
                out.push_str(&format!("{}\n", serde_json::to_string_pretty(&v)?))
            }
            Report::Compliance { year, .. } => {
                if year.is_some_and(|y| v["year"].as_i64() != Some(i64::from(y))) {
                    continue;
                }
                for f in v["figures"].as_array().into_iter().flatten() {
                    out.push_str(&format!(
                        "{} {} {}  {:<40} value {:>8}  threshold {:>6}  {}{}\n",
                        s(&v["org"]),
                        s(&v["year"]),
                        s(&v["currency"]),
                        s(&f["id"]),
                        s(&f["value"]),
                        s(&f["threshold"]),
                        s(&f["status"]).to_uppercase(),
                        if f["explained"] == Value::Bool(true) {
                            " (explained)"
                        } else {
                            ""
                        },
                    ));
                }
            }
            Report::Late => {
                let o = &v["obligation"];
                let who = [&o["org"], &o["trust"], &o["administrator"]]
                    .into_iter()
                    .find(|x| !x.is_null())
                    .map(s)
                    .unwrap_or_default();
                out.push_str(&format!(
                    "{:<22} {:<20} due {}  disclosed {:<10}  {} day(s) late\n",
                    s(&o["kind"]),
                    who,
                    s(&v["due"]),
                    s(&v["disclosed"]),
                    s(&v["days_late"]),
                ));
            }
            Report::Balances { .. } => {
                out.push_str(&format!("{key}  {}\n", serde_json::to_string(&v)?))
            }
        }
    }
    print!("{out}");
    Ok(())
}
