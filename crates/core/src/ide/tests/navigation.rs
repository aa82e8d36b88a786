//! Definition, hover, references, lenses, links and symbols.

use expect_test::{Expect, expect};

use super::CLUSTER;
use crate::ide::document_links::document_links;
use crate::ide::goto_definition::goto_definition;
use crate::ide::hover::hover;
use crate::ide::references::{backlink_lens, references};
use crate::ide::symbols::{document_symbols, workspace_symbols};
use crate::test_support::{Fixture, RepoFixtures, find_after, repo_fixtures, with_cursor};

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

// The repository's fixtures, as the editor scenarios open them.

const EVOLVED: &str = "lumenus/how-has-lumenus-evolved-over-the-years.md";
const FLOW: &str = "shapes/which-lumenus-articles-cover-its-history.md";
const LINKING: &str = "lumenus/where-links-start.md";

use article_corpus::samples::LINKING as LINKING_TEXT;

fn with_linking() -> RepoFixtures {
    repo_fixtures(&["lumenus"]).with(LINKING, LINKING_TEXT)
}

/// The files with the cursor at `offset` of `path`.
fn cursor_in(files: &RepoFixtures, path: &str, offset: usize) -> Fixture {
    let text = with_cursor(files.text(path), offset);
    files.clone().with(path, &text).fixture()
}

/// Hover at `offset` of `path`: where it applies, then its markdown.
fn hover_in(files: &RepoFixtures, path: &str, offset: usize, preview: usize) -> String {
    let fixture = cursor_in(files, path, offset);
    let (file, offset) = fixture.cursor.expect("cursor");
    let found = hover(&fixture.index, fixture.current(file), (offset as u32).into(), preview, |file| {
        fixture.long_texts_of(file)
    });
    found
        .map_or("none".to_owned(), |hover| format!("{}\n{}", fixture.span(file, hover.range), hover.markdown))
}

/// References at `offset` of `path`, one a line.
fn references_in(files: &RepoFixtures, path: &str, offset: usize, declaration: bool) -> String {
    let fixture = cursor_in(files, path, offset);
    let (file, offset) = fixture.cursor.expect("cursor");
    let found = references(&fixture.index, fixture.current(file), (offset as u32).into(), declaration);
    found.iter().map(|found| format!("{}\n", fixture.show(found.file, found.range))).collect()
}

#[test]
fn definition_from_anywhere_on_a_link_to_the_target_title() {
    let files = with_linking();
    let text = files.text(LINKING);
    let block1 = |needle: &str| find_after(text, "related_article1:", needle);
    let block2 = |needle: &str| find_after(text, "related_article2:", needle);
    let block3 = |needle: &str| find_after(text, "related_article3:", needle);
    let spots = [
        ("on the id", block1("87377").start + 2),
        ("on the url", block1("/learn").start + 20),
        ("on the title key", block1("title").start),
        ("on the folded header", block1(">-").start + 1),
        ("on the title's first line", block1("evolved").start),
        ("at the end of its last line", block1("years?").end),
        ("on a flow id", block2("87366").end),
        ("in a quoted title", block2("history of").start),
        ("on a flow url", block2("/learn/sociology").end),
        ("on a broken link's id", block3("87399").start),
        ("on its title", block3("decades").start),
        ("on its url", block3("over-the-decades").start),
        ("on the article's own title", find_after(text, "title: Where", "Where").start),
    ];
    let mut shown = String::new();
    for (what, offset) in spots {
        let fixture = cursor_in(&files, LINKING, offset);
        let (file, offset) = fixture.cursor.expect("cursor");
        let found = goto_definition(&fixture.index, fixture.current(file), (offset as u32).into());
        let target = found.map_or("none".to_owned(), |target| fixture.show(target.file, target.range));
        shown += &format!("{what}: {target}\n");
    }
    expect![[r#"
        on the id: lumenus/how-has-lumenus-evolved-over-the-years.md:6:5 «How has Lumenus evolved over the years?»
        on the url: lumenus/how-has-lumenus-evolved-over-the-years.md:6:5 «How has Lumenus evolved over the years?»
        on the title key: lumenus/how-has-lumenus-evolved-over-the-years.md:6:5 «How has Lumenus evolved over the years?»
        on the folded header: lumenus/how-has-lumenus-evolved-over-the-years.md:6:5 «How has Lumenus evolved over the years?»
        on the title's first line: lumenus/how-has-lumenus-evolved-over-the-years.md:6:5 «How has Lumenus evolved over the years?»
        at the end of its last line: lumenus/how-has-lumenus-evolved-over-the-years.md:6:5 «How has Lumenus evolved over the years?»
        on a flow id: lumenus/what-is-the-history-of-the-lumenus-organization.md:6:5 «What is the history of the Lumenus organization?»
        in a quoted title: lumenus/what-is-the-history-of-the-lumenus-organization.md:6:5 «What is the history of the Lumenus organization?»
        on a flow url: lumenus/what-is-the-history-of-the-lumenus-organization.md:6:5 «What is the history of the Lumenus organization?»
        on a broken link's id: none
        on its title: none
        on its url: none
        on the article's own title: none
    "#]].assert_eq(&shown);
}

#[test]
fn hover_anywhere_on_a_block_previews_the_target_up_to_the_preview_length() {
    let files = with_linking();
    let text = files.text(LINKING);
    let expected = hover_in(&files, LINKING, find_after(text, "related_article1:", "87377").start, 450);
    // Three cluster articles link to the target, and this one.
    expect![[r#"
        lumenus/where-links-start.md:6:1-12:80
        ### How has Lumenus evolved over the years?

        Health Studies · `/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years` · id 87377

        **How has Lumenus evolved over the years?**

        Lumenus Community Services has changed considerably since its roots as a group of neighbourhood agencies in the northern part of Toronto. What began as separate organizations, each with its own programs for children, youth, adults and families, has grown into a single integrated provider of mental health, developmental and community services that is now one of the largest agencies of its kind in Ontario.

        **From separate agencies to one…

        ---

        4 articles link here."#]].assert_eq(&expected);
    for needle in
        ["related_article1", "87377", "Lumenus evolved", "over the years?", "Health Studies", "how-has"]
    {
        let offset = find_after(text, "related_article1:", needle).start + 1;
        assert_eq!(hover_in(&files, LINKING, offset, 450), expected, "hover at `{needle}`");
    }
    // On a flow mapping: the whole mapping.
    let flow = find_after(text, "related_article2:", "history").start;
    expect![[r#"
        lumenus/where-links-start.md:13:1-13:190
        ### What is the history of the Lumenus organization?

        Sociology · `/learn/sociology/questions/what-is-the-history-of-the-lumenus-organization` · id 87366

        **What is the history of the Lumenus organization?**

        The history of Lumenus Community Services is closely tied to the history of community-based social services in Toronto. Lumenus did not start from scratch: it was created when several established nonprofit agencies, each with decades of experience serving local neighbourhoods, decided to combine their programs and resources into one organization.

        **Origins in neighbourhood agencies:** The predecessor agencies were founded to meet specific local…

        ---

        4 articles link here."#]].assert_eq(&hover_in(&files, LINKING, flow, 450));
}

#[test]
fn hover_on_a_broken_link_says_what_is_wrong_and_the_closest_match() {
    let files = with_linking();
    let text = files.text(LINKING);
    let broken = find_after(text, "related_article3:", "87399").start;
    expect![[r#"
        lumenus/where-links-start.md:14:1-18:82
        **Broken link**: no article has this id or url.

        Closest article: “How has Lumenus evolved over the years?” (id 87377)"#]]
    .assert_eq(&hover_in(&files, LINKING, broken, 300));
    assert_eq!(references_in(&files, LINKING, broken, true), "", "a broken link has no references");

    let text = text.replace("    id: 87399\n", "");
    let files = files.with(LINKING, &text);
    let broken = find_after(&text, "related_article3:", "decades").start;
    expect![[r#"
        lumenus/where-links-start.md:14:1-17:82
        **Broken link**: no article has this url.

        Closest article: “How has Lumenus evolved over the years?” (id 87377)"#]]
    .assert_eq(&hover_in(&files, LINKING, broken, 300));
}

#[test]
fn hover_on_own_id_and_url_lists_the_referrers() {
    let files = repo_fixtures(&["lumenus"]);
    let text = files.text(EVOLVED);
    let id = find_after(text, "id: 87377", "id: 87377");
    let url = find_after(text, "\nurl: ", "url: /learn");
    let expected = hover_in(&files, EVOLVED, id.end, 300);
    expect![[r#"
        lumenus/how-has-lumenus-evolved-over-the-years.md:3:1-3:10
        3 articles link here.
        - “Can you provide references or sources for Lumenus's history and services?” (id 87376)
        - “Does Lumenus collaborate with other organizations for community support?” (id 87384)
        - “What is the history of the Lumenus organization?” (id 87366)"#]]
    .assert_eq(&expected);
    for spot in [id.start, url.start + 8] {
        let shown = hover_in(&files, EVOLVED, spot, 300);
        assert_eq!(
            shown.split_once('\n').map(|(_, markdown)| markdown),
            expected.split_once('\n').map(|(_, m)| m)
        );
    }
    let own_title = find_after(text, "title: >-", "evolved").start;
    assert_eq!(hover_in(&files, EVOLVED, own_title, 300), "none", "nothing to say on own title");
}

#[test]
fn references_from_own_id_url_and_title_find_every_linking_block() {
    let files = repo_fixtures(&["lumenus", "shapes"]);
    let text = files.text(EVOLVED);
    let mut shown = String::new();
    let title = "How has Lumenus evolved over the years?";
    let url = "/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years";
    for (anchor, value) in [("id: 87377", "87377"), ("url: /learn", url), ("title: >-", title)] {
        let own = find_after(text, anchor, value);
        shown += &format!("## own `{anchor}`\n{}", references_in(&files, EVOLVED, own.start + 1, false));
        shown += &format!("## with the declaration\n{}", references_in(&files, EVOLVED, own.end, true));
    }
    // From a link: the references of its target.
    let flow = files.text(FLOW);
    let id = find_after(flow, "{id: 87377", "87377").start;
    shown += &format!("## a link's id\n{}", references_in(&files, FLOW, id, false));
    let title = find_after(flow, "{id: 87377", "evolved").start;
    shown +=
        &format!("## a link's title, with the declaration\n{}", references_in(&files, FLOW, title, true));
    expect![[r#"
        ## own `id: 87377`
        lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md:33:9 «87377»
        lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md:27:9 «87377»
        lumenus/what-is-the-history-of-the-lumenus-organization.md:27:9 «87377»
        shapes/which-lumenus-articles-cover-its-history.md:26:24 «87377»
        ## with the declaration
        lumenus/how-has-lumenus-evolved-over-the-years.md:3:5 «87377»
        lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md:33:9 «87377»
        lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md:27:9 «87377»
        lumenus/what-is-the-history-of-the-lumenus-organization.md:27:9 «87377»
        shapes/which-lumenus-articles-cover-its-history.md:26:24 «87377»
        ## own `url: /learn`
        lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md:37:10 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years»
        lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md:31:10 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years»
        lumenus/what-is-the-history-of-the-lumenus-organization.md:31:10 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years»
        shapes/which-lumenus-articles-cover-its-history.md:26:111 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years»
        ## with the declaration
        lumenus/how-has-lumenus-evolved-over-the-years.md:24:6 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years»
        lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md:37:10 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years»
        lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md:31:10 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years»
        lumenus/what-is-the-history-of-the-lumenus-organization.md:31:10 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years»
        shapes/which-lumenus-articles-cover-its-history.md:26:111 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years»
        ## own `title: >-`
        lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md:35:9 «How has Lumenus evolved over the years?»
        lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md:29:9 «How has Lumenus evolved over the years?»
        lumenus/what-is-the-history-of-the-lumenus-organization.md:29:9 «How has Lumenus evolved over the years?»
        shapes/which-lumenus-articles-cover-its-history.md:26:39 «How has Lumenus evolved over the years?»
        ## with the declaration
        lumenus/how-has-lumenus-evolved-over-the-years.md:6:5 «How has Lumenus evolved over the years?»
        lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md:35:9 «How has Lumenus evolved over the years?»
        lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md:29:9 «How has Lumenus evolved over the years?»
        lumenus/what-is-the-history-of-the-lumenus-organization.md:29:9 «How has Lumenus evolved over the years?»
        shapes/which-lumenus-articles-cover-its-history.md:26:39 «How has Lumenus evolved over the years?»
        ## a link's id
        lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md:33:9 «87377»
        lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md:27:9 «87377»
        lumenus/what-is-the-history-of-the-lumenus-organization.md:27:9 «87377»
        shapes/which-lumenus-articles-cover-its-history.md:26:24 «87377»
        ## a link's title, with the declaration
        lumenus/how-has-lumenus-evolved-over-the-years.md:6:5 «How has Lumenus evolved over the years?»
        lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md:35:9 «How has Lumenus evolved over the years?»
        lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md:29:9 «How has Lumenus evolved over the years?»
        lumenus/what-is-the-history-of-the-lumenus-organization.md:29:9 «How has Lumenus evolved over the years?»
        shapes/which-lumenus-articles-cover-its-history.md:26:39 «How has Lumenus evolved over the years?»
    "#]].assert_eq(&shown);

    let subject = find_after(text, "subject: Health", "Health").start;
    assert_eq!(references_in(&files, EVOLVED, subject, true), "", "not on the subject");
}

#[test]
fn the_backlink_lens_counts_the_linking_articles() {
    let fixture = repo_fixtures(&["lumenus", "shapes"]).fixture();
    let evolved = fixture.file(EVOLVED);
    let (range, count) = backlink_lens(&fixture.index, fixture.current(evolved)).expect("a lens");
    assert_eq!((fixture.show(evolved, range), count), (format!("{EVOLVED}:3:1 «id»"), 4));
}

#[test]
fn document_links_for_urls_that_resolve_in_the_fixtures() {
    let fixture = repo_fixtures(&["lumenus", "shapes", "broken"]).fixture();
    let mut shown = String::new();
    for path in [FLOW, "broken/stale-url.md"] {
        let file = fixture.file(path);
        for (range, target) in document_links(&fixture.index, fixture.current(file)) {
            shown += &format!("{} -> {}\n", fixture.show(file, range), fixture.index.path(target));
        }
    }
    expect![[r#"
        shapes/which-lumenus-articles-cover-its-history.md:24:6 «/learn/health-studies/questions/which-lumenus-articles-cover-its-history» -> shapes/which-lumenus-articles-cover-its-history.md
        shapes/which-lumenus-articles-cover-its-history.md:26:111 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years» -> lumenus/how-has-lumenus-evolved-over-the-years.md
        shapes/which-lumenus-articles-cover-its-history.md:32:10 «/learn/sociology/questions/what-is-the-history-of-the-lumenus-organization» -> lumenus/what-is-the-history-of-the-lumenus-organization.md
        shapes/which-lumenus-articles-cover-its-history.md:33:145 «/learn/health-studies/questions/can-you-provide-references-or-sources-for-lumenuss-history-and-services» -> lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md
        broken/stale-url.md:24:6 «/learn/health-studies/questions/stale-url» -> broken/stale-url.md
        broken/stale-url.md:37:10 «/learn/health-studies/questions/does-lumenus-collaborate-with-other-organizations-for-community-support» -> lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md
    "#]].assert_eq(&shown);
}

#[test]
fn workspace_symbols_by_title_words_and_id_prefix_in_the_fixtures() {
    let fixture = repo_fixtures(&["lumenus", "shapes", "broken"]).fixture();
    let mut shown = String::new();
    for query in ["lumenus evolved YEARS", "8738", "does lumenus offer", "volved", "intake first"] {
        shown += &format!("## {query}\n");
        for symbol in workspace_symbols(&fixture.index, query, 100) {
            shown +=
                &format!("{} ({}) {}\n", symbol.name, symbol.detail, fixture.show(symbol.file, symbol.range));
        }
    }
    expect![[r#"
        ## lumenus evolved YEARS
        How has Lumenus evolved over the years? (id 87377 · Health Studies) lumenus/how-has-lumenus-evolved-over-the-years.md:6:5 «How has Lumenus evolved over the years?»
        ## 8738
        How does Lumenus engage with the local community? (id 87389 · Health Studies) lumenus/how-does-lumenus-engage-with-the-local-community.md:6:5 «How does Lumenus engage with the local community?»
        How does Lumenus measure the effectiveness of its services? (id 87386 · Health Studies) lumenus/how-does-lumenus-measure-the-effectiveness-of-its-services.md:6:5 «How does Lumenus measure the effectiveness of its services?»
        What specialized programs does Lumenus offer for autism support? (id 87380 · Health Studies) lumenus/what-specialized-programs-does-lumenus-offer-for-autism-support.md:6:5 «What specialized programs does Lumenus offer for autism support?»
        What are the main challenges Lumenus faces in providing its services? (id 87385 · Health Studies) lumenus/what-are-the-main-challenges-lumenus-faces-in-providing-its-services.md:6:5 «What are the main challenges Lumenus faces in providing its services?»
        Does Lumenus collaborate with other organizations for community support? (id 87384 · Health Studies) lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md:6:5 «Does Lumenus collaborate with other organizations for community support?»
        ## does lumenus offer
        Does Lumenus offer virtual counselling? (id 95005 · Health Studies) shapes/does-lumenus-offer-virtual-counselling.md:6:5 «Does Lumenus offer virtual counselling?»
        Does Lumenus offer programs for teenagers? (id 90004 · Health Studies) broken/duplicate-id-b.md:6:5 «Does Lumenus offer programs for teenagers?»
        What types of mental health services does Lumenus offer? (id 87368 · Psychology) lumenus/what-types-of-mental-health-services-does-lumenus-offer.md:6:5 «What types of mental health services does Lumenus offer?»
        What specialized programs does Lumenus offer for autism support? (id 87380 · Health Studies) lumenus/what-specialized-programs-does-lumenus-offer-for-autism-support.md:6:5 «What specialized programs does Lumenus offer for autism support?»
        ## volved
        ## intake first
        Lumenus intake: what happens on the first call? (id 95002 · Health Studies) shapes/lumenus-intake-what-happens-on-the-first-call.md:5:9 «Lumenus intake: what happens on the first call?»
    "#]].assert_eq(&shown);
}

#[test]
fn outline_of_the_fixtures_articles_and_their_links() {
    let fixture = repo_fixtures(&["lumenus", "shapes", "broken"]).fixture();
    let mut shown = String::new();
    for path in [FLOW, "broken/broken-link.md"] {
        let file = fixture.file(path);
        let mut symbols: Vec<(usize, &crate::ide::symbols::DocumentSymbol)> = Vec::new();
        let outline = document_symbols(&fixture.index, fixture.current(file));
        for symbol in &outline {
            symbols.push((0, symbol));
            symbols.extend(symbol.children.iter().map(|child| (1, child)));
        }
        for (depth, symbol) in symbols {
            shown += &format!(
                "{}{} ({:?}) {:?} {} at {}\n",
                "  ".repeat(depth),
                symbol.name,
                symbol.detail,
                symbol.kind,
                fixture.span(file, symbol.range),
                fixture.show(file, symbol.selection_range),
            );
            assert!(depth == 0 || symbol.children.is_empty(), "a link has no children");
        }
    }
    expect![[r#"
        Which Lumenus articles cover its history? (Some("id 95003")) Article shapes/which-lumenus-articles-cover-its-history.md:1:1-34:1 at shapes/which-lumenus-articles-cover-its-history.md:6:5 «Which Lumenus articles cover its history?»
          related_article1 (Some("How has Lumenus evolved over the years?")) Link shapes/which-lumenus-articles-cover-its-history.md:26:1-26:182 at shapes/which-lumenus-articles-cover-its-history.md:26:1 «related_article1»
          related_article2 (Some("What is the history of the Lumenus organization?")) Link shapes/which-lumenus-articles-cover-its-history.md:27:1-32:84 at shapes/which-lumenus-articles-cover-its-history.md:27:1 «related_article2»
          related_article3 (Some("Can you provide references or sources for Lumenus's history and services?")) Link shapes/which-lumenus-articles-cover-its-history.md:33:1-33:249 at shapes/which-lumenus-articles-cover-its-history.md:33:1 «related_article3»
        What has changed at Lumenus recently? (Some("id 90007")) Article broken/broken-link.md:1:1-38:1 at broken/broken-link.md:6:5 «What has changed at Lumenus recently?»
          related_article1 (Some("What is the history of the Lumenus organization?")) Link broken/broken-link.md:26:1-31:84 at broken/broken-link.md:26:1 «related_article1»
          related_article2 (Some("How has Lumenus evolved over the decades?")) Link broken/broken-link.md:32:1-37:82 at broken/broken-link.md:32:1 «related_article2»
    "#]].assert_eq(&shown);
}
