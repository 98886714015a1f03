//! The log as fitting sees it: replay's validated runs (one pass, the same
//! reader and checks as `replay`), plus what each run executed, block by
//! block. Memory: replay's ~95 bytes per run plus 40 bytes of counts.

use crate::files::InputError;
use crate::pricing::{Item, PriceBook};
use crate::replay::log::{read_log_with, RunTable};
use crate::replay::nesting;
use std::io::Read;
use std::path::Path;

/// Count slots of [`Usage::counts`].
pub const HTTP: usize = 0;
/// Logic blocks.
pub(crate) const LOGIC: usize = 1;
/// AI Request blocks.
pub(crate) const AI_REQUEST: usize = 2;
/// Connector blocks.
pub(crate) const CONNECTOR: usize = 3;
/// Create with AI runs or prompt tests.
pub(crate) const PROMPTS: usize = 4;
/// Images.
pub(crate) const IMAGES: usize = 5;
/// AI Agent model calls.
pub(crate) const AGENT_CALLS: usize = 6;
/// MCP tool calls.
pub(crate) const MCP_TOOLS: usize = 7;

/// "No model" in [`Usage`].
pub const NO_MODEL: u16 = u16::MAX;

/// What one run executed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
    /// Counts by slot (saturating at u32::MAX).
    pub counts: [u32; 8],
    /// The Create with AI model (table A index), or [`NO_MODEL`].
    pub create_model: u16,
    /// The AI Agent model (table B index), or [`NO_MODEL`].
    pub agent_model: u16,
}

impl Default for Usage {
    fn default() -> Self {
        Usage {
            counts: [0; 8],
            create_model: NO_MODEL,
            agent_model: NO_MODEL,
        }
    }
}

/// A validated log with each run's usage.
pub struct FitData {
    /// Replay's run table.
    pub table: RunTable,
    /// Usage by run index.
    pub usage: Vec<Usage>,
}

/// Reads and validates a log (the same errors as `replay`).
pub fn read<R: Read>(input: R, path: &Path, book: &PriceBook) -> Result<FitData, InputError> {
    let mut usage: Vec<Usage> = Vec::new();
    let table = read_log_with(input, path, book, &mut |run, item, count| {
        let i = run as usize;
        if usage.len() <= i {
            usage.resize(i + 1, Usage::default());
        }
        let u = &mut usage[i];
        let n = u32::try_from(count).unwrap_or(u32::MAX);
        let slot = match item {
            Item::HttpRequest => HTTP,
            Item::Logic => LOGIC,
            Item::AiRequest => AI_REQUEST,
            Item::Connector => CONNECTOR,
            Item::CreateWithAi(m) => {
                u.create_model = m.0;
                PROMPTS
            }
            Item::Image => IMAGES,
            Item::AgentCall(m) => {
                u.agent_model = m.0;
                AGENT_CALLS
            }
            Item::McpTool => MCP_TOOLS,
            Item::Other => return,
        };
        u.counts[slot] = u.counts[slot].saturating_add(n);
    })?;
    nesting::check(&table, path)?;
    usage.resize(table.runs.len(), Usage::default());
    Ok(FitData { table, usage })
}
