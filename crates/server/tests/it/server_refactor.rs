//! Keeping links consistent through the in-process server: rename of an
//! article's title, url and id across every referrer (open documents
//! versioned, closed ones not), and the quick fixes, `source.fixAll` and
//! "link back" code actions, checked by the texts they produce.

use article_test_support as support;

use std::collections::BTreeMap;

use serde_json::{Value, json};
use support::cluster::{COLLABORATE, EVOLVED, EVOLVED_TITLE, EVOLVED_URL, FLOW, HISTORY, SOURCES};
use support::{Session, apply_edits, document_changes, find_after, range};

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
        let relative = relative_of(session, &change.uri);
        let before = current.get(relative.as_str()).cloned().unwrap_or_else(|| session.read(&relative));
        let after = apply_edits(&before, &change.edits, session.encoding);
        assert!(out.insert(relative, (change.version, after)).is_none(), "one change per document: {edit}");
    }
    out
}

fn relative_of(session: &Session, uri: &str) -> String {
    let root = support::uri(session.root.path());
    uri.strip_prefix(&format!("{root}/")).unwrap_or_else(|| panic!("{uri} is in the workspace")).to_owned()
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
async fn rename_title_updates_every_referrer_in_its_style_and_versions_open_documents() {
    let session = rename_workspace().await;
    let evolved = session.read(EVOLVED);
    session.client.open_version(&session.path(EVOLVED), &evolved, 5).await;
    session.client.open_version(&session.path(PLAIN), &plain_referrer(), 7).await;
    // Unsaved work before the link in an open referrer: the edits must fit
    // the editor's text, not the disk's.
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
    let open =
        BTreeMap::from([(EVOLVED, evolved.clone()), (PLAIN, plain_referrer()), (HISTORY, history.clone())]);
    let results = apply_workspace_edit(&session, edit, &open);

    let folded = |text: &str| {
        replaced(
            text,
            &format!("    title: >-\n        {EVOLVED_TITLE}\n"),
            &format!("    title: >-\n        {new_title}\n"),
        )
    };
    let expected = BTreeMap::from([
        (
            EVOLVED.to_owned(),
            (
                json!(5),
                replaced(
                    &evolved,
                    &format!("title: >-\n    {EVOLVED_TITLE}\narticle_title"),
                    &format!("title: >-\n    {new_title}\narticle_title"),
                ),
            ),
        ),
        (HISTORY.to_owned(), (json!(4), folded(&history))),
        (SOURCES.to_owned(), (Value::Null, folded(&session.read(SOURCES)))),
        (COLLABORATE.to_owned(), (Value::Null, folded(&session.read(COLLABORATE)))),
        (
            FLOW.to_owned(),
            (
                Value::Null,
                replaced(
                    &session.read(FLOW),
                    &format!("title: \"{EVOLVED_TITLE}\""),
                    &format!("title: \"{new_title}\""),
                ),
            ),
        ),
        (
            PLAIN.to_owned(),
            (
                json!(7),
                replaced(
                    &plain_referrer(),
                    &format!("  title: {EVOLVED_TITLE}\n"),
                    &format!("  title: \"{new_title}\"\n"),
                ),
            ),
        ),
        (
            QUOTED.to_owned(),
            (
                Value::Null,
                replaced(
                    &quoted_referrer(),
                    &format!("title: '{EVOLVED_TITLE}'"),
                    &format!("title: '{new_title}'"),
                ),
            ),
        ),
    ]);
    assert_eq!(results, expected);

    // Quotes only where the new value needs them: a plain value stays plain,
    // quoted ones keep their quotes.
    let response = rename(&session, EVOLVED, &evolved, title.start, "How Lumenus grew").await;
    let plainly = apply_workspace_edit(&session, &response["result"], &open);
    assert_eq!(plainly.len(), 7);
    assert!(plainly[PLAIN].1.contains("\n  title: How Lumenus grew\n"), "{}", plainly[PLAIN].1);
    assert!(plainly[QUOTED].1.contains("\n    title: 'How Lumenus grew'\n"), "{}", plainly[QUOTED].1);
    assert!(plainly[FLOW].1.contains("{id: 87377, title: \"How Lumenus grew\", "), "{}", plainly[FLOW].1);
    assert!(
        plainly[HISTORY].1.contains("    title: >-\n        How Lumenus grew\n"),
        "{}",
        plainly[HISTORY].1
    );

    // Applied, the workspace is consistent again: no referrer is stale.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_url_updates_referrers_and_the_file_name_that_followed_the_slug() {
    let session = rename_workspace().await;
    let evolved = session.read(EVOLVED);
    let new_url = "/learn/health-studies/questions/how-lumenus-evolved";
    let own = find_after(&evolved, "\nurl: ", EVOLVED_URL);
    let prepared = session.result("textDocument/prepareRename", session.at(EVOLVED, &evolved, own.end)).await;
    assert_eq!(prepared["placeholder"], EVOLVED_URL);
    assert_eq!(prepared["range"], range(&evolved, own.clone(), session.encoding));

    let response = rename(&session, EVOLVED, &evolved, own.start, new_url).await;
    let results = apply_workspace_edit(&session, &response["result"], &BTreeMap::new());
    let mut expected = BTreeMap::new();
    let renamed = replaced(&evolved, EVOLVED_URL, new_url);
    let renamed = replaced(
        &renamed,
        "file_name: how-has-lumenus-evolved-over-the-years.md",
        "file_name: how-lumenus-evolved.md",
    );
    expected.insert(EVOLVED.to_owned(), (Value::Null, renamed));
    for referrer in REFERRERS {
        expected.insert(
            referrer.to_owned(),
            (Value::Null, replaced(&session.read(referrer), EVOLVED_URL, new_url)),
        );
    }
    assert_eq!(results, expected);
    // The quoted url stays quoted, the flow mapping's stays plain.
    assert!(results[QUOTED].1.contains(&format!("    url: \"{new_url}\"\n")));
    assert!(results[FLOW].1.contains(&format!("url: {new_url}}}")));

    write_all(&session, &results).await;
    assert_consistent(&session, &results, "87377", "\nurl: ", new_url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_url_leaves_a_file_name_that_did_not_follow_the_slug() {
    let session = Session::start(&["lumenus", "broken"]).await;
    let relative = "broken/slug-mismatch.md";
    let text = session.read(relative);
    let own = find_after(&text, "\nurl: ", "/learn/health-studies/questions/slug-mismatch");
    let new_url = "/learn/health-studies/questions/can-professionals-refer-clients";
    let response = rename(&session, relative, &text, own.start, new_url).await;
    let results = apply_workspace_edit(&session, &response["result"], &BTreeMap::new());
    let expected =
        replaced(&text, "url: /learn/health-studies/questions/slug-mismatch", &format!("url: {new_url}"));
    assert_eq!(results, BTreeMap::from([(relative.to_owned(), (Value::Null, expected))]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_id_updates_every_referrer_and_refuses_a_taken_id() {
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
    let open = BTreeMap::from([(QUOTED, quoted_referrer())]);
    let results = apply_workspace_edit(&session, &response["result"], &open);
    let mut expected = BTreeMap::new();
    expected.insert(EVOLVED.to_owned(), (Value::Null, replaced(&evolved, "\nid: 87377\n", "\nid: 187377\n")));
    for referrer in REFERRERS {
        let version = if referrer == QUOTED { json!(2) } else { Value::Null };
        let before = if referrer == QUOTED { quoted_referrer() } else { session.read(referrer) };
        expected.insert(referrer.to_owned(), (version, replaced(&before, "id: 87377", "id: 187377")));
    }
    assert_eq!(results, expected);

    // Refusals: a taken id, a taken url, a value that is no id; the message says why.
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

    write_all(&session, &results).await;
    assert_consistent(&session, &results, "187377", "\nid: ", "187377").await;
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

/// `(kind, title)` of each action, in order.
fn listed(actions: &[Value]) -> Vec<(String, String)> {
    actions
        .iter()
        .map(|action| {
            (
                action["kind"].as_str().expect("a kind").to_owned(),
                action["title"].as_str().expect("a title").to_owned(),
            )
        })
        .collect()
}

fn action<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    actions
        .iter()
        .find(|action| action["title"] == title)
        .unwrap_or_else(|| panic!("no `{title}` in {:#?}", listed(actions)))
}

/// The one file an action edits, and its text after the edit.
fn applied(session: &Session, action: &Value, current: &BTreeMap<&str, String>) -> (String, Value, String) {
    let results = apply_workspace_edit(session, &action["edit"], current);
    assert_eq!(results.len(), 1, "one file: {action}");
    let (relative, (version, text)) = results.into_iter().next().expect("one file");
    (relative, version, text)
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_field_quick_fixes_take_the_targets_value() {
    let session = Session::start(&["lumenus", "broken"]).await;
    let cases = [
        (
            "broken/stale-title.md",
            "stale-title",
            "Use the current title: “How has Lumenus evolved over the years?”",
            "        How has Lumenus changed over the years?\n",
            "        How has Lumenus evolved over the years?\n",
            "Link back from “How has Lumenus evolved over the years?” (id 87377)",
        ),
        (
            "broken/stale-url.md",
            "stale-url",
            "Use the current url: “/learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community”",
            "url: /learn/health-studies/questions/how-does-lumenus-engage-with-its-local-community\n",
            "url: /learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community\n",
            "Link back from “How does Lumenus engage with the local community?” (id 87389)",
        ),
        (
            "broken/stale-id.md",
            "stale-id",
            "Use the current id: “87389”",
            "    id: 87999\n",
            "    id: 87389\n",
            "Link back from “How does Lumenus engage with the local community?” (id 87389)",
        ),
        (
            "broken/stale-subject.md",
            "stale-subject",
            "Use the current subject: “Sociology”",
            "    subject: History\n",
            "    subject: Sociology\n",
            "Link back from “What is the history of the Lumenus organization?” (id 87366)",
        ),
    ];
    for (relative, code, title, old, new, link_back) in cases {
        let text = session.read(relative);
        let diagnostics = session.client.pull_diagnostics(&session.path(relative)).await;
        assert_eq!(support::codes(&diagnostics), [code]);
        let span = span_of(&text, &diagnostics[0]["range"], &session);
        let actions = code_actions(&session, relative, &text, span, &diagnostics, None).await;
        assert_eq!(
            listed(&actions),
            [
                ("quickfix".to_owned(), title.to_owned()),
                ("refactor.rewrite".to_owned(), link_back.to_owned()),
                ("source.fixAll".to_owned(), "Fix all stale links and file_name".to_owned()),
            ],
            "{relative}"
        );
        let fix = action(&actions, title);
        assert_eq!(fix["isPreferred"], true);
        assert_eq!(fix["diagnostics"], json!(diagnostics), "the fix names the client's diagnostic");
        assert_eq!(action(&actions, "Fix all stale links and file_name")["diagnostics"], json!(diagnostics));
        assert!(action(&actions, link_back).get("diagnostics").is_none(), "link back fixes nothing");

        let (file, version, fixed) = applied(&session, fix, &BTreeMap::new());
        assert_eq!((file.as_str(), &version), (relative, &Value::Null));
        assert_eq!(fixed, replaced(&text, old, new));
        assert_eq!(diagnose(&session, relative, &fixed, 1).await, Vec::<Value>::new(), "{relative} fixed");
    }
}

/// A new article (at `broken/many-stale.md`) whose links went stale in
/// several ways, with a `file_name` that does not follow its url.
const MANY: &str = "broken/many-stale.md";
fn many_stale() -> String {
    "---\nid: 99400\ntitle: Many stale fields\nsubject: Health Studies\nfile_name: many.md\n\
     url: /learn/health-studies/questions/many-stale\n\
     related_article1:\n    id: 87377\n    title: >-\n        How has Lumenus changed?\n    subject: Sociology\n    \
     url: /learn/health-studies/questions/how-has-lumenus-evolved-over-the-years\n\
     related_article2: {id: 87366, title: 'What is the history of Lumenus?', subject: Sociology, \
     url: /learn/sociology/questions/what-is-the-history-of-the-lumenus-organization}\n\
     related_article3:\n    id: 87389\n    title: \"How does Lumenus engage with the local community?\"\n    \
     subject: Health Studies\n    url: /learn/health-studies/questions/how-does-lumenus-engage\n\
     related_article4:\n    id: 87399\n    title: Gone\n    url: /learn/health-studies/questions/gone\n---\nBody\n"
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_action_per_link_fixes_all_its_stale_fields() {
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
    let update = "Update related_article1 to match “How has Lumenus evolved over the years?” (id 87377)";
    assert_eq!(
        listed(&actions),
        [
            (
                "quickfix".to_owned(),
                "Use the current title: “How has Lumenus evolved over the years?”".to_owned()
            ),
            ("quickfix".to_owned(), "Use the current subject: “Health Studies”".to_owned()),
            ("quickfix".to_owned(), update.to_owned()),
        ],
        "only quick fixes were asked for"
    );
    let first_block =
        text.find("related_article1:").expect("block 1")..text.find("related_article2:").expect("block 2");
    let in_block = |code: &str| -> Vec<Value> {
        let inside = |d: &&Value| first_block.contains(&span_of(&text, &d["range"], &session).start);
        diagnostics.iter().filter(|d| d["code"] == code).filter(inside).cloned().collect()
    };
    let (title, subject) = (in_block("stale-title"), in_block("stale-subject"));
    assert_eq!((title.len(), subject.len()), (1, 1));
    let fix = action(&actions, update);
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"], json!([&title[0], &subject[0]]), "both of this link's diagnostics");
    assert_eq!(action(&actions, "Use the current subject: “Health Studies”")["diagnostics"], json!(subject));
    assert_eq!(
        action(&actions, "Use the current title: “How has Lumenus evolved over the years?”")["diagnostics"],
        json!(title),
        "not the other link's stale title"
    );
    assert!(actions.iter().all(|action| action.get("isPreferred").is_none() || action["title"] == update));

    let (_, version, fixed) = applied(&session, fix, &BTreeMap::from([(MANY, text.clone())]));
    assert_eq!(version, 1, "the open document's version");
    let expected = replaced(
        &replaced(&text, "        How has Lumenus changed?\n", &format!("        {EVOLVED_TITLE}\n")),
        "    subject: Sociology\n",
        "    subject: Health Studies\n",
    );
    assert_eq!(fixed, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_all_updates_every_stale_field_and_the_file_name() {
    let session = Session::start(&["lumenus", "broken"]).await;
    let text = many_stale();
    let diagnostics = diagnose(&session, MANY, &text, 1).await;
    let actions = code_actions(&session, MANY, &text, 0..0, &diagnostics, Some(&["source.fixAll"])).await;
    assert_eq!(
        listed(&actions),
        [("source.fixAll".to_owned(), "Fix all stale links and file_name".to_owned())]
    );
    let fixable: Vec<Value> = diagnostics.iter().filter(|d| d["code"] != "broken-link").cloned().collect();
    assert_eq!(actions[0]["diagnostics"], json!(fixable));

    let (_, version, fixed) = applied(&session, &actions[0], &BTreeMap::from([(MANY, text.clone())]));
    assert_eq!(version, 1);
    let mut expected = text.clone();
    for (old, new) in [
        ("file_name: many.md", "file_name: many-stale.md"),
        ("        How has Lumenus changed?\n", "        How has Lumenus evolved over the years?\n"),
        ("    subject: Sociology\n", "    subject: Health Studies\n"),
        (
            "title: 'What is the history of Lumenus?'",
            "title: 'What is the history of the Lumenus organization?'",
        ),
        (
            "url: /learn/health-studies/questions/how-does-lumenus-engage\n",
            "url: /learn/health-studies/questions/how-does-lumenus-engage-with-the-local-community\n",
        ),
    ] {
        expected = replaced(&expected, old, new);
    }
    assert_eq!(fixed, expected);
    let left = diagnose(&session, MANY, &fixed, 2).await;
    assert_eq!(support::codes(&left), ["broken-link"], "what no fix can solve");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_link_is_replaced_by_the_closest_article() {
    let session = Session::start(&["lumenus", "broken"]).await;
    let relative = "broken/broken-link.md";
    let text = session.read(relative);
    let diagnostics = session.client.pull_diagnostics(&session.path(relative)).await;
    assert_eq!(support::codes(&diagnostics), ["broken-link"]);
    let span = span_of(&text, &diagnostics[0]["range"], &session);
    let actions = code_actions(&session, relative, &text, span, &diagnostics, None).await;
    // The closest article first and preferred; alternatives (if any are close) after it.
    let title = "Link to “How has Lumenus evolved over the years?” (id 87377)";
    let found = listed(&actions);
    assert_eq!(found[0], ("quickfix".to_owned(), title.to_owned()));
    assert!(found.len() <= 4, "at most three alternatives: {found:#?}");
    assert!(
        found.iter().all(|(kind, title)| kind == "quickfix" && title.starts_with("Link to “")),
        "{found:#?}"
    );
    for action in &actions {
        assert_eq!(action["diagnostics"], json!(diagnostics));
        assert_eq!(action.get("isPreferred").is_some(), action["title"] == title);
    }

    let (_, _, fixed) = applied(&session, &actions[0], &BTreeMap::new());
    let expected = replaced(
        &text,
        "    id: 87399\n    title: >-\n        How has Lumenus evolved over the decades?\n    subject: Health Studies\n    \
         url: /learn/health-studies/questions/how-has-lumenus-evolved-over-the-decades\n",
        &format!(
            "    id: 87377\n    title: >-\n        {EVOLVED_TITLE}\n    subject: Health Studies\n    url: {EVOLVED_URL}\n"
        ),
    );
    assert_eq!(fixed, expected);
    assert_eq!(diagnose(&session, relative, &fixed, 1).await, Vec::<Value>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_link_offers_up_to_three_alternatives() {
    let root = support::workspace(&["lumenus"]);
    std::fs::create_dir_all(root.path().join("walk-in")).expect("a folder");
    for (n, topic) in [(1, "training"), (2, "times"), (3, "tips"), (4, "sites")] {
        let text = format!(
            "---\nid: 9960{n}\ntitle: Lumenus walk-in counselling {topic}\nsubject: Health Studies\n\
             url: /learn/health-studies/questions/lumenus-walk-in-counselling-{topic}\n---\n"
        );
        std::fs::write(root.path().join(format!("walk-in/{topic}.md")), text).expect("write");
    }
    let session = Session::in_root(root, |_| {}).await;
    let relative = "walk-in/questions.md";
    let text = "---\nid: 99600\ntitle: Walk-in questions\nsubject: Health Studies\n\
                url: /learn/health-studies/questions/walk-in-questions\nrelated_article1:\n    id: 99699\n    \
                title: Lumenus walk-in counselling timing\n    subject: Health Studies\n    \
                url: /learn/health-studies/questions/lumenus-walk-in-counselling-timing\n---\n";
    let diagnostics = diagnose(&session, relative, text, 1).await;
    assert_eq!(support::codes(&diagnostics), ["broken-link"]);
    let span = span_of(text, &diagnostics[0]["range"], &session);
    let actions = code_actions(&session, relative, text, span, &diagnostics, None).await;
    // The closest title first (and preferred), then the others by closeness.
    let expected: Vec<(String, String)> = [(1, "training"), (2, "times"), (3, "tips"), (4, "sites")]
        .into_iter()
        .map(|(n, topic)| {
            ("quickfix".to_owned(), format!("Link to “Lumenus walk-in counselling {topic}” (id 9960{n})"))
        })
        .collect();
    assert_eq!(listed(&actions), expected);
    let (start, end) =
        (text.find("related_article1:").expect("block"), text.rfind("---\n").expect("closing"));
    for (fix, (n, topic)) in actions.iter().zip([(1, "training"), (2, "times"), (3, "tips"), (4, "sites")]) {
        assert_eq!(fix["diagnostics"], json!(diagnostics));
        assert_eq!(fix.get("isPreferred").is_some(), n == 1);
        let (_, _, fixed) = applied(&session, fix, &BTreeMap::from([(relative, text.to_owned())]));
        let block = format!(
            "related_article1:\n    id: 9960{n}\n    title: Lumenus walk-in counselling {topic}\n    subject: Health Studies\n    \
             url: /learn/health-studies/questions/lumenus-walk-in-counselling-{topic}\n"
        );
        assert_eq!(fixed, format!("{}{block}{}", &text[..start], &text[end..]));
        let version = n + 1;
        assert_eq!(diagnose(&session, relative, &fixed, version).await, Vec::<Value>::new(), "{topic}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_mismatch_follows_the_id_or_the_url() {
    let session = Session::start(&["lumenus", "broken"]).await;
    let relative = "broken/link-mismatch.md";
    let text = session.read(relative);
    let diagnostics = session.client.pull_diagnostics(&session.path(relative)).await;
    assert_eq!(support::codes(&diagnostics), ["link-mismatch"]);
    let span = span_of(&text, &diagnostics[0]["range"], &session);
    let actions = code_actions(&session, relative, &text, span, &diagnostics, Some(&["quickfix"])).await;
    let by_id = "Follow the id: link to “How does Lumenus support individuals with autism?” (id 87369)";
    let by_url = "Follow the url: link to “What specialized programs does Lumenus offer for autism support?” (id 87380)";
    assert_eq!(
        listed(&actions),
        [("quickfix".to_owned(), by_id.to_owned()), ("quickfix".to_owned(), by_url.to_owned())]
    );
    let wrong_url = "url: /learn/health-studies/questions/what-specialized-programs-does-lumenus-offer-for-autism-support\n";
    let cases = [
        (
            by_id,
            "url: /learn/health-studies/questions/how-does-lumenus-support-individuals-with-autism\n"
                .to_owned(),
        ),
        (
            by_url,
            format!(
                "id: 87380\n    title: >-\n        What specialized programs does Lumenus offer for autism support?\n    \
                 subject: Health Studies\n    {wrong_url}"
            ),
        ),
    ];
    let block = "id: 87369\n    title: >-\n        How does Lumenus support individuals with autism?\n    \
                 subject: Health Studies\n    ";
    for (version, (title, new)) in (1..).zip(cases) {
        let fix = action(&actions, title);
        assert_eq!(fix["diagnostics"], json!(diagnostics));
        let (_, _, fixed) = applied(&session, fix, &BTreeMap::new());
        let old = if title == by_id { wrong_url.to_owned() } else { format!("{block}{wrong_url}") };
        assert_eq!(fixed, replaced(&text, &old, &new), "{title}");
        assert_eq!(diagnose(&session, relative, &fixed, version).await, Vec::<Value>::new(), "{title}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_and_duplicate_links_are_removed() {
    let session = Session::start(&["lumenus", "broken"]).await;
    let cases = [
        (
            "broken/self-link.md",
            "self-link",
            "Remove related_article2",
            "related_article2:\n    id: 90012\n    title: >-\n        Why do Lumenus articles link to each other?\n    \
             subject: Health Studies\n    url: /learn/health-studies/questions/self-link\n",
        ),
        (
            "broken/duplicate-link.md",
            "duplicate-link",
            "Remove related_article3",
            "related_article3:\n    id: 87386\n    title: >-\n        How does Lumenus measure the effectiveness of its services?\n    \
             subject: Health Studies\n    url: /learn/health-studies/questions/how-does-lumenus-measure-the-effectiveness-of-its-services\n",
        ),
    ];
    for (relative, code, title, removed) in cases {
        let text = session.read(relative);
        let diagnostics = session.client.pull_diagnostics(&session.path(relative)).await;
        assert_eq!(support::codes(&diagnostics), [code]);
        let span = span_of(&text, &diagnostics[0]["range"], &session);
        let actions = code_actions(&session, relative, &text, span, &diagnostics, Some(&["quickfix"])).await;
        assert_eq!(listed(&actions), [("quickfix".to_owned(), title.to_owned())]);
        assert_eq!(actions[0]["diagnostics"], json!(diagnostics));
        assert_eq!(actions[0]["isPreferred"], true);
        let (_, _, fixed) = applied(&session, &actions[0], &BTreeMap::new());
        assert_eq!(fixed, replaced(&text, removed, ""));
        assert_eq!(diagnose(&session, relative, &fixed, 1).await, Vec::<Value>::new(), "{relative}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slug_mismatch_sets_file_name_from_the_url() {
    let session = Session::start(&["lumenus", "broken"]).await;
    let relative = "broken/slug-mismatch.md";
    let text = session.read(relative);
    let diagnostics = session.client.pull_diagnostics(&session.path(relative)).await;
    assert_eq!(support::codes(&diagnostics), ["slug-mismatch"]);
    let span = span_of(&text, &diagnostics[0]["range"], &session);
    let actions = code_actions(&session, relative, &text, span, &diagnostics, None).await;
    assert_eq!(
        listed(&actions),
        [
            ("quickfix".to_owned(), "Set file_name to `slug-mismatch.md`".to_owned()),
            ("source.fixAll".to_owned(), "Fix all stale links and file_name".to_owned()),
        ]
    );
    assert_eq!(actions[0]["diagnostics"], json!(diagnostics));
    let (_, _, fixed) = applied(&session, &actions[0], &BTreeMap::new());
    let expected = replaced(
        &text,
        "file_name: can-professionals-refer-clients-to-lumenus.md",
        "file_name: slug-mismatch.md",
    );
    assert_eq!(fixed, expected);
    assert_eq!(diagnose(&session, relative, &fixed, 1).await, Vec::<Value>::new());

    // A url whose subject segment is wrong is a slug mismatch the file_name fix does not solve.
    let text = "---\nid: 99500\ntitle: Wrong segment\nsubject: Sociology\nfile_name: wrong.md\n\
                url: /learn/health-studies/questions/wrong-segment\n---\n";
    let diagnostics = diagnose(&session, "broken/wrong-segment.md", text, 1).await;
    assert_eq!(support::codes(&diagnostics), ["slug-mismatch", "slug-mismatch"]);
    let actions =
        code_actions(&session, "broken/wrong-segment.md", text, 0..text.len(), &diagnostics, None).await;
    let file_name = find_after(text, "file_name: ", "wrong.md");
    let on_file_name: Vec<&Value> =
        diagnostics.iter().filter(|d| span_of(text, &d["range"], &session) == file_name).collect();
    assert_eq!(on_file_name.len(), 1);
    assert_eq!(action(&actions, "Set file_name to `wrong-segment.md`")["diagnostics"], json!(on_file_name));
    assert_eq!(action(&actions, "Fix all stale links and file_name")["diagnostics"], json!(on_file_name));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_back_adds_the_next_block_to_the_target() {
    let session = Session::start(&["lumenus", "broken"]).await;
    let relative = "broken/broken-link.md";
    let text = session.read(relative);
    let block = find_after(&text, "related_article1:", "related_article1");
    let actions = code_actions(&session, relative, &text, block.clone(), &[], None).await;
    let title = "Link back from “What is the history of the Lumenus organization?” (id 87366)";
    assert_eq!(listed(&actions), [("refactor.rewrite".to_owned(), title.to_owned())]);
    assert!(actions[0].get("diagnostics").is_none());
    let history = session.read(HISTORY);
    let new_block = "related_article4:\n    id: 90007\n    title: What has changed at Lumenus recently?\n    \
                     subject: Health Studies\n    url: /learn/health-studies/questions/broken-link\n";
    let expected = history.replacen("\n---\n", &format!("\n{new_block}---\n"), 1);
    let (file, version, linked) = applied(&session, &actions[0], &BTreeMap::new());
    assert_eq!((file.as_str(), version, &linked), (HISTORY, Value::Null, &expected));

    // With the target open, the edit is versioned and fits the editor's text.
    let unsaved = replaced(&history, "score: -1.0\n", "score: -1.0\n# unsaved note\n");
    session.client.open_version(&session.path(HISTORY), &unsaved, 9).await;
    let actions = code_actions(&session, relative, &text, block.clone(), &[], None).await;
    let (_, version, linked) = applied(&session, &actions[0], &BTreeMap::from([(HISTORY, unsaved.clone())]));
    assert_eq!(version, 9);
    assert_eq!(linked, unsaved.replacen("\n---\n", &format!("\n{new_block}---\n"), 1));

    // Once the target links back, the action is gone.
    session.client.change(&session.path(HISTORY), 10, json!([{ "text": linked }])).await;
    let params = json!({
        "textDocument": { "uri": session.uri(relative) },
        "range": range(&text, block, session.encoding),
        "context": { "diagnostics": [] },
    });
    session.client.request_until("textDocument/codeAction", params, |found| found == &json!([])).await;
    assert_eq!(session.client.pull_diagnostics(&session.path(HISTORY)).await, Vec::<Value>::new());
}
