//! Who may sign what, replayed from the log itself.
//!
//! Entry 0 (`genesis`, signed by the operator) names the regulators and their keys. Regulators
//! register organisations with `org.register` and add or revoke their keys with `org.keys`. A
//! verifier replays these entries in order, so the set of valid keys at any seq is a function of
//! the log prefix: nobody has to trust our database to know whether a key was valid.

use serde::Deserialize;

use super::ids::Uscc;
use super::keys::PublicKey;
use super::kind::{Kind, Role};
use super::submission::{Author, Submission, SubmissionError, from_value_at};

/// Why an entry's signer is not allowed to make it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorityError {
    #[error("entry 0 must be genesis, signed by the operator")]
    GenesisFirst,
    #[error("genesis may only be entry 0")]
    GenesisAgain,
    #[error("{role:?} authors may not sign {kind} entries")]
    KindNotAllowed { role: Role, kind: Kind },
    #[error("key {key} is not registered to {author}")]
    UnknownKey { key: String, author: String },
    #[error("key {key} of {author} was revoked at entry {revoked_at}")]
    RevokedKey {
        key: String,
        author: String,
        revoked_at: u64,
    },
    #[error("genesis must be signed with the operator key it names")]
    GenesisKey,
    #[error("organisation {0} is already registered")]
    OrgExists(String),
    #[error("organisation {0} is not registered")]
    UnknownOrg(String),
    #[error("key {0} is already registered")]
    KeyInUse(String),
    #[error("key {0} is not an active key of this organisation")]
    NotActive(String),
    #[error("{0}")]
    Body(SubmissionError),
}

impl AuthorityError {
    /// The JSON field at fault, for error responses.
    pub fn field(&self) -> &str {
        match self {
            AuthorityError::Body(e) => &e.field,
            AuthorityError::KindNotAllowed { .. }
            | AuthorityError::GenesisFirst
            | AuthorityError::GenesisAgain => "kind",
            AuthorityError::UnknownKey { .. }
            | AuthorityError::RevokedKey { .. }
            | AuthorityError::GenesisKey => "key",
            AuthorityError::OrgExists(_) | AuthorityError::UnknownOrg(_) => "body.org",
            AuthorityError::KeyInUse(_) | AuthorityError::NotActive(_) => "body.keys",
        }
    }
}

/// One regulator named in genesis.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegulatorSpec {
    pub id: Uscc,
    pub name: String,
    pub key: PublicKey,
}

/// The genesis body.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisBody {
    pub origin: String,
    pub operator_key: PublicKey,
    pub regulators: Vec<RegulatorSpec>,
}

/// The part of `org.register` that concerns trust; the money model reads the rest.
#[derive(Deserialize)]
struct RegisterKeys {
    org: Uscc,
    keys: Vec<PublicKey>,
}

/// The `org.keys` body.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct OrgKeysBody {
    pub org: Uscc,
    #[serde(default)]
    pub add: Vec<PublicKey>,
    #[serde(default)]
    pub revoke: Vec<PublicKey>,
}

/// A key's history: who holds it, when it was added, when (if ever) it was revoked.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KeyRecord {
    pub holder: Author,
    pub key: PublicKey,
    pub added_at: u64,
    pub revoked_at: Option<u64>,
}

/// The replayed trust state. Cloning is O(1) (persistent maps), so a batch can be tried on a copy.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Authority {
    origin: Option<String>,
    operator: Option<PublicKey>,
    #[serde(with = "super::sorted::map")]
    keys: imbl::HashMap<[u8; 32], KeyRecord>,
    orgs: imbl::OrdSet<Uscc>,
}

/// A change `check` approved and `apply` performs; apply cannot fail.
#[derive(Debug, Clone)]
pub enum AuthorityChange {
    None,
    Genesis(GenesisBody),
    Register { org: Uscc, keys: Vec<PublicKey> },
    Keys(OrgKeysBody),
}

impl Authority {
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    pub fn operator_key(&self) -> Option<&PublicKey> {
        self.operator.as_ref()
    }

    pub fn is_org(&self, id: &Uscc) -> bool {
        self.orgs.contains(id)
    }

    /// Every key ever registered, with its history, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = &KeyRecord> {
        self.keys.values()
    }

    /// Checks that `sub`, placed at `seq`, is signed by a key its author may use for its kind, and
    /// that a trust-changing body is consistent. The signature itself is checked by the caller.
    pub fn check(&self, seq: u64, sub: &Submission) -> Result<AuthorityChange, AuthorityError> {
        let role = sub.author.role();
        if seq == 0 {
            if sub.kind != Kind::Genesis || role != Role::Operator {
                return Err(AuthorityError::GenesisFirst);
            }
            let body: GenesisBody =
                from_value_at(sub.body.clone(), "body").map_err(AuthorityError::Body)?;
            if body.operator_key != sub.key {
                return Err(AuthorityError::GenesisKey);
            }
            if !super::note::is_valid_key_name(&body.origin) {
                return Err(AuthorityError::Body(SubmissionError::new(
                    "body.origin",
                    "origin must be a valid signed-note key name (printable, no spaces or '+')",
                )));
            }
            return Ok(AuthorityChange::Genesis(body));
        }
        if sub.kind == Kind::Genesis {
            return Err(AuthorityError::GenesisAgain);
        }
        if !sub.kind.signable_by(role) {
            return Err(AuthorityError::KindNotAllowed {
                role,
                kind: sub.kind,
            });
        }
        self.check_key(&sub.author, &sub.key)?;
        match sub.kind {
            Kind::OrgRegister => {
                let body: RegisterKeys =
                    from_value_at(sub.body.clone(), "body").map_err(AuthorityError::Body)?;
                if self.orgs.contains(&body.org) {
                    return Err(AuthorityError::OrgExists(body.org.to_string()));
                }
                self.check_new_keys(&body.keys)?;
                Ok(AuthorityChange::Register {
                    org: body.org,
                    keys: body.keys,
                })
            }
            Kind::OrgKeys => {
                let body: OrgKeysBody =
                    from_value_at(sub.body.clone(), "body").map_err(AuthorityError::Body)?;
                if !self.orgs.contains(&body.org) {
                    return Err(AuthorityError::UnknownOrg(body.org.to_string()));
                }
                if body.add.is_empty() && body.revoke.is_empty() {
                    return Err(AuthorityError::Body(SubmissionError::new(
                        "body.add",
                        "add or revoke at least one key",
                    )));
                }
                self.check_new_keys(&body.add)?;
                let holder = Author::Org(body.org.clone());
                for key in &body.revoke {
                    match self.keys.get(key.as_bytes()) {
                        Some(r) if r.holder == holder && r.revoked_at.is_none() => {}
                        _ => return Err(AuthorityError::NotActive(key.to_hex())),
                    }
                }
                Ok(AuthorityChange::Keys(body))
            }
            _ => Ok(AuthorityChange::None),
        }
    }

    fn check_key(&self, author: &Author, key: &PublicKey) -> Result<(), AuthorityError> {
        let unknown = || AuthorityError::UnknownKey {
            key: key.to_hex(),
            author: author.to_string(),
        };
        let record = self.keys.get(key.as_bytes()).ok_or_else(unknown)?;
        if &record.holder != author {
            return Err(unknown());
        }
        if let Some(revoked_at) = record.revoked_at {
            return Err(AuthorityError::RevokedKey {
                key: key.to_hex(),
                author: author.to_string(),
                revoked_at,
            });
        }
        Ok(())
    }

    fn check_new_keys(&self, keys: &[PublicKey]) -> Result<(), AuthorityError> {
        let mut seen = std::collections::HashSet::new();
        for key in keys {
            if self.keys.contains_key(key.as_bytes()) || !seen.insert(*key.as_bytes()) {
                return Err(AuthorityError::KeyInUse(key.to_hex()));
            }
        }
        Ok(())
    }

    /// Records an approved change made by the entry at `seq`.
    pub fn apply(&mut self, seq: u64, change: AuthorityChange) {
        match change {
            AuthorityChange::None => {}
            AuthorityChange::Genesis(body) => {
                self.origin = Some(body.origin);
                self.operator = Some(body.operator_key);
                for r in body.regulators {
                    self.add_key(Author::Regulator(r.id), r.key, seq);
                }
            }
            AuthorityChange::Register { org, keys } => {
                self.orgs.insert(org.clone());
                for key in keys {
                    self.add_key(Author::Org(org.clone()), key, seq);
                }
            }
            AuthorityChange::Keys(body) => {
                for key in body.add {
                    self.add_key(Author::Org(body.org.clone()), key, seq);
                }
                for key in body.revoke {
                    if let Some(r) = self.keys.get_mut(key.as_bytes()) {
                        r.revoked_at = Some(seq);
                    }
                }
            }
        }
    }

    fn add_key(&mut self, holder: Author, key: PublicKey, seq: u64) {
        self.keys.insert(
            *key.as_bytes(),
            KeyRecord {
                holder,
                key,
                added_at: seq,
                revoked_at: None,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::keys::SecretKey;
    use crate::ledger::submission::Submission;
    use serde_json::{Value, json};

    fn sub(kind: &str, author: &str, key: &SecretKey, body: Value) -> Submission {
        Submission::from_value(
            json!({"v": 1, "kind": kind, "author": author, "key": key.public().to_hex(),
            "time": "2026-11-23T08:30:00Z", "nonce": "nonce-0001", "body": body}),
        )
        .unwrap()
    }

    const REG: &str = "11100000000013338W";
    const ORG: &str = "53100000500021676K";

    fn setup() -> (Authority, SecretKey, SecretKey) {
        let op = SecretKey::from_seed([1; 32]);
        let reg = SecretKey::from_seed([2; 32]);
        let org = SecretKey::from_seed([3; 32]);
        let mut a = Authority::default();
        let g = sub(
            "genesis",
            "operator",
            &op,
            json!({"origin": "test", "operator_key": op.public().to_hex(),
            "regulators": [{"id": REG, "name": "民政厅", "key": reg.public().to_hex()}]}),
        );
        let c = a.check(0, &g).unwrap();
        a.apply(0, c);
        let r = sub(
            "org.register",
            &format!("regulator:{REG}"),
            &reg,
            json!({"org": ORG, "keys": [org.public().to_hex()]}),
        );
        let c = a.check(1, &r).unwrap();
        a.apply(1, c);
        (a, reg, org)
    }

    #[test]
    fn registered_key_may_sign_and_revoked_key_may_not() {
        let (mut a, reg, org) = setup();
        let d = sub("donation", &format!("org:{ORG}"), &org, json!({}));
        assert!(a.check(2, &d).is_ok());
        let rev = sub(
            "org.keys",
            &format!("regulator:{REG}"),
            &reg,
            json!({"org": ORG, "revoke": [org.public().to_hex()]}),
        );
        let c = a.check(2, &rev).unwrap();
        a.apply(2, c);
        assert!(matches!(
            a.check(3, &d),
            Err(AuthorityError::RevokedKey { revoked_at: 2, .. })
        ));
    }

    #[test]
    fn wrong_role_unknown_key_and_borrowed_key_are_refused() {
        let (a, reg, org) = setup();
        let by_org = sub("org.register", &format!("org:{ORG}"), &org, json!({}));
        assert!(matches!(
            a.check(2, &by_org),
            Err(AuthorityError::KindNotAllowed { .. })
        ));
        let stranger = SecretKey::from_seed([9; 32]);
        let d = sub("donation", &format!("org:{ORG}"), &stranger, json!({}));
        assert!(matches!(
            a.check(2, &d),
            Err(AuthorityError::UnknownKey { .. })
        ));
        // A regulator's key used to speak as the organisation.
        let d = sub("donation", &format!("org:{ORG}"), &reg, json!({}));
        assert!(matches!(
            a.check(2, &d),
            Err(AuthorityError::UnknownKey { .. })
        ));
        let g = sub("genesis", "operator", &org, json!({}));
        assert_eq!(a.check(2, &g).unwrap_err(), AuthorityError::GenesisAgain);
    }

    #[test]
    fn a_key_cannot_serve_two_organisations() {
        let (a, reg, org) = setup();
        let other = "91350100M000100Y43";
        let r = sub(
            "org.register",
            &format!("regulator:{REG}"),
            &reg,
            json!({"org": other, "keys": [org.public().to_hex()]}),
        );
        assert!(matches!(a.check(2, &r), Err(AuthorityError::KeyInUse(_))));
    }
}
