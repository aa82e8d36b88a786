//! The workspace index: every article by file, id and url, and who links to whom.
//!
//! Persistent vectors and maps make a clone O(1), so the server hands out immutable
//! snapshots while the next edit builds a new version beside them.

mod broken;
mod file;
mod image;
mod key_map;
mod merges;
mod slots;
mod words;

use std::sync::Arc;

use arcstr::ArcStr;
use rayon::prelude::*;

use crate::article::ArticleId;
use crate::line_index::LineIndex;
use crate::summary::ArticleSummary;
use crate::texts::Text;
use broken::BrokenLinks;
use key_map::KeyMap;

pub use file::{FileId, FilePath, IndexedArticle};
pub use image::{FileNumbers, MapName, StoredKeys};
pub use merges::{MapMerges, MergedMaps};
pub(crate) use words::{link_words, title_words};

#[derive(Clone, Default)]
pub struct ArticleIndex {
    paths: imbl::Vector<FilePath>,
    /// The file ids at which a run of increasing paths starts: within a run,
    /// comparing ids compares paths (see [`ArticleIndex::cmp_paths`]).
    path_runs: Arc<Vec<u32>>,
    articles: slots::Slots,
    /// Every path ever interned, in order, with its one file id: the files
    /// under a folder are a range of it (a folder deleted on disk is one
    /// event).
    by_path: KeyMap<ArcStr>,
    // Ordered maps: completion walks ids, urls and words by prefix.
    by_id: KeyMap<ArticleId>,
    by_url: KeyMap<Text>,
    by_subject: KeyMap<Text>,
    linking_to_id: KeyMap<ArticleId>,
    linking_to_url: KeyMap<Text>,
    by_word: KeyMap<Text>,
    /// Derived from the maps above: which files' "did you mean" hints an
    /// article's change may alter.
    broken: BrokenLinks,
}

impl ArticleIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds an index from parsed files; see [`ArticleIndex::upsert_batch`].
    pub fn from_articles(articles: Vec<(FilePath, ArticleSummary, LineIndex)>) -> Self {
        let mut index = Self::new();
        index.upsert_batch(articles);
        index
    }

    /// The same as upserting each article in turn (a later duplicate path
    /// wins), but new files have their keys grouped first, so that each key
    /// of a map is filed once per batch: a 100,000-article scan does not pay
    /// for a million single inserts into persistent maps.
    pub fn upsert_batch(&mut self, articles: Vec<(FilePath, ArticleSummary, LineIndex)>) {
        let mut latest: hashbrown::HashMap<&FilePath, usize> =
            hashbrown::HashMap::with_capacity(articles.len());
        for (at, (path, ..)) in articles.iter().enumerate() {
            latest.insert(path, at);
        }
        let superseded: Vec<bool> =
            articles.iter().enumerate().map(|(at, (path, ..))| latest.get(path) != Some(&at)).collect();
        drop(latest);
        let (known, mut new): (Vec<_>, Vec<_>) = articles
            .into_iter()
            .zip(superseded)
            .filter(|(_, superseded)| !superseded)
            .map(|(article, _)| article)
            .partition(|(path, ..)| self.file_id(path).is_some());
        for (path, article, line_index) in known {
            self.upsert(path, article, line_index);
        }
        // New files take ids in path order, so that they compare without
        // looking their paths up; a scan's batches come sorted already.
        new.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut interned = Vec::with_capacity(new.len());
        let new: Vec<_> = new
            .into_iter()
            .map(|(path, article, line_index)| {
                let file = self.intern_new(path.clone());
                interned.push((path.0.clone(), file));
                (file, (path, article, line_index))
            })
            .collect();
        self.by_path.extend(interned);
        let entries: Vec<(FileId, Arc<IndexedArticle>)> = new
            .into_par_iter()
            .map(|(file, (path, summary, line_index))| {
                (file, Arc::new(IndexedArticle { path, summary, line_index }))
            })
            .collect();

        let pairs = entries
            .par_iter()
            .fold(
                || (KeyPairs::default(), WordCopies::default()),
                |(mut pairs, mut words), (file, entry)| {
                    for key in keys(&entry.summary, &mut words) {
                        pairs.add(key, *file);
                    }
                    (pairs, words)
                },
            )
            .map(|(pairs, _)| pairs)
            .reduce(KeyPairs::default, KeyPairs::append);
        pairs.file_into(self);
        if !entries.is_empty() {
            self.broken.mark_stale();
        }
        for (file, entry) in entries {
            self.articles.insert(file, entry);
        }
    }

    pub fn len(&self) -> usize {
        self.articles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
    }

    pub fn file_id(&self, path: &FilePath) -> Option<FileId> {
        self.by_path.get(path.as_str()).first().copied()
    }

    pub fn path(&self, file: FileId) -> &FilePath {
        &self.paths[file.0 as usize]
    }

    /// The order of two files' paths: the order files were first read in
    /// differs between `check` and the server, so whatever must not depend
    /// on it (which of equal candidates comes first) follows their paths.
    /// Files read in one batch, or one after another in path order (as a
    /// scan reads a folder), compare by id, without looking their paths up.
    pub fn cmp_paths(&self, a: FileId, b: FileId) -> std::cmp::Ordering {
        let run = |file: FileId| self.path_runs.partition_point(|start| *start <= file.0);
        if run(a) == run(b) { a.cmp(&b) } else { self.path(a).cmp(self.path(b)) }
    }

    pub fn get(&self, file: FileId) -> Option<&Arc<IndexedArticle>> {
        self.articles.get(file)
    }

    pub fn get_by_path(&self, path: &FilePath) -> Option<&Arc<IndexedArticle>> {
        self.get(self.file_id(path)?)
    }

    /// Every indexed article, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &Arc<IndexedArticle>)> {
        self.articles.iter()
    }

    /// Indexed articles whose path starts with `prefix` (for a folder, its
    /// name and the separator), in path order.
    pub fn files_with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = FileId> + 'a {
        self.paths_with_prefix(prefix).map(|(_, file)| file)
    }

    /// The same, with each article's path.
    pub fn paths_with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, FileId)> + 'a {
        self.by_path
            .range::<str, _>((std::ops::Bound::Included(prefix), std::ops::Bound::Unbounded))
            .take_while(move |(path, _)| path.starts_with(prefix))
            .flat_map(|(path, files)| files.iter().map(move |file| (&**path, *file)))
            .filter(|(_, file)| self.articles.contains_key(*file))
    }

    /// Articles claiming `id`: more than one is a `duplicate-id`.
    pub fn with_id(&self, id: ArticleId) -> &[FileId] {
        self.by_id.get(&id)
    }

    pub fn with_url(&self, url: &str) -> &[FileId] {
        self.by_url.get(url)
    }

    /// Articles with a related block whose id or url is the given one.
    pub fn referrers(&self, id: Option<ArticleId>, url: Option<&str>) -> Vec<FileId> {
        let by_id = id.map(|id| self.linking_to_id.get(&id));
        let by_url = url.map(|url| self.linking_to_url.get(url));
        let mut files: Vec<FileId> = by_id.into_iter().chain(by_url).flatten().copied().collect();
        files.sort_unstable();
        files.dedup();
        files
    }

    /// Articles that link to `file` by its id or url (itself excluded).
    pub fn backlinks_of(&self, file: FileId) -> Vec<FileId> {
        let Some(entry) = self.get(file) else { return Vec::new() };
        let mut files = self.referrers(entry.summary.id, entry.summary.article_url());
        files.retain(|referrer| *referrer != file);
        files
    }

    /// Files whose title contains `word` (see [`title_words`]).
    pub fn with_title_word(&self, word: &str) -> &[FileId] {
        self.by_word.get(word)
    }

    /// Files with the subject, exactly as written.
    pub fn with_subject(&self, subject: &str) -> &[FileId] {
        self.by_subject.get(subject)
    }

    /// Every subject in use, with how many articles have it, in order.
    pub fn subjects(&self) -> impl Iterator<Item = (&str, usize)> {
        self.by_subject.iter().map(|(subject, files)| (&**subject, files.len()))
    }

    /// Title words starting with `prefix`, in order, with their files.
    pub fn title_words_with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a [FileId])> {
        self.by_word
            .range::<str, _>((std::ops::Bound::Included(prefix), std::ops::Bound::Unbounded))
            .take_while(move |(word, _)| word.starts_with(prefix))
            .map(|(word, files)| (&**word, files))
    }

    /// Ids in `range`, in order, with their files.
    pub fn ids_in(
        &self,
        range: std::ops::RangeInclusive<ArticleId>,
    ) -> impl Iterator<Item = (ArticleId, &[FileId])> {
        self.by_id.range(range).map(|(id, files)| (*id, files))
    }

    /// Adds or replaces the article at `path`. Returns the file's id.
    pub fn upsert(&mut self, path: FilePath, summary: ArticleSummary, line_index: LineIndex) -> FileId {
        let file = self.intern(path.clone());
        let before = self.articles.get(file).cloned();
        self.unlink(file);
        let entry = Arc::new(IndexedArticle { path, summary, line_index });
        self.link(file, &entry);
        self.articles.insert(file, entry);
        self.refile_broken_links(file, before);
        file
    }

    /// Forgets the article at `path`, returning what the index held.
    pub fn remove(&mut self, path: &FilePath) -> Option<Arc<IndexedArticle>> {
        let file = self.file_id(path)?;
        let before = self.articles.get(file).cloned();
        self.unlink(file);
        self.settle();
        let removed = self.articles.remove(file);
        self.refile_broken_links(file, before);
        removed
    }

    fn settle(&mut self) {
        self.by_id.settle();
        self.by_url.settle();
        self.by_subject.settle();
        self.linking_to_id.settle();
        self.linking_to_url.settle();
        self.by_word.settle();
    }

    fn intern(&mut self, path: FilePath) -> FileId {
        if let Some(file) = self.file_id(&path) {
            return file;
        }
        let file = self.intern_new(path.clone());
        self.by_path.extend(vec![(path.0, file)]);
        file
    }

    /// A new file's id, for a path the index has never seen, without filing
    /// it in `by_path`: a batch files its paths together.
    fn intern_new(&mut self, path: FilePath) -> FileId {
        let file = FileId(u32::try_from(self.paths.len()).unwrap_or(u32::MAX));
        if self.paths.last().is_none_or(|last| *last >= path) {
            Arc::make_mut(&mut self.path_runs).push(file.0);
        }
        self.paths.push_back(path);
        file
    }

    fn link(&mut self, file: FileId, entry: &IndexedArticle) {
        let mut pairs = KeyPairs::default();
        for key in keys(&entry.summary, &mut WordCopies::default()) {
            pairs.add(key, file);
        }
        pairs.file_into(self);
    }

    fn unlink(&mut self, file: FileId) {
        let Some(entry) = self.articles.get(file).cloned() else { return };
        for key in keys(&entry.summary, &mut WordCopies::default()) {
            match key {
                Key::Id(id) => self.by_id.remove(&id, file),
                Key::Url(url) => self.by_url.remove(&*url, file),
                Key::LinkId(id) => self.linking_to_id.remove(&id, file),
                Key::LinkUrl(url) => self.linking_to_url.remove(&*url, file),
                Key::Word(word) => self.by_word.remove(&*word, file),
                Key::Subject(subject) => self.by_subject.remove(&*subject, file),
            }
        }
    }

    /// A canonical, comparable form of everything the index derives; two
    /// indexes of the same files are equal in it whatever their history.
    pub fn canonical(&self) -> CanonicalIndex {
        let mut canonical = CanonicalIndex::default();
        for (_, entry) in self.iter() {
            canonical.articles.insert(entry.path.clone(), entry.clone());
        }
        let named = |files: &[FileId]| -> Vec<FilePath> {
            let mut paths: Vec<FilePath> = files.iter().map(|file| self.path(*file).clone()).collect();
            paths.sort();
            paths
        };
        canonical.by_id = self.by_id.iter().map(|(k, v)| (*k, named(v))).collect();
        canonical.by_url = self.by_url.iter().map(|(k, v)| (k.to_string(), named(v))).collect();
        canonical.linking_to_id = self.linking_to_id.iter().map(|(k, v)| (*k, named(v))).collect();
        canonical.linking_to_url =
            self.linking_to_url.iter().map(|(k, v)| (k.to_string(), named(v))).collect();
        canonical.by_word = self.by_word.iter().map(|(k, v)| (k.to_string(), named(v))).collect();
        canonical.by_subject = self.by_subject.iter().map(|(k, v)| (k.to_string(), named(v))).collect();
        canonical.broken_links =
            self.broken_link_words().into_iter().map(|(k, v)| (k.to_string(), named(&v))).collect();
        canonical
    }
}

enum Key {
    Id(ArticleId),
    Url(Text),
    LinkId(ArticleId),
    LinkUrl(Text),
    Word(Text),
    Subject(Text),
}

/// The keys of a batch of new files, as `(key, file)` pairs per map, to be
/// sorted and filed in one pass.
#[derive(Default)]
struct KeyPairs {
    by_id: Vec<(ArticleId, FileId)>,
    by_url: Vec<(Text, FileId)>,
    by_subject: Vec<(Text, FileId)>,
    linking_to_id: Vec<(ArticleId, FileId)>,
    linking_to_url: Vec<(Text, FileId)>,
    by_word: Vec<(Text, FileId)>,
}

impl KeyPairs {
    fn add(&mut self, key: Key, file: FileId) {
        match key {
            Key::Id(id) => self.by_id.push((id, file)),
            Key::Url(url) => self.by_url.push((url, file)),
            Key::LinkId(id) => self.linking_to_id.push((id, file)),
            Key::LinkUrl(url) => self.linking_to_url.push((url, file)),
            Key::Word(word) => self.by_word.push((word, file)),
            Key::Subject(subject) => self.by_subject.push((subject, file)),
        }
    }

    fn append(mut self, mut other: KeyPairs) -> KeyPairs {
        self.by_id.append(&mut other.by_id);
        self.by_url.append(&mut other.by_url);
        self.by_subject.append(&mut other.by_subject);
        self.linking_to_id.append(&mut other.linking_to_id);
        self.linking_to_url.append(&mut other.linking_to_url);
        self.by_word.append(&mut other.by_word);
        self
    }

    fn len(&self) -> usize {
        self.by_id.len()
            + self.by_url.len()
            + self.by_subject.len()
            + self.linking_to_id.len()
            + self.linking_to_url.len()
            + self.by_word.len()
    }

    fn file_into(self, index: &mut ArticleIndex) {
        // A scan's batch files each map on its own core: rebuilding a run is
        // serial. An edit's few keys are filed on the calling thread, which
        // may not be one of rayon's.
        let parallel = self.len() >= PARALLEL_FILING_PAIRS;
        let KeyPairs { by_id, by_url, by_subject, linking_to_id, linking_to_url, by_word } = self;
        let maps = (
            &mut index.by_id,
            &mut index.by_url,
            &mut index.by_subject,
            &mut index.linking_to_id,
            &mut index.linking_to_url,
            &mut index.by_word,
        );
        let (to_id, to_url, to_subject, to_link_id, to_link_url, to_word) = maps;
        let ids = move || {
            to_id.extend(by_id);
            to_link_id.extend(linking_to_id);
        };
        let urls = move || {
            to_url.extend(by_url);
            to_subject.extend(by_subject);
            to_link_url.extend(linking_to_url);
        };
        let words = move || to_word.extend(by_word);
        if parallel {
            rayon::join(|| rayon::join(ids, urls), words);
        } else {
            ids();
            urls();
            words();
        }
    }
}

/// From this many keys on, a batch's maps are filed side by side.
const PARALLEL_FILING_PAIRS: usize = 10_000;

/// Every key under which an article is filed: one list, so that filing and
/// unfiling (and the bulk build) can never disagree. String keys share the
/// article's texts, so a key costs no allocation of its own.
fn keys(article: &ArticleSummary, words: &mut WordCopies) -> Vec<Key> {
    let mut keys = Vec::with_capacity(16);
    keys.extend(article.id.map(Key::Id));
    keys.extend(article.url.map(Key::Url));
    for link in &article.links {
        keys.extend(link.target_id().map(Key::LinkId));
        keys.extend(link.target_url_text().map(Key::LinkUrl));
    }
    keys.extend(
        title_words(article.title_text().unwrap_or("")).iter().map(|word| Key::Word(words.shared(word))),
    );
    keys.extend(article.subject.map(Key::Subject));
    keys
}

/// The title words one thread has filed: a scan files millions of words
/// from a vocabulary of thousands, and a local set is cheaper to ask than
/// the table every thread shares.
#[derive(Default)]
struct WordCopies {
    seen: hashbrown::HashSet<Text>,
}

impl WordCopies {
    fn shared(&mut self, word: &str) -> Text {
        if let Some(text) = self.seen.get(word) {
            return *text;
        }
        let text = Text::new(word);
        self.seen.insert(text);
        text
    }
}

/// See [`ArticleIndex::canonical`]. Empty key sets are never kept, so a key
/// that lost its last file compares equal to one never added.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CanonicalIndex {
    pub articles: std::collections::BTreeMap<FilePath, Arc<IndexedArticle>>,
    pub by_id: std::collections::BTreeMap<ArticleId, Vec<FilePath>>,
    pub by_url: std::collections::BTreeMap<String, Vec<FilePath>>,
    pub linking_to_id: std::collections::BTreeMap<ArticleId, Vec<FilePath>>,
    pub linking_to_url: std::collections::BTreeMap<String, Vec<FilePath>>,
    pub by_word: std::collections::BTreeMap<String, Vec<FilePath>>,
    pub by_subject: std::collections::BTreeMap<String, Vec<FilePath>>,
    pub broken_links: std::collections::BTreeMap<String, Vec<FilePath>>,
}

#[cfg(test)]
mod tests;
