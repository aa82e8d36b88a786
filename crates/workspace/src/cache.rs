//! The persistent index cache: what a scan parsed, kept in the user's cache
//! directory (never in the workspace) so that a restart over unchanged files
//! need not read and parse them again.
//!
//! One file per workspace root: a header (magic, format version, program
//! version), the entries in length-prefixed chunks, and a CRC-32 of them. The whole file is
//! trusted only when header and checksum match; each entry only
//! while its file's size and modification time are those it was read with.
//! Anything else is read from disk again, and the cache is rewritten.

use std::fs::Metadata;
use std::hash::Hasher;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use arcstr::ArcStr;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use text_size::TextRange;

use article_core::diagnostics::{Diagnostic, DiagnosticCode, RelatedInformation, Severity};
use article_core::index::{ArticleIndex, FileId, FilePath, IndexedArticle, MapName, StoredKeys};
use article_core::line_index::LineIndex;
use article_core::summary::ArticleSummary;
use article_core::texts::{TableText, Text, TextTable, in_table};

/// Bumped whenever what is stored changes shape.
pub(crate) const FORMAT_VERSION: u32 = 14;

const MAGIC: &[u8; 8] = b"artlsp\0\x01";

/// Entries are stored in chunks of this many, each with its length, so that
/// a load decodes them on every core.
const CHUNK_ENTRIES: usize = 1024;

/// Texts of the table per chunk: the table is never one large buffer.
const TABLE_CHUNK_TEXTS: usize = 16 * 1024;

/// Chunks read before they are decoded together: enough for every core.
const CHUNKS_PER_READ: usize = 16;

/// The same for the table's chunks, which are larger.
const TABLE_CHUNKS_PER_READ: usize = 4;

/// Overrides where cache files go (tests, or a writer who wants them
/// elsewhere); by default the platform's cache directory is used.
pub const CACHE_DIR_VARIABLE: &str = "ARTICLE_LSP_CACHE_DIR";

/// Files changed this recently are not cached: a change made within the
/// file system's timestamp resolution could leave the stamp unchanged.
const SETTLED: Duration = Duration::from_secs(2);

/// A cache being written goes to a temporary file named after the program
/// and the writer's process id, `.article-lsp-<pid>-<random>.tmp`, so that a
/// later start can tell one left behind by a writer that was killed.
const TEMPORARY_PREFIX: &str = ".article-lsp-";
const TEMPORARY_SUFFIX: &str = ".tmp";

/// A temporary file is left over only once it is this old: a writer writes
/// without pause, so its file is never this old while it runs (whatever a
/// process id says: the cache directory may be shared by two machines).
const LEFTOVER_AGE: Duration = Duration::from_secs(60);

/// Older than this, a temporary file is left over even if a process has
/// its writer's id: ids are reused.
const ABANDONED_AGE: Duration = Duration::from_secs(60 * 60);

/// What identifies one version of a file on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    len: u64,
    /// Nanoseconds since the Unix epoch (negative before it).
    modified: i128,
}

impl Stamp {
    pub fn of(metadata: &Metadata) -> Option<Stamp> {
        let modified = metadata.modified().ok()?;
        let nanos = match modified.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(after) => i128::try_from(after.as_nanos()).ok()?,
            Err(before) => -i128::try_from(before.duration().as_nanos()).ok()?,
        };
        Some(Stamp { len: metadata.len(), modified: nanos })
    }

    /// Whether the file was last changed long enough before `now` that a
    /// later change is sure to give another stamp.
    fn settled(&self, now: SystemTime) -> bool {
        let Ok(now) = now.duration_since(SystemTime::UNIX_EPOCH) else { return false };
        let now = i128::try_from(now.as_nanos()).unwrap_or(i128::MAX);
        self.modified < now - SETTLED.as_nanos() as i128
    }
}

/// One file as it was parsed; `None` for a file that is not an article.
#[derive(Serialize, Deserialize)]
struct Entry<P, A, L> {
    path: P,
    stamp: Stamp,
    parsed: Option<(A, L)>,
    found: Option<Vec<StoredDiagnostic>>,
}

/// An entry as it is read back.
type StoredEntry = Entry<ArcStr, ArticleSummary, LineIndex>;

/// A cached file: the stamp it was read with, and what the checks found in it.
#[derive(Debug, PartialEq, Eq)]
pub struct CachedFile {
    pub path: FilePath,
    pub stamp: Stamp,
    /// Whether it is an article (it is then in the cached index).
    pub is_article: bool,
    /// What the checks found in the file when the cache was written (see
    /// [`StoredDiagnostic`]); `None` when they were not stored.
    pub found: Option<Vec<StoredDiagnostic>>,
}

/// What a cache holds: every file it knows, in path order, and the index of
/// its articles, maps and all, as it was written.
pub struct CachedWorkspace {
    pub files: Vec<CachedFile>,
    pub index: ArticleIndex,
}

impl CachedWorkspace {
    /// The cached file at `path`.
    pub fn file(&self, path: &str) -> Option<&CachedFile> {
        let at = self.files.binary_search_by(|file| file.path.as_str().cmp(path)).ok()?;
        self.files.get(at)
    }
}

/// A diagnostic as the checks found it, before settings adjust it, with
/// the files of its related places named by path (file ids are the index's
/// own). Stored only when the whole index was the disk's files of one root,
/// so a restart that finds every one of them unchanged finds these again;
/// codes and severities go by name, so that a renumbering cannot
/// misread them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDiagnostic {
    // Names and paths go through the table of texts: a few dozen names and
    // the paths every entry holds already, read back without a copy.
    #[serde(with = "in_table")]
    code: Text,
    #[serde(with = "in_table")]
    severity: Text,
    range: TextRange,
    message: String,
    related: Vec<(TableText, TextRange, String)>,
}

impl StoredDiagnostic {
    pub fn of(index: &ArticleIndex, diagnostic: &Diagnostic) -> StoredDiagnostic {
        StoredDiagnostic {
            code: Text::new(diagnostic.code.as_str()),
            severity: Text::new(diagnostic.severity.as_str()),
            range: diagnostic.range,
            message: diagnostic.message.clone(),
            related: diagnostic
                .related
                .iter()
                .map(|place| {
                    (
                        TableText(Text::new(index.path(place.file).as_str())),
                        place.range,
                        place.message.clone(),
                    )
                })
                .collect(),
        }
    }

    /// The diagnostic again, over an index holding the same files; `None`
    /// when a name or a related file is not known to it.
    pub fn restore(&self, index: &ArticleIndex) -> Option<Diagnostic> {
        let severity = Severity::from_name(&self.severity)?;
        let related = self
            .related
            .iter()
            .map(|(path, range, message)| {
                let file: FileId = index.file_id(&FilePath::new(path.0.as_str()))?;
                Some(RelatedInformation { file, range: *range, message: message.clone() })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Diagnostic {
            code: DiagnosticCode::from_name(&self.code)?,
            severity,
            range: self.range,
            message: self.message.clone(),
            related,
        })
    }
}

/// The cache directory to use: [`CACHE_DIR_VARIABLE`] when set, else
/// `article-lsp` in the platform's cache directory.
pub fn default_dir() -> Option<PathBuf> {
    match std::env::var_os(CACHE_DIR_VARIABLE) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => dirs::cache_dir().map(|dir| dir.join("article-lsp")),
    }
}

/// The cache file of a workspace root: the folder's name, for people
/// looking in the directory, and a hash of the whole path.
pub fn file_for(dir: &Path, root: &Path) -> PathBuf {
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(root.as_os_str().as_encoded_bytes());
    let name: String = root
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .take(40)
        .collect();
    dir.join(format!("{name}-{:016x}.index", hasher.finish()))
}

/// Reads a cache file. Any problem (missing, another version, corrupt)
/// gives an error saying which, and the caller reads every file instead.
///
/// The file is read a few chunks at a time, each group decoded on every
/// core, so that the file's bytes are never all in memory beside what they
/// decode to. Equal texts are read as one copy; the cached index takes
/// `texts` as its table of shared texts (the one of the index it is for).
pub fn load(file: &Path) -> Result<CachedWorkspace, String> {
    let file = std::fs::File::open(file).map_err(|error| error.to_string())?;
    let size = file.metadata().map_err(|error| error.to_string())?.len();
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let header = header();
    let mut found = vec![0; header.len()];
    if reader.read_exact(&mut found).is_err() || found != header {
        return Err("written by another version".to_owned());
    }
    let payload = size.checked_sub(header.len() as u64 + 4).ok_or("truncated")?;
    let mut chunks = Chunks { reader: &mut reader, remaining: payload, checksum: crc32fast::Hasher::new() };
    // The texts first, in chunks after their count: every entry names its
    // texts by their number there. Then the entries, in chunks after their
    // count. Each is read a group of chunks at a time, the group decoded on
    // every core: the bytes read are never all in memory beside what they
    // decode to. Each text of the table is looked up in the process's table
    // of texts once, here; an entry refers to it by its number in the file.
    let mut table_texts = Vec::new();
    chunks.decode_groups(TABLE_CHUNKS_PER_READ, decode_texts, |part| table_texts.extend(part))?;
    let table = TextTable::for_reading(table_texts);
    // Each chunk's entries are made into the cached files and the index's
    // entries where they are decoded, on every core: at a million articles,
    // moving every summary once more on one thread costs a second.
    let decode_entries = |chunk: &[u8]| {
        let entries: Vec<StoredEntry> = in_table::with(table.clone(), || decode(chunk)).0?;
        Ok(Decoded::of(entries))
    };
    let (mut files, mut articles) = (Vec::new(), Vec::new());
    chunks.decode_groups(CHUNKS_PER_READ, decode_entries, |decoded| {
        files.extend(decoded.files);
        articles.extend(decoded.articles);
    })?;
    let maps: Vec<Vec<u8>> = MapName::ALL.iter().map(|_| chunks.next()).collect::<Result<_, _>>()?;
    let maps: Vec<StoredKeys> = maps
        .par_iter()
        .map(|chunk| in_table::with(table.clone(), || decode(chunk)).0)
        .collect::<Result<_, _>>()?;
    if chunks.remaining != 0 {
        return Err("corrupt: more than was written".to_owned());
    }
    let checksum = chunks.checksum.finalize();
    let mut stored = [0; 4];
    reader.read_exact(&mut stored).map_err(|_| "truncated")?;
    if u32::from_le_bytes(stored) != checksum {
        return Err("corrupt: checksum mismatch".to_owned());
    }
    if !files.windows(2).all(|pair| pair[0].path < pair[1].path) {
        return Err("corrupt: files out of order".to_owned());
    }
    let index = ArticleIndex::from_image(articles, maps)?;
    Ok(CachedWorkspace { files, index })
}

/// A chunk's entries as the cached files and the index's entries.
struct Decoded {
    files: Vec<CachedFile>,
    articles: Vec<Arc<IndexedArticle>>,
}

impl Decoded {
    fn of(entries: Vec<StoredEntry>) -> Decoded {
        let mut decoded = Decoded { files: Vec::with_capacity(entries.len()), articles: Vec::new() };
        for Entry { path, stamp, parsed, found } in entries {
            let path = FilePath::new(path);
            let is_article = parsed.is_some();
            if let Some((summary, line_index)) = parsed {
                decoded.articles.push(Arc::new(IndexedArticle { path: path.clone(), summary, line_index }));
            }
            decoded.files.push(CachedFile { path, stamp, is_article, found });
        }
        decoded
    }
}

fn decode<'a, T: serde::Deserialize<'a>>(chunk: &'a [u8]) -> Result<T, String> {
    postcard::from_bytes(chunk).map_err(|error| format!("corrupt: {error}"))
}

/// The payload's length-prefixed chunks, read in turn; `remaining` bytes
/// are left to read, and lengths and chunks go into the checksum as they
/// were written.
struct Chunks<'a, R> {
    reader: &'a mut R,
    remaining: u64,
    checksum: crc32fast::Hasher,
}

impl<R: Read> Chunks<'_, R> {
    fn next(&mut self) -> Result<Vec<u8>, String> {
        let mut chunk = Vec::new();
        self.next_into(&mut chunk)?;
        Ok(chunk)
    }

    /// The next chunk, in `chunk`'s own buffer.
    fn next_into(&mut self, chunk: &mut Vec<u8>) -> Result<(), String> {
        read_chunk(self.reader, &mut self.remaining, &mut self.checksum, chunk)
    }

    /// A chunk holding a count of the chunks that follow.
    fn count(&mut self) -> Result<u32, String> {
        decode(&self.next()?)
    }

    /// Reads a count, then that many chunks, `per_group` at a time,
    /// decoding each group's on every core and handing what they decode to
    /// to `take`, in order.
    ///
    /// The group's buffers are read into again: a new buffer per chunk
    /// would be a block mapped and unmapped per chunk (see
    /// [`crate::allocator`]), its pages faulted in afresh each time.
    fn decode_groups<T: Send>(
        &mut self,
        per_group: usize,
        decode: impl Fn(&[u8]) -> Result<T, String> + Sync,
        mut take: impl FnMut(T),
    ) -> Result<(), String> {
        let count = self.count()?;
        let mut group: Vec<Vec<u8>> = std::iter::repeat_with(Vec::new).take(per_group.max(1)).collect();
        let mut filled = 0;
        for at in 0..count {
            self.next_into(&mut group[filled])?;
            filled += 1;
            if filled == group.len() || at + 1 == count {
                let decoded: Vec<T> =
                    group[..filled].par_iter().map(|chunk| decode(chunk)).collect::<Result<_, _>>()?;
                decoded.into_iter().for_each(&mut take);
                filled = 0;
            }
        }
        Ok(())
    }
}

/// A chunk of the table of texts, as the process's numbers of them.
fn decode_texts(chunk: &[u8]) -> Result<Vec<Text>, String> {
    let part: Vec<&str> = decode(chunk)?;
    Ok(part.into_iter().map(Text::new).collect())
}

/// One length-prefixed chunk of the payload, into `chunk`, of which
/// `remaining` bytes are left to read; length and chunk go into the
/// checksum, as they were written.
fn read_chunk(
    reader: &mut impl Read,
    remaining: &mut u64,
    checksum: &mut crc32fast::Hasher,
    chunk: &mut Vec<u8>,
) -> Result<(), String> {
    let mut length = [0; 4];
    if *remaining < 4 || reader.read_exact(&mut length).is_err() {
        return Err("corrupt: a chunk without its length".to_owned());
    }
    checksum.update(&length);
    let length = u64::from(u32::from_le_bytes(length));
    if length > *remaining - 4 {
        return Err("corrupt: a chunk longer than the file".to_owned());
    }
    *remaining -= 4 + length;
    chunk.clear();
    chunk.resize(usize::try_from(length).map_err(|_| "corrupt: a chunk too long")?, 0);
    reader.read_exact(chunk).map_err(|_| "truncated")?;
    checksum.update(chunk);
    Ok(())
}

fn header() -> Vec<u8> {
    let mut header = MAGIC.to_vec();
    header.extend(FORMAT_VERSION.to_le_bytes());
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    header.push(u8::try_from(version.len()).unwrap_or(u8::MAX));
    header.extend(version);
    header
}

/// Passes writes through, keeping the checksum of what went by.
struct Checksummed<W> {
    inner: W,
    hasher: crc32fast::Hasher,
}

impl<W: Write> Write for Checksummed<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.hasher.update(&bytes[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// What a scan saw of one file, for [`save`]: the index says what it is.
pub struct Seen<'a> {
    pub path: &'a FilePath,
    pub stamp: Stamp,
    pub found: Option<Vec<StoredDiagnostic>>,
}

/// Writes a cache file atomically (a temporary file renamed over it), so a
/// reader never sees half of one: the `seen` files, in path order, each
/// with what `index` holds of it (an article, or nothing), and the index's
/// maps as they are for those articles. Files changed in the last seconds
/// are left out (see [`SETTLED`]).
pub fn save<'a>(
    file: &Path,
    seen: impl Iterator<Item = Seen<'a>>,
    index: &ArticleIndex,
) -> std::io::Result<usize> {
    let now = SystemTime::now();
    let mut entries: Vec<Entry<&str, &ArticleSummary, &LineIndex>> = seen
        .filter(|seen| seen.stamp.settled(now))
        .map(|Seen { path, stamp, found }| {
            let parsed = index.get_by_path(path).map(|entry| (&entry.summary, &entry.line_index));
            Entry { path: path.as_str(), stamp, parsed, found }
        })
        .collect();
    entries.sort_unstable_by(|a, b| a.path.cmp(b.path));
    entries.dedup_by(|a, b| a.path == b.path);
    let numbers =
        index.number_files(entries.iter().filter(|entry| entry.parsed.is_some()).map(|entry| entry.path));
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let temporary = temporary_in(dir)?;
    // Streamed: at 100,000 articles the payload is some 80 MB, which must
    // not be held in memory beside the index it is made from.
    let mut writer = std::io::BufWriter::new(temporary);
    writer.write_all(&header())?;
    let mut checksummed = Checksummed { inner: writer, hasher: crc32fast::Hasher::new() };
    // What follows the table is encoded twice, first only to number its
    // texts: the table goes before it, and it is never all held in memory
    // at once (a map is made again for each pass).
    let mut table = TextTable::default();
    let encode = |table: TextTable, value: &dyn ErasedChunk| -> (std::io::Result<Vec<u8>>, TextTable) {
        let (encoded, table) = in_table::with(table, || value.encode());
        (encoded, table)
    };
    let entry_chunks: Vec<_> = entries.chunks(CHUNK_ENTRIES).collect();
    for chunk in &entry_chunks {
        table = encode(table, chunk).1;
    }
    for name in MapName::ALL {
        table = encode(table, &index.stored_map(name, &numbers)).1;
    }
    let table_chunks = table.texts().chunks(TABLE_CHUNK_TEXTS);
    write_count(&mut checksummed, table_chunks.len())?;
    for part in table_chunks {
        let part: Vec<&str> = part.iter().map(|text| text.as_str()).collect();
        write_chunk(&mut checksummed, &postcard::to_stdvec(&part).map_err(std::io::Error::other)?)?;
    }
    write_count(&mut checksummed, entry_chunks.len())?;
    for chunk in &entry_chunks {
        // Handed over and back, never cloned: a copy of its numbers per
        // chunk would make writing quadratic in the workspace.
        let (encoded, numbered) = encode(table, chunk);
        write_chunk(&mut checksummed, &encoded?)?;
        table = numbered;
    }
    for name in MapName::ALL {
        let (encoded, numbered) = encode(table, &index.stored_map(name, &numbers));
        write_chunk(&mut checksummed, &encoded?)?;
        table = numbered;
    }
    let Checksummed { inner: mut writer, hasher } = checksummed;
    writer.write_all(&hasher.finalize().to_le_bytes())?;
    let temporary = writer.into_inner().map_err(|error| error.into_error())?;
    temporary.persist(file).map_err(|error| error.error)?;
    Ok(entries.len())
}

/// What is written as one chunk, encoded with whatever table is active.
trait ErasedChunk {
    fn encode(&self) -> std::io::Result<Vec<u8>>;
}

impl<T: Serialize + ?Sized> ErasedChunk for T {
    fn encode(&self) -> std::io::Result<Vec<u8>> {
        postcard::to_stdvec(self).map_err(std::io::Error::other)
    }
}

/// A chunk holding a count of the chunks that follow.
fn write_count(out: &mut impl Write, count: usize) -> std::io::Result<()> {
    let count = u32::try_from(count).map_err(std::io::Error::other)?;
    write_chunk(out, &postcard::to_stdvec(&count).map_err(std::io::Error::other)?)
}

/// One length-prefixed chunk of the payload.
fn write_chunk(out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    let length = u32::try_from(bytes.len()).map_err(std::io::Error::other)?;
    out.write_all(&length.to_le_bytes())?;
    out.write_all(bytes)
}

/// A temporary file of this process in `dir`, named as [`TEMPORARY_PREFIX`] says.
fn temporary_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(&format!("{TEMPORARY_PREFIX}{}-", std::process::id()))
        .suffix(TEMPORARY_SUFFIX)
        .tempfile_in(dir)
}

/// Removes the temporary files that writers killed while writing left in
/// the cache directory `dir` (a cache is some 200 MB at 100,000 articles):
/// this program's whose writer is gone, and those of versions that named
/// them `.tmpXXXXXX`, when they hold a cache's header. Another server's
/// file being written is never old. Returns how many were removed.
pub fn remove_leftovers(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let (path, name) = (entry.path(), entry.file_name());
        let Some(name) = name.to_str() else { continue };
        // Not followed: a link is nobody's temporary file.
        let Ok(metadata) = entry.metadata() else { continue };
        let modified = metadata.modified().ok().and_then(|modified| now.duration_since(modified).ok());
        let age = modified.unwrap_or_default();
        if metadata.is_file() && is_leftover(name, age, || holds_a_cache(&path)) {
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    tracing::info!(
                        "removed {}, left over by a cache write that did not finish",
                        path.display()
                    );
                    removed += 1;
                }
                Err(error) => tracing::warn!("cannot remove {}: {error}", path.display()),
            }
        }
    }
    removed
}

fn is_leftover(name: &str, age: Duration, holds_a_cache: impl FnOnce() -> bool) -> bool {
    if let Some(rest) =
        name.strip_prefix(TEMPORARY_PREFIX).and_then(|rest| rest.strip_suffix(TEMPORARY_SUFFIX))
    {
        let writer = rest.split('-').next().and_then(|pid| pid.parse::<u32>().ok());
        return age > ABANDONED_AGE || (age > LEFTOVER_AGE && writer.is_none_or(|pid| !process_runs(pid)));
    }
    let older_version = name
        .strip_prefix(".tmp")
        .is_some_and(|rest| rest.len() == 6 && rest.bytes().all(|byte| byte.is_ascii_alphanumeric()));
    older_version && age > LEFTOVER_AGE && holds_a_cache()
}

fn holds_a_cache(path: &Path) -> bool {
    let mut start = [0; MAGIC.len()];
    std::fs::File::open(path).and_then(|mut file| file.read_exact(&mut start)).is_ok() && start == *MAGIC
}

/// Whether a process with this id runs (on this machine).
#[cfg(unix)]
fn process_runs(pid: u32) -> bool {
    // 0 and what does not fit would name process groups, not a process.
    let Some(pid) = i32::try_from(pid).ok().filter(|pid| *pid > 0) else { return false };
    // SAFETY: signal 0 sends nothing; `kill` only checks the process exists
    // and may be signalled.
    let found = unsafe { libc::kill(pid, 0) } == 0;
    found || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Without a way to ask, a writer is taken to run: its file goes once
/// [`ABANDONED_AGE`] old.
#[cfg(not(unix))]
fn process_runs(_: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use article_core::article::parse_article;

    fn summary(text: &str) -> ArticleSummary {
        ArticleSummary::of(&parse_article(text).expect("an article"))
    }

    const TEXT: &str = "---\nid: 7\ntitle: Seven\nurl: /learn/x/questions/seven\n---\nBody\n";

    fn old_stamp() -> Stamp {
        Stamp { len: TEXT.len() as u64, modified: 1_000_000_000 }
    }

    fn indexed(files: &[(&str, &str)]) -> ArticleIndex {
        ArticleIndex::from_articles(
            files
                .iter()
                .map(|(path, text)| (FilePath::new(*path), summary(text), LineIndex::new(text)))
                .collect(),
        )
    }

    fn seen(path: &FilePath) -> Seen<'_> {
        Seen { path, stamp: old_stamp(), found: None }
    }

    #[test]
    fn a_saved_cache_loads_back_equal() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = file_for(dir.path(), Path::new("/srv/articles"));
        let index = indexed(&[("/srv/articles/seven.md", TEXT)]);
        let found = StoredDiagnostic {
            code: "broken-link".into(),
            severity: "error".into(),
            range: TextRange::new(4.into(), 9.into()),
            message: "no article has id 9".to_owned(),
            related: vec![(
                TableText("/srv/articles/nine.md".into()),
                TextRange::empty(0.into()),
                "here".to_owned(),
            )],
        };
        let (seven, notes) =
            (FilePath::new("/srv/articles/seven.md"), FilePath::new("/srv/articles/notes.md"));
        let seen = [Seen { found: Some(vec![found.clone()]), ..seen(&seven) }, seen(&notes)];
        assert_eq!(save(&file, seen.into_iter(), &index).expect("saved"), 2);
        let loaded = load(&file).expect("loaded");
        let cached = loaded.file(seven.as_str()).expect("seven is cached");
        assert_eq!((cached.stamp, cached.is_article), (old_stamp(), true));
        assert_eq!(cached.found, Some(vec![found]));
        let cached = loaded.file(notes.as_str()).expect("notes is cached");
        assert_eq!((cached.is_article, &cached.found), (false, &None));
        assert_eq!(loaded.index.canonical(), index.canonical());
    }

    #[test]
    fn the_index_loaded_is_that_of_the_files_written_alone() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = dir.path().join("cache.index");
        let linking = |id: u32, to: u32| {
            format!(
                "---\nid: {id}\ntitle: Article {id}\nsubject: S\nurl: /learn/s/questions/a{id}\nrelated_article1:\n  id: {to}\n  title: Article {to}\n  url: /learn/s/questions/a{to}\n---\n"
            )
        };
        let texts: Vec<(String, String)> = [(3, 1), (1, 2), (2, 9), (4, 3)]
            .iter()
            .map(|(id, to)| (format!("/site/{id}.md"), linking(*id, *to)))
            .collect();
        let all: Vec<(&str, &str)> =
            texts.iter().map(|(path, text)| (path.as_str(), text.as_str())).collect();
        // The file the editor holds open is not written, nor is its
        // article in the maps written.
        let index = indexed(&all);
        let paths: Vec<FilePath> = all.iter().map(|(path, _)| FilePath::new(*path)).collect();
        let written = paths.iter().filter(|path| path.as_str() != "/site/2.md").map(seen);
        assert_eq!(save(&file, written, &index).expect("saved"), 3);
        let loaded = load(&file).expect("loaded");
        let without_open: Vec<(&str, &str)> =
            all.iter().copied().filter(|(path, _)| *path != "/site/2.md").collect();
        assert_eq!(loaded.index.canonical(), indexed(&without_open).canonical());
        let in_order: Vec<&str> = loaded.files.iter().map(|file| file.path.as_str()).collect();
        assert_eq!(in_order, ["/site/1.md", "/site/3.md", "/site/4.md"]);
    }

    #[test]
    fn a_stored_diagnostic_restores_over_an_index_of_the_same_files() {
        let twin = |path: &str| {
            let text = "---\nid: 7\ntitle: Seven\nurl: /learn/x/questions/seven\n---\n";
            (FilePath::new(path), summary(text), LineIndex::new(text))
        };
        let index = ArticleIndex::from_articles(vec![twin("/site/a.md"), twin("/site/b.md")]);
        let file = index.file_id(&FilePath::new("/site/a.md")).expect("indexed");
        let found = article_core::diagnostics::article_diagnostics(&index, file);
        assert!(found.iter().any(|diagnostic| !diagnostic.related.is_empty()), "{found:?}");
        let stored: Vec<StoredDiagnostic> =
            found.iter().map(|found| StoredDiagnostic::of(&index, found)).collect();
        let again = ArticleIndex::from_articles(vec![twin("/site/b.md"), twin("/site/a.md")]);
        let restored: Option<Vec<Diagnostic>> = stored.iter().map(|stored| stored.restore(&again)).collect();
        let related_paths = |diagnostics: &[Diagnostic], index: &ArticleIndex| -> Vec<String> {
            diagnostics.iter().flat_map(|d| &d.related).map(|r| index.path(r.file).to_string()).collect()
        };
        let restored = restored.expect("restored");
        assert_eq!(related_paths(&restored, &again), related_paths(&found, &index));
        let without_files = |diagnostics: Vec<Diagnostic>| -> Vec<_> {
            diagnostics.into_iter().map(|d| (d.code, d.severity, d.range, d.message)).collect()
        };
        assert_eq!(without_files(restored), without_files(found));
        let elsewhere = ArticleIndex::from_articles(vec![twin("/site/a.md")]);
        assert!(
            stored.iter().any(|stored| stored.restore(&elsewhere).is_none()),
            "b.md is not indexed there"
        );
    }

    #[test]
    fn texts_repeated_across_entries_load_as_one() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = dir.path().join("cache.index");
        let linking = "---\nid: 8\nrelated_article1:\n  id: 7\n  title: Seven\n---\n";
        let index = indexed(&[("/site/seven.md", TEXT), ("/site/eight.md", linking)]);
        let (seven, eight) = (FilePath::new("/site/seven.md"), FilePath::new("/site/eight.md"));
        save(&file, [seen(&seven), seen(&eight)].into_iter(), &index).expect("saved");
        let loaded = load(&file).expect("loaded");
        let article = |path: &FilePath| loaded.index.get_by_path(path).map(|entry| entry.summary.clone());
        let (seven, eight) = (article(&seven).expect("seven"), article(&eight).expect("eight"));
        let title = seven.title.expect("a title");
        let link_title = eight.texts().find(|text| *text == "Seven").expect("a link title");
        assert_eq!(title.number(), link_title.number());
    }

    #[test]
    fn many_entries_span_several_chunks() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = dir.path().join("cache.index");
        let paths: Vec<FilePath> =
            (0..CHUNK_ENTRIES * 2 + 5).map(|n| FilePath::new(format!("/srv/site/{n}.md"))).collect();
        assert_eq!(save(&file, paths.iter().map(seen), &ArticleIndex::new()).expect("saved"), paths.len());
        let loaded = load(&file).expect("loaded");
        assert_eq!(loaded.files.len(), paths.len());
        assert!(paths.iter().all(|path| loaded.file(path.as_str()).is_some()));
    }

    #[test]
    fn a_table_of_many_texts_spans_several_chunks() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = dir.path().join("cache.index");
        let count = TABLE_CHUNK_TEXTS + 7;
        let texts: Vec<(String, String)> = (0..count)
            .map(|n| (format!("/site/{n}.md"), format!("---\nid: {n}\ntitle: Title {n}\n---\n")))
            .collect();
        let files: Vec<(&str, &str)> =
            texts.iter().map(|(path, text)| (path.as_str(), text.as_str())).collect();
        let index = indexed(&files);
        let paths: Vec<FilePath> = files.iter().map(|(path, _)| FilePath::new(*path)).collect();
        assert_eq!(save(&file, paths.iter().map(seen), &index).expect("saved"), count);
        let loaded = load(&file).expect("loaded");
        assert_eq!(loaded.index.canonical(), index.canonical());
    }

    #[test]
    fn files_changed_in_the_last_seconds_are_not_cached() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = dir.path().join("cache.index");
        let fresh = Stamp::of(&std::fs::metadata(dir.path()).expect("metadata")).expect("a stamp");
        let path = FilePath::new("/a.md");
        let seen = [Seen { path: &path, stamp: fresh, found: None }];
        assert_eq!(save(&file, seen.into_iter(), &ArticleIndex::new()).expect("saved"), 0);
    }

    /// A folder holding a cache of one file that is not an article.
    fn saved_with_one_entry() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = dir.path().join("cache.index");
        let path = FilePath::new("/a.md");
        save(&file, [seen(&path)].into_iter(), &ArticleIndex::new()).expect("saved");
        (dir, file)
    }

    #[test]
    fn corrupt_truncated_and_foreign_files_are_refused() {
        let (dir, file) = saved_with_one_entry();
        let good = std::fs::read(&file).expect("read");

        let mut flipped = good.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x40;
        std::fs::write(&file, &flipped).expect("write");
        assert_eq!(load(&file).err().as_deref(), Some("corrupt: checksum mismatch"));

        std::fs::write(&file, &good[..header().len() + 2]).expect("write");
        assert_eq!(load(&file).err().as_deref(), Some("truncated"));

        let mut other_version = good.clone();
        other_version[MAGIC.len()] ^= 1;
        std::fs::write(&file, &other_version).expect("write");
        assert_eq!(load(&file).err().as_deref(), Some("written by another version"));

        assert!(load(&dir.path().join("missing.index")).is_err());
    }

    #[test]
    fn leftovers_are_told_by_name_age_writer_and_content() {
        let minutes = |n: u64| Duration::from_secs(60 * n);
        let ours = |pid: u32| format!("{TEMPORARY_PREFIX}{pid}-AbC123{TEMPORARY_SUFFIX}");
        let running = std::process::id();
        let gone = u32::MAX;
        assert!(is_leftover(&ours(gone), minutes(2), || false));
        assert!(!is_leftover(&ours(gone), Duration::from_secs(5), || false), "a writer on another machine");
        assert!(!is_leftover(&ours(running), minutes(2), || false), "a writer that runs");
        assert!(is_leftover(&ours(running), minutes(61), || false), "a process id reused");
        assert!(is_leftover(".tmpAb12Cd", minutes(2), || true));
        assert!(!is_leftover(".tmpAb12Cd", minutes(2), || false), "another program's");
        assert!(!is_leftover(".tmpAb12Cd", Duration::from_secs(5), || true));
        assert!(!is_leftover("site-0123456789abcdef.index", minutes(600), || true));
    }

    #[test]
    fn a_cache_is_written_under_a_temporary_name_of_this_program() {
        let (dir, _) = saved_with_one_entry();
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("listed")
            .flatten()
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["cache.index"]);
        let temporary = temporary_in(dir.path()).expect("a temporary file");
        let name = temporary.path().file_name().and_then(|name| name.to_str()).expect("a name");
        assert!(!is_leftover(name, Duration::from_secs(120), || true), "{name} is this running writer's");
    }

    #[test]
    fn each_root_has_its_own_file() {
        let dir = Path::new("/cache");
        let a = file_for(dir, Path::new("/srv/site"));
        let b = file_for(dir, Path::new("/other/site"));
        assert_ne!(a, b);
        assert!(a.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("site-")));
    }
}
