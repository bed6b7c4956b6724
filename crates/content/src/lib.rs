//! Learning content: paths, modules, lessons and quizzes.
//!
//! Content is read from a [`Source`] (the folder embedded at build time, or a
//! directory on disk), validated as a whole so that every problem is reported
//! with its file and line, and rendered to HTML once. The resulting
//! [`Catalog`] is immutable and meant to be shared by every request.
//! [`check_style`] adds the measurable parts of the style guide, for authors.

mod load;
mod model;
mod render;
mod source;
mod style;

pub use load::{load, Problem, Problems};
pub use model::{Catalog, Lesson, LessonBody, Module, Path, Question, Quiz, Status, TocEntry};
pub use render::Renderer;
pub use source::Source;
pub use style::{check_style, MULTI_MARK};
