//! Bulk changes on disk (`npm install`, `git commit -a`, `git gc`, a
//! checkout, deletions), each made in the corpus's scratch files and then
//! told to the server as a client's file watcher would, with edits of an
//! open article sent back to back meanwhile.

mod actions;
mod burst;
mod run;

use std::collections::HashMap;
use std::path::Path;

use tokio::time::Instant;

use crate::corpus::{fresh_cache, remove_scratch};
use crate::documents::Article;
use crate::results::{BulkFigures, Scenario};
use crate::sessions::server_log_problems;
use crate::{Args, Paths};
use actions::Action;
use run::BulkRun;

/// What ends a scenario.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Settle {
    /// The probe alone: what the probes after a burst are compared with.
    Alone,
    /// The probe, written after the burst.
    Probe,
    /// Every referrer republished with stale links.
    Checkout,
    /// Every referrer republished with broken links.
    Deletions,
}

impl Settle {
    pub fn name(self) -> &'static str {
        match self {
            Settle::Alone => "alone",
            Settle::Probe => "probe",
            Settle::Checkout => "checkout",
            Settle::Deletions => "deletions",
        }
    }

    fn is_probed(self) -> bool {
        matches!(self, Settle::Alone | Settle::Probe)
    }
}

pub struct ScenarioKind {
    pub name: &'static str,
    /// What is done, as the report names it.
    pub label: &'static str,
    action: Action,
    pub settle: Settle,
}

pub const SCENARIOS: [ScenarioKind; 6] = [
    ScenarioKind {
        name: "lone_probe",
        label: "a lone new article (the probe), 1 notification",
        action: actions::nothing,
        settle: Settle::Alone,
    },
    ScenarioKind {
        name: "npm_install",
        label: "`npm install`: 900 files under `node_modules/`, 1 notification",
        action: actions::npm_install,
        settle: Settle::Probe,
    },
    ScenarioKind {
        name: "git_commit",
        label: "`git commit -a` of 300 articles: ~500 events under `.git/`, 1 notification",
        action: actions::git_commit,
        settle: Settle::Probe,
    },
    ScenarioKind {
        name: "git_gc",
        label: "`git gc`: ~3,000 events under `.git/objects/`, 3 notifications",
        action: actions::git_gc,
        settle: Settle::Probe,
    },
    ScenarioKind {
        name: "checkout",
        label: "a checkout rewriting 2,000 articles' titles, 1 notification",
        action: actions::checkout,
        settle: Settle::Checkout,
    },
    ScenarioKind {
        name: "deletions",
        label: "2,000 articles deleted, 1 notification",
        action: actions::delete_targets,
        settle: Settle::Deletions,
    },
];

/// Each scenario in turn. The probe scenarios run `--bulk-repeats` times
/// (each with a new probe): one probe's time is noisy, and the figure
/// compares two. The checkout and the deletions use up the targets: once.
pub async fn measure_bulk(
    paths: &Paths,
    args: &Args,
    folder: &Path,
    size: usize,
    cache_base: &Path,
) -> Result<BulkFigures, String> {
    let started = Instant::now();
    let cache = fresh_cache(cache_base, "bulk")?;
    let edited = burst::write_scratch(folder).map_err(|error| format!("the bulk scratch files: {error}"))?;
    let edited = Article::read(&edited).map_err(|trouble| trouble.to_string())?;
    let mut run = BulkRun::new(paths, args, folder, size, cache, edited);
    let mut runs: HashMap<&str, Vec<Scenario>> = HashMap::new();
    for repeat in 0..args.bulk_repeats {
        for (number, kind) in SCENARIOS.iter().enumerate().filter(|(_, kind)| kind.settle.is_probed()) {
            let again = if repeat > 0 { format!(" (again, {})", repeat + 1) } else { String::new() };
            crate::log(&format!("    {}{again}", kind.name));
            let probe = if repeat == 0 { kind.name.to_owned() } else { format!("{}_{repeat}", kind.name) };
            let number = (number + 100 * repeat) as u64;
            let outcome = run.scenario(number, &probe, kind.action, kind.settle).await;
            runs.entry(kind.name).or_default().push(outcome);
        }
    }
    for (number, kind) in SCENARIOS.iter().enumerate().filter(|(_, kind)| !kind.settle.is_probed()) {
        crate::log(&format!("    {}", kind.name));
        let outcome = run.scenario(number as u64, kind.name, kind.action, kind.settle).await;
        runs.insert(kind.name, vec![outcome]);
    }
    run.stop().await;
    remove_scratch(folder).map_err(|error| format!("{}: {error}", folder.display()))?;
    let logs = run.logs_written();
    Ok(BulkFigures {
        timeout_s: args.bulk_timeout,
        scenarios: runs.into_iter().map(|(name, runs)| (name.to_owned(), combine_repeats(runs))).collect(),
        repeats: args.bulk_repeats,
        servers_started: logs.len(),
        problems: run.problems,
        server_log_errors: logs.iter().flat_map(|log| server_log_problems(log)).collect(),
        elapsed_s: started.elapsed().as_secs_f64(),
    })
}

/// One scenario's repeats as one: the run with the median probe time, with
/// the slowest edit of them all. A repeat that timed out stands for all.
pub fn combine_repeats(runs: Vec<Scenario>) -> Scenario {
    let failed = runs.iter().position(|run| run.timed_out || run.complete_s.is_none());
    if let Some(failed) = failed {
        return runs[failed].clone();
    }
    if runs.len() <= 1 {
        return runs.into_iter().next().unwrap_or_default();
    }
    let mut ordered: Vec<&Scenario> = runs.iter().collect();
    ordered.sort_by(|a, b| a.complete_s.unwrap_or(0.0).total_cmp(&b.complete_s.unwrap_or(0.0)));
    let mut out = ordered[(ordered.len() - 1) / 2].clone();
    out.complete_s_all = Some(runs.iter().filter_map(|run| run.complete_s).collect());
    let edits: Vec<_> =
        runs.iter().filter_map(|run| run.edit.as_ref()).filter(|edit| edit.edits.summary.n > 0).collect();
    let max_ms = |edit: &&crate::results::BulkEdits| {
        edit.edits.summary.times.as_ref().map_or(0.0, |times| times.max_ms)
    };
    // The first of the slowest, as Python's `max` picks.
    let worst = edits.iter().fold(None, |worst: Option<&&crate::results::BulkEdits>, edit| match worst {
        Some(worst) if max_ms(worst) >= max_ms(edit) => Some(worst),
        _ => Some(edit),
    });
    if let Some(worst) = worst {
        let mut worst = (*worst).clone();
        worst.edits.summary.n = edits.iter().map(|edit| edit.edits.summary.n).sum();
        worst.first_minus_debounce_ms = edits[0].first_minus_debounce_ms;
        out.edit = Some(worst);
    }
    out
}
