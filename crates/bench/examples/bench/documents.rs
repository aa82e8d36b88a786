//! The articles a session opens and what the requests point at in them:
//! each article's own `id`, its links' `id` and `title` lines.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use article_test_support::uri;
use serde_json::{Value, json};

use crate::corpus::hub_target_path;
use crate::floor_check::Reported;
use crate::server::{Server, Trouble};

/// An article read from disk, with the lines the requests and edits aim at.
pub struct Article {
    pub path: PathBuf,
    pub uri: String,
    pub text: String,
    pub lines: Vec<String>,
    pub id_line: usize,
    pub id: u64,
    pub title: String,
    /// For each related article: its `id` line and its title's value line.
    pub blocks: Vec<(usize, usize)>,
}

impl Article {
    pub fn read(path: &Path) -> Result<Article, Trouble> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| Trouble::Failed(format!("{}: {error}", path.display())))?;
        let lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
        let id_line = find_line(&lines, 0, "id: <digits>", |line| {
            line.strip_prefix("id: ").is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })?;
        let id = lines[id_line][4..]
            .trim()
            .parse()
            .map_err(|_| Trouble::Failed(format!("{}: no numeric id", path.display())))?;
        let title_line = find_line(&lines, 0, "title:", |line| line.starts_with("title:"))?;
        let folded = lines[title_line].trim_end().ends_with(">-");
        let title = if folded {
            lines.get(title_line + 1).map_or("", |line| line.trim()).to_owned()
        } else {
            String::new()
        };
        let mut blocks = Vec::new();
        for (n, line) in lines.iter().enumerate() {
            if is_related_heading(line) {
                let id_line = find_line(&lines, n, "    id:", |line| line.starts_with("    id:"))?;
                let title_line =
                    find_line(&lines, n, "    title:", |line| line.starts_with("    title:"))? + 1;
                blocks.push((id_line, title_line));
            }
        }
        Ok(Article { path: path.to_path_buf(), uri: uri(path), text, lines, id_line, id, title, blocks })
    }

    pub fn own_id_position(&self) -> Value {
        json!({ "line": self.id_line, "character": 5 })
    }

    pub fn link_id_position(&self, block: usize) -> Value {
        json!({ "line": self.blocks[block].0, "character": 9 })
    }
}

/// `related_article<digits>:`
fn is_related_heading(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("related_article") else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && rest[digits..].starts_with(':')
}

/// The first line from `start` on that `matches`.
pub fn find_line(
    lines: &[String],
    start: usize,
    what: &str,
    matches: impl Fn(&str) -> bool,
) -> Result<usize, Trouble> {
    (start..lines.len())
        .find(|n| matches(&lines[*n]))
        .ok_or_else(|| Trouble::Failed(format!("no line matches `{what}`")))
}

/// Evenly spread generated articles without diagnostics, and up to eight
/// with a broken link, both in a stable order (folders and files sorted,
/// each folder's files before its subfolders').
pub fn pick_articles(
    folder: &Path,
    by_file: &HashMap<PathBuf, Vec<Reported>>,
    count: usize,
) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut paths = Vec::new();
    walk(folder, &mut paths);
    let clean: Vec<&PathBuf> = paths.iter().filter(|path| !by_file.contains_key(*path)).collect();
    let step = (clean.len() / count.max(1)).max(1);
    let chosen = (0..count).filter_map(|i| clean.get(i * step).map(|path| (*path).clone())).collect();
    let broken: Vec<&PathBuf> = paths
        .iter()
        .filter(|path| by_file.get(*path).is_some_and(|found| found.iter().any(|r| r.code == "broken-link")))
        .collect();
    let stride = (broken.len() / 8).max(1);
    let broken = broken.iter().step_by(stride).take(8).map(|path| (*path).clone()).collect();
    (chosen, broken)
}

fn walk(folder: &Path, paths: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let mut files = Vec::new();
    let mut folders = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            if name != "bench-hub" && !name.starts_with('.') {
                folders.push(name);
            }
        } else if name.ends_with(".md") {
            files.push(name);
        }
    }
    files.sort();
    folders.sort();
    paths.extend(files.iter().map(|name| folder.join(name)));
    for name in folders {
        walk(&folder.join(name), paths);
    }
}

/// The documents a session opens: plain articles for hover, definition and
/// references; a copy of one with its first link's id emptied, for
/// completion; one to edit; the hub's target; articles with a broken link.
pub struct Documents {
    pub plain: Vec<Article>,
    pub completion: Article,
    pub completion_line: usize,
    pub edited: Article,
    pub hub: Article,
    pub broken: Vec<Article>,
}

impl Documents {
    pub async fn open(
        server: &mut Server,
        folder: &Path,
        by_file: &HashMap<PathBuf, Vec<Reported>>,
        count: usize,
    ) -> Result<Documents, Trouble> {
        let (chosen, broken) = pick_articles(folder, by_file, count + 2);
        let mut plain = chosen.iter().map(|path| Article::read(path)).collect::<Result<Vec<_>, _>>()?;
        let too_few = || Trouble::Failed(format!("fewer than {} articles without diagnostics", count + 2));
        let edited = plain.pop().ok_or_else(too_few)?;
        let completion = plain.pop().ok_or_else(too_few)?;
        let hub = Article::read(&hub_target_path(folder))?;
        let broken = broken.iter().map(|path| Article::read(path)).collect::<Result<Vec<_>, _>>()?;
        let completion_line = completion
            .blocks
            .first()
            .map(|block| block.0)
            .ok_or_else(|| Trouble::Failed(format!("{} has no link", completion.path.display())))?;
        for article in plain.iter().chain([&edited, &hub]).chain(&broken) {
            server.did_open(&article.uri, &article.text).await;
        }
        let mut emptied = completion.lines.clone();
        emptied[completion_line] = "    id: ".to_owned();
        server.did_open(&completion.uri, &emptied.join("\n")).await;
        server.wait_quiet(Duration::from_millis(500), Duration::from_secs(20)).await;
        Ok(Documents { plain, completion, completion_line, edited, hub, broken })
    }
}
