//! A deterministic synthetic corpus of articles in the QuickTakes
//! front-matter format used by the fixtures (see `fixtures/README.md`),
//! shared by the `gen_corpus` example (which writes it to disk) and the
//! benches (which index it in memory).
//!
//! Article `i` lives at `<subject-slug>/<slug>.md`. Each has up to four
//! related links, mostly to articles of the same subject. A share of links is
//! broken (an id and a url that no article has) and a share is stale (the
//! title or the subject is slightly off). About 10% of titles contain
//! non-ASCII text; slugs are always ASCII. The same spec gives byte-identical
//! output: [`generate`] plans every article with ChaCha8 stream 0 and
//! [`render`] draws article `i` from stream `i + 1`, so articles can be
//! rendered in any order and in parallel.

pub mod samples;

use std::collections::HashSet;
use std::path::PathBuf;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// First article id; article `i` gets `FIRST_ID + i`.
pub const FIRST_ID: u64 = 200_000;
/// Broken links use ids from here on, far above any article id.
const BROKEN_ID_BASE: u64 = 900_000_000;
pub const MAX_ARTICLES: usize = 100_000_000;
const LINKS_PER_ARTICLE: usize = 4;
const SAME_SUBJECT_SHARE: f64 = 0.8;
const NON_ASCII_SHARE: f64 = 0.1;
const CONTEXT_SHARE: f64 = 0.6;
/// Target file size range in bytes (the last sentence may overshoot a little).
const TARGET_BYTES: std::ops::Range<u32> = 3150..3800;

/// Subjects with the topics their titles are about.
#[rustfmt::skip]
const SUBJECTS: &[(&str, &[&str])] = &[
    ("Health Studies", &["community health programs", "access to primary care", "health promotion",
        "chronic disease prevention", "health equity", "patient navigation", "wellness education",
        "home care services", "health literacy", "preventive screening"]),
    ("Psychology", &["youth anxiety", "cognitive behavioural therapy", "walk-in counselling",
        "trauma-informed care", "early childhood mental health", "family therapy", "peer support groups",
        "emotional regulation", "resilience training", "grief counselling"]),
    ("Sociology", &["neighbourhood networks", "social inclusion", "community organizing",
        "volunteer engagement", "intergenerational programs", "newcomer integration", "social isolation",
        "civic participation", "housing stability", "food security"]),
    ("Social Work", &["case management", "child welfare", "crisis intervention", "family support",
        "caregiver respite", "outreach services", "harm reduction", "client advocacy",
        "service coordination", "transitional support"]),
    ("Public Health", &["vaccination outreach", "disease surveillance", "healthy eating",
        "air quality awareness", "substance use prevention", "sexual health education", "maternal health",
        "injury prevention", "active living", "tobacco cessation"]),
    ("Nursing", &["home visiting", "patient education", "palliative care", "wound care clinics",
        "medication management", "school nursing", "discharge planning", "nurse-led clinics",
        "infection control", "community nursing"]),
    ("Education", &["after-school programs", "literacy tutoring", "special education support",
        "school readiness", "adult learning", "mentoring", "parent workshops", "digital literacy",
        "inclusive classrooms", "career exploration"]),
    ("Economics", &["program funding", "cost-effectiveness", "social enterprise", "employment programs",
        "income support", "budget planning", "donor relations", "service pricing", "grant management",
        "economic inclusion"]),
    ("Political Science", &["policy advocacy", "government partnerships", "public consultation",
        "service accountability", "funding policy", "municipal relations", "board governance",
        "equity policy", "community representation", "legislative change"]),
    ("Environmental Science", &["green spaces", "climate resilience", "urban gardening",
        "environmental education", "sustainable operations", "heat safety", "waste reduction",
        "nature-based programs", "energy efficiency", "clean water access"]),
    ("Computer Science", &["electronic client records", "virtual care platforms", "data privacy",
        "outcome dashboards", "online booking", "digital accessibility", "data analytics", "cybersecurity",
        "mobile apps", "systems integration"]),
    ("History", &["heritage preservation", "oral history projects", "archival records",
        "commemorative events", "local history education", "community memory", "historical research",
        "museum partnerships", "founding documents", "anniversary programs"]),
];

#[rustfmt::skip]
const ORGS: &[&str] = &[
    "Lumenus", "Northgate Family Services", "Harbourview Health Collective", "Cedar Ridge Youth Network",
    "Riverbend Community Centre", "Maple Hollow Outreach", "Bridgeway Counselling",
    "Lakeshore Wellness Alliance", "Summit Care Partners", "Oakridge Neighbourhood House",
    "Brightpath Support Services", "Willowdale Family Network", "Evergreen Health Cooperative",
    "Stonebridge Social Services", "Clearwater Youth Services", "Pinecrest Community Health",
    "Meadowvale Care Network", "Silver Birch Foundation", "Granite Bay Outreach", "Redwood Counselling Centre",
    "Hillside Family Resource Centre", "Northstar Mental Health", "Kingsway Community Services",
    "Elmwood Health Partners", "Fairhaven Support Network", "Bayview Wellness Centre",
    "Greenfield Youth Alliance", "Crescent Point Services", "Ashgrove Community Trust", "Westbrook Health Hub",
    "Larchmont Family Services", "Thornhill Care Collective", "Juniper House", "Highland Outreach Network",
    "Seaside Community Health", "Copperfield Youth Centre", "Foxglove Family Centre",
    "Ironwood Social Services", "Sunvale Care", "Beacon Hill Community Network",
];

/// Organisation names with accents, used for part of the non-ASCII titles.
#[rustfmt::skip]
const ACCENTED_ORGS: &[&str] = &[
    "Société Lumière", "Café Santé Montréal", "Centre Éducatif Québécois", "Fundación Niños Felices",
    "Zürcher Jugendhilfe", "Årstad Familiesenter", "Association Bien-Être", "Clínica São João",
    "Maison Hélène", "Œuvre Saint-Cœur",
];
const CJK_SUFFIXES: &[&str] = &[" (社区服务)", " — 心理健康", " (こころの健康)", " (지역 사회 지원)"];
const EMOJI_SUFFIXES: &[&str] = &[" 🌱", " 🤝", " 💬", " 🧠", " ✨"];

/// Title templates: `{o}` is the organisation, `{t}` the topic.
#[rustfmt::skip]
const TITLE_TEMPLATES: &[&str] = &[
    "How does {o} approach {t}?", "What role does {t} play at {o}?", "Why does {o} invest in {t}?",
    "What are the main challenges {o} faces with {t}?", "How has {o} changed its approach to {t}?",
    "Who benefits from {o}'s work on {t}?", "What evidence supports {o}'s focus on {t}?",
    "How can families learn about {t} at {o}?", "What does {t} look like at {o}?",
    "How does {o} measure progress in {t}?", "Which partners support {o}'s work on {t}?",
    "How is {t} funded at {o}?", "What are the goals of {o} for {t}?", "How does {o} involve clients in {t}?",
    "What training do {o} staff receive in {t}?", "How did {o} start working on {t}?",
    "What makes {o}'s approach to {t} different?", "How does {o} make {t} accessible?",
    "What lessons has {o} learned from {t}?", "Is {t} at {o} open to everyone?",
];
/// Optional qualifiers inserted before a title's question mark.
#[rustfmt::skip]
const CONTEXTS: &[&str] = &[
    " in Toronto", " for newcomers", " for young people", " for older adults", " in rural areas",
    " during the pandemic", " for families", " in 2024", " for caregivers", " in schools",
    " across the province", " for Indigenous communities", " in the downtown core",
    " for people with disabilities", " in winter", " after school", " on weekends", " for students",
    " in partnership with hospitals", " in the suburbs",
];

/// Answer sentences: `{o}` organisation, `{t}` topic, `{g}` group, `{p}` place, `{s}` subject.
#[rustfmt::skip]
const SENTENCES: &[&str] = &[
    "{o} treats {t} as a core part of its work with {g} in {p}.",
    "Staff at {o} describe {t} as an area where small, steady changes add up to meaningful results for {g}.",
    "The organization began focusing on {t} after listening to {g} who found existing services hard to reach.",
    "Programs related to {t} are designed together with {g}, so that services reflect real needs rather \
     than assumptions.",
    "Partnerships with schools, clinics and community groups in {p} allow {o} to extend its work on {t} \
     beyond its own offices.",
    "Funding for {t} comes from a mix of government grants, foundations and individual donors, which gives \
     {o} some flexibility but also requires careful planning.",
    "Progress in {t} is tracked with simple outcome measures, client surveys and regular reviews by program staff.",
    "One challenge is that demand for {t} often grows faster than the resources available to meet it.",
    "To reduce waitlists, {o} offers drop-in sessions and virtual options alongside its scheduled programs.",
    "Researchers in {s} point to {t} as a useful example of how community organizations adapt evidence-based \
     practice to local conditions.",
    "Training for new staff includes an introduction to {t}, with ongoing coaching from experienced colleagues.",
    "Clients are encouraged to share feedback at any point, and their suggestions have led to concrete changes \
     in how {t} is delivered.",
    "For many {g}, the first contact with {o} is a short conversation that explains what {t} involves and \
     what to expect.",
    "The organization publishes a short annual summary of its work on {t}, including the number of people \
     served and the main lessons learned.",
    "Language interpretation and accessible formats help make {t} available to {g} who might otherwise be left out.",
    "Volunteers play a supporting role, helping with events, outreach and practical tasks that free staff to \
     focus on direct service.",
    "Looking ahead, {o} plans to expand {t} to more neighbourhoods in {p} and to strengthen links with other \
     providers.",
    "Evaluations suggest that people who take part in {t} report better wellbeing and a stronger sense of \
     connection to their community.",
    "Because needs change over time, programs for {t} are reviewed every year and adjusted where the evidence \
     shows they can improve.",
    "{o} also works with local leaders to make sure that {t} reflects the cultures and languages of the \
     people it serves.",
];
#[rustfmt::skip]
const HEADINGS: &[&str] = &[
    "Access", "Partnerships", "Evidence", "Staff Training", "Family Involvement", "Funding", "Technology",
    "Equity", "Outreach", "Evaluation", "Planning", "Community Voice",
];
#[rustfmt::skip]
const GROUPS: &[&str] = &[
    "families", "young people", "older adults", "newcomers", "caregivers", "students",
    "people with disabilities", "parents of young children",
];
#[rustfmt::skip]
const PLACES: &[&str] = &[
    "Toronto", "the wider region", "rural communities", "the city's inner suburbs", "northern Ontario",
    "the downtown core",
];
#[rustfmt::skip]
const KEYWORDS: &[&str] = &[
    "community services", "mental health", "access to care", "partnerships", "outcomes", "equity",
    "families", "wellness", "program evaluation", "outreach", "nonprofit", "Toronto",
];
/// Word swaps used to make a title slightly off (stale or broken links).
#[rustfmt::skip]
const TITLE_SWAPS: &[(&str, &str)] = &[
    ("does", "did"), ("is", "was"), ("are", "were"), ("has", "had"), ("How", "Why"), ("What", "Which"),
    ("main", "key"), ("work", "efforts"), ("approach", "strategy"), ("families", "parents"),
    ("goals", "aims"),
];

/// Default share of related links that are broken.
pub const DEFAULT_BROKEN: f64 = 0.02;
/// Default share of related links that are stale.
pub const DEFAULT_STALE: f64 = 0.05;

/// What to generate: the same spec always gives the same corpus.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CorpusSpec {
    /// Number of articles.
    pub articles: usize,
    /// Seed for the ChaCha8 random number generator.
    pub seed: u64,
    /// Share of related links that are broken (id and url of no article).
    pub broken: f64,
    /// Share of related links that are stale (title or subject slightly off).
    pub stale: f64,
}

impl CorpusSpec {
    /// `articles` articles from `seed`, with the default broken and stale shares.
    pub fn new(articles: usize, seed: u64) -> Self {
        CorpusSpec { articles, seed, broken: DEFAULT_BROKEN, stale: DEFAULT_STALE }
    }

    /// Whether the shares and the article count are in range.
    pub fn validate(&self) -> Result<(), String> {
        let share_ok = |x: f64| (0.0..=1.0).contains(&x);
        if !share_ok(self.broken) || !share_ok(self.stale) || self.broken + self.stale > 1.0 {
            return Err("broken and stale must be in 0..=1 and add up to at most 1".into());
        }
        if self.articles > MAX_ARTICLES {
            return Err(format!("articles must be at most {MAX_ARTICLES}"));
        }
        Ok(())
    }
}

/// What is decided for an article before any file is rendered.
struct Meta {
    id: u64,
    subject: usize,
    org: &'static str,
    topic: &'static str,
    title: String,
    slug: String,
    url: String,
}

#[derive(Clone, Copy, PartialEq)]
enum LinkKind {
    Correct,
    Broken,
    Stale,
}

struct Link {
    kind: LinkKind,
    id: u64,
    title: String,
    subject: &'static str,
    url: String,
}

/// The planned corpus: everything the per-article renderers read.
pub struct Corpus {
    metas: Vec<Meta>,
    by_subject: Vec<Vec<u32>>,
    urls: HashSet<String>,
    seed: u64,
    broken: f64,
    stale: f64,
}

impl Corpus {
    pub fn len(&self) -> usize {
        self.metas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.metas.is_empty()
    }

    /// Article `i`'s id.
    pub fn id(&self, i: usize) -> u64 {
        self.metas[i].id
    }

    /// Article `i`'s title.
    pub fn title(&self, i: usize) -> &str {
        &self.metas[i].title
    }

    /// Article `i`'s subject.
    pub fn subject(&self, i: usize) -> &'static str {
        SUBJECTS[self.metas[i].subject].0
    }

    /// Article `i`'s url.
    pub fn url(&self, i: usize) -> &str {
        &self.metas[i].url
    }
}

/// One rendered article and what its related links are.
pub struct Rendered {
    /// `<subject-slug>/<slug>.md`, relative to the corpus root.
    pub path: PathBuf,
    pub text: String,
    pub links: usize,
    pub broken: usize,
    pub stale: usize,
}

/// The directories articles go to, relative to the corpus root.
pub fn subject_dirs() -> impl Iterator<Item = PathBuf> {
    SUBJECTS.iter().map(|(subject, _)| PathBuf::from(subject_slug(subject)))
}

/// Article `i` of `corpus`: its path relative to the corpus root and its text.
pub fn render(corpus: &Corpus, i: usize) -> (PathBuf, String) {
    let Rendered { path, text, .. } = render_article(corpus, i);
    (path, text)
}

/// Article `i` of `corpus`, with counts of its related links by kind.
pub fn render_article(corpus: &Corpus, i: usize) -> Rendered {
    let mut rng = rng_for(corpus.seed, i as u64 + 1);
    let meta = &corpus.metas[i];
    let links = plan_links(corpus, i, &mut rng);
    let text = render_text(meta, &links, &mut rng);
    let subject = SUBJECTS[meta.subject].0;
    let path = PathBuf::from(subject_slug(subject)).join(format!("{}.md", meta.slug));
    let count = |kind| links.iter().filter(|l| l.kind == kind).count();
    Rendered {
        path,
        text,
        links: links.len(),
        broken: count(LinkKind::Broken),
        stale: count(LinkKind::Stale),
    }
}

// ---------------------------------------------------------------- planning

/// The RNG for the planning pass (stream 0) or for article `i` (stream `i + 1`).
fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len() as u32) as usize]
}

/// Plans every article of `spec`: subject, title and url, decided
/// sequentially so that urls are unique and the result depends only on the
/// spec. Rendering happens later, per article, in [`render`].
pub fn generate(spec: CorpusSpec) -> Corpus {
    let mut rng = rng_for(spec.seed, 0);
    let mut urls = HashSet::with_capacity(spec.articles);
    let mut metas = Vec::with_capacity(spec.articles);
    let mut by_subject = vec![Vec::new(); SUBJECTS.len()];
    for i in 0..spec.articles {
        let meta = plan_article(&mut rng, FIRST_ID + i as u64, &urls);
        urls.insert(meta.url.clone());
        by_subject[meta.subject].push(i as u32);
        metas.push(meta);
    }
    Corpus { metas, by_subject, urls, seed: spec.seed, broken: spec.broken, stale: spec.stale }
}

fn plan_article(rng: &mut ChaCha8Rng, id: u64, urls: &HashSet<String>) -> Meta {
    let subject = rng.random_range(0..SUBJECTS.len() as u32) as usize;
    let non_ascii = rng.random_bool(NON_ASCII_SHARE);
    for _ in 0..16 {
        let meta = draw_title(rng, id, subject, non_ascii, 1);
        if !urls.contains(&meta.url) {
            return meta;
        }
    }
    // Crowded title space: number the title until the url is free.
    let mut part = 2;
    loop {
        let meta = draw_title(rng, id, subject, non_ascii, part);
        if !urls.contains(&meta.url) {
            return meta;
        }
        part += 1;
    }
}

fn draw_title(rng: &mut ChaCha8Rng, id: u64, subject: usize, non_ascii: bool, part: u32) -> Meta {
    let (subject_name, topics) = SUBJECTS[subject];
    let topic = pick(rng, topics);
    let template = pick(rng, TITLE_TEMPLATES);
    let context = if rng.random_bool(CONTEXT_SHARE) { pick(rng, CONTEXTS) } else { "" };
    let flavour = if non_ascii { rng.random_range(0..3u32) } else { u32::MAX };
    let org = if flavour == 0 { pick(rng, ACCENTED_ORGS) } else { pick(rng, ORGS) };
    let mut title = template.replace("{o}", org).replace("{t}", topic);
    let question_mark = title.pop().expect("templates end with '?'");
    title.push_str(context);
    if part > 1 {
        title.push_str(&format!(" (part {part})"));
    }
    title.push(question_mark);
    match flavour {
        1 => title.push_str(pick(rng, CJK_SUFFIXES)),
        2 => title.push_str(pick(rng, EMOJI_SUFFIXES)),
        _ => {}
    }
    let slug = slugify(&title);
    let url = article_url(subject_name, &slug);
    Meta { id, subject, org, topic, title, slug, url }
}

fn article_url(subject: &str, slug: &str) -> String {
    format!("/learn/{}/questions/{}", subject_slug(subject), slug)
}

fn subject_slug(subject: &str) -> String {
    subject.to_lowercase().replace(' ', "-")
}

/// Lower-case ASCII slug: accents are transliterated, apostrophes dropped
/// ("Lumenus's" -> "lumenuss"), other characters separate words.
fn slugify(title: &str) -> String {
    let mut slug = String::with_capacity(title.len());
    let mut pending_hyphen = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        if c == '\'' || c == '’' {
            continue;
        }
        let ascii = transliterate(c);
        if ascii.is_empty() {
            pending_hyphen = !slug.is_empty();
            continue;
        }
        if pending_hyphen {
            slug.push('-');
            pending_hyphen = false;
        }
        slug.push_str(ascii);
    }
    slug
}

/// ASCII for a lower-case character, or "" if it only separates words.
fn transliterate(c: char) -> &'static str {
    const LATIN: &[(&str, &str)] = &[
        ("àáâãäå", "a"),
        ("æ", "ae"),
        ("ç", "c"),
        ("èéêë", "e"),
        ("ìíîï", "i"),
        ("ñ", "n"),
        ("òóôõöø", "o"),
        ("œ", "oe"),
        ("ùúûü", "u"),
        ("ýÿ", "y"),
        ("ß", "ss"),
    ];
    const ALNUM: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
    if c.is_ascii_alphanumeric() {
        let i = ALNUM.find(c).expect("lower-case ASCII alphanumeric");
        return &ALNUM[i..i + 1];
    }
    LATIN.iter().find(|(from, _)| from.contains(c)).map_or("", |(_, to)| to)
}

// ---------------------------------------------------------------- links

fn plan_links(corpus: &Corpus, i: usize, rng: &mut ChaCha8Rng) -> Vec<Link> {
    let n = corpus.metas.len();
    let wanted = LINKS_PER_ARTICLE.min(n.saturating_sub(1));
    let mut targets: Vec<usize> = Vec::with_capacity(wanted);
    let mut attempts = 0;
    while targets.len() < wanted && attempts < 200 {
        attempts += 1;
        let t = pick_target(corpus, i, rng);
        if t != i && !targets.contains(&t) {
            targets.push(t);
        }
    }
    targets.into_iter().map(|t| make_link(corpus, t, rng)).collect()
}

/// Mostly an article of the same subject, otherwise any article.
fn pick_target(corpus: &Corpus, i: usize, rng: &mut ChaCha8Rng) -> usize {
    let same = &corpus.by_subject[corpus.metas[i].subject];
    if same.len() > LINKS_PER_ARTICLE && rng.random_bool(SAME_SUBJECT_SHARE) {
        pick(rng, same) as usize
    } else {
        rng.random_range(0..corpus.metas.len() as u32) as usize
    }
}

fn make_link(corpus: &Corpus, target: usize, rng: &mut ChaCha8Rng) -> Link {
    let meta = &corpus.metas[target];
    let subject = SUBJECTS[meta.subject].0;
    let roll: f64 = rng.random();
    if roll < corpus.broken {
        broken_link(corpus, meta, rng)
    } else if roll < corpus.broken + corpus.stale {
        stale_link(meta, rng)
    } else {
        Link {
            kind: LinkKind::Correct,
            id: meta.id,
            title: meta.title.clone(),
            subject,
            url: meta.url.clone(),
        }
    }
}

/// A link whose id and url belong to no article; the title is one word away
/// from the real target's, so a "did you mean" suggestion has something to find.
fn broken_link(corpus: &Corpus, meta: &Meta, rng: &mut ChaCha8Rng) -> Link {
    let subject = SUBJECTS[meta.subject].0;
    let title = perturb_title(&meta.title, rng);
    let mut slug = slugify(&title);
    let mut url = article_url(subject, &slug);
    while slug == meta.slug || corpus.urls.contains(&url) {
        slug.push_str("-archived");
        url = article_url(subject, &slug);
    }
    let id = BROKEN_ID_BASE + rng.random_range(0..100_000_000u64);
    Link { kind: LinkKind::Broken, id, title, subject, url }
}

/// A link with the right id and url but an outdated title or subject.
fn stale_link(meta: &Meta, rng: &mut ChaCha8Rng) -> Link {
    let mut subject = SUBJECTS[meta.subject].0;
    let mut title = meta.title.clone();
    if rng.random_bool(0.5) {
        title = perturb_title(&title, rng);
    } else {
        let other = rng.random_range(1..SUBJECTS.len() as u32) as usize;
        subject = SUBJECTS[(meta.subject + other) % SUBJECTS.len()].0;
    }
    Link { kind: LinkKind::Stale, id: meta.id, title, subject, url: meta.url.clone() }
}

/// Swaps one word for a near one ("does" -> "did"), or adds one if no word fits.
fn perturb_title(title: &str, rng: &mut ChaCha8Rng) -> String {
    let words: Vec<&str> = title.split(' ').collect();
    let swappable: Vec<(usize, &str)> = words
        .iter()
        .enumerate()
        .filter_map(|(w, word)| TITLE_SWAPS.iter().find(|(from, _)| from == word).map(|(_, to)| (w, *to)))
        .collect();
    if swappable.is_empty() {
        return format!("Update: {title}");
    }
    let (w, to) = pick(rng, &swappable);
    let mut out = words;
    out[w] = to;
    out.join(" ")
}

// ---------------------------------------------------------------- rendering

/// The article in the seeds' exact layout; the answer is sized so that the
/// whole file lands in the 3-4 KB range.
fn render_text(meta: &Meta, links: &[Link], rng: &mut ChaCha8Rng) -> String {
    let subject = SUBJECTS[meta.subject].0;
    let words = Words {
        org: meta.org,
        topic: meta.topic,
        group: pick(rng, GROUPS),
        place: pick(rng, PLACES),
        subject,
    };
    let date = format!("2024-{:02}-{:02}", rng.random_range(1..=12u32), rng.random_range(1..=28u32));
    let head = format!(
        "---\n_schema: default\nid: {id}\ndate: {date}\ntitle: >-\n    {t}\narticle_title: >-\n    {t}\n\
         date_format: MMM DD, YYYY\npost_on_text: Posted on\nseo:\n  title: QuickTakes | {subject}\n\
         \x20 page_description: >-\n    {desc}\n  page_keywords: >-\n    {keys}\nauthor: QuickTakes\n\
         question: >-\n    {t}\nanswer: >-\n    ",
        id = meta.id,
        t = meta.title,
        desc = description(&words, rng),
        keys = keywords(&words, rng),
    );
    let mut tail = format!(
        "\nsubject: {subject}\nfile_name: {slug}.md\nurl: {url}\nscore: -1.0\n",
        slug = meta.slug,
        url = meta.url
    );
    for (n, link) in links.iter().enumerate() {
        tail.push_str(&related_block(n + 1, link));
    }
    tail.push_str("---\n\n&nbsp;");
    let target = rng.random_range(TARGET_BYTES) as usize;
    let budget = target.saturating_sub(head.len() + tail.len());
    let answer = answer(&words, budget, rng);
    let mut text = String::with_capacity(head.len() + answer.len() + tail.len());
    text.push_str(&head);
    text.push_str(&answer);
    text.push_str(&tail);
    text
}

fn related_block(n: usize, link: &Link) -> String {
    format!(
        "related_article{n}:\n    id: {}\n    title: >-\n        {}\n    subject: {}\n    url: {}\n",
        link.id, link.title, link.subject, link.url
    )
}

/// The words an article's prose is built from.
struct Words {
    org: &'static str,
    topic: &'static str,
    group: &'static str,
    place: &'static str,
    subject: &'static str,
}

/// Replaces `{o}`, `{t}`, `{g}`, `{p}` and `{s}` in a template.
fn fill(template: &str, w: &Words, out: &mut String) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let value = match &rest[open + 1..open + 2] {
            "o" => w.org,
            "t" => w.topic,
            "g" => w.group,
            "p" => w.place,
            _ => w.subject,
        };
        out.push_str(value);
        rest = &rest[open + 3..];
    }
    out.push_str(rest);
}

fn description(w: &Words, rng: &mut ChaCha8Rng) -> String {
    let mut out = String::new();
    fill("{o} works on {t} with {g} in {p}. ", w, &mut out);
    fill(pick(rng, SENTENCES), w, &mut out);
    out
}

fn keywords(w: &Words, rng: &mut ChaCha8Rng) -> String {
    let mut keys = vec![w.org, w.topic, w.subject, w.group, w.place];
    while keys.len() < 10 {
        let k = pick(rng, KEYWORDS);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys.join(", ")
}

/// Paragraphs of two or three sentences joined by a literal `\n\n`, at least
/// `budget` bytes long, ending with a summary paragraph. Sentences and
/// headings are drawn without repetition (until they run out).
fn answer(w: &Words, budget: usize, rng: &mut ChaCha8Rng) -> String {
    let mut closing = String::from("\\n\\nOverall, ");
    fill("the work of {o} on {t} reflects a practical, community-centred approach to {s}.", w, &mut closing);
    let order = shuffled(rng, SENTENCES.len());
    let headings = shuffled(rng, HEADINGS.len());
    let style = rng.random_range(0..3u32);
    let mut out = String::with_capacity(budget + 256);
    let (mut written, mut paragraph, mut in_paragraph) = (0, 0, 0);
    let mut paragraph_len = rng.random_range(2..=3u32);
    while written == 0 || out.len() + closing.len() < budget {
        if in_paragraph == paragraph_len {
            paragraph += 1;
            out.push_str("\\n\\n");
            let heading = HEADINGS[headings[(paragraph - 1) % headings.len()]];
            match style {
                1 => out.push_str(&format!("{paragraph}. **{heading}**: ")),
                2 => out.push_str(&format!("**{heading}:** ")),
                _ => {}
            }
            in_paragraph = 0;
            paragraph_len = rng.random_range(2..=3u32);
        } else if in_paragraph > 0 {
            out.push(' ');
        }
        fill(SENTENCES[order[written % order.len()]], w, &mut out);
        written += 1;
        in_paragraph += 1;
    }
    out.push_str(&closing);
    out
}

/// A random permutation of `0..n` (Fisher-Yates on portable `u32` draws).
fn shuffled(rng: &mut ChaCha8Rng, n: usize) -> Vec<usize> {
    let mut items: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.random_range(0..=i as u32) as usize;
        items.swap(i, j);
    }
    items
}
