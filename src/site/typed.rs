//! Typed reads of a snapshot's view rows: pages take a project, a balance or a grant as its
//! row type ([`crate::money::views::rows`]) instead of picking string fields out of JSON.
//!
//! Every row of a typed family was checked against its type when the snapshot was read from
//! the store ([`super::source`]: a row that does not read stops the build with its key), so
//! here a row that does not read can only come from a snapshot built by hand; it reads as
//! absent.

use serde::de::DeserializeOwned;

use super::snapshot::Snapshot;

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
}
