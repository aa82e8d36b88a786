use expect_test::expect;

use super::*;
use crate::article::parse_article;

const LINKING: &str = "---
id: 87384
title: >-
    Does Lumenus collaborate?
subject: Health Studies
url: /learn/health-studies/questions/does-lumenus-collaborate
answer: >-
    Yes.\\n\\nIt does.
related_article1:
    id: '087377'
    title:  How has Lumenus evolved?
    subject: ''
    url: /learn/health-studies/questions/how-has-lumenus-evolved
related_article2: nowhere
---
Body
";

#[test]
fn a_summary_keeps_what_other_files_read_and_what_the_file_alone_says() {
    let summary = ArticleSummary::of_text(LINKING).expect("an article");
    let link = &summary.links[0];
    let field = |name| link.field(name).map(|field| (field.text(), &LINKING[field.range]));
    let shown = format!(
        "id {:?} title {:?} subject {:?} url {:?}\nlink {} to {:?} {:?}: {:?} {:?} {:?} {:?}\nlink {} mapping {}\n{:#?}",
        summary.id,
        summary.title_text(),
        summary.subject_text(),
        summary.article_url(),
        link.number,
        link.target_id(),
        link.target_url(),
        field(LinkFieldName::Id),
        field(LinkFieldName::Title),
        field(LinkFieldName::Subject),
        field(LinkFieldName::Url),
        summary.links[1].number,
        summary.links[1].is_mapping,
        summary.local.iter().map(|found| (found.code.as_str(), &LINKING[found.range])).collect::<Vec<_>>(),
    );
    expect![[r#"
        id Some(87384) title Some("Does Lumenus collaborate?") subject Some("Health Studies") url Some("/learn/health-studies/questions/does-lumenus-collaborate")
        link 1 to Some(87377) Some("/learn/health-studies/questions/how-has-lumenus-evolved"): Some((Some("087377"), "087377")) Some((Some("How has Lumenus evolved?"), "How has Lumenus evolved?")) Some((None, "''")) Some((Some("/learn/health-studies/questions/how-has-lumenus-evolved"), "/learn/health-studies/questions/how-has-lumenus-evolved"))
        link 2 mapping false
        [
            (
                "invalid-field",
                "087377",
            ),
            (
                "invalid-field",
                "''",
            ),
            (
                "invalid-field",
                "nowhere",
            ),
        ]"#]]
    .assert_eq(&shown);
}

#[test]
fn a_summary_is_a_fraction_of_the_model() {
    // The index holds one per file: 100,000 files must fit in a few dozen
    // megabytes, so the summary keeps no range it does not publish at.
    assert!(std::mem::size_of::<LinkSummary>() <= 96, "{}", std::mem::size_of::<LinkSummary>());
    assert!(std::mem::size_of::<ArticleSummary>() <= 160, "{}", std::mem::size_of::<ArticleSummary>());
    let article = parse_article(LINKING).expect("an article");
    assert!(std::mem::size_of::<LinkSummary>() * 2 < std::mem::size_of_val(&article.related[0]));
}
