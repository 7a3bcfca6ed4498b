//! Typed reads of a snapshot's view rows: pages take a project, a balance or a grant as its
//! row type ([`crate::money::views::rows`]) instead of picking string fields out of JSON.
//!
//! Every row of a typed family was checked against its type when the snapshot was read from
//! the store ([`super::source`]: a row that does not read stops the build with its key), so
//! here a row that does not read can only come from a snapshot built by hand; it reads as
//! absent.

use serde::de::DeserializeOwned;

use super::snapshot::Snapshot;
use crate::money::keys;
use crate::money::views::rows::OrgRow;

impl Snapshot {
    /// The row at `key` as its family's type.
    pub fn typed<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.view(key).and_then(|v| T::deserialize(v).ok())
    }

    /// The rows under `prefix` as their family's type, in key order, with their keys.
    pub fn typed_rows<'a, T: DeserializeOwned + 'a>(
        &'a self,
        prefix: &str,
    ) -> impl Iterator<Item = (&'a str, T)> + use<'a, T> {
        self.prefixed(prefix)
            .filter_map(|(k, v)| Some((k, T::deserialize(v).ok()?)))
    }

    /// The rows under `prefix` as their family's type, in key order.
    pub fn typed_values<'a, T: DeserializeOwned + 'a>(
        &'a self,
        prefix: &str,
    ) -> impl Iterator<Item = T> + use<'a, T> {
        self.typed_rows(prefix).map(|(_, row)| row)
    }

    /// Organisation `uscc`'s registration (`org/{uscc}`).
    pub fn org(&self, uscc: &str) -> Option<OrgRow> {
        self.typed(&keys::ORG.key(&[&uscc]))
    }

    /// Every registered organisation, in code order.
    pub fn orgs(&self) -> impl Iterator<Item = OrgRow> + use<'_> {
        self.typed_values(keys::ORG.prefix())
    }

    /// The body of entry `seq` as its kind's body type, when the snapshot keeps it
    /// ([`super::snapshot::keeps_body`]). The log accepted it as that type, so `None` means
    /// the entry is not kept or is of another kind.
    pub fn body<T: DeserializeOwned>(&self, seq: u64) -> Option<T> {
        self.entry(seq)?
            .body
            .as_ref()
            .and_then(|b| T::deserialize(b).ok())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::money::bodies::{Disbursement, TrustDisburse};
    use crate::site::snapshot::EntryMeta;

    const ORG: &str = "91350100M000100Y43";

    fn org_row() -> Value {
        json!({"seq": 1, "recorded_at": "2025-01-01T00:00:00Z", "org": ORG, "name": "甲基金会",
               "org_type": "foundation", "region": "440300", "public_fundraising": true,
               "registered_on": "2020-01-01", "keys": []})
    }

    #[test]
    fn a_row_that_does_not_read_as_its_type_is_absent_not_an_empty_field() {
        let mut snap = Snapshot::default();
        snap.insert_view(keys::ORG.key(&[&ORG]), org_row());
        let o = snap.org(ORG).expect("the row reads as OrgRow");
        assert_eq!(o.register.name.as_str(), "甲基金会");
        assert_eq!(snap.orgs().count(), 1);
        // The name written under another field: the untyped read of `name` gave "" and the
        // page showed an empty name; the typed read has no organisation.
        let mut renamed = org_row();
        let name = renamed["name"].take();
        renamed["title"] = name;
        snap.insert_view(keys::ORG.key(&[&ORG]), renamed);
        assert!(snap.org(ORG).is_none());
        assert_eq!(snap.orgs().count(), 0);
    }

    #[test]
    fn a_kept_body_reads_as_its_kinds_body_only() {
        let body = json!({"trust_id": "T-1", "amount": "100.00", "currency": "CNY",
            "purpose": "助学金", "payee_type": "individual", "payee_display": "李*",
            "evidence": [], "paid_on": "2026-03-01"});
        let e = EntryMeta {
            seq: 5,
            leaf_hash: crate::ledger::Hash([0; 32]),
            author: format!("org:{ORG}"),
            kind: "trust.disburse",
            recorded_at: 1_772_330_000,
            body: Some(body),
        };
        let snap = Snapshot {
            entries: std::sync::Arc::new([(5, e)].into()),
            ..Snapshot::default()
        };
        let b: TrustDisburse = snap.body(5).expect("a trust payment's body");
        assert_eq!(b.payee_display.as_str(), "李*");
        assert!(
            snap.body::<Disbursement>(5).is_none(),
            "another kind's body"
        );
        assert!(snap.body::<TrustDisburse>(6).is_none(), "no such entry");
    }
}
