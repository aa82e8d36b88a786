//! Edits that make a related block point at an article: every field set to the
//! target's current value, in the block's own style. Completion and quick
//! fixes share them.

use super::TextEdit;
use super::yaml_edit::{insert_link_field, line_break, link_indent, render_inline};
use crate::article::{LinkFieldName, RelatedLink};
use crate::summary::ArticleSummary;

/// Edits setting `fields` of `link` to the target's values: changed values
/// are replaced, missing ones appended (in one edit, so their order holds).
pub(crate) fn point_link_at(
    text: &str,
    link: &RelatedLink,
    target: &ArticleSummary,
    fields: &[LinkFieldName],
) -> Vec<TextEdit> {
    let mut edits = Vec::new();
    let mut missing = Vec::new();
    for name in fields {
        let Some(value) = target.link_value(*name) else { continue };
        match link.field(*name) {
            Some(field) if field.text() == Some(&*value) => {}
            Some(field) => edits.push(super::yaml_edit::replace_value(text, field, &value)),
            None => missing.push((*name, value)),
        }
    }
    match missing.as_slice() {
        [] => {}
        [(name, value)] => edits.push(insert_link_field(text, link, name.as_str(), value)),
        _ if link.flow => {
            let mut insertion = insert_link_field(text, link, missing[0].0.as_str(), &missing[0].1);
            for (name, value) in &missing[1..] {
                insertion.new_text += &format!(", {}: {}", name.as_str(), render_inline(value));
            }
            edits.push(insertion);
        }
        _ => {
            let mut insertion = insert_link_field(text, link, missing[0].0.as_str(), &missing[0].1);
            let indent = link_indent(text, link);
            for (name, value) in &missing[1..] {
                insertion.new_text +=
                    &format!("{}{indent}{}: {}", line_break(text), name.as_str(), render_inline(value));
            }
            edits.push(insertion);
        }
    }
    edits
}
