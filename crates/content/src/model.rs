//! The validated, rendered content model. Nothing here touches the web.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Published,
    Draft,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocEntry {
    /// 2 for `##`, 3 for `###`.
    pub level: u8,
    pub id: String,
    pub title: String,
    /// Line of the heading in the lesson file.
    pub line: usize,
}

/// A lesson's rendered body.
#[derive(Debug, Clone)]
pub struct LessonBody {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// Words of prose: headings, code, diagrams and the quiz are not counted.
    pub words: usize,
    /// Number of `svgbob` diagrams.
    pub diagrams: usize,
    /// Link destinations that point inside the site (`/...`), with their line
    /// in the lesson file.
    pub site_links: Vec<(usize, String)>,
}

#[derive(Debug, Clone)]
pub struct Question {
    /// Stable within its lesson: a learner's answers are stored against it.
    pub id: String,
    pub prompt_html: String,
    pub choices_html: Vec<String>,
    pub correct: Vec<usize>,
    pub explanation_html: String,
    /// Line of the question's `[[questions]]` header in the lesson file.
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Quiz {
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone)]
pub struct Lesson {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub minutes: u32,
    /// Index into the path's `modules`.
    pub module: usize,
    /// Position in the path, from 1.
    pub order: u32,
    pub free_preview: bool,
    pub status: Status,
    pub lab: Option<String>,
    /// `None` while the lesson is in preparation (draft or empty body).
    pub body: Option<LessonBody>,
    pub quiz: Option<Quiz>,
    /// File the lesson came from, relative to the content root.
    pub file: String,
}

impl Lesson {
    pub fn is_ready(&self) -> bool {
        self.body.is_some()
    }
}

#[derive(Debug, Clone)]
pub struct Module {
    pub slug: String,
    pub title: String,
    pub summary: String,
}

#[derive(Debug, Clone)]
pub struct Path {
    pub slug: String,
    pub title: String,
    pub tagline: String,
    pub highlights: Vec<String>,
    pub order: i64,
    pub modules: Vec<Module>,
    /// In path order (`order` 1, 2, ...).
    pub lessons: Vec<Lesson>,
    by_slug: BTreeMap<String, usize>,
}

impl Path {
    pub(crate) fn new(
        slug: String,
        title: String,
        tagline: String,
        highlights: Vec<String>,
        order: i64,
        modules: Vec<Module>,
        mut lessons: Vec<Lesson>,
    ) -> Path {
        lessons.sort_by_key(|l| l.order);
        let by_slug = lessons
            .iter()
            .enumerate()
            .map(|(i, l)| (l.slug.clone(), i))
            .collect();
        Path {
            slug,
            title,
            tagline,
            highlights,
            order,
            modules,
            lessons,
            by_slug,
        }
    }

    pub fn lesson(&self, slug: &str) -> Option<&Lesson> {
        self.by_slug.get(slug).map(|&i| &self.lessons[i])
    }

    /// The lessons before and after `lesson` in path order.
    pub fn neighbours(&self, lesson: &Lesson) -> (Option<&Lesson>, Option<&Lesson>) {
        let i = self.by_slug[&lesson.slug];
        (
            i.checked_sub(1).map(|j| &self.lessons[j]),
            self.lessons.get(i + 1),
        )
    }

    pub fn module_lessons(&self, module: usize) -> impl Iterator<Item = &Lesson> {
        self.lessons.iter().filter(move |l| l.module == module)
    }

    pub fn total_minutes(&self) -> u32 {
        self.lessons.iter().map(|l| l.minutes).sum()
    }

    /// Total time rounded to whole hours, as the catalog shows it ("~46h").
    pub fn total_hours(&self) -> u32 {
        (self.total_minutes() + 30) / 60
    }
}

/// All paths, validated and rendered.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Sorted by their manifest's `order`, then slug.
    pub paths: Vec<Path>,
}

impl Catalog {
    pub fn path(&self, slug: &str) -> Option<&Path> {
        self.paths.iter().find(|p| p.slug == slug)
    }

    pub fn lesson_count(&self) -> usize {
        self.paths.iter().map(|p| p.lessons.len()).sum()
    }
}
