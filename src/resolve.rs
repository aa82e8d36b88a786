//! Where a related block points: the one answer that diagnostics, hover,
//! definition and quick fixes share.

use crate::article::{Article, LinkFieldName, RelatedLink};
use crate::index::{ArticleIndex, FileId};

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

pub fn resolve_link(index: &ArticleIndex, link: &RelatedLink) -> LinkTarget {
    let id = link.target_id();
    let url = link.target_url();
    let by_url = url.and_then(|url| index.with_url(url).first().copied());
    // With duplicate ids, prefer the claimant the url agrees with.
    let by_id = id.and_then(|id| {
        let claimants = index.with_id(id);
        by_url.filter(|file| claimants.contains(file)).or_else(|| claimants.first().copied())
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

/// The fields of a link that no longer say what its target says, with the
/// target's current value. The id (or url) is stale only when the link was
/// found through the other one.
pub fn stale_fields(
    link: &RelatedLink,
    resolution: LinkTarget,
    target: &Article,
) -> Vec<(LinkFieldName, String)> {
    let mut stale = Vec::new();
    let id_or_url = match resolution {
        LinkTarget::ByUrl(_) => Some(LinkFieldName::Id),
        LinkTarget::ById(_) => Some(LinkFieldName::Url),
        _ => None,
    };
    for name in id_or_url.into_iter().chain([LinkFieldName::Title, LinkFieldName::Subject]) {
        if let (Some(field), Some(current)) = (link.field(name), target.link_value(name))
            && field.text().is_some_and(|text| text != current)
        {
            stale.push((name, current));
        }
    }
    stale
}
