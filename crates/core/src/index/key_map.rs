//! A map from keys (ids, urls, words) to the sorted files filed under them.
//!
//! Two layers: a sorted run shared by every snapshot, built by sorting (fast
//! for a scan of 100,000 files, and compact: three flat arrays), and a
//! persistent map of the keys changed since, which makes a snapshot O(1) and
//! an edit O(log n). Once the changes grow to a fraction of the run, both are
//! merged into a new run, so every key costs O(1) merges amortized.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::hash::{BuildHasher, Hash};
use std::iter::Peekable;
use std::ops::{Bound, RangeBounds};
use std::sync::Arc;

use arcstr::ArcStr;
use hashbrown::{DefaultHashBuilder, HashTable};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::file::FileId;
use crate::texts::Text;

/// Changed keys are merged into the run once they outnumber this many, or a
/// quarter of the run, whichever is more: on another thread where the index
/// has an owner that builds merges there ([`KeyMap::merge_job`]), else in
/// place once they outnumber that many times this.
const MIN_CHANGES_BEFORE_MERGE: usize = 4096;
/// How far changes may outgrow the merge threshold before an edit merges
/// them in place (a merge costs the size of the run: at 100,000 articles,
/// tens of milliseconds an edit should not wait for).
const IN_PLACE_FACTOR: usize = 4;

/// What a map can be keyed by.
pub(super) trait MapKey: Ord + Hash + Clone + Send + Sync {
    /// The same order as `Ord`, faster where it can be: a batch's keys are
    /// sorted, and most of their comparisons are of equal keys.
    fn order(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }

    /// Sorts a batch's pairs by key, then file, without repeats.
    fn sort_pairs(pairs: &mut Vec<(Self, FileId)>) {
        pairs.par_sort_unstable_by(|(key, file), (other, other_file)| {
            key.order(other).then(file.cmp(other_file))
        });
        pairs.dedup();
    }
}

impl MapKey for u64 {}

/// Texts are compared by number first (`Text`'s own order does).
impl MapKey for Text {
    /// By number first, which groups equal texts without reading them;
    /// then the groups by their characters, each text read once: a scan's
    /// batch files millions of pairs of a few hundred thousand texts, and
    /// reading a text is a visit to its place in the table.
    fn sort_pairs(pairs: &mut Vec<(Text, FileId)>) {
        pairs.par_sort_unstable_by_key(|(text, file)| (text.number(), *file));
        pairs.dedup();
        let mut groups: Vec<(&'static str, usize, usize)> = Vec::new();
        for (at, (text, _)) in pairs.iter().enumerate() {
            match groups.last_mut() {
                Some((_, _, end)) if pairs[*end - 1].0 == *text => *end = at + 1,
                _ => groups.push((text.as_str(), at, at + 1)),
            }
        }
        groups.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
        *pairs = groups.iter().flat_map(|(_, start, end)| pairs[*start..*end].iter().copied()).collect();
    }
}

/// Paths.
impl MapKey for ArcStr {
    fn order(&self, other: &Self) -> Ordering {
        if ArcStr::ptr_eq(self, other) { Ordering::Equal } else { self.cmp(other) }
    }
}

#[derive(Clone)]
pub(super) struct KeyMap<K: Ord + Hash + Clone> {
    run: Arc<Run<K>>,
    /// The current files of every key changed since the run was built; an
    /// empty list stands for a key the run has and that lost all its files.
    changed: imbl::OrdMap<K, Vec<FileId>>,
}

/// Keys in order; the files of `keys[i]` are `files[starts[i]..starts[i + 1]]`.
/// A hash table of positions finds a key without comparing long urls that
/// share their first dozens of bytes, as a binary search would.
struct Run<K> {
    keys: Vec<K>,
    starts: Vec<u32>,
    files: Vec<FileId>,
    positions: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl<K> Default for Run<K> {
    fn default() -> Self {
        Run {
            keys: Vec::new(),
            starts: vec![0],
            files: Vec::new(),
            positions: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
        }
    }
}

impl<K: Ord + Hash> Run<K> {
    fn files_at(&self, at: usize) -> &[FileId] {
        &self.files[self.starts[at] as usize..self.starts[at + 1] as usize]
    }

    fn find<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
    {
        let hash = self.hasher.hash_one(key);
        self.positions.find(hash, |at| self.keys[*at as usize].borrow() == key).map(|at| *at as usize)
    }

    fn push(&mut self, key: K, files: impl IntoIterator<Item = FileId>) {
        let before = self.files.len();
        self.files.extend(files);
        if self.files.len() == before {
            return;
        }
        let at = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        let (keys, hasher) = (&self.keys, &self.hasher);
        self.positions.insert_unique(hasher.hash_one(&key), at, |at| hasher.hash_one(&keys[*at as usize]));
        self.keys.push(key);
        self.starts.push(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
    }
}

impl<K: MapKey> Default for KeyMap<K> {
    fn default() -> Self {
        KeyMap { run: Arc::default(), changed: imbl::OrdMap::new() }
    }
}

impl<K: MapKey> KeyMap<K> {
    pub(super) fn get<Q: Ord + Hash + ?Sized>(&self, key: &Q) -> &[FileId]
    where
        K: Borrow<Q>,
    {
        if let Some(files) = self.changed.get(key) {
            return files;
        }
        self.run.find(key).map_or(&[], |at| self.run.files_at(at))
    }

    /// Keys within `range`, in order, with their (never empty) files.
    pub(super) fn range<'a, Q, R>(&'a self, range: R) -> impl Iterator<Item = (&'a K, &'a [FileId])> + 'a
    where
        K: Borrow<Q> + 'a,
        Q: Ord + ?Sized + 'a,
        R: RangeBounds<Q> + Clone + 'a,
    {
        let run = &*self.run;
        let first = match range.start_bound() {
            Bound::Included(start) => run.keys.partition_point(|key| key.borrow() < start),
            Bound::Excluded(start) => run.keys.partition_point(|key| key.borrow() <= start),
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(end) => run.keys.partition_point(|key| key.borrow() <= end),
            Bound::Excluded(end) => run.keys.partition_point(|key| key.borrow() < end),
            Bound::Unbounded => run.keys.len(),
        };
        let from_run = (first..end.max(first)).map(move |at| (&run.keys[at], run.files_at(at)));
        let from_changes = self.changed.range(range).map(|(key, files)| (key, files.as_slice()));
        Merged { run: from_run.peekable(), changes: from_changes.peekable() }
            .filter(|(_, files)| !files.is_empty())
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&K, &[FileId])> {
        self.range::<K, _>(..)
    }

    /// Files `key` to `file`.
    pub(super) fn add(&mut self, key: K, file: FileId) {
        let files = self.changed_files(key);
        if let Err(at) = files.binary_search(&file) {
            files.insert(at, file);
        }
    }

    /// Unfiles `file` from `key`.
    pub(super) fn remove<Q: Ord + Hash + ?Sized>(&mut self, key: &Q, file: FileId)
    where
        K: Borrow<Q>,
    {
        let in_run = self.run.find(key);
        let owned = match (self.changed.get_key_value(key), in_run) {
            (Some((owned, _)), _) => owned.clone(),
            (None, Some(at)) => self.run.keys[at].clone(),
            (None, None) => return,
        };
        let files = self.changed_files(owned);
        if let Ok(at) = files.binary_search(&file) {
            files.remove(at);
        }
        // A key only the changes know needs no tombstone once it is empty.
        if files.is_empty() && in_run.is_none() {
            self.changed.remove(key);
        }
    }

    fn changed_files(&mut self, key: K) -> &mut Vec<FileId> {
        // The run's files are copied only the first time a key changes.
        let current = if self.changed.contains_key(&key) {
            Vec::new()
        } else {
            self.run.find(&key).map_or_else(Vec::new, |at| self.run.files_at(at).to_vec())
        };
        self.changed.entry(key).or_insert(current)
    }

    /// Files many `(key, file)` pairs at once. A batch large next to the map
    /// is sorted and merged in one pass; a small one is filed key by key.
    pub(super) fn extend(&mut self, mut pairs: Vec<(K, FileId)>) {
        if pairs.len() * 8 < self.run.keys.len() + self.changed.len() {
            for (key, file) in pairs {
                self.add(key, file);
            }
            self.settle();
            return;
        }
        K::sort_pairs(&mut pairs);
        self.merge(pairs);
    }

    fn merge_threshold(&self) -> usize {
        MIN_CHANGES_BEFORE_MERGE.max(self.run.keys.len() / 4)
    }

    /// Merges the changes into the run once they are far too many to wait
    /// for a merge built elsewhere.
    pub(super) fn settle(&mut self) {
        if self.changed.len() > IN_PLACE_FACTOR * self.merge_threshold() {
            self.merge(Vec::new());
        }
    }

    /// A merge of the changes into the run, to build away from the map (a
    /// snapshot: O(1)), once the changes are many.
    pub(super) fn merge_job(&self) -> Option<MergeJob<K>> {
        self.merge_job_if(self.changed.len() > self.merge_threshold())
    }

    /// [`KeyMap::merge_job`] when `due`, whatever the size of the changes.
    pub(super) fn merge_job_if(&self, due: bool) -> Option<MergeJob<K>> {
        due.then(|| MergeJob { base: self.run.clone(), changed: self.changed.clone() })
    }

    /// Takes a merge built from an earlier state of this map: the run it
    /// built, with the changes made since. `false` (nothing done) when the
    /// run was rebuilt meanwhile.
    pub(super) fn install(&mut self, merged: MergedRun<K>) -> bool {
        if !Arc::ptr_eq(&self.run, &merged.base) {
            return false;
        }
        let mut changed = imbl::OrdMap::new();
        for (key, files) in &self.changed {
            if merged.changed.get(key) != Some(files) {
                changed.insert(key.clone(), files.clone());
            }
        }
        // A key only the changes knew, emptied since: the new run has it.
        for (key, files) in &merged.changed {
            if !files.is_empty() && !self.changed.contains_key(key) {
                changed.insert(key.clone(), Vec::new());
            }
        }
        self.run = merged.run;
        self.changed = changed;
        true
    }

    /// Rebuilds the run from the current map plus `sorted` new pairs.
    fn merge(&mut self, sorted: Vec<(K, FileId)>) {
        let mut run = Run::default();
        run.keys.reserve(self.run.keys.len() + self.changed.len());
        run.files.reserve(self.run.files.len() + sorted.len());
        let mut new = sorted.into_iter().peekable();
        let mut current = self.iter().peekable();
        loop {
            let order = match (current.peek(), new.peek()) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some((key, _)), Some((new_key, _))) => key.order(new_key),
            };
            match order {
                Ordering::Less => {
                    if let Some((key, files)) = current.next() {
                        run.push(key.clone(), files.iter().copied());
                    }
                }
                Ordering::Equal | Ordering::Greater => {
                    let Some((key, file)) = new.next() else { break };
                    let mut files = Vec::new();
                    if order == Ordering::Equal
                        && let Some((_, existing)) = current.next()
                    {
                        files.extend_from_slice(existing);
                    }
                    files.push(file);
                    while let Some((_, file)) = new.next_if(|(next, _)| *next == key) {
                        files.push(file);
                    }
                    files.sort_unstable();
                    files.dedup();
                    run.push(key, files);
                }
            }
        }
        drop(current);
        self.run = Arc::new(run);
        self.changed = imbl::OrdMap::new();
    }
}

/// A map as the cache stores it: its keys in order, and the files of
/// `keys[i]` as `files[starts[i]..starts[i + 1]]`, each file by the number
/// the writer gave it (its place among the articles written).
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredMap<K> {
    keys: Vec<K>,
    starts: Vec<u32>,
    files: Vec<u32>,
}

impl<K: MapKey> KeyMap<K> {
    /// The map as stored, keeping the files `number` numbers (in their
    /// numbers' order) and the keys left with any.
    pub(super) fn stored<S: From<K>>(&self, number: impl Fn(FileId) -> Option<u32>) -> StoredMap<S> {
        let mut stored = StoredMap { keys: Vec::new(), starts: vec![0], files: Vec::new() };
        for (key, files) in self.iter() {
            let before = stored.files.len();
            stored.files.extend(files.iter().filter_map(|file| number(*file)));
            if stored.files.len() == before {
                continue;
            }
            stored.files[before..].sort_unstable();
            stored.keys.push(S::from(key.clone()));
            stored.starts.push(u32::try_from(stored.files.len()).unwrap_or(u32::MAX));
        }
        stored
    }

    /// The map a cache stored, its files numbered as `FileId`s below
    /// `files`. Anything a writer cannot have written (keys out of order,
    /// a key without files, a file out of range) is refused: the cache is
    /// then read no further.
    pub(super) fn from_stored<S: Into<K>>(stored: StoredMap<S>, files: u32) -> Result<KeyMap<K>, String> {
        let StoredMap { keys, starts, files: numbers } = stored;
        let keys: Vec<K> = keys.into_iter().map(Into::into).collect();
        let well_formed = starts.len() == keys.len() + 1
            && starts.first() == Some(&0)
            && starts.last().is_some_and(|last| *last as usize == numbers.len())
            && starts.windows(2).all(|pair| pair[0] < pair[1])
            && keys.windows(2).all(|pair| pair[0] < pair[1])
            && starts.windows(2).all(|pair| {
                let list = &numbers[pair[0] as usize..pair[1] as usize];
                list.windows(2).all(|two| two[0] < two[1]) && list.last().is_some_and(|last| *last < files)
            });
        if !well_formed {
            return Err("corrupt: a stored map out of order".to_owned());
        }
        let files = numbers.into_iter().map(FileId).collect();
        Ok(KeyMap::from_run(Run { keys, starts, files, ..Run::default() }))
    }

    /// The map of `pairs`, whose keys are in order, each once.
    pub(super) fn from_sorted(pairs: Vec<(K, FileId)>) -> KeyMap<K> {
        debug_assert!(pairs.windows(2).all(|pair| pair[0].0 < pair[1].0));
        let mut run = Run {
            keys: Vec::with_capacity(pairs.len()),
            files: Vec::with_capacity(pairs.len()),
            ..Run::default()
        };
        run.starts.reserve(pairs.len());
        for (key, file) in pairs {
            run.keys.push(key);
            run.files.push(file);
            run.starts.push(u32::try_from(run.files.len()).unwrap_or(u32::MAX));
        }
        KeyMap::from_run(run)
    }

    /// A map of `run` alone, its positions filled in.
    fn from_run(mut run: Run<K>) -> KeyMap<K> {
        let (keys, hasher) = (&run.keys, &run.hasher);
        let mut positions = HashTable::with_capacity(keys.len());
        for (at, key) in keys.iter().enumerate() {
            let at = u32::try_from(at).unwrap_or(u32::MAX);
            positions.insert_unique(hasher.hash_one(key), at, |at| hasher.hash_one(&keys[*at as usize]));
        }
        run.positions = positions;
        KeyMap { run: Arc::new(run), changed: imbl::OrdMap::new() }
    }
}

/// A snapshot of a map whose changes are due to be merged into its run.
pub(super) struct MergeJob<K: Ord + Hash + Clone> {
    base: Arc<Run<K>>,
    changed: imbl::OrdMap<K, Vec<FileId>>,
}

/// A run built by a [`MergeJob`], for [`KeyMap::install`].
pub(super) struct MergedRun<K: Ord + Hash + Clone> {
    base: Arc<Run<K>>,
    changed: imbl::OrdMap<K, Vec<FileId>>,
    run: Arc<Run<K>>,
}

impl<K: MapKey> MergeJob<K> {
    pub(super) fn build(self) -> MergedRun<K> {
        let mut map = KeyMap { run: self.base.clone(), changed: self.changed.clone() };
        map.merge(Vec::new());
        MergedRun { base: self.base, changed: self.changed, run: map.run }
    }
}

/// Merges the run's and the changes' entries in key order; where both have a
/// key, the changes' files are the current ones.
struct Merged<'a, K, A, B>
where
    A: Iterator<Item = (&'a K, &'a [FileId])>,
    B: Iterator<Item = (&'a K, &'a [FileId])>,
    K: 'a,
{
    run: Peekable<A>,
    changes: Peekable<B>,
}

impl<'a, K: Ord + 'a, A, B> Iterator for Merged<'a, K, A, B>
where
    A: Iterator<Item = (&'a K, &'a [FileId])>,
    B: Iterator<Item = (&'a K, &'a [FileId])>,
{
    type Item = (&'a K, &'a [FileId]);

    fn next(&mut self) -> Option<Self::Item> {
        let order = match (self.run.peek(), self.changes.peek()) {
            (Some((run_key, _)), Some((changed_key, _))) => run_key.cmp(changed_key),
            (Some(_), None) => Ordering::Less,
            (None, _) => Ordering::Greater,
        };
        match order {
            Ordering::Less => self.run.next(),
            Ordering::Equal => {
                self.run.next();
                self.changes.next()
            }
            Ordering::Greater => self.changes.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::ops::Bound;

    use arcstr::ArcStr;
    use proptest::prelude::*;

    use super::{FileId, KeyMap, MapKey};
    use crate::texts::Text;

    /// Texts are grouped by number, then ordered by their characters: the
    /// same order as sorting by the texts themselves.
    #[test]
    fn pairs_of_texts_sort_as_their_characters_then_files() {
        let text = Text::new;
        let mut pairs = vec![
            (text("pear"), FileId(2)),
            (text("apple"), FileId(9)),
            (text("pear"), FileId(1)),
            (text("Zebra"), FileId(4)),
            (text("apple"), FileId(3)),
            (text("pear"), FileId(2)),
            (text("apple pie"), FileId(0)),
        ];
        Text::sort_pairs(&mut pairs);
        let sorted: Vec<(&str, u32)> = pairs.iter().map(|(text, file)| (text.as_str(), file.0)).collect();
        assert_eq!(
            sorted,
            [("Zebra", 4), ("apple", 3), ("apple", 9), ("apple pie", 0), ("pear", 1), ("pear", 2)]
        );
    }

    #[derive(Clone, Debug)]
    enum Op {
        Add(u8, u32),
        Remove(u8, u32),
        Extend(Vec<(u8, u32)>),
        /// Starts a merge from the map as it is; installs it at the next one.
        MergeElsewhere,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u8..24, 0u32..6).prop_map(|(key, file)| Op::Add(key, file)),
            2 => (0u8..24, 0u32..6).prop_map(|(key, file)| Op::Remove(key, file)),
            1 => proptest::collection::vec((0u8..24, 0u32..6), 0..64).prop_map(Op::Extend),
            1 => Just(Op::MergeElsewhere),
        ]
    }

    /// Keys as the index has them: texts, some shared with earlier ones and
    /// some equal copies (`order` must agree with `Ord` for both).
    fn key(pool: &[ArcStr], key: u8, file: u32) -> ArcStr {
        let shared = &pool[usize::from(key)];
        if file.is_multiple_of(2) { shared.clone() } else { ArcStr::from(&**shared) }
    }

    #[test]
    fn a_merge_built_elsewhere_keeps_the_changes_made_meanwhile() {
        let key = |k: &str| ArcStr::from(k);
        let mut map: KeyMap<ArcStr> = KeyMap::default();
        map.extend((0..20).map(|n| (key(&format!("{n:02}")), FileId(n))).collect());
        map.add(key("05"), FileId(50));
        map.add(key("new"), FileId(1));
        map.add(key("gone"), FileId(2));
        map.remove("07", FileId(7));
        let job = super::MergeJob { base: map.run.clone(), changed: map.changed.clone() };
        let merged = job.build();
        // Meanwhile: a key of the run changed again, the changes-only key
        // emptied, another added.
        map.add(key("05"), FileId(51));
        map.remove("gone", FileId(2));
        map.add(key("later"), FileId(3));
        let before: Vec<(ArcStr, Vec<FileId>)> = map.iter().map(|(k, f)| (k.clone(), f.to_vec())).collect();
        assert!(map.install(merged));
        let after: Vec<(ArcStr, Vec<FileId>)> = map.iter().map(|(k, f)| (k.clone(), f.to_vec())).collect();
        assert_eq!(after, before);
        assert_eq!(map.get("05"), [FileId(5), FileId(50), FileId(51)]);
        assert!(map.get("gone").is_empty() && map.get("07").is_empty());
        assert!(map.changed.len() < 4, "what the merge took in left the changes");
        let stale = super::MergeJob { base: map.run.clone(), changed: map.changed.clone() }.build();
        map.merge(Vec::new());
        assert!(!map.install(stale), "a run rebuilt meanwhile refuses an older merge");
    }

    #[test]
    fn a_stored_map_loads_back_and_a_malformed_one_is_refused() {
        let key = |k: &str| ArcStr::from(k);
        let mut map: KeyMap<ArcStr> = KeyMap::default();
        map.extend(vec![
            (key("b"), FileId(4)),
            (key("a"), FileId(1)),
            (key("a"), FileId(3)),
            (key("c"), FileId(2)),
        ]);
        // File 2 is not written: its key goes with it; the rest are renumbered.
        let number = |file: FileId| match file.0 {
            1 => Some(0),
            3 => Some(1),
            4 => Some(2),
            _ => None,
        };
        let stored: super::StoredMap<ArcStr> = map.stored(number);
        let loaded = KeyMap::<ArcStr>::from_stored(stored, 3).expect("well formed");
        let listed: Vec<(ArcStr, Vec<FileId>)> =
            loaded.iter().map(|(k, f)| (k.clone(), f.to_vec())).collect();
        assert_eq!(listed, [(key("a"), vec![FileId(0), FileId(1)]), (key("b"), vec![FileId(2)])]);
        assert_eq!(loaded.get("b"), [FileId(2)]);
        let malformed = |keys: &[&str], starts: Vec<u32>, files: Vec<u32>, count| {
            let stored = super::StoredMap { keys: keys.iter().map(|k| key(k)).collect(), starts, files };
            KeyMap::<ArcStr>::from_stored(stored, count).is_err()
        };
        assert!(malformed(&["b", "a"], vec![0, 1, 2], vec![0, 1], 2), "keys out of order");
        assert!(malformed(&["a", "b"], vec![0, 1, 1], vec![0], 2), "a key without files");
        assert!(malformed(&["a"], vec![0, 2], vec![1, 0], 2), "files out of order");
        assert!(malformed(&["a"], vec![0, 1], vec![2], 2), "a file out of range");
        assert!(malformed(&["a"], vec![0, 3], vec![0, 1], 2), "starts past the files");
        assert!(!malformed(&["a"], vec![0, 2], vec![0, 1], 2));
    }

    proptest! {
        /// Whatever the mix of single edits, bulk batches and merges, the map
        /// says what a plain ordered map of sets says.
        #[test]
        fn behaves_like_an_ordered_map_of_sets(ops in proptest::collection::vec(op(), 1..80)) {
            let pool: Vec<ArcStr> = (0u8..24).map(|key| ArcStr::from(format!("{key:02}"))).collect();
            let mut map: KeyMap<ArcStr> = KeyMap::default();
            let mut model: BTreeMap<ArcStr, Vec<FileId>> = BTreeMap::new();
            let mut building = None;
            for op in ops {
                match op {
                    Op::MergeElsewhere => {
                        if let Some(merged) = building.take().map(super::MergeJob::build) {
                            map.install(merged);
                        }
                        // Whatever the threshold: the map is small here.
                        building = Some(super::MergeJob { base: map.run.clone(), changed: map.changed.clone() });
                    }
                    Op::Add(k, file) => {
                        map.add(key(&pool, k, file), FileId(file));
                        let files = model.entry(pool[usize::from(k)].clone()).or_default();
                        if !files.contains(&FileId(file)) { files.push(FileId(file)); files.sort(); }
                    }
                    Op::Remove(k, file) => {
                        map.remove(&*key(&pool, k, file), FileId(file));
                        if let Some(files) = model.get_mut(&pool[usize::from(k)]) { files.retain(|f| *f != FileId(file)); }
                        model.retain(|_, files| !files.is_empty());
                    }
                    Op::Extend(pairs) => {
                        for (k, file) in &pairs {
                            let files = model.entry(pool[usize::from(*k)].clone()).or_default();
                            if !files.contains(&FileId(*file)) { files.push(FileId(*file)); files.sort(); }
                        }
                        map.extend(pairs.into_iter().map(|(k, file)| (key(&pool, k, file), FileId(file))).collect());
                    }
                }
                // Merging early makes the run and the changes both non-trivial.
                if map.changed.len() > 6 {
                    map.merge(Vec::new());
                }
            }
            let listed: Vec<(ArcStr, Vec<FileId>)> = map.iter().map(|(key, files)| (key.clone(), files.to_vec())).collect();
            let expected: Vec<(ArcStr, Vec<FileId>)> = model.clone().into_iter().collect();
            prop_assert_eq!(listed, expected);
            for key in &pool {
                prop_assert_eq!(map.get(&**key), model.get(key).map_or(&[][..], Vec::as_slice));
            }
            let ranged: Vec<ArcStr> = map.range::<str, _>((Bound::Included("05"), Bound::Included("12"))).map(|(key, _)| key.clone()).collect();
            let expected: Vec<ArcStr> = model.range::<str, _>((Bound::Included("05"), Bound::Included("12"))).map(|(key, _)| key.clone()).collect();
            prop_assert_eq!(ranged, expected);
        }
    }
}
