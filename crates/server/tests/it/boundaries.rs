//! What the server may touch: it reads only inside its workspace folders
//! (symbolic links leading outside are followed only when `followSymlinks`
//! says so), never takes a `url` or `file_name` value for a path, writes no
//! file, and uses no network.

use article_test_support as support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use article_workspace::admission::ScanOptions;
use article_workspace::boundary::Boundary;
use article_workspace::files::ProblemKind;
use article_workspace::walk::{ListedFile, list_files};
use serde_json::{Value, json};
use support::{Client, Options, codes};

fn write(path: &Path, text: &str) {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).expect("a folder");
    }
    std::fs::write(path, text).expect("a test file");
}

fn article(id: u32, title: &str, slug: &str, links: &[(u32, &str)]) -> String {
    let mut text = format!("---\nid: {id}\ntitle: {title}\nurl: /learn/x/questions/{slug}\n");
    for (n, (id, slug)) in links.iter().enumerate() {
        text += &format!("related_article{}:\n  id: {id}\n  url: /learn/x/questions/{slug}\n", n + 1);
    }
    text + "---\n"
}

fn names(files: &[ListedFile], root: &Path) -> Vec<String> {
    files.iter().map(|file| name(file.on_disk(), root)).collect()
}

fn name(path: &Path, root: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

/// A folder outside the workspace with two articles, and a workspace that
/// links to them on disk (symbolic links) and by id (related blocks).
struct Linked {
    outside: tempfile::TempDir,
    root: tempfile::TempDir,
}

impl Linked {
    #[cfg(unix)]
    fn new() -> Linked {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().expect("a folder");
        let root = tempfile::tempdir().expect("a folder");
        let (out, dir) = (outside.path(), root.path());
        write(&out.join("a.md"), &article(50, "Outside secret", "outside-a", &[]));
        write(&out.join("dir/b.md"), &article(51, "Outside folder", "outside-b", &[]));
        write(&dir.join("own.md"), &article(1, "Own", "own", &[(50, "outside-a"), (51, "outside-b")]));
        write(&dir.join("sub/c.md"), &article(2, "Sub", "sub", &[]));
        symlink(out.join("a.md"), dir.join("out-file.md")).expect("a link");
        symlink(out.join("dir"), dir.join("out-dir")).expect("a link");
        symlink(dir.join("sub"), dir.join("in-dir")).expect("a link");
        symlink(dir.join("own.md"), dir.join("in-file.md")).expect("a link");
        symlink("..", dir.join("sub/up")).expect("a link");
        Linked { outside, root }
    }

    fn own(&self) -> PathBuf {
        self.root.path().join("own.md")
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scan_follows_links_leading_outside_only_when_the_setting_allows() {
    let linked = Linked::new();
    let root = linked.root.path();
    let options = ScanOptions::default();
    let listing = list_files(&[root.to_owned()], &options).expect("a listing");
    assert_eq!(names(&listing.files, root), ["own.md", "sub/c.md"]);
    let notes: Vec<(String, ProblemKind)> =
        listing.problems.iter().map(|p| (name(&p.path, root), p.kind)).collect();
    let skipped = ProblemKind::Skipped;
    assert_eq!(notes, [("in-file.md".to_owned(), skipped), ("out-file.md".to_owned(), skipped)]);

    let following = ScanOptions { follow_symlinks: true, ..options };
    let listing = list_files(&[root.to_owned()], &following).expect("a listing");
    // Links leading inside are not followed even so: their targets are
    // listed at their own paths, and following would list them twice.
    assert_eq!(names(&listing.files, root), ["out-dir/b.md", "out-file.md", "own.md", "sub/c.md"]);
    assert!(listing.problems.iter().all(|p| p.kind == skipped), "the loop is a note: {:?}", listing.problems);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_boundary_admits_only_paths_a_scan_of_its_folder_reaches() {
    let linked = Linked::new();
    let (root, out) = (linked.root.path(), linked.outside.path());
    let outside_name = out.file_name().expect("a name").to_string_lossy().into_owned();
    let escape = root.join("..").join(&outside_name).join("a.md");
    let refusal =
        |boundary: &Boundary, path: &Path| boundary.admit(path).err().map(|problem| problem.message);
    let strict = Boundary::new(root, false);
    assert_eq!(refusal(&strict, &root.join("own.md")), None);
    assert_eq!(refusal(&strict, &root.join("sub/c.md")), None);
    let leads_outside =
        "not read: a symbolic link leading outside the workspace folder (followSymlinks is off)";
    assert_eq!(refusal(&strict, &root.join("out-file.md")).as_deref(), Some(leads_outside));
    assert_eq!(refusal(&strict, &root.join("out-dir/b.md")).as_deref(), Some(leads_outside));
    let through_link = "not read: reached through a symbolic link (its target is read at its own path)";
    assert_eq!(refusal(&strict, &root.join("in-file.md")).as_deref(), Some(through_link));
    assert_eq!(refusal(&strict, &root.join("in-dir/c.md")).as_deref(), Some(through_link));
    let outside = "not read: outside the workspace folder";
    assert_eq!(refusal(&strict, &escape).as_deref(), Some(outside));
    assert_eq!(refusal(&strict, &out.join("a.md")).as_deref(), Some(outside));
    assert_eq!(strict.admit(&root.join("missing.md")).map_err(|p| p.kind).err(), Some(ProblemKind::Io));

    let following = Boundary::new(root, true);
    assert_eq!(refusal(&following, &root.join("out-file.md")), None);
    assert_eq!(refusal(&following, &root.join("out-dir/b.md")), None);
    assert_eq!(refusal(&following, &root.join("in-file.md")).as_deref(), Some(through_link));
    assert_eq!(refusal(&following, &escape).as_deref(), Some(outside));
    assert!(following.read_text(&root.join("out-file.md")).is_ok_and(|text| text.contains("Outside secret")));
    assert!(strict.read_text(&root.join("out-file.md")).is_err());
}

/// `own.md` links to both outside articles: its broken links say which of
/// them the server has read.
async fn broken_links(client: &Client, own: &Path) -> usize {
    let found = client.pull_diagnostics(own).await;
    codes(&found).iter().filter(|code| *code == "broken-link").count()
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_reads_nothing_behind_a_link_leading_outside() {
    let linked = Linked::new();
    let (root, own) = (linked.root.path(), linked.own());
    let client = Client::start(Options::folders(&[root])).await;
    client.wait_scans(1).await;
    assert_eq!(broken_links(&client, &own).await, 2, "neither outside article is indexed");

    // Events naming paths behind the links, or outside by `..`, read nothing.
    client.file_changed(&root.join("out-file.md"), 1).await;
    client.file_changed(&root.join("out-dir"), 1).await;
    client.file_changed(&root.join("out-dir/b.md"), 2).await;
    let outside_name = linked.outside.path().file_name().expect("a name").to_string_lossy().into_owned();
    let escape = format!("{}/../{outside_name}/a.md", support::uri(root));
    let event = json!({ "changes": [{ "uri": escape, "type": 1 }] });
    client.notify("workspace/didChangeWatchedFiles", event).await;
    // A document the editor opened behind a link is the editor's text while
    // open; once closed, the server does not read it from the disk.
    let behind = root.join("out-file.md");
    client.open_text(&behind, &article(50, "Outside secret", "outside-a", &[])).await;
    client.wait_diagnostics(&own, |d| codes(d) == ["broken-link"]).await;
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": support::uri(&behind) } })).await;
    client.wait_diagnostics(&own, |d| codes(d) == ["broken-link", "broken-link"]).await;
    let symbols = client.request("workspace/symbol", json!({ "query": "outside" })).await;
    assert_eq!(symbols["result"], json!([]), "{symbols}");

    // The setting, from the editor or the settings file, lets them be read;
    // changing it rescans.
    let settings = json!({ "settings": { "articleLsp": { "followSymlinks": true } } });
    client.notify("workspace/didChangeConfiguration", settings).await;
    client.wait_scans(2).await;
    assert_eq!(broken_links(&client, &own).await, 0, "both outside articles are indexed");
    assert!(client.shutdown_and_exit().await);
    std::fs::write(root.join("article-lsp.toml"), "follow_symlinks = true\n").expect("settings");
    let client = Client::start(Options::folders(&[root])).await;
    client.wait_scans(1).await;
    assert_eq!(broken_links(&client, &own).await, 0, "both outside articles are indexed");
    assert!(client.shutdown_and_exit().await);
}

/// An article outside the workspace, and one inside whose `url` and
/// `file_name` values name it, or other files, as paths.
fn pointing_workspace(fixture_dirs: &[&str]) -> (tempfile::TempDir, tempfile::TempDir, PathBuf) {
    let outside = tempfile::tempdir().expect("a folder");
    let secret = outside.path().join("secret.md");
    write(&secret, &article(60, "Outside secret", "secret", &[]));
    let root = support::workspace(fixture_dirs);
    let out = outside.path().display();
    let pointer = format!(
        "---\nid: 61\ntitle: Pointer\nurl: /../../{out}/secret.md\nfile_name: ../../{out}/secret.md\n\
         related_article1:\n  id: 62\n  url: {secret}\n  file_name: {secret}\n\
         related_article2:\n  id: 63\n  url: /../../etc/passwd\n  file_name: ../../etc/passwd\n\
         related_article3:\n  id: 64\n  url: file://{secret}\n\
         related_article4:\n  id: 65\n  url: /learn/x/questions/secret\n  file_name: secret.md\n---\n",
        secret = secret.display(),
    );
    write(&root.path().join("pointer.md"), &pointer);
    (outside, root, secret)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_and_file_name_values_are_never_taken_for_paths() {
    let (outside, root, _secret) = pointing_workspace(&["lumenus"]);
    let pointer = root.path().join("pointer.md");
    let text = std::fs::read_to_string(&pointer).expect("the pointer");
    let client = Client::start(Options::folders(&[root.path()])).await;
    client.wait_scans(1).await;
    let found = client.pull_diagnostics(&pointer).await;
    assert_eq!(codes(&found).iter().filter(|c| *c == "broken-link").count(), 4, "{found:?}");

    let mut answers = Vec::new();
    for (line, value) in
        text.lines().enumerate().filter(|(_, line)| line.contains("url:") || line.contains("file_name:"))
    {
        let character = value.find(':').map_or(0, |colon| colon + 3);
        let at = json!({ "textDocument": { "uri": support::uri(&pointer) }, "position": { "line": line, "character": character } });
        for method in ["textDocument/definition", "textDocument/hover", "textDocument/references"] {
            let mut params = at.clone();
            params["context"] = json!({ "includeDeclaration": true });
            answers.push(client.request(method, params).await);
        }
    }
    let document = json!({ "textDocument": { "uri": support::uri(&pointer) } });
    answers.push(client.request("textDocument/documentLink", document.clone()).await);
    answers.push(client.request("textDocument/codeLens", document).await);
    let outside_name = outside.path().file_name().expect("a name").to_string_lossy().into_owned();
    for answer in &answers {
        assert!(answer.get("error").is_none(), "{answer}");
        let shown = answer["result"].to_string();
        assert!(!shown.contains("Outside secret") && !shown.contains("root:x:0"), "nothing read: {answer}");
        // A target may quote the value, never resolve it into a location.
        for location in locations(&answer["result"]) {
            assert!(
                !location.contains(&outside_name) && location.starts_with(&support::uri(root.path())),
                "{answer}"
            );
        }
    }
    assert!(client.shutdown_and_exit().await);
}

/// The `uri` and `target` fields anywhere in a result.
fn locations(result: &Value) -> Vec<String> {
    match result {
        Value::Object(fields) => fields
            .iter()
            .flat_map(|(key, value)| match (key.as_str(), value.as_str()) {
                ("uri" | "target" | "targetUri", Some(location)) => vec![location.to_owned()],
                _ => locations(value),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(locations).collect(),
        _ => Vec::new(),
    }
}

/// Every file under `root` (hidden ones too) with its bytes; links are
/// recorded by their target, not followed.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![root.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a readable folder") {
            let path = entry.expect("an entry").path();
            let kind = std::fs::symlink_metadata(&path).expect("metadata").file_type();
            if kind.is_dir() {
                folders.push(path);
            } else if kind.is_symlink() {
                let target = std::fs::read_link(&path).expect("a link");
                files.insert(path, target.into_os_string().into_encoded_bytes());
            } else {
                files.insert(path.clone(), std::fs::read(&path).expect("a readable file"));
            }
        }
    }
    files
}

/// What a writer's session does, every feature that computes edits
/// included; the edits are received, never applied.
async fn full_session(server: &mut Client, root: &Path) {
    server.initialize_folder(root, json!({ "articleLsp": { "hoverPreviewLength": 80 } })).await;
    server.wait_scans(1).await;
    let stale = root.join("broken/stale-title.md");
    let uri = support::uri(&stale);
    let text = std::fs::read_to_string(&stale).expect("a fixture");
    let document = json!({ "uri": uri, "languageId": "markdown", "version": 1, "text": text });
    server.notify("textDocument/didOpen", json!({ "textDocument": document })).await;
    let end = text.lines().count();
    let edit = json!({ "range": { "start": { "line": end, "character": 0 }, "end": { "line": end, "character": 0 } }, "text": "More.\n" });
    server
        .notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [edit] }),
        )
        .await;
    let at = |line: u32, character: u32| json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
    let mut id = 100;
    async fn ask(server: &Client, id: &mut i64, method: &str, params: Value) -> Value {
        *id += 1;
        let response = server.request_with_id(json!(*id), method, params).await;
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }
    ask(server, &mut id, "textDocument/hover", at(28, 10)).await;
    ask(server, &mut id, "textDocument/definition", at(30, 10)).await;
    ask(server, &mut id, "textDocument/completion", at(28, 10)).await;
    let mut references = at(2, 5);
    references["context"] = json!({ "includeDeclaration": true });
    ask(server, &mut id, "textDocument/references", references).await;
    ask(server, &mut id, "textDocument/documentLink", json!({ "textDocument": { "uri": uri } })).await;
    ask(server, &mut id, "textDocument/codeLens", json!({ "textDocument": { "uri": uri } })).await;
    ask(server, &mut id, "textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } })).await;
    ask(server, &mut id, "textDocument/diagnostic", json!({ "textDocument": { "uri": uri } })).await;
    ask(server, &mut id, "workspace/symbol", json!({ "query": "lumenus" })).await;
    let whole = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": end, "character": 0 } });
    for only in ["quickfix", "source.fixAll"] {
        let params = json!({ "textDocument": { "uri": uri }, "range": whole, "context": { "diagnostics": [], "only": [only] } });
        let actions = ask(server, &mut id, "textDocument/codeAction", params).await;
        assert!(actions.as_array().is_some_and(|a| !a.is_empty()), "{only}: {actions}");
    }
    // Renaming an article's id edits every article linking to it.
    let evolved = support::uri(&root.join("lumenus/how-has-lumenus-evolved-over-the-years.md"));
    let on_id = json!({ "textDocument": { "uri": evolved }, "position": { "line": 2, "character": 5 } });
    ask(server, &mut id, "textDocument/prepareRename", on_id.clone()).await;
    let mut rename = on_id;
    rename["newName"] = json!("87999");
    let edit = ask(server, &mut id, "textDocument/rename", rename).await;
    assert!(edit["documentChanges"].as_array().is_some_and(|changes| changes.len() > 1), "{edit}");
    server.notify("textDocument/didSave", json!({ "textDocument": { "uri": uri } })).await;
    server.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } })).await;
    server
        .notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": evolved, "type": 2 }] }))
        .await;
    server
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "articleLsp": { "hoverPreviewLength": 90 } } }),
        )
        .await;
    ask(server, &mut id, "workspace/symbol", json!({ "query": "evolved" })).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_session_writes_no_file() {
    let root = support::workspace(&["lumenus", "broken"]);
    let home = tempfile::tempdir().expect("a home");
    let cache = home.path().join("cache");
    let before = snapshot(root.path());
    let mut server = Client::spawn(crate::SERVER, &[], &[("HOME", home.path()), ("XDG_CACHE_HOME", &cache)]);
    full_session(&mut server, root.path()).await;
    assert!(server.shutdown_and_exit().await);

    assert_eq!(snapshot(root.path()), before, "every file of the workspace is as it was, and none is new");
    // The index cache, when there is one, is the only thing written.
    let written: Vec<PathBuf> = snapshot(home.path())
        .into_keys()
        .filter(|path| {
            !path.starts_with(cache.join("article-lsp"))
                && !path.starts_with(home.path().join(".cache/article-lsp"))
        })
        .collect();
    assert_eq!(written, Vec::<PathBuf>::new(), "nothing written outside the cache folder");
}

/// Network system calls. `socketpair` is not among them: tokio makes one
/// AF_UNIX pair inside the process for its signal handling, which can reach
/// nothing outside it (and is why a look at `/proc/<pid>/fd` for sockets
/// proves nothing either way).
const NETWORK_CALLS: &[&str] = &[
    "socket",
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    "sendto",
    "sendmsg",
    "sendmmsg",
    "recvfrom",
    "recvmsg",
    "recvmmsg",
    "getsockname",
    "getpeername",
    "setsockopt",
    "getsockopt",
    "shutdown",
];

/// Calls that create, change or remove a file or folder by name.
const WRITING_CALLS: &[&str] = &[
    "creat",
    "mkdir",
    "mkdirat",
    "rename",
    "renameat",
    "renameat2",
    "unlink",
    "unlinkat",
    "rmdir",
    "truncate",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "chmod",
    "fchmodat",
    "utimensat",
    "mknod",
    "mknodat",
];

/// The `trace.<thread id>` files `strace -ff -o trace` wrote, joined.
fn per_thread_traces(dir: &std::path::Path) -> String {
    let mut trace = String::new();
    for entry in std::fs::read_dir(dir).expect("the trace folder").flatten() {
        if entry.file_name().to_string_lossy().starts_with("trace.") {
            trace += &std::fs::read_to_string(entry.path()).expect("a thread's trace");
        }
    }
    trace
}

/// Each traced call: its name and its arguments as strace prints them.
fn calls(trace: &str) -> Vec<(&str, &str)> {
    trace
        .lines()
        .filter_map(|line| {
            let name_end = line.find(['(', ' '])?;
            Some((&line[..name_end], &line[name_end..]))
        })
        .collect()
}

/// The whole session, the links leading outside and the `url` and
/// `file_name` values naming outside files, under `strace`: every system
/// call the server and its threads make is seen, so nothing is sampled and
/// nothing missed. The server must make no network call, open nothing
/// outside the workspace (`-y` shows the real path of each opened file,
/// links resolved; metadata look-ups of where a link leads are not reads),
/// and write nothing but in the cache folder.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_traced_session_uses_no_network_reads_only_the_workspace_and_writes_nothing() {
    let found = std::process::Command::new("strace").arg("-V").output();
    assert!(found.is_ok_and(|out| out.status.success()), "this test needs strace (apt-get install strace)");
    let (outside, root, secret) = pointing_workspace(&["lumenus", "broken"]);
    std::os::unix::fs::symlink(&secret, root.path().join("out-file.md")).expect("a link");
    std::os::unix::fs::symlink(outside.path(), root.path().join("out-dir")).expect("a link");
    let home = tempfile::tempdir().expect("a home");
    let cache = home.path().join("cache");
    let trace = home.path().join("trace");
    let trace_arg = trace.display().to_string();
    // One file per thread (`-ff`): with one file, a call another thread
    // interrupts is split into an `<unfinished ...>` line and a `resumed`
    // one, and the second half would not name the file.
    let tracer = ["strace", "-ff", "-qq", "-y", "-e", "trace=%network,%file", "-o", trace_arg.as_str()];
    let mut server =
        Client::spawn(crate::SERVER, &tracer, &[("HOME", home.path()), ("XDG_CACHE_HOME", &cache)]);
    full_session(&mut server, root.path()).await;
    let pointer = support::uri(&root.path().join("pointer.md"));
    let mut id = 1000;
    for line in 2..20 {
        let at = json!({ "textDocument": { "uri": pointer }, "position": { "line": line, "character": 8 } });
        for method in ["textDocument/definition", "textDocument/hover"] {
            id += 1;
            server.request_with_id(json!(id), method, at.clone()).await;
        }
    }
    server
        .request_with_id(
            json!(2000),
            "textDocument/documentLink",
            json!({ "textDocument": { "uri": pointer } }),
        )
        .await;
    let behind = support::uri(&root.path().join("out-file.md"));
    let events = json!({ "changes": [{ "uri": behind, "type": 2 }, { "uri": support::uri(&root.path().join("out-dir")), "type": 1 }] });
    server.notify("workspace/didChangeWatchedFiles", events).await;
    let document =
        json!({ "uri": behind, "languageId": "markdown", "version": 1, "text": "---\nid: 70\n---\n" });
    server.notify("textDocument/didOpen", json!({ "textDocument": document })).await;
    server.notify("textDocument/didClose", json!({ "textDocument": { "uri": behind } })).await;
    server.request_with_id(json!(2001), "workspace/symbol", json!({ "query": "secret" })).await;
    assert!(server.shutdown_and_exit().await);

    let trace = per_thread_traces(home.path());
    let calls = calls(&trace);
    assert!(calls.iter().any(|(name, _)| *name == "openat"), "the trace holds the session: {trace}");
    let network: Vec<_> = calls.iter().filter(|(name, _)| NETWORK_CALLS.contains(name)).collect();
    assert_eq!(network, Vec::<&(&str, &str)>::new(), "no network call");
    let pairs = calls.iter().filter(|(name, _)| *name == "socketpair");
    assert!(pairs.clone().all(|(_, args)| args.starts_with("(AF_UNIX")), "{:?}", pairs.collect::<Vec<_>>());

    let outside_path = outside.path().display().to_string();
    let opened_outside: Vec<_> = calls
        .iter()
        .filter(|(name, args)| name.starts_with("open") && args.contains(&outside_path))
        .collect();
    assert_eq!(opened_outside, Vec::<&(&str, &str)>::new(), "nothing outside the workspace is opened");

    let cache_path = cache.display().to_string();
    // The index cache goes to `$XDG_CACHE_HOME/article-lsp`, creating the
    // cache folder itself when it does not exist yet.
    let in_cache = |args: &str| {
        args.contains(&format!("\"{cache_path}/article-lsp"))
            || args.starts_with(&format!("(\"{cache_path}\","))
    };
    let writes: Vec<_> = calls
        .iter()
        .filter(|(name, args)| {
            let opens_to_write = name.starts_with("open")
                && ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC"].iter().any(|flag| args.contains(flag));
            (opens_to_write || WRITING_CALLS.contains(name)) && !in_cache(args)
        })
        .collect();
    assert_eq!(writes, Vec::<&(&str, &str)>::new(), "nothing is written but in the cache folder");
}
