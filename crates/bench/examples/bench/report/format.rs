//! How figures are written in the table.

/// Seconds: three decimals below 10 s, one above.
pub fn fmt_s(value: Option<f64>) -> String {
    match value {
        None => "—".to_owned(),
        Some(value) if value < 10.0 => format!("{value:.3} s"),
        Some(value) => format!("{value:.1} s"),
    }
}

/// Milliseconds: two decimals below 10 ms, one below a second, then seconds.
pub fn fmt_ms(value: Option<f64>) -> String {
    match value {
        None => "—".to_owned(),
        Some(value) if value < 10.0 => format!("{value:.2} ms"),
        Some(value) if value < 1000.0 => format!("{value:.1} ms"),
        Some(value) => format!("{:.2} s", value / 1e3),
    }
}

/// A judgement: ✓, ✗, or nothing when there is no target.
pub fn mark(ok: Option<bool>) -> &'static str {
    match ok {
        None => "",
        Some(true) => " ✓",
        Some(false) => " ✗",
    }
}

/// 100,000.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
