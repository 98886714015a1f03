//! The terms a team is billed under, built by one constructor that refuses
//! every combination the contract forbids, so no caller (replay's plan file,
//! the scenario validator, the engine) holds a plan-terms rule of its own:
//!
//! - the allotment and the block size are positive;
//! - overage that can be on needs the block price (the source does not
//!   publish it, so it is never assumed) and a plan that allows overage (the
//!   free plan does not);
//! - a price with overage off is refused as a likely mistake.

/// The largest overage block price accepted, USD.
pub(crate) const MAX_BLOCK_PRICE: f64 = 1e9;

/// When overage (pay-as-you-go) is on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Overage<T> {
    /// Never: the team is suspended at the limit (the default, and the only
    /// choice on the free plan).
    Off,
    /// From the start.
    On,
    /// Switched on at this instant (a replayed team that reacted to a
    /// suspension, or a simulated one whose reaction was drawn).
    From(T),
    /// Off until the biller switches it on ([`crate::ledger::Ledger::switch_overage_on`]):
    /// a simulated team that reacts to a suspension after a drawn delay.
    WhenSwitched,
}

/// The terms one team is billed under. Built only by [`Terms::new`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Terms<T> {
    allotment: u64,
    block_credits: u64,
    block_price: f64,
    overage: Overage<T>,
}

/// The plan a team is on, as far as billing is concerned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlanTerms<'a> {
    /// How the plan is named in messages (e.g. "plan 'free'").
    pub label: &'a str,
    /// Monthly credit allotment.
    pub allotment: u64,
    /// Whether the plan allows overage.
    pub overage_allowed: bool,
}

/// Why terms cannot be built. Its text is one line without a place (the
/// caller adds file, line and key: which key depends on the variant).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TermsError {
    /// The allotment is 0.
    #[error("{0}: the monthly allotment must be > 0 credits")]
    NoAllotment(String),
    /// The overage block holds no credits.
    #[error("an overage block must hold > 0 credits")]
    EmptyBlock,
    /// A price with overage off.
    #[error("an overage price is given but overage is off (switch it on, or drop the price)")]
    PriceWithoutOverage,
    /// Overage can be on and no price is given.
    #[error("overage can be on but no overage price is given (USD per {0}-credit block: the source does not publish it, so it is never assumed)")]
    NoPrice(u64),
    /// The price is negative, not a number, or too large to total.
    #[error("overage price must be a number from 0 to 1e9 (USD per block), got {0}")]
    BadPrice(f64),
    /// The plan does not allow overage.
    #[error("{0} does not allow overage (pay-as-you-go is for paid plans)")]
    NotAllowed(String),
}

impl<T: Copy> Terms<T> {
    /// Checked terms: `plan` with `overage`, overage blocks of
    /// `block_credits` credits at `price` USD.
    pub fn new(
        plan: PlanTerms<'_>,
        block_credits: u64,
        overage: Overage<T>,
        price: Option<f64>,
    ) -> Result<Terms<T>, TermsError> {
        if plan.allotment == 0 {
            return Err(TermsError::NoAllotment(plan.label.to_string()));
        }
        if block_credits == 0 {
            return Err(TermsError::EmptyBlock);
        }
        let off = matches!(overage, Overage::Off);
        let block_price = match (off, price) {
            (true, None) => 0.0,
            (true, Some(_)) => return Err(TermsError::PriceWithoutOverage),
            (false, None) => return Err(TermsError::NoPrice(block_credits)),
            // Above a billion dollars a block, a month's overage in cents
            // could pass 64 bits in the statistics: refused, not saturated.
            (false, Some(p)) if !(p.is_finite() && (0.0..=MAX_BLOCK_PRICE).contains(&p)) => {
                return Err(TermsError::BadPrice(p))
            }
            (false, Some(p)) => p,
        };
        if !off && !plan.overage_allowed {
            return Err(TermsError::NotAllowed(plan.label.to_string()));
        }
        Ok(Terms {
            allotment: plan.allotment,
            block_credits,
            block_price,
            overage,
        })
    }

    /// Monthly credit allotment.
    pub fn allotment(&self) -> u64 {
        self.allotment
    }

    /// Credits in one overage block (1,000 in the source).
    pub fn block_credits(&self) -> u64 {
        self.block_credits
    }

    /// Price of one overage block, USD (an input: the source does not
    /// publish it); 0 when overage is off.
    pub fn block_price(&self) -> f64 {
        self.block_price
    }

    /// When overage is on.
    pub fn overage(&self) -> Overage<T> {
        self.overage
    }

    /// The same terms with overage `o` (from valid terms: switching overage
    /// off, or on where it was to be switched on, keeps them valid).
    pub(crate) fn with_overage(&self, o: Overage<T>) -> Terms<T> {
        Terms {
            block_price: if matches!(o, Overage::Off) {
                0.0
            } else {
                self.block_price
            },
            overage: o,
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEAM: PlanTerms<'static> = PlanTerms {
        label: "plan 'team'",
        allotment: 100,
        overage_allowed: true,
    };
    const FREE: PlanTerms<'static> = PlanTerms {
        label: "plan 'free'",
        allotment: 25,
        overage_allowed: false,
    };

    #[test]
    fn forbidden_combinations_cannot_be_built() {
        let err =
            |p, o: Overage<i64>, price| Terms::new(p, 1000, o, price).unwrap_err().to_string();
        assert!(err(FREE, Overage::On, Some(10.0)).contains("does not allow overage"));
        assert!(err(FREE, Overage::WhenSwitched, Some(10.0)).contains("does not allow"));
        assert!(err(TEAM, Overage::On, None).contains("no overage price"));
        assert!(err(TEAM, Overage::WhenSwitched, None).contains("no overage price"));
        assert!(err(TEAM, Overage::From(5), None).contains("no overage price"));
        assert!(err(TEAM, Overage::Off, Some(10.0)).contains("overage is off"));
        assert!(err(TEAM, Overage::On, Some(f64::NAN)).contains("from 0 to 1e9"));
        assert!(err(TEAM, Overage::On, Some(-1.0)).contains("from 0 to 1e9"));
        assert!(err(TEAM, Overage::On, Some(1e17)).contains("from 0 to 1e9"));
        let zero = PlanTerms {
            allotment: 0,
            ..TEAM
        };
        assert!(err(zero, Overage::Off, None).contains("> 0"));
        assert!(Terms::<i64>::new(TEAM, 0, Overage::Off, None).is_err());
        let t = Terms::<i64>::new(TEAM, 1000, Overage::On, Some(12.5)).unwrap();
        assert_eq!(
            (
                t.allotment(),
                t.block_credits(),
                t.block_price(),
                t.overage()
            ),
            (100, 1000, 12.5, Overage::On)
        );
        let off = Terms::<i64>::new(FREE, 1000, Overage::Off, None).unwrap();
        assert_eq!(off.block_price(), 0.0);
    }
}
