//! Where a related block points: the one answer that diagnostics, hover,
//! definition and quick fixes share.

use crate::article::LinkFieldName;
use crate::index::{ArticleIndex, FileId};
use crate::summary::{ArticleSummary, LinkView};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkTarget {
    /// Id and url name the same article (or only one of them is given).
    Resolved(FileId),
    /// The id names an article; the url names none (it is stale).
    ById(FileId),
    /// The url names an article; the id names none (it is stale).
    ByUrl(FileId),
    /// The id and the url name two different articles.
    Mismatch { by_id: FileId, by_url: FileId },
    /// Neither names an article.
    Broken,
    /// The block has no usable id or url to follow.
    Unresolvable,
}

impl LinkTarget {
    /// The article the writer most likely means: the id wins a mismatch,
    /// because ids are what the site's generator follows.
    pub fn target(self) -> Option<FileId> {
        match self {
            LinkTarget::Resolved(file) | LinkTarget::ById(file) | LinkTarget::ByUrl(file) => Some(file),
            LinkTarget::Mismatch { by_id, .. } => Some(by_id),
            LinkTarget::Broken | LinkTarget::Unresolvable => None,
        }
    }
}

pub fn resolve_link(index: &ArticleIndex, link: &(impl LinkView + ?Sized)) -> LinkTarget {
    let id = link.target_id();
    let url = link.target_url();
    let by_url = url.and_then(|url| first_by_path(index, index.with_url(url)));
    // With duplicate ids, prefer the claimant the url agrees with.
    let by_id = id.and_then(|id| {
        let claimants = index.with_id(id);
        by_url.filter(|file| claimants.contains(file)).or_else(|| first_by_path(index, claimants))
    });
    match (id, url, by_id, by_url) {
        (None, None, ..) => LinkTarget::Unresolvable,
        (_, _, Some(a), Some(b)) if a == b => LinkTarget::Resolved(a),
        (_, _, Some(by_id), Some(by_url)) => LinkTarget::Mismatch { by_id, by_url },
        (_, None, Some(file), None) | (None, _, None, Some(file)) => LinkTarget::Resolved(file),
        (_, Some(_), Some(file), None) => LinkTarget::ById(file),
        (Some(_), _, None, Some(file)) => LinkTarget::ByUrl(file),
        (_, _, None, None) => LinkTarget::Broken,
    }
}

/// Of the articles claiming one id or url (a duplicate), the one whose path
/// sorts first: file ids follow the order files were first read in, which
/// differs between `check` and the server and across a session's history,
/// and the same files must always give the same answers.
pub(crate) fn first_by_path(index: &ArticleIndex, claimants: &[FileId]) -> Option<FileId> {
    claimants.iter().copied().min_by(|a, b| index.path(*a).cmp(index.path(*b)))
}

/// The fields of a link that no longer say what its target says, with the
/// target's current value. The id (or url) is stale only when the link was
/// found through the other one.
pub(crate) fn stale_fields(
    link: &(impl LinkView + ?Sized),
    resolution: LinkTarget,
    target: &ArticleSummary,
) -> Vec<(LinkFieldName, String)> {
    let mut stale = Vec::new();
    let id_or_url = match resolution {
        LinkTarget::ByUrl(_) => Some(LinkFieldName::Id),
        LinkTarget::ById(_) => Some(LinkFieldName::Url),
        _ => None,
    };
    for name in id_or_url.into_iter().chain([LinkFieldName::Title, LinkFieldName::Subject]) {
        // Equal texts have one number: most links are compared without
        // reading either text.
        if let (Some(written), Some(current)) = (link.field_number(name), target.link_number(name)) {
            if written != current {
                stale.push((name, current.to_string()));
            }
            continue;
        }
        if let (Some(text), Some(current)) = (link.field_text(name), target.link_value(name))
            && text != current
        {
            stale.push((name, current.into_owned()));
        }
    }
    stale
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::parse_article;
    use crate::index::FilePath;
    use crate::line_index::LineIndex;

    fn index_of(files: &[(&str, &str)]) -> ArticleIndex {
        let mut index = ArticleIndex::new();
        for (path, text) in files {
            let article = parse_article(text).expect("an article");
            index.upsert(FilePath::new(*path), ArticleSummary::of(&article), LineIndex::new(text));
        }
        index
    }

    #[test]
    fn a_duplicate_resolves_to_the_same_claimant_whatever_the_reading_order() {
        let a = ("/a.md", "---\nid: 7\ntitle: A\nurl: /x\n---\n");
        let b = ("/b.md", "---\nid: 7\ntitle: B\nurl: /x\n---\n");
        let linking = ("/c.md", "---\nid: 1\nrelated_article1:\n  id: 7\n  url: /x\n---\n");
        let by_id_only = ("/d.md", "---\nid: 2\nrelated_article1:\n  id: 7\n---\n");
        for files in [[a, b, linking, by_id_only], [by_id_only, linking, b, a]] {
            let index = index_of(&files);
            for from in ["/c.md", "/d.md"] {
                let entry = index.get_by_path(&FilePath::new(from)).expect("indexed");
                let target = resolve_link(&index, &entry.summary.links[0]).target().expect("resolved");
                assert_eq!(index.path(target).as_str(), "/a.md", "from {from}, reading {files:?}");
            }
        }
    }
}
