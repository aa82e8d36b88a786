//! Definition, hover, references, lenses, links and symbols.

use expect_test::{Expect, expect};

use super::CLUSTER;
use crate::ide::document_links::document_links;
use crate::ide::goto_definition::goto_definition;
use crate::ide::hover::hover;
use crate::ide::references::{backlink_lens, references};
use crate::ide::symbols::{document_symbols, workspace_symbols};
use crate::test_support::Fixture;

const REFERRER: &str = r#"//- referrer.md
---
id: 90000
title: New
url: /new
related_article1:
    id: 87377
    title: >-
        How has Lumenus
        evolved over the years?
    url: /learn/health-studies/questions/how-has-lumenus-evolved-over-the-years
related_article2: {id: 87366, title: "What is the history of the Lumenus organization?", url: /learn/sociology/questions/what-is-the-history-of-the-lumenus-organization}
related_article3:
    id: 4040
    title: How has Lumenus evolve?
    url: /learn/health-studies/questions/how-has-lumenus-evolve
---
"#;

/// `text` with `$0` placed at the first occurrence of `marker` (plus `shift` bytes).
fn at(text: &str, marker: &str, shift: usize) -> String {
    let at = text.find(marker).expect("marker in text") + shift;
    format!("{}$0{}", &text[..at], &text[at..])
}

fn fixture_at(marker: &str, shift: usize) -> Fixture {
    Fixture::parse(&format!("{CLUSTER}{}", at(REFERRER, marker, shift)))
}

fn show_range(fixture: &Fixture, file: crate::index::FileId, range: text_size::TextRange) -> String {
    let path = fixture.index.path(file);
    format!("{path} «{}»", &fixture.text(path)[range])
}

fn definition(marker: &str, shift: usize, expect: Expect) {
    let fixture = fixture_at(marker, shift);
    let (file, offset) = fixture.cursor.expect("cursor");
    let found = goto_definition(&fixture.index, fixture.current(file), (offset as u32).into());
    let shown = found.map_or("none".to_owned(), |target| show_range(&fixture, target.file, target.range));
    expect.assert_eq(&shown);
}

#[test]
fn definition_from_url_id_and_folded_title() {
    definition(
        "/learn/health-studies/questions/how-has",
        10,
        expect!["evolved.md «How has Lumenus evolved over the years?»"],
    );
    definition("87377", 2, expect!["evolved.md «How has Lumenus evolved over the years?»"]);
    definition(
        "evolved over the years?\n    url",
        3,
        expect!["evolved.md «How has Lumenus evolved over the years?»"],
    );
    definition("87366", 0, expect!["history.md «What is the history of the Lumenus organization?»"]);
    definition("4040", 1, expect!["none"]);
}

fn hover_text(marker: &str, shift: usize) -> String {
    let fixture = fixture_at(marker, shift);
    let (file, offset) = fixture.cursor.expect("cursor");
    hover(&fixture.index, fixture.current(file), (offset as u32).into(), 300, |file| {
        fixture.long_texts_of(file)
    })
    .map_or("none".to_owned(), |hover| hover.markdown)
}

#[test]
fn hover_on_a_link_previews_the_target() {
    expect![[r#"
        ### How has Lumenus evolved over the years?

        Health Studies · `/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years` · id 87377

        **How has Lumenus evolved over the years?**

        Lumenus formed in 2019.

        It **grew** since.

        ---

        1 article links here."#]]
    .assert_eq(&hover_text("id: 87377", 5));
}

#[test]
fn hover_on_a_broken_link_names_the_closest() {
    expect![[r#"
        **Broken link**: no article has this id or url.

        Closest article: “How has Lumenus evolved over the years?” (id 87377)"#]]
    .assert_eq(&hover_text("4040", 0));
}

#[test]
fn hover_shows_a_long_question_whole_up_to_the_preview_length() {
    // 150 characters, 450 bytes: the whole question fits a 300-character
    // preview, however many bytes it takes.
    let question = "長".repeat(149) + "?";
    let fixture = Fixture::parse(&format!(
        "//- target.md\n---\nid: 2\ntitle: T\nurl: /t\nquestion: >-\n    {question}\nanswer: A.\n---\n\
         //- linking.md\n---\nid: 1\ntitle: L\nurl: /l\nrelated_article1:\n    id: $02\n---\n"
    ));
    let (file, offset) = fixture.cursor.expect("cursor");
    let shown = hover(&fixture.index, fixture.current(file), (offset as u32).into(), 300, |file| {
        fixture.long_texts_of(file)
    })
    .map(|hover| hover.markdown)
    .unwrap_or_default();
    assert!(shown.contains(&format!("**{question}**")), "{shown}");
    let cut = hover(&fixture.index, fixture.current(file), (offset as u32).into(), 100, |file| {
        fixture.long_texts_of(file)
    })
    .map(|hover| hover.markdown)
    .unwrap_or_default();
    assert!(cut.contains(&format!("**{}…**", "長".repeat(100))), "{cut}");
}

#[test]
fn hover_on_own_id_lists_referrers() {
    let fixture = Fixture::parse(&format!("{}{REFERRER}", at(CLUSTER, "id: 87377", 5)));
    let (file, offset) = fixture.cursor.expect("cursor");
    let shown = hover(&fixture.index, fixture.current(file), (offset as u32).into(), 300, |file| {
        fixture.long_texts_of(file)
    })
    .map(|hover| hover.markdown);
    expect![[r#"
        1 article links here.
        - “New” (id 90000)"#]]
    .assert_eq(&shown.unwrap_or_default());
}

#[test]
fn references_of_an_article() {
    let fixture = Fixture::parse(&format!(
        "{}{REFERRER}//- second.md\n---\nid: 1\ntitle: S\nurl: /s\nrelated_article1: {{id: 87377}}\n---\n",
        at(CLUSTER, "url: /learn/health-studies/questions/how-has", 6)
    ));
    let (file, offset) = fixture.cursor.expect("cursor");
    let text = fixture.text(fixture.index.path(file));
    let found = references(&fixture.index, fixture.current(file), (offset as u32).into(), true);
    let shown: Vec<String> =
        found.iter().map(|found| show_range(&fixture, found.file, found.range)).collect();
    expect![[r#"
        evolved.md «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years»
        referrer.md «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years»
        second.md «related_article1»"#]]
    .assert_eq(&shown.join("\n"));
    let (range, count) = backlink_lens(&fixture.index, fixture.current(file)).expect("a lens");
    assert_eq!((&text[range], count), ("id", 2));
}

#[test]
fn document_links_for_resolving_urls() {
    let fixture = fixture_at("New", 0);
    let (file, _) = fixture.cursor.expect("cursor");
    let shown: Vec<String> = document_links(&fixture.index, fixture.current(file))
        .into_iter()
        .map(|(range, target)| {
            format!("{} -> {}", &fixture.text(fixture.index.path(file))[range], fixture.index.path(target))
        })
        .collect();
    expect![[r#"
        /new -> referrer.md
        /learn/health-studies/questions/how-has-lumenus-evolved-over-the-years -> evolved.md
        /learn/sociology/questions/what-is-the-history-of-the-lumenus-organization -> history.md"#]]
    .assert_eq(&shown.join("\n"));
}

#[test]
fn outline_and_workspace_symbols() {
    let fixture = fixture_at("New", 0);
    let (file, _) = fixture.cursor.expect("cursor");
    let outline = document_symbols(&fixture.index, fixture.current(file));
    let mut shown = String::new();
    for symbol in &outline {
        shown += &format!("{} ({:?})\n", symbol.name, symbol.detail);
        for child in &symbol.children {
            shown += &format!("  {} ({:?})\n", child.name, child.detail);
        }
    }
    for query in ["lumenus hist", "873", "漢字"] {
        let found = workspace_symbols(&fixture.index, query, 10);
        let names: Vec<&str> = found.iter().map(|symbol| symbol.name.as_str()).collect();
        shown += &format!("{query}: {names:?}\n");
    }
    expect![[r#"
        New (Some("id 90000"))
          related_article1 (Some("How has Lumenus evolved over the years?"))
          related_article2 (Some("What is the history of the Lumenus organization?"))
          related_article3 (Some("How has Lumenus evolve?"))
        lumenus hist: ["What is the history of the Lumenus organization?"]
        873: ["How has Lumenus evolved over the years?", "What is the history of the Lumenus organization?", "What specialized programs does Lumenus offer for autism support?"]
        漢字: ["🦀 Lumenus 漢字 guide"]
    "#]].assert_eq(&shown);
}
