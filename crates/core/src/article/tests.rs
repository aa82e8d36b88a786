//! Parser tests: each renders the model as `field = value @ source slice`.

use expect_test::{Expect, expect};

use super::{Article, Field, SyntaxError, Value, parse_article};

fn render(text: &str) -> String {
    let Some(article) = parse_article(text) else { return "not an article\n".to_owned() };
    render_article(text, &article)
}

fn render_article(text: &str, article: &Article) -> String {
    let mut out = String::new();
    let top = [
        ("id", &article.id),
        ("title", &article.title),
        ("subject", &article.subject),
        ("url", &article.url),
        ("file_name", &article.file_name),
        ("question", &article.question),
        ("answer", &article.answer),
    ];
    for (name, field) in top {
        if let Some(field) = field {
            out += &render_field(text, name, field, "");
        }
    }
    for link in &article.related {
        let flow = if link.flow { " (flow)" } else { "" };
        out += &format!("related_article{}{flow} @ {:?}\n", link.number, &text[link.range]);
        let fields =
            [("id", &link.id), ("title", &link.title), ("subject", &link.subject), ("url", &link.url)];
        for (name, field) in fields {
            if let Some(field) = field {
                out += &render_field(text, name, field, "  ");
            }
        }
    }
    for error in &article.syntax_errors {
        match error {
            SyntaxError::Yaml { range, message } => {
                out += &format!("yaml error @ {:?} {:?}: {message}\n", range, &text[*range]);
            }
            SyntaxError::UnterminatedFrontMatter { range } => {
                out += &format!("unterminated @ {:?} {:?}\n", range, &text[*range]);
            }
            SyntaxError::TooLarge { range, bytes, limit } => {
                out += &format!("too large @ {:?} {:?}: {bytes} > {limit}\n", range, &text[*range]);
            }
        }
    }
    out
}

fn render_field(text: &str, name: &str, field: &Field, indent: &str) -> String {
    assert_eq!(&text[field.key], name, "key range must cover the key");
    match &field.value {
        Value::Scalar(scalar) => format!(
            "{indent}{name} = {:?} {:?} node {:?} content {:?}\n",
            scalar.text, scalar.style, &text[scalar.node], &text[scalar.content]
        ),
        other => format!("{indent}{name} = {} {:?}\n", other.shape(), &text[other.range()]),
    }
}

fn check(text: &str, expect: Expect) {
    expect.assert_eq(&render(text));
}

#[test]
fn seed_shape_block_scalars() {
    check(
        "---\nid: 87384\ntitle: >-\n    Does Lumenus collaborate?\nanswer: >-\n    One.\\n\\nTwo.\nsubject: Health Studies\nurl: /learn/health-studies/questions/x\nrelated_article1:\n    id: 87377\n    title: >-\n        How has Lumenus evolved?\n    subject: Health Studies\n    url: /learn/health-studies/questions/y\n---\n\n&nbsp;",
        expect![[r#"
            id = "87384" Plain node "87384" content "87384"
            title = "Does Lumenus collaborate?" Folded node ">-\n    Does Lumenus collaborate?" content "Does Lumenus collaborate?"
            subject = "Health Studies" Plain node "Health Studies" content "Health Studies"
            url = "/learn/health-studies/questions/x" Plain node "/learn/health-studies/questions/x" content "/learn/health-studies/questions/x"
            answer = "One.\\n\\nTwo." Folded node ">-\n    One.\\n\\nTwo." content "One.\\n\\nTwo."
            related_article1 @ "related_article1:\n    id: 87377\n    title: >-\n        How has Lumenus evolved?\n    subject: Health Studies\n    url: /learn/health-studies/questions/y"
              id = "87377" Plain node "87377" content "87377"
              title = "How has Lumenus evolved?" Folded node ">-\n        How has Lumenus evolved?" content "How has Lumenus evolved?"
              subject = "Health Studies" Plain node "Health Studies" content "Health Studies"
              url = "/learn/health-studies/questions/y" Plain node "/learn/health-studies/questions/y" content "/learn/health-studies/questions/y"
        "#]],
    );
}

#[test]
fn block_scalar_text_starting_like_an_anchor_or_a_tag_is_text() {
    check(
        "---\nid: 1\ntitle: >-\n    &What is it?\nsubject: &s !t Health\nquestion: |\n  !Why\nanswer: &a !t >-\n  Text\n---\n",
        expect![[r#"
            id = "1" Plain node "1" content "1"
            title = "&What is it?" Folded node ">-\n    &What is it?" content "&What is it?"
            subject = "Health" Plain node "Health" content "Health"
            question = "!Why\n" Literal node "|\n  !Why" content "!Why"
            answer = "Text" Folded node ">-\n  Text" content "Text"
        "#]],
    );
}

#[test]
fn flow_mapping_quoted_and_literal() {
    check(
        "---\nid: 7\ntitle: 'It''s: quoted'\nsubject: \"Health Studies\"\nurl: /x\nquestion: |\n  line one\n  line two\nrelated_article1: {id: 1, url: /a, title: \"A: b\"}\n---\n",
        expect![[r#"
            id = "7" Plain node "7" content "7"
            title = "It's: quoted" SingleQuoted node "'It''s: quoted'" content "It''s: quoted"
            subject = "Health Studies" DoubleQuoted node "\"Health Studies\"" content "Health Studies"
            url = "/x" Plain node "/x" content "/x"
            question = "line one\nline two\n" Literal node "|\n  line one\n  line two" content "line one\n  line two"
            related_article1 (flow) @ "related_article1: {id: 1, url: /a, title: \"A: b\"}"
              id = "1" Plain node "1" content "1"
              title = "A: b" DoubleQuoted node "\"A: b\"" content "A: b"
              url = "/a" Plain node "/a" content "/a"
        "#]],
    );
}

#[test]
fn empty_values_have_no_characters() {
    // An implicit null in a flow mapping comes with the span of the `,` or
    // `}` after it; an anchored empty value ends after its anchor.
    let text = "---\nid: 7\nrelated_article1: {title, id: &a, url: }\n---\n";
    check(
        text,
        expect![[r#"
            id = "7" Plain node "7" content "7"
            related_article1 (flow) @ "related_article1: {title, id: &a, url: }"
              id = "" Plain node "" content ""
              title = "" Plain node "" content ""
              url = "" Plain node "" content ""
        "#]],
    );
    let article = parse_article(text).expect("an article");
    let link = &article.related[0];
    let at = |field: &Option<Field>| field.as_ref().map(|field| usize::from(field.value.range().start()));
    let after = |marker: &str| text.find(marker).map(|at| at + marker.len());
    assert_eq!(at(&link.title), after("{title"));
    assert_eq!(at(&link.id), after("id: &a"));
    for field in [&link.title, &link.id] {
        assert!(field.as_ref().is_some_and(|field| field.value.range().is_empty()));
    }
}

#[test]
fn comments_crlf_and_bom() {
    check(
        "\u{feff}---\r\n# leading comment\r\nid: 7 # trailing\r\ntitle: >-\r\n    Folded\r\n    twice\r\n\r\nurl: /x\r\nrelated_article2:\r\n  # inside\r\n  id: 3\r\n  url: /y\r\n---\r\nbody\r\n",
        expect![[r#"
            id = "7" Plain node "7" content "7"
            title = "Folded twice" Folded node ">-\r\n    Folded\r\n    twice" content "Folded\r\n    twice"
            url = "/x" Plain node "/x" content "/x"
            related_article2 @ "related_article2:\r\n  # inside\r\n  id: 3\r\n  url: /y"
              id = "3" Plain node "3" content "3"
              url = "/y" Plain node "/y" content "/y"
        "#]],
    );
}

#[test]
fn emoji_and_cjk() {
    check(
        "---\nid: 1\ntitle: >-\n    🦀 Rust 漢字 ✨\nurl: /x\nrelated_article1:\n    id: 2\n    title: 「引用」 🎉\n    url: /y\n---\n",
        expect![[r#"
            id = "1" Plain node "1" content "1"
            title = "🦀 Rust 漢字 ✨" Folded node ">-\n    🦀 Rust 漢字 ✨" content "🦀 Rust 漢字 ✨"
            url = "/x" Plain node "/x" content "/x"
            related_article1 @ "related_article1:\n    id: 2\n    title: 「引用」 🎉\n    url: /y"
              id = "2" Plain node "2" content "2"
              title = "「引用」 🎉" Plain node "「引用」 🎉" content "「引用」 🎉"
              url = "/y" Plain node "/y" content "/y"
        "#]],
    );
}

#[test]
fn body_with_fences_is_not_front_matter() {
    check(
        "---\nid: 1\nurl: /x\n---\n\nText\n---\n\nid: 2\n",
        expect![[r#"
        id = "1" Plain node "1" content "1"
        url = "/x" Plain node "/x" content "/x"
    "#]],
    );
}

#[test]
fn markdown_without_front_matter_is_not_an_article() {
    check(
        "# Notes\n\nSome text.\n---\n",
        expect![[r#"
        not an article
    "#]],
    );
    check(
        "---\ntitle: A blog post\nlayout: post\n---\n",
        expect![[r#"
        not an article
    "#]],
    );
}

#[test]
fn unterminated_front_matter() {
    check(
        "---\nid: 1\ntitle: T\nurl: /x\n\n&nbsp;\n",
        expect![[r#"
        id = "1" Plain node "1" content "1"
        title = "T" Plain node "T" content "T"
        url = "/x" Plain node "/x" content "/x"
        unterminated @ 0..3 "---"
    "#]],
    );
    check(
        "---\n\nA thematic break, then text.\n",
        expect![[r#"
        not an article
    "#]],
    );
}

#[test]
fn yaml_syntax_error_keeps_what_came_before() {
    check(
        "---\nid: 1\nurl: /x\ntitle: [unclosed\nsubject: S\n---\n",
        expect![[r#"
        id = "1" Plain node "1" content "1"
        url = "/x" Plain node "/x" content "/x"
        yaml error @ 42..43 ":": illegal placement of ':' indicator
    "#]],
    );
    check(
        "---\nid: 1\n\t- tab\n---\n",
        expect![[r#"
        yaml error @ 8..9 "1": while scanning a plain scalar, found a tab
    "#]],
    );
}

#[test]
fn front_matter_over_the_limit_is_not_read() {
    let limit = super::parse::MAX_FRONT_MATTER_BYTES;
    let filler = "note: padding padding padding\n".repeat(limit / 30 + 1);
    let closed = format!("---\nid: 1\ntitle: T\nurl: /x\n{filler}---\nbody\n");
    let bytes = closed.len() - "---\n".len() - "---\nbody\n".len();
    assert_eq!(render(&closed), format!("too large @ 0..3 \"---\": {bytes} > {limit}\n"));
    // Only the first part is read to tell an article from other Markdown.
    assert_eq!(render(&format!("---\ntitle: A post\n{filler}---\n")), "not an article\n");
    // Unclosed, only the missing fence is reported, from what fits the limit.
    let unclosed = format!("---\nid: 1\n{filler}");
    assert_eq!(render(&unclosed), "id = \"1\" Plain node \"1\" content \"1\"\nunterminated @ 0..3 \"---\"\n");
    let just_fits = format!("---\nid: 1\n{}\n---\n", "x".repeat(limit - "id: 1\n\n".len()));
    assert!(render(&just_fits).starts_with("id = "), "{}", render(&just_fits));
}

#[test]
fn wrong_shapes_are_kept_as_shapes() {
    check(
        "---\nid: [1, 2]\ntitle:\nurl: &u /x\nsubject: *u\nrelated_article1: not a mapping\nrelated_article2:\n  - a\n  - b\nrelated_articles: ignored\n---\n",
        expect![[r#"
            id = a sequence "[1, 2]"
            title = "" Plain node "" content ""
            subject = an alias "*u"
            url = "/x" Plain node "/x" content "/x"
            related_article1 @ "related_article1: not a mapping"
            related_article2 @ "related_article2:\n  - a\n  - b"
        "#]],
    );
}

#[test]
fn nested_mappings_are_skipped() {
    check(
        "---\nseo:\n  title: Not the title\n  page_description: >-\n    Text\nid: 5\nurl: /x\nrelated_article1:\n  id: 6\n  extra:\n    id: 99\n  url: /y\n---\n",
        expect![[r#"
            id = "5" Plain node "5" content "5"
            url = "/x" Plain node "/x" content "/x"
            related_article1 @ "related_article1:\n  id: 6\n  extra:\n    id: 99\n  url: /y"
              id = "6" Plain node "6" content "6"
              url = "/y" Plain node "/y" content "/y"
        "#]],
    );
}

#[test]
fn repeated_keys_are_found_in_short_and_long_mappings() {
    // Long mappings are hashed rather than listed: both must find the same.
    for keys in [3usize, 40, 500] {
        let mut text = String::from("---\nid: 1\n");
        for n in 0..keys {
            text.push_str(&format!("key{n}: {n}\n"));
        }
        text.push_str("id: 2\nkey1: again\n");
        text.push_str(&format!("key{}: last\n---\n", keys - 1));
        let article = parse_article(&text).expect("an article");
        let repeated: Vec<(&str, &str, &str)> = article
            .duplicate_keys
            .iter()
            .map(|key| (&*key.name, &text[key.first], &text[key.repeated]))
            .collect();
        let last = format!("key{}", keys - 1);
        assert_eq!(repeated, [("id", "id", "id"), ("key1", "key1", "key1"), (last.as_str(), &*last, &*last)]);
        let first_at = |key: &str| text.find(&format!("\n{key}:")).map(|at| at + 1);
        assert_eq!(
            article.duplicate_keys[1].first.start(),
            text_size::TextSize::try_from(first_at("key1").unwrap()).unwrap()
        );
    }
}
