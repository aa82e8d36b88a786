//! The bulk scenarios against one server, started again after a scenario
//! that did not settle within the time limit, so that the next one does
//! not wait behind its work.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;

use super::Settle;
use super::actions::Action;
use super::burst::Burst;
use crate::documents::Article;
use crate::edits::{DEBOUNCE_S, edit_summary, timed_edit};
use crate::received::{Seen, count_code};
use crate::results::{BulkEdits, Scenario};
use crate::server::{Server, Trouble, scan_limit, seconds};
use crate::{Args, Paths};
use article_test_support::Inbox;

/// No publication for this long: settled.
const BULK_QUIET: Duration = Duration::from_secs(1);

pub struct BulkRun<'a> {
    paths: &'a Paths,
    args: &'a Args,
    folder: PathBuf,
    size: usize,
    cache: PathBuf,
    edited: Article,
    limit: Duration,
    server: Option<Server>,
    version: i64,
    logs_written: Vec<PathBuf>,
    pub problems: Vec<String>,
}

/// The expected publications of a burst, looked for among those that came
/// since it was sent.
struct Awaited {
    next: usize,
    waiting: HashMap<String, (&'static str, usize)>,
    complete: Option<Instant>,
}

impl Awaited {
    fn all_published(&mut self, inbox: &Inbox, seen: &Seen) -> bool {
        for publication in &seen.publications[self.next..] {
            let Some(&(code, count)) = self.waiting.get(&publication.uri) else { continue };
            if count_code(&inbox.messages[publication.message], code) >= count {
                self.waiting.remove(&publication.uri);
                if self.waiting.is_empty() {
                    self.complete = Some(publication.at);
                }
            }
        }
        self.next = seen.publications.len();
        self.complete.is_some()
    }
}

impl<'a> BulkRun<'a> {
    pub fn new(
        paths: &'a Paths,
        args: &'a Args,
        folder: &Path,
        size: usize,
        cache: PathBuf,
        edited: Article,
    ) -> BulkRun<'a> {
        BulkRun {
            paths,
            args,
            folder: folder.to_path_buf(),
            size,
            cache,
            edited,
            limit: Duration::from_secs_f64(args.bulk_timeout),
            server: None,
            version: 1,
            logs_written: Vec::new(),
            problems: Vec::new(),
        }
    }

    pub fn logs_written(&self) -> Vec<PathBuf> {
        self.logs_written.clone()
    }

    async fn start(&mut self) -> Result<&mut Server, Trouble> {
        let log_file =
            self.paths.logs.join(format!("server-{}-bulk-{}.log", self.size, self.logs_written.len() + 1));
        self.logs_written.push(log_file.clone());
        let server = Server::spawn(&self.paths.server, &self.cache, self.args.server_log_filter(), log_file);
        let server = self.server.insert(server);
        server.initialize(&self.folder).await?;
        let limit = scan_limit(self.size);
        server.wait_scan_end(limit).await?;
        server.wait_quiet(BULK_QUIET, limit).await;
        server.did_open(&self.edited.uri, &self.edited.text).await;
        self.version = 1;
        server.wait_quiet(Duration::from_millis(300), Duration::from_secs(10)).await;
        Ok(server)
    }

    pub async fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.shut_down().await;
        }
    }

    pub async fn scenario(&mut self, number: u64, name: &str, action: Action, settle: Settle) -> Scenario {
        let mut out = Scenario { settle: settle.name(), ..Scenario::default() };
        if let Err(trouble) = self.try_scenario(number, name, action, &mut out).await {
            self.problems.push(format!("{name}: {trouble}"));
            out.timed_out = true;
        }
        if out.timed_out {
            self.stop().await;
        }
        out
    }

    async fn try_scenario(
        &mut self,
        number: u64,
        name: &str,
        action: Action,
        out: &mut Scenario,
    ) -> Result<(), Trouble> {
        if self.server.is_none() {
            self.start().await?;
        }
        let mut burst = Burst::new(&self.folder);
        action(&self.folder, &mut burst)?;
        if burst.expect.is_empty() {
            burst.probe(number, name)?;
        }
        self.burst(burst, out).await
    }

    /// Sends the notifications, then edits back to back until the expected
    /// files are published; then waits for a quiet period.
    async fn burst(&mut self, burst: Burst, out: &mut Scenario) -> Result<(), Trouble> {
        let server = self.server.as_mut().expect("a server is running");
        server.catch_up();
        let first = server.seen.publications.len();
        let mut awaited = Awaited { next: first, waiting: burst.expect, complete: None };
        out.events = burst.notifications.iter().map(Vec::len).collect();
        let params = burst.notifications.into_iter().map(|changes| json!({ "changes": changes })).collect();
        let sent = server.notify_all("workspace/didChangeWatchedFiles", params).await;
        // The pipe takes the notifications as fast as the server reads them.
        out.notify_ms = Some(sent.elapsed().as_secs_f64() * 1e3);
        let deadline = sent + self.limit;
        let mut samples = Vec::new();
        let mut unexpected = 0;
        let mut edit_timed_out = false;
        loop {
            self.version += 1;
            let Some((elapsed, as_expected)) = timed_edit(server, &self.edited, self.version, deadline).await
            else {
                edit_timed_out = true;
                break;
            };
            samples.push(elapsed);
            unexpected += usize::from(!as_expected);
            let now = Instant::now();
            if server.wait_until(now, |inbox, seen| awaited.all_published(inbox, seen)).await
                || now >= deadline
            {
                break;
            }
        }
        let mut edit = BulkEdits {
            edits: edit_summary(&samples, unexpected),
            timed_out: edit_timed_out,
            ..BulkEdits::default()
        };
        if let Some(first_edit) = samples.first() {
            let slowest = samples.iter().copied().fold(f64::MIN, f64::max);
            edit.first_minus_debounce_ms = Some((first_edit - DEBOUNCE_S) * 1e3);
            edit.max_minus_debounce_ms = Some((slowest - DEBOUNCE_S) * 1e3);
        }
        out.edit = Some(edit);
        if edit_timed_out
            || !server.wait_until(deadline, |inbox, seen| awaited.all_published(inbox, seen)).await
        {
            out.timed_out = true;
            out.files_waiting = Some(awaited.waiting.len());
            return Ok(());
        }
        out.complete_s = awaited.complete.map(|complete| seconds(sent, complete));
        server.wait_quiet(BULK_QUIET, self.limit).await;
        server.catch_up();
        let others =
            server.seen.publications[first..].iter().filter(|publication| publication.uri != self.edited.uri);
        out.settled_s = others.map(|publication| publication.at).max().map(|last| seconds(sent, last));
        Ok(())
    }
}
