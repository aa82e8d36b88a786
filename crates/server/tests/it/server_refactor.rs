//! What the protocol adds to rename and the code actions, as transcripts
//! of what the server sends: versioned document changes for open documents
//! (whose unsaved text the edits fit), unversioned ones for files on disk,
//! refusals as errors, the client's diagnostics each action names as the
//! ones it resolves, and the `only` filter; then the workspace, once the edit
//! is applied and the server has taken it in, is consistent again. Which
//! texts the edits produce is the core's to test (`crates/core/src/ide/tests/`).

use article_test_support as support;

use expect_test::expect;
use serde_json::{Value, json};
use support::cluster::{COLLABORATE, EVOLVED, EVOLVED_TITLE, EVOLVED_URL, FLOW, HISTORY, SOURCES};
use support::{
    Session, apply_edits, document_changes, find_after, range, show_code_actions, show_workspace_edit,
};

use std::collections::BTreeMap;

const PLAIN: &str = "extra/plain-referrer.md";
const QUOTED: &str = "extra/quoted-referrer.md";

/// Every article linking to the evolved one, in each style: folded titles
/// (the cluster), a flow mapping with a double-quoted title, plain values,
/// and single- and double-quoted values.
const REFERRERS: [&str; 6] = [SOURCES, COLLABORATE, HISTORY, FLOW, PLAIN, QUOTED];

fn plain_referrer() -> String {
    format!(
        "---\nid: 99301\ntitle: Plain referrer\nsubject: Health Studies\nfile_name: plain-referrer.md\n\
         url: /learn/health-studies/questions/plain-referrer\nrelated_article1:\n  id: 87377\n  \
         title: {EVOLVED_TITLE}\n  subject: Health Studies\n  url: {EVOLVED_URL}\n---\nBody\n"
    )
}

fn quoted_referrer() -> String {
    format!(
        "---\nid: 99302\ntitle: Quoted referrer\nsubject: Health Studies\nfile_name: quoted-referrer.md\n\
         url: /learn/health-studies/questions/quoted-referrer\nrelated_article1:\n    id: 87377\n    \
         title: '{EVOLVED_TITLE}'\n    subject: \"Health Studies\"\n    url: \"{EVOLVED_URL}\"\n---\nBody\n"
    )
}

/// The cluster and shapes fixtures plus the plain and quoted referrers.
async fn rename_workspace() -> Session {
    let root = support::workspace(&["lumenus", "shapes"]);
    std::fs::create_dir_all(root.path().join("extra")).expect("a folder");
    std::fs::write(root.path().join(PLAIN), plain_referrer()).expect("write");
    std::fs::write(root.path().join(QUOTED), quoted_referrer()).expect("write");
    Session::in_root(root, |_| {}).await
}

/// The texts a workspace edit produces, by file, with the version each
/// document change names. `current` holds the texts of open documents;
/// other files are read from disk.
fn apply_workspace_edit(
    session: &Session,
    edit: &Value,
    current: &BTreeMap<&str, String>,
) -> BTreeMap<String, (Value, String)> {
    let mut out = BTreeMap::new();
    for change in document_changes(edit) {
        let relative = support::show_uri(&json!(change.uri), session.root.path());
        let before = current.get(relative.as_str()).cloned().unwrap_or_else(|| session.read(&relative));
        let after = apply_edits(&before, &change.edits, session.encoding);
        assert!(out.insert(relative, (change.version, after)).is_none(), "one change per document: {edit}");
    }
    out
}

/// `text` with `old` replaced by `new` exactly once.
fn replaced(text: &str, old: &str, new: &str) -> String {
    assert_eq!(text.matches(old).count(), 1, "`{old}` once in\n{text}");
    text.replacen(old, new, 1)
}

async fn rename(session: &Session, relative: &str, text: &str, offset: usize, new_name: &str) -> Value {
    let mut params = session.at(relative, text, offset);
    params["newName"] = json!(new_name);
    session.client.request("textDocument/rename", params).await
}

// Rename

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_versions_open_documents_and_fits_their_unsaved_text() {
    let session = rename_workspace().await;
    let evolved = session.read(EVOLVED);
    session.client.open_version(&session.path(EVOLVED), &evolved, 5).await;
    session.client.open_version(&session.path(PLAIN), &plain_referrer(), 7).await;
    // Unsaved work before the link in an open referrer: the edits must fit
    // the editor's text (its title one line down), not the disk's.
    let history_disk = session.read(HISTORY);
    session.client.open_version(&session.path(HISTORY), &history_disk, 3).await;
    let history = replaced(&history_disk, "score: -1.0\n", "score: -1.0\n# unsaved note\n");
    session.client.change(&session.path(HISTORY), 4, json!([{ "text": history }])).await;

    let title = find_after(&evolved, "title: >-", EVOLVED_TITLE);
    let prepared =
        session.result("textDocument/prepareRename", session.at(EVOLVED, &evolved, title.start + 8)).await;
    assert_eq!(
        prepared,
        json!({ "range": range(&evolved, title.clone(), session.encoding), "placeholder": EVOLVED_TITLE })
    );
    let new_title = "How has Lumenus changed: a history";
    let response = rename(&session, EVOLVED, &evolved, title.start + 8, new_title).await;
    let edit = &response["result"];
    expect![[r#"
        extra/plain-referrer.md v7
          8:9-8:48 -> "\"How has Lumenus changed: a history\""
        extra/quoted-referrer.md unversioned
          8:11-8:52 -> "'How has Lumenus changed: a history'"
        lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md unversioned
          34:8-34:47 -> "How has Lumenus changed: a history"
        lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md unversioned
          28:8-28:47 -> "How has Lumenus changed: a history"
        lumenus/how-has-lumenus-evolved-over-the-years.md v5
          5:4-5:43 -> "How has Lumenus changed: a history"
        lumenus/what-is-the-history-of-the-lumenus-organization.md v4
          29:8-29:47 -> "How has Lumenus changed: a history"
        shapes/which-lumenus-articles-cover-its-history.md unversioned
          25:37-25:78 -> "\"How has Lumenus changed: a history\""
    "#]]
    .assert_eq(&show_workspace_edit(edit, session.root.path(), ""));

    // Applied, the workspace is consistent again: no referrer is stale.
    let open =
        BTreeMap::from([(EVOLVED, evolved.clone()), (PLAIN, plain_referrer()), (HISTORY, history.clone())]);
    let results = apply_workspace_edit(&session, edit, &open);
    write_all(&session, &results).await;
    assert_consistent(&session, &results, "87377", "title: >-", new_title).await;
}

/// Once the analysis has every renamed file (references on the article's
/// own field find each referrer's new value), no file has a diagnostic.
async fn assert_consistent(
    session: &Session,
    results: &BTreeMap<String, (Value, String)>,
    id: &str,
    own_anchor: &str,
    value: &str,
) {
    let evolved = &results[EVOLVED].1;
    let mut expected: Vec<Value> = REFERRERS
        .iter()
        .map(|referrer| {
            let text =
                results.get(*referrer).map_or_else(|| session.read(referrer), |(_, text)| text.clone());
            session.location(referrer, &text, find_after(&text, &format!("id: {id}"), value))
        })
        .collect();
    expected.sort_by_key(Value::to_string);
    let mut params = session.at(EVOLVED, evolved, find_after(evolved, own_anchor, value).start);
    params["context"] = json!({ "includeDeclaration": false });
    session
        .client
        .request_until("textDocument/references", params, |found| {
            let mut found = found.as_array().cloned().unwrap_or_default();
            found.sort_by_key(Value::to_string);
            found == expected
        })
        .await;
    for relative in REFERRERS.iter().chain([&EVOLVED]) {
        let pulled = session.client.pull_diagnostics(&session.path(relative)).await;
        assert!(pulled.is_empty(), "{relative} after the rename: {pulled:#?}");
    }
}

/// Writes every result: open documents through `didChange` (next version),
/// closed files to disk with a watched-file notification.
async fn write_all(session: &Session, results: &BTreeMap<String, (Value, String)>) {
    for (relative, (version, text)) in results {
        match version.as_i64() {
            Some(version) => {
                let change = json!([{ "text": text }]);
                session.client.change(&session.path(relative), version as i32 + 1, change).await;
            }
            None => {
                std::fs::write(session.path(relative), text).expect("write");
                session.client.file_changed(&session.path(relative), 2).await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_of_an_id_and_its_refusals_as_errors() {
    let session = rename_workspace().await;
    let evolved = session.read(EVOLVED);
    session.client.open_version(&session.path(QUOTED), &quoted_referrer(), 2).await;
    let own = find_after(&evolved, "\nid: ", "87377");
    let prepared =
        session.result("textDocument/prepareRename", session.at(EVOLVED, &evolved, own.start)).await;
    assert_eq!(
        prepared,
        json!({ "range": range(&evolved, own.clone(), session.encoding), "placeholder": "87377" })
    );
    let response = rename(&session, EVOLVED, &evolved, own.end, "187377").await;
    expect![[r#"
        extra/plain-referrer.md unversioned
          7:6-7:11 -> "187377"
        extra/quoted-referrer.md v2
          7:8-7:13 -> "187377"
        lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md unversioned
          32:8-32:13 -> "187377"
        lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md unversioned
          26:8-26:13 -> "187377"
        lumenus/how-has-lumenus-evolved-over-the-years.md unversioned
          2:4-2:9 -> "187377"
        lumenus/what-is-the-history-of-the-lumenus-organization.md unversioned
          26:8-26:13 -> "187377"
        shapes/which-lumenus-articles-cover-its-history.md unversioned
          25:23-25:28 -> "187377"
    "#]]
    .assert_eq(&show_workspace_edit(&response["result"], session.root.path(), ""));

    // Refusals: a taken id, a taken url, a value that is no id; the message
    // says why, naming the file that has it.
    let history = session.path(HISTORY);
    let refusals = [
        (own.start, "87366", format!("id 87366 is already taken by {}", history.display())),
        (own.start, "12ab", "`12ab` is not a non-negative integer id".to_owned()),
        (
            find_after(&evolved, "\nurl: ", EVOLVED_URL).start,
            "/learn/sociology/questions/what-is-the-history-of-the-lumenus-organization",
            format!(
                "url /learn/sociology/questions/what-is-the-history-of-the-lumenus-organization is already taken by {}",
                history.display()
            ),
        ),
    ];
    for (offset, new_name, message) in refusals {
        let response = rename(&session, EVOLVED, &evolved, offset, new_name).await;
        assert_eq!(response["error"]["code"], -32803, "{response}");
        assert_eq!(response["error"]["message"], message.as_str());
        assert!(response.get("result").is_none_or(Value::is_null), "{response}");
    }

    // Only the article's own title, url and id can be renamed.
    let subject = find_after(&evolved, "\nsubject: ", "Health").start;
    let link = find_after(&evolved, "related_article1:", "87366").start;
    for offset in [subject, link] {
        let response =
            session.client.request("textDocument/prepareRename", session.at(EVOLVED, &evolved, offset)).await;
        assert_eq!(
            response["error"]["message"], "rename works on the article's own `title`, `url` or `id`",
            "{response}"
        );
    }
}

// Code actions

/// Code actions for `span` of `text`, sending `diagnostics` as the client's.
async fn code_actions(
    session: &Session,
    relative: &str,
    text: &str,
    span: std::ops::Range<usize>,
    diagnostics: &[Value],
    only: Option<&[&str]>,
) -> Vec<Value> {
    let mut context = json!({ "diagnostics": diagnostics });
    if let Some(only) = only {
        context["only"] = json!(only);
    }
    let params = json!({
        "textDocument": { "uri": session.uri(relative) },
        "range": range(text, span, session.encoding),
        "context": context,
    });
    let found = session.result("textDocument/codeAction", params).await;
    found.as_array().unwrap_or_else(|| panic!("actions: {found}")).clone()
}

/// The byte range of an LSP range in `text`.
fn span_of(text: &str, lsp_range: &Value, session: &Session) -> std::ops::Range<usize> {
    support::offset(text, &lsp_range["start"], session.encoding)
        ..support::offset(text, &lsp_range["end"], session.encoding)
}

/// Opens `text` as `relative` (or replaces its text) and pulls its diagnostics.
async fn diagnose(session: &Session, relative: &str, text: &str, version: i32) -> Vec<Value> {
    let path = session.path(relative);
    if version == 1 {
        session.client.open_version(&path, text, 1).await;
    } else {
        session.client.change(&path, version, json!([{ "text": text }])).await;
    }
    session.client.pull_diagnostics(&path).await
}

/// The actions on the one diagnostic of each file (on disk, so their edits
/// are unversioned), sending the pulled diagnostics as the client's.
async fn actions_on_the_diagnostic(session: &Session, files: &[&str]) -> String {
    let mut shown = String::new();
    for relative in files {
        let text = session.read(relative);
        let diagnostics = session.client.pull_diagnostics(&session.path(relative)).await;
        assert_eq!(diagnostics.len(), 1, "{relative}: {diagnostics:#?}");
        let span = span_of(&text, &diagnostics[0]["range"], session);
        let actions = code_actions(session, relative, &text, span, &diagnostics, None).await;
        shown += &format!("# {relative}\n{}", show_code_actions(&actions, &diagnostics, session.root.path()));
    }
    shown
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_field_fixes_name_the_diagnostic_they_resolve() {
    let session = Session::start(&["lumenus", "broken"]).await;
    let files =
        ["broken/stale-title.md", "broken/stale-url.md", "broken/stale-id.md", "broken/stale-subject.md"];
    // The fix and fix-all name the client's diagnostic; link back fixes nothing.
    expect![[r##"
        # broken/stale-title.md
        quickfix “Use the current title: “How has Lumenus evolved over the years?”” preferred
          names stale-title 28:8-28:47
          broken/stale-title.md unversioned
            28:8-28:47 -> "How has Lumenus evolved over the years?"
        refactor.rewrite “Link back from “How has Lumenus evolved over the years?” (id 87377)”
          lumenus/how-has-lumenus-evolved-over-the-years.md unversioned
            48:82-48:82 -> "\nrelated_article5:\n    id: 90009\n    title: How old is Lumenus?\n    subject: Health Studies\n    url: /learn/health-studies/questions/stale-title"
        source.fixAll “Fix all stale links and file_name”
          names stale-title 28:8-28:47
          broken/stale-title.md unversioned
            28:8-28:47 -> "How has Lumenus evolved over the years?"
        # broken/stale-url.md
        quickfix “Use the current url: “/learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community”” preferred
          names stale-url 30:9-30:89
          broken/stale-url.md unversioned
            30:9-30:89 -> "/learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community"
        refactor.rewrite “Link back from “How does Lumenus engage with the local community?” (id 87389)”
          lumenus/how-does-lumenus-engage-with-the-local-community.md unversioned
            48:102-48:102 -> "\nrelated_article5:\n    id: 90010\n    title: Does Lumenus hold public events?\n    subject: Health Studies\n    url: /learn/health-studies/questions/stale-url"
        source.fixAll “Fix all stale links and file_name”
          names stale-url 30:9-30:89
          broken/stale-url.md unversioned
            30:9-30:89 -> "/learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community"
        # broken/stale-id.md
        quickfix “Use the current id: “87389”” preferred
          names stale-id 26:8-26:13
          broken/stale-id.md unversioned
            26:8-26:13 -> "87389"
        refactor.rewrite “Link back from “How does Lumenus engage with the local community?” (id 87389)”
          lumenus/how-does-lumenus-engage-with-the-local-community.md unversioned
            48:102-48:102 -> "\nrelated_article5:\n    id: 90020\n    title: Does Lumenus run a help line?\n    subject: Health Studies\n    url: /learn/health-studies/questions/stale-id"
        source.fixAll “Fix all stale links and file_name”
          names stale-id 26:8-26:13
          broken/stale-id.md unversioned
            26:8-26:13 -> "87389"
        # broken/stale-subject.md
        quickfix “Use the current subject: “Sociology”” preferred
          names stale-subject 29:13-29:20
          broken/stale-subject.md unversioned
            29:13-29:20 -> "Sociology"
        refactor.rewrite “Link back from “What is the history of the Lumenus organization?” (id 87366)”
          lumenus/what-is-the-history-of-the-lumenus-organization.md unversioned
            42:112-42:112 -> "\nrelated_article4:\n    id: 90011\n    title: Who founded Lumenus?\n    subject: Health Studies\n    url: /learn/health-studies/questions/stale-subject"
        source.fixAll “Fix all stale links and file_name”
          names stale-subject 29:13-29:20
          broken/stale-subject.md unversioned
            29:13-29:20 -> "Sociology"
    "##]].assert_eq(&actions_on_the_diagnostic(&session, &files).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_and_mismatched_link_fixes_name_the_diagnostic_they_resolve() {
    let session = Session::start(&["lumenus", "broken"]).await;
    let files = [
        "broken/broken-link.md",
        "broken/link-mismatch.md",
        "broken/self-link.md",
        "broken/duplicate-link.md",
        "broken/slug-mismatch.md",
    ];
    expect![[r##"
        # broken/broken-link.md
        quickfix “Link to “How has Lumenus evolved over the years?” (id 87377)” preferred
          names broken-link 32:8-32:13
          broken/broken-link.md unversioned
            32:8-32:13 -> "87377"
            34:8-34:49 -> "How has Lumenus evolved over the years?"
            36:9-36:81 -> "/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years"
        quickfix “Link to “How does Lumenus engage with the local community?” (id 87389)”
          names broken-link 32:8-32:13
          broken/broken-link.md unversioned
            32:8-32:13 -> "87389"
            34:8-34:49 -> "How does Lumenus engage with the local community?"
            36:9-36:81 -> "/learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community"
        quickfix “Link to “How does Lumenus measure the effectiveness of its services?” (id 87386)”
          names broken-link 32:8-32:13
          broken/broken-link.md unversioned
            32:8-32:13 -> "87386"
            34:8-34:49 -> "How does Lumenus measure the effectiveness of its services?"
            36:9-36:81 -> "/learn/health-studies/questions/how-does-lumenus-measure-the-effectiveness-of-its-services"
        # broken/link-mismatch.md
        quickfix “Follow the id: link to “How does Lumenus support individuals with autism?” (id 87369)”
          names link-mismatch 30:9-30:104
          broken/link-mismatch.md unversioned
            30:9-30:104 -> "/learn/health-studies/questions/how-does-lumenus-support-individuals-with-autism"
        quickfix “Follow the url: link to “What specialized programs does Lumenus offer for autism support?” (id 87380)”
          names link-mismatch 30:9-30:104
          broken/link-mismatch.md unversioned
            26:8-26:13 -> "87380"
            28:8-28:57 -> "What specialized programs does Lumenus offer for autism support?"
        refactor.rewrite “Link back from “How does Lumenus support individuals with autism?” (id 87369)”
          lumenus/how-does-lumenus-support-individuals-with-autism.md unversioned
            42:102-42:102 -> "\nrelated_article4:\n    id: 90008\n    title: Where can families learn about autism services at Lumenus?\n    subject: Health Studies\n    url: /learn/health-studies/questions/link-mismatch"
        # broken/self-link.md
        quickfix “Remove related_article2” preferred
          names self-link 31:0-31:16
          broken/self-link.md unversioned
            31:0-37:0 -> ""
        # broken/duplicate-link.md
        quickfix “Remove related_article3” preferred
          names duplicate-link 37:0-37:16
          broken/duplicate-link.md unversioned
            37:0-43:0 -> ""
        # broken/slug-mismatch.md
        quickfix “Set file_name to `slug-mismatch.md`” preferred
          names slug-mismatch 22:11-22:56
          broken/slug-mismatch.md unversioned
            22:11-22:56 -> "slug-mismatch.md"
        source.fixAll “Fix all stale links and file_name”
          names slug-mismatch 22:11-22:56
          broken/slug-mismatch.md unversioned
            22:11-22:56 -> "slug-mismatch.md"
    "##]].assert_eq(&actions_on_the_diagnostic(&session, &files).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_name_fix_names_only_the_diagnostic_on_the_file_name() {
    let session = Session::start(&["lumenus", "broken"]).await;
    // A url whose subject segment is wrong is a slug mismatch the file_name
    // fix does not solve.
    let text = "---\nid: 99500\ntitle: Wrong segment\nsubject: Sociology\nfile_name: wrong.md\n\
                url: /learn/health-studies/questions/wrong-segment\n---\n";
    let diagnostics = diagnose(&session, "broken/wrong-segment.md", text, 1).await;
    assert_eq!(support::codes(&diagnostics), ["slug-mismatch", "slug-mismatch"]);
    let actions =
        code_actions(&session, "broken/wrong-segment.md", text, 0..text.len(), &diagnostics, None).await;
    expect![[r#"
        quickfix “Set file_name to `wrong-segment.md`” preferred
          names slug-mismatch 4:11-4:19
          broken/wrong-segment.md v1
            4:11-4:19 -> "wrong-segment.md"
        source.fixAll “Fix all stale links and file_name”
          names slug-mismatch 4:11-4:19
          broken/wrong-segment.md v1
            4:11-4:19 -> "wrong-segment.md"
    "#]]
    .assert_eq(&show_code_actions(&actions, &diagnostics, session.root.path()));
}

/// A new article (at `broken/many-stale.md`) whose links went stale in
/// several ways, with a `file_name` that does not follow its url.
const MANY: &str = "broken/many-stale.md";
fn many_stale() -> String {
    support::corpus::samples::MANY_STALE.to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_action_per_link_names_only_that_links_diagnostics() {
    let session = Session::start(&["lumenus", "broken"]).await;
    let text = many_stale();
    let diagnostics = diagnose(&session, MANY, &text, 1).await;
    assert_eq!(
        support::codes(&diagnostics),
        ["broken-link", "slug-mismatch", "stale-subject", "stale-title", "stale-title", "stale-url"]
    );
    let block =
        text.find("related_article1:").expect("block")..find_after(&text, "related_article1:", "years").end;
    let actions = code_actions(&session, MANY, &text, block, &diagnostics, Some(&["quickfix"])).await;
    // Only the quick fixes asked for; each names its own link's
    // diagnostics, not the other link's stale title; edits of the open
    // document are versioned.
    expect![[r#"
        quickfix “Use the current title: “How has Lumenus evolved over the years?””
          names stale-title 9:8-9:32
          broken/many-stale.md v1
            9:8-9:32 -> "How has Lumenus evolved over the years?"
        quickfix “Use the current subject: “Health Studies””
          names stale-subject 10:13-10:22
          broken/many-stale.md v1
            10:13-10:22 -> "Health Studies"
        quickfix “Update related_article1 to match “How has Lumenus evolved over the years?” (id 87377)” preferred
          names stale-title 9:8-9:32
          names stale-subject 10:13-10:22
          broken/many-stale.md v1
            9:8-9:32 -> "How has Lumenus evolved over the years?"
            10:13-10:22 -> "Health Studies"
    "#]].assert_eq(&show_code_actions(&actions, &diagnostics, session.root.path()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_all_names_every_diagnostic_it_resolves() {
    let session = Session::start(&["lumenus", "broken"]).await;
    let text = many_stale();
    let diagnostics = diagnose(&session, MANY, &text, 1).await;
    let actions = code_actions(&session, MANY, &text, 0..0, &diagnostics, Some(&["source.fixAll"])).await;
    // Every diagnostic but the broken link, which no fix can solve.
    expect![[r#"
        source.fixAll “Fix all stale links and file_name”
          names slug-mismatch 4:11-4:18
          names stale-title 9:8-9:32
          names stale-subject 10:13-10:22
          names stale-title 12:38-12:69
          names stale-url 17:9-17:64
          broken/many-stale.md v1
            9:8-9:32 -> "How has Lumenus evolved over the years?"
            10:13-10:22 -> "Health Studies"
            12:37-12:70 -> "'What is the history of the Lumenus organization?'"
            17:9-17:64 -> "/learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community"
            4:11-4:18 -> "many-stale.md"
    "#]]
    .assert_eq(&show_code_actions(&actions, &diagnostics, session.root.path()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_back_is_versioned_when_the_target_is_open_and_gone_once_it_links_back() {
    let session = Session::start(&["lumenus", "broken"]).await;
    let relative = "broken/broken-link.md";
    let text = session.read(relative);
    let block = find_after(&text, "related_article1:", "related_article1");
    let actions = code_actions(&session, relative, &text, block.clone(), &[], None).await;
    expect![[r#"
        refactor.rewrite “Link back from “What is the history of the Lumenus organization?” (id 87366)”
          lumenus/what-is-the-history-of-the-lumenus-organization.md unversioned
            42:112-42:112 -> "\nrelated_article4:\n    id: 90007\n    title: What has changed at Lumenus recently?\n    subject: Health Studies\n    url: /learn/health-studies/questions/broken-link"
    "#]].assert_eq(&show_code_actions(&actions, &[], session.root.path()));

    // With the target open, the edit is versioned and fits the editor's
    // text (one line more than the disk's).
    let history = session.read(HISTORY);
    let unsaved = replaced(&history, "score: -1.0\n", "score: -1.0\n# unsaved note\n");
    session.client.open_version(&session.path(HISTORY), &unsaved, 9).await;
    let actions = code_actions(&session, relative, &text, block.clone(), &[], None).await;
    expect![[r#"
        refactor.rewrite “Link back from “What is the history of the Lumenus organization?” (id 87366)”
          lumenus/what-is-the-history-of-the-lumenus-organization.md v9
            43:112-43:112 -> "\nrelated_article4:\n    id: 90007\n    title: What has changed at Lumenus recently?\n    subject: Health Studies\n    url: /learn/health-studies/questions/broken-link"
    "#]].assert_eq(&show_code_actions(&actions, &[], session.root.path()));

    // Once the target links back, the action is gone.
    let linked = apply_workspace_edit(&session, &actions[0]["edit"], &BTreeMap::from([(HISTORY, unsaved)]));
    session.client.change(&session.path(HISTORY), 10, json!([{ "text": linked[HISTORY].1 }])).await;
    let params = json!({
        "textDocument": { "uri": session.uri(relative) },
        "range": range(&text, block, session.encoding),
        "context": { "diagnostics": [] },
    });
    session.client.request_until("textDocument/codeAction", params, |found| found == &json!([])).await;
    assert_eq!(session.client.pull_diagnostics(&session.path(HISTORY)).await, Vec::<Value>::new());
}
