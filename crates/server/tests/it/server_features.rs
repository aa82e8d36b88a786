//! The editing features through the in-process server: completion of related
//! articles, go to definition, hover, references and the backlink lens,
//! document links and symbols. Each on block, folded, quoted and flow-mapping
//! values, broken links, and emoji titles in both position encodings.

use article_test_support as support;

use serde_json::{Value, json};
use support::cluster::{
    COLLABORATE, EVOLVED, EVOLVED_TITLE, EVOLVED_URL, FLOW, HISTORY, HISTORY_TITLE, HISTORY_URL, SOURCES,
};
use support::{Session, apply_edits, find_after, position, range};

use article_core::article::parse_article;
use article_core::line_index::PositionEncoding;

const FAMILIES: &str = "shapes/how-do-families-describe-lumenus.md";
const FAMILIES_TITLE: &str = "How do families describe Lumenus? 家庭的声音 🌟";
const FAMILIES_URL: &str = "/learn/psychology/questions/how-do-families-describe-lumenus";

/// `text` with `block` (whole lines) added just before the closing `---`.
fn with_block(text: &str, block: &str) -> String {
    let closing = text.find("\n---\n").expect("a closing fence") + 1;
    format!("{}{block}{}", &text[..closing], &text[closing..])
}

/// The item labelled `label`, failing with the labels there are.
fn item<'a>(list: &'a Value, label: &str) -> &'a Value {
    let items = list["items"].as_array().expect("items");
    items
        .iter()
        .find(|item| item["label"] == label)
        .unwrap_or_else(|| panic!("no `{label}` in {:?}", labels(list)))
}

fn labels(list: &Value) -> Vec<String> {
    let items = list["items"].as_array().expect("items");
    items.iter().map(|item| item["label"].as_str().expect("a label").to_owned()).collect()
}

/// The text after accepting `item`, as an editor does: the main edit and the
/// additional ones together. The main edit must stay on one line.
fn accept(text: &str, item: &Value, encoding: PositionEncoding) -> String {
    let main = &item["textEdit"];
    assert_eq!(main["range"]["start"]["line"], main["range"]["end"]["line"], "one-line main edit: {item}");
    let mut edits = item["additionalTextEdits"].as_array().cloned().unwrap_or_default();
    edits.push(main.clone());
    let accepted = apply_edits(text, &edits, encoding);
    let article = parse_article(&accepted).expect("still an article");
    assert!(article.syntax_errors.is_empty(), "valid YAML after accepting:\n{accepted}");
    accepted
}

/// Replaces the open document's text and checks that the server finds
/// nothing wrong with it: the completed link is right.
async fn assert_healthy(session: &Session, relative: &str, text: &str, version: i32) {
    let path = session.path(relative);
    session.client.change(&path, version, json!([{ "text": text }])).await;
    let pulled = session.client.pull_diagnostics(&path).await;
    assert!(pulled.is_empty(), "no diagnostics for\n{text}\n{pulled:#?}");
}

// Completion

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_on_an_id_offers_unlinked_articles_and_accepting_fills_the_block() {
    let session = Session::start(&["lumenus"]).await;
    let text = with_block(&session.read(EVOLVED), "related_article5:\n    id: 873\n");
    session.client.open_text(&session.path(EVOLVED), &text).await;
    let cursor = find_after(&text, "related_article5:", "873").end;

    let list = session.complete(EVOLVED, &text, cursor).await;
    assert_eq!(list["isIncomplete"], false);
    // Not itself (87377) nor what it links to already (87366, 87376, 87390,
    // 87367); the same subject first, then titles sharing more words.
    assert_eq!(
        labels(&list),
        ["87389", "87386", "87375", "87369", "87385", "87393", "87384", "87380", "87368"]
    );
    let autism = item(&list, "87369");
    assert_eq!(autism["labelDetails"]["detail"], " How does Lumenus support individuals with autism?");
    assert_eq!(autism["detail"], "Health Studies");
    assert_eq!(item(&list, "87368")["detail"], "Psychology");
    assert_eq!(autism["kind"], 18, "a reference");
    assert_eq!(autism["insertTextFormat"], 1, "plain text");
    assert!(autism.get("documentation").is_none(), "documentation comes on resolve: {autism}");
    let resolved = session.result("completionItem/resolve", autism.clone()).await;
    assert_eq!(resolved["label"], "87369");
    assert_eq!(resolved["textEdit"], autism["textEdit"]);
    assert_eq!(
        resolved["documentation"],
        json!({
            "kind": "markdown",
            "value": "**How does Lumenus support individuals with autism?**\n\nLumenus Community Services supports \
                      individuals with autism and their families through a combination of specialized \
                      developmental services and broader mental health and community supports. Its approach is \
                      family-centred and aims to meet people where they are, whether they are a young child who \
                      has…\n\n`/learn/health-studies/questions/how-does-lumenus-support-individuals-with-autism`",
        })
    );

    let accepted = accept(&text, autism, session.encoding);
    let expected = with_block(
        &session.read(EVOLVED),
        "related_article5:\n    id: 87369\n    title: How does Lumenus support individuals with autism?\n    \
         subject: Health Studies\n    url: /learn/health-studies/questions/how-does-lumenus-support-individuals-with-autism\n",
    );
    assert_eq!(accepted, expected);
    let article = parse_article(&accepted).expect("an article");
    let link = &article.related[4];
    assert_eq!(
        [&link.id, &link.title, &link.subject, &link.url].map(|f| f.as_ref().and_then(|f| f.text())),
        [
            Some("87369"),
            Some("How does Lumenus support individuals with autism?"),
            Some("Health Studies"),
            Some("/learn/health-studies/questions/how-does-lumenus-support-individuals-with-autism"),
        ]
    );
    assert_healthy(&session, EVOLVED, &accepted, 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_on_a_folded_title_spanning_lines_keeps_it_folded() {
    let session = Session::start(&["lumenus"]).await;
    let block = "related_article5:\n    id: 1\n    title: >-\n        autism\n        progr\n    subject: Sociology\n    url: /learn/old\n";
    let text = with_block(&session.read(EVOLVED), block);
    session.client.open_text(&session.path(EVOLVED), &text).await;
    let cursor = find_after(&text, "related_article5:", "progr").end;

    let list = session.complete(EVOLVED, &text, cursor).await;
    let title = "What specialized programs does Lumenus offer for autism support?";
    assert_eq!(labels(&list), [title], "titles with words starting `autism` and `progr`");
    let found = item(&list, title);
    assert_eq!(found["labelDetails"]["detail"], " 87380");
    assert_eq!(found["detail"], "Health Studies");
    let edit_line = found["textEdit"]["range"]["start"]["line"].clone();
    assert_eq!(edit_line, position(&text, cursor, session.encoding)["line"], "on the cursor's line");

    let expected = with_block(
        &session.read(EVOLVED),
        "related_article5:\n    id: 87380\n    title: >-\n        What specialized programs does Lumenus offer for autism support?\n    \
         subject: Health Studies\n    url: /learn/health-studies/questions/what-specialized-programs-does-lumenus-offer-for-autism-support\n",
    );
    assert_eq!(accept(&text, found, session.encoding), expected);

    // The same from the first line of the title: the cursor may be anywhere in it.
    let cursor = find_after(&text, "related_article5:", "autism").end;
    let list = session.complete(EVOLVED, &text, cursor).await;
    // Typed so far: `autism`. The title sharing more words with this one first.
    let both = [
        "How does Lumenus support individuals with autism?",
        "What specialized programs does Lumenus offer for autism support?",
    ];
    assert_eq!(labels(&list), both);
    assert_eq!(accept(&text, item(&list, title), session.encoding), expected);
    assert_healthy(&session, EVOLVED, &expected, 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_in_a_flow_mapping_with_a_quoted_title_keeps_the_quotes() {
    let session = Session::start(&["lumenus"]).await;
    let text =
        with_block(&session.read(EVOLVED), "related_article5: {id: 1, title: \"How does Lumenus eng\"}\n");
    session.client.open_text(&session.path(EVOLVED), &text).await;
    let cursor = find_after(&text, "related_article5:", "eng").end;

    let list = session.complete(EVOLVED, &text, cursor).await;
    let title = "How does Lumenus engage with the local community?";
    assert_eq!(labels(&list), [title]);
    let expected = with_block(
        &session.read(EVOLVED),
        "related_article5: {id: 87389, title: \"How does Lumenus engage with the local community?\", \
         subject: Health Studies, url: /learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community}\n",
    );
    assert_eq!(accept(&text, item(&list, title), session.encoding), expected);

    // On the id of a flow mapping: the same article by its id.
    let text = with_block(&session.read(EVOLVED), "related_article5: {id: 8738, url: /x}\n");
    session.client.change(&session.path(EVOLVED), 2, json!([{ "text": text }])).await;
    let cursor = find_after(&text, "related_article5:", "8738").end;
    let list = session.complete(EVOLVED, &text, cursor).await;
    assert_eq!(labels(&list), ["87389", "87386", "87385", "87384", "87380"]);
    let expected = with_block(
        &session.read(EVOLVED),
        "related_article5: {id: 87389, url: /learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community, \
         title: How does Lumenus engage with the local community?, subject: Health Studies}\n",
    );
    let accepted = accept(&text, item(&list, "87389"), session.encoding);
    assert_eq!(accepted, expected);
    assert_healthy(&session, EVOLVED, &accepted, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_on_url_and_subject_values() {
    let session = Session::start(&["lumenus"]).await;
    let prefix = "/learn/health-studies/questions/how-does-lumenus-sup";
    let text = with_block(&session.read(EVOLVED), &format!("related_article5:\n    url: {prefix}\n"));
    session.client.open_text(&session.path(EVOLVED), &text).await;
    let cursor = find_after(&text, "related_article5:", prefix).end;

    let list = session.complete(EVOLVED, &text, cursor).await;
    let url = "/learn/health-studies/questions/how-does-lumenus-support-individuals-with-autism";
    assert_eq!(labels(&list), [url], "urls matched by the words of their slug");
    let found = item(&list, url);
    assert_eq!(found["labelDetails"]["detail"], " 87369");
    assert_eq!(found["kind"], 17, "a file");
    let expected = with_block(
        &session.read(EVOLVED),
        &format!(
            "related_article5:\n    url: {url}\n    id: 87369\n    title: How does Lumenus support individuals with autism?\n    subject: Health Studies\n"
        ),
    );
    assert_eq!(accept(&text, found, session.encoding), expected);

    // Subjects: every known one, the most used first, filtered by what is typed.
    let text = with_block(&session.read(EVOLVED), "related_article5:\n    id: 87368\n    subject:\n");
    session.client.change(&session.path(EVOLVED), 2, json!([{ "text": text }])).await;
    let cursor = find_after(&text, "related_article5:", "subject:").end;
    let list = session.complete(EVOLVED, &text, cursor).await;
    assert_eq!(labels(&list), ["Health Studies", "Psychology", "Sociology"]);
    assert_eq!(item(&list, "Health Studies")["detail"], "12 articles");
    assert_eq!(item(&list, "Psychology")["kind"], 20, "an enum member");
    let expected =
        with_block(&session.read(EVOLVED), "related_article5:\n    id: 87368\n    subject: Psychology\n");
    assert_eq!(accept(&text, item(&list, "Psychology"), session.encoding), expected);

    let text = with_block(&session.read(EVOLVED), "related_article5:\n    id: 87368\n    subject: 'psy'\n");
    session.client.change(&session.path(EVOLVED), 3, json!([{ "text": text }])).await;
    let cursor = find_after(&text, "related_article5:", "psy").end;
    let list = session.complete(EVOLVED, &text, cursor).await;
    assert_eq!(labels(&list), ["Psychology"]);
    let expected =
        with_block(&session.read(EVOLVED), "related_article5:\n    id: 87368\n    subject: 'Psychology'\n");
    assert_eq!(accept(&text, item(&list, "Psychology"), session.encoding), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_on_an_empty_line_after_the_last_block_is_a_new_block_snippet() {
    let session = Session::start(&["lumenus"]).await;
    let text = with_block(&session.read(EVOLVED), "\n");
    session.client.open_text(&session.path(EVOLVED), &text).await;
    let cursor = text.find("\n\n---\n").expect("the empty line") + 1;

    let list = session.complete(EVOLVED, &text, cursor).await;
    assert_eq!(labels(&list), ["related_article5"]);
    let snippet = item(&list, "related_article5");
    assert_eq!(snippet["insertTextFormat"], 2, "a snippet");
    assert_eq!(snippet["kind"], 15);
    assert_eq!(
        snippet["textEdit"],
        json!({
            "range": range(&text, cursor..cursor, session.encoding),
            "newText": "related_article5:\n    id: $1\n    title: $2\n    subject: $3\n    url: $4",
        })
    );

    // Not on an empty line before the related blocks, nor outside the front matter.
    let text = session.read(EVOLVED).replacen("related_article1:", "\nrelated_article1:", 1);
    session.client.change(&session.path(EVOLVED), 2, json!([{ "text": text }])).await;
    let before = text.find("\n\nrelated_article1:").expect("the empty line") + 1;
    assert_eq!(labels(&session.complete(EVOLVED, &text, before).await), Vec::<String>::new());
    let body = text.len() - "&nbsp;".len() - 1;
    assert_eq!(labels(&session.complete(EVOLVED, &text, body).await), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_list_is_cut_at_fifty_and_marked_incomplete() {
    let root = tempfile::tempdir().expect("a temp dir");
    std::fs::create_dir_all(root.path().join("generated")).expect("a folder");
    for n in 0..60 {
        let text = format!(
            "---\nid: {id}\ntitle: Generated topic number {n}\nsubject: Health Studies\n\
             url: /learn/health-studies/questions/generated-topic-number-{n}\n---\n",
            id = 70000 + n
        );
        std::fs::write(root.path().join(format!("generated/generated-topic-number-{n}.md")), text)
            .expect("write");
    }
    let session = Session::in_root(root, |_| {}).await;
    let relative = "generated/new.md";
    let text = "---\nid: 80000\ntitle: New\nsubject: Health Studies\nurl: /learn/health-studies/questions/new\n\
                related_article1:\n    title: Generated\n---\n";
    session.client.open_text(&session.path(relative), text).await;

    let list = session.complete(relative, text, find_after(text, "title: Generated", "Generated").end).await;
    assert_eq!(list["isIncomplete"], true, "60 match, 50 are listed");
    assert_eq!(labels(&list).len(), 50);

    let text = text.replace("title: Generated", "id: 7005");
    session.client.change(&session.path(relative), 2, json!([{ "text": text }])).await;
    let list = session.complete(relative, &text, find_after(&text, "id: 7005", "7005").end).await;
    assert_eq!(list["isIncomplete"], false);
    let expected: Vec<String> = (70050..70060).map(|id| id.to_string()).collect();
    let mut found = labels(&list);
    found.sort();
    assert_eq!(found, expected);
}

// Go to definition

/// A new article linking by a folded multi-line title, by a flow mapping with
/// a quoted title, and by a broken block.
fn linking_article() -> String {
    "---\nid: 99100\ntitle: Where links start\nsubject: Health Studies\n\
     url: /learn/health-studies/questions/where-links-start\n\
     related_article1:\n    id: 87377\n    title: >-\n        How has Lumenus evolved\n        over the years?\n    \
     subject: Health Studies\n    url: /learn/health-studies/questions/how-has-lumenus-evolved-over-the-years\n\
     related_article2: {id: 87366, title: \"What is the history of the Lumenus organization?\", subject: Sociology, \
     url: /learn/sociology/questions/what-is-the-history-of-the-lumenus-organization}\n\
     related_article3:\n    id: 87399\n    title: How has Lumenus evolved over the decades?\n    subject: Health Studies\n    \
     url: /learn/health-studies/questions/how-has-lumenus-evolved-over-the-decades\n---\nBody\n"
        .to_owned()
}
const LINKING: &str = "lumenus/where-links-start.md";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definition_from_id_url_and_anywhere_on_a_folded_title() {
    let session = Session::start(&["lumenus"]).await;
    let text = linking_article();
    session.client.open_text(&session.path(LINKING), &text).await;
    let evolved = session.read(EVOLVED);
    let history = session.read(HISTORY);
    let evolved_title = session.location(EVOLVED, &evolved, find_after(&evolved, "title: >-", EVOLVED_TITLE));
    let history_title = session.location(HISTORY, &history, find_after(&history, "title: >-", HISTORY_TITLE));
    assert_eq!(evolved_title["range"]["start"], json!({ "line": 5, "character": 4 }));

    let block1 = |needle: &str| find_after(&text, "related_article1:", needle);
    let block2 = |needle: &str| find_after(&text, "related_article2:", needle);
    let spots = [
        ("on the id", block1("87377").start + 2, &evolved_title),
        ("on the url", block1("/learn").start + 20, &evolved_title),
        ("on the title key", block1("title").start, &evolved_title),
        ("on the folded header", block1(">-").start + 1, &evolved_title),
        ("on the title's first line", block1("evolved").start, &evolved_title),
        ("at the end of its last line", block1("years?").end, &evolved_title),
        ("on a flow id", block2("87366").end, &history_title),
        ("in a quoted title", block2("history of").start, &history_title),
        ("on a flow url", block2("/learn/sociology").end, &history_title),
    ];
    for (what, offset, expected) in spots {
        assert_eq!(&session.definition(LINKING, &text, offset).await, expected, "{what}");
    }

    for needle in ["87399", "decades", "over-the-decades"] {
        let offset = find_after(&text, "related_article3:", needle).start;
        let response =
            session.client.request("textDocument/definition", session.at(LINKING, &text, offset)).await;
        assert_eq!(response["result"], Value::Null, "a broken link has no definition: {response}");
        assert!(response.get("error").is_none(), "and no error: {response}");
    }
    let own = find_after(&text, "title: Where", "Where").start;
    assert_eq!(session.definition(LINKING, &text, own).await, Value::Null, "own fields link nowhere");
}

// Hover

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_on_a_link_shows_the_target_with_a_preview_cut_at_the_configured_length() {
    let session = Session::with(&["lumenus"], |options| {
        options.initialization_options = json!({ "hoverPreviewLength": 450 });
    })
    .await;
    let text = linking_article();
    session.client.open_text(&session.path(LINKING), &text).await;

    let block = find_after(&text, "related_article1:", "related_article1:").start;
    let block_end = find_after(&text, "related_article1:", EVOLVED_URL).end;
    let expected = json!({
        "contents": {
            "kind": "markdown",
            "value": "### How has Lumenus evolved over the years?\n\n\
                      Health Studies · `/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years` · id 87377\n\n\
                      **How has Lumenus evolved over the years?**\n\n\
                      Lumenus Community Services has changed considerably since its roots as a group of neighbourhood \
                      agencies in the northern part of Toronto. What began as separate organizations, each with its own \
                      programs for children, youth, adults and families, has grown into a single integrated provider of \
                      mental health, developmental and community services that is now one of the largest agencies of \
                      its kind in Ontario.\n\n**From separate agencies to one…\n\n\
                      ---\n\n4 articles link here.",
        },
        "range": range(&text, block..block_end, session.encoding),
    });
    // Three cluster articles link to it, and this one.
    for needle in
        ["related_article1", "87377", "Lumenus evolved", "over the years?", "Health Studies", "how-has"]
    {
        let offset = find_after(&text, "related_article1:", needle).start + 1;
        assert_eq!(session.hover(LINKING, &text, offset).await, expected, "hover at `{needle}`");
    }

    let flow = find_after(&text, "related_article2:", "history").start;
    let card = session.hover(LINKING, &text, flow).await;
    let value = card["contents"]["value"].as_str().expect("markdown");
    assert!(
        value.starts_with("### What is the history of the Lumenus organization?\n\nSociology · "),
        "{value}"
    );
    let flow_range = find_after(&text, "related_article2:", "related_article2: {").start
        ..find_after(&text, "related_article2:", "organization}").end;
    assert_eq!(card["range"], range(&text, flow_range, session.encoding), "the whole flow mapping");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_on_a_broken_link_says_what_is_wrong_and_the_closest_match() {
    let session = Session::start(&["lumenus"]).await;
    let text = linking_article();
    session.client.open_text(&session.path(LINKING), &text).await;
    let broken = find_after(&text, "related_article3:", "87399").start;
    let hover = session.hover(LINKING, &text, broken).await;
    assert_eq!(
        hover["contents"]["value"],
        "**Broken link**: no article has this id or url.\n\n\
         Closest article: “How has Lumenus evolved over the years?” (id 87377)"
    );
    let block = text.find("related_article3:").expect("block")
        ..find_after(&text, "related_article3:", "over-the-decades").end;
    assert_eq!(hover["range"], range(&text, block, session.encoding));
    assert!(
        session.references(LINKING, &text, broken, true).await.is_empty(),
        "a broken link has no references"
    );

    let text = text.replace("    id: 87399\n", "");
    session.client.change(&session.path(LINKING), 2, json!([{ "text": text }])).await;
    let broken = find_after(&text, "related_article3:", "decades").start;
    let hover = session.hover(LINKING, &text, broken).await;
    assert_eq!(
        hover["contents"]["value"],
        "**Broken link**: no article has this url.\n\n\
         Closest article: “How has Lumenus evolved over the years?” (id 87377)"
    );
}

/// The lines of a referrers hover: the count, then the referrers sorted.
fn referrers_hover(hover: &Value) -> (String, Vec<String>) {
    let value = hover["contents"]["value"].as_str().expect("markdown");
    let mut lines: Vec<String> = value.lines().map(str::to_owned).collect();
    let count = lines.remove(0);
    lines.sort();
    (count, lines)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_on_own_id_and_url_lists_the_referrers() {
    let session = Session::start(&["lumenus"]).await;
    let evolved = session.read(EVOLVED);
    let mut referrers = vec![
        "- “Can you provide references or sources for Lumenus's history and services?” (id 87376)".to_owned(),
        "- “Does Lumenus collaborate with other organizations for community support?” (id 87384)".to_owned(),
        "- “What is the history of the Lumenus organization?” (id 87366)".to_owned(),
    ];
    let id = find_after(&evolved, "id: 87377", "id: 87377");
    let url = find_after(&evolved, "\nurl: ", "url: /learn");
    for spot in [id.start, id.end, url.start + 8] {
        let hover = session.hover(EVOLVED, &evolved, spot).await;
        assert_eq!(referrers_hover(&hover), ("3 articles link here.".to_owned(), referrers.clone()));
    }
    let hover = session.hover(EVOLVED, &evolved, id.end).await;
    assert_eq!(hover["range"], range(&evolved, id.clone(), session.encoding));
    let own_title = find_after(&evolved, "title: >-", "evolved").start;
    assert_eq!(session.hover(EVOLVED, &evolved, own_title).await, Value::Null, "nothing to say on own title");

    // A new referrer counts once the server has it.
    session.client.open_text(&session.path(LINKING), &linking_article()).await;
    let params = session.at(EVOLVED, &evolved, id.start);
    let hover = session
        .client
        .request_until("textDocument/hover", params, |hover| {
            hover["contents"]["value"].as_str().is_some_and(|value| value.starts_with("4 articles"))
        })
        .await;
    referrers.push("- “Where links start” (id 99100)".to_owned());
    referrers.sort();
    assert_eq!(referrers_hover(&hover), ("4 articles link here.".to_owned(), referrers));
}

// References and the backlink lens

/// Where each block linking to the evolved article has `field`: the three
/// cluster referrers (folded titles) and the flow mapping (quoted title).
fn referrer_locations(session: &Session, value: &str) -> Vec<Value> {
    let mut found = Vec::new();
    for relative in [SOURCES, COLLABORATE, HISTORY] {
        let text = session.read(relative);
        let anchor = find_after(&text, "    id: 87377", "    id: 87377").start;
        let span = find_after(&text[anchor..], value, value);
        found.push(session.location(relative, &text, anchor + span.start..anchor + span.end));
    }
    let text = session.read(FLOW);
    found.push(session.location(FLOW, &text, find_after(&text, "{id: 87377", value)));
    sorted(found)
}

fn sorted(mut locations: Vec<Value>) -> Vec<Value> {
    locations.sort_by_key(|location| location.to_string());
    locations
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn references_on_own_id_url_and_title_find_every_linking_block() {
    let session = Session::start(&["lumenus", "shapes"]).await;
    let evolved = session.read(EVOLVED);
    let fields = [("id: 87377", "87377"), ("url: /learn", EVOLVED_URL), ("title: >-", EVOLVED_TITLE)];
    for (anchor, value) in fields {
        let own = find_after(&evolved, anchor, value);
        let expected = referrer_locations(&session, value);
        assert_eq!(expected.len(), 4);
        let found = session.references(EVOLVED, &evolved, own.start + 1, false).await;
        assert_eq!(sorted(found), expected, "references of own `{anchor}`");

        let found = session.references(EVOLVED, &evolved, own.end, true).await;
        assert_eq!(found[0], session.location(EVOLVED, &evolved, own.clone()), "the declaration first");
        assert_eq!(sorted(found[1..].to_vec()), expected, "then the referrers");
    }

    // From a link: the references of its target.
    let flow = session.read(FLOW);
    let offset = find_after(&flow, "{id: 87377", "87377").start;
    let found = session.references(FLOW, &flow, offset, false).await;
    assert_eq!(sorted(found), referrer_locations(&session, "87377"));
    let offset = find_after(&flow, "{id: 87377", "evolved").start;
    let found = session.references(FLOW, &flow, offset, true).await;
    assert_eq!(
        found[0],
        session.location(EVOLVED, &evolved, find_after(&evolved, "title: >-", EVOLVED_TITLE))
    );
    assert_eq!(sorted(found[1..].to_vec()), referrer_locations(&session, EVOLVED_TITLE));

    let subject = find_after(&evolved, "subject: Health", "Health").start;
    assert!(session.references(EVOLVED, &evolved, subject, true).await.is_empty(), "not on the subject");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_lens_on_the_id_counts_backlinks_and_shows_them() {
    let session = Session::start(&["lumenus", "shapes"]).await;
    let evolved = session.read(EVOLVED);
    let params = json!({ "textDocument": { "uri": session.uri(EVOLVED) } });
    let lenses = session.result("textDocument/codeLens", params).await;
    let id_key = find_after(&evolved, "\nid: 87377", "id");
    let id_range = range(&evolved, id_key.clone(), session.encoding);
    let lens = &lenses.as_array().expect("lenses")[..];
    assert_eq!(lens.len(), 1, "{lenses}");
    assert_eq!(lens[0]["range"], id_range);
    let command = &lens[0]["command"];
    assert_eq!(command["title"], "4 articles link here");
    assert_eq!(command["command"], "articleLsp.showReferences");
    let arguments = command["arguments"].as_array().expect("arguments");
    assert_eq!(arguments.len(), 3);
    assert_eq!(arguments[0], session.uri(EVOLVED));
    assert_eq!(arguments[1], position(&evolved, id_key.start, session.encoding));
    let locations = arguments[2].as_array().expect("locations").clone();
    assert_eq!(sorted(locations), referrer_locations(&session, "87377"), "the linking blocks");

    // One referrer: singular.
    let flow = session.read(FLOW);
    let text = with_block(
        &session.read(HISTORY),
        "related_article4:\n    id: 95003\n    url: /learn/health-studies/questions/which-lumenus-articles-cover-its-history\n",
    );
    std::fs::write(session.path(HISTORY), &text).expect("write");
    session.client.file_changed(&session.path(HISTORY), 2).await;
    let params = json!({ "textDocument": { "uri": session.uri(FLOW) } });
    let lenses = session
        .client
        .request_until("textDocument/codeLens", params, |lenses| {
            lenses[0]["command"]["title"] != "0 articles link here"
        })
        .await;
    assert_eq!(lenses[0]["command"]["title"], "1 article links here");
    let id = find_after(&flow, "\nid: 95003", "id");
    assert_eq!(lenses[0]["range"], range(&flow, id, session.encoding));
    let referrer = find_after(&text, "related_article4:", "95003");
    assert_eq!(lenses[0]["command"]["arguments"][2], json!([session.location(HISTORY, &text, referrer)]));
}

// Document links and symbols

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_links_for_urls_that_resolve() {
    let session = Session::start(&["lumenus", "shapes", "broken"]).await;
    let flow = session.read(FLOW);
    let params = json!({ "textDocument": { "uri": session.uri(FLOW) } });
    let links = session.result("textDocument/documentLink", params).await;
    let link = |anchor: &str, url: &str, target: &str, title: &str| {
        json!({
            "range": range(&flow, find_after(&flow, anchor, url), session.encoding),
            "target": session.uri(target),
            "tooltip": format!("Open “{title}”"),
        })
    };
    assert_eq!(
        links,
        json!([
            link(
                "\nurl: ",
                "/learn/health-studies/questions/which-lumenus-articles-cover-its-history",
                FLOW,
                "Which Lumenus articles cover its history?"
            ),
            link("related_article1: {", EVOLVED_URL, EVOLVED, EVOLVED_TITLE),
            link("related_article2:", HISTORY_URL, HISTORY, HISTORY_TITLE),
            link(
                "related_article3: {",
                "/learn/health-studies/questions/can-you-provide-references-or-sources-for-lumenuss-history-and-services",
                SOURCES,
                "Can you provide references or sources for Lumenus's history and services?"
            ),
        ])
    );

    // A url that names no article is no link.
    let stale = session.read("broken/stale-url.md");
    let params = json!({ "textDocument": { "uri": session.uri("broken/stale-url.md") } });
    let links = session.result("textDocument/documentLink", params).await;
    let targets: Vec<&Value> = links.as_array().expect("links").iter().map(|link| &link["target"]).collect();
    assert_eq!(
        targets,
        [
            &json!(session.uri("broken/stale-url.md")),
            &json!(
                session.uri(
                    "lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md"
                )
            ),
        ]
    );
    let own = find_after(&stale, "\nurl: ", "/learn/health-studies/questions/stale-url");
    assert_eq!(links[0]["range"], range(&stale, own, session.encoding));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_symbols_by_title_words_and_id_prefix() {
    let session = Session::start(&["lumenus", "shapes", "broken"]).await;
    let query = |query: &str| {
        let session = &session;
        let query = query.to_owned();
        async move { session.result("workspace/symbol", json!({ "query": query })).await }
    };
    let evolved = session.read(EVOLVED);
    assert_eq!(
        query("lumenus evolved YEARS").await,
        json!([{
            "name": EVOLVED_TITLE,
            "kind": 1,
            "location": session.location(EVOLVED, &evolved, find_after(&evolved, "title: >-", EVOLVED_TITLE)),
            "containerName": "id 87377 · Health Studies",
        }])
    );
    let names = |found: &Value| -> Vec<String> {
        found
            .as_array()
            .expect("symbols")
            .iter()
            .map(|s| s["name"].as_str().expect("a name").to_owned())
            .collect()
    };
    // By id prefix, shorter titles first.
    assert_eq!(
        names(&query("8738").await),
        [
            "How does Lumenus engage with the local community?",
            "How does Lumenus measure the effectiveness of its services?",
            "What specialized programs does Lumenus offer for autism support?",
            "What are the main challenges Lumenus faces in providing its services?",
            "Does Lumenus collaborate with other organizations for community support?",
        ]
    );
    // Titles starting with the query's first word first, then shorter ones.
    assert_eq!(
        names(&query("does lumenus offer").await),
        [
            "Does Lumenus offer virtual counselling?",
            "Does Lumenus offer programs for teenagers?",
            "What types of mental health services does Lumenus offer?",
            "What specialized programs does Lumenus offer for autism support?",
        ]
    );
    assert_eq!(names(&query("volved").await), Vec::<String>::new(), "words match title words' starts");
    let quoted = session.read("shapes/lumenus-intake-what-happens-on-the-first-call.md");
    let found = query("intake first").await;
    assert_eq!(found[0]["name"], "Lumenus intake: what happens on the first call?");
    assert_eq!(
        found[0]["location"],
        session.location(
            "shapes/lumenus-intake-what-happens-on-the-first-call.md",
            &quoted,
            find_after(&quoted, "title: \"", "Lumenus intake: what happens on the first call?")
        ),
        "inside the quotes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_symbols_outline_the_article_and_its_links() {
    let session = Session::start(&["lumenus", "shapes", "broken"]).await;
    let flow = session.read(FLOW);
    let params = json!({ "textDocument": { "uri": session.uri(FLOW) } });
    let outline = session.result("textDocument/documentSymbol", params).await;
    let closing = flow.find("\n---\n").expect("closing fence") + 1;
    let child = |n: u32, detail: &str, end: &str| {
        let key = format!("related_article{n}");
        let start = flow.find(&key).expect("a block");
        let end = find_after(&flow, &key, end).end;
        json!({
            "name": key,
            "detail": detail,
            "kind": 8,
            "range": range(&flow, start..end, session.encoding),
            "selectionRange": range(&flow, start..start + key.len(), session.encoding),
        })
    };
    let mut children = vec![
        child(1, EVOLVED_TITLE, "years}"),
        child(2, HISTORY_TITLE, HISTORY_URL),
        child(3, "Can you provide references or sources for Lumenus's history and services?", "services}"),
    ];
    for child in &mut children {
        child["children"] = json!([]);
    }
    let title = "Which Lumenus articles cover its history?";
    assert_eq!(
        outline,
        json!([{
            "name": title,
            "detail": "id 95003",
            "kind": 1,
            "range": range(&flow, 0..closing, session.encoding),
            "selectionRange": range(&flow, find_after(&flow, "title: >-", title), session.encoding),
            "children": children,
        }])
    );

    let broken = session.read("broken/broken-link.md");
    let params = json!({ "textDocument": { "uri": session.uri("broken/broken-link.md") } });
    let outline = session.result("textDocument/documentSymbol", params).await;
    let details: Vec<&Value> =
        outline[0]["children"].as_array().expect("children").iter().map(|c| &c["detail"]).collect();
    assert_eq!(details, [&json!(HISTORY_TITLE), &json!("How has Lumenus evolved over the decades?")]);
    assert_eq!(outline[0]["name"], "What has changed at Lumenus recently?");
    let broken_block = find_after(&broken, "related_article2:", "related_article2");
    assert_eq!(outline[0]["children"][1]["selectionRange"], range(&broken, broken_block, session.encoding));
}

// Emoji titles in both position encodings

/// An article whose own title and links carry emoji and CJK text, so that
/// UTF-8 and UTF-16 columns differ after them.
const EMOJI: &str = "shapes/families-and-lumenus.md";
fn emoji_article() -> String {
    format!(
        "---\nid: 99200\ntitle: \"🌟 Families 家庭 and Lumenus\"\nsubject: Psychology\n\
         url: /learn/psychology/questions/families-and-lumenus\n\
         related_article1: {{id: 95007, title: \"{FAMILIES_TITLE}\", subject: Psychology, url: {FAMILIES_URL}}}\n\
         ---\nBody 🌟\n"
    )
}

const DRAFT: &str = "shapes/families-draft.md";
fn emoji_draft() -> String {
    "---\nid: 99201\ntitle: Draft 🌟\nsubject: Psychology\nurl: /learn/psychology/questions/families-draft\n\
     related_article1: {title: \"🌟 家庭\"}\n---\n"
        .to_owned()
}

async fn emoji_features(encodings: &[&'static str], wide: bool) {
    let session = Session::with(&["lumenus", "shapes"], |options| {
        options.position_encodings = encodings.to_vec();
        options.initialization_options = json!({ "hoverPreviewLength": 60 });
    })
    .await;
    let negotiated = if wide { "utf-8" } else { "utf-16" };
    assert_eq!(session.client.initialize_result["capabilities"]["positionEncoding"], negotiated);
    // Widths of `🌟` and of one CJK character: 4 and 3 bytes, 2 and 1 units.
    let (star, cjk) = if wide { (4, 3) } else { (2, 1) };
    let text = emoji_article();
    session.client.open_text(&session.path(EMOJI), &text).await;
    let families = session.read(FAMILIES);

    // Completion after an emoji (in a draft not linking to the article yet):
    // the edit's columns are in the negotiated units.
    let draft = emoji_draft();
    session.client.open_text(&session.path(DRAFT), &draft).await;
    let cursor = find_after(&draft, "related_article1:", "家庭").end;
    let list = session.complete(DRAFT, &draft, cursor).await;
    // The article opened just before is offered too: the index holds an
    // open document as soon as it is opened.
    assert_eq!(labels(&list), [FAMILIES_TITLE, "🌟 Families 家庭 and Lumenus"]);
    let found = item(&list, FAMILIES_TITLE);
    let node_start = "related_article1: {title: ".len() as u32;
    let node_end = node_start + 1 + star + 1 + 2 * cjk + 1;
    assert_eq!(
        found["textEdit"]["range"],
        json!({ "start": { "line": 5, "character": node_start }, "end": { "line": 5, "character": node_end } })
    );
    assert_eq!(
        accept(&draft, found, session.encoding),
        draft.replace(
            "{title: \"🌟 家庭\"}",
            &format!("{{title: \"{FAMILIES_TITLE}\", id: 95007, subject: Psychology, url: {FAMILIES_URL}}}")
        )
    );

    // Definition from the end of the emoji title: the target's title, whose end
    // column differs by encoding.
    let link_title = find_after(&text, "related_article1:", FAMILIES_TITLE);
    let title_end = 4 + 34 + 5 * cjk + 1 + star;
    let target_title =
        json!({ "start": { "line": 5, "character": 4 }, "end": { "line": 5, "character": title_end } });
    let definition = session.definition(EMOJI, &text, link_title.end).await;
    assert_eq!(definition, json!({ "uri": session.uri(FAMILIES), "range": target_title }));

    // Hover: the block's range ends after the emoji; the preview counts characters.
    let hover = session.hover(EMOJI, &text, link_title.end - 1).await;
    let block_end = "related_article1: {id: 95007, title: \"".len() as u32
        + 34
        + 5 * cjk
        + 1
        + star
        + "\", subject: Psychology, url: ".len() as u32
        + FAMILIES_URL.len() as u32
        + 1;
    assert_eq!(
        hover["range"],
        json!({ "start": { "line": 5, "character": 0 }, "end": { "line": 5, "character": block_end } })
    );
    assert_eq!(
        hover["contents"]["value"],
        format!(
            "### {FAMILIES_TITLE}\n\nPsychology · `{FAMILIES_URL}` · id 95007\n\n**{FAMILIES_TITLE}**\n\n\
             Families often describe Lumenus as welcoming 😊 and easy to…\n\n---\n\n1 article links here."
        )
    );

    // References to the target's title from the link: its own title, then this block's.
    let found = session.references(EMOJI, &text, link_title.start, true).await;
    let title_start = "related_article1: {id: 95007, title: \"".len() as u32;
    assert_eq!(
        found,
        [
            json!({ "uri": session.uri(FAMILIES), "range": target_title }),
            json!({
                "uri": session.uri(EMOJI),
                "range": { "start": { "line": 5, "character": title_start },
                           "end": { "line": 5, "character": title_start + 34 + 5 * cjk + 1 + star } },
            }),
        ]
    );

    // Document links: the url after the emoji title.
    let params = json!({ "textDocument": { "uri": session.uri(EMOJI) } });
    let links = session.result("textDocument/documentLink", params).await;
    let url_start = block_end - 1 - FAMILIES_URL.len() as u32;
    assert_eq!(links[0]["target"], session.uri(EMOJI));
    assert_eq!(
        links[1],
        json!({
            "range": { "start": { "line": 5, "character": url_start }, "end": { "line": 5, "character": block_end - 1 } },
            "target": session.uri(FAMILIES),
            "tooltip": format!("Open “{FAMILIES_TITLE}”"),
        })
    );
    assert_eq!(links.as_array().map(Vec::len), Some(2));

    // Once the server has the emoji article, the target's backlink lens
    // counts it, and workspace symbols find both by a CJK word (the shorter
    // title first).
    let params = json!({ "textDocument": { "uri": session.uri(FAMILIES) } });
    let lenses = session
        .client
        .request_until("textDocument/codeLens", params, |lenses| {
            lenses[0]["command"]["title"] == "1 article links here"
        })
        .await;
    let link_id = find_after(&text, "related_article1:", "95007");
    assert_eq!(lenses[0]["command"]["arguments"][2], json!([session.location(EMOJI, &text, link_id)]));
    let own_title_end =
        "title: \"".len() as u32 + star + " Families ".len() as u32 + 2 * cjk + " and Lumenus".len() as u32;
    let own_title =
        json!({ "start": { "line": 2, "character": 8 }, "end": { "line": 2, "character": own_title_end } });
    let found = session.result("workspace/symbol", json!({ "query": "家庭" })).await;
    assert_eq!(
        found,
        json!([
            {
                "name": "🌟 Families 家庭 and Lumenus",
                "kind": 1,
                "location": { "uri": session.uri(EMOJI), "range": own_title },
                "containerName": "id 99200 · Psychology",
            },
            {
                "name": FAMILIES_TITLE,
                "kind": 1,
                "location": { "uri": session.uri(FAMILIES), "range": target_title },
                "containerName": "id 95007 · Psychology",
            },
        ])
    );

    // Document symbols of the emoji article.
    let params = json!({ "textDocument": { "uri": session.uri(EMOJI) } });
    let outline = session.result("textDocument/documentSymbol", params).await;
    assert_eq!(outline[0]["name"], "🌟 Families 家庭 and Lumenus");
    assert_eq!(outline[0]["selectionRange"], own_title);
    assert_eq!(outline[0]["children"][0]["range"]["end"], json!({ "line": 5, "character": block_end }));

    // Hover on the target's own url lists this article.
    let own_url = find_after(&families, "\nurl: ", FAMILIES_URL).start;
    let hover = session.hover(FAMILIES, &families, own_url).await;
    assert_eq!(
        hover["contents"]["value"],
        "1 article links here.\n- “🌟 Families 家庭 and Lumenus” (id 99200)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emoji_titles_in_utf16() {
    emoji_features(&[], false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emoji_titles_in_utf8() {
    emoji_features(&["utf-8", "utf-16"], true).await;
}
