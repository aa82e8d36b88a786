//! The bulk scenarios' changes on disk, each as the tool it stands for
//! makes them: npm, git, a checkout, deletions.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;

use sha1::{Digest, Sha1};

use super::burst::{
    BULK_ARTICLES, BULK_LINKS, Burst, DELETED, bulk_referrer_path, bulk_target_path, bulk_target_text, hex,
};
use article_test_support::uri;

/// What a scenario does in the corpus `folder`.
pub type Action = fn(&Path, &mut Burst) -> io::Result<()>;

/// Nothing but the probe: what the others' probes are compared with.
pub fn nothing(_folder: &Path, _burst: &mut Burst) -> io::Result<()> {
    Ok(())
}

/// 900 files in 36 packages under `node_modules/` (READMEs and changelogs
/// among them) and the lock file at the root.
pub fn npm_install(folder: &Path, burst: &mut Burst) -> io::Result<()> {
    for p in 0..36 {
        let name = format!("bench-package-{p:02}");
        let package = folder.join("node_modules").join(&name);
        let manifest = format!("{{\"name\": \"{name}\", \"version\": \"1.0.0\", \"main\": \"index.js\"}}");
        burst.write(&package.join("package.json"), manifest.as_bytes())?;
        burst.write(
            &package.join("README.md"),
            format!("# {name}\n\nA package, as npm installs it.\n").as_bytes(),
        )?;
        burst.write(&package.join("CHANGELOG.md"), b"# Changelog\n\n## 1.0.0\n\n- First release.\n")?;
        burst.write(&package.join("LICENSE"), b"MIT\n")?;
        burst.write(&package.join("index.js"), b"module.exports = require('./lib/m00');\n")?;
        for m in 0..20 {
            let module = format!("module.exports = {m};\n");
            burst.write(&package.join("lib").join(format!("m{m:02}.js")), module.as_bytes())?;
        }
    }
    burst.write(&folder.join("package-lock.json"), b"{\"lockfileVersion\": 3, \"packages\": {}}")
}

/// `git commit -a` of 300 articles, as git writes it: their blobs, a tree
/// for each of 30 folders and the root's, the commit, the index and the
/// branch through lock files, the logs and the message.
pub fn git_commit(folder: &Path, burst: &mut Burst) -> io::Result<()> {
    let git = folder.join(".git");
    let mut blobs = Vec::new();
    for k in 1..=300 {
        blobs.push(burst.git_object("blob", &std::fs::read(bulk_target_path(folder, k))?)?);
    }
    let mut trees = Vec::new();
    for t in 0..30 {
        let names: String = blobs.iter().skip(t).step_by(30).map(String::as_str).collect();
        trees.push(burst.git_object("tree", names.as_bytes())?);
    }
    let root = burst.git_object("tree", trees.concat().as_bytes())?;
    let commit =
        burst.git_object("commit", format!("tree {root}\n\nBench commit of 300 articles\n").as_bytes())?;
    let mut index = b"DIRC".to_vec();
    index.extend_from_slice(blobs.concat().as_bytes());
    burst.write(&git.join("index.lock"), &index)?;
    burst.rename(&git.join("index.lock"), &git.join("index"))?;
    burst.write(&git.join("COMMIT_EDITMSG"), b"Bench commit of 300 articles\n")?;
    let heads = git.join("refs").join("heads");
    burst.write(&heads.join("main.lock"), format!("{commit}\n").as_bytes())?;
    burst.rename(&heads.join("main.lock"), &heads.join("main"))?;
    let line =
        format!("{} {commit} Bench <bench@example.com> 0 +0000\tcommit: Bench commit\n", "0".repeat(40));
    burst.write(&git.join("logs").join("HEAD"), line.as_bytes())?;
    burst.write(&git.join("logs").join("refs").join("heads").join("main"), line.as_bytes())
}

/// `git gc`, in three notifications: a pack written (through temporary
/// files) and unreachable objects loosened; those pruned, with the folders
/// left empty; the refs packed. About 3,000 events under `.git/objects/`.
pub fn git_gc(folder: &Path, burst: &mut Burst) -> io::Result<()> {
    let git = folder.join(".git");
    let pack = git.join("objects").join("pack");
    let name = hex(&Sha1::digest(b"bench pack"));
    for suffix in ["pack", "idx"] {
        let temporary = pack.join(format!("tmp_{suffix}_bench"));
        burst.write(&temporary, format!("{suffix} {name}\n").as_bytes())?;
        burst.rename(&temporary, &pack.join(format!("pack-{name}.{suffix}")))?;
    }
    burst.write(&pack.join(format!("pack-{name}.rev")), format!("rev {name}\n").as_bytes())?;
    let mut loose = Vec::new();
    for n in 0..1400 {
        loose.push(burst.git_object("blob", format!("unreachable object {n}\n").as_bytes())?);
    }
    burst.next_notification();
    let objects = git.join("objects");
    for object in &loose {
        burst.remove(&objects.join(&object[..2]).join(&object[2..]))?;
    }
    let folders: BTreeSet<&str> = loose.iter().map(|object| &object[..2]).collect();
    for emptied in folders.into_iter().map(|name| objects.join(name)) {
        if std::fs::read_dir(&emptied)?.next().is_none() {
            std::fs::remove_dir(&emptied)?;
            burst.event(&emptied, DELETED);
        }
    }
    burst.next_notification();
    burst.write(&git.join("packed-refs.lock"), format!("{name} refs/heads/main\n").as_bytes())?;
    burst.rename(&git.join("packed-refs.lock"), &git.join("packed-refs"))?;
    burst.remove(&git.join("refs").join("heads").join("main"))
}

/// A checkout that rewrites the 2,000 targets with new titles: all four
/// links of every referrer go stale.
pub fn checkout(folder: &Path, burst: &mut Burst) -> io::Result<()> {
    for k in 1..=BULK_ARTICLES {
        burst.write(&bulk_target_path(folder, k), bulk_target_text(k, ", checked out").as_bytes())?;
    }
    burst.expect = (1..=BULK_ARTICLES)
        .map(|k| (uri(&bulk_referrer_path(folder, k)), ("stale-title", BULK_LINKS)))
        .collect();
    Ok(())
}

/// The 2,000 targets deleted: all four links of every referrer break.
pub fn delete_targets(folder: &Path, burst: &mut Burst) -> io::Result<()> {
    for k in 1..=BULK_ARTICLES {
        burst.remove(&bulk_target_path(folder, k))?;
    }
    burst.expect = (1..=BULK_ARTICLES)
        .map(|k| (uri(&bulk_referrer_path(folder, k)), ("broken-link", BULK_LINKS)))
        .collect();
    Ok(())
}
