//! Workload: turns a scenario into a team's runs (arrival times, durations, block counts), drawn from its random stream.
