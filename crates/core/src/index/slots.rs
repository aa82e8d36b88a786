//! The index's articles by file id. Ids are dense (handed out in turn), so
//! a persistent vector holds them: a clone is O(1) like a persistent map's,
//! but a scan's or a cache's articles are put in without hashing each id,
//! and are walked in id order.

use std::sync::Arc;

use super::file::{FileId, IndexedArticle};

#[derive(Clone, Default)]
pub(super) struct Slots {
    slots: imbl::Vector<Option<Arc<IndexedArticle>>>,
    /// How many slots hold an article.
    count: usize,
}

impl Slots {
    /// Slots holding `articles`, the first at id 0 and so on.
    pub(super) fn dense(articles: Vec<Arc<IndexedArticle>>) -> Slots {
        let count = articles.len();
        Slots { slots: articles.into_iter().map(Some).collect(), count }
    }

    pub(super) fn len(&self) -> usize {
        self.count
    }

    pub(super) fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub(super) fn get(&self, file: FileId) -> Option<&Arc<IndexedArticle>> {
        self.slots.get(file.0 as usize)?.as_ref()
    }

    pub(super) fn contains_key(&self, file: FileId) -> bool {
        self.get(file).is_some()
    }

    pub(super) fn insert(
        &mut self,
        file: FileId,
        article: Arc<IndexedArticle>,
    ) -> Option<Arc<IndexedArticle>> {
        let at = file.0 as usize;
        if at >= self.slots.len() {
            self.slots.extend(std::iter::repeat_n(None, at + 1 - self.slots.len()));
        }
        let before = self.slots.set(at, Some(article));
        self.count += usize::from(before.is_none());
        before
    }

    pub(super) fn remove(&mut self, file: FileId) -> Option<Arc<IndexedArticle>> {
        let at = file.0 as usize;
        if self.slots.get(at)?.is_none() {
            return None;
        }
        let before = self.slots.set(at, None);
        self.count -= usize::from(before.is_some());
        before
    }

    /// Every article, in id order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (FileId, &Arc<IndexedArticle>)> {
        self.slots.iter().enumerate().filter_map(|(at, slot)| {
            let file = FileId(u32::try_from(at).unwrap_or(u32::MAX));
            slot.as_ref().map(|article| (file, article))
        })
    }

    pub(super) fn keys(&self) -> impl Iterator<Item = FileId> + '_ {
        self.iter().map(|(file, _)| file)
    }
}
