//! The fixture catalog the web tests run against
//! (`tests/fixtures/content/systems-engineering`), and the facts about it
//! that tests assert. The lessons are short and written for the tests, so
//! publishing, editing or re-titling a shipped lesson breaks no web test;
//! change a constant here together with the fixture file it describes.
//!
//! | order | lesson | what it is for |
//! |---|---|---|
//! | 1 | `distributed-systems-overview` | free preview: sections, a diagram, a quiz |
//! | 2 | `the-cap-theorem` | locked, with a quiz (one question with two correct choices) |
//! | 3 | `consistency-models` | locked, no quiz |
//! | 4 | `distributed-clocks-ordering` | `lab = "clocks"` |
//! | 5 | `consensus-algorithms` | locked, `lab = "raft"` |
//! | 6 | `rate-limiting-algorithms` | free preview, `lab = "rate-limiting"` |
//! | 7 | `circuit-breaker-pattern` | `lab = "circuit-breaker"` |
//! | 8 | `consistent-hashing` | free preview, `lab = "consistent-hashing"` |
//! | 9 | `probabilistic-data-structures` | `lab = "sketches"` |
//! | 10 | `message-queues` | free preview |
//! | 11 | `kafka-architecture` | in preparation (no body) |
//! | 12 | `event-sourcing` | `status = "draft"` (a body that is never served) |
//!
//! Every lab of `devpath_labs::labs()` must have a lesson here whose front
//! matter names it: [`super::catalog`] checks that when it loads the fixture.

/// The fixture's folder: `Source::dir` of it loads the fixture catalog.
pub const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/content");

/// The one path's slug, title, tagline and one of its highlights.
pub const PATH_SLUG: &str = "systems-engineering";
pub const PATH_TITLE: &str = "Systems Engineering";
pub const TAGLINE: &str = "A small path written for the web tests.";
pub const HIGHLIGHT: &str = "Free, locked, draft and unwritten lessons";

/// The path page.
pub const PATH: &str = "/paths/systems-engineering";
/// How many lessons the path has, in how many modules (each module's first
/// lesson, and only it, is a free preview), and the total time in hours as
/// the catalog shows it ("~5h total": 308 minutes).
pub const LESSONS: usize = 12;
pub const MODULES: usize = 4;
pub const HOURS: u32 = 5;
/// The lesson titles in path order.
pub const TITLES: [&str; LESSONS] = [
    "Distributed Systems Overview",
    "The CAP Theorem",
    "Consistency Models",
    "Distributed Clocks & Ordering",
    "Consensus Algorithms",
    "Rate Limiting Algorithms",
    "Circuit Breaker Pattern",
    "Consistent Hashing",
    "Probabilistic Data Structures",
    "Message Queues",
    "Kafka Architecture",
    "Event Sourcing",
];

/// The first module (lessons 1 to 5) and the word that names the second
/// ("Networking & Resilience", lessons 6 and 7).
pub const FIRST_MODULE: &str = "Distributed Systems Foundations";
pub const SECOND_MODULE_WORD: &str = "Networking";

/// Lesson 1, the free preview of the first module (30 min, a diagram, a
/// table of contents of six headings, a quiz of two questions).
pub const FREE: &str = "/paths/systems-engineering/lessons/distributed-systems-overview";
pub const FREE_SLUG: &str = "distributed-systems-overview";
pub const FREE_TITLE: &str = "Distributed Systems Overview";
pub const FREE_QUIZ: &str = "/quiz/systems-engineering/distributed-systems-overview";
pub const FREE_NOTES: &str = "/notes/systems-engineering/distributed-systems-overview";

/// Lesson 2, locked (28 min), with a quiz of three questions.
pub const CAP: &str = "/paths/systems-engineering/lessons/the-cap-theorem";
pub const CAP_SLUG: &str = "the-cap-theorem";
pub const CAP_TITLE: &str = "The CAP Theorem";
pub const CAP_QUIZ: &str = "/quiz/systems-engineering/the-cap-theorem";
pub const CAP_NOTES: &str = "/notes/systems-engineering/the-cap-theorem";
pub const CAP_COMPLETE: &str = "/progress/systems-engineering/the-cap-theorem/complete";
pub const CAP_UNCOMPLETE: &str = "/progress/systems-engineering/the-cap-theorem/uncomplete";
/// Words of the CAP lesson's summary (shown on its paywall).
pub const CAP_SUMMARY: &str = "why a network partition forces a choice";
/// A sentence from the body of the CAP lesson, one of its quiz's prompts and
/// one of its quiz's explanations.
pub const BODY_SENTENCE: &str = "the link between the sites starts losing every packet";
pub const QUIZ_PROMPT: &str = "A five-member etcd cluster is split into a group of three";
pub const QUIZ_SENTENCE: &str = "Raft commits an entry only once a majority of the cluster";

/// Lesson 3, the one after the CAP lesson.
pub const AFTER_CAP_SLUG: &str = "consistency-models";
pub const AFTER_CAP_TITLE: &str = "Consistency Models";

/// Lesson 11, in preparation (no body, no quiz), between two other lessons.
pub const IN_PREPARATION: &str = "/paths/systems-engineering/lessons/kafka-architecture";
pub const IN_PREPARATION_SLUG: &str = "kafka-architecture";
pub const IN_PREPARATION_TITLE: &str = "Kafka Architecture";
pub const IN_PREPARATION_MODULE: &str = "Messaging & Streaming";

/// Lesson 12, a draft: its body is written in the file but never served.
pub const DRAFT: &str = "/paths/systems-engineering/lessons/event-sourcing";
pub const DRAFT_TITLE: &str = "Event Sourcing";
pub const DRAFT_SENTENCE: &str = "This draft paragraph must never reach a reader";
