//! The texts the index keeps, by number.
//!
//! A title or url is repeated by every related block that links to its
//! article, and a subject by every article of the subject. The index keeps
//! each distinct text once, in one table for the whole process, and refers
//! to it by its number (a [`Text`]): four bytes a reference rather than a
//! pointer and a count, no allocation or count of its own per text, and two
//! texts are equal exactly when their numbers are, which is what the checks
//! compare most (a link's title with its target's).
//!
//! Texts are never taken out of the table: a number stays valid for every
//! snapshot that may hold it, with no count to keep. What the table holds is
//! bounded by the distinct texts the process has met: the workspace's, and
//! those an editor's changes made (typing a 60-character title one key at a
//! time adds some 5 KB).

use std::fmt;
use std::hash::BuildHasher;
use std::num::NonZeroU32;
use std::ops::Deref;
use std::sync::{LazyLock, Mutex, PoisonError, RwLock};

use hashbrown::HashTable;

/// Texts are copied into blocks of this many bytes; a longer one gets a
/// block of its own.
const BLOCK_BYTES: usize = 64 * 1024;

/// The table's numbers are found through this many maps, each behind a lock
/// of its own, so that the threads of a scan or a cache load add texts side
/// by side.
const SHARDS: usize = 64;

/// A text the index keeps: a number in the process's table of texts, read
/// as the text itself.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Text(NonZeroU32);

/// Every number handed out, found by its text's hash. Not SipHash: the keys
/// are the workspace's own texts, and every text of every article is looked
/// up.
static NUMBERS: LazyLock<Numbers> = LazyLock::new(|| Numbers {
    hasher: hashbrown::DefaultHashBuilder::default(),
    shards: std::iter::repeat_with(Default::default).take(SHARDS).collect(),
});

/// Text `n` is at `n - 1`; read without a lock, and with no check of its
/// own that it was made (a constant), for every text a feature reads.
static TEXTS: boxcar::Vec<&'static str> = boxcar::Vec::new();

/// What is left of the block texts are being copied into.
static FREE: Mutex<&'static mut [u8]> = Mutex::new(&mut []);

impl Text {
    /// The number of `text`, which is added to the table when missing.
    pub fn new(text: &str) -> Text {
        let hash = NUMBERS.hash(text);
        let shard = NUMBERS.shard(hash);
        // A read lock first: most texts are present already, and the
        // threads look them up side by side.
        if let Some(found) = find_in(&shard.read().unwrap_or_else(PoisonError::into_inner), hash, text) {
            return found;
        }
        let mut numbers = shard.write().unwrap_or_else(PoisonError::into_inner);
        // Another thread may have added it since the read lock was let go.
        if let Some(found) = find_in(&numbers, hash, text) {
            return found;
        }
        // Pushed under the shard's lock: equal texts get one number, and no
        // number is handed out twice or left unused.
        let at = TEXTS.push(copy(text));
        // Four billion texts would take hundreds of gigabytes first.
        let number = u32::try_from(at + 1).ok().and_then(NonZeroU32::new).expect("fewer texts than u32::MAX");
        let slot = Slot { hash: hash as u32, text: Text(number) };
        numbers.insert_unique(spread(slot.hash), slot, |slot| spread(slot.hash));
        slot.text
    }

    /// The number of `text`, when the table has it: when it has not, no
    /// index holds it either.
    pub fn find(text: &str) -> Option<Text> {
        let hash = NUMBERS.hash(text);
        find_in(&NUMBERS.shard(hash).read().unwrap_or_else(PoisonError::into_inner), hash, text)
    }

    pub fn as_str(self) -> &'static str {
        let at = (self.0.get() - 1) as usize;
        // Every number was handed out after its text was stored.
        TEXTS.get(at).copied().unwrap_or_default()
    }

    /// The number itself: equal texts have equal numbers.
    pub fn number(self) -> u32 {
        self.0.get()
    }
}

/// The maps from texts to their numbers, and how texts are hashed for them.
struct Numbers {
    hasher: hashbrown::DefaultHashBuilder,
    shards: Box<[RwLock<HashTable<Slot>>]>,
}

impl Numbers {
    fn hash(&self, text: &str) -> u64 {
        self.hasher.hash_one(text)
    }

    /// The shard of a hash: chosen by bits that the hash kept in a slot
    /// does not hold, so that each shard's slots differ in all of theirs.
    fn shard(&self, hash: u64) -> &RwLock<HashTable<Slot>> {
        &self.shards[(hash >> 40) as usize % SHARDS]
    }
}

/// A number in a shard, with the low half of its text's hash: a shard that
/// grows files its numbers again by this, never reading a text (at a
/// million articles, each a visit to a random place in memory), and a
/// lookup compares the characters only of texts whose hashes agree.
#[derive(Clone, Copy)]
struct Slot {
    hash: u32,
    text: Text,
}

fn find_in(numbers: &HashTable<Slot>, hash: u64, text: &str) -> Option<Text> {
    let low = hash as u32;
    numbers.find(spread(low), |slot| slot.hash == low && slot.text.as_str() == text).map(|slot| slot.text)
}

/// The hash a shard's map files a slot by, made again from the half the
/// slot keeps: multiplied by an odd constant, so that its high bits (the
/// map's tag) depend on all of them, and its low bits (the map's place) are
/// those of the hash.
fn spread(low: u32) -> u64 {
    u64::from(low).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// `text` copied where it stays for the life of the process.
fn copy(text: &str) -> &'static str {
    if text.len() > BLOCK_BYTES / 4 {
        return Box::leak(Box::from(text));
    }
    let mut free = FREE.lock().unwrap_or_else(PoisonError::into_inner);
    if free.len() < text.len() {
        *free = Box::leak(vec![0; BLOCK_BYTES].into_boxed_slice());
    }
    let (copy, rest) = std::mem::take(&mut *free).split_at_mut(text.len());
    *free = rest;
    copy.copy_from_slice(text.as_bytes());
    // Valid: the bytes of a `str`.
    std::str::from_utf8(copy).unwrap_or_default()
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// Maps keyed by texts are looked up by `&str`: a text hashes as its
/// characters do.
impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

/// In the order of the characters, as `str`: equal numbers are equal texts,
/// and equal texts have one number.
impl Ord for Text {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if self == other { std::cmp::Ordering::Equal } else { self.as_str().cmp(other.as_str()) }
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text::new(text)
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        <std::borrow::Cow<'de, str>>::deserialize(deserializer).map(|text| Text::new(&text))
    }
}

/// Texts written as numbers into a table of distinct texts, while a
/// [`TextTable`] is being filled (writing) or read from (reading) on this
/// thread; as plain strings otherwise. The summary's texts are serialized
/// through this (`#[serde(with = "crate::texts::in_table")]`), so that a
/// cache holds each title or url once, however many links repeat it, and
/// reads it back without looking it up again.
pub mod in_table {
    use std::cell::RefCell;

    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Text, TextTable};

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

    pub fn serialize<S: Serializer>(text: &Text, serializer: S) -> Result<S::Ok, S::Error> {
        let number = ACTIVE.with(|active| active.borrow_mut().as_mut().map(|table| table.number_of(*text)));
        match number {
            Some(number) => number.serialize(serializer),
            None => text.serialize(serializer),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        let reading = ACTIVE.with(|active| active.borrow().is_some());
        if !reading {
            return Text::deserialize(deserializer);
        }
        let number = u32::deserialize(deserializer)?;
        let text = ACTIVE.with(|active| active.borrow().as_ref().and_then(|table| table.text(number)));
        text.ok_or_else(|| D::Error::custom(format!("text {number} is not in the table")))
    }

    /// The number `text` is written as, when a table is being filled on
    /// this thread.
    pub(crate) fn number_for_writing(text: Text) -> Option<u32> {
        ACTIVE.with(|active| active.borrow_mut().as_mut().map(|table| table.number_of(text)))
    }

    /// Runs `read` with the table being read from on this thread, if any:
    /// looked up once for many texts.
    pub(crate) fn reading<R>(read: impl FnOnce(Option<&TextTable>) -> R) -> R {
        ACTIVE.with(|active| read(active.borrow().as_ref()))
    }

    /// The same for an optional text.
    pub mod option {
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        use super::Text;

        #[derive(Serialize)]
        struct Written<'a>(#[serde(serialize_with = "written")] &'a Text);

        #[derive(Deserialize)]
        struct Read(#[serde(with = "super")] Text);

        fn written<S: Serializer>(text: &&Text, serializer: S) -> Result<S::Ok, S::Error> {
            super::serialize(text, serializer)
        }

        pub fn serialize<S: Serializer>(text: &Option<Text>, serializer: S) -> Result<S::Ok, S::Error> {
            text.as_ref().map(Written).serialize(serializer)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Text>, D::Error> {
            Ok(Option::<Read>::deserialize(deserializer)?.map(|read| read.0))
        }
    }
}

/// A text written through the active [`TextTable`] wherever it is
/// serialized (a key of a stored map, say), as a field would be with
/// `#[serde(with = "crate::texts::in_table")]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableText(#[serde(with = "in_table")] pub Text);

impl From<Text> for TableText {
    fn from(text: Text) -> Self {
        TableText(text)
    }
}

impl From<TableText> for Text {
    fn from(text: TableText) -> Self {
        text.0
    }
}

/// The distinct texts of what is being written or read, numbered in the
/// order they were first met.
#[derive(Clone, Default)]
pub struct TextTable {
    texts: std::sync::Arc<Vec<Text>>,
    /// Writing: the number each text was given, by its own number (no text
    /// is hashed: writing a cache numbers every text of the workspace).
    numbers: hashbrown::HashMap<u32, u32>,
}

impl TextTable {
    /// A table to read with: the texts as they were written, in order.
    pub fn for_reading(texts: Vec<Text>) -> TextTable {
        TextTable { texts: std::sync::Arc::new(texts), ..TextTable::default() }
    }

    /// The texts numbered so far, in number order.
    pub fn texts(&self) -> &[Text] {
        &self.texts
    }

    fn number_of(&mut self, text: Text) -> u32 {
        let TextTable { texts, numbers } = self;
        *numbers.entry(text.number()).or_insert_with(|| {
            // Past u32::MAX texts every later one shares the last number: a
            // cache that large is refused on reading (its texts do not match).
            let number = u32::try_from(texts.len()).unwrap_or(u32::MAX);
            std::sync::Arc::make_mut(texts).push(text);
            number
        })
    }

    pub(crate) fn text(&self, number: u32) -> Option<Text> {
        self.texts.get(usize::try_from(number).ok()?).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_one_number_and_read_back_as_written() {
        let (first, second) = (Text::new("Same text"), Text::new(&String::from("Same text")));
        assert_eq!(first, second);
        assert_eq!(first.number(), second.number());
        assert_eq!(first.as_str(), "Same text");
        assert_ne!(Text::new("Other text"), first);
        assert_eq!(Text::find("Same text"), Some(first));
        assert_eq!(Text::find("never added anywhere, 1f6b3"), None);
        assert_eq!(Text::new("").as_str(), "");
    }

    #[test]
    fn texts_added_from_many_threads_at_once_have_one_number_each() {
        // Every thread asks for the same new texts in the same order, from
        // the same moment: most are asked for by two threads at once.
        let words: Vec<String> = (0..20_000).map(|n| format!("thread test word {}", n % 5000)).collect();
        let start = std::sync::Barrier::new(4);
        let numbers: Vec<(String, u32)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        words.iter().map(|word| (word.clone(), Text::new(word).number())).collect::<Vec<_>>()
                    })
                })
                .collect();
            workers.into_iter().flat_map(|worker| worker.join().expect("a worker")).collect()
        });
        let mut by_text = std::collections::HashMap::new();
        for (word, number) in numbers {
            assert_eq!(*by_text.entry(word.clone()).or_insert(number), number, "{word}");
        }
        assert_eq!(by_text.len(), 5000);
        assert!(by_text.iter().all(|(word, number)| Text::find(word).map(Text::number) == Some(*number)));
    }

    #[test]
    fn long_texts_are_kept_whole() {
        let long = "long text ".repeat(BLOCK_BYTES / 5);
        let text = Text::new(&long);
        assert_eq!(text.as_str(), long);
        assert_eq!(Text::new(&long), text);
    }

    #[test]
    fn texts_order_as_their_characters() {
        let mut texts = [Text::new("pear"), Text::new("apple"), Text::new("Zebra"), Text::new("apple pie")];
        texts.sort();
        let sorted: Vec<&str> = texts.iter().map(|text| text.as_str()).collect();
        assert_eq!(sorted, ["Zebra", "apple", "apple pie", "pear"]);
    }
}
