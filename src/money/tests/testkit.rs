//! Test helpers: a tiny ledger driver that feeds [`MoneyState::admit`] the way the core would,
//! plus body builders. Keys are derived from fixed seeds; the money model never checks them.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::ledger::submission::FORMAT_VERSION;
use crate::ledger::{Author, Kind, Nonce, SecretKey, Submission, Timestamp, Uscc};

use crate::money::books::records::{compose_trace, hops_prefix, parse_donation};
use crate::money::books::trace::Trace;
use crate::money::books::{DonationRecord, SpendRecord};
use crate::money::error::MoneyError;
use crate::money::state::{EntryCtx, MoneyState};
use crate::money::types::Ident;
use crate::money::views::keys;

/// The regulator named in every test genesis.
pub const REG: &str = "11100000000013338W";
/// The default recording instant: 2026-06-01 12:00 Beijing time.
pub const NOW: &str = "2026-06-01T04:00:00Z";

/// A valid unified social credit code for test organisation `n`.
pub fn org_id(n: u16) -> Uscc {
    Uscc::with_check(&format!("5310000050002{n:04}")).expect("valid test code")
}

pub fn reg_id() -> Uscc {
    REG.parse().expect("valid test code")
}

/// A fake document hash, different per `n`.
pub fn h(n: u8) -> String {
    hex::encode([n; 32])
}

/// Drives a [`MoneyState`] with entries at increasing seqs; seq advances only on acceptance, as
/// in the ledger.
pub struct Kit {
    pub state: MoneyState,
    /// The record rows the entries wrote, kept as the store keeps them.
    pub records: BTreeMap<String, String>,
    pub next_seq: u64,
    pub now: Timestamp,
    /// Every accepted entry, to replay.
    pub log: Vec<(u64, Timestamp, Submission)>,
    nonce: u64,
}

impl Default for Kit {
    fn default() -> Self {
        Kit::new()
    }
}

impl Kit {
    /// A state holding genesis (one regulator) only.
    pub fn new() -> Kit {
        let mut k = Kit {
            state: MoneyState::default(),
            records: BTreeMap::new(),
            next_seq: 0,
            now: NOW.parse().expect("time"),
            log: Vec::new(),
            nonce: 0,
        };
        let op = SecretKey::from_seed([1; 32]);
        let reg = SecretKey::from_seed([2; 32]);
        let body = json!({"origin": "test", "operator_key": op.public().to_hex(),
            "regulators": [{"id": REG, "name": "民政部", "key": reg.public().to_hex()}]});
        k.submit(Kind::Genesis, &Author::Operator, body)
            .expect("genesis");
        k
    }

    pub fn submission(&mut self, kind: Kind, author: &Author, body: Value) -> Submission {
        self.nonce += 1;
        let key = SecretKey::from_seed([3; 32]);
        Submission {
            v: FORMAT_VERSION,
            kind,
            author: author.clone(),
            key: key.public(),
            time: self.now,
            nonce: format!("nonce-{:08}", self.nonce)
                .parse::<Nonce>()
                .expect("nonce"),
            body,
        }
    }

    /// Offers an entry; returns its seq if accepted.
    pub fn submit(&mut self, kind: Kind, author: &Author, body: Value) -> Result<u64, MoneyError> {
        let sub = self.submission(kind, author, body);
        let seq = self.next_seq;
        let earlier: Vec<EntryCtx> = if kind == Kind::Correction {
            self.log
                .iter()
                .map(|(seq, at, sub)| EntryCtx {
                    seq: *seq,
                    recorded_at: *at,
                    submission: sub,
                })
                .collect()
        } else {
            Vec::new()
        };
        let records = self.state.admit(
            &EntryCtx {
                seq,
                recorded_at: self.now,
                submission: &sub,
            },
            &earlier,
        )?;
        records.apply_to(&mut self.records);
        self.log.push((seq, self.now, sub));
        self.next_seq += 1;
        Ok(seq)
    }

    pub fn as_org(&mut self, org: &Uscc, kind: Kind, body: Value) -> Result<u64, MoneyError> {
        self.submit(kind, &Author::Org(org.clone()), body)
    }

    pub fn as_reg(&mut self, kind: Kind, body: Value) -> Result<u64, MoneyError> {
        self.submit(kind, &Author::Regulator(reg_id()), body)
    }

    /// Registers test organisation `n`.
    pub fn register(&mut self, n: u16, org_type: &str, public_fundraising: bool) -> Uscc {
        let id = org_id(n);
        let key = SecretKey::from_seed([10 + (n % 200) as u8; 32]);
        let body = json!({"org": id.as_str(), "name": format!("测试基金会{n}"), "org_type": org_type,
            "region": "530000", "public_fundraising": public_fundraising, "registered_on": "2020-01-01",
            "keys": [key.public().to_hex()]});
        self.as_reg(Kind::OrgRegister, body).expect("register");
        id
    }

    /// Opens a project of `org` with `purpose` (no public fundraising).
    pub fn project(&mut self, org: &Uscc, id: &str, purpose: &str) -> u64 {
        self.as_org(org, Kind::ProjectOpen, project_body(id, purpose))
            .expect("project.open")
    }

    /// Replays every accepted entry into a fresh state and fresh records.
    pub fn replay(&self) -> Kit {
        let (state, records) = MoneyState::replay(self.log.iter().map(|(seq, at, sub)| EntryCtx {
            seq: *seq,
            recorded_at: *at,
            submission: sub,
        }))
        .expect("replay of accepted entries");
        let mut rows = BTreeMap::new();
        records.apply_to(&mut rows);
        Kit {
            state,
            records: rows,
            next_seq: self.next_seq,
            now: self.now,
            log: self.log.clone(),
            nonce: self.nonce,
        }
    }

    /// Every view row: the summaries and the records.
    pub fn view_rows(&self) -> BTreeMap<String, String> {
        let mut rows = self.state.summary_rows();
        rows.extend(self.records.clone());
        rows
    }

    /// The trace of a donation, composed from the records as readers compose it.
    pub fn trace(&self, org: &Uscc, receipt_no: &Ident) -> Option<Trace> {
        let key = keys::DONATION.key(&[org, receipt_no]);
        let donation = self.records.get(&key)?;
        let prefix = hops_prefix(org, receipt_no);
        let hops: Vec<(String, String)> = self
            .records
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        compose_trace((&key, donation), &hops).expect("stored records read back")
    }

    /// The live donations, from their records.
    pub fn donations(&self) -> Vec<DonationRecord> {
        self.records
            .iter()
            .filter(|(k, _)| keys::DONATION.has(k))
            .map(|(k, v)| parse_donation(k, v).expect("stored records read back"))
            .filter_map(|(live, d)| live.then_some(d))
            .collect()
    }

    /// Money that left funds, by (seq, index), from the records.
    pub fn spends(&self) -> BTreeMap<(u64, u32), SpendRecord> {
        self.records
            .iter()
            .filter_map(|(k, v)| {
                let mut parts = keys::SPEND.parts(k)?;
                let seq = parts.next()?.parse().ok()?;
                let i = parts.next()?.parse().ok()?;
                let s: SpendRecord = serde_json::from_str(v).expect("stored records read back");
                Some(((seq, i), s))
            })
            .collect()
    }
}

pub fn project_body(id: &str, purpose: &str) -> Value {
    json!({"id": id, "title": format!("项目{id}"), "purpose": purpose, "region": "530100",
           "target": "100000.00", "currency": "CNY", "start": "2026-01-01", "end": "2026-12-31"})
}

/// A cash donation from a masked individual.
pub fn cash(receipt: &str, project: Option<&str>, amount: &str, currency: &str) -> Value {
    let mut v = json!({"receipt_no": receipt, "received_on": "2026-05-20", "form": "cash",
        "amount": amount, "currency": currency, "donor_type": "individual", "donor_display": "张*",
        "receipt": "issued", "commitment": h(9)});
    if let Some(p) = project {
        v["project"] = json!(p);
    }
    v
}

/// A programme disbursement to a masked individual beneficiary.
pub fn pay(project: Option<&str>, amount: &str, currency: &str) -> Value {
    let mut v = json!({"amount": amount, "currency": currency, "category": "programme",
        "purpose": "助学金", "payee_type": "individual", "payee_display": "李*",
        "evidence": [h(7)], "paid_on": "2026-05-25"});
    if let Some(p) = project {
        v["project"] = json!(p);
    }
    v
}

/// A grant from `from_project` (or unrestricted) to another organisation's project.
pub fn grant(
    from_project: Option<&str>,
    to_org: &Uscc,
    to_project: &str,
    amount: &str,
    currency: &str,
) -> Value {
    let mut v = json!({"to_org": to_org.as_str(), "to_project": to_project, "amount": amount,
        "currency": currency, "purpose": "联合资助", "paid_on": "2026-05-26", "evidence": [h(8)]});
    if let Some(p) = from_project {
        v["from_project"] = json!(p);
    }
    v
}

pub fn void(target: u64) -> Value {
    json!({"target": target, "action": "void", "notice": "录入错误，作废"})
}

pub fn amend(target: u64, amended: Value) -> Value {
    json!({"target": target, "action": "amend", "notice": "金额录入错误，更正", "amended": amended})
}

/// A money figure from its spelling, for expected values.
pub fn m(s: &str) -> crate::money::types::Money {
    crate::money::types::Money(d(s))
}

/// A decimal from its spelling, for expected values.
pub fn d(s: &str) -> rust_decimal::Decimal {
    s.parse().expect("decimal literal")
}

/// Offers `body`, expects the refusal `code` at `field`, and checks nothing changed.
pub fn refused(
    k: &mut Kit,
    org: &Uscc,
    kind: Kind,
    body: Value,
    code: &str,
    field: &str,
) -> String {
    let before = k.view_rows();
    let seq = k.next_seq;
    let e = match k.as_org(org, kind, body) {
        Err(e) => e,
        Ok(s) => panic!("entry {s} accepted; expected {code}"),
    };
    assert_eq!((e.code(), e.field()), (code, field), "{e}");
    assert_eq!(k.next_seq, seq);
    assert_eq!(k.view_rows(), before, "a refused entry changed the views");
    e.to_string()
}

/// An identifier the test knows to be valid.
pub fn id(s: &str) -> Ident {
    Ident::parse(s).expect("test id")
}
