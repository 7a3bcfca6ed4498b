//! Money in the generator: every amount it keeps is a `rust_decimal` of whole cents, shares and
//! rates are cut to cents toward zero, and bodies carry them as two-decimal strings.

use rust_decimal::Decimal;

/// An amount of the shadow books in cents: how the scenario's fixed sums are written.
pub(super) fn cents(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

/// An amount as a body's money string: two decimals, always exact, since every amount the
/// generator keeps is whole cents.
pub(super) fn yuan(amount: Decimal) -> String {
    format!("{amount:.2}")
}

/// `num / den` of `amount`, cut to whole cents toward zero: the generator's shares (a third,
/// a sixth, 78%) stay amounts the ledger accepts, never a fraction of a cent.
pub(super) fn share(amount: Decimal, num: i64, den: i64) -> Decimal {
    (amount * Decimal::from(num) / Decimal::from(den)).trunc_with_scale(2)
}

/// `rate` of `amount`, cut to whole cents toward zero.
pub(super) fn at_rate(amount: Decimal, rate: Decimal) -> Decimal {
    (amount * rate).trunc_with_scale(2)
}

/// A spending rate drawn from the random stream, as a decimal: the draw is a float (the stream
/// the history has always been drawn from), money never is. Kept to the float's binary value
/// (28 digits), so an amount cut from it differs from the float product the generator once
/// computed only where that product rounded across a cent's edge: not once in a million
/// random draws, and not in the seed-1 ledgers, which stayed byte for byte the same.
pub(super) fn rate_of(draw: f64) -> Decimal {
    Decimal::from_f64_retain(draw).unwrap_or(Decimal::ZERO)
}

/// An amount as a report's prose writes it, digits grouped by thousands (1,380,000,000.00): a
/// run of eleven digits starting 13-19 reads as a mobile number to the personal-data scan,
/// which a 1M-scale demo's project totals reached.
pub(super) fn yuan_text(amount: Decimal) -> String {
    let plain = yuan(amount);
    let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, "00"));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_amounts_are_grouped_by_thousands() {
        assert_eq!(yuan_text(cents(138_123_456_780)), "1,381,234,567.80");
        assert_eq!(yuan_text(cents(1_381_234_567_800)), "13,812,345,678.00");
        assert_eq!(yuan_text(cents(99_999)), "999.99");
        assert_eq!(yuan_text(cents(100_000)), "1,000.00");
        assert_eq!(yuan_text(cents(5)), "0.05");
        // Grouped, an eleven-digit total is no mobile number to the personal-data scan; the
        // same total ungrouped is (why the demo groups them).
        let text = |a: &str| format!("截至2025-03-27，项目累计筹款{a}元。");
        assert_eq!(
            crate::money::text::personal_data_in(&text(&yuan_text(cents(1_381_234_567_800)))),
            None
        );
        assert!(
            crate::money::text::personal_data_in(&text(&yuan(cents(1_381_234_567_800)))).is_some()
        );
    }

    #[test]
    fn shares_are_cut_to_cents_toward_zero_like_integer_cents() {
        // Hand-computed: a third of 1.00 is 0.33, of -1.00 is -0.33 (toward zero, as integer
        // division of cents was); 78% of 1,234.57 is 962.9646 -> 962.96.
        assert_eq!(share(cents(100), 1, 3), cents(33));
        assert_eq!(share(cents(-100), 1, 3), cents(-33));
        assert_eq!(share(cents(123_457), 78, 100), cents(96_296));
        assert_eq!(share(cents(1_000_000), 3, 1000), cents(3_000));
        // Against integer cents over a range: the same cut for every amount and divisor the
        // generator uses.
        for c in (-5_000..5_000).chain([999_999_999_999, 123_456_789_012]) {
            for (num, den) in [(1, 2), (1, 3), (1, 6), (1, 10), (1, 12), (1, 40), (78, 100)] {
                assert_eq!(
                    share(cents(c), num, den),
                    cents(c * num / den),
                    "{c} {num}/{den}"
                );
            }
        }
    }

    #[test]
    fn a_rate_cuts_to_cents_toward_zero() {
        // 5/32 is exact in binary and in decimal: 1,000.01 * 5/32 = 156.2515625 -> 156.25.
        let rate = rate_of(0.156_25);
        assert_eq!(rate, Decimal::new(15_625, 5));
        assert_eq!(at_rate(cents(100_001), rate), cents(15_625));
        for c in [1, 99, 31, 64_000, 123_456_789] {
            assert_eq!(at_rate(cents(c), rate), cents(c * 5 / 32), "{c}");
        }
        assert_eq!(at_rate(cents(200_000), Decimal::new(15, 3)), cents(3_000));
        assert_eq!(yuan(cents(-5)), "-0.05");
        assert_eq!(yuan(Decimal::from(7)), "7.00");
    }
}
