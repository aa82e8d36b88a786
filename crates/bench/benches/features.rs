//! Latency of the editing features on a generated corpus of 1,000, 10,000 and
//! 100,000 articles (the last is the size the targets are set for: a
//! completion in under 5 ms, workspace symbols in under 20 ms, the re-check
//! of one edited article in under 1 ms).
//!
//! ```sh
//! cargo bench --bench features
//! cargo bench --bench features -- workspace_symbols   # a filter
//! ```
//!
//! Each size's index is built once, in memory (no files), from the same
//! generator as `examples/gen_corpus.rs`; building it is not timed. Every
//! result is checked once before timing, so that an empty answer cannot pass
//! for a fast one.

use article_corpus as corpus;

use std::sync::OnceLock;

use article_core::article::{self as model, parse_article};
use article_core::diagnostics::{DiagnosticCode, article_diagnostics};
use article_core::ide::CurrentFile;
use article_core::ide::completion::{MAX_ITEMS, completions};
use article_core::ide::goto_definition::goto_definition;
use article_core::ide::hover::hover;
use article_core::ide::preview::{LongTexts, long_texts_of_text};
use article_core::ide::references::references;
use article_core::ide::symbols::workspace_symbols;
use article_core::index::{ArticleIndex, FileId, FilePath};
use article_core::line_index::LineIndex;
use article_core::resolve::{LinkTarget, resolve_link};
use article_core::summary::ArticleSummary;
use divan::{Bencher, black_box};
use rayon::prelude::*;
use text_size::TextSize;

use corpus::CorpusSpec;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];
const SEED: u64 = 1;
/// How many workspace symbols the server asks for.
const SYMBOL_LIMIT: usize = 100;
/// How much of an answer a hover shows.
const PREVIEW_CHARS: usize = 300;

fn main() {
    divan::main();
}

/// One size's index, with a draft being edited and two existing articles
/// (one whose links all resolve, one with a broken link) to put cursors in.
struct Fixture {
    /// The corpus.
    index: ArticleIndex,
    /// The corpus and the draft.
    edited: ArticleIndex,
    /// A new article whose related blocks hold the completion cursors.
    draft: FileId,
    draft_text: String,
    draft_article: model::Article,
    /// After `id: ` with nothing typed.
    id_empty: TextSize,
    /// After `id: 20`.
    id_digits: TextSize,
    /// After `title: >-` and `commun` on the next line.
    title_word: TextSize,
    clean: Article,
    broken: Article,
    /// A question and answer to show in hovers (the index keeps neither).
    long_texts: LongTexts,
}

/// An existing article of the corpus, with a cursor on a related block's id.
struct Article {
    file: FileId,
    text: String,
    model: model::Article,
    link_id: TextSize,
}

impl Article {
    fn current(&self) -> CurrentFile<'_> {
        CurrentFile { file: self.file, text: &self.text, article: &self.model }
    }
}

impl Fixture {
    fn draft(&self) -> CurrentFile<'_> {
        CurrentFile { file: self.draft, text: &self.draft_text, article: &self.draft_article }
    }
}

fn fixture(articles: usize) -> &'static Fixture {
    static FIXTURES: [OnceLock<Fixture>; SIZES.len()] = [const { OnceLock::new() }; SIZES.len()];
    let slot = SIZES.iter().position(|&size| size == articles).expect("one of SIZES");
    FIXTURES[slot].get_or_init(|| build(articles))
}

fn corpus_path(relative: &std::path::Path) -> FilePath {
    FilePath::new(format!("/corpus/{}", relative.to_str().expect("generated paths are UTF-8")))
}

fn build(articles: usize) -> Fixture {
    let corpus = corpus::generate(CorpusSpec::new(articles, SEED));
    let parsed: Vec<_> = (0..corpus.len())
        .into_par_iter()
        .map(|i| {
            let (path, text) = corpus::render(&corpus, i);
            let article = ArticleSummary::of_text(&text).expect("a generated article parses");
            (corpus_path(&path), article, LineIndex::new(&text))
        })
        .collect();
    let index = ArticleIndex::from_articles(parsed);
    assert_eq!(index.len(), articles);

    let clean = find_article(&index, &corpus, |target| matches!(target, LinkTarget::Resolved(_)), true);
    let broken = find_article(&index, &corpus, |target| matches!(target, LinkTarget::Broken), false);
    let long_texts = long_texts_of_text(&clean.text).expect("an article");
    assert!(long_texts.question.is_some() && long_texts.answer.is_some());

    // The draft links to article 0 (so completion has a target to leave out)
    // and has three blocks being filled in.
    let draft_text = format!(
        "---\n_schema: default\nid: {draft_id}\ndate: 2024-06-01\ntitle: >-\n    \
         How does Lumenus approach community health programs for newcomers?\n\
         subject: Health Studies\nfile_name: bench-draft.md\n\
         url: /learn/health-studies/questions/bench-draft\n\
         related_article1:\n    id: {id0}\n    title: >-\n        {title0}\n    subject: {subject0}\n    url: {url0}\n\
         related_article2:\n    id: \n\
         related_article3:\n    id: 20\n\
         related_article4:\n    title: >-\n        commun\n\
         ---\n\nA draft.\n",
        draft_id = corpus::FIRST_ID - 1,
        id0 = corpus.id(0),
        title0 = corpus.title(0),
        subject0 = corpus.subject(0),
        url0 = corpus.url(0),
    );
    let after = |needle: &str| TextSize::from((draft_text.find(needle).expect(needle) + needle.len()) as u32);
    let id_empty = after("related_article2:\n    id: ");
    let id_digits = after("related_article3:\n    id: 20");
    let title_word = after("related_article4:\n    title: >-\n        commun");
    // The corpus index stays as it was; completion runs on a clone of it
    // holding the draft, as the server's snapshot does while one is edited.
    let mut edited = index.clone();
    let draft_article = parse_article(&draft_text).expect("the draft parses");
    let draft = edited.upsert(
        FilePath::new("/corpus/health-studies/bench-draft.md"),
        ArticleSummary::of(&draft_article),
        LineIndex::new(&draft_text),
    );

    let fixture = Fixture {
        index,
        edited,
        draft,
        draft_text,
        draft_article,
        id_empty,
        id_digits,
        title_word,
        clean,
        broken,
        long_texts,
    };
    check(&fixture, articles);
    fixture
}

/// The first article with a related block whose target is `wanted`, and, if
/// `all` is set, whose every block is so.
fn find_article(
    index: &ArticleIndex,
    corpus: &corpus::Corpus,
    wanted: impl Fn(&LinkTarget) -> bool,
    all: bool,
) -> Article {
    for i in 0..corpus.len() {
        let (path, text) = corpus::render(corpus, i);
        let file = index.file_id(&corpus_path(&path)).expect("indexed");
        let article = parse_article(&text).expect("a generated article parses");
        let targets: Vec<_> = article.related.iter().map(|link| resolve_link(index, link)).collect();
        let chosen = if all {
            (!targets.is_empty() && targets.iter().all(&wanted)).then_some(0)
        } else {
            targets.iter().position(&wanted)
        };
        if let Some(at) = chosen {
            let link_id =
                article.related[at].id.as_ref().expect("generated blocks have an id").value_range().start();
            return Article { file, text, model: article, link_id };
        }
    }
    panic!("no article fits");
}

/// Each benchmarked call once, with what a sane answer looks like.
fn check(f: &Fixture, articles: usize) {
    let index = &f.index;
    for (what, offset) in [("id empty", f.id_empty), ("id digits", f.id_digits), ("title word", f.title_word)]
    {
        let found = completions(&f.edited, f.draft(), offset);
        assert!(!found.items.is_empty(), "{what}: no completion");
        assert!(found.items.len() <= MAX_ITEMS, "{what}: unbounded list");
        assert!(found.items.iter().all(|item| item.target != Some(f.draft)), "{what}: offers itself");
        if articles >= 10_000 {
            assert!(found.is_incomplete, "{what}: a cut list is marked incomplete");
        }
    }
    for query in SYMBOL_QUERIES {
        let symbols = workspace_symbols(index, query, SYMBOL_LIMIT);
        assert!(!symbols.is_empty() && symbols.len() <= SYMBOL_LIMIT, "symbols for {query:?}");
    }
    let card =
        hover(index, f.clean.current(), f.clean.link_id, PREVIEW_CHARS, |_| Some(f.long_texts.clone()))
            .expect("a hover on a resolved link");
    assert!(card.markdown.starts_with("### "), "{}", card.markdown);
    let broken = hover(index, f.broken.current(), f.broken.link_id, PREVIEW_CHARS, |_| None)
        .expect("a hover on a broken link");
    assert!(broken.markdown.contains("Closest article"), "{}", broken.markdown);
    let target = goto_definition(index, f.clean.current(), f.clean.link_id).expect("a definition");
    assert_ne!(target.file, f.clean.file);
    let refs = references(index, f.clean.current(), f.clean.link_id, true);
    assert!(refs.len() >= 2, "the declaration and at least this block");
    assert!(refs.iter().any(|r| r.file == f.clean.file));
    assert!(article_diagnostics(index, f.clean.file).is_empty(), "a clean article has no diagnostics");
    let diagnostics = article_diagnostics(index, f.broken.file);
    assert!(diagnostics.iter().any(|d| d.code == DiagnosticCode::BrokenLink));
}

/// Completion in the draft's related blocks.
mod completion {
    use super::*;

    #[divan::bench(args = SIZES)]
    fn id_nothing_typed(bencher: Bencher, articles: usize) {
        let f = fixture(articles);
        bencher.bench(|| completions(&f.edited, black_box(f.draft()), black_box(f.id_empty)));
    }

    #[divan::bench(args = SIZES)]
    fn id_digits_typed(bencher: Bencher, articles: usize) {
        let f = fixture(articles);
        bencher.bench(|| completions(&f.edited, black_box(f.draft()), black_box(f.id_digits)));
    }

    #[divan::bench(args = SIZES)]
    fn title_word_typed(bencher: Bencher, articles: usize) {
        let f = fixture(articles);
        bencher.bench(|| completions(&f.edited, black_box(f.draft()), black_box(f.title_word)));
    }
}

/// Common word, rare word, two words, id prefix, empty query.
const SYMBOL_QUERIES: [&str; 5] = ["community", "cybersecurity", "mental health", "2000", ""];

/// Workspace symbols, as the server asks for them (at most 100).
mod workspace_symbols {
    use super::*;

    fn run(bencher: Bencher, articles: usize, query: &str) {
        let f = fixture(articles);
        bencher.bench(|| workspace_symbols(&f.index, black_box(query), SYMBOL_LIMIT));
    }

    #[divan::bench(args = SIZES)]
    fn common_word(bencher: Bencher, articles: usize) {
        run(bencher, articles, SYMBOL_QUERIES[0]);
    }

    #[divan::bench(args = SIZES)]
    fn rare_word(bencher: Bencher, articles: usize) {
        run(bencher, articles, SYMBOL_QUERIES[1]);
    }

    #[divan::bench(args = SIZES)]
    fn two_words(bencher: Bencher, articles: usize) {
        run(bencher, articles, SYMBOL_QUERIES[2]);
    }

    #[divan::bench(args = SIZES)]
    fn id_prefix(bencher: Bencher, articles: usize) {
        run(bencher, articles, SYMBOL_QUERIES[3]);
    }

    #[divan::bench(args = SIZES)]
    fn empty_query(bencher: Bencher, articles: usize) {
        run(bencher, articles, SYMBOL_QUERIES[4]);
    }
}

/// Hover on a related block: a card for a resolved link, the closest match
/// for a broken one.
mod hover {
    use super::*;

    #[divan::bench(args = SIZES)]
    fn resolved_link(bencher: Bencher, articles: usize) {
        let f = fixture(articles);
        let a = &f.clean;
        bencher.bench(|| {
            hover(&f.index, black_box(a.current()), black_box(a.link_id), PREVIEW_CHARS, |_| {
                Some(f.long_texts.clone())
            })
        });
    }

    #[divan::bench(args = SIZES)]
    fn broken_link(bencher: Bencher, articles: usize) {
        let f = fixture(articles);
        let a = &f.broken;
        bencher
            .bench(|| hover(&f.index, black_box(a.current()), black_box(a.link_id), PREVIEW_CHARS, |_| None));
    }
}

#[divan::bench(args = SIZES)]
fn goto_definition_of_link(bencher: Bencher, articles: usize) {
    let f = fixture(articles);
    let a = &f.clean;
    bencher.bench(|| goto_definition(&f.index, black_box(a.current()), black_box(a.link_id)));
}

#[divan::bench(args = SIZES)]
fn references_of_link(bencher: Bencher, articles: usize) {
    let f = fixture(articles);
    let a = &f.clean;
    bencher.bench(|| references(&f.index, black_box(a.current()), black_box(a.link_id), true));
}

/// The re-check of one edited article.
mod article_diagnostics {
    use super::*;

    #[divan::bench(args = SIZES)]
    fn clean(bencher: Bencher, articles: usize) {
        let f = fixture(articles);
        bencher.bench(|| article_diagnostics(&f.index, black_box(f.clean.file)));
    }

    #[divan::bench(args = SIZES)]
    fn broken_link(bencher: Bencher, articles: usize) {
        let f = fixture(articles);
        bencher.bench(|| article_diagnostics(&f.index, black_box(f.broken.file)));
    }
}
