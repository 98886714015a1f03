//! Recommending a plan: the monthly cost of a team on a plan, and the rules
//! a user can pick to choose among plans.

use std::fmt;
use std::str::FromStr;

/// What one plan costs one kind of team, as simulated.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanOutcome {
    /// Plan name.
    pub plan: String,
    /// Mean total monthly cost per team (seats x seat price + overage), USD.
    pub mean_cost: f64,
    /// 90th percentile of the total monthly cost per team, USD.
    pub p90_cost: f64,
    /// Probability that a team is suspended at some point in a month.
    pub p_suspended: f64,
}

/// How to pick the recommended plan.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// The lowest expected (mean) monthly cost.
    LowestMean,
    /// The lowest 90th-percentile monthly cost (a cautious budget).
    LowestP90,
    /// The lowest expected cost among plans whose probability of a
    /// suspension is at most this value.
    NoSuspensionAbove(f64),
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::LowestMean => f.write_str("lowest expected monthly cost"),
            Rule::LowestP90 => f.write_str("lowest P90 monthly cost"),
            Rule::NoSuspensionAbove(p) => write!(
                f,
                "lowest expected monthly cost with P(suspended) <= {}",
                crate::planning::stopping::percent(*p)
            ),
        }
    }
}

impl FromStr for Rule {
    type Err = String;
    /// `mean`, `p90`, or `suspension<=P` (P a fraction like 0.05 or a
    /// percentage like 5%).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        match s {
            "mean" => Ok(Rule::LowestMean),
            "p90" => Ok(Rule::LowestP90),
            _ => {
                let p = s
                    .strip_prefix("suspension<=")
                    .ok_or_else(|| {
                        format!("unknown rule '{s}' (expected mean, p90 or suspension<=P, e.g. suspension<=5%)")
                    })?;
                let p = crate::planning::stopping::parse_fraction(p)?;
                if !(0.0..=1.0).contains(&p) {
                    return Err(format!("suspension probability must be in [0, 1], got {p}"));
                }
                Ok(Rule::NoSuspensionAbove(p))
            }
        }
    }
}

/// The index of the recommended plan under `rule`, or `None` if no plan
/// qualifies. Ties go to the earlier plan (the caller lists plans cheapest
/// first), so the answer never depends on float noise between equal costs.
pub fn recommend(outcomes: &[PlanOutcome], rule: Rule) -> Option<usize> {
    let key = |o: &PlanOutcome| match rule {
        Rule::LowestMean | Rule::NoSuspensionAbove(_) => o.mean_cost,
        Rule::LowestP90 => o.p90_cost,
    };
    let eligible = |o: &PlanOutcome| match rule {
        Rule::NoSuspensionAbove(p) => o.p_suspended <= p,
        _ => true,
    };
    let mut best: Option<usize> = None;
    for (i, o) in outcomes.iter().enumerate() {
        if !eligible(o) {
            continue;
        }
        match best {
            Some(b) if key(&outcomes[b]) <= key(o) => {}
            _ => best = Some(i),
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(plan: &str, mean: f64, p90: f64, p: f64) -> PlanOutcome {
        PlanOutcome {
            plan: plan.into(),
            mean_cost: mean,
            p90_cost: p90,
            p_suspended: p,
        }
    }

    #[test]
    fn each_rule_picks_its_own_plan() {
        // Built so that the three rules disagree.
        let plans = [
            o("solo", 40.0, 120.0, 0.30),
            o("team", 60.0, 70.0, 0.10),
            o("enterprise", 250.0, 250.0, 0.0),
        ];
        assert_eq!(recommend(&plans, Rule::LowestMean), Some(0));
        assert_eq!(recommend(&plans, Rule::LowestP90), Some(1));
        assert_eq!(recommend(&plans, Rule::NoSuspensionAbove(0.05)), Some(2));
        assert_eq!(recommend(&plans, Rule::NoSuspensionAbove(0.10)), Some(1));
    }

    #[test]
    fn no_plan_qualifies() {
        let plans = [o("free", 0.0, 0.0, 0.9)];
        assert_eq!(recommend(&plans, Rule::NoSuspensionAbove(0.5)), None);
    }

    #[test]
    fn ties_go_to_the_first_plan() {
        let plans = [o("a", 5.0, 5.0, 0.0), o("b", 5.0, 5.0, 0.0)];
        assert_eq!(recommend(&plans, Rule::LowestMean), Some(0));
    }

    #[test]
    fn parses_rules() {
        assert_eq!("mean".parse::<Rule>(), Ok(Rule::LowestMean));
        assert_eq!("p90".parse::<Rule>(), Ok(Rule::LowestP90));
        assert_eq!(
            "suspension<=5%".parse::<Rule>(),
            Ok(Rule::NoSuspensionAbove(0.05))
        );
        assert_eq!(
            "suspension<=0.2".parse::<Rule>(),
            Ok(Rule::NoSuspensionAbove(0.2))
        );
        assert!("suspension<=150%".parse::<Rule>().is_err());
        assert!("cheapest".parse::<Rule>().is_err());
    }
}
