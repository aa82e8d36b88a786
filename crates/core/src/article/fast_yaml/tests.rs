//! The fast path against saphyr: wherever it takes a text, its events and
//! spans must be saphyr's, and it must take the shapes workspaces have.

use std::path::Path;

use proptest::prelude::*;

use super::events;
use crate::article::find_front_matter;
use crate::article::parse::saphyr_events;

use article_corpus as corpus;

/// Whether the fast path took `yaml`; panics when it yields other events
/// than saphyr's.
fn same_as_saphyr(yaml: &str) -> bool {
    let Some(fast) = events(yaml) else { return false };
    match saphyr_events(yaml) {
        Ok(full) => assert_eq!(fast, full, "the fast path and saphyr disagree on\n{yaml}"),
        Err((at, message)) => panic!("the fast path took YAML saphyr refuses at {at} ({message}):\n{yaml}"),
    }
    true
}

fn yaml_of(text: &str) -> &str {
    let front_matter = find_front_matter(text).expect("a front matter");
    &text[front_matter.yaml]
}

#[test]
fn takes_every_article_of_the_fixtures_that_has_the_shape() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/lumenus");
    let mut taken = 0;
    for entry in std::fs::read_dir(&root).expect("fixtures/lumenus") {
        let path = entry.expect("a fixture").path();
        let text = std::fs::read_to_string(&path).expect("a readable fixture");
        assert!(same_as_saphyr(yaml_of(&text)), "the fast path left {} to saphyr", path.display());
        taken += 1;
    }
    assert_eq!(taken, 14);
}

#[test]
fn takes_every_generated_article() {
    let corpus = corpus::generate(corpus::CorpusSpec::new(2_000, 7));
    for i in 0..corpus.len() {
        let (path, text) = corpus::render(&corpus, i);
        assert!(same_as_saphyr(yaml_of(&text)), "the fast path left {} to saphyr", path.display());
    }
}

#[test]
fn takes_the_simple_shapes() {
    for yaml in [
        "id: 1\n",
        "a: >-\n    one\n    two ü\nb: >\n  x\nc: |\n  l1\n  l2\nd: |-\n  z\n",
        "e: 'it''s'\nf: \"dq\"\ng:\nh: x  \nk:\n  m: v\n  n: >-\n    last\n",
        "date_format: MMM DD, YYYY\nscore: -1.0\nurl: https://example.com/a?b=c\n",
        "seo:\n  title: A | B\n  keys: not [a] sequence, {b}\nnext: 1\n",
        "a:\n  b:\n    c: 1\n  d:\nz:\n",
        "title: 漢字 🦀 and ümlauts\nq: \"  spaced  \"\n",
        "block: >-\n    trailing  \n    # not a comment\n  \nx: 1\n",
    ] {
        let taken = same_as_saphyr(yaml);
        // The last has a blank line inside its block scalar.
        assert_eq!(taken, !yaml.contains("\n  \n"), "{yaml}");
    }
}

#[test]
fn leaves_other_shapes_to_saphyr() {
    for yaml in [
        "",
        "id: 1",
        "id: 1\r\n",
        "id:\t1\n",
        "# a comment\nid: 1\n",
        "id: 1 # a comment\n",
        "id: 1\n\ntitle: x\n",
        "- a\n- b\n",
        "related_article1: {id: 1}\n",
        "a: &anchor 1\nb: *anchor\n",
        "a: !tag 1\n",
        "a: \"escaped \\\" quote\"\n",
        "a: 'open\n",
        "a: multi\n  line plain\n",
        "a: >2\n   indented\n",
        "a: >+\n  kept\n",
        "a: >-\n    one\n      more indented\n",
        "a:b\n",
        "a: b: c\n",
        "? complex\n: key\n",
        " id: 1\n",
        "a:\n  b: 1\n c: 2\n",
        "a: 1\n  b: 2\n",
        "a: >-\nb: 1\n",
        "\u{feff}a: 1\n",
        "%YAML 1.2\n---\na: 1\n",
    ] {
        assert!(!same_as_saphyr(yaml), "the fast path took {yaml:?}");
    }
}

/// Random text for a scalar: mostly words, with the characters that make
/// YAML read a line otherwise.
fn scalar_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 ]{1,12}",
        2 => "[a-z0-9 :#,\\-'\"\\[\\]{}|>&*!?%@`/.ü漢🦀]{1,10}",
        1 => Just(String::new()),
    ]
}

#[derive(Clone, Debug)]
enum Shape {
    Plain(String),
    SingleQuoted(String),
    DoubleQuoted(String),
    Block(&'static str, Vec<String>, usize),
    Mapping,
    Empty,
    Raw(String),
}

/// Entries whose scalars are `text`, block scalars headed by one of
/// `headers`, and, when `raw`, lines of anything after a key.
fn shapes(
    text: BoxedStrategy<String>,
    headers: Vec<&'static str>,
    raw: bool,
) -> impl Strategy<Value = Shape> {
    let raw_weight = u32::from(raw);
    prop_oneof![
        4 => text.clone().prop_map(Shape::Plain),
        1 => text.clone().prop_map(Shape::SingleQuoted),
        1 => text.clone().prop_map(Shape::DoubleQuoted),
        3 => (prop::sample::select(headers), prop::collection::vec(text, 1..4), 1..5usize)
            .prop_map(|(header, lines, indent)| Shape::Block(header, lines, indent)),
        2 => Just(Shape::Mapping),
        1 => Just(Shape::Empty),
        raw_weight => "[ -~]{0,8}".prop_map(Shape::Raw),
    ]
}

fn shape() -> impl Strategy<Value = Shape> {
    shapes(scalar_text().boxed(), vec![">-", ">", "|", "|-", ">2", ">+", "|+"], true)
}

fn words() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9][a-zA-Z0-9 ,.ü漢🦀'/-]{0,12}[a-zA-Z0-9.?]"
}

fn well_formed_shape() -> impl Strategy<Value = Shape> {
    shapes(words().boxed(), vec![">-", ">", "|", "|-"], false)
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec!["id", "title", "url", "seo", "related_article1", "a-b", "_x"])
            .prop_map(str::to_owned),
        1 => "[a-z_\\-][a-z0-9_\\-]{0,4}",
    ]
}

/// Renders entries as YAML lines: a mapping entry opens a deeper level for
/// the entries after it, and `dedent` closes levels before an entry.
fn render(entries: &[(usize, usize, String, Shape)]) -> String {
    let mut yaml = String::new();
    let mut depth = 0usize;
    for (dedent, extra_spaces, key, shape) in entries {
        depth = depth.saturating_sub(*dedent);
        let indent = " ".repeat(depth * 2 + extra_spaces);
        yaml.push_str(&indent);
        yaml.push_str(key);
        yaml.push(':');
        match shape {
            Shape::Plain(text) => yaml.push_str(&format!(" {text}")),
            Shape::SingleQuoted(text) => yaml.push_str(&format!(" '{text}'")),
            Shape::DoubleQuoted(text) => yaml.push_str(&format!(" \"{text}\"")),
            Shape::Block(header, lines, deeper) => {
                yaml.push_str(&format!(" {header}"));
                for line in lines {
                    yaml.push('\n');
                    yaml.push_str(&indent);
                    yaml.push_str(&" ".repeat(*deeper));
                    yaml.push_str(line);
                }
            }
            Shape::Mapping => depth += 1,
            Shape::Empty => {}
            Shape::Raw(raw) => yaml.push_str(raw),
        }
        yaml.push('\n');
    }
    yaml
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn yields_saphyrs_events_wherever_it_reads(
        entries in prop::collection::vec((0..3usize, prop_oneof![6 => Just(0usize), 1 => 1..3usize], key(), shape()), 1..10)
    ) {
        same_as_saphyr(&render(&entries));
    }

    /// Mostly the shape itself, so that most cases take the fast path and
    /// compare nested mappings, dedents and block scalars' ends.
    #[test]
    fn yields_saphyrs_events_on_well_formed_front_matters(
        entries in prop::collection::vec((0..3usize, Just(0usize), key(), well_formed_shape()), 1..16)
    ) {
        same_as_saphyr(&render(&entries));
    }
}
