//! Rename and code actions: the resulting text of every file they touch.

use std::borrow::Cow;

use expect_test::{Expect, expect};

use super::apply_edits;
use crate::ide::SourceChange;
use crate::ide::code_actions::{code_actions, fix_all};
use crate::ide::rename::{prepare_rename, rename};
use crate::test_support::Fixture;

const TARGET: &str = "//- target.md
---
id: 1
title: >-
    Old title
subject: Health Studies
url: /learn/health-studies/questions/old-title
file_name: old-title.md
---
";

const REFERRERS: &str = r#"//- folded.md
---
id: 2
title: Folded
url: /f
related_article1:
    id: 1
    title: >-
        Old title
    url: /learn/health-studies/questions/old-title
---
//- quoted.md
---
id: 3
title: Quoted
url: /q
related_article1:
  id: 1
  title: 'Old title'
  url: "/learn/health-studies/questions/old-title"
---
//- flow.md
---
id: 4
title: Flow
url: /fl
related_article1: {id: 1, title: Old title, url: /learn/health-studies/questions/old-title}
---
"#;

fn render_change(fixture: &Fixture, change: &SourceChange) -> String {
    let mut out = String::new();
    for (file, edits) in &change.files {
        let path = fixture.index.path(*file);
        out += &format!("//- {path}\n{}", apply_edits(fixture.text(path), edits));
    }
    out
}

fn text_of<'a>(fixture: &'a Fixture) -> impl Fn(crate::index::FileId) -> Option<Cow<'a, str>> + 'a {
    |file| Some(Cow::Borrowed(fixture.text(fixture.index.path(file))))
}

fn check_rename(marker: &str, new_value: &str, expect: Expect) {
    let target = TARGET.replacen(marker, &format!("{marker}$0"), 1);
    let fixture = Fixture::parse(&format!("{target}{REFERRERS}"));
    let (file, offset) = fixture.cursor.expect("cursor");
    let offset = (offset as u32).into();
    let result = prepare_rename(fixture.current(file), offset)
        .and_then(|_| rename(&fixture.index, fixture.current(file), offset, new_value, text_of(&fixture)));
    let shown = match result {
        Ok(change) => render_change(&fixture, &change),
        Err(message) => format!("refused: {message}"),
    };
    expect.assert_eq(&shown);
}

#[test]
fn rename_title_updates_every_style() {
    check_rename(
        "    Old",
        "New: better title",
        expect![[r#"
        //- target.md
        ---
        id: 1
        title: >-
            New: better title
        subject: Health Studies
        url: /learn/health-studies/questions/old-title
        file_name: old-title.md
        ---
        //- folded.md
        ---
        id: 2
        title: Folded
        url: /f
        related_article1:
            id: 1
            title: >-
                New: better title
            url: /learn/health-studies/questions/old-title
        ---
        //- quoted.md
        ---
        id: 3
        title: Quoted
        url: /q
        related_article1:
          id: 1
          title: 'New: better title'
          url: "/learn/health-studies/questions/old-title"
        ---
        //- flow.md
        ---
        id: 4
        title: Flow
        url: /fl
        related_article1: {id: 1, title: "New: better title", url: /learn/health-studies/questions/old-title}
        ---
    "#]],
    );
}

#[test]
fn rename_url_updates_referrers_and_file_name() {
    check_rename(
        "url: /learn",
        "/learn/health-studies/questions/new-title",
        expect![[r#"
        //- target.md
        ---
        id: 1
        title: >-
            Old title
        subject: Health Studies
        url: /learn/health-studies/questions/new-title
        file_name: new-title.md
        ---
        //- folded.md
        ---
        id: 2
        title: Folded
        url: /f
        related_article1:
            id: 1
            title: >-
                Old title
            url: /learn/health-studies/questions/new-title
        ---
        //- quoted.md
        ---
        id: 3
        title: Quoted
        url: /q
        related_article1:
          id: 1
          title: 'Old title'
          url: "/learn/health-studies/questions/new-title"
        ---
        //- flow.md
        ---
        id: 4
        title: Flow
        url: /fl
        related_article1: {id: 1, title: Old title, url: /learn/health-studies/questions/new-title}
        ---
    "#]],
    );
}

#[test]
fn rename_id_and_refusals() {
    check_rename(
        "id: ",
        "42",
        expect![[r#"
        //- target.md
        ---
        id: 42
        title: >-
            Old title
        subject: Health Studies
        url: /learn/health-studies/questions/old-title
        file_name: old-title.md
        ---
        //- folded.md
        ---
        id: 2
        title: Folded
        url: /f
        related_article1:
            id: 42
            title: >-
                Old title
            url: /learn/health-studies/questions/old-title
        ---
        //- quoted.md
        ---
        id: 3
        title: Quoted
        url: /q
        related_article1:
          id: 42
          title: 'Old title'
          url: "/learn/health-studies/questions/old-title"
        ---
        //- flow.md
        ---
        id: 4
        title: Flow
        url: /fl
        related_article1: {id: 42, title: Old title, url: /learn/health-studies/questions/old-title}
        ---
    "#]],
    );
    check_rename("id: ", "3", expect!["refused: id 3 is already taken by quoted.md"]);
    check_rename("id: ", "x1", expect!["refused: `x1` is not a non-negative integer id"]);
    check_rename(
        "subject: ",
        "Other",
        expect!["refused: rename works on the article's own `title`, `url` or `id`"],
    );
}

fn check_actions(fixture_text: &str, expect: Expect) {
    let fixture = Fixture::parse(&format!("{TARGET}{fixture_text}"));
    let (file, offset) = fixture.cursor.expect("cursor");
    let range = text_size::TextRange::empty((offset as u32).into());
    let mut out = String::new();
    for action in code_actions(&fixture.index, fixture.current(file), range, text_of(&fixture)) {
        let preferred = if action.is_preferred { " (preferred)" } else { "" };
        out += &format!("## {}{preferred} {:?} fixes {:?}\n", action.title, action.kind, action.fixes);
        out += &render_change(&fixture, &action.change);
    }
    expect.assert_eq(&out);
}

#[test]
fn stale_fields_one_by_one_or_all_at_once() {
    check_actions(
        "//- a.md
---
id: 2
title: A
url: /a
related_article1:
    id: 1$0
    title: >-
        Older title
    subject: Sociology
    url: /learn/health-studies/questions/old-title
---
",
        expect![[r#"
            ## Use the current title: “Old title” QuickFix fixes [StaleTitle]
            //- a.md
            ---
            id: 2
            title: A
            url: /a
            related_article1:
                id: 1
                title: >-
                    Old title
                subject: Sociology
                url: /learn/health-studies/questions/old-title
            ---
            ## Use the current subject: “Health Studies” QuickFix fixes [StaleSubject]
            //- a.md
            ---
            id: 2
            title: A
            url: /a
            related_article1:
                id: 1
                title: >-
                    Older title
                subject: Health Studies
                url: /learn/health-studies/questions/old-title
            ---
            ## Update related_article1 to match “Old title” (id 1) (preferred) QuickFix fixes [StaleTitle, StaleSubject]
            //- a.md
            ---
            id: 2
            title: A
            url: /a
            related_article1:
                id: 1
                title: >-
                    Old title
                subject: Health Studies
                url: /learn/health-studies/questions/old-title
            ---
            ## Link back from “Old title” (id 1) Refactor fixes []
            //- target.md
            ---
            id: 1
            title: >-
                Old title
            subject: Health Studies
            url: /learn/health-studies/questions/old-title
            file_name: old-title.md
            related_article1:
                id: 2
                title: A
                url: /a
            ---
            ## Fix all stale links and file_name FixAll fixes [StaleId, StaleUrl, StaleTitle, StaleSubject, SlugMismatch]
            //- a.md
            ---
            id: 2
            title: A
            url: /a
            related_article1:
                id: 1
                title: >-
                    Old title
                subject: Health Studies
                url: /learn/health-studies/questions/old-title
            ---
        "#]],
    );
}

#[test]
fn broken_link_offers_the_closest_articles() {
    check_actions(
        "//- a.md
---
id: 2
title: A
url: /a
related_article1: {id: 9$0, title: Old titles, url: /learn/health-studies/questions/old-titles}
---
",
        expect![[r#"
            ## Link to “Old title” (id 1) (preferred) QuickFix fixes [BrokenLink]
            //- a.md
            ---
            id: 2
            title: A
            url: /a
            related_article1: {id: 1, title: Old title, url: /learn/health-studies/questions/old-title, subject: Health Studies}
            ---
        "#]],
    );
}

#[test]
fn self_link_is_removed_and_slug_fixed() {
    check_actions(
        "//- a.md
---
id: 2
title: A
url: /learn/health-studies/questions/a
file_name: b.md
related_article1:
  id: 2$0
  url: /learn/health-studies/questions/a
---
",
        expect![[r#"
            ## Remove related_article1 (preferred) QuickFix fixes [SelfLink]
            //- a.md
            ---
            id: 2
            title: A
            url: /learn/health-studies/questions/a
            file_name: b.md
            ---
            ## Fix all stale links and file_name FixAll fixes [StaleId, StaleUrl, StaleTitle, StaleSubject, SlugMismatch]
            //- a.md
            ---
            id: 2
            title: A
            url: /learn/health-studies/questions/a
            file_name: a.md
            related_article1:
              id: 2
              url: /learn/health-studies/questions/a
            ---
        "#]],
    );
}

#[test]
fn fix_all_touches_only_safe_fields() {
    let fixture = Fixture::parse(&format!(
        "{TARGET}//- a.md
---
id: 2
title: A
url: /learn/x/questions/a
file_name: wrong.md
related_article1:
    id: 1
    title: Stale
    url: /stale
related_article2:
    id: 404
    url: /nowhere
---
"
    ));
    let file = fixture.index.file_id(&crate::index::FilePath::new("a.md")).expect("indexed");
    let text = fixture.text(fixture.index.path(file));
    expect![[r#"
        ---
        id: 2
        title: A
        url: /learn/x/questions/a
        file_name: a.md
        related_article1:
            id: 1
            title: Old title
            url: /learn/health-studies/questions/old-title
        related_article2:
            id: 404
            url: /nowhere
        ---
    "#]]
    .assert_eq(&apply_edits(text, &fix_all(&fixture.index, fixture.current(file))));
}
