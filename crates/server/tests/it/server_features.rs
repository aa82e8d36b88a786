//! What the protocol adds to the editing features, as transcripts of what
//! the server sends: completion items and their resolve, locations,
//! hovers, the backlink lens and its command, document links and symbols, in
//! both position encodings with emoji titles. Which articles, ranges and
//! texts the features find is the core's to test (`crates/core/src/ide/tests/`).

use article_test_support as support;

use expect_test::expect;
use serde_json::{Value, json};
use support::cluster::{EVOLVED, FLOW, HISTORY};
use support::{
    Session, apply_edits, find_after, range, show_code_lenses, show_completion_item, show_completion_list,
    show_document_links, show_document_symbols, show_location, show_locations, show_range,
    show_workspace_symbols,
};

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

/// Params naming a file of the workspace as the `textDocument`.
fn text_document(session: &Session, relative: &str) -> Value {
    json!({ "textDocument": { "uri": session.uri(relative) } })
}

// Completion

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_items_in_lsp_terms_and_documentation_on_resolve() {
    let session = Session::start(&["lumenus"]).await;
    let text = with_block(&session.read(EVOLVED), "related_article5:\n    id: 873\n");
    session.client.open_text(&session.path(EVOLVED), &text).await;
    let cursor = find_after(&text, "related_article5:", "873").end;
    let list = session.complete(EVOLVED, &text, cursor).await;
    // Articles are references, in plain text.
    expect![[r#"
        incomplete: false
        87389 How does Lumenus engage with the local community? (Health Studies) [reference, plain]
        87386 How does Lumenus measure the effectiveness of its services? (Health Studies) [reference, plain]
        87375 How can individuals contact Lumenus for services or inquiries? (Health Studies) [reference, plain]
        87369 How does Lumenus support individuals with autism? (Health Studies) [reference, plain]
        87385 What are the main challenges Lumenus faces in providing its services? (Health Studies) [reference, plain]
        87393 Are there any eligibility criteria for accessing Lumenus's services? (Health Studies) [reference, plain]
        87384 Does Lumenus collaborate with other organizations for community support? (Health Studies) [reference, plain]
        87380 What specialized programs does Lumenus offer for autism support? (Health Studies) [reference, plain]
        87368 What types of mental health services does Lumenus offer? (Psychology) [reference, plain]
    "#]].assert_eq(&show_completion_list(&list));

    // The edits are on the open document's lines (the new block's line is
    // 50, counted from 0); the documentation comes only on resolve.
    let autism = item(&list, "87369");
    assert!(autism.get("documentation").is_none(), "documentation comes on resolve: {autism}");
    expect![[r#"
        87369 How does Lumenus support individuals with autism? (Health Studies) [reference, plain]
        edit 50:8-50:11 -> "87369"
          and 50:11-50:11 -> "\n    title: How does Lumenus support individuals with autism?\n    subject: Health Studies\n    url: /learn/health-studies/questions/how-does-lumenus-support-individuals-with-autism"
    "#]].assert_eq(&show_completion_item(autism));
    let resolved = session.result("completionItem/resolve", autism.clone()).await;
    let mut documented = autism.clone();
    documented["documentation"] = resolved["documentation"].clone();
    assert_eq!(resolved, documented, "the same item, with its documentation");
    expect![[r#"
        87369 How does Lumenus support individuals with autism? (Health Studies) [reference, plain]
        documentation (markdown):
        **How does Lumenus support individuals with autism?**

        Lumenus Community Services supports individuals with autism and their families through a combination of specialized developmental services and broader mental health and community supports. Its approach is family-centred and aims to meet people where they are, whether they are a young child who has…

        `/learn/health-studies/questions/how-does-lumenus-support-individuals-with-autism`
        edit 50:8-50:11 -> "87369"
          and 50:11-50:11 -> "\n    title: How does Lumenus support individuals with autism?\n    subject: Health Studies\n    url: /learn/health-studies/questions/how-does-lumenus-support-individuals-with-autism"
    "#]].assert_eq(&show_completion_item(&resolved));

    // Urls are files, subjects enum members.
    let prefix = "/learn/health-studies/questions/how-does-lumenus-sup";
    let text = with_block(&session.read(EVOLVED), &format!("related_article5:\n    url: {prefix}\n"));
    session.client.change(&session.path(EVOLVED), 2, json!([{ "text": text }])).await;
    let list = session.complete(EVOLVED, &text, find_after(&text, "related_article5:", prefix).end).await;
    expect![[r#"
        incomplete: false
        /learn/health-studies/questions/how-does-lumenus-support-individuals-with-autism 87369 (Health Studies) [file, plain]
    "#]].assert_eq(&show_completion_list(&list));
    let text = with_block(&session.read(EVOLVED), "related_article5:\n    id: 87368\n    subject:\n");
    session.client.change(&session.path(EVOLVED), 3, json!([{ "text": text }])).await;
    let list = session.complete(EVOLVED, &text, find_after(&text, "related_article5:", "subject:").end).await;
    expect![[r#"
        incomplete: false
        Health Studies (12 articles) [enum-member, plain]
        Psychology (1 article) [enum-member, plain]
        Sociology (1 article) [enum-member, plain]
    "#]]
    .assert_eq(&show_completion_list(&list));

    // A new block is a snippet, inserted at the cursor.
    let text = with_block(&session.read(EVOLVED), "\n");
    session.client.change(&session.path(EVOLVED), 4, json!([{ "text": text }])).await;
    let cursor = text.find("\n\n---\n").expect("the empty line") + 1;
    let list = session.complete(EVOLVED, &text, cursor).await;
    expect![[r#"
        incomplete: false
        related_article5 new related block (Link another article) [snippet, snippet]
    "#]]
    .assert_eq(&show_completion_list(&list));
    let snippet = item(&list, "related_article5");
    assert_eq!(snippet["textEdit"]["range"], range(&text, cursor..cursor, session.encoding));
    expect![[r#"
        related_article5 new related block (Link another article) [snippet, snippet]
        edit 49:0-49:0 -> "related_article5:\n    id: $1\n    title: $2\n    subject: $3\n    url: $4"
    "#]]
    .assert_eq(&show_completion_item(snippet));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completion_list_cut_short_is_marked_incomplete() {
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
}

// Go to definition and hover

/// A new article linking by a folded multi-line title, by a flow mapping with
/// a quoted title, and by a broken block.
fn linking_article() -> String {
    support::corpus::samples::LINKING.to_owned()
}
const LINKING: &str = "lumenus/where-links-start.md";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definition_is_a_location_and_a_broken_link_has_none_without_error() {
    let session = Session::start(&["lumenus"]).await;
    let text = linking_article();
    session.client.open_text(&session.path(LINKING), &text).await;
    let on_id = find_after(&text, "related_article1:", "87377").start + 2;
    let found = session.definition(LINKING, &text, on_id).await;
    expect!["lumenus/how-has-lumenus-evolved-over-the-years.md 5:4-5:43"]
        .assert_eq(&show_location(&found, session.root.path()));

    let broken = find_after(&text, "related_article3:", "87399").start;
    let response =
        session.client.request("textDocument/definition", session.at(LINKING, &text, broken)).await;
    assert_eq!(response["result"], Value::Null, "a broken link has no definition: {response}");
    assert!(response.get("error").is_none(), "and no error: {response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_is_markdown_over_the_block_cut_at_the_configured_length() {
    let session = Session::with(&["lumenus"], |options| {
        options.initialization_options = json!({ "hoverPreviewLength": 450 });
    })
    .await;
    let text = linking_article();
    session.client.open_text(&session.path(LINKING), &text).await;
    let hover = session.hover(LINKING, &text, find_after(&text, "related_article1:", "87377").start).await;
    assert_eq!(hover["contents"]["kind"], "markdown");
    let shown =
        format!("{}\n{}", show_range(&hover["range"]), hover["contents"]["value"].as_str().expect("a value"));
    // Three cluster articles link to the target, and the open document.
    expect![[r#"
        5:0-11:79
        ### How has Lumenus evolved over the years?

        Health Studies · `/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years` · id 87377

        **How has Lumenus evolved over the years?**

        Lumenus Community Services has changed considerably since its roots as a group of neighbourhood agencies in the northern part of Toronto. What began as separate organizations, each with its own programs for children, youth, adults and families, has grown into a single integrated provider of mental health, developmental and community services that is now one of the largest agencies of its kind in Ontario.

        **From separate agencies to one…

        ---

        4 articles link here."#]].assert_eq(&shown);
    assert_eq!(hover.as_object().map(|hover| hover.len()), Some(2), "contents and range: {hover}");
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
async fn hover_counts_a_referrer_once_it_is_opened() {
    let session = Session::start(&["lumenus"]).await;
    let evolved = session.read(EVOLVED);
    let mut referrers = vec![
        "- “Can you provide references or sources for Lumenus's history and services?” (id 87376)".to_owned(),
        "- “Does Lumenus collaborate with other organizations for community support?” (id 87384)".to_owned(),
        "- “What is the history of the Lumenus organization?” (id 87366)".to_owned(),
    ];
    let id = find_after(&evolved, "id: 87377", "id: 87377");
    let hover = session.hover(EVOLVED, &evolved, id.start).await;
    assert_eq!(referrers_hover(&hover), ("3 articles link here.".to_owned(), referrers.clone()));

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

/// Locations sorted, for those whose order the protocol leaves open.
fn sorted(mut locations: Vec<Value>) -> Vec<Value> {
    locations.sort_by_key(|location| location.to_string());
    locations
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn references_are_locations_the_declaration_first() {
    let session = Session::start(&["lumenus", "shapes"]).await;
    let evolved = session.read(EVOLVED);
    let own = find_after(&evolved, "id: 87377", "87377");
    let found = session.references(EVOLVED, &evolved, own.end, true).await;
    let (declaration, referrers) = found.split_first().expect("the declaration");
    let shown = format!(
        "{}\n{}",
        show_location(declaration, session.root.path()),
        show_locations(&sorted(referrers.to_vec()), session.root.path())
    );
    expect![[r#"
        lumenus/how-has-lumenus-evolved-over-the-years.md 2:4-2:9
        lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md 26:8-26:13
        lumenus/what-is-the-history-of-the-lumenus-organization.md 26:8-26:13
        lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md 32:8-32:13
        shapes/which-lumenus-articles-cover-its-history.md 25:23-25:28
    "#]]
    .assert_eq(&shown);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_lens_on_the_id_counts_backlinks_and_shows_them() {
    let session = Session::start(&["lumenus", "shapes"]).await;
    let mut lenses = session.result("textDocument/codeLens", text_document(&session, EVOLVED)).await;
    // The linking blocks, as references on the id find them.
    let locations = lenses[0]["command"]["arguments"][2].as_array().cloned().expect("locations");
    lenses[0]["command"]["arguments"][2] = json!(sorted(locations));
    let lenses = lenses.as_array().expect("lenses");
    expect![[r#"
        2:0-2:2 “4 articles link here” articleLsp.showReferences lumenus/how-has-lumenus-evolved-over-the-years.md 2:0
          lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md 26:8-26:13
          lumenus/what-is-the-history-of-the-lumenus-organization.md 26:8-26:13
          lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md 32:8-32:13
          shapes/which-lumenus-articles-cover-its-history.md 25:23-25:28
    "#]].assert_eq(&show_code_lenses(lenses, session.root.path()));

    // One referrer, written to disk: singular.
    let text = with_block(
        &session.read(HISTORY),
        "related_article4:\n    id: 95003\n    url: /learn/health-studies/questions/which-lumenus-articles-cover-its-history\n",
    );
    std::fs::write(session.path(HISTORY), &text).expect("write");
    session.client.file_changed(&session.path(HISTORY), 2).await;
    let lenses = session
        .client
        .request_until("textDocument/codeLens", text_document(&session, FLOW), |lenses| {
            lenses[0]["command"]["title"] != "0 articles link here"
        })
        .await;
    let lenses = lenses.as_array().expect("lenses");
    expect![[r#"
        2:0-2:2 “1 article links here” articleLsp.showReferences shapes/which-lumenus-articles-cover-its-history.md 2:0
          lumenus/what-is-the-history-of-the-lumenus-organization.md 44:8-44:13
    "#]].assert_eq(&show_code_lenses(lenses, session.root.path()));
}

// Document links and symbols

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_links_target_the_articles_with_their_title_as_tooltip() {
    let session = Session::start(&["lumenus", "shapes", "broken"]).await;
    let links = session.result("textDocument/documentLink", text_document(&session, FLOW)).await;
    let links = links.as_array().expect("links");
    expect![[r#"
        23:5-23:77 -> shapes/which-lumenus-articles-cover-its-history.md “Open “Which Lumenus articles cover its history?””
        25:110-25:180 -> lumenus/how-has-lumenus-evolved-over-the-years.md “Open “How has Lumenus evolved over the years?””
        31:9-31:83 -> lumenus/what-is-the-history-of-the-lumenus-organization.md “Open “What is the history of the Lumenus organization?””
        32:144-32:247 -> lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md “Open “Can you provide references or sources for Lumenus's history and services?””
    "#]].assert_eq(&show_document_links(links, session.root.path()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_symbols_are_files_at_their_title_with_id_and_subject() {
    let session = Session::start(&["lumenus", "shapes", "broken"]).await;
    let mut shown = String::new();
    for query in ["lumenus evolved YEARS", "intake first"] {
        let found = session.result("workspace/symbol", json!({ "query": query })).await;
        let found = found.as_array().expect("symbols");
        shown += &format!("## {query}\n{}", show_workspace_symbols(found, session.root.path()));
    }
    // A quoted title: inside the quotes.
    expect![[r#"
        ## lumenus evolved YEARS
        How has Lumenus evolved over the years? (id 87377 · Health Studies) file lumenus/how-has-lumenus-evolved-over-the-years.md 5:4-5:43
        ## intake first
        Lumenus intake: what happens on the first call? (id 95002 · Health Studies) file shapes/lumenus-intake-what-happens-on-the-first-call.md 4:8-4:55
    "#]].assert_eq(&shown);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_symbols_outline_the_article_and_its_links() {
    let session = Session::start(&["lumenus", "shapes", "broken"]).await;
    let outline = session.result("textDocument/documentSymbol", text_document(&session, FLOW)).await;
    expect![[r#"
        Which Lumenus articles cover its history? (id 95003) file 0:0-33:0, selected 5:4-5:45
          related_article1 (How has Lumenus evolved over the years?) field 25:0-25:181, selected 25:0-25:16
          related_article2 (What is the history of the Lumenus organization?) field 26:0-31:83, selected 26:0-26:16
          related_article3 (Can you provide references or sources for Lumenus's history and services?) field 32:0-32:248, selected 32:0-32:16
    "#]].assert_eq(&show_document_symbols(outline.as_array().expect("symbols")));
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
