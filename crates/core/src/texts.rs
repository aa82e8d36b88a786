//! One copy of each distinct text the index holds.
//!
//! A title or url is repeated by every related block that links to its
//! article, and a subject by every article of the subject: shared, 100,000
//! articles keep a fifth as many strings. Sharing is invisible to the
//! index's users (an `ArcStr` reads as the same text either way), so one
//! table serves every snapshot and may be used from every scanning thread.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicUsize, Ordering};

use arcstr::ArcStr;
use dashmap::DashMap;
use dashmap::mapref::entry::Entry;

/// Texts longer than this are not shared: they are unique (answers,
/// questions), and hashing them would be wasted.
pub(crate) const SHARED_TEXT_MAX_BYTES: usize = 256;

/// Below this many texts a sweep is not worth its walk.
const SWEEP_FLOOR: usize = 4096;

/// The table of shared texts. Cheap to share between threads; an index
/// and the cache that fills it use one, so that texts are looked up once.
#[derive(Default)]
pub struct SharedTexts {
    // Not SipHash: the keys are the workspace's own texts, and every text of
    // every article is looked up.
    texts: DashMap<ArcStr, (), hashbrown::DefaultHashBuilder>,
    /// How many texts were kept after the last sweep.
    swept_to: AtomicUsize,
}

impl SharedTexts {
    /// The table's copy of `text`, added when missing.
    pub(crate) fn shared(&self, text: &str) -> ArcStr {
        match self.texts.get(text) {
            Some(shared) => shared.key().clone(),
            None => self.insert_or_get(ArcStr::from(text)),
        }
    }

    /// Replaces `text` by the table's copy of it, when it is short and
    /// nothing else holds it.
    pub(crate) fn share_text(&self, text: &mut ArcStr) {
        // A text with another holder was taken from this table already (by
        // a scan's parser or the cache's decoder) or is also an open
        // document's: looking it up again would hash every text of a scan
        // twice, for nothing.
        if text.is_empty()
            || text.len() > SHARED_TEXT_MAX_BYTES
            || ArcStr::strong_count(text).is_none_or(|count| count > 1)
        {
            return;
        }
        // Not `entry` first: most texts are already present, and a read lock
        // lets the threads look up side by side.
        if let Some(shared) = self.texts.get(text) {
            *text = shared.key().clone();
            return;
        }
        *text = self.insert_or_get(text.clone());
    }

    /// `text` added to the table, or the copy another thread added first.
    fn insert_or_get(&self, text: ArcStr) -> ArcStr {
        match self.texts.entry(text.clone()) {
            Entry::Occupied(shared) => shared.key().clone(),
            Entry::Vacant(slot) => {
                slot.insert(());
                text
            }
        }
    }

    /// Forgets texts nobody holds any more, once the table has doubled since
    /// the last sweep: edits keep adding texts (every keystroke in a title is
    /// a new one), and this keeps the table within twice what is in use.
    pub(crate) fn sweep_if_grown(&self) {
        let kept = self.swept_to.load(Ordering::Relaxed);
        if self.texts.len() < SWEEP_FLOOR.max(kept.saturating_mul(2)) {
            return;
        }
        // A text held only by the table cannot gain a holder while its shard
        // is locked for `retain`, so none is dropped while being shared.
        self.texts.retain(|text, _| ArcStr::strong_count(text).is_none_or(|count| count > 1));
        self.swept_to.store(self.texts.len(), Ordering::Relaxed);
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.texts.len()
    }
}

/// Texts written as numbers into a table of distinct texts, while a
/// [`TextTable`] is being filled (writing) or read from (reading) on this
/// thread; as plain strings otherwise. The model's texts are serialized
/// through this (`#[serde(with = "crate::texts::in_table")]`), so that a
/// cache holds each title or url once, however many links repeat it, and
/// reads it back as one shared copy without hashing it again.
pub mod in_table {
    use std::cell::RefCell;

    use arcstr::ArcStr;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::TextTable;

    thread_local! {
        static ACTIVE: RefCell<Option<TextTable>> = const { RefCell::new(None) };
    }

    /// Runs `work` with `table` active on this thread, and gives it back
    /// with whatever texts writing added.
    pub fn with<R>(table: TextTable, work: impl FnOnce() -> R) -> (R, TextTable) {
        let previous = ACTIVE.with(|active| active.replace(Some(table)));
        let result = work();
        let table = ACTIVE.with(|active| active.replace(previous)).unwrap_or_default();
        (result, table)
    }

    pub fn serialize<S: Serializer>(text: &ArcStr, serializer: S) -> Result<S::Ok, S::Error> {
        let number = ACTIVE.with(|active| active.borrow_mut().as_mut().map(|table| table.number_of(text)));
        match number {
            Some(number) => number.serialize(serializer),
            None => text.as_str().serialize(serializer),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<ArcStr, D::Error> {
        let reading = ACTIVE.with(|active| active.borrow().is_some());
        if !reading {
            return String::deserialize(deserializer).map(ArcStr::from);
        }
        let number = u32::deserialize(deserializer)?;
        let text = ACTIVE.with(|active| active.borrow().as_ref().and_then(|table| table.text(number)));
        text.ok_or_else(|| D::Error::custom(format!("text {number} is not in the table")))
    }

    /// The same for an optional text.
    pub mod option {
        use arcstr::ArcStr;
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        #[derive(Serialize)]
        struct Written<'a>(#[serde(serialize_with = "written")] &'a ArcStr);

        #[derive(Deserialize)]
        struct Read(#[serde(with = "super")] ArcStr);

        fn written<S: Serializer>(text: &&ArcStr, serializer: S) -> Result<S::Ok, S::Error> {
            super::serialize(text, serializer)
        }

        pub fn serialize<S: Serializer>(text: &Option<ArcStr>, serializer: S) -> Result<S::Ok, S::Error> {
            text.as_ref().map(Written).serialize(serializer)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<ArcStr>, D::Error> {
            Ok(Option::<Read>::deserialize(deserializer)?.map(|read| read.0))
        }
    }
}

/// A text written through the active [`TextTable`] wherever it is
/// serialized (a key of a stored map, say), as a field would be with
/// `#[serde(with = "crate::texts::in_table")]`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableText(#[serde(with = "in_table")] pub ArcStr);

impl From<ArcStr> for TableText {
    fn from(text: ArcStr) -> Self {
        TableText(text)
    }
}

impl From<TableText> for ArcStr {
    fn from(text: TableText) -> Self {
        text.0
    }
}

/// The distinct texts of what is being written or read, numbered in the
/// order they were first met.
#[derive(Clone, Default)]
pub struct TextTable {
    texts: std::sync::Arc<Vec<ArcStr>>,
    /// The number of each text, found by the text's hash: four bytes a
    /// text, where a map keyed by the texts themselves would take sixteen
    /// (writing a cache numbers every distinct text of the workspace).
    numbers: hashbrown::HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
}

impl TextTable {
    /// A table to read with: the texts as they were written, in order.
    pub fn for_reading(texts: Vec<ArcStr>) -> TextTable {
        TextTable { texts: std::sync::Arc::new(texts), ..TextTable::default() }
    }

    /// The texts numbered so far, in number order.
    pub fn texts(&self) -> &[ArcStr] {
        &self.texts
    }

    fn number_of(&mut self, text: &ArcStr) -> u32 {
        let TextTable { texts, numbers, hasher } = self;
        let text_of = |number: &u32| texts.get(*number as usize).map_or("", |text| text.as_str());
        let hash = hasher.hash_one(text.as_str());
        if let Some(number) = numbers.find(hash, |number| text_of(number) == text.as_str()) {
            return *number;
        }
        // Past u32::MAX texts every later one shares the last number: a cache
        // that large is refused on reading (its texts do not match).
        let number = u32::try_from(texts.len()).unwrap_or(u32::MAX);
        numbers.insert_unique(hash, number, |number| hasher.hash_one(text_of(number)));
        std::sync::Arc::make_mut(texts).push(text.clone());
        number
    }

    fn text(&self, number: u32) -> Option<ArcStr> {
        self.texts.get(usize::try_from(number).ok()?).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::{Article, parse_article, parse_article_shared};
    use crate::summary::ArticleSummary;

    fn titles(article: &Article) -> Vec<ArcStr> {
        article
            .related
            .iter()
            .filter_map(|link| link.title.as_ref()?.value.as_scalar().map(|scalar| scalar.text.clone()))
            .collect()
    }

    /// The summary of `source`, holding the only copies of its texts.
    fn summary(source: &str) -> ArticleSummary {
        ArticleSummary::of(&parse_article(source).expect("article"))
    }

    /// The first link's title: the last of the summary's texts to say `Same`.
    fn link_title(summary: &mut ArticleSummary) -> ArcStr {
        summary.texts_mut().filter(|text| **text == *"Same").last().cloned().expect("a titled link")
    }

    #[test]
    fn equal_texts_are_one_allocation() {
        let texts = SharedTexts::default();
        let source = "---\nid: 1\ntitle: Same\nrelated_article1:\n  id: 2\n  title: Same\n---\n";
        let mut first = summary(source);
        let mut second = summary(source);
        first.share_texts(&texts);
        second.share_texts(&texts);
        let own = first.title.clone().expect("title");
        assert!(ArcStr::ptr_eq(&own, &link_title(&mut first)));
        assert!(ArcStr::ptr_eq(&own, second.title.as_ref().expect("title")));
        assert!(ArcStr::ptr_eq(&own, &link_title(&mut second)));
        assert_eq!(texts.len(), 2, "`2` (the link's id as written) and `Same`");
    }

    #[test]
    fn the_parser_takes_the_texts_the_index_keeps_from_the_table() {
        let texts = SharedTexts::default();
        let answer = "long ".repeat(100);
        let linked = format!(
            "---\nid: 2\ntitle: Same\nfile_name: same.md\nseo:\n  title: Own\nanswer: {answer}\n---\n"
        );
        let target = parse_article_shared(&linked, &texts).expect("article");
        let linking =
            parse_article_shared("---\nid: 1\nrelated_article1:\n  id: 2\n  title: Same\n---\n", &texts)
                .expect("article");
        let title = target.title.as_ref().and_then(|title| title.value.as_scalar()).expect("title");
        assert!(ArcStr::ptr_eq(&title.text, &titles(&linking)[0]));
        let mut shared: Vec<String> = texts.texts.iter().map(|text| text.key().to_string()).collect();
        shared.sort();
        assert_eq!(
            shared,
            ["2", "Same"],
            "a link's fields and the article's title; not its id (kept as a number), its own fields or the answer"
        );
    }

    #[test]
    fn long_texts_and_texts_held_elsewhere_are_left_as_they_are() {
        let texts = SharedTexts::default();
        let long_title = "word ".repeat(SHARED_TEXT_MAX_BYTES / 4);
        let source = format!("---\nid: 1\ntitle: {long_title}\nsubject: S\n---\n");
        let mut first = summary(&source);
        let mut second = first.clone();
        first.share_texts(&texts);
        second.share_texts(&texts);
        assert_eq!(texts.len(), 0, "every text of `second` is held by `first` too, and the title is long");
        let mut third = summary(&source);
        third.share_texts(&texts);
        assert_eq!(texts.len(), 1, "the subject; the long title stays its own");
    }

    #[test]
    fn a_sweep_forgets_only_texts_nobody_holds() {
        let texts = SharedTexts::default();
        let mut kept = summary("---\nid: 1\ntitle: Kept\n---\n");
        kept.share_texts(&texts);
        for n in 0..SWEEP_FLOOR {
            let mut dropped = summary(&format!("---\nid: {n}\ntitle: Dropped {n}\n---\n"));
            dropped.share_texts(&texts);
        }
        texts.sweep_if_grown();
        assert_eq!(texts.len(), 1, "`Kept`");
        let mut again = summary("---\nid: 1\ntitle: Kept\n---\n");
        again.share_texts(&texts);
        assert!(ArcStr::ptr_eq(kept.title.as_ref().expect("title"), again.title.as_ref().expect("title")));
    }
}
