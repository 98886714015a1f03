//! The short readable summary `flowcast run` prints on standard output.

use crate::numbers::{dollars_cents as dollars, percent as pct, thousands};
use crate::statistics::summary::{Distribution, GroupStats, Summary};
use std::fmt::Write;

fn dist_line(d: &Distribution, f: fn(f64) -> String) -> String {
    format!(
        "mean {} [{}, {}]; P50 {}, P90 {}, P99 {}",
        f(d.mean),
        f(d.ci_low),
        f(d.ci_high),
        f(d.p50),
        f(d.p90),
        f(d.p99)
    )
}

fn group(out: &mut String, g: &GroupStats) {
    let h = &g.hit;
    let _ = write!(
        out,
        "  hit the limit    {} of team-months [{}, {}]",
        pct(h.probability.value),
        pct(h.probability.ci_low),
        pct(h.probability.ci_high)
    );
    match &h.when {
        [Some(a), Some(b), Some(c)] => {
            let _ = writeln!(out, "; when hit, P10 {a} / P50 {b} / P90 {c}");
        }
        _ => out.push('\n'),
    }
    let _ = writeln!(
        out,
        "  credits used     {}",
        dist_line(&g.credits_used, thousands)
    );
    let _ = writeln!(
        out,
        "  overage cost     {} per team-month",
        dist_line(&g.overage_cost_usd, dollars)
    );
    if g.runs_blocked.mean > 0.0 || g.suspended_share.value > 0.0 {
        let _ = writeln!(
            out,
            "  while suspended  {} of team-months; mean {} runs / {} credits blocked, {:.2} days suspended",
            pct(g.suspended_share.value),
            thousands(g.runs_blocked.mean),
            thousands(g.credits_blocked.mean),
            g.days_suspended.mean
        );
    }
}

/// The text summary.
pub fn summary_text(s: &Summary) -> String {
    let mut out = String::new();
    let cycle = match s.calendar.cycle_days {
        Some(d) => format!("{d}-day cycle(s)"),
        None => "calendar month(s)".to_string(),
    };
    let _ = writeln!(
        out,
        "flowcast run: scenario '{}', {} trials, seed {}, {} {} from {}",
        s.scenario, s.trials, s.seed, s.calendar.months, cycle, s.calendar.start
    );
    for k in &s.kinds {
        let p = &k.plan;
        let overage = match p.overage_price_usd {
            Some(price) => format!(
                "overage {} at {} per {}-credit block (assumption)",
                p.overage_policy,
                dollars(price),
                thousands(p.block_credits as f64)
            ),
            None => format!("overage {}", p.overage_policy),
        };
        let _ = writeln!(
            out,
            "\n{}: {}, plan {} ({} credits/month), {}",
            k.name,
            crate::numbers::count(u64::from(k.teams), "team"),
            p.plan,
            thousands(p.credits as f64),
            overage
        );
        group(&mut out, &k.stats);
    }
    let t = &s.total_overage;
    let _ = writeln!(
        out,
        "\nTotal overage billed {}, all teams: {}",
        crate::numbers::per_horizon(s.calendar.months, s.calendar.cycle_days),
        dist_line(&t.per_trial_usd, dollars)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_thousands() {
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(dollars(3400.0), "$3,400.00");
        assert_eq!(dollars(0.5), "$0.50");
    }
}
