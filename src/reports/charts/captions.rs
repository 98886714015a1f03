//! The standard one-line captions that tell a reader how to read each chart
//! of a run, so the CLI, the demo and any other caller say the same thing.
//!
//! Each says what to look at and what it means, in the reader's terms
//! (teams, days, dollars), not the chart's (bands, percentiles) alone.

/// Burn-up fan chart for one team kind.
pub fn burn_up(kind: &str) -> String {
    format!(
        "Credits used by each day of the month by {kind} teams: half of them lie in the dark band, \
         8 in 10 in the light one; where a band crosses the dashed allotment, that share of teams has run out."
    )
}

/// Share of teams that have hit the limit, by day, one line per kind.
pub fn limit_hit() -> String {
    "Read a line at a day to see the share of that kind's teams already out of credits; \
     the legend gives the share that never ran out."
        .to_string()
}

/// Overage cost histogram for one team kind.
pub fn overage(kind: &str) -> String {
    format!(
        "How many {kind} team-months paid each overage amount; the dashed lines mark the median, \
         the 9-in-10 and the 99-in-100 cost."
    )
}

/// The whole population's overage bill histogram.
pub fn overage_total() -> String {
    "The whole population's overage bill for a month: bars show how often each total came up; \
     budget at the P90 line to be covered 9 months in 10."
        .to_string()
}

/// Credits by source, stacked per team kind.
pub fn credits_by_source() -> String {
    "Each bar is one team kind's mean monthly credits, split by what consumed them; \
     the number on top is the total."
        .to_string()
}

/// Credits by source as shares of each kind's total.
pub fn credits_by_source_share() -> String {
    "The same split as shares, so that small team kinds can be compared with large ones."
        .to_string()
}

/// Monthly forecast fan (months on the x axis).
pub fn forecast_by_month(what: &str) -> String {
    format!(
        "The {what} for each coming month: the line is the median, the dark band holds half \
         of the simulated months and the light band 8 in 10."
    )
}

/// Tornado chart of input swings.
pub fn tornado(what: &str) -> String {
    format!(
        "Each bar shows how far the {what} moves when one input goes from its low to its high setting, \
         the others held at baseline; the longest bars matter most."
    )
}

/// A sweep: a metric against one input, with its confidence band.
pub fn sweep(metric: &str, input: &str) -> String {
    format!(
        "The {metric} at each {input}, with its 95% confidence band: where the band is narrow the \
         estimate is firm; read off the {input} that fits your budget."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_are_one_line_and_name_their_subject() {
        let all = [
            burn_up("api-team"),
            limit_hit(),
            overage("api-team"),
            overage_total(),
            credits_by_source(),
            credits_by_source_share(),
            forecast_by_month("overage bill"),
            tornado("yearly overage bill"),
            sweep("mean monthly overage bill", "block price"),
        ];
        for c in &all {
            assert!(!c.contains('\n') && !c.contains("  "), "{c}");
            assert!(c.ends_with('.'), "{c}");
        }
        assert!(all[0].contains("api-team teams"));
        assert!(all[8].contains("at each block price"));
    }
}
