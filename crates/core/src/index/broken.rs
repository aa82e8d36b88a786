//! Files with broken links, by the words "did you mean" looks their targets
//! up by ([`link_words`]): when an article appears, goes or is retitled,
//! the files whose hint may change are found without checking every link.
//!
//! A link is broken while no article has its id or its url, so its file is
//! refiled when the file changes and when an article takes or gives up one
//! of those (the file is then among the article's referrers). A batch does
//! not keep the map: a scan would refile most files again and again as
//! their targets are read; the server rebuilds it in a round after the
//! scan's end instead ([`ArticleIndex::refresh_broken_links`]), or it is
//! rebuilt at the next query, whichever comes first.

use std::sync::Arc;

use rayon::prelude::*;

use super::ArticleIndex;
use super::file::{FileId, IndexedArticle};
use super::key_map::KeyMap;
use super::words::link_words;
use crate::article::ArticleId;
use crate::summary::LinkSummary;
use crate::texts::Text;

/// The id and url by which links find an article.
fn claims(entry: Option<&IndexedArticle>) -> (Option<ArticleId>, Option<&str>) {
    entry.map_or((None, None), |entry| (entry.summary.id, entry.summary.article_url()))
}

#[derive(Clone, Default)]
pub(super) struct BrokenLinks {
    pub(super) by_word: KeyMap<Text>,
    /// The words each file is filed under, to unfile them.
    words: imbl::HashMap<FileId, Arc<[Text]>>,
    /// The map is out of date (after a batch) and must be rebuilt.
    stale: bool,
}

impl BrokenLinks {
    pub(super) fn mark_stale(&mut self) {
        self.stale = true;
    }

    pub(super) fn is_stale(&self) -> bool {
        self.stale
    }

    /// The files with broken links filed under `by_word`, as a cache
    /// stored them.
    pub(super) fn from_map(by_word: KeyMap<Text>) -> BrokenLinks {
        // Words come in order, so each file's list is sorted.
        let mut words: hashbrown::HashMap<FileId, Vec<Text>> = hashbrown::HashMap::new();
        for (word, files) in by_word.iter() {
            for file in files {
                words.entry(*file).or_default().push(*word);
            }
        }
        let words = words.into_iter().map(|(file, words)| (file, words.into())).collect();
        BrokenLinks { by_word, words, stale: false }
    }
}

impl ArticleIndex {
    /// Files with a broken link one of whose words is among `words`.
    pub fn files_with_broken_links(&mut self, words: &[String]) -> Vec<FileId> {
        if self.broken.stale {
            self.rebuild_broken_links();
        }
        let mut files: Vec<FileId> =
            words.iter().flat_map(|word| self.broken.by_word.get(word.as_str())).copied().collect();
        files.sort_unstable();
        files.dedup();
        files
    }

    /// Rebuilds the map of broken links if a batch left it out of date:
    /// done after a scan's end, so that the first change after it does not
    /// pay for the whole workspace.
    pub fn refresh_broken_links(&mut self) {
        if self.broken.stale {
            self.rebuild_broken_links();
        }
    }

    /// Whether no article has the link's id or url (the link names one).
    fn is_broken(&self, link: &LinkSummary) -> bool {
        let (id, url) = (link.target_id(), link.target_url());
        (id.is_some() || url.is_some())
            && id.is_none_or(|id| self.with_id(id).is_empty())
            && url.is_none_or(|url| self.with_url(url).is_empty())
    }

    /// The words of `file`'s broken links, sorted.
    fn broken_words_of(&self, file: FileId) -> Vec<Text> {
        let Some(entry) = self.get(file) else { return Vec::new() };
        let mut words: Vec<Text> = entry
            .summary
            .links
            .iter()
            .filter(|link| self.is_broken(link))
            .flat_map(|link| link_words(link.title_text(), link.target_url()))
            .map(|word| Text::new(&word))
            .collect();
        words.sort_unstable();
        words.dedup();
        words
    }

    /// Refiles `file` after it changed from `before` (what the index held):
    /// the file itself, and, when its id or url changed, the files linking
    /// to either (their links may have broken or come back).
    pub(super) fn refile_broken_links(&mut self, file: FileId, before: Option<Arc<IndexedArticle>>) {
        if self.broken.stale {
            return;
        }
        let after = self.get(file).cloned();
        let (old, new) = (claims(before.as_deref()), claims(after.as_deref()));
        let mut files = vec![file];
        if old != new {
            for (id, url) in [old, new] {
                files.extend(self.referrers(id, url));
            }
        }
        for file in files {
            self.refile_broken(file);
        }
    }

    fn refile_broken(&mut self, file: FileId) {
        let words = self.broken_words_of(file);
        let before = self.broken.words.get(&file).cloned().unwrap_or_default();
        if *before == *words {
            return;
        }
        for word in before.iter() {
            self.broken.by_word.remove(&**word, file);
        }
        for word in &words {
            self.broken.by_word.add(*word, file);
        }
        self.broken.by_word.settle();
        if words.is_empty() {
            self.broken.words.remove(&file);
        } else {
            self.broken.words.insert(file, words.into());
        }
    }

    pub(super) fn rebuild_broken_links(&mut self) {
        let found: Vec<(FileId, Vec<Text>)> = self
            .articles
            .keys()
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|file| (file, self.broken_words_of(file)))
            .filter(|(_, words)| !words.is_empty())
            .collect();
        let pairs = found.iter().flat_map(|(file, words)| words.iter().map(|word| (*word, *file)));
        let mut by_word = KeyMap::default();
        by_word.extend(pairs.collect());
        let words = found.into_iter().map(|(file, words)| (file, words.into())).collect();
        self.broken = BrokenLinks { by_word, words, stale: false };
    }

    /// Every broken link's word with its files, as a fresh build files them.
    pub(super) fn broken_link_words(&self) -> Vec<(Text, Vec<FileId>)> {
        if !self.broken.stale {
            return self.broken.by_word.iter().map(|(word, files)| (*word, files.to_vec())).collect();
        }
        let mut fresh = self.clone();
        fresh.rebuild_broken_links();
        fresh.broken_link_words()
    }
}
