//! The money read endpoints: organisations, projects, trusts, lottery grants, receipts and
//! compliance figures, served from the cached derived views (the `views` table; key scheme in
//! docs/FORMAT.md §7), never by replaying the log per request.
//!
//! Every answer carries `as_of_size`: the log size the cached views reflect, so a reader knows
//! which entries the figures include. The append service keeps the cache fresh
//! ([`crate::append::views`]).

use axum::extract::State;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::IntoParams;

use super::AppState;
use super::error::{ApiError, AppJson, AppPath, AppQuery, ErrorDetail};
use crate::ledger::Uscc;
use crate::money::types::Ident;
use crate::money::views::keys;

// ---------------------------------------------------------------------------------------------
// Helpers

pub(super) fn uscc(field: &str, s: &str) -> Result<Uscc, ApiError> {
    s.parse::<Uscc>()
        .map_err(|e| ApiError::malformed(field, format!("{field}: {e}")))
}

pub(super) fn ident(field: &str, s: &str) -> Result<Ident, ApiError> {
    Ident::check(s).map_err(|why| ApiError::malformed(field, format!("{field}: {why}")))
}

fn parse(key: &str, text: &str) -> Result<Value, ApiError> {
    serde_json::from_str(text)
        .map_err(|e| ApiError::internal(format!("view {key} is not JSON: {e}")))
}

/// The log size the cached views reflect (0 before the first refresh).
pub(super) async fn as_of(app: &AppState) -> Result<u64, ApiError> {
    Ok(app.reads().view_size().await?.unwrap_or(0))
}

pub(super) async fn one(app: &AppState, key: &str) -> Result<Option<Value>, ApiError> {
    app.reads()
        .view(key)
        .await?
        .map(|text| parse(key, &text))
        .transpose()
}

async fn prefixed(app: &AppState, prefix: &str) -> Result<Vec<(String, Value)>, ApiError> {
    app.reads()
        .views_with_prefix(prefix)
        .await?
        .into_iter()
        .map(|(k, text)| {
            let v = parse(&k, &text)?;
            Ok((k, v))
        })
        .collect()
}

async fn rows(app: &AppState, prefix: &str) -> Result<Vec<Value>, ApiError> {
    Ok(prefixed(app, prefix)
        .await?
        .into_iter()
        .map(|(_, v)| v)
        .collect())
}

/// Rows with their view key, for families whose rows do not name everything the key does
/// (balances: the fund and currency are in the key).
async fn keyed(app: &AppState, prefix: &str) -> Result<Vec<Value>, ApiError> {
    Ok(prefixed(app, prefix)
        .await?
        .into_iter()
        .map(|(key, value)| json!({"key": key, "value": value}))
        .collect())
}

pub(super) fn answer(as_of_size: u64, fields: Value) -> AppJson<Value> {
    let mut out = Map::new();
    out.insert("as_of_size".into(), json!(as_of_size));
    if let Value::Object(m) = fields {
        out.extend(m);
    }
    AppJson(Value::Object(out))
}

// ---------------------------------------------------------------------------------------------
// Organisations

/// Registered organisations, as of the cached views.
///
/// `{as_of_size, orgs: [org row]}`.
#[utoipa::path(
    get,
    path = "/api/v1/orgs",
    tag = "money",
    responses((status = 200, body = Object, description = "Organisation rows"))
)]
pub async fn orgs(State(app): State<AppState>) -> Result<AppJson<Value>, ApiError> {
    let size = as_of(&app).await?;
    Ok(answer(
        size,
        json!({"orgs": rows(&app, keys::ORG.prefix()).await?}),
    ))
}

/// One organisation: its registration row, fund balances, totals, yearly figures and
/// compliance figures.
///
/// `{as_of_size, org, balances: [{key, value}], totals: [{key, value}], figures: [row],
/// compliance: [row]}`.
#[utoipa::path(
    get,
    path = "/api/v1/orgs/{org}",
    tag = "money",
    params(("org" = String, Path, description = "Unified social credit code")),
    responses(
        (status = 200, body = Object, description = "The organisation with its figures"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn org(
    State(app): State<AppState>,
    AppPath(org): AppPath<String>,
) -> Result<AppJson<Value>, ApiError> {
    let org = uscc("org", &org)?;
    let size = as_of(&app).await?;
    let row = one(&app, &keys::ORG.key(&[&org]))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no organisation {org}")))?;
    Ok(answer(
        size,
        json!({
            "org": row,
            "balances": keyed(&app, &keys::BALANCE.under(&[&org])).await?,
            "totals": keyed(&app, &keys::ORG_TOTAL.under(&[&org])).await?,
            "figures": rows(&app, &keys::FIGURES.under(&[&org])).await?,
            "compliance": rows(&app, &keys::COMPLIANCE.under(&[&org])).await?,
        }),
    ))
}

// ---------------------------------------------------------------------------------------------
// Projects

/// Which projects.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectsParams {
    /// Only this organisation's projects.
    pub org: Option<String>,
}

/// Projects with their figures, optionally of one organisation.
///
/// `{as_of_size, projects: [project row]}`.
#[utoipa::path(
    get,
    path = "/api/v1/projects",
    tag = "money",
    params(ProjectsParams),
    responses(
        (status = 200, body = Object, description = "Project rows"),
        (status = 400, body = super::error::ErrorBody),
    )
)]
pub async fn projects(
    State(app): State<AppState>,
    AppQuery(p): AppQuery<ProjectsParams>,
) -> Result<AppJson<Value>, ApiError> {
    let prefix = match p.org {
        Some(org) => keys::PROJECT.under(&[&uscc("org", &org)?]),
        None => keys::PROJECT.prefix().to_owned(),
    };
    let size = as_of(&app).await?;
    Ok(answer(
        size,
        json!({"projects": rows(&app, &prefix).await?}),
    ))
}

/// One project with its figures and its restricted fund balances.
///
/// `{as_of_size, project, balances: [{key, value}]}`.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{org}/{id}",
    tag = "money",
    params(
        ("org" = String, Path, description = "Unified social credit code"),
        ("id" = String, Path, description = "Project id"),
    ),
    responses(
        (status = 200, body = Object, description = "The project"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn project(
    State(app): State<AppState>,
    AppPath((org, id)): AppPath<(String, String)>,
) -> Result<AppJson<Value>, ApiError> {
    let org = uscc("org", &org)?;
    let id = ident("id", &id)?;
    let size = as_of(&app).await?;
    let row = one(&app, &keys::PROJECT.key(&[&org, &id]))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no project {id} of {org}")))?;
    Ok(answer(
        size,
        json!({
            "project": row,
            "balances": keyed(&app, &keys::BALANCE.under(&[&org, &"project", &id])).await?,
        }),
    ))
}

// ---------------------------------------------------------------------------------------------
// Charitable trusts

/// Charitable trusts with their figures.
///
/// `{as_of_size, trusts: [trust row]}`.
#[utoipa::path(
    get,
    path = "/api/v1/trusts",
    tag = "money",
    responses((status = 200, body = Object, description = "Trust rows"))
)]
pub async fn trusts(State(app): State<AppState>) -> Result<AppJson<Value>, ApiError> {
    let size = as_of(&app).await?;
    Ok(answer(
        size,
        json!({"trusts": rows(&app, keys::TRUST.prefix()).await?}),
    ))
}

/// One charitable trust, with its years as the ledger holds them (issue 14).
///
/// `{as_of_size, trust, years: [trust_year row]}`.
#[utoipa::path(
    get,
    path = "/api/v1/trusts/{id}",
    tag = "money",
    params(("id" = String, Path, description = "Trust id")),
    responses(
        (status = 200, body = Object, description = "The trust"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn trust(
    State(app): State<AppState>,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<Value>, ApiError> {
    let id = ident("id", &id)?;
    let size = as_of(&app).await?;
    let row = one(&app, &keys::TRUST.key(&[&id]))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no trust {id}")))?;
    let years = rows(&app, &keys::TRUST_YEAR.under(&[&id])).await?;
    Ok(answer(size, json!({"trust": row, "years": years})))
}

// ---------------------------------------------------------------------------------------------
// Lottery grants

/// Which lottery grants.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrantsParams {
    /// Only grants of this administrator (unified social credit code).
    pub administrator: Option<String>,
}

/// Lottery public-welfare fund grants with what remains of them, and each fiscal year's
/// execution by purpose (issue 14).
///
/// `{as_of_size, grants: [grant row], execution: [lottery_execution row]}`.
#[utoipa::path(
    get,
    path = "/api/v1/lottery/grants",
    tag = "money",
    params(GrantsParams),
    responses(
        (status = 200, body = Object, description = "Grant rows"),
        (status = 400, body = super::error::ErrorBody),
    )
)]
pub async fn grants(
    State(app): State<AppState>,
    AppQuery(p): AppQuery<GrantsParams>,
) -> Result<AppJson<Value>, ApiError> {
    let (prefix, execution) = match p.administrator {
        Some(a) => {
            let a = uscc("administrator", &a)?;
            (
                keys::LOTTERY_GRANT.under(&[&a]),
                keys::LOTTERY_EXECUTION.under(&[&a]),
            )
        }
        None => (
            keys::LOTTERY_GRANT.prefix().to_owned(),
            keys::LOTTERY_EXECUTION.prefix().to_owned(),
        ),
    };
    let size = as_of(&app).await?;
    Ok(answer(
        size,
        json!({"grants": rows(&app, &prefix).await?, "execution": rows(&app, &execution).await?}),
    ))
}

/// One lottery grant.
///
/// `{as_of_size, grant}`.
#[utoipa::path(
    get,
    path = "/api/v1/lottery/grants/{admin}/{grant}",
    tag = "money",
    params(
        ("admin" = String, Path, description = "Administrator's unified social credit code"),
        ("grant" = String, Path, description = "Grant id"),
    ),
    responses(
        (status = 200, body = Object, description = "The grant"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn grant(
    State(app): State<AppState>,
    AppPath((admin, grant)): AppPath<(String, String)>,
) -> Result<AppJson<Value>, ApiError> {
    let admin = uscc("admin", &admin)?;
    let grant = ident("grant", &grant)?;
    let size = as_of(&app).await?;
    let row = one(&app, &keys::LOTTERY_GRANT.key(&[&admin, &grant]))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no grant {grant} of {admin}")))?;
    Ok(answer(size, json!({"grant": row})))
}

// ---------------------------------------------------------------------------------------------
// Receipts

/// Which organisation issued the receipt.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReceiptParams {
    /// The issuing organisation; needed only when several issued the same receipt number.
    pub org: Option<String>,
}

/// A donation by its receipt number: the donation, where its money went, and the inclusion
/// proof of its entry in the latest signed checkpoint.
///
/// `{as_of_size, org, donation, trace, proof, correction}` (`trace` is null if none was
/// derived; `correction`, null unless the donation was amended or voided, holds the correcting
/// entry, its notice, the original body and the current one). Receipt
/// numbers are unique per organisation: without `org`, a number several organisations issued
/// is 409 `ambiguous_receipt`.
#[utoipa::path(
    get,
    path = "/api/v1/receipts/{receipt_no}",
    tag = "money",
    params(
        ("receipt_no" = String, Path, description = "Receipt number"),
        ReceiptParams,
    ),
    responses(
        (status = 200, body = Object, description = "The donation, its trace and its proof"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody),
    )
)]
pub async fn receipt(
    State(app): State<AppState>,
    AppPath(receipt_no): AppPath<String>,
    AppQuery(p): AppQuery<ReceiptParams>,
) -> Result<AppJson<Value>, ApiError> {
    let receipt_no = ident("receipt_no", &receipt_no)?;
    let org = p.org.map(|o| uscc("org", &o)).transpose()?;
    let size = as_of(&app).await?;
    let (org, donation) = match org {
        Some(org) => {
            let d = one(&app, &keys::DONATION.key(&[&org, &receipt_no])).await?;
            (org.to_string(), d)
        }
        None => {
            // Scans every donation row: fine at today's volumes; an index of receipt number to
            // organisations belongs in the views if this grows.
            let suffix = format!("/{receipt_no}");
            let mut found: Vec<(String, Value)> = prefixed(&app, keys::DONATION.prefix())
                .await?
                .into_iter()
                .filter(|(k, _)| k.ends_with(&suffix))
                .collect();
            if found.len() > 1 {
                let orgs: Vec<&str> = found
                    .iter()
                    .filter_map(|(k, _)| keys::DONATION.parts(k)?.next())
                    .collect();
                return Err(ApiError::Conflict(
                    ErrorDetail::new(
                        "ambiguous_receipt",
                        format!(
                            "receipt {receipt_no} was issued by {}; name one with ?org=",
                            orgs.join(", ")
                        ),
                    )
                    .field("org"),
                ));
            }
            match found.pop() {
                Some((k, v)) => {
                    let org = keys::DONATION
                        .parts(&k)
                        .and_then(|mut p| p.next())
                        .unwrap_or_default()
                        .to_owned();
                    (org, Some(v))
                }
                None => (String::new(), None),
            }
        }
    };
    let donation =
        donation.ok_or_else(|| ApiError::not_found(format!("no receipt {receipt_no}")))?;
    let trace = match org.parse::<Uscc>() {
        Ok(uscc) => app.reads().trace(&uscc, &receipt_no).await?,
        Err(_) => None,
    };
    let seq = donation["seq"]
        .as_u64()
        .ok_or_else(|| ApiError::internal(format!("donation row {receipt_no} has no seq")))?;
    let proof = crate::publish::proofs::inclusion(app.reads(), seq, None).await?;
    let proof = serde_json::to_value(&proof).map_err(ApiError::internal)?;
    // The correction notice goes with the item it corrects (2025 Disclosure Measures Art. 16):
    // the correcting entry, the notice and the original body; `null` when never corrected.
    let correction = one(&app, &keys::ENTRY.key(&[&seq]))
        .await?
        .filter(|e| e.get("correction").is_some());
    Ok(answer(
        size,
        json!({"org": org, "donation": donation, "trace": trace, "proof": proof,
               "correction": correction}),
    ))
}

// ---------------------------------------------------------------------------------------------
// Compliance

/// An organisation's regulator figures for one year, in every currency, and its late or
/// missing disclosures as of today in China (see `/api/v1/obligations` for any other day).
///
/// `{as_of_size, org, year, compliance: [row], late: [late item]}`.
#[utoipa::path(
    get,
    path = "/api/v1/compliance/{org}/{year}",
    tag = "money",
    params(
        ("org" = String, Path, description = "Unified social credit code"),
        ("year" = i32, Path, description = "Calendar year"),
    ),
    responses(
        (status = 200, body = Object, description = "Compliance figures and late items"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn compliance(
    State(app): State<AppState>,
    AppPath((org, year)): AppPath<(String, String)>,
) -> Result<AppJson<Value>, ApiError> {
    let org = uscc("org", &org)?;
    let year: i32 = year
        .parse()
        .ok()
        .filter(|y| (1900..=9999).contains(y))
        .ok_or_else(|| ApiError::malformed("year", "year: must be a 4-digit year"))?;
    let size = as_of(&app).await?;
    if one(&app, &keys::ORG.key(&[&org])).await?.is_none() {
        return Err(ApiError::not_found(format!("no organisation {org}")));
    }
    let figures = rows(&app, &keys::COMPLIANCE.under(&[&org, &year])).await?;
    // Judged today (China time), not on the newest entry's date: a ledger that goes quiet
    // still shows the deadlines it misses.
    let today = crate::ledger::Timestamp::now().china_date();
    let late: Vec<Value> = super::obligations::judged(&app, today, Some(&org), None)
        .await?
        .into_iter()
        .filter(|o| {
            use crate::money::timeliness::Status;
            matches!(o.judged.status, Status::Late | Status::Missing)
        })
        .map(|o| serde_json::to_value(o).map_err(ApiError::internal))
        .collect::<Result<_, _>>()?;
    Ok(answer(
        size,
        json!({"org": org.as_str(), "year": year, "compliance": figures, "late": late}),
    ))
}
