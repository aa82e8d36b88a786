//! The README's diagnostic table stays in step with the code.

use article_core::diagnostics::DiagnosticCode;

#[test]
fn readme_table_lists_every_code_with_its_severity() {
    let readme = include_str!("../../../../README.md");
    for code in DiagnosticCode::ALL {
        let row = format!("| `{}` | {} |", code.as_str(), code.default_severity().as_str());
        assert!(readme.contains(&row), "README.md lacks the row starting {row}");
    }
}
