//! The money model's tests, one file per subject, driven through [`testkit::Kit`] the way the
//! core feeds the model. Unit tests of private helpers stay beside them.

pub mod testkit;

mod admission;
mod corrections;
mod duties;
mod flows;
mod goods;
mod lottery;
mod org_time;
mod replay_props;
mod restricted;
mod trusts;
