//! What a bulk scenario does on disk, and the notifications a client's
//! file watcher sends for it: an event for every file and folder touched,
//! in order. Also the scratch articles the scenarios work on.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use article_test_support::uri;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use crate::corpus::{BULK_DIR, Meta, article_text, hub_target};

/// `FileChangeType`s.
pub const CREATED: u8 = 1;
pub const CHANGED: u8 = 2;
pub const DELETED: u8 = 3;

/// Rewritten by the checkout, then deleted.
pub const BULK_ARTICLES: usize = 2000;
/// Links of each scratch referrer, to as many targets, as generated
/// articles have.
pub const BULK_LINKS: usize = 4;
/// Above the hub's ids, below the broken links' ids.
const BULK_FIRST_ID: u64 = 810_000_000;

pub struct Burst {
    folder: PathBuf,
    /// The changes of each `didChangeWatchedFiles`.
    pub notifications: Vec<Vec<Value>>,
    /// The files whose publications end the scenario: uri → (a diagnostic
    /// code, how many diagnostics of it).
    pub expect: HashMap<String, (&'static str, usize)>,
}

impl Burst {
    pub fn new(folder: &Path) -> Burst {
        Burst { folder: folder.to_path_buf(), notifications: vec![Vec::new()], expect: HashMap::new() }
    }

    pub fn event(&mut self, path: &Path, kind: u8) {
        let change = json!({ "uri": uri(path), "type": kind });
        self.notifications.last_mut().expect("there is always a notification").push(change);
    }

    pub fn next_notification(&mut self) {
        self.notifications.push(Vec::new());
    }

    pub fn write(&mut self, path: &Path, data: &[u8]) -> io::Result<()> {
        let missing: Vec<&Path> = path.ancestors().skip(1).take_while(|parent| !parent.exists()).collect();
        for created in missing.into_iter().rev() {
            std::fs::create_dir(created)?;
            self.event(created, CREATED);
        }
        let existed = path.exists();
        std::fs::write(path, data)?;
        self.event(path, if existed { CHANGED } else { CREATED });
        Ok(())
    }

    pub fn rename(&mut self, source: &Path, target: &Path) -> io::Result<()> {
        let existed = target.exists();
        std::fs::rename(source, target)?;
        self.event(source, DELETED);
        self.event(target, if existed { CHANGED } else { CREATED });
        Ok(())
    }

    pub fn remove(&mut self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)?;
        self.event(path, DELETED);
        Ok(())
    }

    /// A loose git object as git writes it: named by the SHA-1 of its
    /// header and body, zlib-compressed; returns its name.
    pub fn git_object(&mut self, kind: &str, body: &[u8]) -> io::Result<String> {
        let mut data = format!("{kind} {}\0", body.len()).into_bytes();
        data.extend_from_slice(body);
        let name = hex(&Sha1::digest(&data));
        let mut compressed = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        compressed.write_all(&data)?;
        let path = self.folder.join(".git").join("objects").join(&name[..2]).join(&name[2..]);
        self.write(&path, &compressed.finish()?)?;
        Ok(name)
    }

    /// An article with a stale link, written last: its diagnostics arriving
    /// say that the server got through everything before it.
    pub fn probe(&mut self, number: u64, name: &str) -> io::Result<()> {
        let slug = format!("bulk-probe-{}", name.replace('_', "-"));
        let meta = Meta {
            id: BULK_FIRST_ID + 30_000 + number,
            title: format!("Bulk probe {name}"),
            subject: "Bench Bulk",
            slug: slug.clone(),
        };
        let path = self.folder.join(BULK_DIR).join(format!("{slug}.md"));
        let mut stale = hub_target();
        stale.title.push_str(" (stale)");
        let text = article_text(
            &meta,
            "Which article ends a burst of changes?",
            "This one, written last.",
            &[stale],
        );
        self.write(&path, text.as_bytes())?;
        self.expect = HashMap::from([(uri(&path), ("stale-title", 1))]);
        Ok(())
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

pub fn bulk_target(k: usize, revision: &str) -> Meta {
    Meta {
        id: BULK_FIRST_ID + k as u64,
        title: format!("Bulk target {k:04}{revision}"),
        subject: "Bench Bulk",
        slug: format!("bulk-target-{k:04}"),
    }
}

pub fn bulk_target_text(k: usize, revision: &str) -> String {
    let question = format!("What is bulk target {k:04}?");
    article_text(
        &bulk_target(k, revision),
        &question,
        "An article the bulk scenarios rewrite and delete.",
        &[],
    )
}

pub fn bulk_referrer_path(folder: &Path, k: usize) -> PathBuf {
    folder.join(BULK_DIR).join("referrers").join(format!("bulk-referrer-{k:04}.md"))
}

pub fn bulk_target_path(folder: &Path, k: usize) -> PathBuf {
    folder.join(BULK_DIR).join("targets").join(format!("bulk-target-{k:04}.md"))
}

/// The scratch articles (2,000 targets, 2,000 referrers linking to four
/// targets each, and the article the scenarios edit) and a git
/// repository's bare bones; returns the article to edit.
pub fn write_scratch(folder: &Path) -> io::Result<PathBuf> {
    let base = folder.join(BULK_DIR);
    std::fs::create_dir_all(base.join("targets"))?;
    std::fs::create_dir(base.join("referrers"))?;
    for k in 1..=BULK_ARTICLES {
        std::fs::write(bulk_target_path(folder, k), bulk_target_text(k, ""))?;
        let meta = Meta {
            id: BULK_FIRST_ID + 10_000 + k as u64,
            title: format!("Bulk referrer {k:04}"),
            subject: "Bench Bulk",
            slug: format!("bulk-referrer-{k:04}"),
        };
        let links: Vec<Meta> =
            (0..BULK_LINKS).map(|j| bulk_target((k - 1 + j) % BULK_ARTICLES + 1, "")).collect();
        let question = format!("Which targets does bulk referrer {k:04} link to?");
        std::fs::write(
            bulk_referrer_path(folder, k),
            article_text(&meta, &question, "Four bulk targets.", &links),
        )?;
    }
    let edited = base.join("bulk-edited.md");
    let meta = Meta {
        id: BULK_FIRST_ID + 20_000,
        title: "Bulk edited article".to_owned(),
        subject: "Bench Bulk",
        slug: "bulk-edited".to_owned(),
    };
    std::fs::write(
        &edited,
        article_text(&meta, "Which article do the bulk scenarios edit?", "This one.", &[hub_target()]),
    )?;
    let git = folder.join(".git");
    for name in ["refs/heads", "objects/pack", "logs/refs/heads"] {
        std::fs::create_dir_all(git.join(name))?;
    }
    std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n")?;
    std::fs::write(git.join("config"), "[core]\n\trepositoryformatversion = 0\n")?;
    std::fs::write(git.join("refs/heads/main"), format!("{}\n", "0".repeat(40)))?;
    std::fs::write(git.join("index"), b"DIRC")?;
    Ok(edited)
}
