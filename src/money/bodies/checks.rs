//! Rules a body must meet on its own, before any ledger state is consulted: dates not in the
//! future, masking, the donation form, evidence present, date order.

use time::{Date, Duration};

use super::personal_data::is_masked_name;
use crate::ledger::Timestamp;
use crate::ledger::time::format_date;
use crate::money::error::{MoneyError, Rule};
use crate::money::types::{CorrectionAction, DonationForm, DonorType, Money, PayeeType, Year};

use super::Body;
use super::spending::MAX_EVIDENCE;
use super::trust::ReceiptSource;

/// Calendar dates may run one day ahead of the recording instant's UTC date: bodies carry China
/// local dates (UTC+8), so a payment made at 07:00 Beijing time on the 24th is recorded at 23:00
/// UTC on the 23rd.
pub const DATE_ALLOWANCE_DAYS: i64 = 1;

/// The latest calendar date a body may state for something that already happened.
pub fn latest_date(recorded_at: Timestamp) -> Date {
    recorded_at
        .date()
        .saturating_add(Duration::days(DATE_ALLOWANCE_DAYS))
}

/// Whether `year` has ended by the recording instant (in China local time, as above).
pub fn year_over(year: Year, recorded_at: Timestamp) -> bool {
    year.0 < latest_date(recorded_at).year()
}

/// The dates in `body` that state something that already happened (payments, receipts,
/// filings, publications). Planned dates (project start/end, trust term) may be in the future.
pub fn past_dates(body: &Body) -> Vec<(&'static str, Date)> {
    match body {
        Body::OrgRegister(b) => vec![("registered_on", b.registered_on)],
        Body::ProjectUpdate(b) => vec![("as_of", b.as_of)],
        Body::ProjectClose(b) => vec![("closed_on", b.closed_on)],
        Body::CampaignUpdate(b) => vec![("as_of", b.as_of)],
        Body::CampaignClose(b) => vec![("ended_on", b.ended_on)],
        Body::Donation(b) => vec![("received_on", b.received_on)],
        Body::Disbursement(b) => vec![("paid_on", b.paid_on)],
        Body::GrantTransfer(b) => vec![("paid_on", b.paid_on)],
        Body::GoodsDistribute(b) => vec![("distributed_on", b.distributed_on)],
        Body::TrustFile(b) => vec![("signed_on", b.signed_on), ("filed_on", b.filed_on)],
        Body::TrustDisburse(b) => vec![("paid_on", b.paid_on)],
        Body::TrustReport(b) => vec![("reported_on", b.reported_on)],
        Body::LotteryGrant(b) => vec![("granted_on", b.granted_on)],
        Body::LotteryUsage(b) => vec![("used_on", b.used_on)],
        Body::LotteryAnnounce(b) => vec![("announced_on", b.announced_on)],
        Body::TrustReceive(b) => vec![("received_on", b.received_on)],
        Body::TrustFee(b) => vec![("paid_on", b.paid_on)],
        Body::TrustTerminate(b) => vec![
            ("terminated_on", b.terminated_on),
            ("reported_on", b.reported_on),
        ],
        Body::LotteryReceive(b) => vec![("received_on", b.received_on)],
        Body::ReportAnnual(b) => vec![("published_on", b.published_on)],
        Body::Explanation(b) => vec![("published_on", b.published_on)],
        Body::Disclosure(b) => vec![("occurred_on", b.occurred_on)],
        Body::OrgFundraising(b) => vec![("effective_on", b.effective_on)],
        Body::OrgChange(b) => vec![("effective_on", b.effective_on)],
        Body::OrgOpening(b) => vec![("as_of", b.as_of)],
        Body::Genesis(_)
        | Body::OrgKeys(_)
        | Body::ProjectOpen(_)
        | Body::CampaignOpen(_)
        | Body::Correction(_) => vec![],
    }
}

fn bad_dates(field: String, message: &str) -> MoneyError {
    MoneyError::refused(field, Rule::BadDates, message)
}

fn evidence(prefix: &str, field: &str, n: usize) -> Result<(), MoneyError> {
    if n == 0 || n > MAX_EVIDENCE {
        return Err(MoneyError::malformed(
            format!("{prefix}.{field}"),
            format!("give 1 to {MAX_EVIDENCE} document hashes"),
        ));
    }
    Ok(())
}

fn masked(field: String, display: &str, ok: bool) -> Result<(), MoneyError> {
    if ok {
        Ok(())
    } else {
        Err(MoneyError::refused(
            field,
            Rule::Unmasked,
            format!("\"{display}\" must be masked like \"张*\" or be \"爱心人士\""),
        ))
    }
}

/// Checks `body` (found under `prefix`) as recorded at `recorded_at`.
pub fn check_static(body: &Body, prefix: &str, recorded_at: Timestamp) -> Result<(), MoneyError> {
    let latest = latest_date(recorded_at);
    for (field, date) in past_dates(body) {
        if date > latest {
            return Err(MoneyError::FutureDate {
                field: format!("{prefix}.{field}"),
                date: format_date(date),
                latest: format_date(latest),
            });
        }
    }
    let at = |f: &str| format!("{prefix}.{f}");
    match body {
        Body::ProjectOpen(b) => {
            if b.end.is_some_and(|end| end < b.start) {
                return Err(bad_dates(at("end"), "the project ends before it starts"));
            }
            if b.fundraising_filing_no.is_some() && !b.public_fundraising {
                return Err(MoneyError::refused(
                    at("fundraising_filing_no"),
                    Rule::FilingWithoutPublic,
                    "a filing number belongs to a public fundraising project; set public_fundraising",
                ));
            }
            if b.public_fundraising && b.fundraising_filing_no.is_none() && !b.emergency {
                return Err(MoneyError::refused(
                    at("fundraising_filing_no"),
                    Rule::FilingRequired,
                    "public fundraising needs its filing number (公开募捐方案备案编号)",
                ));
            }
        }
        Body::Disclosure(b) => {
            use super::disclosure::Subject;
            if b.subject.has_amount() != b.amount.is_some() {
                return Err(MoneyError::malformed(
                    at("amount"),
                    if b.subject.has_amount() {
                        "this event is disclosed with its amount"
                    } else {
                        "this disclosure has no amount"
                    },
                ));
            }
            if b.amount.is_some() != b.currency.is_some() {
                return Err(MoneyError::malformed(
                    at("currency"),
                    "an amount comes with its currency, and only then",
                ));
            }
            if (b.subject == Subject::RelatedPartyList) != b.year.is_some() {
                return Err(MoneyError::malformed(
                    at("year"),
                    "a related-party list names its year, and only it does",
                ));
            }
            if (b.subject == Subject::TrustSettled) != b.trust_id.is_some() {
                return Err(MoneyError::malformed(
                    at("trust_id"),
                    "a trust set up as settlor names the trust, and only it does",
                ));
            }
        }
        Body::CampaignOpen(b) => {
            if b.end.is_some_and(|end| end < b.start) {
                return Err(bad_dates(at("end"), "the campaign ends before it starts"));
            }
            let n = b.projects.len();
            if n == 0 || n > super::campaign::MAX_CAMPAIGN_PROJECTS {
                return Err(MoneyError::malformed(
                    at("projects"),
                    format!(
                        "name 1 to {} projects the campaign raises for",
                        super::campaign::MAX_CAMPAIGN_PROJECTS
                    ),
                ));
            }
            let mut seen = std::collections::BTreeSet::new();
            for (i, p) in b.projects.iter().enumerate() {
                if !seen.insert(p) {
                    return Err(MoneyError::malformed(
                        format!("{prefix}.projects[{i}]"),
                        "each project once",
                    ));
                }
            }
        }
        Body::ProjectClose(b) => {
            let mut seen = std::collections::BTreeSet::new();
            for (i, l) in b.leftover.iter().enumerate() {
                if !seen.insert(l.currency) {
                    return Err(MoneyError::malformed(
                        format!("{prefix}.leftover[{i}].currency"),
                        "each currency once",
                    ));
                }
            }
            match (b.leftover.is_empty(), &b.leftover_to) {
                (false, None) => {
                    return Err(MoneyError::malformed(
                        at("leftover_to"),
                        "a leftover must go to a similar project",
                    ));
                }
                (true, Some(_)) => {
                    return Err(MoneyError::malformed(
                        at("leftover_to"),
                        "no leftover stated, so nothing goes anywhere",
                    ));
                }
                _ => {}
            }
        }
        Body::Donation(b) => {
            match (b.form, &b.in_kind) {
                (DonationForm::Cash, Some(_)) => {
                    return Err(MoneyError::refused(
                        at("in_kind"),
                        Rule::DonationForm,
                        "a cash donation has no goods",
                    ));
                }
                (DonationForm::InKind, None) => {
                    return Err(MoneyError::refused(
                        at("in_kind"),
                        Rule::DonationForm,
                        "describe the goods",
                    ));
                }
                _ => {}
            }
            let valued = match (b.form, &b.in_kind) {
                (DonationForm::Cash, _) => true,
                (_, Some(k)) => k.valuation_proof.is_some(),
                _ => false,
            };
            match (valued, b.amount.is_some(), b.currency.is_some()) {
                (true, false, _) => {
                    return Err(MoneyError::refused(
                        at("amount"),
                        Rule::DonationForm,
                        "cash, or goods with a valuation proof, needs an amount",
                    ));
                }
                (false, true, _) => {
                    return Err(MoneyError::refused(
                        at("amount"),
                        Rule::DonationForm,
                        "goods without a valuation proof are recorded by quantity only",
                    ));
                }
                (true, true, false) => {
                    return Err(MoneyError::malformed(
                        at("currency"),
                        "an amount needs its currency",
                    ));
                }
                (false, false, true) => {
                    return Err(MoneyError::malformed(
                        at("currency"),
                        "no amount, so no currency",
                    ));
                }
                _ => {}
            }
            let name_ok = match b.donor_type {
                DonorType::Individual => {
                    b.named_with_consent || is_masked_name(b.donor_display.as_str())
                }
                DonorType::Anonymous => {
                    !b.named_with_consent
                        && super::personal_data::GENERIC_LABELS.contains(&b.donor_display.as_str())
                }
                DonorType::Organisation => true,
            };
            masked(at("donor_display"), b.donor_display.as_str(), name_ok)?;
            super::goods::check_gift(b, prefix)?;
            if let Some(y) = b.restricted_until_year {
                let received = b.received_on.year();
                if y.0 <= received || y.0 > received + 50 {
                    return Err(bad_dates(
                        at("restricted_until_year"),
                        "must be a later year than the donation, within 50 years",
                    ));
                }
            }
        }
        Body::Disbursement(b) => {
            evidence(prefix, "evidence", b.evidence.len())?;
            payee(prefix, b.payee_type, b.payee_display.as_str())?;
        }
        Body::GrantTransfer(b) => evidence(prefix, "evidence", b.evidence.len())?,
        Body::GoodsDistribute(b) => {
            evidence(prefix, "evidence", b.evidence.len())?;
            masked(
                at("recipient_display"),
                b.recipient_display.as_str(),
                b.recipient_type != PayeeType::Individual
                    || is_masked_name(b.recipient_display.as_str()),
            )?;
        }
        Body::TrustFile(b) => {
            if b.settlors.is_empty() || b.settlors.len() > 100 {
                return Err(MoneyError::malformed(
                    at("settlors"),
                    "name 1 to 100 settlors",
                ));
            }
            for (i, s) in b.settlors.iter().enumerate() {
                settlor_masked(format!("{prefix}.settlors[{i}].display"), s)?;
            }
            if b.term_end.is_some_and(|end| end < b.term_start) {
                return Err(bad_dates(at("term_end"), "the term ends before it starts"));
            }
            if b.filed_on < b.signed_on {
                return Err(bad_dates(
                    at("filed_on"),
                    "a trust is filed after its contract is signed",
                ));
            }
        }
        Body::TrustDisburse(b) => {
            evidence(prefix, "evidence", b.evidence.len())?;
            payee(prefix, b.payee_type, b.payee_display.as_str())?;
        }
        Body::TrustReport(b) => {
            if !year_over(b.year, recorded_at) {
                return Err(MoneyError::refused(
                    at("year"),
                    Rule::YearNotOver,
                    "report on a year once it has ended",
                ));
            }
        }
        Body::LotteryGrant(b) => {
            if b.fiscal_year.0 > latest.year() + 1 {
                return Err(bad_dates(
                    at("fiscal_year"),
                    "grants may be made at most one fiscal year ahead",
                ));
            }
        }
        Body::LotteryUsage(b) => evidence(prefix, "evidence", b.evidence.len())?,
        Body::LotteryAnnounce(b) => {
            if b.fiscal_year.0 > latest.year() {
                return Err(bad_dates(
                    at("fiscal_year"),
                    "announce a fiscal year once it has begun",
                ));
            }
            let mut seen = std::collections::BTreeSet::new();
            for (i, a) in b.allocated.iter().enumerate() {
                if !seen.insert(a.purpose) {
                    return Err(MoneyError::malformed(
                        format!("{prefix}.allocated[{i}].purpose"),
                        "each purpose once",
                    ));
                }
            }
            let mut seen = std::collections::BTreeSet::new();
            for (i, a) in b.executed.iter().flatten().enumerate() {
                if !seen.insert(a.purpose) {
                    return Err(MoneyError::malformed(
                        format!("{prefix}.executed[{i}].purpose"),
                        "each purpose once",
                    ));
                }
            }
        }
        Body::ReportAnnual(b) => {
            if !year_over(b.year, recorded_at) {
                return Err(MoneyError::refused(
                    at("year"),
                    Rule::YearNotOver,
                    "an annual report covers a year that has ended",
                ));
            }
            if let Some(a) = &b.audited {
                a.check(prefix, b.audit_report.is_some())?;
            }
        }
        Body::OrgChange(b) => b.check(prefix)?,
        Body::OrgOpening(b) => b.check(prefix)?,
        Body::Explanation(b) => {
            if b.year.0 > latest.year() {
                return Err(bad_dates(at("year"), "explain a year that has begun"));
            }
        }
        Body::Correction(c) => match (c.action, &c.amended) {
            (CorrectionAction::Amend, None) => {
                return Err(MoneyError::malformed(
                    at("amended"),
                    "an amendment carries the replacement body",
                ));
            }
            (CorrectionAction::Void, Some(_)) => {
                return Err(MoneyError::malformed(
                    at("amended"),
                    "a void carries no replacement body",
                ));
            }
            _ => {}
        },
        Body::TrustReceive(_) | Body::TrustFee(_) | Body::TrustTerminate(_) => {
            trust_life(body, prefix)?
        }
        Body::LotteryReceive(_) => {}
        Body::Genesis(_)
        | Body::OrgRegister(_)
        | Body::OrgKeys(_)
        | Body::OrgFundraising(_)
        | Body::ProjectUpdate(_)
        | Body::CampaignUpdate(_)
        | Body::CampaignClose(_) => {}
    }
    Ok(())
}

/// A settlor shows like a donor: an individual masked unless they consented to be named.
fn settlor_masked(field: String, s: &super::Settlor) -> Result<(), MoneyError> {
    let ok = match s.settlor_type {
        DonorType::Individual => s.named_with_consent || is_masked_name(s.display.as_str()),
        DonorType::Anonymous => super::personal_data::GENERIC_LABELS.contains(&s.display.as_str()),
        DonorType::Organisation => true,
    };
    masked(field, s.display.as_str(), ok)
}

/// Beneficiaries are often children or the elderly: an individual payee is only ever masked.
fn payee(prefix: &str, kind: PayeeType, display: &str) -> Result<(), MoneyError> {
    masked(
        format!("{prefix}.payee_display"),
        display,
        kind != PayeeType::Individual || is_masked_name(display),
    )
}

/// The body-only rules of the three kinds: a contribution names its settlor (masked) and income
/// names none, a fee has evidence and a masked payee, a termination names who receives what is
/// left exactly when something is, and is reported on or after the day it happened.
fn trust_life(body: &Body, prefix: &str) -> Result<(), MoneyError> {
    let at = |f: &str| format!("{prefix}.{f}");
    match body {
        Body::TrustReceive(b) => match (b.source, &b.settlor) {
            (ReceiptSource::Contribution, None) => Err(MoneyError::malformed(
                at("settlor"),
                "a contribution names its settlor",
            )),
            (ReceiptSource::Contribution, Some(s)) => settlor_masked(at("settlor.display"), s),
            (_, Some(_)) => Err(MoneyError::malformed(
                at("settlor"),
                "income comes from the property, not from a settlor",
            )),
            (_, None) => Ok(()),
        },
        Body::TrustFee(b) => evidence(prefix, "evidence", b.evidence.len()),
        Body::TrustTerminate(b) => {
            if b.reported_on < b.terminated_on {
                return Err(MoneyError::refused(
                    at("reported_on"),
                    Rule::BadDates,
                    "a termination is reported once it has happened",
                ));
            }
            let left = b.remaining_property != Money::ZERO;
            if left != b.remaining_to.is_some() {
                return Err(MoneyError::malformed(
                    at("remaining_to"),
                    if left {
                        "name who receives the remaining property"
                    } else {
                        "nothing remains, so nothing goes anywhere"
                    },
                ));
            }
            if b.remaining_to_org.is_some() && !left {
                return Err(MoneyError::malformed(
                    at("remaining_to_org"),
                    "nothing remains, so nothing goes anywhere",
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
