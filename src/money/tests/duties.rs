//! What organisations owe in disclosures ([`crate::money::regulator::duties`]), judged on dates
//! worked by hand in each test.

use std::collections::BTreeMap;

use serde_json::json;
use time::Date;
use time::macros::date;

use super::testkit::{Kit, h};
use crate::ledger::Kind;
use crate::money::regulator::duties::*;
use crate::money::regulator::timeliness::{
    Disclosure, Obligation, ObligationStatus, Status, evaluate,
};
use crate::money::types::{Ident, OrgType};

fn judge(d: &OrgDuties, as_of: Date) -> Vec<ObligationStatus> {
    match evaluate(&d.obligations(as_of), as_of) {
        Ok(v) => v,
        Err(e) => panic!("embedded table: {e}"),
    }
}

fn foundation(registered_on: Date, joined_on: Date) -> OrgDuties {
    OrgDuties {
        org: super::testkit::org_id(1),
        org_type: OrgType::Foundation,
        public_fundraising: false,
        registered_on,
        joined_on,
        annual_reports: BTreeMap::new(),
        projects: Vec::new(),
        campaigns: Vec::new(),
        related_party: Vec::new(),
        trusts: Vec::new(),
        lottery_years: Vec::new(),
        major_events: Vec::new(),
        related_party_lists: BTreeMap::new(),
        settled_trusts: Vec::new(),
    }
}

/// A foundation with public-fundraising status (which owes the three-monthly updates).
fn fundraiser() -> OrgDuties {
    OrgDuties {
        public_fundraising: true,
        ..foundation(date!(2020 - 01 - 01), date!(2024 - 01 - 01))
    }
}

fn row<'a>(items: &'a [ObligationStatus], kind: &str) -> Vec<&'a ObligationStatus> {
    items
        .iter()
        .filter(|i| {
            serde_json::to_value(&i.obligation)
                .ok()
                .and_then(|v| v["kind"].as_str().map(|k| k == kind))
                == Some(true)
        })
        .collect()
}

#[test]
fn annual_report_of_an_org_registered_mid_year_turns_missing_when_the_clock_passes_31_may() {
    // Registered 15 July 2025: it owes a report on 2025, due 31 May 2026. No entry is added
    // between the three dates; only the clock moves.
    let d = foundation(date!(2025 - 07 - 15), date!(2025 - 07 - 20));
    let annual = |as_of| {
        row(&judge(&d, as_of), "annual_report")
            .into_iter()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert!(annual(date!(2025 - 12 - 31)).is_empty());
    let on_due = annual(date!(2026 - 05 - 31));
    assert_eq!(on_due.len(), 1);
    assert_eq!(
        (on_due[0].due, on_due[0].status, on_due[0].days_late),
        (date!(2026 - 05 - 31), Status::Due, 0)
    );
    let after = annual(date!(2026 - 06 - 02));
    assert_eq!(
        (after[0].status, after[0].days_late, after[0].disclosed),
        (Status::Missing, 2, None)
    );
    // In 2027 the 2026 report is owed too: one row per year registered.
    assert_eq!(annual(date!(2027 - 01 - 01)).len(), 2);
    // The related-party list (2025 Measures Art. 15) is owed from 2026, by 31 May of its
    // own year: due on 31 May 2026, missing a day later.
    let list = |as_of| {
        row(&judge(&d, as_of), "related_party_list")
            .iter()
            .map(|s| (s.obligation.clone(), s.due, s.status))
            .collect::<Vec<_>>()
    };
    let ob = Obligation::RelatedPartyList {
        org: d.org.to_string(),
        year: 2026,
    };
    assert_eq!(
        list(date!(2026 - 05 - 31)),
        vec![(ob.clone(), date!(2026 - 05 - 31), Status::Due)]
    );
    assert_eq!(
        list(date!(2026 - 06 - 01)),
        vec![(ob, date!(2026 - 05 - 31), Status::Missing)]
    );
}

#[test]
fn annual_reports_are_owed_for_years_without_money_but_not_before_the_ledger_saw_the_org() {
    // Registered in 2008, joined the ledger in 2024: 2024 and 2025 are owed as of June 2026;
    // 2008-2023 were owed before the ledger could see them.
    let mut d = foundation(date!(2008 - 03 - 04), date!(2024 - 01 - 01));
    d.annual_reports.insert(
        2024,
        AnnualDuty {
            disclosed: Disclosure::from((date!(2025 - 06 - 03), 17)),
            audit_report: false,
            major_projects: false,
        },
    );
    let all = judge(&d, date!(2026 - 06 - 02));
    let items = row(&all, "annual_report");
    assert_eq!(items.len(), 2, "{items:#?}");
    // 2024's, published 3 June 2025, stays late by 3 days for good.
    assert_eq!(
        (items[0].status, items[0].days_late, items[0].met_by),
        (Status::Late, 3, Some(17))
    );
    assert_eq!((items[1].status, items[1].days_late), (Status::Missing, 2));
    // A trust company owes none of a charity's duties.
    d.org_type = OrgType::TrustCompany;
    assert!(judge(&d, date!(2026 - 06 - 02)).is_empty());
}

fn project(start: Date, planned_end: Option<Date>, closed: Option<(Date, Date)>) -> ProjectDuty {
    ProjectDuty {
        id: Ident::parse("p-1").expect("valid id"),
        start,
        planned_end,
        emergency: false,
        updates: Vec::new(),
        closed: closed.map(|(closed_on, on)| ClosedDuty {
            closed_on,
            disclosed: Disclosure::from((on, 99)),
        }),
    }
}

#[test]
fn a_closed_project_owes_updates_only_until_its_close_and_a_close_out_from_it() {
    // Issue 15's case: no planned end, started 1 June 2024, closed 15 March 2025, the close
    // recorded the same day. Updates were due 1 Sep 2024, 1 Dec 2024 and 1 Mar 2025, and made
    // on those days; the next, 1 Jun 2025, is after the close and not owed, however late the
    // day it is judged on.
    let mut d = fundraiser();
    d.projects.push(project(
        date!(2024 - 06 - 01),
        None,
        Some((date!(2025 - 03 - 15), date!(2025 - 03 - 15))),
    ));
    d.projects[0].updates = vec![
        Disclosure::from((date!(2024 - 09 - 01), 5)),
        Disclosure::from((date!(2024 - 12 - 01), 6)),
        Disclosure::from((date!(2025 - 03 - 01), 7)),
    ];
    let items = judge(&d, date!(2026 - 05 - 16));
    let updates = row(&items, "project_updates");
    let got: Vec<_> = updates.iter().map(|s| (s.due, s.status)).collect();
    assert_eq!(
        got,
        vec![
            (date!(2024 - 09 - 01), Status::Met),
            (date!(2024 - 12 - 01), Status::Met),
            (date!(2025 - 03 - 01), Status::Met),
        ]
    );
    // Close-out: 15 Mar 2025 + 3 months = 15 Jun 2025, met by the close itself.
    let close = row(&items, "project_close");
    assert_eq!(close.len(), 1);
    assert_eq!(
        (close[0].due, close[0].status, close[0].met_by),
        (date!(2025 - 06 - 15), Status::Met, Some(99))
    );
}

#[test]
fn a_project_closed_before_its_planned_end_owes_no_updates_it_no_longer_runs_for() {
    // Planned 1 Jan - 31 Dec 2025 (longer than six months), closed 15 Mar 2025: it ran
    // 2.5 months, so no update was owed; the close-out is due 15 Jun 2025 and was filed
    // 20 Jun 2025, 5 days late.
    let mut d = fundraiser();
    d.projects.push(project(
        date!(2025 - 01 - 01),
        Some(date!(2025 - 12 - 31)),
        Some((date!(2025 - 03 - 15), date!(2025 - 06 - 20))),
    ));
    let items = judge(&d, date!(2025 - 12 - 31));
    assert!(row(&items, "project_updates").is_empty(), "{items:#?}");
    let close = row(&items, "project_close");
    assert_eq!(
        (close[0].due, close[0].status, close[0].days_late),
        (date!(2025 - 06 - 15), Status::Late, 5)
    );
}

#[test]
fn month_end_steps_from_30_november_and_31_august_and_a_leap_day() {
    // Started 30 Nov 2026, runs a year: the first update is due 28 Feb 2027 (30 Nov + 3
    // months, clamped). Met on 28 Feb, the next is due 28 May 2027 and is still "due" on
    // 1 May 2027.
    let mut d = fundraiser();
    d.projects.push(project(
        date!(2026 - 11 - 30),
        Some(date!(2027 - 11 - 30)),
        None,
    ));
    d.projects[0].updates = vec![Disclosure::from(date!(2027 - 02 - 28))];
    let items = judge(&d, date!(2027 - 05 - 01));
    let got: Vec<_> = row(&items, "project_updates")
        .iter()
        .map(|s| (s.due, s.status))
        .collect();
    assert_eq!(
        got,
        vec![
            (date!(2027 - 02 - 28), Status::Met),
            (date!(2027 - 05 - 28), Status::Due)
        ]
    );
    // Started 31 Aug 2026: the first update is due 30 Nov 2026; on 1 Dec it is 1 day missing.
    let mut d = fundraiser();
    d.projects.push(project(
        date!(2026 - 08 - 31),
        Some(date!(2027 - 08 - 31)),
        None,
    ));
    let items = judge(&d, date!(2026 - 12 - 01));
    let u = row(&items, "project_updates");
    assert_eq!(
        (u[0].due, u[0].status, u[0].days_late),
        (date!(2026 - 11 - 30), Status::Missing, 1)
    );
    // Closed 29 Nov 2027: the close-out is due 29 Feb 2028, a leap day; filed 1 Mar 2028,
    // one day late.
    let mut d = fundraiser();
    d.projects.push(project(
        date!(2027 - 09 - 01),
        None,
        Some((date!(2027 - 11 - 29), date!(2028 - 03 - 01))),
    ));
    let close = judge(&d, date!(2028 - 06 - 01));
    let close = row(&close, "project_close");
    assert_eq!(
        (close[0].due, close[0].status, close[0].days_late),
        (date!(2028 - 02 - 29), Status::Late, 1)
    );
}

#[test]
fn a_close_after_the_planned_end_leaves_the_close_out_late_not_met() {
    // Planned to end 31 Mar 2026, closed 10 Sep 2026 (close recorded that day): the close-out
    // was due 30 Jun 2026 and came 72 days late (30 Jun to 10 Sep); the updates ran to the
    // actual close.
    let mut d = fundraiser();
    d.projects.push(project(
        date!(2025 - 10 - 01),
        Some(date!(2026 - 03 - 31)),
        Some((date!(2026 - 09 - 10), date!(2026 - 09 - 10))),
    ));
    let items = judge(&d, date!(2026 - 12 - 31));
    let c = row(&items, "project_close");
    assert_eq!(
        (c[0].due, c[0].status, c[0].days_late),
        (date!(2026 - 06 - 30), Status::Late, 72)
    );
    let last_update = row(&items, "project_updates")
        .last()
        .map(|s| s.due)
        .expect("updates owed");
    // 1 Oct 2025 + 3 months = 1 Jan 2026 (missing, so the list stops there).
    assert_eq!(last_update, date!(2026 - 01 - 01));
}

#[test]
fn a_project_past_its_planned_end_without_a_close_owes_the_close_out_from_the_planned_end() {
    let mut d = fundraiser();
    d.projects.push(project(
        date!(2026 - 01 - 01),
        Some(date!(2026 - 03 - 31)),
        None,
    ));
    // Before the end, nothing; 31 Mar + 3 months = 30 Jun: due on 30 Jun, missing 1 day later.
    assert!(row(&judge(&d, date!(2026 - 03 - 30)), "project_close").is_empty());
    let on = judge(&d, date!(2026 - 06 - 30));
    assert_eq!(row(&on, "project_close")[0].status, Status::Due);
    let after = judge(&d, date!(2026 - 07 - 01));
    let c = row(&after, "project_close");
    assert_eq!(
        (c[0].due, c[0].status, c[0].days_late),
        (date!(2026 - 06 - 30), Status::Missing, 1)
    );
}

#[test]
fn duties_come_from_the_log_with_china_dates_and_the_entries_that_met_them() {
    let mut k = Kit::new();
    k.now = "2025-01-05T02:00:00Z".parse().expect("time");
    let org = k.register(1, "foundation", true);
    let body = json!({"id": "p-1", "title": "项目", "purpose": "教育", "region": "530100",
        "target": "100000.00", "currency": "CNY", "start": "2024-06-01"});
    k.as_org(&org, Kind::ProjectOpen, body).expect("open");
    // Closed on 15 Mar 2025 (China), recorded at 17:00 UTC on 14 Mar, which is already
    // 15 Mar in China.
    k.now = "2025-03-14T17:00:00Z".parse().expect("time");
    let close = k
        .as_org(
            &org,
            Kind::ProjectClose,
            json!({"project": "p-1", "closed_on": "2025-03-15", "summary": "结项", "document": h(4)}),
        )
        .expect("close");
    let duties = k.state.duties();
    assert_eq!(duties.len(), 1);
    let d = &duties[0];
    assert_eq!(d.joined_on, date!(2025 - 01 - 05));
    assert_eq!(d.projects[0].planned_end, None);
    assert_eq!(
        d.projects[0].closed,
        Some(ClosedDuty {
            closed_on: date!(2025 - 03 - 15),
            disclosed: Disclosure::from((date!(2025 - 03 - 15), close)),
        })
    );
    // As of 16 May 2026: the updates due 1 Sep 2024, 1 Dec 2024 and 1 Mar 2025 were never
    // made; only the first is listed (missing 622 days: 1 Sep 2024 to 16 May 2026), and none
    // is owed after the close. The 2026 related-party list, and the 2025 annual report and
    // its audit, are due 31 May 2026.
    let items = judge(d, date!(2026 - 05 - 16));
    let got: Vec<_> = items
        .iter()
        .map(|s| (s.due, s.status, s.days_late))
        .collect();
    assert_eq!(
        got,
        vec![
            (date!(2026 - 05 - 31), Status::Due, 0),
            (date!(2026 - 05 - 31), Status::Due, 0),
            (date!(2026 - 05 - 31), Status::Due, 0),
            (date!(2024 - 09 - 01), Status::Missing, 622),
            (date!(2025 - 06 - 15), Status::Met, 0),
        ]
    );
    // The row reads back as written (it is cached as a view and read by the CLI and API).
    let text = serde_json::to_string(d).expect("serialises");
    let back: OrgDuties = serde_json::from_str(&text).expect("reads back");
    assert_eq!(&back, d);
}

fn campaign(start: Date, planned_end: Option<Date>) -> CampaignDuty {
    CampaignDuty {
        id: Ident::parse("c-1").expect("valid id"),
        start,
        planned_end,
        updates: Vec::new(),
        closed: None,
        has_partners: true,
        partner_evaluation: None,
    }
}

#[test]
fn a_campaign_has_its_own_cadence_final_report_and_partner_evaluation() {
    // Filed to run 1 Jan - 31 Dec 2026 (longer than six months): fundraising disclosures
    // due 1 Apr (made 1 Apr) and 1 Jul (made 10 Jul, 9 days late), then 10 Oct, which was
    // never made. It ended early, on 15 Sep 2026, by a close recorded 20 Sep: so the
    // 10 Oct disclosure is not owed; the final report was due 15 Dec 2026 and was on
    // time; the partners' evaluation, due the same day, is missing 16 days on 31 Dec.
    let mut d = fundraiser();
    let mut c = campaign(date!(2026 - 01 - 01), Some(date!(2026 - 12 - 31)));
    c.updates = vec![
        Disclosure::from((date!(2026 - 04 - 01), 10)),
        Disclosure::from((date!(2026 - 07 - 10), 11)),
    ];
    c.closed = Some(ClosedDuty {
        closed_on: date!(2026 - 09 - 15),
        disclosed: Disclosure::from((date!(2026 - 09 - 20), 12)),
    });
    d.campaigns.push(c);
    let items = judge(&d, date!(2026 - 12 - 31));
    let got: Vec<_> = row(&items, "campaign_updates")
        .iter()
        .map(|s| (s.due, s.status, s.days_late))
        .collect();
    assert_eq!(
        got,
        vec![
            (date!(2026 - 04 - 01), Status::Met, 0),
            (date!(2026 - 07 - 01), Status::Late, 9),
        ]
    );
    let fin = row(&items, "campaign_final");
    assert_eq!(
        (fin[0].due, fin[0].status, fin[0].met_by),
        (date!(2026 - 12 - 15), Status::Met, Some(12))
    );
    let eval = row(&items, "partner_evaluation");
    assert_eq!(
        (eval[0].due, eval[0].status, eval[0].days_late),
        (date!(2026 - 12 - 15), Status::Missing, 16)
    );
    // A campaign without partners owes no evaluation.
    d.campaigns[0].has_partners = false;
    assert!(row(&judge(&d, date!(2026 - 12 - 31)), "partner_evaluation").is_empty());
}

#[test]
fn without_fundraising_status_major_projects_go_in_the_annual_disclosure_instead() {
    // A foundation without public-fundraising status ran a project 1 Mar 2025 - 28 Feb 2026:
    // no three-monthly updates; for 2025 its annual report must carry the major projects'
    // implementation, due 31 May 2026. Its report of 20 May 2026 did not: missing on 1 Jun.
    let mut d = foundation(date!(2020 - 01 - 01), date!(2024 - 01 - 01));
    d.projects.push(project(
        date!(2025 - 03 - 01),
        Some(date!(2026 - 02 - 28)),
        None,
    ));
    d.annual_reports.insert(
        2025,
        AnnualDuty {
            disclosed: Disclosure::from((date!(2026 - 05 - 20), 30)),
            audit_report: false,
            major_projects: false,
        },
    );
    let items = judge(&d, date!(2026 - 06 - 01));
    assert!(row(&items, "project_updates").is_empty(), "{items:#?}");
    let major = row(&items, "major_projects");
    assert_eq!(major.len(), 1, "2024 had no project: {items:#?}");
    assert_eq!(
        (major[0].due, major[0].status, major[0].days_late),
        (date!(2026 - 05 - 31), Status::Missing, 1)
    );
    assert!(row(&items, "audited_financial_report").is_empty());
    // With the major projects in the report, it is met.
    if let Some(r) = d.annual_reports.get_mut(&2025) {
        r.major_projects = true;
    }
    let items = judge(&d, date!(2026 - 06 - 01));
    assert_eq!(row(&items, "major_projects")[0].status, Status::Met);
    // With fundraising status instead, the audit is owed from 2025 on (not for 2024,
    // before the 2025 Measures), and the updates are.
    let mut f = d.clone();
    f.public_fundraising = true;
    let items = judge(&f, date!(2026 - 06 - 01));
    let audit: Vec<_> = row(&items, "audited_financial_report")
        .iter()
        .map(|s| (s.obligation.clone(), s.status))
        .collect();
    assert_eq!(
        audit,
        vec![(
            Obligation::AuditedFinancialReport {
                org: f.org.to_string(),
                year: 2025
            },
            Status::Missing
        )]
    );
    assert!(!row(&items, "project_updates").is_empty());
    assert!(row(&items, "major_projects").is_empty());
}

#[test]
fn campaigns_are_refused_without_fundraising_status_and_close_once() {
    let mut k = Kit::new();
    let plain = k.register(1, "foundation", false);
    let public = k.register(2, "foundation", true);
    k.project(&plain, "P1", "教育");
    k.project(&public, "P1", "教育");
    let open = json!({"id": "C1", "title": "助学募捐", "filing_no": "MZ-2026-0001",
        "start": "2026-01-01", "end": "2026-12-31", "projects": ["P1"], "partners": ["某互联网募捐平台"]});
    let err = k
        .as_org(&plain, Kind::CampaignOpen, open.clone())
        .expect_err("no status");
    assert_eq!(err.code(), "no_public_fundraising");
    let mut unknown = open.clone();
    unknown["projects"] = json!(["P9"]);
    let err = k
        .as_org(&public, Kind::CampaignOpen, unknown)
        .expect_err("unknown project");
    assert_eq!(
        (err.code(), err.field()),
        ("unknown_project", "body.projects[0]")
    );
    k.as_org(&public, Kind::CampaignOpen, open.clone())
        .expect("opens");
    let err = k
        .as_org(&public, Kind::CampaignOpen, open)
        .expect_err("duplicate");
    assert_eq!(err.code(), "duplicate_campaign");
    let close = json!({"campaign": "C1", "ended_on": "2026-05-31", "summary": "募捐结束",
        "document": h(5)});
    let seq = k
        .as_org(&public, Kind::CampaignClose, close.clone())
        .expect("closes");
    let err = k
        .as_org(&public, Kind::CampaignClose, close)
        .expect_err("closed");
    assert_eq!(err.code(), "campaign_closed");
    // The evaluation follows by update; the duties row says so.
    let upd = json!({"campaign": "C1", "as_of": "2026-06-01", "document": h(6),
        "partner_evaluation": h(7)});
    let eval = k
        .as_org(&public, Kind::CampaignUpdate, upd)
        .expect("update");
    let duties = k.state.duties();
    let c = &duties[1].campaigns[0];
    assert_eq!(c.closed.map(|e| e.disclosed.seq), Some(Some(seq)));
    assert_eq!(c.partner_evaluation.and_then(|d| d.seq), Some(eval));
    // And the replayed state agrees.
    assert_eq!(k.replay().state.duties(), duties);
}

#[test]
fn the_2025_measures_events_are_judged_from_their_own_entries() {
    // Recorded on 1 June 2026 (Kit's clock).
    let mut k = Kit::new();
    let trustee = k.register(1, "trust_company", false);
    let org = k.register(2, "foundation", true);
    // Art. 13: a major investment made on 1 April, disclosed on 1 June: due 1 May (30
    // days), 31 days late.
    let inv = k
        .as_org(
            &org,
            Kind::Disclosure,
            json!({"subject": "major_investment", "occurred_on": "2026-04-01",
                "amount": "5000000.00", "currency": "CNY", "summary": "购买国债", "document": h(1)}),
        )
        .expect("disclosure");
    // Without its amount it is refused, naming the field.
    let err = k
        .as_org(
            &org,
            Kind::Disclosure,
            json!({"subject": "major_investment", "occurred_on": "2026-04-01",
                "summary": "购买国债", "document": h(1)}),
        )
        .expect_err("amount");
    assert_eq!(err.field(), "body.amount");
    // Art. 14 (1): a donation from a related party received 20 May, recorded 1 June: due
    // 19 June, met by the donation itself.
    let mut gift = super::testkit::cash("R-1", None, "1000.00", "CNY");
    gift["related_party"] = json!(true);
    let gift_seq = k.as_org(&org, Kind::Donation, gift).expect("donation");
    // Art. 12: a trust the foundation set up as settlor, signed 3 January: its publication
    // was due 2 February and never made.
    let mut trust = json!({"trust_id": "T1", "name": "助学慈善信托", "trustee": trustee.as_str(),
        "settlors": [{"settlor_type": "organisation", "display": "测试基金会2", "commitment": h(2),
                      "org": org.as_str()}],
        "purpose": "教育", "property": "1000000.00", "currency": "CNY",
        "term_start": "2026-01-10", "filing_no": "YN-2026-001",
        "filing_authority": "云南省民政厅", "signed_on": "2026-01-03", "filed_on": "2026-01-08"});
    trust["settlors"][0]["org"] = json!(super::testkit::org_id(77).as_str());
    let err = k
        .as_reg(Kind::TrustFile, trust.clone())
        .expect_err("unknown settlor");
    assert_eq!(
        (err.code(), err.field()),
        ("unknown_org", "body.settlors[0].org")
    );
    trust["settlors"][0]["org"] = json!(org.as_str());
    k.as_reg(Kind::TrustFile, trust).expect("trust");
    let duties = k.state.duties();
    let d = duties
        .iter()
        .find(|d| d.org == org)
        .expect("the foundation's duties");
    let items = judge(d, date!(2026 - 06 - 01));
    let major = row(&items, "major_event");
    assert_eq!(
        (
            major[0].due,
            major[0].status,
            major[0].days_late,
            major[0].met_by
        ),
        (date!(2026 - 05 - 01), Status::Late, 31, Some(inv))
    );
    let rp = row(&items, "related_party");
    assert_eq!(
        (rp[0].due, rp[0].status, rp[0].met_by),
        (date!(2026 - 06 - 19), Status::Met, Some(gift_seq))
    );
    let settled = row(&items, "settlor_trust");
    assert_eq!(
        (settled[0].due, settled[0].status, settled[0].days_late),
        (date!(2026 - 02 - 02), Status::Missing, 119)
    );
    // Published the same day: late by 119 days, met by that entry.
    let pubd = k
        .as_org(
            &org,
            Kind::Disclosure,
            json!({"subject": "trust_settled", "occurred_on": "2026-01-03", "trust_id": "T1",
                "summary": "设立助学慈善信托", "document": h(3)}),
        )
        .expect("published");
    let duties = k.state.duties();
    let d = duties.iter().find(|d| d.org == org).expect("duties");
    let items = judge(d, date!(2026 - 06 - 01));
    let settled = row(&items, "settlor_trust");
    assert_eq!(
        (settled[0].status, settled[0].days_late, settled[0].met_by),
        (Status::Late, 119, Some(pubd))
    );
}

/// A trust of `trustee` with no supervisor, filed by the regulator: signed 3 January, filed
/// 8 January, its term from 10 January of `year`.
fn trust_filing(id: &str, trustee: &crate::ledger::Uscc, year: i32) -> serde_json::Value {
    json!({"trust_id": id, "name": "助学慈善信托", "trustee": trustee.as_str(),
        "settlors": [{"settlor_type": "individual", "display": "王*", "commitment": h(1)}],
        "purpose": "教育", "property": "1000000.00", "currency": "CNY",
        "term_start": format!("{year}-01-10"), "filing_no": format!("YN-{id}"),
        "filing_authority": "云南省民政厅", "signed_on": format!("{year}-01-03"),
        "filed_on": format!("{year}-01-08")})
}

#[test]
fn a_trusts_end_is_reported_on_day_15_on_time_and_on_day_16_one_day_late() {
    let mut k = Kit::new();
    let trustee = k.register(1, "trust_company", false);
    for t in ["T1", "T2"] {
        k.as_reg(Kind::TrustFile, trust_filing(t, &trustee, 2026))
            .expect("filed");
    }
    let end = |t: &str| {
        json!({"trust_id": t, "reason": "信托目的已实现", "terminated_on": "2027-01-20",
            "liquidation_report": h(12), "remaining_property": "1000000.00",
            "remaining_to": "某教育基金会", "reported_on": "2027-02-04"})
    };
    // Both ended on 20 January 2027; 20 Jan + 15 days = 4 February (11 days in January, 4 in
    // February). T1's end is recorded at 23:59:59 on 4 February in China (15:59:59 UTC): day
    // 15, on time. T2's one second later, 00:00 on 5 February in China: day 16, one day late.
    k.now = "2027-02-04T15:59:59Z".parse().expect("time");
    let on_time = k
        .as_org(&trustee, Kind::TrustTerminate, end("T1"))
        .expect("T1 ends");
    k.now = "2027-02-04T16:00:00Z".parse().expect("time");
    let late = k
        .as_org(&trustee, Kind::TrustTerminate, end("T2"))
        .expect("T2 ends");
    let duties = k.state.duties();
    let d = duties.iter().find(|d| d.org == trustee).expect("duties");
    let items = judge(d, date!(2027 - 12 - 31));
    let ends: Vec<_> = row(&items, "trust_termination")
        .iter()
        .map(|s| (s.obligation.clone(), s.due, s.status, s.days_late, s.met_by))
        .collect();
    let ob = |t: &str| Obligation::TrustTermination {
        trust: t.into(),
        terminated_on: date!(2027 - 01 - 20),
    };
    assert_eq!(
        ends,
        vec![
            (
                ob("T1"),
                date!(2027 - 02 - 04),
                Status::Met,
                0,
                Some(on_time)
            ),
            (ob("T2"), date!(2027 - 02 - 04), Status::Late, 1, Some(late)),
        ]
    );
    // The trust page's figure agrees: 15 days to report T1 (within), 16 for T2 (over).
    let days = |t: &str| {
        let ended = k.state.trust(&super::testkit::id(t)).expect("trust");
        let e = ended.terminated.as_ref().expect("ended");
        (e.days_to_report, e.reported_late)
    };
    assert_eq!((days("T1"), days("T2")), ((15, false), (16, true)));
    // The row reads back as written, and the replayed state agrees.
    let text = serde_json::to_string(d).expect("serialises");
    assert_eq!(&serde_json::from_str::<OrgDuties>(&text).expect("reads"), d);
    assert_eq!(k.replay().state.duties(), duties);
}

#[test]
fn trust_reports_are_owed_only_for_years_the_ledger_saw_the_trustee_in() {
    // The trustee joins the ledger on 1 June 2026 (Kit's clock) with a trust whose term began
    // in January 2020. Its reports on 2020-2025 were owed before the ledger could see it; the
    // 2026 report, due 31 March 2027, is judged: missing 1 day on 1 April 2027.
    let mut k = Kit::new();
    let trustee = k.register(1, "trust_company", false);
    k.as_reg(Kind::TrustFile, trust_filing("T1", &trustee, 2020))
        .expect("filed");
    let duties = k.state.duties();
    let d = duties.iter().find(|d| d.org == trustee).expect("duties");
    assert_eq!(d.joined_on, date!(2026 - 06 - 01));
    let items = judge(d, date!(2027 - 04 - 01));
    let reports: Vec<_> = row(&items, "trust_report")
        .iter()
        .map(|s| (s.obligation.clone(), s.due, s.status, s.days_late))
        .collect();
    assert_eq!(
        reports,
        vec![(
            Obligation::TrustReport {
                trust: "T1".into(),
                year: 2026
            },
            date!(2027 - 03 - 31),
            Status::Missing,
            1
        )]
    );
    // The filing itself (signed 3 January 2020, filed 8 January, within 7 days) is met.
    let filing = row(&items, "trust_filing");
    assert_eq!(
        (filing.len(), filing[0].status, filing[0].due),
        (1, Status::Met, date!(2020 - 01 - 10))
    );
}
