//! Feature tests: a fixture with `$0` at the cursor and the expected result.

mod completion;
mod navigation;
mod refactor;

pub use crate::ide::apply_edits;

/// The cluster most feature tests link into.
pub const CLUSTER: &str = r#"//- evolved.md
---
id: 87377
title: >-
    How has Lumenus evolved over the years?
subject: Health Studies
url: /learn/health-studies/questions/how-has-lumenus-evolved-over-the-years
question: >-
    How has Lumenus evolved over the years?
answer: >-
    Lumenus formed in 2019.\n\nIt **grew** since.
---
//- autism.md
---
id: 87380
title: >-
    What specialized programs does Lumenus offer for autism support?
subject: Health Studies
url: /learn/health-studies/questions/what-specialized-programs-does-lumenus-offer-for-autism-support
---
//- history.md
---
id: 87366
title: "What is the history of the Lumenus organization?"
subject: Sociology
url: /learn/sociology/questions/what-is-the-history-of-the-lumenus-organization
---
//- crab.md
---
id: 5
title: 🦀 Lumenus 漢字 guide
subject: Health Studies
url: /learn/health-studies/questions/crab
---
"#;
