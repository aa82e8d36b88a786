use expect_test::{Expect, expect};

use super::{CLUSTER, apply_edits};
use crate::ide::completion::completions;
use crate::test_support::Fixture;

fn list(fixture_text: &str, expect: Expect) {
    let fixture = Fixture::parse(&format!("{CLUSTER}{fixture_text}"));
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
    let fixture = Fixture::parse(&format!("{CLUSTER}{fixture_text}"));
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
    expect.assert_eq(&result);
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
