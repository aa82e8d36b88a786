//! The site's slug rules, shared by `slug-mismatch` and the fixes for it.

/// `Health Studies` → `health-studies`: lower case, spaces to hyphens.
pub fn subject_slug(subject: &str) -> String {
    subject.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join("-")
}

/// The `file_name` an article with this url should have.
pub(crate) fn file_name_for_url(url: &str) -> Option<String> {
    let last = url.trim_end_matches('/').rsplit('/').next()?;
    (!last.is_empty()).then(|| format!("{last}.md"))
}

/// The `<slug>` of `/learn/<slug>/questions/...`, when the url has that form.
pub(crate) fn url_subject_segment(url: &str) -> Option<&str> {
    let mut segments = url.strip_prefix("/learn/")?.split('/');
    let subject = segments.next()?;
    (segments.next() == Some("questions")).then_some(subject)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(subject_slug("Health Studies"), "health-studies");
        assert_eq!(subject_slug("  Computer   Science "), "computer-science");
        assert_eq!(file_name_for_url("/learn/a/questions/how-x").as_deref(), Some("how-x.md"));
        assert_eq!(file_name_for_url("/"), None);
        assert_eq!(url_subject_segment("/learn/health-studies/questions/x"), Some("health-studies"));
        assert_eq!(url_subject_segment("/blog/x"), None);
    }
}
