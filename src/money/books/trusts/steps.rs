//! The entries that change a trust: `trust.file` (by a regulator), then the trustee's
//! `trust.disburse`, `trust.report`, `trust.receive`, `trust.fee` and `trust.terminate`.

use crate::ledger::Author;
use crate::money::bodies::{
    TrustDisburse, TrustFee, TrustFile, TrustReceive, TrustReport, TrustTerminate,
};
use crate::money::error::{MoneyError, Rule, Thing, Unique};
use crate::money::rules::trusts_lottery::citation;
use crate::money::types::{Ident, Money};

use super::super::{Books, Eff};
use super::{
    TERMINATION_REPORT_DAYS, TrustEnd, TrustFlow, TrustRecord, TrustReportRecord, TrustSpend,
};

impl Books {
    pub(crate) fn trust_file(&mut self, e: &Eff, b: &TrustFile) -> Result<(), MoneyError> {
        let Author::Regulator(reg) = e.author else {
            return Err(MoneyError::refused(
                "author",
                Rule::NotAuthor,
                "a trust is filed by a regulator",
            ));
        };
        let trustee = self.org(&b.trustee, "body.trustee")?;
        if !crate::money::books::charity_only::may_be_trustee(trustee.register.org_type) {
            return Err(MoneyError::refused(
                "body.trustee",
                Rule::WrongOrgType,
                format!(
                    "a trustee is a charity or a trust company, not a {} ({})",
                    trustee.register.org_type,
                    crate::money::rules::org_time::cite("charity_only_trustee")
                ),
            ));
        }
        if self.trusts.contains_key(&b.trust_id) {
            return Err(MoneyError::duplicate(
                "body.trust_id",
                Unique::Trust,
                &b.trust_id,
            ));
        }
        for (i, s) in b.settlors.iter().enumerate() {
            if let Some(org) = &s.org {
                self.org(org, &format!("body.settlors[{i}].org"))?;
            }
        }
        self.file_trust(e, b, reg.clone());
        Ok(())
    }

    fn trustee_trust(&self, e: &Eff, id: &Ident) -> Result<TrustRecord, MoneyError> {
        let t = self
            .trusts
            .get(id)
            .ok_or_else(|| MoneyError::unknown("body.trust_id", Thing::Trust, id))?;
        if e.author.org() != Some(&t.filing.trustee) {
            return Err(MoneyError::refused(
                "body.trust_id",
                Rule::NotOwner,
                "only the trustee speaks for a trust",
            ));
        }
        Ok(t.clone())
    }

    pub(crate) fn trust_disburse(&mut self, e: &Eff, b: &TrustDisburse) -> Result<(), MoneyError> {
        self.author_org(e)?;
        let mut t = self.trustee_trust(e, &b.trust_id)?;
        t.live()?;
        let amount = b.amount.decimal();
        t.pay_out(b.currency, amount)?;
        t.disbursements.push(TrustSpend {
            seq: e.seq,
            recorded_at: e.recorded_at,
            amount: Money(amount),
            paid_on: b.paid_on,
        });
        self.trusts.insert(b.trust_id.clone(), t);
        Ok(())
    }

    pub(crate) fn trust_report(&mut self, e: &Eff, b: &TrustReport) -> Result<(), MoneyError> {
        self.author_org(e)?;
        let mut t = self.trustee_trust(e, &b.trust_id)?;
        if b.year.0 < t.filing.filed_on.year() {
            return Err(MoneyError::refused(
                "body.year",
                Rule::BadDates,
                "the trust was filed after that year",
            ));
        }
        t.reportable(b.year.0)?;
        if t.reports.contains_key(&b.year.0) {
            return Err(MoneyError::duplicate(
                "body.year",
                Unique::TrustReport,
                b.year.0,
            ));
        }
        let ledger = t.disbursed_in(b.year.0);
        if b.disbursed.0 != ledger {
            return Err(MoneyError::refused(
                "body.disbursed",
                Rule::FiguresMismatch,
                format!(
                    "the ledger holds {} disbursed in {}",
                    Money(ledger),
                    b.year.0
                ),
            ));
        }
        t.check_statement(b)?;
        t.reports.insert(
            b.year.0,
            TrustReportRecord {
                seq: e.seq,
                recorded_at: e.recorded_at,
                body: b.clone(),
            },
        );
        self.trusts.insert(b.trust_id.clone(), t);
        Ok(())
    }

    pub(crate) fn trust_receive(&mut self, e: &Eff, b: &TrustReceive) -> Result<(), MoneyError> {
        self.author_org(e)?;
        let mut t = self.trustee_trust(e, &b.trust_id)?;
        t.live()?;
        t.held_in(b.currency)?;
        if b.received_on < t.filing.filed_on {
            return Err(MoneyError::refused(
                "body.received_on",
                Rule::BadDates,
                "property received before the filing is part of the filed property",
            ));
        }
        if let Some(org) = b.settlor.as_ref().and_then(|s| s.org.as_ref()) {
            self.org(org, "body.settlor.org")?;
        }
        let amount = b.amount.decimal();
        t.balance = Money(t.balance.0 + amount);
        t.receipts.push(TrustFlow {
            seq: e.seq,
            recorded_at: e.recorded_at,
            kind: b.source.as_str().to_owned(),
            amount: Money(amount),
            on: b.received_on,
        });
        self.trusts.insert(b.trust_id.clone(), t);
        Ok(())
    }

    pub(crate) fn trust_fee(&mut self, e: &Eff, b: &TrustFee) -> Result<(), MoneyError> {
        self.author_org(e)?;
        let mut t = self.trustee_trust(e, &b.trust_id)?;
        t.live()?;
        let amount = b.amount.decimal();
        t.pay_out(b.currency, amount)?;
        t.fees.push(TrustFlow {
            seq: e.seq,
            recorded_at: e.recorded_at,
            kind: b.fee_type.as_str().to_owned(),
            amount: Money(amount),
            on: b.paid_on,
        });
        self.trusts.insert(b.trust_id.clone(), t);
        Ok(())
    }

    pub(crate) fn trust_terminate(
        &mut self,
        e: &Eff,
        b: &TrustTerminate,
    ) -> Result<(), MoneyError> {
        self.author_org(e)?;
        let mut t = self.trustee_trust(e, &b.trust_id)?;
        t.live()?;
        if b.terminated_on < t.filing.filed_on || t.last_flow().is_some_and(|d| d > b.terminated_on)
        {
            return Err(MoneyError::refused(
                "body.terminated_on",
                Rule::BadDates,
                "a trust ends after its filing and after the last money it moved",
            ));
        }
        if b.remaining_property != t.balance {
            return Err(MoneyError::refused(
                "body.remaining_property",
                Rule::FiguresMismatch,
                format!(
                    "the ledger holds {} of the trust's property ({})",
                    t.balance,
                    citation("trust_terminated")
                ),
            ));
        }
        if let Some(org) = &b.remaining_to_org {
            self.org(org, "body.remaining_to_org")?;
        }
        t.supervised(b.supervisor_opinion.is_some())?;
        let days = (e.recorded_at.china_date() - b.terminated_on).whole_days();
        t.balance = Money::ZERO;
        t.terminated = Some(TrustEnd {
            seq: e.seq,
            recorded_at: e.recorded_at,
            body: b.clone(),
            days_to_report: days,
            reported_late: days > TERMINATION_REPORT_DAYS,
        });
        self.trusts.insert(b.trust_id.clone(), t);
        Ok(())
    }
}
