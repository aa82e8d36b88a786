//! Edits timed from the `didChange` to the publication of the version it
//! makes: of a link's title in an ordinary article, and of the answer of
//! the article 1,000 others link to.

use std::path::Path;
use std::time::Duration;

use article_test_support::uri;
use tokio::time::Instant;

use crate::corpus::hub_referrers_dir;
use crate::documents::{Article, find_line};
use crate::received::count_code;
use crate::results::{AnswerTyping, ColdSession, Edits};
use crate::server::{Server, Trouble, seconds};
use crate::stats::{percentile, sorted, summary_ms};

/// The server's debounce before diagnostics are recomputed.
pub const DEBOUNCE_S: f64 = 0.050;

/// Edits sent before the measured ones, not counted, like the requests'
/// warm-up.
const WARMUP: usize = 4;

/// A `didChange` of the first link's title, wrong (a stale-title warning)
/// at even versions and right (no diagnostics) at odd ones, so that every
/// edit changes the published set; returns the seconds to that version's
/// publication and whether it said what it should, or `None` when it did
/// not come by `deadline`.
pub async fn timed_edit(
    server: &mut Server,
    edited: &Article,
    version: i64,
    deadline: Instant,
) -> Option<(f64, bool)> {
    let line = edited.blocks[0].1;
    let right = &edited.lines[line];
    let wrong = version % 2 == 0;
    let text = if wrong { format!("{right} (edited)") } else { right.clone() };
    let sent = server.replace_line(&edited.uri, version, line, &text).await;
    let uri = edited.uri.as_str();
    if !server.wait_until(deadline, |_, seen| seen.version(uri, version).is_some()).await {
        return None;
    }
    let publication = server.seen.version(uri, version)?;
    let stale = count_code(&server.inbox().messages[publication.message], "stale-title") > 0;
    Some((seconds(sent, publication.at), stale == wrong))
}

/// The samples' summary, with the median and 99th percentile less the debounce.
pub fn edit_summary(samples: &[f64], unexpected: usize) -> Edits {
    let mut edits = Edits { summary: summary_ms(samples), unexpected, ..Edits::default() };
    if !samples.is_empty() {
        let ordered = sorted(samples);
        edits.p50_minus_debounce_ms = Some((percentile(&ordered, 50.0) - DEBOUNCE_S) * 1e3);
        edits.p99_minus_debounce_ms = Some((percentile(&ordered, 99.0) - DEBOUNCE_S) * 1e3);
    }
    edits
}

pub async fn measure_edits(server: &mut Server, edited: &Article, edits: usize, out: &mut ColdSession) {
    let mut samples = Vec::new();
    let mut unexpected = 0;
    crate::log(&format!("    didChange: {edits} edits"));
    for n in 0..WARMUP + edits {
        let version = n as i64 + 2;
        let deadline = Instant::now() + Duration::from_secs(30);
        let Some((elapsed, as_expected)) = timed_edit(server, edited, version, deadline).await else {
            out.problems.push(format!("didChange: no diagnostics for version {version} within 30s"));
            break;
        };
        if n >= WARMUP {
            samples.push(elapsed);
        }
        unexpected += usize::from(!as_expected);
    }
    out.edit = Some(edit_summary(&samples, unexpected));
}

/// Typing in the answer of the article 1,000 others link to: emptied (an
/// `invalid-field` error) and restored in turn (every edit changes its set,
/// so each version is published), timed to the publication of each
/// version. Nothing its referrers see changes, so none of them may be
/// republished; the server's CPU time per edit shows whether they were
/// rechecked all the same.
pub async fn measure_answer_typing(
    server: &mut Server,
    folder: &Path,
    hub: &Article,
    mut version: i64,
    edits: usize,
    out: &mut ColdSession,
) -> Result<(), Trouble> {
    let line = find_line(&hub.lines, 0, "answer:", |line| line.starts_with("answer:"))? + 1;
    let right = hub.lines[line].clone();
    let referrers = uri(&hub_referrers_dir(folder));
    server.catch_up();
    let first = server.seen.publications.len();
    let mut samples = Vec::new();
    let mut unexpected = 0;
    crate::log(&format!("    answer typing: {edits} edits"));
    let quiet = Duration::from_millis(300);
    server.wait_quiet(quiet, Duration::from_secs(10)).await;
    let cpu_before = server.cpu_seconds();
    for n in 0..edits {
        version += 1;
        let wrong = n % 2 == 0;
        let sent = server.replace_line(&hub.uri, version, line, if wrong { "    " } else { &right }).await;
        let uri = hub.uri.as_str();
        let deadline = Instant::now() + Duration::from_secs(30);
        if !server.wait_until(deadline, |_, seen| seen.version(uri, version).is_some()).await {
            out.problems.push(format!("answer typing: no diagnostics for version {version} within 30s"));
            break;
        }
        let Some(publication) = server.seen.version(uri, version) else { break };
        samples.push(seconds(sent, publication.at));
        let invalid = count_code(&server.inbox().messages[publication.message], "invalid-field") > 0;
        unexpected += usize::from(invalid != wrong);
    }
    // A version's set goes out before closed files' checks: give any
    // referrer rechecks the time to show.
    server.wait_quiet(quiet, Duration::from_secs(10)).await;
    let cpu_after = server.cpu_seconds();
    server.catch_up();
    let republished = server.seen.publications[first..]
        .iter()
        .filter(|publication| publication.uri.starts_with(&referrers))
        .count();
    let mut answer = AnswerTyping {
        edits: edit_summary(&samples, unexpected),
        referrers_republished: republished,
        server_cpu_ms_per_edit: None,
    };
    if let (Some(before), Some(after)) = (cpu_before, cpu_after)
        && !samples.is_empty()
    {
        answer.server_cpu_ms_per_edit = Some((after - before) * 1e3 / samples.len() as f64);
    }
    out.answer_typing = Some(answer);
    Ok(())
}
