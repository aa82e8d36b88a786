//! Hand-written articles the core's fixtures and the server's scenarios
//! both add to the repository's fixtures, kept once here (the core's tests
//! cannot use the test-support crate without a second copy of the core).

/// A new article linking by a folded multi-line title, by a flow mapping with
/// a quoted title, and by a broken block.
pub const LINKING: &str = "---\nid: 99100\ntitle: Where links start\nsubject: Health Studies\n\
     url: /learn/health-studies/questions/where-links-start\n\
     related_article1:\n    id: 87377\n    title: >-\n        How has Lumenus evolved\n        over the years?\n    \
     subject: Health Studies\n    url: /learn/health-studies/questions/how-has-lumenus-evolved-over-the-years\n\
     related_article2: {id: 87366, title: \"What is the history of the Lumenus organization?\", subject: Sociology, \
     url: /learn/sociology/questions/what-is-the-history-of-the-lumenus-organization}\n\
     related_article3:\n    id: 87399\n    title: How has Lumenus evolved over the decades?\n    subject: Health Studies\n    \
     url: /learn/health-studies/questions/how-has-lumenus-evolved-over-the-decades\n---\nBody\n";

/// A new article whose links went stale in several ways, with a `file_name`
/// that does not follow its url.
pub const MANY_STALE: &str = "---\nid: 99400\ntitle: Many stale fields\nsubject: Health Studies\nfile_name: many.md\n\
     url: /learn/health-studies/questions/many-stale\n\
     related_article1:\n    id: 87377\n    title: >-\n        How has Lumenus changed?\n    subject: Sociology\n    \
     url: /learn/health-studies/questions/how-has-lumenus-evolved-over-the-years\n\
     related_article2: {id: 87366, title: 'What is the history of Lumenus?', subject: Sociology, \
     url: /learn/sociology/questions/what-is-the-history-of-the-lumenus-organization}\n\
     related_article3:\n    id: 87389\n    title: \"How does Lumenus engage with the local community?\"\n    \
     subject: Health Studies\n    url: /learn/health-studies/questions/how-does-lumenus-engage\n\
     related_article4:\n    id: 87399\n    title: Gone\n    url: /learn/health-studies/questions/gone\n---\nBody\n";
