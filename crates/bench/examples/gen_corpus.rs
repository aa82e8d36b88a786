//! Writes a deterministic synthetic corpus of articles in the QuickTakes
//! front-matter format used by the fixtures (see `fixtures/README.md`).
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --articles 100000 --out DIR --seed 1 \
//!     [--broken 0.02] [--stale 0.05]
//! ```
//!
//! Articles go to `DIR/<subject-slug>/<slug>.md`; the generator itself is in
//! `support/corpus.rs`, shared with the benches. The same seed gives
//! byte-identical output whatever the parallel rendering order.

use article_corpus as corpus;

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use rayon::prelude::*;

use corpus::{Corpus, CorpusSpec};

#[derive(Parser)]
#[command(about = "Write a deterministic synthetic article corpus")]
struct Args {
    /// Number of articles to write.
    #[arg(long)]
    articles: usize,
    /// Output directory (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Seed for the ChaCha8 random number generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Share of related links that are broken (id and url of no article).
    #[arg(long, default_value_t = corpus::DEFAULT_BROKEN)]
    broken: f64,
    /// Share of related links that are stale (title or subject slightly off).
    #[arg(long, default_value_t = corpus::DEFAULT_STALE)]
    stale: f64,
}

#[derive(Default)]
struct Stats {
    articles: u64,
    links: u64,
    broken: u64,
    stale: u64,
    bytes: u64,
}

impl Stats {
    fn add(mut self, other: Stats) -> Stats {
        self.articles += other.articles;
        self.links += other.links;
        self.broken += other.broken;
        self.stale += other.stale;
        self.bytes += other.bytes;
        self
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let spec =
        CorpusSpec { articles: args.articles, seed: args.seed, broken: args.broken, stale: args.stale };
    spec.validate()?;
    let start = Instant::now();
    let corpus = corpus::generate(spec);
    corpus::subject_dirs().try_for_each(|dir| fs::create_dir_all(args.out.join(dir)))?;
    let stats = (0..corpus.len())
        .into_par_iter()
        .map(|i| write_article(&corpus, i, &args.out))
        .try_reduce(Stats::default, |a, b| Ok(a.add(b)))?;
    println!(
        "articles={} links={} broken={} stale={} bytes={} out={} elapsed={:.2}s",
        stats.articles,
        stats.links,
        stats.broken,
        stats.stale,
        stats.bytes,
        args.out.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn write_article(corpus: &Corpus, i: usize, out: &Path) -> io::Result<Stats> {
    let article = corpus::render_article(corpus, i);
    let mut file = BufWriter::with_capacity(8 * 1024, File::create(out.join(&article.path))?);
    file.write_all(article.text.as_bytes())?;
    file.flush()?;
    Ok(Stats {
        articles: 1,
        links: article.links as u64,
        broken: article.broken as u64,
        stale: article.stale as u64,
        bytes: article.text.len() as u64,
    })
}
