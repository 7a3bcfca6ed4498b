//! The demo's organisations over time (issue 14, part 3): an endowed foundation that joins the
//! ledger with its opening balance (and so is banded by its 100,000,000.00 of net assets and
//! falls short of the 6% its band needs), a public foundation whose 2024 annual report carries
//! audited figures above the ledger's (its 2025 spending, enough for the ledger's revenue, falls
//! short of 70% of the audited one, and the differences are flagged), a foundation granted
//! public-fundraising status in December 2025 (so 2025 is judged by the 70% rule), a status
//! revoked in October 2026, and a social group renamed.

use rust_decimal::Decimal;
use serde_json::{Value, json};
use time::Date;

use super::generator::{Gen, Signer};
use super::{cents, date, day_str, yuan};
use crate::ledger::Kind;

/// The foundation without public-fundraising status that joins with an endowment (潮州市韩江乡贤基金会).
pub(super) const ENDOWED: usize = 10;
/// Its declared net assets at 2023-12-31, in cents: 100,000,000.00, of which 40,000,000.00
/// restricted.
const ENDOWMENT_CENTS: i64 = 10_000_000_000;
const ENDOWMENT_RESTRICTED_CENTS: i64 = 4_000_000_000;
/// The public foundation whose 2024 report carries audited figures (佛山市顺德社区慈善基金会).
pub(super) const AUDITED: usize = 3;
/// What its audited 2024 revenue holds beyond the ledger's: government grants and investment
/// income (cents).
const GOVERNMENT_GRANTS_CENTS: i64 = 300_000_000;
const INVESTMENT_INCOME_CENTS: i64 = 12_000_000;
/// The public foundation whose status is revoked from 2026-10-15 (浙江省钱塘公益基金会).
const REVOKED: usize = 6;
/// The social group renamed from 2025-09-01 (佛山市慈善会).
const RENAMED: usize = 15;
/// Foundations without status that may be granted it (not the endowed one, nor the one whose
/// 2025 report leaves out its major projects).
const MAY_BE_GRANTED: [usize; 3] = [8, 11, 12];

/// Status changes the demo made: (organisation, effective day, holds after).
#[derive(Debug, Default)]
pub(super) struct Shadow {
    changes: Vec<(usize, Date, bool)>,
}

impl Gen {
    /// The regulator's and the organisations' over-time entries of the day.
    pub(super) fn org_time_today(&mut self) {
        let d = self.day;
        if d == date(2024, 1, 2) {
            let doc = self.hash("opening-balance");
            let body = json!({"as_of": "2023-12-31", "currency": "CNY",
                "net_assets": yuan(cents(ENDOWMENT_CENTS)),
                "restricted": yuan(cents(ENDOWMENT_RESTRICTED_CENTS)),
                "unrestricted": yuan(cents(ENDOWMENT_CENTS - ENDOWMENT_RESTRICTED_CENTS)),
                "document": doc});
            self.push(Signer::Org(ENDOWED), Kind::OrgOpening, body);
        }
        if d == date(2025, 9, 1) {
            let doc = self.hash("registration-change");
            let body = json!({"org": self.orgs[RENAMED].d.id, "effective_on": day_str(d),
                "decision": doc, "name": "佛山市慈善总会"});
            self.push(Signer::Regulator, Kind::OrgChange, body);
        }
        if d == date(2026, 1, 5) {
            // Granted in December 2025 on an application of the autumn, so 2025 ends with the
            // status and is judged by the 70% rule. The regulator picks (the demo's stand-in
            // for a real application) a foundation whose 2025 spending falls short of it, if
            // one does.
            let o = self.grantee();
            self.status_change(o, date(2025, 12, 1), true);
        }
        if d == date(2026, 10, 15) {
            self.status_change(REVOKED, d, false);
        }
    }

    fn grantee(&self) -> usize {
        let short = |o: &usize| {
            let prior = self
                .figs
                .get(&(*o, 2024))
                .map_or(Decimal::ZERO, |f| f.income);
            let spent = self
                .figs
                .get(&(*o, 2025))
                .map_or(Decimal::ZERO, |f| f.charitable);
            spent * Decimal::TEN < prior * Decimal::from(7)
        };
        MAY_BE_GRANTED
            .iter()
            .copied()
            .find(short)
            .unwrap_or(MAY_BE_GRANTED[0])
    }

    fn status_change(&mut self, o: usize, on: Date, holds: bool) {
        let doc = self.hash("fundraising-status");
        let body = json!({"org": self.orgs[o].d.id,
            "change": if holds { "granted" } else { "revoked" },
            "effective_on": day_str(on), "decision": doc});
        self.org_time.changes.push((o, on, holds));
        self.push(Signer::Regulator, Kind::OrgFundraising, body);
    }

    /// Whether `o` holds public-fundraising status at the end of `year`: what its annual report
    /// for the year owes (an audit report, or its major projects).
    pub(super) fn holds_status_in(&self, o: usize, year: i32) -> bool {
        self.org_time
            .changes
            .iter()
            .rfind(|(c, on, _)| *c == o && on.year() <= year)
            .map_or(self.orgs[o].d.public_fundraising, |(_, _, holds)| *holds)
    }

    /// The audited figures of `AUDITED`'s 2024 report: the ledger's flows plus the government
    /// grants and investment income the ledger never saw.
    pub(super) fn audited_figures(&mut self, o: usize, year: i32, body: &mut Value) {
        if o != AUDITED || year != 2024 {
            return;
        }
        let f = self.figs.get(&(o, year)).copied().unwrap_or_default();
        let extra = cents(GOVERNMENT_GRANTS_CENTS + INVESTMENT_INCOME_CENTS);
        let net: Decimal = self
            .figs
            .iter()
            .filter(|((fo, fy), _)| *fo == o && *fy <= year)
            .map(|(_, f)| f.income - f.charitable - f.admin - f.fundraising)
            .sum();
        body["audited"] = json!({
            "total_revenue": yuan(f.income + extra),
            "donations": yuan(f.income),
            "government_grants": yuan(cents(GOVERNMENT_GRANTS_CENTS)),
            "investment_income": yuan(cents(INVESTMENT_INCOME_CENTS)),
            "service_income": "0.00",
            "other_income": "0.00",
            "charitable_expenditure": yuan(f.charitable),
            "management_costs": yuan(f.admin),
            "total_expenditure": yuan(f.charitable + f.admin + f.fundraising),
            "net_assets_year_end": yuan((net + extra).max(Decimal::ZERO)),
        });
        body["audit_report"] = json!(self.hash("audit-report"));
    }
}
