//! Finding the YAML front matter between the opening and closing `---` lines.

use text_size::{TextRange, TextSize};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrontMatter {
    /// The opening `---` (without its line break).
    pub open: TextRange,
    /// The YAML text between the two fences.
    pub yaml: TextRange,
    /// The closing `---` or `...` line, when there is one.
    pub close: Option<TextRange>,
}

const BOM: &str = "\u{feff}";

/// The front matter of `text`, if the file opens with a `---` line (after an
/// optional byte order mark). Without one the file is plain Markdown.
pub fn find_front_matter(text: &str) -> Option<FrontMatter> {
    let start = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let mut lines = Lines { text, pos: start };
    let (first, _) = lines.next()?;
    if !is_fence(&text[first.clone()], "---") {
        return None;
    }
    let open = range(first.start, first.start + 3);
    let yaml_start = lines.pos;
    for (line, _) in lines.by_ref() {
        let content = &text[line.clone()];
        if is_fence(content, "---") || is_fence(content, "...") {
            return Some(FrontMatter {
                open,
                yaml: range(yaml_start, line.start),
                close: Some(range(line.start, line.start + 3)),
            });
        }
    }
    Some(FrontMatter { open, yaml: range(yaml_start, text.len()), close: None })
}

fn is_fence(line: &str, fence: &str) -> bool {
    line.strip_prefix(fence).is_some_and(|rest| rest.trim_end_matches([' ', '\t']).is_empty())
}

fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(offset(start), offset(end))
}

/// Byte offsets in the model are `u32`; files beyond 4 GiB are refused before parsing.
pub(crate) fn offset(byte: usize) -> TextSize {
    TextSize::try_from(byte).unwrap_or(TextSize::new(u32::MAX))
}

/// Lines as LSP counts them: broken by `\n`, `\r\n` or a lone `\r`.
/// Yields each line's content range and the offset after its break.
struct Lines<'a> {
    text: &'a str,
    pos: usize,
}

impl Iterator for Lines<'_> {
    type Item = (std::ops::Range<usize>, usize);

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.text.len() {
            return None;
        }
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let end = memchr::memchr2(b'\n', b'\r', &bytes[start..]).map_or(bytes.len(), |at| start + at);
        let next = match bytes.get(end) {
            Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => end + 2,
            Some(_) => end + 1,
            None => end,
        };
        self.pos = next;
        Some((start..end, next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slices(text: &str) -> Option<(String, String, Option<String>)> {
        let fm = find_front_matter(text)?;
        Some((
            text[fm.open].to_owned(),
            text[fm.yaml].to_owned(),
            fm.close.map(|close| text[close].to_owned()),
        ))
    }

    #[test]
    fn closed_front_matter() {
        let (open, yaml, close) = slices("---\nid: 1\n---\nbody\n---\n").unwrap();
        assert_eq!((open.as_str(), yaml.as_str()), ("---", "id: 1\n"));
        assert_eq!(close.as_deref(), Some("---"));
    }

    #[test]
    fn bom_crlf_and_dots_close() {
        let (_, yaml, close) = slices("\u{feff}---\r\nid: 1\r\n...  \r\nbody").unwrap();
        assert_eq!(yaml, "id: 1\r\n");
        assert_eq!(close.as_deref(), Some("..."));
    }

    #[test]
    fn lone_cr_breaks_lines() {
        let (_, yaml, close) = slices("---\rid: 1\r---\r").unwrap();
        assert_eq!((yaml.as_str(), close.as_deref()), ("id: 1\r", Some("---")));
    }

    #[test]
    fn unterminated_runs_to_the_end() {
        let (_, yaml, close) = slices("---\nid: 1\ntitle: x\n").unwrap();
        assert_eq!((yaml.as_str(), close), ("id: 1\ntitle: x\n", None));
    }

    #[test]
    fn no_front_matter() {
        assert_eq!(find_front_matter("# Title\n---\n"), None);
        assert_eq!(find_front_matter("----\nid: 1\n---\n"), None);
        assert_eq!(find_front_matter(""), None);
        assert_eq!(find_front_matter(" ---\n"), None);
    }

    #[test]
    fn empty_front_matter() {
        let (_, yaml, close) = slices("---\n---\n").unwrap();
        assert_eq!((yaml.as_str(), close.as_deref()), ("", Some("---")));
    }
}
