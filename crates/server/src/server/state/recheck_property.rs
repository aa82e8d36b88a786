//! Incremental equals fresh, for what a change rechecks: after any change
//! through [`replace`], every file whose diagnostics differ from before the
//! change is among those it marked.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::replace;
use article_core::diagnostics::article_diagnostics;
use article_core::index::{ArticleIndex, FilePath};
use article_core::line_index::{LineCol, PositionEncoding};
use article_workspace::files::load_text;

const FILES: u8 = 6;

/// An article from narrow ranges, so that files claim the same ids and
/// urls, link to each other, and their fields move: `prefix` puts a line
/// (ASCII or not) above the fields, `answer` grows the answer below them.
#[derive(Clone, Debug)]
struct Text {
    id: u8,
    url: u8,
    title: u8,
    subject: u8,
    prefix: u8,
    answer: u8,
    links: Vec<(u8, u8, u8)>,
}

impl Text {
    fn render(&self) -> String {
        let prefix = ["", "# note\n", "# é\n"][usize::from(self.prefix % 3)];
        let mut text = format!(
            "---\n{prefix}id: {}\ntitle: Title {} word{}\nsubject: S{}\nurl: /u/{}\n",
            self.id, self.title, self.title, self.subject, self.url
        );
        for (n, (id, url, title)) in self.links.iter().enumerate() {
            text += &format!(
                "related_article{}:\n  id: {id}\n  title: Title {title} word{title}\n  subject: S0\n  url: /u/{url}\n",
                n + 1
            );
        }
        text += &format!("answer: {}\n---\nBody\n", "Words. ".repeat(usize::from(self.answer)));
        text
    }
}

fn text() -> impl Strategy<Value = Text> {
    (
        0u8..4,
        0u8..4,
        0u8..3,
        0u8..2,
        0u8..3,
        0u8..3,
        proptest::collection::vec((0u8..5, 0u8..5, 0u8..3), 0..3),
    )
        .prop_map(|(id, url, title, subject, prefix, answer, links)| Text {
            id,
            url,
            title,
            subject,
            prefix,
            answer,
            links,
        })
}

#[derive(Clone, Debug)]
enum Op {
    Write { file: u8, text: Text },
    NotAnArticle { file: u8 },
    Remove { file: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..FILES, text()).prop_map(|(file, text)| Op::Write { file, text }),
        1 => (0..FILES).prop_map(|file| Op::NotAnArticle { file }),
        1 => (0..FILES).prop_map(|file| Op::Remove { file }),
    ]
}

/// A diagnostic as a client sees it: code, message, where (in every
/// encoding), and its related information by file name.
type Shown = (String, String, Vec<LineCol>, Vec<(String, Vec<LineCol>, String)>);

fn shown(index: &ArticleIndex) -> BTreeMap<String, Vec<Shown>> {
    let encodings = [PositionEncoding::Utf8, PositionEncoding::Utf16, PositionEncoding::Utf32];
    let at = |file, range: text_size::TextRange| -> Vec<LineCol> {
        let Some(entry) = index.get(file) else { return Vec::new() };
        [range.start(), range.end()]
            .into_iter()
            .flat_map(|offset| {
                encodings.map(|encoding| entry.line_index.line_col(usize::from(offset), encoding))
            })
            .collect()
    };
    index
        .iter()
        .map(|(file, entry)| {
            let diagnostics = article_diagnostics(index, file)
                .into_iter()
                .map(|found| {
                    let related = found
                        .related
                        .iter()
                        .map(|info| {
                            (
                                index.path(info.file).to_string(),
                                at(info.file, info.range),
                                info.message.clone(),
                            )
                        })
                        .collect();
                    (found.code.as_str().to_owned(), found.message, at(file, found.range), related)
                })
                .collect();
            (entry.path.to_string(), diagnostics)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_change_marks_every_file_whose_diagnostics_change(ops in proptest::collection::vec(op(), 1..30)) {
        let mut index = ArticleIndex::new();
        let mut before = shown(&index);
        for op in ops {
            let (file, loaded) = match &op {
                Op::Write { file, text } => (file, Some(load_text(&text.render()))),
                Op::NotAnArticle { file } => (file, Some(load_text("# plain markdown\n"))),
                Op::Remove { file } => (file, None),
            };
            let mut affected = BTreeSet::new();
            replace(&mut index, FilePath::new(format!("/a{file}.md").as_str()), loaded, &mut affected);
            let after = shown(&index);
            let paths: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
            for path in paths {
                if before.get(path) != after.get(path) {
                    prop_assert!(
                        affected.contains(&FilePath::new(path.as_str())),
                        "{op:?} changed the diagnostics of {path} without marking it: {:?} -> {:?}",
                        before.get(path),
                        after.get(path)
                    );
                }
            }
            before = after;
        }
    }
}
