//! Number formatting for humans: `$1,234.56`, `+$12.00`, `1,460`.

use rust_decimal::{Decimal, RoundingStrategy};

fn group(int_part: &str) -> String {
    let mut out = String::with_capacity(int_part.len() + int_part.len() / 3);
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `$1,234.56` (cents rounded half away from zero).
pub fn usd(d: Decimal) -> String {
    let r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let neg = r.is_sign_negative() && !r.is_zero();
    let s = format!("{:.2}", r.abs());
    let (i, f) = s.split_once('.').unwrap_or((&s, "00"));
    format!("{}${}.{}", if neg { "-" } else { "" }, group(i), f)
}

/// `+$1.00`, `-$1.00`, `$0.00`.
pub fn delta(d: Decimal) -> String {
    let r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if r.is_zero() {
        "$0.00".into()
    } else if r.is_sign_positive() {
        format!("+{}", usd(r))
    } else {
        usd(r)
    }
}

/// A quantity with thousands separators and at most 4 decimals.
pub fn qty(d: Decimal) -> String {
    let r = d
        .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    let s = r.abs().to_string();
    let (i, f) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), format!(".{f}")),
        None => (s.clone(), String::new()),
    };
    format!(
        "{}{}{}",
        if r.is_sign_negative() { "-" } else { "" },
        group(&i),
        f
    )
}

/// A unit price: `$0.0000002`, full precision.
pub fn unit_price(d: Decimal) -> String {
    format!("${}", d.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn formats() {
        let d = |s| Decimal::from_str(s).unwrap();
        assert_eq!(usd(d("1234.565")), "$1,234.57");
        assert_eq!(usd(d("0")), "$0.00");
        assert_eq!(usd(d("-5.5")), "-$5.50");
        assert_eq!(delta(d("12")), "+$12.00");
        assert_eq!(delta(d("-0.001")), "$0.00");
        assert_eq!(qty(d("1460")), "1,460");
        assert_eq!(qty(d("25000000.12345")), "25,000,000.1235");
        assert_eq!(usd(d("1000000")), "$1,000,000.00");
    }
}
