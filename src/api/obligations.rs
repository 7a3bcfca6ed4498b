//! `GET /api/v1/obligations`: disclosure obligations judged on a day the reader names.
//!
//! The cached `duties/{org}` rows say what each organisation owes whatever the date; this
//! endpoint judges them on `as_of` (default: today in China, UTC+8) through
//! [`crate::money::obligations::judge`], the same function the CLI report and the site use.

use axum::extract::State;
use serde::Deserialize;
use time::Date;
use utoipa::IntoParams;

use super::AppState;
use super::error::{ApiError, AppJson, AppQuery};
use super::money::{as_of, uscc};
use super::money_answers::ObligationsAnswer;
use crate::ledger::Uscc;
use crate::ledger::time::{format_date, parse_date};
use crate::money::duties::OrgDuties;
use crate::money::obligations::{OrgObligation, Query, judge};
use crate::money::timeliness::Status;
use crate::money::views::keys;
use crate::money::views::rows::OrgRow;

/// Which obligations, judged on which day.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ObligationsParams {
    /// Only this organisation's (unified social credit code).
    pub org: Option<String>,
    /// Only obligations in this status: `met`, `late` (disclosed after the due date), `due`
    /// (not yet disclosed, due date not passed) or `missing` (not disclosed, due date passed).
    pub status: Option<String>,
    /// The day to judge on, `YYYY-MM-DD`; default: today in China (UTC+8).
    pub as_of: Option<String>,
}

/// The duties rows (of one organisation, or all) judged on `day`.
pub(super) async fn judged(
    app: &AppState,
    day: Date,
    org: Option<&Uscc>,
    status: Option<Status>,
) -> Result<Vec<OrgObligation>, ApiError> {
    let prefix = match org {
        Some(o) => keys::DUTIES.key(&[o]),
        None => keys::DUTIES.prefix().to_owned(),
    };
    let duties = app
        .reads()
        .views_with_prefix(&prefix)
        .await?
        .into_iter()
        .filter(|(k, _)| org.is_none() || *k == prefix)
        .map(|(k, text)| {
            serde_json::from_str::<OrgDuties>(&text)
                .map_err(|e| ApiError::internal(format!("view {k} is not a duties row: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(judge(
        &duties,
        &Query {
            as_of: day,
            org: org.cloned(),
            status,
        },
    ))
}

/// Disclosure obligations with their due dates, judged on `as_of`: for each, its status, the
/// day it was disclosed, the days it was late and the entry that met it.
///
/// `{as_of_size, as_of, obligations: [{org, obligation: {kind, ...}, period_index, due, status,
/// disclosed, days_late, met_by?, source}]}`. A recurring obligation has one row per period up
/// to its first unmet one.
#[utoipa::path(
    get,
    path = "/api/v1/obligations",
    tag = "money",
    params(ObligationsParams),
    responses(
        (status = 200, body = ObligationsAnswer, description = "Obligations judged on as_of"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn obligations(
    State(app): State<AppState>,
    AppQuery(p): AppQuery<ObligationsParams>,
) -> Result<AppJson<ObligationsAnswer>, ApiError> {
    let org = p.org.as_deref().map(|o| uscc("org", o)).transpose()?;
    let status = p
        .status
        .as_deref()
        .map(|s| {
            s.parse::<Status>()
                .map_err(|e| ApiError::malformed("status", format!("status: {e}")))
        })
        .transpose()?;
    let day = match p.as_of.as_deref() {
        Some(s) => {
            parse_date(s).map_err(|e| ApiError::malformed("as_of", format!("as_of: {s}: {e}")))?
        }
        None => crate::ledger::Timestamp::now().china_date(),
    };
    let as_of_size = as_of(&app).await?;
    if let Some(o) = &org
        && super::money::typed::<OrgRow>(&app, &keys::ORG.key(&[o]))
            .await?
            .is_none()
    {
        return Err(ApiError::not_found(format!("no organisation {o}")));
    }
    let obligations = judged(&app, day, org.as_ref(), status).await?;
    Ok(AppJson(ObligationsAnswer {
        as_of_size,
        as_of: format_date(day),
        obligations,
    }))
}
