//! The day loop: the history simulated one day at a time, as the batches are taken, so the
//! ledger is written while it is made and never sits in memory whole.

use time::Date;

use super::donations::DonationPlan;
use super::generator::Gen;
use super::{Batch, FIRST_DAY, LAST_DAY};

/// The demo's batches, one per simulated day that has entries, generated as they are taken.
pub struct Days {
    pub(super) g: Gen,
    plan: DonationPlan,
    /// The next day to simulate; `None` once past [`LAST_DAY`].
    next_day: Option<Date>,
}

impl Days {
    pub(super) fn new(g: Gen, plan: DonationPlan) -> Days {
        Days {
            g,
            plan,
            next_day: FIRST_DAY.next_day(),
        }
    }

    /// Donations generated so far (all of them once the iterator is done).
    pub fn donations(&self) -> u64 {
        self.g.donations
    }

    /// Simulated days, from the first to the last.
    pub fn total_days() -> u64 {
        (LAST_DAY - FIRST_DAY).whole_days().unsigned_abs() + 1
    }

    /// Simulated days done so far.
    pub fn days_done(&self) -> u64 {
        match self.next_day {
            Some(d) => (d - FIRST_DAY).whole_days().unsigned_abs(),
            None => Self::total_days(),
        }
    }
}

impl Iterator for Days {
    type Item = Batch;

    fn next(&mut self) -> Option<Batch> {
        loop {
            if let Some(batch) = self.g.batches.pop() {
                return Some(batch);
            }
            let day = self.next_day?;
            self.g.simulate(day, &self.plan);
            self.next_day = day.next_day().filter(|d| *d <= LAST_DAY);
        }
    }
}

impl Gen {
    /// Everything that happens on `day`, as one batch (none if nothing happens).
    pub(super) fn simulate(&mut self, day: Date, plan: &DonationPlan) {
        self.day = day;
        self.open_projects();
        self.scripted();
        self.org_time_today();
        self.goods_today();
        for (org, major) in plan.of_day(day) {
            self.donation(org, major);
        }
        self.weekly_spending();
        self.year_end_spending();
        self.monthly_grants();
        self.trusts_today();
        self.lottery_today();
        self.project_updates();
        self.close_projects();
        self.reports_today();
        self.duties_today();
        self.corrections_today();
        self.flush();
    }
}
