//! The price book: per-block credit prices, the two model tables and the
//! plans, loaded from data (the built-in `data/pricebook.toml`, with its
//! source named) and overridable by a file of the same shape.

use super::versions::{self, PriceVersion, RawVersion};
use super::{model_key, Trigger};
use crate::files::{toml_error, InputError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The built-in price book, compiled into the binary.
const BUILTIN: &str = include_str!("../../data/pricebook.toml");

/// Credits per execution of one block kind, on manual and on cloud runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockPrice {
    /// Credits when the run is manual (the run button).
    pub manual: u64,
    /// Credits when the run is a cloud run (api, schedule, mcp).
    pub cloud: u64,
}

impl BlockPrice {
    /// The price on a run with `trigger`.
    #[inline]
    pub fn on(self, trigger: Trigger) -> u64 {
        if trigger.is_cloud() {
            self.cloud
        } else {
            self.manual
        }
    }
}

/// Per-block prices (the source's fixed-price blocks).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BlockPrices {
    /// The deployed-run base charge.
    pub run_base: BlockPrice,
    /// HTTP Request.
    pub http_request: BlockPrice,
    /// Logic blocks (Evaluate, Condition, Validate, If).
    pub logic: BlockPrice,
    /// AI Request.
    pub ai_request: BlockPrice,
    /// Connector.
    pub connector: BlockPrice,
    /// A DALL-E 3 image.
    pub image: BlockPrice,
    /// An MCP tool call.
    pub mcp_tool: BlockPrice,
}

impl BlockPrices {
    /// The blocks' keys in a price-book file, in [`BlockPrices::slots_mut`] order.
    pub(crate) const NAMES: [&'static str; 7] = [
        "run_base",
        "http_request",
        "logic",
        "ai_request",
        "connector",
        "image",
        "mcp_tool",
    ];

    /// Every block price, in [`BlockPrices::NAMES`] order.
    pub(super) fn slots_mut(&mut self) -> [&mut BlockPrice; 7] {
        [
            &mut self.run_base,
            &mut self.http_request,
            &mut self.logic,
            &mut self.ai_request,
            &mut self.connector,
            &mut self.image,
            &mut self.mcp_tool,
        ]
    }

    /// The `i`-th block price, in [`BlockPrices::NAMES`] order.
    pub(super) fn get(&self, i: usize) -> BlockPrice {
        [
            self.run_base,
            self.http_request,
            self.logic,
            self.ai_request,
            self.connector,
            self.image,
            self.mcp_tool,
        ][i]
    }
}

/// One row of a model table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Model {
    /// Canonical model name (lower case, e.g. `gpt-4o-mini`).
    pub name: String,
    /// Credits per use, on every run type.
    pub credits: u64,
}

/// A plan: what a team gets each billing cycle and what it may buy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    /// Plan name (`free`, `solo`, `team`, `enterprise`, or a custom one).
    pub name: String,
    /// Monthly credit allotment per team.
    pub credits: u64,
    /// Whether flows overage (pay-as-you-go) may be switched on.
    pub overage_allowed: bool,
    /// List seat price, USD per user per month (billed annually).
    pub seat_price_usd: f64,
}

/// Every price and plan flowcast knows. Build with [`PriceBook::builtin`],
/// then [`PriceBook::with_overrides`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PriceBook {
    /// Where the prices come from.
    pub source: String,
    /// Fixed per-block prices.
    pub blocks: BlockPrices,
    /// Table A: Create with AI, credits per run or prompt test, by model.
    pub create_with_ai: Vec<Model>,
    /// Table B: AI Agent, credits per model call, by model.
    pub agent_call: Vec<Model>,
    /// Credits in one overage block (1,000 in the source).
    pub block_credits: u64,
    /// Plans by name, in ascending order of credits.
    pub plans: Vec<Plan>,
    /// Dated versions of the block and model prices ([`PriceVersion`]: the rules are in `pricing::versions`).
    pub versions: Vec<PriceVersion>,
}

/// Errors in a price-book file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PriceBookError {
    /// The file could not be read or parsed.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A value is impossible.
    #[error("{origin}: {key}: {problem}")]
    Invalid {
        /// The file (or "built-in price book").
        origin: String,
        /// The offending key.
        key: String,
        /// What is wrong.
        problem: String,
    },
}

/// The price-book file shape, every part optional so that a file can
/// override just what changed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPriceBook {
    source: Option<String>,
    #[serde(default)]
    blocks: RawBlocks,
    #[serde(default)]
    create_with_ai: BTreeMap<String, i64>,
    #[serde(default)]
    agent_call: BTreeMap<String, i64>,
    overage: Option<RawOverage>,
    #[serde(default)]
    plans: BTreeMap<String, RawPlan>,
    #[serde(default)]
    versions: BTreeMap<String, RawVersion>,
}

/// Block prices as a file writes them, each optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBlocks {
    run_base: Option<BlockPrice>,
    http_request: Option<BlockPrice>,
    logic: Option<BlockPrice>,
    ai_request: Option<BlockPrice>,
    connector: Option<BlockPrice>,
    image: Option<BlockPrice>,
    mcp_tool: Option<BlockPrice>,
}

impl RawBlocks {
    /// The given prices, in [`BlockPrices::NAMES`] order.
    pub(super) fn into_array(self) -> [Option<BlockPrice>; 7] {
        [
            self.run_base,
            self.http_request,
            self.logic,
            self.ai_request,
            self.connector,
            self.image,
            self.mcp_tool,
        ]
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverage {
    block_credits: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    credits: Option<i64>,
    overage_allowed: Option<bool>,
    seat_price_usd: Option<f64>,
}

impl PriceBook {
    /// The built-in price book (`data/pricebook.toml`).
    pub fn builtin() -> PriceBook {
        let raw: RawPriceBook = toml::from_str(BUILTIN).expect("built-in price book parses");
        PriceBook::empty()
            .with_overrides(raw, "built-in price book")
            .expect("built-in price book is valid")
    }

    /// A book with no prices (every layer adds to one).
    pub(super) fn empty() -> PriceBook {
        PriceBook {
            source: String::new(),
            blocks: BlockPrices {
                run_base: ZERO,
                http_request: ZERO,
                logic: ZERO,
                ai_request: ZERO,
                connector: ZERO,
                image: ZERO,
                mcp_tool: ZERO,
            },
            create_with_ai: Vec::new(),
            agent_call: Vec::new(),
            block_credits: 0,
            plans: Vec::new(),
            versions: Vec::new(),
        }
    }

    /// Reads a price-book override file and applies it to the built-in book.
    pub fn builtin_with_file(path: &Path) -> Result<PriceBook, PriceBookError> {
        let text = crate::files::read_text(path)?;
        let raw: RawPriceBook = toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
        PriceBook::builtin().with_overrides(raw, &path.display().to_string())
    }

    /// This book with `raw`'s values in place of its own: blocks replaced
    /// one by one, models and plans added or replaced by name.
    pub fn with_overrides(
        mut self,
        raw: RawPriceBook,
        origin: &str,
    ) -> Result<PriceBook, PriceBookError> {
        let invalid = |key: String, problem: String| PriceBookError::Invalid {
            origin: origin.to_string(),
            key,
            problem,
        };
        if let Some(s) = raw.source {
            self.source = s;
        }
        for (slot, new) in self
            .blocks
            .slots_mut()
            .into_iter()
            .zip(raw.blocks.into_array())
        {
            if let Some(p) = new {
                *slot = p;
            }
        }
        for (table, raw_table, key) in [
            (
                &mut self.create_with_ai,
                raw.create_with_ai,
                "create_with_ai",
            ),
            (&mut self.agent_call, raw.agent_call, "agent_call"),
        ] {
            for (name, credits) in raw_table {
                let credits = u64::try_from(credits).map_err(|_| {
                    invalid(
                        format!("{key}.{name}"),
                        format!("credits must be >= 0, got {credits}"),
                    )
                })?;
                let name = model_key(&name);
                match table.iter_mut().find(|m| m.name == name) {
                    Some(m) => m.credits = credits,
                    None => table.push(Model { name, credits }),
                }
            }
            if table.len() > u16::MAX as usize {
                return Err(invalid(key.to_string(), "too many models".to_string()));
            }
        }
        if let Some(o) = raw.overage {
            self.block_credits = u64::try_from(o.block_credits)
                .ok()
                .filter(|&c| c > 0)
                .ok_or_else(|| {
                    invalid(
                        "overage.block_credits".to_string(),
                        format!("must be > 0, got {}", o.block_credits),
                    )
                })?;
        }
        for (name, p) in raw.plans {
            let key = format!("plans.{name}");
            // Plan names are matched in any letter case: `[prices.plans.Team]`
            // amends the built-in `team`.
            let existing = self
                .plans
                .iter()
                .position(|q| q.name.eq_ignore_ascii_case(&name));
            let mut plan = match existing {
                Some(i) => self.plans.remove(i),
                None => Plan {
                    name: name.clone(),
                    credits: p.credits.map(|_| 0).ok_or_else(|| {
                        invalid(key.clone(), "a new plan needs `credits`".to_string())
                    })?,
                    overage_allowed: false,
                    seat_price_usd: 0.0,
                },
            };
            if let Some(c) = p.credits {
                plan.credits = u64::try_from(c).ok().filter(|&c| c > 0).ok_or_else(|| {
                    invalid(format!("{key}.credits"), format!("must be > 0, got {c}"))
                })?;
            }
            if let Some(a) = p.overage_allowed {
                plan.overage_allowed = a;
            }
            if let Some(s) = p.seat_price_usd {
                if !(s.is_finite() && s >= 0.0) {
                    return Err(invalid(
                        format!("{key}.seat_price_usd"),
                        format!("must be a finite number >= 0, got {s}"),
                    ));
                }
                plan.seat_price_usd = s;
            }
            self.plans.push(plan);
        }
        self.plans
            .sort_by(|a, b| a.credits.cmp(&b.credits).then_with(|| a.name.cmp(&b.name)));
        if self.block_credits == 0 {
            return Err(invalid(
                "overage.block_credits".to_string(),
                "missing".to_string(),
            ));
        }
        // Versions last: each is the (new) base with its own changes.
        versions::layer(&mut self, raw.versions).map_err(|(key, problem)| invalid(key, problem))?;
        Ok(self)
    }

    /// The plan called `name`, in any letter case (as model names are):
    /// `Team` is `team`.
    pub fn plan(&self, name: &str) -> Result<&Plan, String> {
        let name = name.trim();
        self.plans
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let known: Vec<&str> = self.plans.iter().map(|p| p.name.as_str()).collect();
                format!("unknown plan '{name}' (known: {})", known.join(", "))
            })
    }
}

const ZERO: BlockPrice = BlockPrice {
    manual: 0,
    cloud: 0,
};
