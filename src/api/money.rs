//! The money read endpoints: organisations, projects, trusts, lottery grants, receipts and
//! compliance figures, served from the cached derived views (the `views` table; key scheme in
//! docs/FORMAT.md §7), never by replaying the log per request.
//!
//! Every answer carries `as_of_size`: the log size the cached views reflect, so a reader knows
//! which entries the figures include. The append service keeps the cache fresh
//! ([`crate::append::views`]).

use axum::extract::State;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use super::AppState;
use super::error::{ApiError, AppJson, AppPath, AppQuery, ErrorDetail};
use super::money_answers::{
    ComplianceAnswer, GrantAnswer, GrantsAnswer, KeyedBalance, KeyedTotal, OrgAnswer, OrgsAnswer,
    ProjectAnswer, ProjectsAnswer, ReceiptAnswer, TrustAnswer, TrustsAnswer,
};
use crate::ledger::Uscc;
use crate::money::types::Ident;
use crate::money::views::keys;
use crate::money::views::rows::{self, BalanceRow, DonationRow, EntryRow, OrgRow, OrgTotalRow};

// ---------------------------------------------------------------------------------------------
// Helpers

pub(super) fn uscc(field: &str, s: &str) -> Result<Uscc, ApiError> {
    s.parse::<Uscc>()
        .map_err(|e| ApiError::malformed(field, format!("{field}: {e}")))
}

pub(super) fn ident(field: &str, s: &str) -> Result<Ident, ApiError> {
    Ident::check(s).map_err(|why| ApiError::malformed(field, format!("{field}: {why}")))
}

/// The log size the cached views reflect (0 before the first refresh).
pub(super) async fn as_of(app: &AppState) -> Result<u64, ApiError> {
    Ok(app.reads().view_size().await?.unwrap_or(0))
}

/// One row of a typed family; a row that does not read is a 500 whose log names the key.
pub(super) async fn typed<T: DeserializeOwned>(
    app: &AppState,
    key: &str,
) -> Result<Option<T>, ApiError> {
    app.reads()
        .view(key)
        .await?
        .map(|text| rows::read(key, &text).map_err(ApiError::internal))
        .transpose()
}

/// Every row of a typed family under `prefix`, with its key.
async fn typed_keyed<T: DeserializeOwned>(
    app: &AppState,
    prefix: &str,
) -> Result<Vec<(String, T)>, ApiError> {
    app.reads()
        .views_with_prefix(prefix)
        .await?
        .into_iter()
        .map(|(k, text)| {
            let v = rows::read(&k, &text).map_err(ApiError::internal)?;
            Ok((k, v))
        })
        .collect()
}

/// Every row of a typed family under `prefix`.
async fn typed_rows<T: DeserializeOwned>(app: &AppState, prefix: &str) -> Result<Vec<T>, ApiError> {
    Ok(typed_keyed(app, prefix)
        .await?
        .into_iter()
        .map(|(_, v)| v)
        .collect())
}

async fn balances(app: &AppState, prefix: &str) -> Result<Vec<KeyedBalance>, ApiError> {
    Ok(typed_keyed::<BalanceRow>(app, prefix)
        .await?
        .into_iter()
        .map(|(key, value)| KeyedBalance { key, value })
        .collect())
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
    responses((status = 200, body = OrgsAnswer, description = "Organisation rows"))
)]
pub async fn orgs(State(app): State<AppState>) -> Result<AppJson<OrgsAnswer>, ApiError> {
    let as_of_size = as_of(&app).await?;
    Ok(AppJson(OrgsAnswer {
        as_of_size,
        orgs: typed_rows(&app, keys::ORG.prefix()).await?,
    }))
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
        (status = 200, body = OrgAnswer, description = "The organisation with its figures"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn org(
    State(app): State<AppState>,
    AppPath(org): AppPath<String>,
) -> Result<AppJson<OrgAnswer>, ApiError> {
    let org = uscc("org", &org)?;
    let as_of_size = as_of(&app).await?;
    let row = typed(&app, &keys::ORG.key(&[&org]))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no organisation {org}")))?;
    let totals = typed_keyed::<OrgTotalRow>(&app, &keys::ORG_TOTAL.under(&[&org]))
        .await?
        .into_iter()
        .map(|(key, value)| KeyedTotal { key, value })
        .collect();
    Ok(AppJson(OrgAnswer {
        as_of_size,
        org: row,
        balances: balances(&app, &keys::BALANCE.under(&[&org])).await?,
        totals,
        figures: typed_rows(&app, &keys::FIGURES.under(&[&org])).await?,
        compliance: typed_rows(&app, &keys::COMPLIANCE.under(&[&org])).await?,
    }))
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
        (status = 200, body = ProjectsAnswer, description = "Project rows"),
        (status = 400, body = super::error::ErrorBody),
    )
)]
pub async fn projects(
    State(app): State<AppState>,
    AppQuery(p): AppQuery<ProjectsParams>,
) -> Result<AppJson<ProjectsAnswer>, ApiError> {
    let prefix = match p.org {
        Some(org) => keys::PROJECT.under(&[&uscc("org", &org)?]),
        None => keys::PROJECT.prefix().to_owned(),
    };
    let as_of_size = as_of(&app).await?;
    Ok(AppJson(ProjectsAnswer {
        as_of_size,
        projects: typed_rows(&app, &prefix).await?,
    }))
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
        (status = 200, body = ProjectAnswer, description = "The project"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn project(
    State(app): State<AppState>,
    AppPath((org, id)): AppPath<(String, String)>,
) -> Result<AppJson<ProjectAnswer>, ApiError> {
    let org = uscc("org", &org)?;
    let id = ident("id", &id)?;
    let as_of_size = as_of(&app).await?;
    let project = typed(&app, &keys::PROJECT.key(&[&org, &id]))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no project {id} of {org}")))?;
    Ok(AppJson(ProjectAnswer {
        as_of_size,
        project,
        balances: balances(&app, &keys::BALANCE.under(&[&org, &"project", &id])).await?,
    }))
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
    responses((status = 200, body = TrustsAnswer, description = "Trust rows"))
)]
pub async fn trusts(State(app): State<AppState>) -> Result<AppJson<TrustsAnswer>, ApiError> {
    let as_of_size = as_of(&app).await?;
    Ok(AppJson(TrustsAnswer {
        as_of_size,
        trusts: typed_rows(&app, keys::TRUST.prefix()).await?,
    }))
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
        (status = 200, body = TrustAnswer, description = "The trust"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn trust(
    State(app): State<AppState>,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<TrustAnswer>, ApiError> {
    let id = ident("id", &id)?;
    let as_of_size = as_of(&app).await?;
    let trust = typed(&app, &keys::TRUST.key(&[&id]))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no trust {id}")))?;
    let years = typed_rows(&app, &keys::TRUST_YEAR.under(&[&id])).await?;
    Ok(AppJson(TrustAnswer {
        as_of_size,
        trust,
        years,
    }))
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
        (status = 200, body = GrantsAnswer, description = "Grant rows"),
        (status = 400, body = super::error::ErrorBody),
    )
)]
pub async fn grants(
    State(app): State<AppState>,
    AppQuery(p): AppQuery<GrantsParams>,
) -> Result<AppJson<GrantsAnswer>, ApiError> {
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
    let as_of_size = as_of(&app).await?;
    Ok(AppJson(GrantsAnswer {
        as_of_size,
        grants: typed_rows(&app, &prefix).await?,
        execution: typed_rows(&app, &execution).await?,
    }))
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
        (status = 200, body = GrantAnswer, description = "The grant"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn grant(
    State(app): State<AppState>,
    AppPath((admin, grant)): AppPath<(String, String)>,
) -> Result<AppJson<GrantAnswer>, ApiError> {
    let admin = uscc("admin", &admin)?;
    let grant = ident("grant", &grant)?;
    let as_of_size = as_of(&app).await?;
    let row = typed(&app, &keys::LOTTERY_GRANT.key(&[&admin, &grant]))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no grant {grant} of {admin}")))?;
    Ok(AppJson(GrantAnswer {
        as_of_size,
        grant: row,
    }))
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
        (status = 200, body = ReceiptAnswer, description = "The donation, its trace and its proof"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody),
    )
)]
pub async fn receipt(
    State(app): State<AppState>,
    AppPath(receipt_no): AppPath<String>,
    AppQuery(p): AppQuery<ReceiptParams>,
) -> Result<AppJson<ReceiptAnswer>, ApiError> {
    let receipt_no = ident("receipt_no", &receipt_no)?;
    let org = p.org.map(|o| uscc("org", &o)).transpose()?;
    let as_of_size = as_of(&app).await?;
    let (org, donation) = match org {
        Some(org) => {
            let d = typed::<DonationRow>(&app, &keys::DONATION.key(&[&org, &receipt_no])).await?;
            (org.to_string(), d)
        }
        None => {
            // Scans every donation row: fine at today's volumes; an index of receipt number to
            // organisations belongs in the views if this grows.
            let suffix = format!("/{receipt_no}");
            let mut found: Vec<(String, DonationRow)> = typed_keyed(&app, keys::DONATION.prefix())
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
    let seq = donation.record.seq;
    let proof = crate::publish::proofs::inclusion(app.reads(), seq, None).await?;
    // The correction notice goes with the item it corrects (2025 Disclosure Measures Art. 16):
    // the correcting entry, the notice and the original body; `null` when never corrected.
    let correction = typed::<EntryRow>(&app, &keys::ENTRY.key(&[&seq]))
        .await?
        .filter(|e| e.correction.is_some());
    Ok(AppJson(ReceiptAnswer {
        as_of_size,
        org,
        donation,
        trace,
        proof,
        correction,
    }))
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
        (status = 200, body = ComplianceAnswer, description = "Compliance figures and late items"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn compliance(
    State(app): State<AppState>,
    AppPath((org, year)): AppPath<(String, String)>,
) -> Result<AppJson<ComplianceAnswer>, ApiError> {
    let org = uscc("org", &org)?;
    let year: i32 = year
        .parse()
        .ok()
        .filter(|y| (1900..=9999).contains(y))
        .ok_or_else(|| ApiError::malformed("year", "year: must be a 4-digit year"))?;
    let as_of_size = as_of(&app).await?;
    if typed::<OrgRow>(&app, &keys::ORG.key(&[&org]))
        .await?
        .is_none()
    {
        return Err(ApiError::not_found(format!("no organisation {org}")));
    }
    let figures = typed_rows(&app, &keys::COMPLIANCE.under(&[&org, &year])).await?;
    // Judged today (China time), not on the newest entry's date: a ledger that goes quiet
    // still shows the deadlines it misses.
    let today = crate::ledger::Timestamp::now().china_date();
    let late = super::obligations::judged(&app, today, Some(&org), None)
        .await?
        .into_iter()
        .filter(|o| {
            use crate::money::timeliness::Status;
            matches!(o.judged.status, Status::Late | Status::Missing)
        })
        .collect();
    Ok(AppJson(ComplianceAnswer {
        as_of_size,
        org: org.as_str().to_owned(),
        year,
        compliance: figures,
        late,
    }))
}
