//! The Monte Carlo engine: trials x teams in parallel, each with its own random stream, fed through the ledger.
