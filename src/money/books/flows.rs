//! Money in and out of organisations' funds: donations, disbursements, grants between
//! organisations.

use crate::ledger::Kind;

use super::funds::FundKey;
use super::{Books, DonationBody, DonationRecord, Eff, SpendRecord};
use crate::money::bodies::{Disbursement, Donation, GrantTransfer};
use crate::money::error::{MoneyError, Rule};
use crate::money::types::{Money, SpendCategory};

impl Books {
    pub(crate) fn donation(&mut self, e: &Eff, body: DonationBody) -> Result<(), MoneyError> {
        let b: &Donation = &body;
        let org = self.author_org(e)?.register.org;
        if let Some(p) = &b.project {
            self.project(&org, p, "body.project", true)?;
        }
        // Receipt numbers are unique: the state refuses a reused one before the books see it.
        let key = (org.clone(), b.receipt_no.clone());
        self.count_donation(&org, b);
        // Goods naming an item are stock, whatever their value: never in a cash fund.
        self.goods_gift(e, &org, b)?;
        // Goods without a valuation have no amount: recorded, never counted.
        if let Some((amount, currency)) = b.value().filter(|_| b.goods_item().is_none()) {
            let fund = FundKey {
                org: org.clone(),
                project: b.project.clone(),
                currency,
            };
            self.funds.receive(
                fund,
                key.clone(),
                amount.decimal(),
                b.restricted_until_year.map(|y| y.0),
            );
        }
        if b.related_party {
            self.related_donations.insert(
                e.seq,
                super::disclosures::RelatedDonation {
                    org: org.clone(),
                    seq: e.seq,
                    recorded_at: e.recorded_at,
                    received_on: b.received_on,
                },
            );
        }
        self.add_donation(DonationRecord {
            seq: e.seq,
            org,
            recorded_at: e.recorded_at,
            body,
        });
        Ok(())
    }

    pub(crate) fn disbursement(&mut self, e: &Eff, b: &Disbursement) -> Result<(), MoneyError> {
        let org = self.author_org(e)?.register.org;
        if let Some(p) = &b.project {
            self.project(&org, p, "body.project", true)?;
            crate::money::rules::restrictions::check_category(p, b.category)?;
        }
        let from = FundKey {
            org,
            project: b.project.clone(),
            currency: b.currency,
        };
        let amount = b.amount.decimal();
        let year = b.paid_on.year();
        self.funds.check_draw(&from, amount, "body.amount", year)?;
        self.funds
            .spend(&from, amount, e.seq, Kind::Disbursement, year);
        self.add_spend(
            (e.seq, 0),
            SpendRecord {
                seq: e.seq,
                kind: Kind::Disbursement,
                from,
                to: None,
                amount: Money(amount),
                category: b.category,
                paid_on: b.paid_on,
                recorded_at: e.recorded_at,
                related_party: b.related_party,
            },
        );
        Ok(())
    }

    pub(crate) fn grant_transfer(&mut self, e: &Eff, b: &GrantTransfer) -> Result<(), MoneyError> {
        let org = self.author_org(e)?.register.org;
        if b.to_org == org {
            return Err(MoneyError::refused(
                "body.to_org",
                Rule::SelfTransfer,
                "a grant goes to another organisation",
            ));
        }
        self.org(&b.to_org, "body.to_org")?;
        self.project(&b.to_org, &b.to_project, "body.to_project", true)?;
        if let Some(p) = &b.from_project {
            self.project(&org, p, "body.from_project", true)?;
        }
        let from = FundKey {
            org,
            project: b.from_project.clone(),
            currency: b.currency,
        };
        let to = FundKey {
            org: b.to_org.clone(),
            project: Some(b.to_project.clone()),
            currency: b.currency,
        };
        let amount = b.amount.decimal();
        let year = b.paid_on.year();
        self.funds.check_draw(&from, amount, "body.amount", year)?;
        self.funds
            .transfer(&from, &to, amount, e.seq, Kind::GrantTransfer, Some(year));
        self.add_spend(
            (e.seq, 0),
            SpendRecord {
                seq: e.seq,
                kind: Kind::GrantTransfer,
                from,
                to: Some(to),
                amount: Money(amount),
                category: SpendCategory::Programme,
                paid_on: b.paid_on,
                recorded_at: e.recorded_at,
                related_party: b.related_party,
            },
        );
        Ok(())
    }
}
