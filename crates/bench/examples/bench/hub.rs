//! A change seen by 1,000 referrers: the hub's title changes, timed until
//! every one of its referrers has been republished with a stale-title
//! warning naming the new title.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use article_test_support::uri;
use tokio::time::Instant;

use crate::corpus::{HUB_REFERRERS, hub_referrer_path};
use crate::documents::{Article, find_line};
use crate::edits::DEBOUNCE_S;
use crate::received::{count_code, mentions};
use crate::results::{ColdSession, HubFigures};
use crate::server::{Server, seconds};
use crate::stats::{median, summary_ms};

pub async fn measure_hub(
    server: &mut Server,
    folder: &Path,
    hub: &Article,
    rounds: usize,
    out: &mut ColdSession,
) {
    let referrers: HashSet<String> =
        (1..=HUB_REFERRERS).map(|k| uri(&hub_referrer_path(folder, k))).collect();
    let Ok(title_line) = find_line(&hub.lines, 0, "title:", |line| line.starts_with("title:")) else {
        out.problems.push("hub: its title line is missing".to_owned());
        return;
    };
    let title_line = title_line + 1;
    let mut times = Vec::new();
    crate::log(&format!("    hub: {rounds} title changes"));
    for round in 1..=rounds {
        let title = format!("Bench hub target article, revision {round}");
        server.catch_up();
        let mut next = server.seen.publications.len();
        let mut republished: HashSet<&str> = HashSet::new();
        let mut done_at = None;
        let sent = server.replace_line(&hub.uri, round as i64 + 1, title_line, &format!("    {title}")).await;
        let deadline = Instant::now() + Duration::from_secs(120);
        let all_republished = server
            .wait_until(deadline, |inbox, seen| {
                for publication in &seen.publications[next..] {
                    let message = &inbox.messages[publication.message];
                    let stale =
                        count_code(message, "stale-title") > 0 && mentions(&message["params"], &title);
                    if stale && let Some(referrer) = referrers.get(&publication.uri) {
                        republished.insert(referrer);
                        if republished.len() == referrers.len() && done_at.is_none() {
                            done_at = Some(publication.at);
                        }
                    }
                }
                next = seen.publications.len();
                done_at.is_some()
            })
            .await;
        let Some(done_at) = done_at.filter(|_| all_republished) else {
            let count = republished.len();
            out.problems
                .push(format!("hub: {count} of {} referrers republished within 120s", referrers.len()));
            break;
        };
        times.push(seconds(sent, done_at));
        server.wait_quiet(Duration::from_millis(300), Duration::from_secs(10)).await;
    }
    out.hub = Some(HubFigures {
        summary: summary_ms(&times),
        rounds_ms: times.iter().map(|t| t * 1e3).collect(),
        p50_minus_debounce_ms: median(&times).map(|median| (median - DEBOUNCE_S) * 1e3),
    });
}
