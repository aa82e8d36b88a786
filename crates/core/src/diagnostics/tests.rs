use expect_test::{Expect, expect};

use super::article_diagnostics;
use crate::line_index::PositionEncoding;
use crate::test_support::Fixture;

/// Renders every file's diagnostics as `path:line:col code: message «text»`.
fn check(fixture: &str, expect: Expect) {
    let fixture = Fixture::parse(fixture);
    let mut out = String::new();
    for (path, text) in &fixture.files {
        let Some(file) = fixture.index.file_id(path) else { continue };
        let line_index = &fixture.index.get(file).expect("indexed").line_index;
        for diagnostic in article_diagnostics(&fixture.index, file) {
            let at = line_index.line_col(diagnostic.range.start().into(), PositionEncoding::Utf32);
            out += &format!(
                "{path}:{}:{} {}: {} «{}»\n",
                at.line + 1,
                at.col + 1,
                diagnostic.code.as_str(),
                diagnostic.message,
                &text[diagnostic.range]
            );
            for related in &diagnostic.related {
                out += &format!("    related {}: {}\n", fixture.index.path(related.file), related.message);
            }
        }
    }
    expect.assert_eq(&out);
}

const TARGET: &str = "//- target.md
---
id: 1
title: >-
    How does Lumenus work?
subject: Health Studies
url: /learn/health-studies/questions/how-does-lumenus-work
---
";

#[test]
fn healthy_link_has_no_diagnostics() {
    check(
        &format!(
            "{TARGET}//- a.md
---
id: 2
title: A
subject: Health Studies
url: /learn/health-studies/questions/a
file_name: a.md
related_article1:
    id: 1
    title: >-
        How does Lumenus work?
    subject: Health Studies
    url: /learn/health-studies/questions/how-does-lumenus-work
---
"
        ),
        expect![[""]],
    );
}

#[test]
fn syntax_errors() {
    check(
        "//- yaml.md
---
id: 3
url: /x
title: [unclosed
subject: S
---
//- open.md
---
id: 4
title: T
url: /y

&nbsp;
",
        expect![[r#"
            yaml.md:5:8 yaml-syntax: invalid YAML: illegal placement of ':' indicator «:»
            open.md:1:1 unterminated-front-matter: front matter is never closed: add a `---` line after it «---»
        "#]],
    );
}

#[test]
fn missing_and_invalid_fields() {
    check(
        "//- a.md
---
id: abc
url: learn/x
subject: [a, b]
related_article1:
    title: T
related_article2: not a block
related_article3: {id: -4, url: /ok}
---
",
        expect![[r#"
            a.md:1:1 missing-field: article has no `title` «---»
            a.md:2:5 invalid-field: invalid `id`: `abc` is not a non-negative integer «abc»
            a.md:3:6 invalid-field: invalid `url`: url `learn/x` does not start with `/` «learn/x»
            a.md:4:10 invalid-field: invalid `subject`: expected text, found a sequence «[a, b]»
            a.md:5:1 missing-field: `related_article1` has no `id` «related_article1»
            a.md:5:1 missing-field: `related_article1` has no `url` «related_article1»
            a.md:7:19 invalid-field: `related_article2` must be a mapping with `id`, `title`, `subject` and `url`, found a scalar «not a block»
            a.md:8:24 invalid-field: invalid `id`: `-4` is not a non-negative integer «-4»
            a.md:8:33 broken-link: broken link: no article has url /ok «/ok»
        "#]],
    );
}

#[test]
fn a_blank_question_or_answer_is_an_empty_value_however_written() {
    check(
        "//- a.md
---
id: 1
title: T
url: /a
question: '  '
answer: >-
    \x20
---
",
        expect![[r#"
            a.md:5:12 invalid-field: invalid `question`: expected text, found an empty value «  »
            a.md:6:9 invalid-field: invalid `answer`: expected text, found an empty value «>-»
        "#]],
    );
}

#[test]
fn duplicate_id_and_url() {
    check(
        "//- a.md
---
id: 7
title: A
url: /same
---
//- b.md
---
id: 7
title: B
url: /same
---
",
        expect![[r#"
            a.md:2:5 duplicate-id: id 7 is also claimed by 1 other article «7»
                related b.md: also claimed here
            a.md:4:6 duplicate-url: url /same is also claimed by 1 other article «/same»
                related b.md: also claimed here
            b.md:2:5 duplicate-id: id 7 is also claimed by 1 other article «7»
                related a.md: also claimed here
            b.md:4:6 duplicate-url: url /same is also claimed by 1 other article «/same»
                related a.md: also claimed here
        "#]],
    );
}

#[test]
fn broken_link_suggests_the_closest_article() {
    check(
        &format!(
            "{TARGET}//- a.md
---
id: 2
title: A
url: /a
related_article1:
    id: 99
    title: How does Lumenus works?
    url: /learn/health-studies/questions/how-does-lumenus-works
related_article2:
    id: 98
    title: Something else entirely
    url: /nowhere
---
"
        ),
        expect![[r#"
            a.md:6:9 broken-link: broken link: no article has id 99 or url /learn/health-studies/questions/how-does-lumenus-works; did you mean “How does Lumenus work?” (id 1)? «99»
                related target.md: closest existing article
            a.md:10:9 broken-link: broken link: no article has id 98 or url /nowhere «98»
        "#]],
    );
}

#[test]
fn link_mismatch_and_stale_fields() {
    check(
        &format!(
            "{TARGET}//- other.md
---
id: 5
title: Other
url: /other
---
//- a.md
---
id: 2
title: A
url: /a
related_article1:
    id: 1
    title: Old title
    subject: Sociology
    url: /old-url
related_article2:
    id: 5
    url: /learn/health-studies/questions/how-does-lumenus-work
related_article3:
    id: 404
    url: /other
---
"
        ),
        expect![[r#"
            a.md:7:12 stale-title: stale title: the article's title is now “How does Lumenus work?” «Old title»
            a.md:8:14 stale-subject: stale subject: the article's subject is now “Health Studies” «Sociology»
            a.md:9:10 stale-url: stale url: the article is now at /learn/health-studies/questions/how-does-lumenus-work «/old-url»
            a.md:12:10 link-mismatch: id and url link to different articles: the id is “Other” (id 5), the url is “How does Lumenus work?” (id 1) «/learn/health-studies/questions/how-does-lumenus-work»
                related other.md: the id's article
                related target.md: the url's article
            a.md:13:1 duplicate-link: `related_article3` links again to “Other” «related_article3»
                related a.md: first linked here
        "#]],
    );
}

#[test]
fn self_and_duplicate_links() {
    check(
        &format!(
            "{TARGET}//- a.md
---
id: 2
title: A
url: /a
related_article1: {{id: 2, url: /a}}
related_article2: {{id: 1, url: /learn/health-studies/questions/how-does-lumenus-work}}
related_article3: {{id: 1, url: /learn/health-studies/questions/how-does-lumenus-work}}
---
"
        ),
        expect![[r#"
            a.md:5:1 self-link: `related_article1` links to this article itself «related_article1»
            a.md:7:1 duplicate-link: `related_article3` links again to “How does Lumenus work?” «related_article3»
                related a.md: first linked here
        "#]],
    );
}

#[test]
fn slug_mismatch() {
    check(
        "//- a.md
---
id: 2
title: A
subject: Health Studies
url: /learn/sociology/questions/what-is-a
file_name: what-is-b.md
---
",
        expect![[r#"
            a.md:5:6 slug-mismatch: url's subject segment `sociology` does not match subject “Health Studies”: expected `health-studies` «/learn/sociology/questions/what-is-a»
            a.md:6:12 slug-mismatch: file_name `what-is-b.md` does not follow the url: expected `what-is-a.md` «what-is-b.md»
        "#]],
    );
}

#[test]
fn positions_follow_emoji_and_crlf() {
    check(
        "//- a.md\n---\r\nid: 2\r\ntitle: 🦀 漢字\r\nurl: /a\r\nrelated_article1: {id: 🦀, url: /a}\r\n---\r\n",
        expect![[r#"
            a.md:5:1 self-link: `related_article1` links to this article itself «related_article1»
            a.md:5:24 invalid-field: invalid `id`: `🦀` is not a non-negative integer «🦀»
        "#]],
    );
}

#[test]
fn stale_id_when_only_the_url_resolves() {
    check(
        &format!(
            "{TARGET}//- a.md
---
id: 2
title: A
url: /a
related_article1:
    id: 404
    url: /learn/health-studies/questions/how-does-lumenus-work
---
"
        ),
        expect![[r#"
            a.md:6:9 stale-id: stale id: no article has this id; the url's article has id 1 «404»
        "#]],
    );
}

#[test]
fn repeated_keys_are_reported_at_the_repeat_with_the_first_as_related() {
    check(
        "//- a.md
---
id: 2
title: A
id: 3
url: /a
related_article1:
    id: 1
    url: /b
    url: /c
related_article1: {id: 4, id: 5}
---
",
        expect![[r#"
            a.md:4:1 duplicate-key: `id` is written twice: YAML readers disagree on which one counts (this one is ignored here, but taken by others); keep one «id»
                related a.md: the first `id`
            a.md:7:9 broken-link: broken link: no article has id 1 or url /b «1»
            a.md:9:5 duplicate-key: `url` is written twice: YAML readers disagree on which one counts (this one is ignored here, but taken by others); keep one «url»
                related a.md: the first `url`
            a.md:10:1 missing-field: `related_article1` has no `url` «related_article1»
            a.md:10:1 duplicate-key: `related_article1` is written twice: YAML readers disagree on which one counts (this one is ignored here, but taken by others); keep one «related_article1»
                related a.md: the first `related_article1`
            a.md:10:24 broken-link: broken link: no article has id 4 «4»
            a.md:10:27 duplicate-key: `id` is written twice: YAML readers disagree on which one counts (this one is ignored here, but taken by others); keep one «id»
                related a.md: the first `id`
        "#]],
    );
}

#[test]
fn ids_readers_do_not_take_for_the_number_are_reported_and_still_link() {
    check(
        "//- target.md
---
id: 87367
title: T
url: /t
---
//- a.md
---
id: '90001'
title: A
url: /a
related_article1:
    id: 087367
    url: /t
related_article2:
    id: \"87367\"
    url: /t
---
//- b.md
---
id: 0
title: B
url: /b
related_article1:
    id: 99999999999999999999
    url: /t
related_article2:
    id: 18446744073709551615
    url: /t
---
",
        expect![[r#"
            a.md:2:6 invalid-field: invalid `id`: `90001` is written in quotes, so YAML reads it as text, not the number 90001: remove the quotes «90001»
            a.md:6:9 invalid-field: invalid `id`: `087367` has a leading zero, so most YAML readers take it as text or an octal number, not 87367: write 87367 «087367»
            a.md:8:1 duplicate-link: `related_article2` links again to “T” «related_article2»
                related a.md: first linked here
            a.md:9:10 invalid-field: invalid `id`: `87367` is written in quotes, so YAML reads it as text, not the number 87367: remove the quotes «87367»
            b.md:6:9 invalid-field: invalid `id`: `99999999999999999999` is too large for an id: ids go up to 18446744073709551615 «99999999999999999999»
            b.md:8:1 duplicate-link: `related_article2` links again to “T” «related_article2»
                related b.md: first linked here
        "#]],
    );
}
