//! Merges of the index's maps built away from the index: a map's changes
//! are folded into its run once they are many (see `key_map`), which costs
//! the size of the run. The server's analysis takes a snapshot of the maps
//! due ([`ArticleIndex::map_merges`], O(1)), builds the runs on another
//! thread, and installs them with whatever changed meanwhile, so that no
//! edit waits for a merge.

use arcstr::ArcStr;

use crate::texts::Text;

use super::ArticleIndex;
use super::key_map::{MergeJob, MergedRun};
use crate::article::ArticleId;

/// Every map of the index, by its key type, written once for the three
/// structs below.
macro_rules! index_maps {
    ($name:ident, $item:ident, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub struct $name {
            by_path: Option<$item<ArcStr>>,
            by_id: Option<$item<ArticleId>>,
            by_url: Option<$item<Text>>,
            by_subject: Option<$item<Text>>,
            linking_to_id: Option<$item<ArticleId>>,
            linking_to_url: Option<$item<Text>>,
            by_word: Option<$item<Text>>,
            broken_by_word: Option<$item<Text>>,
        }
    };
}

index_maps!(MapMerges, MergeJob, #[doc = "The merges due when the snapshot was taken; [`MapMerges::build`] them anywhere."]);
index_maps!(MergedMaps, MergedRun, #[doc = "Runs built by [`MapMerges::build`], for [`ArticleIndex::install_merged_maps`]."]);

impl MapMerges {
    fn any_due(&self) -> bool {
        self.by_path.is_some()
            || self.by_id.is_some()
            || self.by_url.is_some()
            || self.by_subject.is_some()
            || self.linking_to_id.is_some()
            || self.linking_to_url.is_some()
            || self.by_word.is_some()
            || self.broken_by_word.is_some()
    }

    /// Builds every run (the costly part: no index is touched).
    pub fn build(self) -> MergedMaps {
        MergedMaps {
            by_path: self.by_path.map(MergeJob::build),
            by_id: self.by_id.map(MergeJob::build),
            by_url: self.by_url.map(MergeJob::build),
            by_subject: self.by_subject.map(MergeJob::build),
            linking_to_id: self.linking_to_id.map(MergeJob::build),
            linking_to_url: self.linking_to_url.map(MergeJob::build),
            by_word: self.by_word.map(MergeJob::build),
            broken_by_word: self.broken_by_word.map(MergeJob::build),
        }
    }
}

impl ArticleIndex {
    /// The merges due, if any: a snapshot of the maps whose changes are
    /// many enough.
    pub fn map_merges(&self) -> Option<MapMerges> {
        let merges = MapMerges {
            by_path: self.by_path.merge_job(),
            by_id: self.by_id.merge_job(),
            by_url: self.by_url.merge_job(),
            by_subject: self.by_subject.merge_job(),
            linking_to_id: self.linking_to_id.merge_job(),
            linking_to_url: self.linking_to_url.merge_job(),
            by_word: self.by_word.merge_job(),
            broken_by_word: self.broken.by_word.merge_job(),
        };
        merges.any_due().then_some(merges)
    }

    /// A merge of every map, due or not: tests make small indexes take the
    /// path a large one takes.
    #[cfg(test)]
    pub(super) fn every_map_merge(&self) -> MapMerges {
        MapMerges {
            by_path: self.by_path.merge_job_if(true),
            by_id: self.by_id.merge_job_if(true),
            by_url: self.by_url.merge_job_if(true),
            by_subject: self.by_subject.merge_job_if(true),
            linking_to_id: self.linking_to_id.merge_job_if(true),
            linking_to_url: self.linking_to_url.merge_job_if(true),
            by_word: self.by_word.merge_job_if(true),
            broken_by_word: self.broken.by_word.merge_job_if(true),
        }
    }

    /// Takes runs built from an earlier snapshot of this index, keeping
    /// every change made since; a map rebuilt meanwhile keeps its own.
    /// What the index answers is the same before and after.
    pub fn install_merged_maps(&mut self, merged: MergedMaps) {
        fn install<K: super::key_map::MapKey>(
            map: &mut super::key_map::KeyMap<K>,
            run: Option<MergedRun<K>>,
        ) {
            if let Some(run) = run {
                map.install(run);
            }
        }
        install(&mut self.by_path, merged.by_path);
        install(&mut self.by_id, merged.by_id);
        install(&mut self.by_url, merged.by_url);
        install(&mut self.by_subject, merged.by_subject);
        install(&mut self.linking_to_id, merged.linking_to_id);
        install(&mut self.linking_to_url, merged.linking_to_url);
        install(&mut self.by_word, merged.by_word);
        install(&mut self.broken.by_word, merged.broken_by_word);
    }
}
