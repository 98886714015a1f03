//! Replay: bills a real usage log (CSV) with the same pricing function and ledger as the simulator.
