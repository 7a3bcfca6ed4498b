//! `sunshine report`: what donors and regulators read, from the cached views (as of the log size
//! they were computed at, which every report states). `sunshine audit` re-derives the same views
//! from the log, so a reader can check that the cache tells the truth.

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::Value;

use super::Global;
use super::report_trusts::{ratio, typed};
use crate::ledger::Uscc;
use crate::money::compliance::{self, Figure};
use crate::money::duties::OrgDuties;
use crate::money::obligations::{CSV_COLUMNS, FlatRow, OrgObligation, Query, judge};
use crate::money::timeliness::Status;
use crate::money::views::keys;
use crate::money::views::rows::{BalanceRow, ComplianceRow, GoodsRow, WireName};
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
    /// Regulator ratio figures (charitable spending, administrative costs) per organisation-year,
    /// then the goods in stock per item (issue 14).
    Compliance {
        #[arg(long)]
        org: Option<Uscc>,
        #[arg(long)]
        year: Option<i32>,
    },
    /// Disclosure obligations judged on a date: late and missing ones by default, or every
    /// status with `--status`.
    Late(LateArgs),
    /// Charitable trusts year by year (property at start and end and what moved it, whether the
    /// yearly report was checked against the ledger) and how each ended (issue 14).
    Trusts {
        /// Only this trust.
        #[arg(long)]
        trust: Option<String>,
    },
    /// Welfare-lottery funds by fiscal year: received against announced, granted, used, and the
    /// execution by purpose (issue 14).
    Lottery {
        /// Only this administrator's.
        #[arg(long)]
        administrator: Option<Uscc>,
    },
    /// Fund balances of an organisation (restricted per project, unrestricted), per currency.
    Balances {
        #[arg(long)]
        org: Uscc,
    },
}

/// `sunshine report late`'s options.
#[derive(Args, Debug)]
pub struct LateArgs {
    /// The day to judge on (YYYY-MM-DD); default: today in China (UTC+8).
    #[arg(long, value_parser = super::parse_day)]
    pub as_of: Option<time::Date>,
    /// Only this organisation's obligations.
    #[arg(long)]
    pub org: Option<Uscc>,
    /// Only obligations in this status: met, late, due or missing (default: late and missing).
    #[arg(long)]
    pub status: Option<Status>,
    /// Output: a table, or CSV with a header line.
    #[arg(long, value_enum, default_value_t = LateFormat::Table)]
    pub format: LateFormat,
}

/// How `report late` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LateFormat {
    Table,
    Csv,
}

/// The obligations `args` asks for, judged over the cached `duties/` rows.
fn obligations(
    rows: &[(String, String)],
    args: &LateArgs,
    as_of: time::Date,
) -> anyhow::Result<Vec<OrgObligation>> {
    let duties = rows
        .iter()
        .map(|(key, text)| {
            serde_json::from_str::<OrgDuties>(text).with_context(|| {
                format!("cached view {key} is not a duties row; run `sunshine audit`")
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let q = Query {
        as_of,
        org: args.org.clone(),
        status: args.status,
    };
    let mut found = judge(&duties, &q);
    if args.status.is_none() {
        found.retain(|o| matches!(o.judged.status, Status::Late | Status::Missing));
    }
    Ok(found)
}

pub(super) fn parse(key: &str, text: &str) -> anyhow::Result<Value> {
    serde_json::from_str(text)
        .with_context(|| format!("cached view {key} is not JSON; run `sunshine audit`"))
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
        Report::Compliance { org, year } => {
            let prefix = org
                .as_ref()
                .map_or(keys::COMPLIANCE.prefix().to_owned(), |o| {
                    keys::COMPLIANCE.under(&[o])
                });
            let goods_prefix = org
                .as_ref()
                .map_or(keys::GOODS.prefix().to_owned(), |o| keys::GOODS.under(&[o]));
            let goods = store.views_with_prefix(&goods_prefix).await?;
            let rows = store.views_with_prefix(&prefix).await?;
            eprintln!("as of entry {} (log size {size})", size.saturating_sub(1));
            return print_stdout(&compliance_report(&rows, &goods, *year, args.json)?);
        }
        Report::Late(late) => {
            let rows = store.views_with_prefix(keys::DUTIES.prefix()).await?;
            let as_of = late
                .as_of
                .unwrap_or_else(|| crate::ledger::Timestamp::now().china_date());
            let found = obligations(&rows, late, as_of)?;
            eprintln!(
                "as of entry {} (log size {size}), judged on {}",
                size.saturating_sub(1),
                crate::ledger::time::format_date(as_of)
            );
            let out = if args.json {
                found
                    .iter()
                    .map(|o| Ok(format!("{}\n", serde_json::to_string(o)?)))
                    .collect::<anyhow::Result<String>>()?
            } else if late.format == LateFormat::Csv {
                let rows = found.iter().map(|o| FlatRow::from(o).cells());
                String::from_utf8_lossy(&crate::site::spreadsheet::write(&CSV_COLUMNS, rows))
                    .into_owned()
            } else {
                found.iter().map(table_line).collect()
            };
            print_stdout(&out)?;
            return Ok(());
        }
        Report::Balances { org } => {
            store
                .views_with_prefix(&keys::BALANCE.under(&[org]))
                .await?
        }
        Report::Trusts { trust } => {
            eprintln!("as of entry {} (log size {size})", size.saturating_sub(1));
            let out = super::report_trusts::trusts(&store, trust.as_deref(), args.json).await?;
            return print_stdout(&out);
        }
        Report::Lottery { administrator } => {
            eprintln!("as of entry {} (log size {size})", size.saturating_sub(1));
            let out =
                super::report_trusts::lottery(&store, administrator.as_ref(), args.json).await?;
            return print_stdout(&out);
        }
    };
    eprintln!("as of entry {} (log size {size})", size.saturating_sub(1));
    let mut out = String::new();
    for (key, text) in &rows {
        let v = parse(key, text)?;
        if args.json {
            out.push_str(&json_line(key, &v));
            continue;
        }
        match &args.what {
            Report::Trace { .. } => {
                out.push_str(&format!("{}\n", serde_json::to_string_pretty(&v)?))
            }
            Report::Compliance { .. }
            | Report::Late(_)
            | Report::Trusts { .. }
            | Report::Lottery { .. } => {}
            Report::Balances { .. } => {
                // Read as its type, so a row the writer no longer writes this way fails here.
                let row: BalanceRow = typed(key, text)?;
                out.push_str(&format!("{key}  {}\n", serde_json::to_string(&row)?))
            }
        }
    }
    print_stdout(&out)?;
    Ok(())
}

/// A stored row as a line of `--json` output: its key and its value as stored.
fn json_line(key: &str, v: &Value) -> String {
    format!("{}\n", serde_json::json!({"key": key, "value": v}))
}

/// `report compliance`: each `compliance/` row's figures (of `year` only, if given) and its
/// sides, then the goods in stock per item (issue 14: not a yearly figure, so `--year` leaves
/// them as they are); with `--json`, every row as stored. Each row reads as its type first,
/// whichever way it is printed, so a row that does not is named instead of printed with blanks.
fn compliance_report(
    rows: &[(String, String)],
    goods: &[(String, String)],
    year: Option<i32>,
    json: bool,
) -> anyhow::Result<String> {
    let mut out = String::new();
    for (key, text) in rows {
        let row: ComplianceRow = typed(key, text)?;
        if json {
            out.push_str(&json_line(key, &parse(key, text)?));
        } else if year.is_none_or(|y| row.year == y) {
            for f in &row.figures {
                out.push_str(&compliance_lines(&row, f));
            }
            out.push_str(&super::report_sides::lines(&row));
        }
    }
    let mut stock = Vec::with_capacity(goods.len());
    for (key, text) in goods {
        stock.push(typed::<GoodsRow>(key, text)?);
        if json {
            out.push_str(&json_line(key, &parse(key, text)?));
        }
    }
    if !json {
        out.push_str(&super::report_goods::lines(&stock));
    }
    Ok(out)
}

/// A verdict as `report compliance` prints it: a year in progress is said in words, never as a
/// failure.
fn verdict(v: compliance::Status) -> String {
    match v {
        compliance::Status::InProgress => "IN PROGRESS (进行中)".to_owned(),
        other => other.wire_name().to_uppercase(),
    }
}

/// One figure of a `compliance/` row: its headline (the verdict and the basis that decided it),
/// then one line per basis with its own label, base, value and verdict.
fn compliance_lines(row: &ComplianceRow, f: &Figure) -> String {
    let mut out = format!(
        "{} {} {}  {:<40} value {:>8}  threshold {:>6}  {}{}{}\n",
        row.org,
        row.year,
        row.currency,
        f.id,
        ratio(f.value),
        ratio(f.threshold),
        verdict(f.status),
        match f.decided_by {
            Some(b) => format!(" (decided by {})", b.wire_name()),
            None => String::new(),
        },
        if f.explained { " (explained)" } else { "" },
    );
    for b in &f.bases {
        out.push_str(&format!(
            "    {:<20} {} / {}  base {}  value {}  {}\n",
            b.basis.wire_name(),
            b.label_zh,
            b.label_en,
            ratio(b.base),
            ratio(b.value),
            verdict(b.status),
        ));
    }
    out
}

fn table_line(o: &OrgObligation) -> String {
    let r = FlatRow::from(o);
    let period = if r.period.is_empty() {
        String::new()
    } else {
        format!(" #{}", r.period)
    };
    let disclosed = if r.disclosed.is_empty() {
        "-".to_owned()
    } else {
        format!("{} (entry {})", r.disclosed, r.met_by)
    };
    format!(
        "{} {:<20} {:<24} due {}  {:<7}  disclosed {:<24}  {} day(s) late\n",
        r.org,
        r.kind,
        format!("{}{period}", r.subject),
        r.due,
        r.status,
        disclosed,
        r.days_late,
    )
}

/// Writes a report to standard output. A reader that stops early (`sunshine report compliance |
/// head`) closes the pipe: that is the reader's choice, not an error, and must not end in a panic
/// (as `print!` does).
fn print_stdout(out: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}
