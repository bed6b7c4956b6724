//! Prices as learners read them.

/// `1900` + `usd` -> `$19.00`.
pub fn money(minor: i64, currency: &str) -> String {
    let amount = format!("{}.{:02}", minor / 100, (minor % 100).abs());
    match currency.to_ascii_lowercase().as_str() {
        "usd" => format!("${amount}"),
        "eur" => format!("€{amount}"),
        "gbp" => format!("£{amount}"),
        other => format!("{amount} {}", other.to_ascii_uppercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn formats_minor_units() {
        assert_eq!(money(1900, "usd"), "$19.00");
        assert_eq!(money(9550, "eur"), "€95.50");
        assert_eq!(money(100, "chf"), "1.00 CHF");
    }
}
