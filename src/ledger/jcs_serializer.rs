//! RFC 8785 bytes of any serialisable value, written straight from its `Serialize` impl.
//!
//! [`super::jcs::canonical`] used to build a `serde_json::Value` tree first and encode that:
//! every record row of every appended entry, and every one an audit re-derives, paid for a tree
//! of owned strings and maps that was dropped at once (about 5% of an audit's CPU). This writer
//! gives the bytes that path gave, for every value (the property test in `jcs` holds the two
//! equal on arbitrary JSON, and the tests below on the shapes serde derives):
//!
//! - an object's members are written to a scratch buffer as they come, then copied out in
//!   RFC 8785 order (UTF-16 code units); of two members with one name the last is kept, as a
//!   `Value` map keeps it;
//! - numbers, strings, and the serde shapes (options, enums, newtypes, bytes, map keys that are
//!   numbers or booleans) are spelled as `serde_json::to_value` spells them, then as
//!   [`super::jcs::canonical_value`] writes that.

use std::ops::Range;

use serde::Serialize;
use serde::ser::{self, Impossible};
use serde_json::{Number, Value};

use super::jcs::{JcsError, utf16_order, write_str, write_value};

/// `Writer`'s integer methods: each a JSON number.
macro_rules! numbers_as_numbers {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<(), JcsError> {
            self.number(v.into())
        }
    )*};
}

/// `KeyWriter`'s methods for a key that is a number, a boolean or a character: its text.
macro_rules! keys_as_text {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<String, JcsError> {
            Ok(v.to_string())
        }
    )*};
}

/// The four array-like serde traits of [`Seq`], each element written by [`Seq::element`].
macro_rules! seq_like {
    ($($tr:ident::$method:ident),*) => {$(
        impl ser::$tr for Seq<'_> {
            type Ok = ();
            type Error = JcsError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JcsError> {
                self.element(value)
            }
            fn end(self) -> Result<(), JcsError> {
                self.close()
            }
        }
    )*};
}

/// The struct-like serde traits of [`Obj`], each field a member.
macro_rules! struct_like {
    ($($tr:ident),*) => {$(
        impl ser::$tr for Obj<'_> {
            type Ok = ();
            type Error = JcsError;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), JcsError> {
                self.member(key.to_owned(), value)
            }
            fn end(self) -> Result<(), JcsError> {
                self.close()
            }
        }
    )*};
}

/// The RFC 8785 bytes of `value`.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, JcsError> {
    let mut out = Vec::with_capacity(256);
    value.serialize(Writer { out: &mut out })?;
    Ok(out)
}

impl ser::Error for JcsError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        JcsError::Serialise(msg.to_string())
    }
}

/// Writes one value at the end of `out`.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

impl Writer<'_> {
    fn number(self, n: Number) -> Result<(), JcsError> {
        write_value(self.out, &Value::Number(n))
    }

    fn raw(self, bytes: &[u8]) -> Result<(), JcsError> {
        self.out.extend_from_slice(bytes);
        Ok(())
    }
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = JcsError;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Seq<'a>;
    type SerializeMap = Obj<'a>;
    type SerializeStruct = Obj<'a>;
    type SerializeStructVariant = Obj<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), JcsError> {
        self.raw(if v { b"true" } else { b"false" })
    }
    numbers_as_numbers!(
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64
    );
    fn serialize_i128(self, v: i128) -> Result<(), JcsError> {
        match (i64::try_from(v), u64::try_from(v)) {
            (Ok(i), _) => self.number(i.into()),
            (_, Ok(u)) => self.number(u.into()),
            _ => Err(JcsError::Serialise("number out of range".into())),
        }
    }
    fn serialize_u128(self, v: u128) -> Result<(), JcsError> {
        match u64::try_from(v) {
            Ok(u) => self.number(u.into()),
            Err(_) => Err(JcsError::Serialise("number out of range".into())),
        }
    }
    fn serialize_f32(self, v: f32) -> Result<(), JcsError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), JcsError> {
        // `to_value` makes NaN and the infinities null.
        match Number::from_f64(v) {
            Some(n) => self.number(n),
            None => self.raw(b"null"),
        }
    }
    fn serialize_char(self, v: char) -> Result<(), JcsError> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), JcsError> {
        write_str(self.out, v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), JcsError> {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for b in v {
            seq.serialize_element(b)?;
        }
        seq.end()
    }
    fn serialize_none(self) -> Result<(), JcsError> {
        self.raw(b"null")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), JcsError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), JcsError> {
        self.raw(b"null")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), JcsError> {
        self.raw(b"null")
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), JcsError> {
        write_str(self.out, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), JcsError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), JcsError> {
        self.out.push(b'{');
        write_str(self.out, variant)?;
        self.out.push(b':');
        value.serialize(Writer {
            out: &mut *self.out,
        })?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'a>, JcsError> {
        self.out.push(b'[');
        Ok(Seq {
            out: self.out,
            first: true,
            close: b"]",
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a>, JcsError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'a>, JcsError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Seq<'a>, JcsError> {
        self.out.push(b'{');
        write_str(self.out, variant)?;
        self.out.extend_from_slice(b":[");
        Ok(Seq {
            out: self.out,
            first: true,
            close: b"]}",
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Obj<'a>, JcsError> {
        Ok(Obj::new(self.out, false))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Obj<'a>, JcsError> {
        Ok(Obj::new(self.out, false))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Obj<'a>, JcsError> {
        self.out.push(b'{');
        write_str(self.out, variant)?;
        self.out.push(b':');
        Ok(Obj::new(self.out, true))
    }
}

/// An array (or a tuple variant's, closed by `]}`).
pub struct Seq<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    close: &'static [u8],
}

impl Seq<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JcsError> {
        if !std::mem::take(&mut self.first) {
            self.out.push(b',');
        }
        value.serialize(Writer {
            out: &mut *self.out,
        })
    }

    fn close(self) -> Result<(), JcsError> {
        self.out.extend_from_slice(self.close);
        Ok(())
    }
}

seq_like!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// An object: members written to `scratch` as they come, copied to `out` in order at the end.
pub struct Obj<'a> {
    out: &'a mut Vec<u8>,
    scratch: Vec<u8>,
    members: Vec<(String, Range<usize>)>,
    key: Option<String>,
    /// A struct variant's object, closed by a second `}`.
    variant: bool,
}

impl<'a> Obj<'a> {
    fn new(out: &'a mut Vec<u8>, variant: bool) -> Obj<'a> {
        Obj {
            out,
            scratch: Vec::new(),
            members: Vec::new(),
            key: None,
            variant,
        }
    }

    fn member<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<(), JcsError> {
        let start = self.scratch.len();
        value.serialize(Writer {
            out: &mut self.scratch,
        })?;
        self.members.push((key, start..self.scratch.len()));
        Ok(())
    }

    fn close(mut self) -> Result<(), JcsError> {
        // Stable, so of equal names the last stays last; it alone is written.
        self.members.sort_by(|a, b| utf16_order(&a.0, &b.0));
        self.out.push(b'{');
        let mut first = true;
        for (i, (key, range)) in self.members.iter().enumerate() {
            if self.members.get(i + 1).is_some_and(|next| next.0 == *key) {
                continue;
            }
            if !std::mem::take(&mut first) {
                self.out.push(b',');
            }
            write_str(self.out, key)?;
            self.out.push(b':');
            let value = self
                .scratch
                .get(range.clone())
                .ok_or_else(|| JcsError::Serialise("member out of range".into()))?;
            self.out.extend_from_slice(value);
        }
        self.out.push(b'}');
        if self.variant {
            self.out.push(b'}');
        }
        Ok(())
    }
}

impl ser::SerializeMap for Obj<'_> {
    type Ok = ();
    type Error = JcsError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), JcsError> {
        self.key = Some(key.serialize(KeyWriter)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JcsError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| JcsError::Serialise("a map value without its key".into()))?;
        self.member(key, value)
    }
    fn end(self) -> Result<(), JcsError> {
        self.close()
    }
}

struct_like!(SerializeStruct, SerializeStructVariant);

/// A map key as `serde_json::to_value` takes it: a string, or a number, boolean or unit variant
/// spelled as one.
struct KeyWriter;

fn key_error() -> JcsError {
    JcsError::Serialise("key must be a string".into())
}

impl ser::Serializer for KeyWriter {
    type Ok = String;
    type Error = JcsError;
    type SerializeSeq = Impossible<String, JcsError>;
    type SerializeTuple = Impossible<String, JcsError>;
    type SerializeTupleStruct = Impossible<String, JcsError>;
    type SerializeTupleVariant = Impossible<String, JcsError>;
    type SerializeMap = Impossible<String, JcsError>;
    type SerializeStruct = Impossible<String, JcsError>;
    type SerializeStructVariant = Impossible<String, JcsError>;

    keys_as_text!(
        serialize_bool: bool, serialize_char: char,
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_u128: u128
    );
    fn serialize_f32(self, _: f32) -> Result<String, JcsError> {
        Err(key_error())
    }
    fn serialize_f64(self, _: f64) -> Result<String, JcsError> {
        Err(key_error())
    }
    fn serialize_str(self, v: &str) -> Result<String, JcsError> {
        Ok(v.to_owned())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<String, JcsError> {
        Err(key_error())
    }
    fn serialize_none(self) -> Result<String, JcsError> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, JcsError> {
        Err(key_error())
    }
    fn serialize_unit(self) -> Result<String, JcsError> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String, JcsError> {
        Err(key_error())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, JcsError> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String, JcsError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, JcsError> {
        Err(key_error())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, JcsError> {
        Err(key_error())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, JcsError> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, JcsError> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, JcsError> {
        Err(key_error())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, JcsError> {
        Err(key_error())
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, JcsError> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, JcsError> {
        Err(key_error())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde_json::json;

    use super::to_vec;
    use crate::ledger::jcs::canonical_value;

    /// The bytes the old path gave: the value tree, then the tree's encoding.
    fn through_value<T: Serialize>(v: &T) -> String {
        let tree = serde_json::to_value(v).expect("a value tree");
        String::from_utf8(canonical_value(&tree).expect("encodes")).expect("UTF-8")
    }

    fn direct<T: Serialize>(v: &T) -> String {
        String::from_utf8(to_vec(v).expect("encodes")).expect("UTF-8")
    }

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Shape {
        Unit,
        Newtype(u8),
        Tuple(i32, String),
        Struct { z: bool, a: Option<u8> },
    }

    #[derive(Serialize)]
    struct Inner {
        zeta: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        alpha: f64,
    }

    #[derive(Serialize)]
    struct Outer {
        seq: u64,
        #[serde(flatten)]
        inner: Inner,
        shapes: Vec<Shape>,
        by_number: BTreeMap<u32, char>,
        by_flag: BTreeMap<bool, ()>,
        #[serde(with = "serde_bytes_as_seq")]
        bytes: Vec<u8>,
        tuple: (i8, u128, i128),
        nan: f32,
        unit_struct: Marker,
        newtype: Wrapped,
        ümlaut: &'static str,
        #[serde(rename = "\u{e000}")]
        private_use: u8,
        #[serde(rename = "\u{1f600}")]
        astral: u8,
    }

    #[derive(Serialize)]
    struct Marker;

    #[derive(Serialize)]
    struct Wrapped(&'static str);

    mod serde_bytes_as_seq {
        pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(v)
        }
    }

    #[test]
    fn the_shapes_serde_derives_encode_as_through_a_value_tree() {
        let v = Outer {
            seq: 9_007_199_254_740_991,
            inner: Inner {
                zeta: "z\"\n\u{1}",
                skipped: None,
                alpha: 0.1,
            },
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(7),
                Shape::Tuple(-3, "t".into()),
                Shape::Struct { z: true, a: None },
            ],
            by_number: [(10, 'x'), (9, 'y'), (100, 'z')].into(),
            by_flag: [(true, ()), (false, ())].into(),
            bytes: vec![0, 255],
            tuple: (-1, 18_446_744_073_709_551_615, -9_007_199_254_740_993),
            nan: f32::NAN,
            unit_struct: Marker,
            newtype: Wrapped("w"),
            ümlaut: "ü",
            private_use: 1,
            astral: 2,
        };
        let old = through_value(&v);
        assert_eq!(direct(&v), old);
        // Spot checks against hand-written JCS: members by UTF-16 unit (the astral character's
        // surrogates sort before the private-use one), numbered keys as strings in text order.
        assert!(old.starts_with(r#"{"alpha":0.1,"by_flag":{"false":null,"true":null},"by_number":{"10":"x","100":"z","9":"y"}"#), "{old}");
        assert!(
            old.ends_with("\"ümlaut\":\"ü\",\"\u{1f600}\":2,\"\u{e000}\":1}"),
            "{old}"
        );
    }

    #[test]
    fn of_two_members_with_one_name_the_last_is_kept() {
        #[derive(Serialize)]
        struct Twice {
            a: u8,
            #[serde(flatten)]
            more: BTreeMap<String, u8>,
        }
        let v = Twice {
            a: 1,
            more: [("a".to_owned(), 2), ("b".to_owned(), 3)].into(),
        };
        assert_eq!(direct(&v), through_value(&v));
        assert_eq!(direct(&v), r#"{"a":2,"b":3}"#);
        assert_eq!(
            direct(&json!({"k": [1, {"y": null, "x": "é"}]})),
            r#"{"k":[1,{"x":"é","y":null}]}"#
        );
    }

    #[test]
    fn keys_that_are_not_strings_or_numbers_are_refused_as_the_value_tree_refuses_them() {
        let by_list: BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        assert!(to_vec(&by_list).is_err());
        assert!(serde_json::to_value(&by_list).is_err());
    }
}
