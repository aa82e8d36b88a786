//! Request latency: suites of one request kind each, sent one after the
//! other (each waiting for its answer), after a warm-up.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::documents::{Article, Documents};
use crate::floor_check::Reported;
use crate::results::{ColdSession, Latency, RequestCounts};
use crate::server::{REQUEST_TIMEOUT, Server, Trouble};
use crate::stats::{median, summary_ms};

/// A request: its method and params.
pub type Call = (&'static str, Value);

/// The suites, in the order they run and are reported.
pub const SUITES: [&str; 8] = [
    "noop",
    "completion",
    "hover",
    "definition",
    "references",
    "workspace_symbol",
    "hover_broken_link",
    "references_hub",
];

/// Extra figures with no target of their own take fewer requests.
const SMALL_SUITES: [&str; 2] = ["hover_broken_link", "references_hub"];

const WARMUP: usize = 20;

fn at(article: &Article, position: Value) -> Value {
    json!({ "textDocument": { "uri": article.uri }, "position": position })
}

fn references(article: &Article) -> Call {
    let mut params = at(article, article.own_id_position());
    params["context"] = json!({ "includeDeclaration": false });
    ("textDocument/references", params)
}

/// The calls of each suite of `SUITES`, by name.
pub fn request_suites(
    docs: &Documents,
    by_file: &HashMap<PathBuf, Vec<Reported>>,
) -> Vec<(&'static str, Vec<Call>)> {
    let on_links = |method: &'static str| -> Vec<Call> {
        docs.plain
            .iter()
            .flat_map(|article| (0..article.blocks.len()).map(move |block| (article, block)))
            .map(|(article, block)| (method, at(article, article.link_id_position(block))))
            .collect()
    };
    let broken_hovers: Vec<Call> = docs
        .broken
        .iter()
        .flat_map(|article| by_file[&article.path].iter().map(move |reported| (article, reported)))
        .filter(|(_, reported)| reported.code == "broken-link")
        .map(|(article, reported)| {
            let position = json!({ "line": reported.line.saturating_sub(1), "character": reported.column });
            ("textDocument/hover", at(article, position))
        })
        .collect();
    let mut completion = at(&docs.completion, json!({ "line": docs.completion_line, "character": 8 }));
    completion["context"] = json!({ "triggerKind": 1 });
    let symbols = symbol_queries(&docs.plain)
        .into_iter()
        .map(|query| ("workspace/symbol", json!({ "query": query })))
        .collect();
    vec![
        ("noop", vec![("bench/noop", json!({}))]),
        ("completion", vec![("textDocument/completion", completion)]),
        ("hover", on_links("textDocument/hover")),
        ("definition", on_links("textDocument/definition")),
        ("references", docs.plain.iter().map(references).collect()),
        ("workspace_symbol", symbols),
        ("hover_broken_link", broken_hovers),
        ("references_hub", vec![references(&docs.hub)]),
    ]
}

/// Runs of ASCII letters, as `[A-Za-z]+` finds them.
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_ascii_alphabetic()).filter(|word| !word.is_empty()).collect()
}

/// Workspace symbol queries: the longest word (6 letters or more) of the
/// first three titles that have one, two words of the first title, and
/// the first article's id prefix.
pub fn symbol_queries(articles: &[Article]) -> Vec<String> {
    let mut queries: Vec<String> = Vec::new();
    for article in articles {
        let long = words(&article.title).into_iter().filter(|word| word.len() >= 6);
        // The first of the longest, as Python's `max` picks.
        let longest = long.fold(None, |best: Option<&str>, word| match best {
            Some(best) if best.len() >= word.len() => Some(best),
            _ => Some(word),
        });
        if let Some(word) = longest.map(str::to_lowercase)
            && !queries.contains(&word)
        {
            queries.push(word);
        }
        if queries.len() == 3 {
            break;
        }
    }
    let Some(first) = articles.first() else {
        return queries;
    };
    let title_words = words(&first.title);
    if title_words.len() >= 3 {
        queries.push(format!("{} {}", title_words[1], title_words[2]).to_lowercase());
    }
    queries.push(first.id.to_string().chars().take(4).collect());
    queries
}

/// How many things a result holds: a list's items, 1 for anything else,
/// 0 for none.
pub fn result_size(result: Option<&Value>) -> usize {
    match result {
        None | Some(Value::Null) => 0,
        Some(Value::Object(fields)) => fields.get("items").and_then(Value::as_array).map_or(1, Vec::len),
        Some(Value::Array(items)) => items.len(),
        Some(_) => 1,
    }
}

/// `count` sequential requests cycling through `calls`, after a warm-up,
/// stopping early after `max_seconds`.
pub async fn bench_requests(
    server: &mut Server,
    calls: &[Call],
    count: usize,
    max_seconds: f64,
) -> Result<Latency, Trouble> {
    for (method, params) in calls.iter().cycle().take(WARMUP.min(count)) {
        server.request(method, params.clone(), REQUEST_TIMEOUT).await?;
    }
    let mut samples = Vec::new();
    let mut sizes = Vec::new();
    let (mut errors, mut empty) = (0, 0);
    let mut first_error = None;
    let deadline = Instant::now() + Duration::from_secs_f64(max_seconds);
    for (method, params) in calls.iter().cycle().take(count) {
        let (elapsed, response) = server.request(method, params.clone(), REQUEST_TIMEOUT).await?;
        samples.push(elapsed);
        if let Some(error) = response.get("error") {
            errors += 1;
            first_error.get_or_insert_with(|| error.clone());
        } else {
            let size = result_size(response.get("result"));
            sizes.push(size as f64);
            empty += usize::from(size == 0);
        }
        if Instant::now() > deadline {
            break;
        }
    }
    let counts = RequestCounts {
        requested: count,
        cut_short: samples.len() < count,
        errors,
        empty_results: empty,
        median_result_size: median(&sizes),
        first_error,
    };
    Ok(Latency { summary: summary_ms(&samples), counts: Some(counts), timeout: None })
}

/// Every suite in turn; a timeout ends the suites (the server is stuck),
/// recorded as that suite's figure and a problem.
pub async fn measure_latency(
    server: &mut Server,
    docs: &Documents,
    by_file: &HashMap<PathBuf, Vec<Reported>>,
    requests: usize,
    max_seconds: f64,
    out: &mut ColdSession,
) -> Result<(), Trouble> {
    let suites = request_suites(docs, by_file);
    let symbols = suites.iter().find(|(name, _)| *name == "workspace_symbol").map(|(_, calls)| calls);
    let queries = symbols
        .into_iter()
        .flatten()
        .map(|(_, params)| params["query"].as_str().unwrap_or_default().to_owned());
    out.symbol_queries = Some(queries.collect());
    let latency = out.latency.insert(BTreeMap::new());
    for (name, calls) in &suites {
        if calls.is_empty() {
            continue;
        }
        let count = if SMALL_SUITES.contains(name) { (requests / 5).max(200) } else { requests };
        crate::log(&format!("    {name}: {count} requests"));
        match bench_requests(server, calls, count, max_seconds).await {
            Ok(figures) => {
                latency.insert((*name).to_owned(), figures);
            }
            Err(Trouble::Timeout(what)) => {
                let figures = Latency { timeout: Some(what.clone()), ..Latency::default() };
                latency.insert((*name).to_owned(), figures);
                out.problems.push(format!("{name}: {what}"));
                return Ok(());
            }
            Err(other) => return Err(other),
        }
    }
    Ok(())
}
