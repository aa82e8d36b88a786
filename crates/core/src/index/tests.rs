use std::collections::BTreeMap;

use proptest::prelude::*;

use super::{ArticleIndex, FilePath, MapName, StoredKeys};
use crate::line_index::LineIndex;
use crate::summary::ArticleSummary;

/// A small article whose id, url and links come from narrow ranges, so that
/// random files collide, duplicate and link to each other often.
fn article_text(id: u8, url: u8, title: u8, links: &[(u8, u8)]) -> String {
    let mut text = format!("---\nid: {id}\ntitle: >-\n    Title {title} word{title}\nurl: /u/{url}\n");
    for (n, (link_id, link_url)) in links.iter().enumerate() {
        // The link's title and slug give the words its "did you mean" looks
        // candidates up by: broken links are filed under them.
        text += &format!(
            "related_article{}:\n    id: {link_id}\n    title: Link word{link_id}\n    url: /u/{link_url}\n",
            n + 1
        );
    }
    text + "---\n"
}

fn upsert(index: &mut ArticleIndex, path: &str, text: &str) {
    match ArticleSummary::of_text(text) {
        Some(summary) => {
            index.upsert(FilePath::new(path), summary, LineIndex::new(text));
        }
        None => {
            index.remove(&FilePath::new(path));
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    Upsert {
        file: u8,
        text: String,
    },
    Remove {
        file: u8,
    },
    /// Snapshots every map for a merge built elsewhere, installing the one
    /// taken at the previous such step (as the server's analysis does).
    MergeElsewhere,
}

fn op() -> impl Strategy<Value = Op> {
    let text = (0u8..6, 0u8..6, 0u8..4, proptest::collection::vec((0u8..6, 0u8..6), 0..4))
        .prop_map(|(id, url, title, links)| article_text(id, url, title, &links));
    let not_an_article = Just("# plain markdown\n".to_owned());
    prop_oneof![
        4 => (0u8..8, text).prop_map(|(file, text)| Op::Upsert { file, text }),
        1 => (0u8..8, not_an_article).prop_map(|(file, text)| Op::Upsert { file, text }),
        2 => (0u8..8).prop_map(|file| Op::Remove { file }),
        1 => Just(Op::MergeElsewhere),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn incremental_equals_fresh(ops in proptest::collection::vec(op(), 1..40)) {
        let mut incremental = ArticleIndex::new();
        let mut files: BTreeMap<String, String> = BTreeMap::new();
        let mut building = None;
        for op in ops {
            match op {
                Op::MergeElsewhere => {
                    if let Some(merges) = building.take() {
                        incremental.install_merged_maps(super::MapMerges::build(merges));
                    }
                    building = Some(incremental.every_map_merge());
                }
                Op::Upsert { file, text } => {
                    let path = format!("a{file}.md");
                    upsert(&mut incremental, &path, &text);
                    files.insert(path, text);
                }
                Op::Remove { file } => {
                    let path = format!("a{file}.md");
                    incremental.remove(&FilePath::new(path.as_str()));
                    files.remove(&path);
                }
            }
        }
        let mut fresh = ArticleIndex::new();
        for (path, text) in &files {
            upsert(&mut fresh, path, text);
        }
        prop_assert_eq!(incremental.canonical(), fresh.canonical());
        let parsed = files.iter().filter_map(|(path, text)| {
            Some((FilePath::new(path.as_str()), ArticleSummary::of_text(text)?, LineIndex::new(text)))
        });
        let parsed: Vec<_> = parsed.collect();
        let bulk = ArticleIndex::from_articles(parsed.clone());
        prop_assert_eq!(incremental.canonical(), bulk.canonical());
        // A batch over an index that already holds some of its files.
        let mut mixed = ArticleIndex::new();
        for (path, text) in files.iter().step_by(2) {
            upsert(&mut mixed, path, text);
        }
        mixed.upsert_batch(parsed.clone());
        prop_assert_eq!(incremental.canonical(), mixed.canonical());
        // What a cache stores of it for some of its files (the others open
        // in an editor, say) loads back as the index of those files alone,
        // and takes the others as any index would.
        let (written, others): (Vec<_>, Vec<_>) =
            parsed.into_iter().enumerate().partition(|(at, _)| at % 2 == 0);
        let written: Vec<_> = written.into_iter().map(|(_, file)| file).collect();
        let numbers = incremental.number_files(written.iter().map(|(path, ..)| path.as_str()));
        let maps = MapName::ALL.iter().map(|name| incremental.stored_map(*name, &numbers)).collect();
        let mut image = ArticleIndex::from_image(entries(&written), maps)
            .map_err(TestCaseError::fail)?;
        prop_assert_eq!(image.canonical(), ArticleIndex::from_articles(written).canonical());
        for (_, (path, summary, line_index)) in others {
            image.upsert(path, summary, line_index);
        }
        prop_assert_eq!(image.canonical(), fresh.canonical());
        // Written whole, the broken links are stored too, and kept as an
        // article goes.
        incremental.refresh_broken_links();
        let every: Vec<_> = files.iter().filter_map(|(path, text)| {
            Some((FilePath::new(path.as_str()), ArticleSummary::of_text(text)?, LineIndex::new(text)))
        }).collect();
        let numbers = incremental.number_files(every.iter().map(|(path, ..)| path.as_str()));
        let maps = MapName::ALL.iter().map(|name| incremental.stored_map(*name, &numbers)).collect();
        let mut whole = ArticleIndex::from_image(entries(&every), maps)
            .map_err(TestCaseError::fail)?;
        prop_assert_eq!(whole.canonical(), fresh.canonical());
        // Written whole from an index a batch left the broken links of out
        // of date (as a scan's end does), the map is built for the cache,
        // not left for the restart to rebuild.
        let numbers = bulk.number_files(every.iter().map(|(path, ..)| path.as_str()));
        let maps: Vec<_> = MapName::ALL.iter().map(|name| bulk.stored_map(*name, &numbers)).collect();
        prop_assert!(!maps.iter().any(|map| matches!(map, StoredKeys::Rebuilt)));
        let restored = ArticleIndex::from_image(entries(&every), maps)
            .map_err(TestCaseError::fail)?;
        prop_assert!(!restored.broken.is_stale());
        prop_assert_eq!(restored.canonical(), fresh.canonical());
        if let Some((gone, ..)) = every.first() {
            whole.remove(gone);
            fresh.remove(gone);
            prop_assert_eq!(whole.canonical(), fresh.canonical());
        }
    }
}

/// Parsed files as the index's entries, as a cache reads them.
fn entries(files: &[(FilePath, ArticleSummary, LineIndex)]) -> Vec<std::sync::Arc<super::IndexedArticle>> {
    let entry = |(path, summary, line_index): &(FilePath, ArticleSummary, LineIndex)| super::IndexedArticle {
        path: path.clone(),
        summary: summary.clone(),
        line_index: line_index.clone(),
    };
    files.iter().map(|file| std::sync::Arc::new(entry(file))).collect()
}

fn index_of(files: &[(&str, String)]) -> ArticleIndex {
    let mut index = ArticleIndex::new();
    for (path, text) in files {
        upsert(&mut index, path, text);
    }
    index
}

fn paths(index: &ArticleIndex, files: &[super::FileId]) -> Vec<String> {
    files.iter().map(|file| index.path(*file).to_string()).collect()
}

#[test]
fn look_ups_and_backlinks() {
    let index = index_of(&[
        ("a.md", article_text(1, 1, 1, &[(2, 2)])),
        ("b.md", article_text(2, 2, 2, &[(1, 1), (3, 9)])),
        ("c.md", article_text(3, 3, 3, &[(2, 9)])),
        ("notes.md", "# notes\n".to_owned()),
    ]);
    assert_eq!(index.len(), 3);
    assert_eq!(paths(&index, index.with_id(2)), ["b.md"]);
    assert_eq!(paths(&index, index.with_url("/u/3")), ["c.md"]);
    let b = index.file_id(&FilePath::new("b.md")).unwrap();
    assert_eq!(paths(&index, &index.backlinks_of(b)), ["a.md", "c.md"]);
    assert_eq!(paths(&index, &index.referrers(None, Some("/u/9"))), ["b.md", "c.md"]);
    assert_eq!(paths(&index, index.with_title_word("word2")), ["b.md"]);
    assert!(index.get_by_path(&FilePath::new("notes.md")).is_none());
}

#[test]
fn snapshots_are_unaffected_by_later_edits() {
    let mut index = index_of(&[("a.md", article_text(1, 1, 1, &[]))]);
    let snapshot = index.clone();
    upsert(&mut index, "a.md", &article_text(5, 5, 1, &[]));
    assert_eq!(paths(&snapshot, snapshot.with_id(1)), ["a.md"]);
    assert!(index.with_id(1).is_empty());
    assert_eq!(paths(&index, index.with_id(5)), ["a.md"]);
}

#[test]
fn the_index_keeps_no_long_text_and_what_is_wrong_with_one() {
    let long = "x".repeat(10_000);
    let text = format!("---\nid: 1\nurl: /u\nquestion: >-\n    {long}?\nanswer: ''\n---\n");
    let index = index_of(&[("a.md", text)]);
    let entry = index.get_by_path(&FilePath::new("a.md")).unwrap();
    let summary = &entry.summary;
    assert!(summary.texts().all(|text| text.len() < 100), "{summary:?}");
    let problems: Vec<&str> = entry.summary.local.iter().map(|found| &*found.message).collect();
    assert_eq!(problems, ["article has no `title`", "invalid `answer`: expected text, found an empty value"]);
}

#[test]
fn files_with_broken_links_follow_their_targets() {
    let mut index =
        index_of(&[("a.md", article_text(1, 1, 1, &[(2, 2)])), ("b.md", article_text(3, 3, 3, &[(1, 1)]))]);
    let broken = |index: &mut ArticleIndex, n: u8| {
        let files = index.files_with_broken_links(&[format!("word{n}")]);
        paths(index, &files)
    };
    assert_eq!(broken(&mut index, 2), ["a.md"]);
    assert!(broken(&mut index, 1).is_empty(), "b.md's link resolves");
    // The target appears: the link is no longer broken.
    upsert(&mut index, "c.md", &article_text(2, 2, 2, &[]));
    assert!(broken(&mut index, 2).is_empty());
    // a.md takes another id: b.md's link to it breaks.
    upsert(&mut index, "a.md", &article_text(7, 7, 1, &[(2, 2)]));
    assert_eq!(broken(&mut index, 1), ["b.md"]);
    index.remove(&FilePath::new("b.md"));
    assert!(broken(&mut index, 1).is_empty());
    // After a batch the map is rebuilt when asked.
    let text = article_text(4, 4, 4, &[(9, 9)]);
    let parsed = ArticleSummary::of_text(&text).expect("an article");
    index.upsert_batch(vec![(FilePath::new("d.md"), parsed, LineIndex::new(&text))]);
    assert_eq!(broken(&mut index, 9), ["d.md"]);
}

#[test]
fn files_compare_by_path_whatever_order_they_were_read_in() {
    let mut index = index_of(&[("m.md", article_text(1, 1, 1, &[])), ("c.md", article_text(2, 2, 2, &[]))]);
    let batch = ["z.md", "a.md", "n.md", "d.md"].map(|path| {
        let text = article_text(3, 3, 3, &[]);
        (FilePath::new(path), ArticleSummary::of_text(&text).expect("an article"), LineIndex::new(&text))
    });
    index.upsert_batch(batch.into());
    upsert(&mut index, "b.md", &article_text(4, 4, 4, &[]));
    let files: Vec<super::FileId> = index.iter().map(|(file, _)| file).collect();
    for a in &files {
        for b in &files {
            assert_eq!(index.cmp_paths(*a, *b), index.path(*a).cmp(index.path(*b)), "{a:?} {b:?}");
        }
    }
}
