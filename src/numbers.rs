//! Number formatting for people: `1.2k` credits, `$3,400`, `38.2%`, `day 12`.
//!
//! The one place numbers become text: charts, the report, the printed
//! summaries, replay's tables and `check` use these, so that a figure and
//! the table next to it say the same number the same way, and money, signs
//! and missing values read alike everywhere. Non-finite values format as `n/a`
//! rather than `NaN` or `inf`, because a reader cannot act on either.

/// A count of credits (or any quantity) in compact form: `850`, `12.5`,
/// `1.2k`, `34k`, `3.4M`, `1.2B`.
///
/// Three significant digits at most, trailing `.0` dropped, so `1000` is
/// `1k` and `1250` is `1.3k` (rounded half away from zero).
pub fn compact(v: f64) -> String {
    if !v.is_finite() {
        return NA.to_string();
    }
    let (scale, suffix) = scale_of(v.abs());
    let scaled = v / scale;
    // Three significant digits: 123k, 12.3k, 1.2k (two there: "1.23k" is
    // noise for a forecast), and 0.25 for fractions below one.
    let a = scaled.abs();
    let decimals = if a >= 100.0 {
        0
    } else if a >= 1.0 || a == 0.0 {
        1
    } else {
        2
    };
    let text = trim_zeros(&fixed(scaled, decimals));
    // Rounding can carry into the next unit (999.96k -> 1000k): re-scale.
    // There is no unit after B, so 1000B stays.
    if suffix != "B" && text.trim_start_matches('-').starts_with("1000") {
        return compact(v.signum() * scale * 1000.0);
    }
    format!("{text}{suffix}")
}

/// Credits, compact, with the unit: `1.2k credits`, `1 credit`.
pub fn credits(v: f64) -> String {
    if v == 1.0 {
        "1 credit".to_string()
    } else {
        format!("{} credits", compact(v))
    }
}

/// US dollars for people: `$0.50`, `$12`, `$3,400`, `$1.2M`, `-$3,400`.
///
/// Cents are shown only below $10, where they matter; from a million up the
/// compact form is used, because finance reads `$1.2M` faster than seven
/// digits.
pub fn dollars(v: f64) -> String {
    if !v.is_finite() {
        return NA.to_string();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    let body = if a >= 1e6 {
        compact(a)
    } else if a < 10.0 && a.fract() != 0.0 {
        fixed(a, 2)
    } else {
        grouped(a.round())
    };
    // `-$0` would alarm a reader for a rounding artefact.
    if body == "0" || body == "0.00" {
        return format!("${body}");
    }
    format!("{sign}${body}")
}

/// US dollars with cents and thousands separators: `$3,400.00`, for tables
/// where a finance reader adds the numbers up.
pub fn dollars_cents(v: f64) -> String {
    if !v.is_finite() {
        return NA.to_string();
    }
    let sign = if v < 0.0 && (v * 100.0).round() != 0.0 {
        "-"
    } else {
        ""
    };
    let cents = (v.abs() * 100.0).round();
    let whole = (cents / 100.0).trunc();
    let rest = cents - whole * 100.0;
    format!("{sign}${}.{:02}", grouped(whole), rest as u64)
}

/// A whole number with thousands separators: `12,345`.
pub fn thousands(v: f64) -> String {
    if !v.is_finite() {
        return NA.to_string();
    }
    let sign = if v.round() < 0.0 { "-" } else { "" };
    format!("{sign}{}", grouped(v.abs().round()))
}

/// A share (0..1) as a percentage with one decimal: `38.2%`; shares that
/// round to 0 or 100 but are not exactly so show as `<0.1%` and `>99.9%`,
/// so that "never" and "always" are only said when true.
pub fn percent(share: f64) -> String {
    if !share.is_finite() {
        return NA.to_string();
    }
    let p = share * 100.0;
    if p > 0.0 && p < 0.05 {
        return "<0.1%".to_string();
    }
    if (99.95..100.0).contains(&p) {
        return ">99.9%".to_string();
    }
    format!("{}%", fixed(p, 1))
}

/// A share (0..1) as a whole percentage, for axis ticks: `40%`.
pub fn percent_whole(share: f64) -> String {
    if !share.is_finite() {
        return NA.to_string();
    }
    format!("{}%", fixed(share * 100.0, 0))
}

/// A day of the billing month: `day 12`, `day 12.5`.
pub fn day(v: f64) -> String {
    if !v.is_finite() {
        return NA.to_string();
    }
    format!("day {}", trim_zeros(&fixed(v, 1)))
}

/// A duration in days: `1 day`, `3.5 days`.
pub fn days(v: f64) -> String {
    if !v.is_finite() {
        return NA.to_string();
    }
    if v == 1.0 {
        return "1 day".to_string();
    }
    format!("{} days", trim_zeros(&fixed(v, 1)))
}

/// A value with an interval: `38.2% (95% CI 37.3-39.1%)`-style text built
/// from any formatter, for the headline tables.
pub fn with_interval(mid: f64, lo: f64, hi: f64, level: &str, f: fn(f64) -> String) -> String {
    format!("{} ({level} {} \u{2013} {})", f(mid), f(lo), f(hi))
}

/// How a `1.2k`-style axis tick must be written so that neighbouring ticks
/// `step` apart never read the same: the number of decimals after scaling
/// by the unit suffix chosen for `max_abs`.
pub fn tick_decimals(max_abs: f64, step: f64) -> usize {
    if !(step.is_finite() && step > 0.0 && max_abs.is_finite()) {
        return 0;
    }
    let (scale, _) = scale_of(max_abs);
    let s = step / scale;
    // The smallest number of decimals that shows a change of `s`.
    let mut d = 0;
    while d < 3 && (s * 10f64.powi(d as i32)).round() < 1.0 - 1e-9 {
        d += 1;
    }
    // 0.25 needs two decimals, 2.5 one: add one when the step is not whole.
    let scaled = s * 10f64.powi(d as i32);
    if d < 3 && (scaled - scaled.round()).abs() > 1e-6 {
        d += 1;
    }
    d
}

/// A compact tick label with a fixed number of decimals after scaling
/// (see [`tick_decimals`]): `1.5k`, `2.0k` reads badly, so whole values drop
/// their decimals only when every tick can (`decimals == 0`).
pub fn compact_tick(v: f64, max_abs: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return NA.to_string();
    }
    let (scale, suffix) = scale_of(max_abs);
    if v == 0.0 {
        return "0".to_string();
    }
    format!("{}{suffix}", fixed(v / scale, decimals))
}

/// A dollar tick label: `$0`, `$250`, `$1,500`, `$1.2M`, with enough
/// decimals for the step.
pub fn dollars_tick(v: f64, max_abs: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return NA.to_string();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    if max_abs >= 1e6 {
        return format!("{sign}${}", compact_tick(a, max_abs, decimals));
    }
    if a == 0.0 {
        return "$0".to_string();
    }
    format!("{sign}${}", grouped_tick(a, decimals))
}

/// A plain tick label with thousands separators and a fixed number of
/// decimals: `1,500`, `2.5`; for axes that stay below the compact range.
pub fn grouped_tick(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return NA.to_string();
    }
    let text = fixed(v.abs(), decimals);
    let (int_part, frac) = match text.split_once('.') {
        Some((i, f)) => (i, format!(".{f}")),
        None => (text.as_str(), String::new()),
    };
    let int_grouped = int_part
        .parse::<f64>()
        .map(grouped)
        .unwrap_or_else(|_| int_part.to_string());
    let sign = if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    format!("{sign}{int_grouped}{frac}")
}

/// What non-finite numbers print as.
pub const NA: &str = "n/a";

/// The unit scale and suffix for a magnitude.
fn scale_of(a: f64) -> (f64, &'static str) {
    // Thresholds sit just below the unit so that 999,960 prints as 1M, not
    // 1000k (the carry is handled in `compact`).
    if a >= 1e9 {
        (1e9, "B")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "k")
    } else {
        (1.0, "")
    }
}

/// `v` with exactly `decimals` decimals, rounding half away from zero (the
/// way people and spreadsheets round, unlike `format!`'s half-to-even on
/// binary values), and no `-0`.
fn fixed(v: f64, decimals: usize) -> String {
    let m = 10f64.powi(decimals as i32);
    // A tiny nudge makes 1.25 round to 1.3 although 1.25 * 10 is 12.499999...
    let r = (v * m + v.signum() * 1e-9).round() / m;
    let r = if r == 0.0 { 0.0 } else { r };
    format!("{r:.decimals$}")
}

/// Drops a trailing `.0` (or `.00`).
fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// A non-negative whole number with thousands separators.
fn grouped(whole: f64) -> String {
    group_digits(&format!("{:.0}", whole.abs()))
}

/// The horizon one simulated total covers, for finance readers (who say
/// "per month", not "per trial"): `per simulated month`, `per simulated 3
/// months`, `per simulated 30-day cycle`, `per simulated 4 cycles of 30 days`.
pub fn per_horizon(months: u32, cycle_days: Option<u32>) -> String {
    match (months, cycle_days) {
        (1, None) => "per simulated month".to_string(),
        (n, None) => format!("per simulated {n} months"),
        (1, Some(d)) => format!("per simulated {d}-day cycle"),
        (n, Some(d)) => format!("per simulated {n} cycles of {d} days"),
    }
}

/// A count with its noun, singular for one: `1 team`, `2,500 teams`.
pub fn count(n: u64, noun: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} {noun}{s}", group_digits(&n.to_string()))
}

/// Thousands separators on a string of digits: `1234567` -> `1,234,567`.
/// The one grouping every table uses (charts, the run summary, replay), on
/// digits so that integers too large for an `f64` group exactly.
pub fn group_digits(digits: &str) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizons_read_as_finance_says_them() {
        assert_eq!(per_horizon(1, None), "per simulated month");
        assert_eq!(per_horizon(12, None), "per simulated 12 months");
        assert_eq!(per_horizon(1, Some(30)), "per simulated 30-day cycle");
        assert_eq!(per_horizon(4, Some(7)), "per simulated 4 cycles of 7 days");
    }

    #[test]
    fn counts_agree_with_their_number() {
        assert_eq!(count(1, "team"), "1 team");
        assert_eq!(count(0, "team"), "0 teams");
        assert_eq!(count(2500, "team"), "2,500 teams");
    }

    #[test]
    fn group_digits_is_exact_for_any_integer() {
        assert_eq!(group_digits("0"), "0");
        assert_eq!(group_digits("999"), "999");
        assert_eq!(group_digits("1000"), "1,000");
        assert_eq!(group_digits("1234567"), "1,234,567");
        // u64::MAX is past f64's exact integers: grouped from its digits.
        assert_eq!(
            group_digits(&u64::MAX.to_string()),
            "18,446,744,073,709,551,615"
        );
    }

    #[test]
    fn compact_uses_three_significant_digits_and_unit_suffixes() {
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(7.0), "7");
        assert_eq!(compact(12.5), "12.5");
        assert_eq!(compact(0.25), "0.25");
        assert_eq!(compact(850.0), "850");
        assert_eq!(compact(999.0), "999");
        assert_eq!(compact(1000.0), "1k");
        assert_eq!(compact(1234.0), "1.2k");
        assert_eq!(compact(1250.0), "1.3k");
        assert_eq!(compact(12_345.0), "12.3k");
        assert_eq!(compact(123_456.0), "123k");
        assert_eq!(compact(3_400_000.0), "3.4M");
        assert_eq!(compact(1_200_000_000.0), "1.2B");
        assert_eq!(compact(-1234.0), "-1.2k");
        assert_eq!(compact(f64::NAN), "n/a");
    }

    #[test]
    fn compact_carries_into_the_next_unit() {
        assert_eq!(compact(999_960.0), "1M");
        assert_eq!(compact(999_499.0), "999k");
        assert_eq!(compact(999.7), "1k");
        assert_eq!(compact(2e12), "2000B");
    }

    #[test]
    fn credits_name_the_unit() {
        assert_eq!(credits(1.0), "1 credit");
        assert_eq!(credits(1500.0), "1.5k credits");
    }

    #[test]
    fn dollars_group_thousands_and_show_cents_only_when_small() {
        assert_eq!(dollars(0.0), "$0");
        assert_eq!(dollars(0.5), "$0.50");
        assert_eq!(dollars(9.99), "$9.99");
        assert_eq!(dollars(12.0), "$12");
        assert_eq!(dollars(3400.0), "$3,400");
        assert_eq!(dollars(3400.4), "$3,400");
        assert_eq!(dollars(999_999.0), "$999,999");
        assert_eq!(dollars(1_234_567.0), "$1.2M");
        assert_eq!(dollars(-3400.0), "-$3,400");
        assert_eq!(dollars(-0.001), "$0.00");
        assert_eq!(dollars(f64::INFINITY), "n/a");
    }

    #[test]
    fn money_signs_and_missing_values_read_alike_everywhere() {
        // Once three formatters disagreed: -0.5 printed as "$0.50", NaN as
        // "-", "$NaN" or "n/a".
        for f in [dollars, dollars_cents] {
            assert_eq!(f(-0.5), "-$0.50");
            assert_eq!(f(f64::NAN), NA);
            assert_eq!(f(f64::INFINITY), NA);
            assert!(!f(-0.001).starts_with('-'), "{}", f(-0.001));
        }
        assert_eq!(crate::replay::output::usd(-0.5), "-$0.50");
        assert_eq!(percent(f64::NAN), NA);
        assert_eq!(thousands(f64::NAN), NA);
    }

    #[test]
    fn dollars_cents_for_tables() {
        assert_eq!(dollars_cents(3400.0), "$3,400.00");
        assert_eq!(dollars_cents(1234567.891), "$1,234,567.89");
        assert_eq!(dollars_cents(0.125), "$0.13");
        assert_eq!(dollars_cents(-5.5), "-$5.50");
        assert_eq!(dollars_cents(-0.001), "$0.00");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(10_000.0), "10,000");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
        assert_eq!(thousands(-1234.0), "-1,234");
    }

    #[test]
    fn percentages_say_never_and_always_only_when_true() {
        assert_eq!(percent(0.0), "0.0%");
        assert_eq!(percent(0.382), "38.2%");
        assert_eq!(percent(0.0004), "<0.1%");
        assert_eq!(percent(0.9996), ">99.9%");
        assert_eq!(percent(1.0), "100.0%");
        assert_eq!(percent_whole(0.4), "40%");
    }

    #[test]
    fn days_read_as_words() {
        assert_eq!(day(12.0), "day 12");
        assert_eq!(day(12.5), "day 12.5");
        assert_eq!(days(1.0), "1 day");
        assert_eq!(days(3.5), "3.5 days");
    }

    #[test]
    fn intervals_use_the_given_formatter() {
        assert_eq!(
            with_interval(0.382, 0.373, 0.391, "95% CI", percent),
            "38.2% (95% CI 37.3% \u{2013} 39.1%)"
        );
    }

    #[test]
    fn tick_decimals_keep_neighbouring_ticks_distinct() {
        // Ticks 0, 500, 1000, 1500 on a k scale: 0.5k steps need one decimal.
        assert_eq!(tick_decimals(1500.0, 500.0), 1);
        // 0, 1k, 2k: whole.
        assert_eq!(tick_decimals(2000.0, 1000.0), 0);
        // 1000, 1050, 1100: 0.05k steps need two decimals.
        assert_eq!(tick_decimals(1100.0, 50.0), 2);
        // Plain 0, 0.25, 0.5: two decimals.
        assert_eq!(tick_decimals(0.5, 0.25), 2);
        assert_eq!(tick_decimals(10.0, 2.0), 0);
        let labels: Vec<String> = [1000.0, 1050.0, 1100.0]
            .iter()
            .map(|&v| compact_tick(v, 1100.0, tick_decimals(1100.0, 50.0)))
            .collect();
        assert_eq!(labels, ["1.00k", "1.05k", "1.10k"]);
    }

    #[test]
    fn dollar_ticks() {
        assert_eq!(dollars_tick(0.0, 1500.0, 0), "$0");
        assert_eq!(dollars_tick(1500.0, 1500.0, 0), "$1,500");
        assert_eq!(dollars_tick(2.5, 10.0, 1), "$2.5");
        assert_eq!(dollars_tick(1_500_000.0, 2e6, 1), "$1.5M");
        assert_eq!(grouped_tick(1500.0, 0), "1,500");
        assert_eq!(grouped_tick(-2.5, 1), "-2.5");
        assert_eq!(grouped_tick(-0.0001, 1), "0.0");
    }
}
