//! Rename and code actions: the resulting text of every file they touch.

use std::borrow::Cow;

use expect_test::{Expect, expect};

use super::apply_edits;
use crate::ide::SourceChange;
use crate::ide::code_actions::{code_actions, fix_all};
use crate::ide::rename::{prepare_rename, rename};
use crate::index::FilePath;
use crate::test_support::{Fixture, RepoFixtures, find_after, repo_fixtures, with_cursor};

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

// The repository's fixtures, as the editor scenarios open them: each change
// one line per edit (`path:line:col «replaced» -> «written»`), and what
// diagnostics the files it touches have once it is applied.

const EVOLVED: &str = "lumenus/how-has-lumenus-evolved-over-the-years.md";
const EVOLVED_TITLE: &str = "How has Lumenus evolved over the years?";
const EVOLVED_URL: &str = "/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years";
const HISTORY: &str = "lumenus/what-is-the-history-of-the-lumenus-organization.md";

/// A change, then the diagnostics left in the files it edits once applied.
fn show_applied(fixture: &Fixture, change: &SourceChange) -> String {
    let after = fixture.with_change(change);
    let edited: Vec<String> =
        change.files.iter().map(|(file, _)| format!("{}:", fixture.index.path(*file))).collect();
    let left: Vec<String> = after
        .diagnostics()
        .into_iter()
        .filter(|diagnostic| edited.iter().any(|path| diagnostic.starts_with(path.as_str())))
        .collect();
    format!("{}left: {left:?}\n", fixture.show_change(change))
}

/// Rename at `offset` of `path`: what is renamed (its range and value), then
/// the change, or why it is refused.
fn rename_in(files: &RepoFixtures, path: &str, offset: usize, new_value: &str) -> String {
    let text = with_cursor(files.text(path), offset);
    let fixture = files.clone().with(path, &text).fixture();
    let (file, offset) = fixture.cursor.expect("cursor");
    let offset = (offset as u32).into();
    let result = prepare_rename(fixture.current(file), offset).and_then(|(range, placeholder)| {
        let change = rename(&fixture.index, fixture.current(file), offset, new_value, text_of(&fixture))?;
        let prepared = fixture.show(file, range);
        assert!(
            prepared.ends_with(&format!("«{placeholder}»")),
            "the placeholder is the value: {placeholder}"
        );
        Ok(format!("renames {prepared}\n{}", show_applied(&fixture, &change)))
    });
    result.unwrap_or_else(|message| format!("refused: {message}"))
}

/// The evolved article's referrers in every style: folded titles (the
/// cluster), a flow mapping with a double-quoted title (shapes), plain
/// values, and single- and double-quoted values.
fn rename_fixtures() -> RepoFixtures {
    let plain = format!(
        "---\nid: 99301\ntitle: Plain referrer\nsubject: Health Studies\nfile_name: plain-referrer.md\n\
         url: /learn/health-studies/questions/plain-referrer\nrelated_article1:\n  id: 87377\n  \
         title: {EVOLVED_TITLE}\n  subject: Health Studies\n  url: {EVOLVED_URL}\n---\nBody\n"
    );
    let quoted = format!(
        "---\nid: 99302\ntitle: Quoted referrer\nsubject: Health Studies\nfile_name: quoted-referrer.md\n\
         url: /learn/health-studies/questions/quoted-referrer\nrelated_article1:\n    id: 87377\n    \
         title: '{EVOLVED_TITLE}'\n    subject: \"Health Studies\"\n    url: \"{EVOLVED_URL}\"\n---\nBody\n"
    );
    repo_fixtures(&["lumenus", "shapes"])
        .with("extra/plain-referrer.md", &plain)
        .with("extra/quoted-referrer.md", &quoted)
}

#[test]
fn rename_title_in_the_fixtures_keeps_each_referrers_style_and_quotes_only_when_needed() {
    let files = rename_fixtures();
    let title = find_after(files.text(EVOLVED), "title: >-", EVOLVED_TITLE);
    expect![[r#"
        renames lumenus/how-has-lumenus-evolved-over-the-years.md:6:5 «How has Lumenus evolved over the years?»
        lumenus/how-has-lumenus-evolved-over-the-years.md:6:5 «How has Lumenus evolved over the years?» -> «How has Lumenus changed: a history»
        lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md:35:9 «How has Lumenus evolved over the years?» -> «How has Lumenus changed: a history»
        lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md:29:9 «How has Lumenus evolved over the years?» -> «How has Lumenus changed: a history»
        lumenus/what-is-the-history-of-the-lumenus-organization.md:29:9 «How has Lumenus evolved over the years?» -> «How has Lumenus changed: a history»
        shapes/which-lumenus-articles-cover-its-history.md:26:38 «"How has Lumenus evolved over the years?"» -> «"How has Lumenus changed: a history"»
        extra/plain-referrer.md:9:10 «How has Lumenus evolved over the years?» -> «"How has Lumenus changed: a history"»
        extra/quoted-referrer.md:9:12 «'How has Lumenus evolved over the years?'» -> «'How has Lumenus changed: a history'»
        left: []
    "#]].assert_eq(&rename_in(&files, EVOLVED, title.start + 8, "How has Lumenus changed: a history"));
    expect![[r#"
        renames lumenus/how-has-lumenus-evolved-over-the-years.md:6:5 «How has Lumenus evolved over the years?»
        lumenus/how-has-lumenus-evolved-over-the-years.md:6:5 «How has Lumenus evolved over the years?» -> «How Lumenus grew»
        lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md:35:9 «How has Lumenus evolved over the years?» -> «How Lumenus grew»
        lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md:29:9 «How has Lumenus evolved over the years?» -> «How Lumenus grew»
        lumenus/what-is-the-history-of-the-lumenus-organization.md:29:9 «How has Lumenus evolved over the years?» -> «How Lumenus grew»
        shapes/which-lumenus-articles-cover-its-history.md:26:38 «"How has Lumenus evolved over the years?"» -> «"How Lumenus grew"»
        extra/plain-referrer.md:9:10 «How has Lumenus evolved over the years?» -> «How Lumenus grew»
        extra/quoted-referrer.md:9:12 «'How has Lumenus evolved over the years?'» -> «'How Lumenus grew'»
        left: []
    "#]].assert_eq(&rename_in(&files, EVOLVED, title.start, "How Lumenus grew"));
}

#[test]
fn rename_url_in_the_fixtures_updates_referrers_and_the_file_name_that_followed_the_slug() {
    let files = rename_fixtures();
    let own = find_after(files.text(EVOLVED), "\nurl: ", EVOLVED_URL);
    let new_url = "/learn/health-studies/questions/how-lumenus-evolved";
    expect![[r#"
        renames lumenus/how-has-lumenus-evolved-over-the-years.md:24:6 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years»
        lumenus/how-has-lumenus-evolved-over-the-years.md:23:12 «how-has-lumenus-evolved-over-the-years.md» -> «how-lumenus-evolved.md»
        lumenus/how-has-lumenus-evolved-over-the-years.md:24:6 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years» -> «/learn/health-studies/questions/how-lumenus-evolved»
        lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md:37:10 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years» -> «/learn/health-studies/questions/how-lumenus-evolved»
        lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md:31:10 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years» -> «/learn/health-studies/questions/how-lumenus-evolved»
        lumenus/what-is-the-history-of-the-lumenus-organization.md:31:10 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years» -> «/learn/health-studies/questions/how-lumenus-evolved»
        shapes/which-lumenus-articles-cover-its-history.md:26:111 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years» -> «/learn/health-studies/questions/how-lumenus-evolved»
        extra/plain-referrer.md:11:8 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years» -> «/learn/health-studies/questions/how-lumenus-evolved»
        extra/quoted-referrer.md:11:10 «"/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years"» -> «"/learn/health-studies/questions/how-lumenus-evolved"»
        left: []
    "#]].assert_eq(&rename_in(&files, EVOLVED, own.end, new_url));
}

#[test]
fn rename_url_leaves_a_file_name_that_did_not_follow_the_slug() {
    let files = repo_fixtures(&["lumenus", "broken"]);
    let path = "broken/slug-mismatch.md";
    let own = find_after(files.text(path), "\nurl: ", "/learn/health-studies/questions/slug-mismatch");
    let new_url = "/learn/health-studies/questions/can-professionals-refer-clients";
    expect![[r#"
        renames broken/slug-mismatch.md:24:6 «/learn/health-studies/questions/slug-mismatch»
        broken/slug-mismatch.md:24:6 «/learn/health-studies/questions/slug-mismatch» -> «/learn/health-studies/questions/can-professionals-refer-clients»
        left: ["broken/slug-mismatch.md:23:12 «can-professionals-refer-clients-to-lumenus.md» slug-mismatch"]
    "#]].assert_eq(&rename_in(&files, path, own.start, new_url));
}

#[test]
fn rename_id_in_the_fixtures_and_its_refusals() {
    let files = rename_fixtures();
    let text = files.text(EVOLVED);
    let id = find_after(text, "\nid: ", "87377");
    let url = find_after(text, "\nurl: ", EVOLVED_URL);
    expect![[r#"
        renames lumenus/how-has-lumenus-evolved-over-the-years.md:3:5 «87377»
        lumenus/how-has-lumenus-evolved-over-the-years.md:3:5 «87377» -> «187377»
        lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md:33:9 «87377» -> «187377»
        lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md:27:9 «87377» -> «187377»
        lumenus/what-is-the-history-of-the-lumenus-organization.md:27:9 «87377» -> «187377»
        shapes/which-lumenus-articles-cover-its-history.md:26:24 «87377» -> «187377»
        extra/plain-referrer.md:8:7 «87377» -> «187377»
        extra/quoted-referrer.md:8:9 «87377» -> «187377»
        left: []
    "#]].assert_eq(&rename_in(&files, EVOLVED, id.end, "187377"));
    // A taken id, a value that is no id, a taken url; only the article's own
    // title, url and id.
    let refusals = [
        rename_in(&files, EVOLVED, id.start, "87366"),
        rename_in(&files, EVOLVED, id.start, "12ab"),
        rename_in(
            &files,
            EVOLVED,
            url.start,
            "/learn/sociology/questions/what-is-the-history-of-the-lumenus-organization",
        ),
        rename_in(&files, EVOLVED, find_after(text, "\nsubject: ", "Health").start, "Other"),
        rename_in(&files, EVOLVED, find_after(text, "related_article1:", "87366").start, "1"),
    ];
    expect![[r#"
        refused: id 87366 is already taken by lumenus/what-is-the-history-of-the-lumenus-organization.md
        refused: `12ab` is not a non-negative integer id
        refused: url /learn/sociology/questions/what-is-the-history-of-the-lumenus-organization is already taken by lumenus/what-is-the-history-of-the-lumenus-organization.md
        refused: rename works on the article's own `title`, `url` or `id`
        refused: rename works on the article's own `title`, `url` or `id`"#]].assert_eq(&refusals.join("\n"));
}

/// Actions over `range` of `path`: each with its kind, the codes it fixes,
/// and its change applied.
fn actions_in(fixture: &Fixture, path: &str, range: std::ops::Range<usize>) -> String {
    let file = fixture.file(path);
    let range = text_size::TextRange::new((range.start as u32).into(), (range.end as u32).into());
    let mut out = String::new();
    for action in code_actions(&fixture.index, fixture.current(file), range, text_of(fixture)) {
        let preferred = if action.is_preferred { " (preferred)" } else { "" };
        out += &format!("## {}{preferred} {:?} fixes {:?}\n", action.title, action.kind, action.fixes);
        out += &show_applied(fixture, &action.change);
    }
    out
}

/// The range of the one diagnostic of `path`.
fn diagnosed(fixture: &Fixture, path: &str) -> std::ops::Range<usize> {
    let found = crate::diagnostics::article_diagnostics(&fixture.index, fixture.file(path));
    let [diagnostic] = &found[..] else { panic!("one diagnostic in {path}: {found:?}") };
    diagnostic.range.into()
}

#[test]
fn stale_fields_in_the_fixtures_take_the_targets_value() {
    let fixture = repo_fixtures(&["lumenus", "broken"]).fixture();
    let mut shown = String::new();
    for path in
        ["broken/stale-title.md", "broken/stale-url.md", "broken/stale-id.md", "broken/stale-subject.md"]
    {
        shown += &format!("# {path}\n{}", actions_in(&fixture, path, diagnosed(&fixture, path)));
    }
    expect![[r#"
        # broken/stale-title.md
        ## Use the current title: “How has Lumenus evolved over the years?” (preferred) QuickFix fixes [StaleTitle]
        broken/stale-title.md:29:9 «How has Lumenus changed over the years?» -> «How has Lumenus evolved over the years?»
        left: []
        ## Link back from “How has Lumenus evolved over the years?” (id 87377) Refactor fixes []
        lumenus/how-has-lumenus-evolved-over-the-years.md:49:83 «» -> «
        related_article5:
            id: 90009
            title: How old is Lumenus?
            subject: Health Studies
            url: /learn/health-studies/questions/stale-title»
        left: []
        ## Fix all stale links and file_name FixAll fixes [StaleId, StaleUrl, StaleTitle, StaleSubject, SlugMismatch]
        broken/stale-title.md:29:9 «How has Lumenus changed over the years?» -> «How has Lumenus evolved over the years?»
        left: []
        # broken/stale-url.md
        ## Use the current url: “/learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community” (preferred) QuickFix fixes [StaleUrl]
        broken/stale-url.md:31:10 «/learn/health-studies/questions/how-does-lumenus-engage-with-its-local-community» -> «/learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community»
        left: []
        ## Link back from “How does Lumenus engage with the local community?” (id 87389) Refactor fixes []
        lumenus/how-does-lumenus-engage-with-the-local-community.md:49:103 «» -> «
        related_article5:
            id: 90010
            title: Does Lumenus hold public events?
            subject: Health Studies
            url: /learn/health-studies/questions/stale-url»
        left: []
        ## Fix all stale links and file_name FixAll fixes [StaleId, StaleUrl, StaleTitle, StaleSubject, SlugMismatch]
        broken/stale-url.md:31:10 «/learn/health-studies/questions/how-does-lumenus-engage-with-its-local-community» -> «/learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community»
        left: []
        # broken/stale-id.md
        ## Use the current id: “87389” (preferred) QuickFix fixes [StaleId]
        broken/stale-id.md:27:9 «87999» -> «87389»
        left: []
        ## Link back from “How does Lumenus engage with the local community?” (id 87389) Refactor fixes []
        lumenus/how-does-lumenus-engage-with-the-local-community.md:49:103 «» -> «
        related_article5:
            id: 90020
            title: Does Lumenus run a help line?
            subject: Health Studies
            url: /learn/health-studies/questions/stale-id»
        left: []
        ## Fix all stale links and file_name FixAll fixes [StaleId, StaleUrl, StaleTitle, StaleSubject, SlugMismatch]
        broken/stale-id.md:27:9 «87999» -> «87389»
        left: []
        # broken/stale-subject.md
        ## Use the current subject: “Sociology” (preferred) QuickFix fixes [StaleSubject]
        broken/stale-subject.md:30:14 «History» -> «Sociology»
        left: []
        ## Link back from “What is the history of the Lumenus organization?” (id 87366) Refactor fixes []
        lumenus/what-is-the-history-of-the-lumenus-organization.md:43:113 «» -> «
        related_article4:
            id: 90011
            title: Who founded Lumenus?
            subject: Health Studies
            url: /learn/health-studies/questions/stale-subject»
        left: []
        ## Fix all stale links and file_name FixAll fixes [StaleId, StaleUrl, StaleTitle, StaleSubject, SlugMismatch]
        broken/stale-subject.md:30:14 «History» -> «Sociology»
        left: []
    "#]].assert_eq(&shown);
}

/// A new article whose links went stale in several ways, with a `file_name`
/// that does not follow its url.
const MANY: &str = "broken/many-stale.md";
use article_corpus::samples::MANY_STALE as MANY_TEXT;

#[test]
fn one_action_per_link_fixes_all_its_stale_fields_and_fix_all_every_safe_one() {
    let fixture = repo_fixtures(&["lumenus", "broken"]).with(MANY, MANY_TEXT).fixture();
    let block = MANY_TEXT.find("related_article1:").expect("block")
        ..find_after(MANY_TEXT, "related_article1:", "years").end;
    expect![[r###"
        ## Use the current title: “How has Lumenus evolved over the years?” QuickFix fixes [StaleTitle]
        broken/many-stale.md:10:9 «How has Lumenus changed?» -> «How has Lumenus evolved over the years?»
        left: ["broken/many-stale.md:5:12 «many.md» slug-mismatch", "broken/many-stale.md:11:14 «Sociology» stale-subject", "broken/many-stale.md:13:39 «What is the history of Lumenus?» stale-title", "broken/many-stale.md:18:10 «/learn/health-studies/questions/how-does-lumenus-engage» stale-url", "broken/many-stale.md:20:9 «87399» broken-link"]
        ## Use the current subject: “Health Studies” QuickFix fixes [StaleSubject]
        broken/many-stale.md:11:14 «Sociology» -> «Health Studies»
        left: ["broken/many-stale.md:5:12 «many.md» slug-mismatch", "broken/many-stale.md:10:9 «How has Lumenus changed?» stale-title", "broken/many-stale.md:13:39 «What is the history of Lumenus?» stale-title", "broken/many-stale.md:18:10 «/learn/health-studies/questions/how-does-lumenus-engage» stale-url", "broken/many-stale.md:20:9 «87399» broken-link"]
        ## Update related_article1 to match “How has Lumenus evolved over the years?” (id 87377) (preferred) QuickFix fixes [StaleTitle, StaleSubject]
        broken/many-stale.md:10:9 «How has Lumenus changed?» -> «How has Lumenus evolved over the years?»
        broken/many-stale.md:11:14 «Sociology» -> «Health Studies»
        left: ["broken/many-stale.md:5:12 «many.md» slug-mismatch", "broken/many-stale.md:13:39 «What is the history of Lumenus?» stale-title", "broken/many-stale.md:18:10 «/learn/health-studies/questions/how-does-lumenus-engage» stale-url", "broken/many-stale.md:20:9 «87399» broken-link"]
        ## Link back from “How has Lumenus evolved over the years?” (id 87377) Refactor fixes []
        lumenus/how-has-lumenus-evolved-over-the-years.md:49:83 «» -> «
        related_article5:
            id: 99400
            title: Many stale fields
            subject: Health Studies
            url: /learn/health-studies/questions/many-stale»
        left: []
        ## Fix all stale links and file_name FixAll fixes [StaleId, StaleUrl, StaleTitle, StaleSubject, SlugMismatch]
        broken/many-stale.md:5:12 «many.md» -> «many-stale.md»
        broken/many-stale.md:10:9 «How has Lumenus changed?» -> «How has Lumenus evolved over the years?»
        broken/many-stale.md:11:14 «Sociology» -> «Health Studies»
        broken/many-stale.md:13:38 «'What is the history of Lumenus?'» -> «'What is the history of the Lumenus organization?'»
        broken/many-stale.md:18:10 «/learn/health-studies/questions/how-does-lumenus-engage» -> «/learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community»
        left: ["broken/many-stale.md:20:9 «87399» broken-link"]
    "###]].assert_eq(&actions_in(&fixture, MANY, block));
    expect![[r###"
        ## Fix all stale links and file_name FixAll fixes [StaleId, StaleUrl, StaleTitle, StaleSubject, SlugMismatch]
        broken/many-stale.md:5:12 «many.md» -> «many-stale.md»
        broken/many-stale.md:10:9 «How has Lumenus changed?» -> «How has Lumenus evolved over the years?»
        broken/many-stale.md:11:14 «Sociology» -> «Health Studies»
        broken/many-stale.md:13:38 «'What is the history of Lumenus?'» -> «'What is the history of the Lumenus organization?'»
        broken/many-stale.md:18:10 «/learn/health-studies/questions/how-does-lumenus-engage» -> «/learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community»
        left: ["broken/many-stale.md:20:9 «87399» broken-link"]
    "###]].assert_eq(&actions_in(&fixture, MANY, 0..0));
}

#[test]
fn a_broken_link_in_the_fixtures_is_replaced_by_the_closest_article() {
    let fixture = repo_fixtures(&["lumenus", "broken"]).fixture();
    let path = "broken/broken-link.md";
    expect![[r#"
        ## Link to “How has Lumenus evolved over the years?” (id 87377) (preferred) QuickFix fixes [BrokenLink]
        broken/broken-link.md:33:9 «87399» -> «87377»
        broken/broken-link.md:35:9 «How has Lumenus evolved over the decades?» -> «How has Lumenus evolved over the years?»
        broken/broken-link.md:37:10 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-decades» -> «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years»
        left: []
        ## Link to “How does Lumenus engage with the local community?” (id 87389) QuickFix fixes [BrokenLink]
        broken/broken-link.md:33:9 «87399» -> «87389»
        broken/broken-link.md:35:9 «How has Lumenus evolved over the decades?» -> «How does Lumenus engage with the local community?»
        broken/broken-link.md:37:10 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-decades» -> «/learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community»
        left: []
        ## Link to “How does Lumenus measure the effectiveness of its services?” (id 87386) QuickFix fixes [BrokenLink]
        broken/broken-link.md:33:9 «87399» -> «87386»
        broken/broken-link.md:35:9 «How has Lumenus evolved over the decades?» -> «How does Lumenus measure the effectiveness of its services?»
        broken/broken-link.md:37:10 «/learn/health-studies/questions/how-has-lumenus-evolved-over-the-decades» -> «/learn/health-studies/questions/how-does-lumenus-measure-the-effectiveness-of-its-services»
        left: []
    "#]].assert_eq(&actions_in(&fixture, path, diagnosed(&fixture, path)));
}

#[test]
fn a_broken_link_offers_up_to_three_alternatives_the_closest_first() {
    let mut files = repo_fixtures(&["lumenus"]);
    for (n, topic) in [(1, "training"), (2, "times"), (3, "tips"), (4, "sites")] {
        let text = format!(
            "---\nid: 9960{n}\ntitle: Lumenus walk-in counselling {topic}\nsubject: Health Studies\n\
             url: /learn/health-studies/questions/lumenus-walk-in-counselling-{topic}\n---\n"
        );
        files = files.with(&format!("walk-in/{topic}.md"), &text);
    }
    let path = "walk-in/questions.md";
    let text = "---\nid: 99600\ntitle: Walk-in questions\nsubject: Health Studies\n\
                url: /learn/health-studies/questions/walk-in-questions\nrelated_article1:\n    id: 99699\n    \
                title: Lumenus walk-in counselling timing\n    subject: Health Studies\n    \
                url: /learn/health-studies/questions/lumenus-walk-in-counselling-timing\n---\n";
    let fixture = files.with(path, text).fixture();
    expect![[r#"
        ## Link to “Lumenus walk-in counselling training” (id 99601) (preferred) QuickFix fixes [BrokenLink]
        walk-in/questions.md:7:9 «99699» -> «99601»
        walk-in/questions.md:8:12 «Lumenus walk-in counselling timing» -> «Lumenus walk-in counselling training»
        walk-in/questions.md:10:10 «/learn/health-studies/questions/lumenus-walk-in-counselling-timing» -> «/learn/health-studies/questions/lumenus-walk-in-counselling-training»
        left: []
        ## Link to “Lumenus walk-in counselling times” (id 99602) QuickFix fixes [BrokenLink]
        walk-in/questions.md:7:9 «99699» -> «99602»
        walk-in/questions.md:8:12 «Lumenus walk-in counselling timing» -> «Lumenus walk-in counselling times»
        walk-in/questions.md:10:10 «/learn/health-studies/questions/lumenus-walk-in-counselling-timing» -> «/learn/health-studies/questions/lumenus-walk-in-counselling-times»
        left: []
        ## Link to “Lumenus walk-in counselling tips” (id 99603) QuickFix fixes [BrokenLink]
        walk-in/questions.md:7:9 «99699» -> «99603»
        walk-in/questions.md:8:12 «Lumenus walk-in counselling timing» -> «Lumenus walk-in counselling tips»
        walk-in/questions.md:10:10 «/learn/health-studies/questions/lumenus-walk-in-counselling-timing» -> «/learn/health-studies/questions/lumenus-walk-in-counselling-tips»
        left: []
        ## Link to “Lumenus walk-in counselling sites” (id 99604) QuickFix fixes [BrokenLink]
        walk-in/questions.md:7:9 «99699» -> «99604»
        walk-in/questions.md:8:12 «Lumenus walk-in counselling timing» -> «Lumenus walk-in counselling sites»
        walk-in/questions.md:10:10 «/learn/health-studies/questions/lumenus-walk-in-counselling-timing» -> «/learn/health-studies/questions/lumenus-walk-in-counselling-sites»
        left: []
    "#]].assert_eq(&actions_in(&fixture, path, diagnosed(&fixture, path)));
}

#[test]
fn link_mismatch_self_and_duplicate_links_and_slug_mismatch_in_the_fixtures() {
    let wrong = "broken/wrong-segment.md";
    let wrong_text = "---\nid: 99500\ntitle: Wrong segment\nsubject: Sociology\nfile_name: wrong.md\n\
                      url: /learn/health-studies/questions/wrong-segment\n---\n";
    let fixture = repo_fixtures(&["lumenus", "broken"]).with(wrong, wrong_text).fixture();
    let mut shown = String::new();
    for path in [
        "broken/link-mismatch.md",
        "broken/self-link.md",
        "broken/duplicate-link.md",
        "broken/slug-mismatch.md",
    ] {
        shown += &format!("# {path}\n{}", actions_in(&fixture, path, diagnosed(&fixture, path)));
    }
    // A url whose subject segment is wrong: the file_name fix does not solve that.
    shown += &format!("# {wrong}\n{}", actions_in(&fixture, wrong, 0..wrong_text.len()));
    expect![[r##"
        # broken/link-mismatch.md
        ## Follow the id: link to “How does Lumenus support individuals with autism?” (id 87369) QuickFix fixes [LinkMismatch]
        broken/link-mismatch.md:31:10 «/learn/health-studies/questions/what-specialized-programs-does-lumenus-offer-for-autism-support» -> «/learn/health-studies/questions/how-does-lumenus-support-individuals-with-autism»
        left: []
        ## Follow the url: link to “What specialized programs does Lumenus offer for autism support?” (id 87380) QuickFix fixes [LinkMismatch]
        broken/link-mismatch.md:27:9 «87369» -> «87380»
        broken/link-mismatch.md:29:9 «How does Lumenus support individuals with autism?» -> «What specialized programs does Lumenus offer for autism support?»
        left: []
        ## Link back from “How does Lumenus support individuals with autism?” (id 87369) Refactor fixes []
        lumenus/how-does-lumenus-support-individuals-with-autism.md:43:103 «» -> «
        related_article4:
            id: 90008
            title: Where can families learn about autism services at Lumenus?
            subject: Health Studies
            url: /learn/health-studies/questions/link-mismatch»
        left: []
        # broken/self-link.md
        ## Remove related_article2 (preferred) QuickFix fixes [SelfLink]
        broken/self-link.md:32:1 «related_article2:
            id: 90012
            title: >-
                Why do Lumenus articles link to each other?
            subject: Health Studies
            url: /learn/health-studies/questions/self-link
        » -> «»
        left: []
        # broken/duplicate-link.md
        ## Remove related_article3 (preferred) QuickFix fixes [DuplicateLink]
        broken/duplicate-link.md:38:1 «related_article3:
            id: 87386
            title: >-
                How does Lumenus measure the effectiveness of its services?
            subject: Health Studies
            url: /learn/health-studies/questions/how-does-lumenus-measure-the-effectiveness-of-its-services
        » -> «»
        left: []
        # broken/slug-mismatch.md
        ## Set file_name to `slug-mismatch.md` (preferred) QuickFix fixes [SlugMismatch]
        broken/slug-mismatch.md:23:12 «can-professionals-refer-clients-to-lumenus.md» -> «slug-mismatch.md»
        left: []
        ## Fix all stale links and file_name FixAll fixes [StaleId, StaleUrl, StaleTitle, StaleSubject, SlugMismatch]
        broken/slug-mismatch.md:23:12 «can-professionals-refer-clients-to-lumenus.md» -> «slug-mismatch.md»
        left: []
        # broken/wrong-segment.md
        ## Set file_name to `wrong-segment.md` (preferred) QuickFix fixes [SlugMismatch]
        broken/wrong-segment.md:5:12 «wrong.md» -> «wrong-segment.md»
        left: ["broken/wrong-segment.md:6:6 «/learn/health-studies/questions/wrong-segment» slug-mismatch"]
        ## Fix all stale links and file_name FixAll fixes [StaleId, StaleUrl, StaleTitle, StaleSubject, SlugMismatch]
        broken/wrong-segment.md:5:12 «wrong.md» -> «wrong-segment.md»
        left: ["broken/wrong-segment.md:6:6 «/learn/health-studies/questions/wrong-segment» slug-mismatch"]
    "##]].assert_eq(&shown);
}

#[test]
fn link_back_adds_the_next_block_to_the_target_until_it_links_back() {
    let fixture = repo_fixtures(&["lumenus", "broken"]).fixture();
    let path = "broken/broken-link.md";
    let block = find_after(fixture.text(&FilePath::new(path)), "related_article1:", "related_article1");
    let file = fixture.file(path);
    let range = text_size::TextRange::new((block.start as u32).into(), (block.end as u32).into());
    let actions = code_actions(&fixture.index, fixture.current(file), range, text_of(&fixture));
    expect![[r#"
        ## Link back from “What is the history of the Lumenus organization?” (id 87366) Refactor fixes []
        lumenus/what-is-the-history-of-the-lumenus-organization.md:43:113 «» -> «
        related_article4:
            id: 90007
            title: What has changed at Lumenus recently?
            subject: Health Studies
            url: /learn/health-studies/questions/broken-link»
        left: []
    "#]]
    .assert_eq(&actions_in(&fixture, path, block.clone()));
    let [link_back] = &actions[..] else { panic!("one action: {actions:?}") };
    // Once the target links back, the action is gone.
    let linked = fixture.with_change(&link_back.change);
    assert_eq!(actions_in(&linked, path, block), "");
    assert_eq!(linked.diagnostics().iter().filter(|d| d.starts_with(HISTORY)).count(), 0);
}
