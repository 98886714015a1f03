//! Every shipped scenario parses, and `bench.toml` expresses exactly the
//! benchmark workload of shared/bench-workload.md.

use chrono::{Datelike, Timelike, Weekday};
use flowcast::pricing::Trigger;
use flowcast::scenario::{self, Arrivals, Dist, OveragePolicy};
use std::path::{Path, PathBuf};

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

#[test]
fn every_shipped_scenario_parses() {
    let mut n = 0;
    for entry in std::fs::read_dir(scenarios_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let s = scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(!s.kinds.is_empty());
            assert_eq!(
                Some(s.name.as_str()),
                path.file_stem().and_then(|f| f.to_str()),
                "name = file stem"
            );
            n += 1;
        }
    }
    assert!(n >= 2, "expected the shipped scenarios, found {n}");
}

#[test]
fn bench_matches_the_benchmark_workload() {
    let s = scenario::load(&scenarios_dir().join("bench.toml")).unwrap();
    // 30-day cycle from a Monday 00:00 UTC.
    assert_eq!(s.calendar.start.weekday(), Weekday::Mon);
    assert_eq!(
        (
            s.calendar.start.hour(),
            s.calendar.start.minute(),
            s.calendar.start.second()
        ),
        (0, 0, 0)
    );
    assert_eq!((s.calendar.cycle_days, s.calendar.months), (Some(30), 1));
    assert_eq!(s.usage_multiplier, 1.0);
    assert_eq!(s.kinds.len(), 2);
    let size = Dist::LogNormal {
        mu: 0.0,
        sigma: 0.5,
    };
    let office: [f64; 24] = std::array::from_fn(|h| if (9..17).contains(&h) { 3.0 } else { 1.0 });
    // Normalised so the day averages 1: 3 x 24/40 and 1 x 24/40.
    let office_norm = office.map(|w| w * 24.0 / 40.0);

    let auto = &s.kinds[0];
    assert_eq!(
        (auto.name.as_str(), auto.teams, auto.plan.name.as_str()),
        ("automation", 500, "team")
    );
    assert_eq!(auto.plan.credits, 100);
    assert_eq!(auto.overage, OveragePolicy::On);
    assert_eq!(auto.overage_price, Some(10.0));
    assert_eq!(auto.size, size);
    let nightly = &auto.flows[0];
    assert_eq!(
        (nightly.name.as_str(), nightly.trigger),
        ("nightly-checks", Trigger::Schedule)
    );
    assert_eq!(
        nightly.arrivals,
        Arrivals::Schedule {
            every_seconds: 600.0,
            offset_seconds: 0.0,
            days: [true; 7]
        }
    );
    assert_eq!(nightly.run.http_request, Dist::Constant(2.0));
    assert_eq!(nightly.run.logic, Dist::Constant(1.0));
    assert_eq!(nightly.run.ai_request, Dist::Constant(0.0));
    assert_eq!(nightly.run.connector, Dist::Constant(0.0));
    assert_eq!(
        nightly.duration_seconds,
        Dist::LogNormal {
            mu: 2f64.ln(),
            sigma: 0.5
        }
    );
    let webhook = &auto.flows[1];
    assert_eq!(
        (webhook.name.as_str(), webhook.trigger),
        ("webhook-sync", Trigger::Api)
    );
    assert_eq!(
        webhook.arrivals,
        Arrivals::Poisson {
            per_day: 200.0,
            hour_weights: office_norm,
            weekday_weights: [1.0; 7],
            growth_per_month: 0.0,
            bursts: None
        }
    );
    assert_eq!(webhook.run.http_request, Dist::Constant(1.0));
    assert_eq!(webhook.run.connector, Dist::Constant(1.0));
    assert_eq!(webhook.run.logic, Dist::Poisson { mean: 3.0 });
    assert_eq!(
        webhook.duration_seconds,
        Dist::LogNormal {
            mu: 5f64.ln(),
            sigma: 1.0
        }
    );

    let agentic = &s.kinds[1];
    assert_eq!(
        (
            agentic.name.as_str(),
            agentic.teams,
            agentic.plan.name.as_str()
        ),
        ("agentic", 500, "team")
    );
    assert_eq!(agentic.overage, OveragePolicy::Off);
    assert_eq!(agentic.size, size);
    let support = &agentic.flows[0];
    assert_eq!(
        (support.name.as_str(), support.trigger),
        ("support-agent", Trigger::Api)
    );
    assert!(
        matches!(support.arrivals, Arrivals::Poisson { per_day, hour_weights, .. } if per_day == 150.0 && hour_weights == office_norm)
    );
    assert_eq!(support.run.ai_request, Dist::Constant(1.0));
    let agent = support.run.agent.as_ref().unwrap();
    assert_eq!(agent.model, s.prices.agent_model("gpt-5-mini").unwrap());
    assert_eq!(agent.calls, Dist::NegBinomial { mean: 3.0, r: 2.0 });
    assert_eq!(agent.tools_per_call, Dist::Bernoulli { p: 0.5 });
    assert!(agent.tools.is_empty());
    assert_eq!(
        support.duration_seconds,
        Dist::LogNormal {
            mu: 20f64.ln(),
            sigma: 0.7
        }
    );
    let design = &agentic.flows[1];
    assert_eq!(
        (design.name.as_str(), design.trigger),
        ("design-assets", Trigger::Manual)
    );
    assert_eq!(
        design.arrivals,
        Arrivals::Poisson {
            per_day: 5.0,
            hour_weights: [1.0; 24],
            weekday_weights: [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0],
            growth_per_month: 0.0,
            bursts: None
        }
    );
    let cwa = design.run.create_with_ai.as_ref().unwrap();
    assert_eq!(
        cwa.model,
        s.prices.create_with_ai_model("gpt-4o-mini").unwrap()
    );
    assert_eq!(cwa.prompts, Dist::Constant(1.0));
    assert_eq!(cwa.images, Dist::Poisson { mean: 0.5 });
    assert_eq!(
        design.duration_seconds,
        Dist::LogNormal {
            mu: 30f64.ln(),
            sigma: 0.5
        }
    );
}

/// Plan names are matched in any letter case, as model names are.
#[test]
fn plan_names_ignore_letter_case() {
    let text = std::fs::read_to_string(scenarios_dir().join("default.toml"))
        .unwrap()
        .replacen("plan = \"team\"", "plan = \"Team\"", 1);
    assert!(text.contains("plan = \"Team\""));
    let s = flowcast::scenario::parse(&text, std::path::Path::new("d.toml")).unwrap();
    assert!(s.kinds.iter().any(|k| k.plan.name == "team"));
    let book = flowcast::pricing::PriceBook::builtin();
    assert_eq!(book.plan("ENTERPRISE").unwrap().name, "enterprise");
    assert!(book.plan("teams").is_err());
}

/// A bare date starts the first cycle at midnight UTC of that day.
#[test]
fn a_bare_start_date_is_midnight_utc() {
    let text = std::fs::read_to_string(scenarios_dir().join("default.toml")).unwrap();
    let explicit = flowcast::scenario::parse(&text, std::path::Path::new("d.toml")).unwrap();
    let bare = text.replacen("start = 2026-06-01T00:00:00Z", "start = 2026-06-01", 1);
    assert_ne!(bare, text);
    let bare = flowcast::scenario::parse(&bare, std::path::Path::new("d.toml")).unwrap();
    assert_eq!(bare.calendar.start, explicit.calendar.start);
    assert_eq!(
        bare.calendar.start.to_rfc3339(),
        "2026-06-01T00:00:00+00:00"
    );
}
