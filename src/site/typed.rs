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
