//! Identifiers of the parties that speak in the ledger.
//!
//! Organisations and regulators are named by their 18-character unified social credit code
//! (统一社会信用代码, GB 32100-2015). Its last character is a mod-31 check character, so a
//! mistyped code is refused at the boundary instead of creating a phantom organisation.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The 31 characters GB 32100-2015 allows (no I, O, S, V, Z), in code-value order.
const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Position weights 3^i mod 31 for the first 17 characters (GB 32100-2015, 5.2).
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A validated unified social credit code.
///
/// Always 18 ASCII characters, so it is kept inline: an organisation's code is part of the key
/// of nearly everything the state holds (funds, lots, donations, spends), and a heap string per
/// copy cost about 50 bytes each. Byte order is the string's order.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc([u8; 18]);

/// Why a string is not a unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadUscc {
    #[error("a unified social credit code has 18 characters, got {0}")]
    Length(usize),
    #[error("character {position} ('{ch}') is not allowed in a unified social credit code")]
    Character { position: usize, ch: char },
    #[error("characters 3-8 must be a 6-digit administrative division code")]
    Region,
    #[error("check character is '{found}', expected '{expected}'")]
    Check { found: char, expected: char },
}

fn code_value(c: u8) -> Option<u32> {
    USCC_ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The check character the first 17 characters call for.
pub fn uscc_check_char(first17: &[u8]) -> Option<char> {
    let mut sum = 0u32;
    for (c, w) in first17.iter().zip(USCC_WEIGHTS) {
        sum += code_value(*c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(USCC_ALPHABET[check as usize] as char)
}

impl Uscc {
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a parsed code is ASCII")
    }

    /// The 6-digit administrative division code embedded in characters 3-8.
    pub fn region(&self) -> &str {
        &self.as_str()[2..8]
    }

    /// Builds a valid code from 17 leading characters by appending the check character.
    /// Used by key and demo generation; returns `None` if any character is not allowed.
    pub fn with_check(first17: &str) -> Option<Uscc> {
        if first17.len() != 17 {
            return None;
        }
        let check = uscc_check_char(first17.as_bytes())?;
        format!("{first17}{check}").parse().ok()
    }
}

impl FromStr for Uscc {
    type Err = BadUscc;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != 18 {
            return Err(BadUscc::Length(chars.len()));
        }
        for (i, &ch) in chars.iter().enumerate() {
            if !ch.is_ascii() || code_value(ch as u8).is_none() {
                return Err(BadUscc::Character {
                    position: i + 1,
                    ch,
                });
            }
        }
        if !chars[2..8].iter().all(char::is_ascii_digit) {
            return Err(BadUscc::Region);
        }
        let expected = uscc_check_char(&s.as_bytes()[..17]).expect("characters checked above");
        if chars[17] != expected {
            return Err(BadUscc::Check {
                found: chars[17],
                expected,
            });
        }
        let mut code = [0u8; 18];
        code.copy_from_slice(s.as_bytes());
        Ok(Uscc(code))
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uscc({})", self.as_str())
    }
}

impl Serialize for Uscc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Uscc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_published_codes() {
        // The worked example printed in GB 32100-2015 guidance, and a registered foundation.
        for ok in ["91350100M000100Y43", "53100000500021676K"] {
            let code: Uscc = ok.parse().unwrap();
            assert_eq!(code.as_str(), ok);
        }
    }

    #[test]
    fn rejects_wrong_check_character_and_alphabet() {
        assert_eq!(
            "91350100M000100Y44".parse::<Uscc>(),
            Err(BadUscc::Check {
                found: '4',
                expected: '3'
            })
        );
        assert!(matches!(
            "91350100M0001I0Y43".parse::<Uscc>(),
            Err(BadUscc::Character { position: 14, .. })
        ));
        assert_eq!("9135".parse::<Uscc>(), Err(BadUscc::Length(4)));
        assert_eq!("91A50100M000100Y43".parse::<Uscc>(), Err(BadUscc::Region));
    }

    #[test]
    fn with_check_builds_valid_codes() {
        let c = Uscc::with_check("53440000MJ0000001").unwrap();
        assert_eq!(c.region(), "440000");
        assert!(c.as_str().parse::<Uscc>().is_ok());
    }
}
