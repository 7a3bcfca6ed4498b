//! Money and number formatting for pages: "¥1,234.50" for CNY, other currencies with their code
//! ("USD 1,234.50"). Grouping by three is the same in Simplified Chinese and English, so the
//! format does not depend on the page's language; the amounts come from the views as decimal
//! strings and are never turned into floats.

use rust_decimal::Decimal;

/// Groups the integer digits of a plain decimal string by three: "1234567.5" -> "1,234,567.5".
pub fn group(plain: &str) -> String {
    let (sign, rest) = match plain.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", plain),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = String::with_capacity(plain.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A money amount with two decimals and its currency: "¥1,234.50", "USD 20.00".
pub fn money(amount: Decimal, currency: &str) -> String {
    let text = group(&format!("{:.2}", amount.round_dp(2)));
    let (sign, digits) = match text.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", text.as_str()),
    };
    if currency == "CNY" {
        format!("{sign}¥{digits}")
    } else {
        format!("{sign}{currency} {digits}")
    }
}

/// A view's money string ("1234.5") formatted; text that is not a decimal is shown as is.
pub fn money_str(amount: &str, currency: &str) -> String {
    match amount.parse::<Decimal>() {
        Ok(d) => money(d, currency),
        Err(_) => amount.to_owned(),
    }
}

/// A count with grouping: 100000 -> "100,000".
pub fn count(n: u64) -> String {
    group(&n.to_string())
}

/// `part / whole` as a percentage with one decimal, or "—" when `whole` is zero.
pub fn percent(part: Decimal, whole: Decimal) -> String {
    if whole.is_zero() {
        return "—".to_owned();
    }
    let p = (part * Decimal::from(100) / whole).round_dp(1);
    format!("{p:.1}%")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn cny_has_the_yuan_sign_grouping_and_two_decimals() {
        assert_eq!(money(dec!(1234.5), "CNY"), "¥1,234.50");
        assert_eq!(money(dec!(0), "CNY"), "¥0.00");
        assert_eq!(money(dec!(999), "CNY"), "¥999.00");
        assert_eq!(money(dec!(1000000), "CNY"), "¥1,000,000.00");
        assert_eq!(money(dec!(-1234.567), "CNY"), "-¥1,234.57");
        assert_eq!(money(dec!(12.3), "USD"), "USD 12.30");
        assert_eq!(money_str("100000.1", "CNY"), "¥100,000.10");
    }

    #[test]
    fn counts_and_percentages() {
        assert_eq!(count(100_000), "100,000");
        assert_eq!(count(12), "12");
        assert_eq!(percent(dec!(1), dec!(3)), "33.3%");
        assert_eq!(percent(dec!(1), dec!(0)), "—");
    }
}
