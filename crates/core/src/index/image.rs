//! The index as the cache stores it: its articles in path order, and its
//! maps with each file numbered by its place among them, so that a restart
//! takes the maps as they were rather than filing every article again.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::ArticleIndex;
use super::broken::BrokenLinks;
use super::file::{FileId, IndexedArticle};
use super::key_map::{KeyMap, StoredMap};
use super::slots::Slots;
use crate::article::ArticleId;
use crate::texts::TableText;

/// The maps a cache stores, in the order it stores them. The paths' map is
/// not stored: it is the articles' own order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapName {
    ById,
    ByUrl,
    BySubject,
    LinkingToId,
    LinkingToUrl,
    ByWord,
    /// Files with broken links by the words of those links: stored only
    /// when every article of the index is written (whether a link is
    /// broken depends on every other article), else rebuilt on reading.
    BrokenLinksByWord,
}

impl MapName {
    pub const ALL: [MapName; 7] = [
        MapName::ById,
        MapName::ByUrl,
        MapName::BySubject,
        MapName::LinkingToId,
        MapName::LinkingToUrl,
        MapName::ByWord,
        MapName::BrokenLinksByWord,
    ];
}

/// One stored map: keyed by ids or by texts.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StoredKeys {
    Ids(StoredMap<ArticleId>),
    Texts(StoredMap<TableText>),
    /// Not stored: rebuilt from the others.
    Rebuilt,
}

/// Which of the index's files are written, and as what number: their place
/// among the written articles, which are in path order.
pub struct FileNumbers {
    by_file: Vec<u32>,
    /// How many files are numbered.
    count: usize,
}

const NOT_WRITTEN: u32 = u32::MAX;

impl FileNumbers {
    fn of(&self, file: FileId) -> Option<u32> {
        self.by_file.get(file.0 as usize).copied().filter(|number| *number != NOT_WRITTEN)
    }
}

impl ArticleIndex {
    /// Numbers the articles at `paths` (in path order, each once) by their
    /// place in it; a path the index does not hold takes no number.
    pub fn number_files<'a>(&self, paths: impl Iterator<Item = &'a str>) -> FileNumbers {
        let mut by_file = vec![NOT_WRITTEN; self.paths.len()];
        let file_id = |path: &str| self.by_path.get(path).first().copied();
        let indexed = paths.filter_map(|path| file_id(path).filter(|file| self.articles.contains_key(*file)));
        let mut count = 0;
        for (number, file) in indexed.enumerate() {
            by_file[file.0 as usize] = u32::try_from(number).unwrap_or(NOT_WRITTEN);
            count += 1;
        }
        FileNumbers { by_file, count }
    }

    /// A map as the cache stores it: only the files `numbers` numbers.
    pub fn stored_map(&self, name: MapName, numbers: &FileNumbers) -> StoredKeys {
        let number = |file| numbers.of(file);
        match name {
            MapName::ById => StoredKeys::Ids(self.by_id.stored(number)),
            MapName::ByUrl => StoredKeys::Texts(self.by_url.stored(number)),
            MapName::BySubject => StoredKeys::Texts(self.by_subject.stored(number)),
            MapName::LinkingToId => StoredKeys::Ids(self.linking_to_id.stored(number)),
            MapName::LinkingToUrl => StoredKeys::Texts(self.linking_to_url.stored(number)),
            MapName::ByWord => StoredKeys::Texts(self.by_word.stored(number)),
            MapName::BrokenLinksByWord if numbers.count != self.len() => StoredKeys::Rebuilt,
            // A scan's end leaves the map out of date until a round after
            // it; the cache is written then, in the background, and builds
            // it here rather than leave every restart to.
            MapName::BrokenLinksByWord if self.broken.is_stale() => {
                let mut fresh = self.clone();
                fresh.rebuild_broken_links();
                StoredKeys::Texts(fresh.broken.by_word.stored(number))
            }
            MapName::BrokenLinksByWord => StoredKeys::Texts(self.broken.by_word.stored(number)),
        }
    }

    /// The index a cache stored: `articles` in path order, numbered by
    /// their place there, and `maps` in [`MapName::ALL`]'s order, made by
    /// [`ArticleIndex::stored_map`] from an index of the same articles.
    pub fn from_image(
        articles: Vec<Arc<IndexedArticle>>,
        maps: Vec<StoredKeys>,
    ) -> Result<ArticleIndex, String> {
        if !articles.windows(2).all(|pair| pair[0].path < pair[1].path) {
            return Err("corrupt: articles out of order".to_owned());
        }
        let count = u32::try_from(articles.len()).map_err(|_| "too many articles")?;
        let [by_id, by_url, by_subject, linking_to_id, linking_to_url, by_word, broken]: [StoredKeys; 7] =
            maps.try_into().map_err(|_| "corrupt: not every map is stored")?;
        let ids = |map: StoredKeys| match map {
            StoredKeys::Ids(map) => KeyMap::from_stored(map, count),
            _ => Err("corrupt: no map of ids where one is stored".to_owned()),
        };
        let texts_map = |map: StoredKeys| match map {
            StoredKeys::Texts(map) => KeyMap::from_stored(map, count),
            _ => Err("corrupt: no map of texts where one is stored".to_owned()),
        };
        let broken = match broken {
            StoredKeys::Rebuilt => None,
            map => Some(BrokenLinks::from_map(texts_map(map)?)),
        };
        // Each map hashes its keys into its table: side by side.
        let ((by_id, linking_to_id), ((by_url, by_subject), (linking_to_url, by_word))) = rayon::join(
            || (ids(by_id), ids(linking_to_id)),
            || {
                rayon::join(
                    || (texts_map(by_url), texts_map(by_subject)),
                    || (texts_map(linking_to_url), texts_map(by_word)),
                )
            },
        );
        let mut index = ArticleIndex {
            by_id: by_id?,
            by_url: by_url?,
            by_subject: by_subject?,
            linking_to_id: linking_to_id?,
            linking_to_url: linking_to_url?,
            by_word: by_word?,
            ..ArticleIndex::default()
        };
        let by_path = articles
            .iter()
            .enumerate()
            .map(|(number, entry)| (entry.path.0.clone(), FileId(u32::try_from(number).unwrap_or(u32::MAX))))
            .collect();
        if !articles.is_empty() {
            index.path_runs = Arc::new(vec![0]);
        }
        index.paths = articles.iter().map(|entry| entry.path.clone()).collect();
        index.articles = Slots::dense(articles);
        index.by_path = KeyMap::from_sorted(by_path);
        match broken {
            Some(broken) => index.broken = broken,
            None => index.broken.mark_stale(),
        }
        Ok(index)
    }
}
