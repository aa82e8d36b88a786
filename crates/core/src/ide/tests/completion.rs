use expect_test::{Expect, expect};

use super::{CLUSTER, apply_edits};
use crate::ide::completion::{CompletionKind, completions};
use crate::index::FilePath;
use crate::test_support::{Fixture, repo_fixtures, with_cursor};

fn list(fixture_text: &str, expect: Expect) {
    list_in(&format!("{CLUSTER}{fixture_text}"), expect);
}

/// The items offered at the fixture's `$0`: `label label_detail (detail)`.
fn list_in(fixture_text: &str, expect: Expect) {
    let fixture = Fixture::parse(fixture_text);
    let (file, offset) = fixture.cursor.expect("a $0 cursor");
    let found = completions(&fixture.index, fixture.current(file), (offset as u32).into());
    let mut out = format!("incomplete: {}\n", found.is_incomplete);
    for item in &found.items {
        out += &format!(
            "{}{} ({})\n",
            item.label,
            item.label_detail.as_deref().unwrap_or(""),
            item.detail.as_deref().unwrap_or("")
        );
    }
    expect.assert_eq(&out);
}

/// The text after accepting the item labelled `label`.
fn accept(fixture_text: &str, label: &str, expect: Expect) {
    accept_in(&format!("{CLUSTER}{fixture_text}"), label, expect);
}

/// The text after accepting the item labelled `label`; the fixture with it.
fn accept_in(fixture_text: &str, label: &str, expect: Expect) -> Fixture {
    let (accepted, path) = accepted(fixture_text, label);
    expect.assert_eq(accepted.text(&path));
    accepted
}

/// The fixture after accepting the item labelled `label` as an editor does
/// (the main edit and the additional ones), and the file it was in.
fn accepted(fixture_text: &str, label: &str) -> (Fixture, FilePath) {
    let fixture = Fixture::parse(fixture_text);
    let (file, offset) = fixture.cursor.expect("a $0 cursor");
    let text = fixture.text(fixture.index.path(file));
    let found = completions(&fixture.index, fixture.current(file), (offset as u32).into());
    let item = found.items.iter().find(|item| item.label == label).expect("the item is offered");
    let line = |at: usize| text[..at].matches('\n').count();
    assert_eq!(
        line(item.edit.range.start().into()),
        line(item.edit.range.end().into()),
        "main edit is one line"
    );
    assert!(item.edit.range.contains_inclusive((offset as u32).into()), "main edit contains the cursor");
    let mut edits = item.additional_edits.clone();
    edits.push(item.edit.clone());
    let result = apply_edits(text, &edits);
    let reparsed = crate::article::parse_article(&result).expect("still an article");
    assert!(reparsed.syntax_errors.is_empty(), "valid YAML after accepting:\n{result}");
    let path = fixture.index.path(file).clone();
    (fixture.with_text(&path, result), path)
}

#[test]
fn id_completion_lists_articles_ranked_by_subject_and_title() {
    list(
        "//- new.md
---
id: 90000
title: How does Lumenus support autism programs?
subject: Health Studies
url: /learn/health-studies/questions/new
related_article1:
    id: $0
---
",
        expect![[r#"
            incomplete: true
            87380 What specialized programs does Lumenus offer for autism support? (Health Studies)
            87377 How has Lumenus evolved over the years? (Health Studies)
            5 🦀 Lumenus 漢字 guide (Health Studies)
            87366 What is the history of the Lumenus organization? (Sociology)
        "#]],
    );
}

#[test]
fn id_completion_filters_by_digits_and_skips_linked_targets() {
    list(
        "//- new.md
---
id: 90000
title: New
url: /new
related_article1:
    id: 873$0
related_article2: {id: 87380, url: /learn/health-studies/questions/what-specialized-programs-does-lumenus-offer-for-autism-support}
---
",
        expect![[r#"
            incomplete: false
            87377 How has Lumenus evolved over the years? (Health Studies)
            87366 What is the history of the Lumenus organization? (Sociology)
        "#]],
    );
}

#[test]
fn accepting_an_id_fills_the_whole_block() {
    accept(
        "//- new.md
---
id: 90000
title: New
url: /new
related_article1:
    id: 873$0
---
",
        "87377",
        expect![[r#"
            ---
            id: 90000
            title: New
            url: /new
            related_article1:
                id: 87377
                title: How has Lumenus evolved over the years?
                subject: Health Studies
                url: /learn/health-studies/questions/how-has-lumenus-evolved-over-the-years
            ---
        "#]],
    );
}

#[test]
fn accepting_a_title_in_a_folded_block_keeps_it_folded() {
    accept(
        "//- new.md
---
id: 90000
title: New
url: /new
related_article1:
    id: 1
    title: >-
        history lum$0
    subject: Health Studies
    url: /old
---
",
        "What is the history of the Lumenus organization?",
        expect![[r#"
            ---
            id: 90000
            title: New
            url: /new
            related_article1:
                id: 87366
                title: >-
                    What is the history of the Lumenus organization?
                subject: Sociology
                url: /learn/sociology/questions/what-is-the-history-of-the-lumenus-organization
            ---
        "#]],
    );
}

#[test]
fn flow_mapping_and_emoji_title() {
    accept(
        "//- new.md
---
id: 90000
title: New
url: /new
related_article1: {title: 漢字$0}
---
",
        "🦀 Lumenus 漢字 guide",
        expect![[r#"
            ---
            id: 90000
            title: New
            url: /new
            related_article1: {title: 🦀 Lumenus 漢字 guide, id: 5, subject: Health Studies, url: /learn/health-studies/questions/crab}
            ---
        "#]],
    );
}

#[test]
fn url_completion_by_slug_words() {
    list(
        "//- new.md
---
id: 90000
title: New
url: /new
related_article1:
    url: /learn/sociology/questions/history-of$0
---
",
        expect![[r#"
            incomplete: false
            /learn/sociology/questions/what-is-the-history-of-the-lumenus-organization 87366 (Sociology)
        "#]],
    );
}

#[test]
fn subject_completion() {
    list(
        "//- new.md
---
id: 90000
title: New
url: /new
related_article1:
    id: 87366
    subject: So$0
---
",
        expect![[r#"
            incomplete: false
            Sociology (1 article)
        "#]],
    );
}

#[test]
fn on_the_key_the_edit_reaches_back_to_the_cursor() {
    accept(
        "//- new.md
---
id: 90000
title: New
url: /new
related_article1:
    id: 87366
    sub$0ject: So
---
",
        "Sociology",
        expect![[r#"
            ---
            id: 90000
            title: New
            url: /new
            related_article1:
                id: 87366
                subject: Sociology
            ---
        "#]],
    );
}

#[test]
fn new_block_after_the_last_one() {
    accept(
        "//- new.md
---
id: 90000
title: New
url: /new
related_article1:
  id: 87366
  url: /learn/sociology/questions/what-is-the-history-of-the-lumenus-organization
$0
---
",
        "related_article2",
        expect![[r#"
            ---
            id: 90000
            title: New
            url: /new
            related_article1:
              id: 87366
              url: /learn/sociology/questions/what-is-the-history-of-the-lumenus-organization
            related_article2:
              id: $1
              title: $2
              subject: $3
              url: $4
            ---
        "#]],
    );
}

#[test]
fn nothing_outside_related_blocks() {
    list(
        "//- new.md\n---\nid: 90000\ntitle: Ne$0w\nurl: /new\nrelated_article1: {id: 5}\n---\n",
        expect![[r#"
        incomplete: false
    "#]],
    );
}

#[test]
fn article_documentation_previews_question_and_answer() {
    let fixture = Fixture::parse(CLUSTER);
    let file = fixture.index.file_id(&crate::index::FilePath::new("evolved.md")).expect("indexed");
    let texts = fixture.long_texts_of(file).unwrap_or_default();
    let documentation = crate::ide::completion::article_documentation(&fixture.index, file, &texts);
    expect![[r#"
        **How has Lumenus evolved over the years?**

        Lumenus formed in 2019.

        It **grew** since.

        `/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years`"#]]
    .assert_eq(&documentation.unwrap_or_default());
}

// The repository's Lumenus cluster, as the editor scenarios open it: a new
// block in the evolved article (87377), which links to 87366, 87376, 87390
// and 87367 already.

const EVOLVED: &str = "lumenus/how-has-lumenus-evolved-over-the-years.md";

/// The Lumenus cluster with `block` (whole lines, holding `$0`) added to the
/// evolved article just before its closing `---`.
fn lumenus_with_block(block: &str) -> String {
    let files = repo_fixtures(&["lumenus"]);
    let text = files.text(EVOLVED);
    let closing = text.find("\n---\n").expect("a closing fence") + 1;
    let text = format!("{}{block}{}", &text[..closing], &text[closing..]);
    files.with(EVOLVED, &text).render()
}

/// Accepting `label` in a [`lumenus_with_block`] fixture: the evolved
/// article is as it was up to the new block, which the snapshot shows.
fn accept_block(fixture_text: &str, label: &str, expect: Expect) -> Fixture {
    let before = Fixture::parse(fixture_text);
    let (accepted, path) = accepted(fixture_text, label);
    assert_eq!(path.as_str(), EVOLVED);
    let (old, new) = (before.text(&path), accepted.text(&path));
    let block = old.find("related_article5:").expect("the new block");
    assert_eq!(new[..block], old[..block], "only the new block changes");
    expect.assert_eq(&new[block..]);
    accepted
}

/// Accepting left the link right: no file has a diagnostic.
fn assert_healthy(accepted: &Fixture) {
    assert_eq!(accepted.diagnostics(), Vec::<String>::new());
}

#[test]
fn id_completion_in_the_cluster_skips_itself_and_its_links_and_ranks_by_subject_then_title() {
    let fixture = lumenus_with_block("related_article5:\n    id: 873$0\n");
    list_in(
        &fixture,
        expect![[r#"
            incomplete: false
            87389 How does Lumenus engage with the local community? (Health Studies)
            87386 How does Lumenus measure the effectiveness of its services? (Health Studies)
            87375 How can individuals contact Lumenus for services or inquiries? (Health Studies)
            87369 How does Lumenus support individuals with autism? (Health Studies)
            87385 What are the main challenges Lumenus faces in providing its services? (Health Studies)
            87393 Are there any eligibility criteria for accessing Lumenus's services? (Health Studies)
            87384 Does Lumenus collaborate with other organizations for community support? (Health Studies)
            87380 What specialized programs does Lumenus offer for autism support? (Health Studies)
            87368 What types of mental health services does Lumenus offer? (Psychology)
        "#]],
    );
    let accepted = accept_block(
        &fixture,
        "87369",
        expect![[r#"
            related_article5:
                id: 87369
                title: How does Lumenus support individuals with autism?
                subject: Health Studies
                url: /learn/health-studies/questions/how-does-lumenus-support-individuals-with-autism
            ---

            &nbsp;"#]],
    );
    assert_healthy(&accepted);
}

#[test]
fn resolving_an_article_item_previews_its_question_and_answer() {
    let fixture = repo_fixtures(&["lumenus"]).fixture();
    let file = fixture.file("lumenus/how-does-lumenus-support-individuals-with-autism.md");
    let texts = fixture.long_texts_of(file).unwrap_or_default();
    let documentation = crate::ide::completion::article_documentation(&fixture.index, file, &texts);
    expect![[r#"
        **How does Lumenus support individuals with autism?**

        Lumenus Community Services supports individuals with autism and their families through a combination of specialized developmental services and broader mental health and community supports. Its approach is family-centred and aims to meet people where they are, whether they are a young child who has…

        `/learn/health-studies/questions/how-does-lumenus-support-individuals-with-autism`"#]].assert_eq(&documentation.unwrap_or_default());
}

#[test]
fn title_completion_on_a_folded_title_spanning_lines_keeps_it_folded() {
    let block = "related_article5:\n    id: 1\n    title: >-\n        autism\n        progr\n    \
                 subject: Sociology\n    url: /learn/old\n";
    let title = "What specialized programs does Lumenus offer for autism support?";
    // From the end of the last line: titles with words starting `autism` and `progr`.
    let at_end = block.replace("progr\n", "progr$0\n");
    list_in(
        &lumenus_with_block(&at_end),
        expect![[r#"
        incomplete: false
        What specialized programs does Lumenus offer for autism support? 87380 (Health Studies)
    "#]],
    );
    let from_end = accept_block(
        &lumenus_with_block(&at_end),
        title,
        expect![[r#"
        related_article5:
            id: 87380
            title: >-
                What specialized programs does Lumenus offer for autism support?
            subject: Health Studies
            url: /learn/health-studies/questions/what-specialized-programs-does-lumenus-offer-for-autism-support
        ---

        &nbsp;"#]],
    );
    assert_healthy(&from_end);
    // From the first line: typed so far, `autism`; the title sharing more
    // words with this one first. Accepting gives the same text.
    let at_first = block.replace("autism\n", "autism$0\n");
    list_in(
        &lumenus_with_block(&at_first),
        expect![[r#"
        incomplete: false
        How does Lumenus support individuals with autism? 87369 (Health Studies)
        What specialized programs does Lumenus offer for autism support? 87380 (Health Studies)
    "#]],
    );
    let from_first = accept_block(
        &lumenus_with_block(&at_first),
        title,
        expect![[r#"
        related_article5:
            id: 87380
            title: >-
                What specialized programs does Lumenus offer for autism support?
            subject: Health Studies
            url: /learn/health-studies/questions/what-specialized-programs-does-lumenus-offer-for-autism-support
        ---

        &nbsp;"#]],
    );
    assert_eq!(from_first.files, from_end.files);
}

#[test]
fn completion_in_a_flow_mapping_keeps_a_quoted_title_quoted() {
    let fixture = lumenus_with_block("related_article5: {id: 1, title: \"How does Lumenus eng$0\"}\n");
    let title = "How does Lumenus engage with the local community?";
    list_in(
        &fixture,
        expect![[r#"
        incomplete: false
        How does Lumenus engage with the local community? 87389 (Health Studies)
    "#]],
    );
    accept_block(
        &fixture,
        title,
        expect![[r#"
        related_article5: {id: 87389, title: "How does Lumenus engage with the local community?", subject: Health Studies, url: /learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community}
        ---

        &nbsp;"#]],
    );

    // On the id of a flow mapping: the same article by its id.
    let fixture = lumenus_with_block("related_article5: {id: 8738$0, url: /x}\n");
    list_in(
        &fixture,
        expect![[r#"
        incomplete: false
        87389 How does Lumenus engage with the local community? (Health Studies)
        87386 How does Lumenus measure the effectiveness of its services? (Health Studies)
        87385 What are the main challenges Lumenus faces in providing its services? (Health Studies)
        87384 Does Lumenus collaborate with other organizations for community support? (Health Studies)
        87380 What specialized programs does Lumenus offer for autism support? (Health Studies)
    "#]],
    );
    let accepted = accept_block(
        &fixture,
        "87389",
        expect![[r#"
        related_article5: {id: 87389, url: /learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community, title: How does Lumenus engage with the local community?, subject: Health Studies}
        ---

        &nbsp;"#]],
    );
    assert_healthy(&accepted);
}

#[test]
fn url_completion_by_the_words_of_the_slug_fills_the_block() {
    let fixture = lumenus_with_block(
        "related_article5:\n    url: /learn/health-studies/questions/how-does-lumenus-sup$0\n",
    );
    list_in(
        &fixture,
        expect![[r#"
        incomplete: false
        /learn/health-studies/questions/how-does-lumenus-support-individuals-with-autism 87369 (Health Studies)
    "#]],
    );
    let url = "/learn/health-studies/questions/how-does-lumenus-support-individuals-with-autism";
    accept_block(
        &fixture,
        url,
        expect![[r#"
        related_article5:
            url: /learn/health-studies/questions/how-does-lumenus-support-individuals-with-autism
            id: 87369
            title: How does Lumenus support individuals with autism?
            subject: Health Studies
        ---

        &nbsp;"#]],
    );
}

#[test]
fn subject_completion_lists_every_subject_the_most_used_first() {
    let fixture = lumenus_with_block("related_article5:\n    id: 87368\n    subject:$0\n");
    list_in(
        &fixture,
        expect![[r#"
        incomplete: false
        Health Studies (12 articles)
        Psychology (1 article)
        Sociology (1 article)
    "#]],
    );
    accept_block(
        &fixture,
        "Psychology",
        expect![[r#"
        related_article5:
            id: 87368
            subject: Psychology
        ---

        &nbsp;"#]],
    );
    // Filtered by what is typed; the quotes stay.
    let fixture = lumenus_with_block("related_article5:\n    id: 87368\n    subject: 'psy$0'\n");
    list_in(
        &fixture,
        expect![[r#"
        incomplete: false
        Psychology (1 article)
    "#]],
    );
    accept_block(
        &fixture,
        "Psychology",
        expect![[r#"
        related_article5:
            id: 87368
            subject: 'Psychology'
        ---

        &nbsp;"#]],
    );
}

#[test]
fn new_block_snippet_only_on_an_empty_line_after_the_last_block() {
    let fixture = Fixture::parse(&lumenus_with_block("$0\n"));
    let (file, offset) = fixture.cursor.expect("a $0 cursor");
    let found = completions(&fixture.index, fixture.current(file), (offset as u32).into());
    let [snippet] = &found.items[..] else { panic!("one item: {found:?}") };
    assert_eq!(
        (snippet.label.as_str(), snippet.kind, snippet.is_snippet),
        ("related_article5", CompletionKind::Snippet, true)
    );
    assert_eq!(
        snippet.edit.range,
        text_size::TextRange::empty((offset as u32).into()),
        "inserted at the cursor"
    );
    assert_eq!(
        snippet.edit.new_text,
        "related_article5:\n    id: $1\n    title: $2\n    subject: $3\n    url: $4"
    );
    assert!(snippet.additional_edits.is_empty());

    // Not on an empty line before the related blocks, nor outside the front matter.
    let files = repo_fixtures(&["lumenus"]);
    let text = files.text(EVOLVED).replacen("related_article1:", "\nrelated_article1:", 1);
    let before = text.find("\n\nrelated_article1:").expect("the empty line") + 1;
    list_in(
        &files.clone().with(EVOLVED, &with_cursor(&text, before)).render(),
        expect![[r#"
        incomplete: false
    "#]],
    );
    let body = text.len() - "&nbsp;".len() - 1;
    list_in(
        &files.with(EVOLVED, &with_cursor(&text, body)).render(),
        expect![[r#"
        incomplete: false
    "#]],
    );
}

#[test]
fn a_list_cut_at_fifty_is_marked_incomplete() {
    let mut fixture = String::new();
    for n in 0..60 {
        fixture += &format!(
            "//- generated/generated-topic-number-{n}.md\n---\nid: {id}\ntitle: Generated topic number {n}\n\
             subject: Health Studies\nurl: /learn/health-studies/questions/generated-topic-number-{n}\n---\n",
            id = 70000 + n
        );
    }
    let new = "//- generated/new.md\n---\nid: 80000\ntitle: New\nsubject: Health Studies\n\
               url: /learn/health-studies/questions/new\nrelated_article1:\n    title: Generated$0\n---\n";
    let found = |new: &str| {
        let fixture = Fixture::parse(&format!("{fixture}{new}"));
        let (file, offset) = fixture.cursor.expect("a $0 cursor");
        completions(&fixture.index, fixture.current(file), (offset as u32).into())
    };
    let cut = found(new);
    assert!(cut.is_incomplete, "60 match, 50 are listed");
    assert_eq!(cut.items.len(), 50);

    let all = found(&new.replace("title: Generated$0", "id: 7005$0"));
    assert!(!all.is_incomplete);
    let mut labels: Vec<String> = all.items.iter().map(|item| item.label.clone()).collect();
    labels.sort();
    let expected: Vec<String> = (70050..70060).map(|id| id.to_string()).collect();
    assert_eq!(labels, expected);
}
