//! The URLs of the catalog's pages, built in one place so features link to
//! each other without importing each other.

use devpath_content::{Lesson, Path};

pub fn lesson_url(path: &Path, lesson: &Lesson) -> String {
    format!("/paths/{}/lessons/{}", path.slug, lesson.slug)
}
