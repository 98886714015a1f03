//! From the file as written ([`raw`](super::raw)) to the validated
//! [`Scenario`]: every value checked, every name resolved, every default
//! filled in. Each error names the line and the dotted key path of the
//! offending value (the same path `--set` takes).

use super::dist::{self, Support};
use super::error::{Locator, ScenarioError, OVERRIDE_BASE};
use super::model::*;
use super::raw::*;
use crate::ledger::{Overage, PlanTerms, Terms, TermsError};
use crate::pricing::{PriceBook, PriceBookError, Trigger};
use chrono::Datelike;
use std::collections::HashMap;
use std::ops::Range;
use toml::Value;

type R<T> = Result<T, ScenarioError>;

/// Per MCP-flow reference of a flow's tools: its span and key path.
type ToolRefs = Vec<(Range<usize>, String)>;

/// Default number of trials when `[simulation]` does not say.
pub const DEFAULT_TRIALS: u32 = 200;
/// The most billing cycles a scenario simulates (100 years).
pub const MAX_MONTHS: u32 = 1200;

/// The most model switches a kind may have (the engine keeps a price table
/// per combination of switches made: 2^4 at most).
pub const MAX_MODEL_SWITCHES: usize = 4;

/// Default seed when `[simulation]` does not say.
pub const DEFAULT_SEED: u64 = 1;

/// The "office" hour profile: weight 3 from 09:00 to 17:00 UTC, 1 otherwise.
pub const OFFICE_HOURS: [f64; 24] = {
    let mut w = [1.0; 24];
    let mut h = 9;
    while h < 17 {
        w[h] = 3.0;
        h += 1;
    }
    w
};

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Checks a parsed file and builds the scenario.
pub(crate) fn scenario(raw: RawScenario, loc: &Locator<'_>) -> R<Scenario> {
    let c = Checker { loc };
    let name = c.name(&raw.name, "name")?;
    // Reports show the description on one line.
    let description = raw
        .description
        .map(|d| crate::files::one_line(d.get_ref()))
        .unwrap_or_default();
    let sim = raw.simulation.map(|s| s.into_inner()).unwrap_or_default();
    let seed = match &sim.seed {
        Some(v) => c.int(v, "simulation.seed", 0, i64::MAX)? as u64,
        None => DEFAULT_SEED,
    };
    let trials = match &sim.trials {
        Some(v) => c.int(v, "simulation.trials", 1, u32::MAX as i64)? as u32,
        None => DEFAULT_TRIALS,
    };
    let usage_multiplier = match (&raw.usage_multiplier, &sim.usage_multiplier) {
        (Some(_), Some(v)) => {
            return Err(c.err(
                v.span(),
                "simulation.usage_multiplier",
                "given twice: at the top level and under [simulation]; keep one",
            ))
        }
        (Some(v), None) => c.non_negative(v, "usage_multiplier")?,
        (None, Some(v)) => c.non_negative(v, "simulation.usage_multiplier")?,
        (None, None) => 1.0,
    };
    let calendar = c.calendar(raw.calendar)?;
    let prices = match raw.prices {
        None => PriceBook::builtin(),
        Some(p) => {
            let span = p.span();
            PriceBook::builtin()
                .with_overrides(p.into_inner(), &loc.path.display().to_string())
                .map_err(|e| match e {
                    PriceBookError::Invalid { key, problem, .. } => {
                        c.err(span, &format!("prices.{key}"), problem)
                    }
                    other => c.err(span, "prices", other.to_string()),
                })?
        }
    };
    if raw.kinds.is_empty() {
        return Err(c.loc.error(
            None,
            Some("kinds"),
            "a scenario needs at least one [[kinds]]",
        ));
    }
    let mut kinds: Vec<TeamKind> = Vec::with_capacity(raw.kinds.len());
    for k in raw.kinds {
        let span = k.get_ref().name.span();
        let kind = c.kind(k.into_inner(), &prices)?;
        if kinds.iter().any(|o| o.name == kind.name) {
            return Err(c.err(
                span,
                &format!("kinds.{}", kind.name),
                format!("duplicate kind name '{}'", kind.name),
            ));
        }
        kinds.push(kind);
    }
    let shocks = match raw.shocks {
        None => Shocks::default(),
        Some(sh) => c.shocks(sh.into_inner(), &kinds)?,
    };
    Ok(Scenario {
        name,
        description,
        seed,
        trials,
        usage_multiplier,
        calendar,
        prices,
        kinds,
        shocks,
    })
}

/// Validation helpers that know how to name a position.
struct Checker<'a> {
    loc: &'a Locator<'a>,
}

impl Checker<'_> {
    fn err(&self, span: Range<usize>, key: &str, problem: impl Into<String>) -> ScenarioError {
        self.loc.error(Some(span), Some(key), problem)
    }

    /// A name that can be an output folder and a `--set` path segment.
    fn name(&self, v: &S<String>, key: &str) -> R<String> {
        let s = v.get_ref();
        if s.is_empty() {
            return Err(self.err(v.span(), key, "must not be empty"));
        }
        if let Some(bad) = s
            .chars()
            .find(|ch| !(ch.is_ascii_alphanumeric() || *ch == '-' || *ch == '_'))
        {
            return Err(self.err(
                v.span(),
                key,
                format!("'{s}' contains '{bad}': names use letters, digits, '-' and '_' only"),
            ));
        }
        Ok(s.clone())
    }

    fn int(&self, v: &S<Value>, key: &str, min: i64, max: i64) -> R<i64> {
        match v.get_ref() {
            Value::Integer(i) if (min..=max).contains(i) => Ok(*i),
            Value::Integer(i) if *i < min => {
                Err(self.err(v.span(), key, format!("must be >= {min}, got {i}")))
            }
            Value::Integer(i) => Err(self.err(v.span(), key, format!("must be <= {max}, got {i}"))),
            other => Err(self.err(
                v.span(),
                key,
                format!("must be a whole number, got a {}", other.type_str()),
            )),
        }
    }

    fn num(&self, v: &S<Value>, key: &str) -> R<f64> {
        match dist::number(v.get_ref()) {
            Some(x) if x.is_finite() => Ok(x),
            Some(x) => Err(self.err(v.span(), key, format!("must be a finite number, got {x}"))),
            None => Err(self.err(
                v.span(),
                key,
                format!("must be a number, got a {}", v.get_ref().type_str()),
            )),
        }
    }

    fn non_negative(&self, v: &S<Value>, key: &str) -> R<f64> {
        let x = self.num(v, key)?;
        if x < 0.0 {
            return Err(self.err(v.span(), key, format!("must be >= 0, got {x}")));
        }
        Ok(x)
    }

    fn dist(&self, v: &S<Value>, key: &str, support: Support) -> R<Dist> {
        dist::parse(v.get_ref(), support).map_err(|(sub, problem)| {
            let key = if sub.is_empty() {
                key.to_string()
            } else {
                format!("{key}.{sub}")
            };
            self.loc.error_at_key(Some(v.span()), Some(&key), problem)
        })
    }

    fn opt_dist(&self, v: &Option<S<Value>>, key: &str, support: Support, default: f64) -> R<Dist> {
        match v {
            Some(v) => self.dist(v, key, support),
            None => Ok(Dist::Constant(default)),
        }
    }

    fn calendar(&self, raw: S<RawCalendar>) -> R<Calendar> {
        let raw = raw.into_inner();
        let start_text = match raw.start.get_ref() {
            Value::Datetime(d) => d.to_string(),
            Value::String(s) => s.clone(),
            other => {
                return Err(self.err(
                    raw.start.span(),
                    "calendar.start",
                    format!(
                        "must be a date-time like 2026-06-01T00:00:00Z or a date like 2026-06-01, got a {}",
                        other.type_str()
                    ),
                ))
            }
        };
        // A bare date (`2026-07-01`) is midnight UTC of that day.
        let start = crate::replay::cycles::parse_instant(&start_text)
            .map_err(|e| self.err(raw.start.span(), "calendar.start", e))?;
        let cycle_days = match &raw.cycle_days {
            Some(v) => Some(self.int(v, "calendar.cycle_days", 1, 3660)? as u32),
            None => None,
        };
        if cycle_days.is_none() && start.day() > 28 {
            return Err(self.err(
                raw.start.span(),
                "calendar.start",
                format!(
                    "calendar-month cycles must start on day 1 to 28 of a month (got day {}); \
                     or set cycle_days",
                    start.day()
                ),
            ));
        }
        let months = match &raw.months {
            Some(v) => self.int(v, "calendar.months", 1, i64::from(MAX_MONTHS))? as u32,
            None => 1,
        };
        // Every cycle boundary must be a representable date, so that no
        // later date arithmetic can overflow.
        let end = match cycle_days {
            Some(d) => chrono::Duration::try_days(i64::from(d) * i64::from(months))
                .and_then(|span| start.checked_add_signed(span)),
            None => start.checked_add_months(chrono::Months::new(months)),
        };
        if end.is_none_or(|e| e.year() > 9999) {
            return Err(self.err(
                raw.start.span(),
                "calendar.start",
                "the simulated cycles would end after the year 9999",
            ));
        }
        Ok(Calendar {
            start,
            cycle_days,
            months,
        })
    }

    fn kind(&self, raw: RawKind, prices: &PriceBook) -> R<TeamKind> {
        let name = self.name(&raw.name, "kinds.?.name")?;
        let key = format!("kinds.{name}");
        let k = |field: &str| format!("{key}.{field}");
        let teams = self.int(&raw.teams, &k("teams"), 1, u32::MAX as i64)? as u32;
        let seats = match &raw.seats {
            Some(v) => self.int(v, &k("seats"), 1, u32::MAX as i64)? as u32,
            None => 1,
        };
        let plan = prices
            .plan(raw.plan.get_ref())
            .map_err(|e| self.err(raw.plan.span(), &k("plan"), e))?
            .clone();
        let overage = match &raw.overage {
            None => OveragePolicy::Off,
            Some(v) => self.overage(v, &k("overage"))?,
        };
        let overage_price = match &raw.overage_price {
            Some(v) => Some(self.non_negative(v, &k("overage_price"))?),
            None => None,
        };
        // The plan-terms rules are the ledger's (one constructor); a kind
        // may keep a price while its overage is off (a sweep switches it).
        let terms = Terms::<i64>::new(
            PlanTerms {
                label: &format!("plan '{}'", plan.name),
                allotment: plan.credits,
                overage_allowed: plan.overage_allowed,
            },
            prices.block_credits,
            match overage {
                OveragePolicy::Off => Overage::Off,
                OveragePolicy::On => Overage::On,
                OveragePolicy::AfterSuspension { .. } => Overage::WhenSwitched,
            },
            overage_price.filter(|_| overage != OveragePolicy::Off),
        );
        match terms {
            Ok(_) => {}
            Err(TermsError::NotAllowed(_)) => {
                // Name whichever of the two came from an override, else the
                // overage line.
                let span = match &raw.overage {
                    Some(v) if raw.plan.span().start < OVERRIDE_BASE => v.span(),
                    _ => raw.plan.span(),
                };
                return Err(self.err(
                    span,
                    &k("overage"),
                    format!(
                        "plan '{}' does not allow overage; set overage = \"off\"",
                        plan.name
                    ),
                ));
            }
            Err(TermsError::NoPrice(_)) => {
                let span = raw
                    .overage
                    .as_ref()
                    .map(|v| v.span())
                    .unwrap_or(raw.name.span());
                return Err(self.err(
                    span,
                    &k("overage_price"),
                    format!(
                        "missing: overage can be on, so the USD price of a {}-credit block is required \
                         (the source does not publish it: it is your assumption)",
                        crate::numbers::group_digits(&prices.block_credits.to_string())
                    ),
                ));
            }
            Err(e @ TermsError::BadPrice(_)) => {
                let span = raw
                    .overage_price
                    .as_ref()
                    .map_or(raw.name.span(), |v| v.span());
                return Err(self.err(span, &k("overage_price"), e.to_string()));
            }
            Err(e) => return Err(self.err(raw.plan.span(), &k("plan"), e.to_string())),
        }
        let size = self.opt_dist(&raw.size, &k("size"), Support::NonNegative, 1.0)?;
        if raw.flows.is_empty() {
            return Err(self.err(
                raw.name.span(),
                &k("flows"),
                "a kind needs at least one [[kinds.flows]]",
            ));
        }
        // Names first: tool references may point forward.
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, f) in raw.flows.iter().enumerate() {
            let fname = self.name(&f.get_ref().name, &format!("{key}.flows.?.name"))?;
            if index.insert(fname.clone(), i).is_some() {
                return Err(self.err(
                    f.get_ref().name.span(),
                    &format!("{key}.flows.{fname}"),
                    format!("duplicate flow name '{fname}' in kind '{name}'"),
                ));
            }
        }
        let triggers: Vec<Option<Trigger>> = raw
            .flows
            .iter()
            .map(|f| f.get_ref().trigger.get_ref().parse().ok())
            .collect();
        let mut flows = Vec::with_capacity(raw.flows.len());
        let mut tool_spans: Vec<ToolRefs> = Vec::new();
        for f in &raw.flows {
            let (flow, spans) = self.flow(f.get_ref(), &key, prices, &index, &triggers)?;
            flows.push(flow);
            tool_spans.push(spans);
        }
        self.no_cycles(&flows, &tool_spans, &key)?;
        let monthly_shock = match &raw.monthly_shock {
            None => 0.0,
            Some(m) => {
                let v = &m.get_ref().sigma;
                let sigma = self.non_negative(v, &k("monthly_shock.sigma"))?;
                if sigma > 3.0 {
                    return Err(self.err(
                        v.span(),
                        &k("monthly_shock.sigma"),
                        format!("must be at most 3 (a factor whose P99 is over 1,000 times its median), got {sigma}"),
                    ));
                }
                sigma
            }
        };
        let reactions = self.reactions(&raw.reactions, &key, prices, &flows, &overage)?;
        Ok(TeamKind {
            name,
            teams,
            seats,
            plan,
            overage,
            overage_price,
            size,
            monthly_shock,
            flows,
            reactions,
        })
    }

    /// `[[kinds.reactions]]`: each names exactly one effect; flows and
    /// models are resolved, and an upgrade's plan must allow the kind's
    /// overage setting (a plan change never switches overage off).
    fn reactions(
        &self,
        raw: &[S<RawReaction>],
        key: &str,
        prices: &PriceBook,
        flows: &[Flow],
        overage: &OveragePolicy,
    ) -> R<Vec<Reaction>> {
        let mut out = Vec::with_capacity(raw.len());
        let mut switches = 0;
        for (i, r) in raw.iter().enumerate() {
            let span = r.span();
            let r = r.get_ref();
            let rk = |f: &str| format!("{key}.reactions[{i}].{f}");
            let after_limits = match &r.after_limits {
                Some(v) => self.int(v, &rk("after_limits"), 1, i64::from(MAX_MONTHS))? as u32,
                None => 1,
            };
            let delay_hours = self.opt_dist(
                &r.delay_hours,
                &rk("delay_hours"),
                Support::NonNegative,
                0.0,
            )?;
            let flow_index = |name: &S<String>, k: &str| {
                flows
                    .iter()
                    .position(|f| f.name == *name.get_ref())
                    .ok_or_else(|| {
                        let known: Vec<&str> = flows.iter().map(|f| f.name.as_str()).collect();
                        self.err(
                            name.span(),
                            k,
                            format!(
                                "no flow '{}' in this kind (flows: {})",
                                name.get_ref(),
                                known.join(", ")
                            ),
                        )
                    })
            };
            let effect = match (&r.upgrade, &r.throttle, &r.switch_model) {
                (Some(p), None, None) => {
                    let plan = prices
                        .plan(p.get_ref())
                        .map_err(|e| self.err(p.span(), &rk("upgrade"), e))?
                        .clone();
                    if !plan.overage_allowed && *overage != OveragePolicy::Off {
                        return Err(self.err(
                            p.span(),
                            &rk("upgrade"),
                            format!(
                                "plan '{}' does not allow overage, which this kind can switch on",
                                plan.name
                            ),
                        ));
                    }
                    Effect::Upgrade { plan }
                }
                (None, Some(t), None) => {
                    let t = t.get_ref();
                    let flow = flow_index(&t.flow, &rk("throttle.flow"))?;
                    let factor = self.num(&t.factor, &rk("throttle.factor"))?;
                    if !(factor > 0.0 && factor < 1.0) {
                        return Err(self.err(
                            t.factor.span(),
                            &rk("throttle.factor"),
                            format!("must be between 0 and 1 (the share of the rate kept), got {factor}"),
                        ));
                    }
                    Effect::Throttle { flow, factor }
                }
                (None, None, Some(m)) => {
                    let m = m.get_ref();
                    let flow = flow_index(&m.flow, &rk("switch_model.flow"))?;
                    let run = &flows[flow].run;
                    let block = match (m.block.as_ref().map(|b| b.get_ref().as_str()), &run.create_with_ai, &run.agent) {
                        (Some("create_with_ai"), Some(_), _) | (None, Some(_), None) => ModelBlock::CreateWithAi,
                        (Some("agent"), _, Some(_)) | (None, None, Some(_)) => ModelBlock::Agent,
                        (None, Some(_), Some(_)) => {
                            return Err(self.err(
                                m.flow.span(),
                                &rk("switch_model.block"),
                                "the flow has Create with AI and an AI Agent: say which, block = \"create_with_ai\" or \"agent\"",
                            ))
                        }
                        (b, _, _) => {
                            let span = m.block.as_ref().map_or(m.flow.span(), |b| b.span());
                            return Err(self.err(
                                span,
                                &rk("switch_model.block"),
                                match b {
                                    Some(b) if b != "create_with_ai" && b != "agent" => format!("expected \"create_with_ai\" or \"agent\", got '{b}'"),
                                    Some(b) => format!("flow '{}' has no {b} block", flows[flow].name),
                                    None => format!("flow '{}' has no block priced by model (Create with AI or an AI Agent)", flows[flow].name),
                                },
                            ));
                        }
                    };
                    let name = m.model.get_ref();
                    let model = match block {
                        ModelBlock::CreateWithAi => prices.create_with_ai_model(name),
                        ModelBlock::Agent => prices.agent_model(name),
                    }
                    .map_err(|e| self.err(m.model.span(), &rk("switch_model.model"), e))?;
                    switches += 1;
                    if switches > MAX_MODEL_SWITCHES {
                        return Err(self.err(
                            span,
                            &rk("switch_model"),
                            format!("at most {MAX_MODEL_SWITCHES} model switches per kind"),
                        ));
                    }
                    Effect::SwitchModel { flow, block, model }
                }
                _ => {
                    return Err(self.err(
                        span,
                        &format!("{key}.reactions[{i}]"),
                        "give exactly one of upgrade = \"PLAN\", throttle = { flow, factor } or switch_model = { flow, model }",
                    ))
                }
            };
            out.push(Reaction {
                after_limits,
                delay_hours,
                effect,
            });
        }
        Ok(out)
    }

    /// `[shocks]`: the copula's rank correlation and the shared events.
    fn shocks(&self, raw: RawShocks, kinds: &[TeamKind]) -> R<Shocks> {
        let correlation = match &raw.correlation {
            None => 0.0,
            Some(v) => {
                let r = self.num(v, "shocks.correlation")?;
                if !(0.0..=1.0).contains(&r) {
                    return Err(self.err(
                        v.span(),
                        "shocks.correlation",
                        format!("must be a rank correlation from 0 to 1, got {r}"),
                    ));
                }
                r
            }
        };
        let mut events = Vec::with_capacity(raw.events.len());
        for e in &raw.events {
            let e = e.get_ref();
            let name = self.name(&e.name, "shocks.events.?.name")?;
            let key = format!("shocks.events.{name}");
            let k = |f: &str| format!("{key}.{f}");
            if events.iter().any(|o: &ShockEvent| o.name == name) {
                return Err(self.err(
                    e.name.span(),
                    &key,
                    format!("duplicate event name '{name}'"),
                ));
            }
            let per_month = self.non_negative(&e.per_month, &k("per_month"))?;
            let duration_hours = self.dist(
                &e.duration_hours,
                &k("duration_hours"),
                Support::NonNegative,
            )?;
            let multiplier = self.non_negative(&e.multiplier, &k("multiplier"))?;
            let hit = match &e.kinds {
                None => vec![true; kinds.len()],
                Some(names) => {
                    let mut hit = vec![false; kinds.len()];
                    for n in names.get_ref() {
                        let i = kinds.iter().position(|kd| &kd.name == n).ok_or_else(|| {
                            self.err(
                                names.span(),
                                &k("kinds"),
                                format!(
                                    "unknown kind '{n}' (kinds: {})",
                                    kinds
                                        .iter()
                                        .map(|kd| kd.name.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            )
                        })?;
                        hit[i] = true;
                    }
                    hit
                }
            };
            events.push(ShockEvent {
                name,
                per_month,
                duration_hours,
                multiplier,
                kinds: hit,
            });
        }
        Ok(Shocks {
            correlation,
            events,
        })
    }

    fn overage(&self, v: &S<Value>, key: &str) -> R<OveragePolicy> {
        match v.get_ref() {
            Value::String(s) if s == "off" => Ok(OveragePolicy::Off),
            Value::String(s) if s == "on" => Ok(OveragePolicy::On),
            Value::Table(t) if t.len() == 1 && t.contains_key("after_suspension") => {
                let inner = S::new(v.span(), t["after_suspension"].clone());
                let delay_hours = self.dist(
                    &inner,
                    &format!("{key}.after_suspension"),
                    Support::NonNegative,
                )?;
                Ok(OveragePolicy::AfterSuspension { delay_hours })
            }
            _ => Err(self.err(
                v.span(),
                key,
                "expected \"off\", \"on\" or { after_suspension = DELAY_HOURS_DISTRIBUTION }",
            )),
        }
    }

    /// One flow; also returns, per tool, the span and key of its `flow`
    /// reference (for the cycle check's error).
    fn flow(
        &self,
        raw: &RawFlow,
        kind_key: &str,
        prices: &PriceBook,
        index: &HashMap<String, usize>,
        triggers: &[Option<Trigger>],
    ) -> R<(Flow, ToolRefs)> {
        let name = raw.name.get_ref().clone();
        let key = format!("{kind_key}.flows.{name}");
        let k = |field: &str| format!("{key}.{field}");
        let trigger: Trigger = raw
            .trigger
            .get_ref()
            .parse()
            .map_err(|e: String| self.err(raw.trigger.span(), &k("trigger"), e))?;
        let arrivals = match &raw.arrivals {
            None if trigger == Trigger::Mcp => Arrivals::OnlyAsMcpTool,
            None => {
                return Err(self.err(
                    raw.name.span(),
                    &k("arrivals"),
                    format!(
                        "missing: a flow with trigger '{trigger}' needs arrivals \
                         (only an `mcp` flow may run solely as a tool)"
                    ),
                ))
            }
            Some(a) => self.arrivals(a, &k("arrivals"))?,
        };
        if trigger == Trigger::Schedule && !matches!(arrivals, Arrivals::Schedule { .. }) {
            return Err(self.err(
                raw.trigger.span(),
                &k("arrivals"),
                "a flow with trigger 'schedule' needs arrivals = { schedule = { every = ... } }",
            ));
        }
        let duration_seconds = self.opt_dist(
            &raw.duration_seconds,
            &k("duration_seconds"),
            Support::NonNegative,
            1.0,
        )?;
        let count = |v: &Option<S<Value>>, f: &str| self.opt_dist(v, &k(f), Support::Count, 0.0);
        let (http_request, logic, ai_request, connector) = match &raw.blocks {
            Some(b) => {
                let b = b.get_ref();
                (
                    count(&b.http_request, "blocks.http_request")?,
                    count(&b.logic, "blocks.logic")?,
                    count(&b.ai_request, "blocks.ai_request")?,
                    count(&b.connector, "blocks.connector")?,
                )
            }
            None => (
                Dist::Constant(0.0),
                Dist::Constant(0.0),
                Dist::Constant(0.0),
                Dist::Constant(0.0),
            ),
        };
        let create_with_ai = match &raw.create_with_ai {
            None => None,
            Some(c) => {
                let c = c.get_ref();
                let model = prices
                    .create_with_ai_model(c.model.get_ref())
                    .map_err(|e| self.err(c.model.span(), &k("create_with_ai.model"), e))?;
                Some(CreateWithAi {
                    model,
                    prompts: self.opt_dist(
                        &c.prompts,
                        &k("create_with_ai.prompts"),
                        Support::Count,
                        1.0,
                    )?,
                    images: self.opt_dist(
                        &c.images,
                        &k("create_with_ai.images"),
                        Support::Count,
                        0.0,
                    )?,
                })
            }
        };
        let mut tool_refs = Vec::new();
        let agent = match &raw.agent {
            None => None,
            Some(a) => {
                let a = a.get_ref();
                let model = prices
                    .agent_model(a.model.get_ref())
                    .map_err(|e| self.err(a.model.span(), &k("agent.model"), e))?;
                let calls = self.dist(&a.calls, &k("agent.calls"), Support::Count)?;
                let tools_per_call = self.opt_dist(
                    &a.tools_per_call,
                    &k("agent.tools_per_call"),
                    Support::Count,
                    0.0,
                )?;
                let mut tools: Vec<Tool> = Vec::with_capacity(a.tools.len());
                for t in &a.tools {
                    let t = t.get_ref();
                    let tname = self.name(&t.name, &k("agent.tools.?.name"))?;
                    let tkey = k(&format!("agent.tools.{tname}"));
                    if tools.iter().any(|o| o.name == tname) {
                        return Err(self.err(
                            t.name.span(),
                            &tkey,
                            format!("duplicate tool name '{tname}'"),
                        ));
                    }
                    let weight = match &t.weight {
                        Some(w) => self.non_negative(w, &format!("{tkey}.weight"))?,
                        None => 1.0,
                    };
                    let flow = match &t.flow {
                        None => None,
                        Some(fref) => {
                            let fkey = format!("{tkey}.flow");
                            let target = fref.get_ref();
                            let i = *index.get(target).ok_or_else(|| {
                                let mut known: Vec<&str> =
                                    index.keys().map(String::as_str).collect();
                                known.sort_unstable();
                                self.err(
                                    fref.span(),
                                    &fkey,
                                    format!(
                                        "no flow named '{target}' in this kind (flows: {})",
                                        known.join(", ")
                                    ),
                                )
                            })?;
                            if triggers[i] != Some(Trigger::Mcp) {
                                return Err(self.err(
                                    fref.span(),
                                    &fkey,
                                    format!("flow '{target}' is used as an MCP tool, so its trigger must be 'mcp'"),
                                ));
                            }
                            tool_refs.push((fref.span(), fkey));
                            Some(i)
                        }
                    };
                    tools.push(Tool {
                        name: tname,
                        weight,
                        flow,
                    });
                }
                if !tools.is_empty() && tools.iter().all(|t| t.weight == 0.0) {
                    return Err(self.err(
                        a.model.span(),
                        &k("agent.tools"),
                        "tool weights must not all be zero",
                    ));
                }
                Some(Agent {
                    model,
                    calls,
                    tools_per_call,
                    tools,
                })
            }
        };
        Ok((
            Flow {
                name,
                trigger,
                arrivals,
                run: RunSpec {
                    http_request,
                    logic,
                    ai_request,
                    connector,
                    create_with_ai,
                    agent,
                },
                duration_seconds,
            },
            tool_refs,
        ))
    }

    fn arrivals(&self, raw: &S<RawArrivals>, key: &str) -> R<Arrivals> {
        match (&raw.get_ref().poisson, &raw.get_ref().schedule) {
            (Some(p), None) => self.poisson(p.get_ref(), &format!("{key}.poisson")),
            (None, Some(s)) => self.schedule(s.get_ref(), &format!("{key}.schedule")),
            _ => Err(self.err(
                raw.span(),
                key,
                "give exactly one of poisson = { per_day = ... } or schedule = { every = ... }",
            )),
        }
    }

    fn poisson(&self, raw: &RawPoisson, key: &str) -> R<Arrivals> {
        let k = |f: &str| format!("{key}.{f}");
        let per_day = self.non_negative(&raw.per_day, &k("per_day"))?;
        let hour_weights = match &raw.hours {
            None => [1.0; 24],
            Some(v) => self.hours(v, &k("hours"))?,
        };
        let weekday_weights = match &raw.weekdays {
            None => [1.0; 7],
            Some(v) => self.weekdays(v, &k("weekdays"))?,
        };
        let growth_per_month = match &raw.growth_per_month {
            None => 0.0,
            Some(v) => {
                let g = self.num(v, &k("growth_per_month"))?;
                if g <= -1.0 {
                    return Err(self.err(
                        v.span(),
                        &k("growth_per_month"),
                        format!("must be > -1 (a fraction per month: 0.1 = +10%), got {g}"),
                    ));
                }
                g
            }
        };
        let bursts = match &raw.bursts {
            None => None,
            Some(b) => {
                let b = b.get_ref();
                let per_month = self.non_negative(&b.per_month, &k("bursts.per_month"))?;
                let duration_hours = self.dist(
                    &b.duration_hours,
                    &k("bursts.duration_hours"),
                    Support::NonNegative,
                )?;
                let multiplier = self.num(&b.multiplier, &k("bursts.multiplier"))?;
                if multiplier < 1.0 {
                    return Err(self.err(
                        b.multiplier.span(),
                        &k("bursts.multiplier"),
                        format!("must be >= 1 (a burst raises the rate), got {multiplier}"),
                    ));
                }
                Some(Bursts {
                    per_month,
                    duration_hours,
                    multiplier,
                })
            }
        };
        Ok(Arrivals::Poisson {
            per_day,
            hour_weights,
            weekday_weights,
            growth_per_month,
            bursts,
        })
    }

    /// 24 hour weights, normalised to average 1 (so `per_day` stays the
    /// day's expected count).
    fn hours(&self, v: &S<Value>, key: &str) -> R<[f64; 24]> {
        let w: [f64; 24] =
            match v.get_ref() {
                Value::String(s) if s == "flat" => [1.0; 24],
                Value::String(s) if s == "office" => OFFICE_HOURS,
                Value::Array(a) if a.len() == 24 => {
                    let mut w = [0.0; 24];
                    for (slot, x) in w.iter_mut().zip(a) {
                        *slot = self.weight(x, v.span(), key)?;
                    }
                    w
                }
                Value::Array(a) => {
                    return Err(self.err(
                        v.span(),
                        key,
                        format!("needs 24 weights (00:00 to 23:00 UTC), got {}", a.len()),
                    ))
                }
                _ => return Err(self.err(
                    v.span(),
                    key,
                    "expected \"flat\", \"office\" or an array of 24 weights (00:00 to 23:00 UTC)",
                )),
            };
        let total: f64 = w.iter().sum();
        if !total.is_finite() {
            return Err(self.err(v.span(), key, "hour weights are too large"));
        }
        if total <= 0.0 {
            return Err(self.err(v.span(), key, "hour weights must not all be zero"));
        }
        Ok(w.map(|x| x * 24.0 / total))
    }

    fn weight(&self, x: &Value, span: Range<usize>, key: &str) -> R<f64> {
        match dist::number(x) {
            Some(w) if w.is_finite() && w >= 0.0 => Ok(w),
            _ => Err(self.err(
                span,
                key,
                format!("weights must be finite numbers >= 0, got {x}"),
            )),
        }
    }

    /// 7 weekday weights, Monday first: a preset, 7 numbers, or day names.
    fn weekdays(&self, v: &S<Value>, key: &str) -> R<[f64; 7]> {
        const HINT: &str = "expected \"all\", \"mon-fri\", \"sat-sun\", 7 weights (Monday first) \
                            or a list of day names like [\"mon\", \"wed\"]";
        let w: [f64; 7] = match v.get_ref() {
            Value::String(s) if s == "all" => [1.0; 7],
            Value::String(s) if s == "mon-fri" => [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0],
            Value::String(s) if s == "sat-sun" => [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0],
            Value::Array(a) if !a.is_empty() && a.iter().all(|x| x.is_str()) => {
                let mut w = [0.0; 7];
                for x in a {
                    let day = x.as_str().unwrap_or_default();
                    let i = DAY_NAMES.iter().position(|d| *d == day).ok_or_else(|| {
                        self.err(
                            v.span(),
                            key,
                            format!("unknown day '{day}' (expected {})", DAY_NAMES.join(", ")),
                        )
                    })?;
                    w[i] = 1.0;
                }
                w
            }
            Value::Array(a) if a.len() == 7 => {
                let mut w = [0.0; 7];
                for (slot, x) in w.iter_mut().zip(a) {
                    *slot = self.weight(x, v.span(), key)?;
                }
                w
            }
            _ => return Err(self.err(v.span(), key, HINT)),
        };
        if w.iter().all(|&x| x == 0.0) {
            return Err(self.err(v.span(), key, "weekday weights must not all be zero"));
        }
        Ok(w)
    }

    fn schedule(&self, raw: &RawSchedule, key: &str) -> R<Arrivals> {
        let k = |f: &str| format!("{key}.{f}");
        let every_seconds = match raw.every.get_ref() {
            Value::String(s) => parse_interval(s),
            _ => None,
        }
        .filter(|&e| e > 0.0 && e <= 86_400.0)
        .ok_or_else(|| {
            self.err(
                raw.every.span(),
                &k("every"),
                "expected an interval from \"1s\" to \"1d\" like \"10m\", \"90s\", \"2h\" or \"1d\" \
                 (the schedule restarts at `at` each day)",
            )
        })?;
        let offset_seconds = match &raw.at {
            None => 0.0,
            Some(v) => match v.get_ref() {
                Value::String(s) => parse_time_of_day(s),
                _ => None,
            }
            .ok_or_else(|| {
                self.err(
                    v.span(),
                    &k("at"),
                    "expected a UTC time of day \"HH:MM\" or \"HH:MM:SS\"",
                )
            })?,
        };
        let days = match &raw.weekdays {
            None => [true; 7],
            Some(v) => {
                let w = self.weekdays(v, &k("weekdays"))?;
                if w.iter().any(|&x| x != 0.0 && x != 1.0) {
                    return Err(self.err(
                        v.span(),
                        &k("weekdays"),
                        "a schedule runs on a day or not: weights must be 0 or 1",
                    ));
                }
                w.map(|x| x == 1.0)
            }
        };
        Ok(Arrivals::Schedule {
            every_seconds,
            offset_seconds,
            days,
        })
    }

    /// MCP flows must not call themselves, directly or through others.
    fn no_cycles(&self, flows: &[Flow], tool_refs: &[ToolRefs], key: &str) -> R<()> {
        // Colour DFS: 0 new, 1 on the stack, 2 done.
        fn visit(
            i: usize,
            flows: &[Flow],
            state: &mut [u8],
            stack: &mut Vec<usize>,
        ) -> Option<Vec<usize>> {
            state[i] = 1;
            stack.push(i);
            let targets = flows[i]
                .run
                .agent
                .iter()
                .flat_map(|a| a.tools.iter().filter_map(|t| t.flow));
            for j in targets {
                if state[j] == 1 {
                    let from = stack.iter().position(|&s| s == j).unwrap_or(0);
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(j);
                    return Some(cycle);
                }
                if state[j] == 0 {
                    if let Some(c) = visit(j, flows, state, stack) {
                        return Some(c);
                    }
                }
            }
            stack.pop();
            state[i] = 2;
            None
        }
        let mut state = vec![0u8; flows.len()];
        for i in 0..flows.len() {
            if state[i] != 0 {
                continue;
            }
            let mut stack = Vec::new();
            if let Some(cycle) = visit(i, flows, &mut state, &mut stack) {
                let names: Vec<&str> = cycle.iter().map(|&c| flows[c].name.as_str()).collect();
                // Name the reference that closes the cycle: from the last
                // flow before the repeat to the repeated one.
                let from = cycle[cycle.len() - 2];
                let to = cycle[cycle.len() - 1];
                let (span, fkey) = tool_refs[from]
                    .iter()
                    .zip(
                        flows[from]
                            .run
                            .agent
                            .iter()
                            .flat_map(|a| a.tools.iter().filter(|t| t.flow.is_some())),
                    )
                    .find(|(_, t)| t.flow == Some(to))
                    .map(|(r, _)| r.clone())
                    .unwrap_or((0..0, format!("{key}.flows")));
                return Err(self.err(
                    span,
                    &fkey,
                    format!(
                        "MCP flows call each other in a cycle: {}",
                        names.join(" -> ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// `"10m"`, `"90s"`, `"2h"`, `"1d"`, `"1.5h"`: seconds.
pub(crate) fn parse_interval(s: &str) -> Option<f64> {
    let s = s.trim();
    let unit = s.chars().last()?;
    let scale = match unit {
        's' => 1.0,
        'm' => 60.0,
        'h' => 3600.0,
        'd' => 86_400.0,
        _ => return None,
    };
    let n: f64 = s[..s.len() - 1].trim().parse().ok()?;
    let secs = n * scale;
    secs.is_finite().then_some(secs)
}

/// `"HH:MM"` or `"HH:MM:SS"` (before 24:00): seconds after midnight.
pub(crate) fn parse_time_of_day(s: &str) -> Option<f64> {
    let parts: Vec<&str> = s.trim().split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.len() != 2) {
        return None;
    }
    let nums: Vec<u32> = parts
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (h, m, sec) = (nums[0], nums[1], nums.get(2).copied().unwrap_or(0));
    (h < 24 && m < 60 && sec < 60).then_some(f64::from(h * 3600 + m * 60 + sec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("90s"), Some(90.0));
        assert_eq!(parse_interval("10m"), Some(600.0));
        assert_eq!(parse_interval("1.5h"), Some(5400.0));
        assert_eq!(parse_interval("1d"), Some(86_400.0));
        for bad in ["", "m", "10", "10x", "ten m", "1e999s", "nans", "10é"] {
            assert_eq!(parse_interval(bad), None, "{bad}");
        }
    }

    #[test]
    fn times_of_day() {
        assert_eq!(parse_time_of_day("00:00"), Some(0.0));
        assert_eq!(parse_time_of_day("07:30"), Some(27_000.0));
        assert_eq!(parse_time_of_day("23:59:59"), Some(86_399.0));
        for bad in [
            "24:00",
            "7:30",
            "12:60",
            "12",
            "12:00:00:00",
            "aa:bb",
            "12:00:60",
        ] {
            assert_eq!(parse_time_of_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn office_hours_are_3_from_9_to_17() {
        assert_eq!(OFFICE_HOURS.iter().filter(|&&w| w == 3.0).count(), 8);
        assert_eq!(
            (
                OFFICE_HOURS[8],
                OFFICE_HOURS[9],
                OFFICE_HOURS[16],
                OFFICE_HOURS[17]
            ),
            (1.0, 3.0, 3.0, 1.0)
        );
    }
}
