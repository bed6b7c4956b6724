//! Markdown to HTML, done once at load time: CommonMark with tables and
//! footnotes, heading anchors and a table of contents, server-side syntax
//! highlighting (class-based, themed by CSS), svgbob diagrams and callouts.

use crate::model::{LessonBody, TocEntry};
use pulldown_cmark::{
    html, BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};
use std::collections::BTreeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// Holds what rendering needs that is costly to build (the syntax set).
pub struct Renderer {
    syntaxes: SyntaxSet,
    diagram: svgbob::Settings,
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `Log replication (Raft)` -> `log-replication-raft`.
pub fn anchor(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "section".to_string()
    } else {
        trimmed.to_string()
    }
}

/// The value of `key="..."` in a fenced block's info string.
fn info_attr<'a>(info: &'a str, key: &str) -> Option<&'a str> {
    let start = info.find(&format!("{key}=\""))? + key.len() + 2;
    let len = info[start..].find('"')?;
    Some(&info[start..start + len])
}

fn line_of(text: &str, offset: usize) -> usize {
    1 + text[..offset.min(text.len())].matches('\n').count()
}

impl Renderer {
    /// One renderer for the process: loading the syntax definitions takes
    /// tens of milliseconds, which every `load` would otherwise pay again.
    pub fn shared() -> &'static Renderer {
        static SHARED: std::sync::OnceLock<Renderer> = std::sync::OnceLock::new();
        SHARED.get_or_init(Renderer::new)
    }

    pub fn new() -> Renderer {
        Renderer {
            syntaxes: SyntaxSet::load_defaults_newlines(),
            diagram: svgbob::Settings {
                stroke_color: "currentColor".into(),
                fill_color: "currentColor".into(),
                background: "transparent".into(),
                font_family: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace".into(),
                include_backdrop: false,
                ..svgbob::Settings::default()
            },
        }
    }

    /// Highlights `code` as `lang`; plain escaped text when the language is unknown.
    pub fn highlight(&self, code: &str, lang: &str) -> String {
        let Some(syntax) = (!lang.is_empty())
            .then(|| self.syntaxes.find_syntax_by_token(lang))
            .flatten()
        else {
            return escape(code);
        };
        let mut gen = ClassedHTMLGenerator::new_with_class_style(
            syntax,
            &self.syntaxes,
            ClassStyle::SpacedPrefixed { prefix: "hl-" },
        );
        for line in LinesWithEndings::from(code) {
            if gen
                .parse_html_for_line_which_includes_newline(line)
                .is_err()
            {
                return escape(code);
            }
        }
        gen.finalize()
    }

    fn code_block(&self, info: &str, code: &str) -> String {
        let lang = info.split_whitespace().next().unwrap_or("");
        if lang == "svgbob" {
            let svg = svgbob::to_svg_with_settings(code, &self.diagram);
            let caption = info_attr(info, "caption")
                .map(|c| format!("<figcaption>{}</figcaption>", escape(c)))
                .unwrap_or_default();
            let label = info_attr(info, "caption").unwrap_or("Diagram");
            return format!(
                "<figure class=\"diagram\" role=\"img\" aria-label=\"{}\">{svg}{caption}</figure>\n",
                escape(label)
            );
        }
        let label = if lang.is_empty() {
            String::new()
        } else {
            format!(" data-lang=\"{}\"", escape(lang))
        };
        format!(
            "<pre class=\"code\"{label}><code>{}</code></pre>\n",
            self.highlight(code, lang)
        )
    }

    /// Renders a lesson body. Returns the body and problems as (line, message),
    /// lines counted from the body's first line.
    pub fn render_body(&self, text: &str) -> (LessonBody, Vec<(usize, String)>) {
        let mut problems = Vec::new();
        let mut toc = Vec::new();
        let mut ids = BTreeSet::new();
        let mut events: Vec<Event> = Vec::new();
        let mut prose = String::new();
        let mut diagrams = 0usize;
        let mut site_links = Vec::new();
        let mut in_code: Option<(String, String)> = None;
        // Level, inner events, plain text and line of the heading being read.
        let mut heading: Option<(HeadingLevel, Vec<Event>, String, usize)> = None;

        for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
            if let Some((info, code)) = &mut in_code {
                match event {
                    Event::Text(t) => code.push_str(&t),
                    Event::End(TagEnd::CodeBlock) => {
                        let html = self.code_block(info, code);
                        events.push(Event::Html(html.into()));
                        in_code = None;
                    }
                    _ => {}
                }
                continue;
            }
            if let Some((level, inner, plain, line)) = &mut heading {
                match event {
                    Event::End(TagEnd::Heading(_)) => {
                        let level = *level as u8;
                        let base = anchor(plain);
                        let mut id = base.clone();
                        let mut n = 2;
                        while !ids.insert(id.clone()) {
                            id = format!("{base}-{n}");
                            n += 1;
                        }
                        if level <= 3 {
                            toc.push(TocEntry {
                                level,
                                id: id.clone(),
                                title: plain.trim().to_string(),
                                line: *line,
                            });
                        }
                        let mut inner_html = String::new();
                        html::push_html(&mut inner_html, inner.drain(..));
                        events.push(Event::Html(
                            format!(
                                "<h{level} id=\"{id}\">{inner_html}<a class=\"anchor\" href=\"#{id}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{level}>\n"
                            )
                            .into(),
                        ));
                        heading = None;
                    }
                    Event::Text(ref t) | Event::Code(ref t) => {
                        plain.push_str(t);
                        inner.push(event);
                    }
                    e => inner.push(e),
                }
                continue;
            }
            match event {
                Event::Start(Tag::Heading { level, .. }) => {
                    if level == HeadingLevel::H1 {
                        problems.push((
                            line_of(text, range.start),
                            "do not use `#` headings in a lesson body; the page title is the lesson title (start sections with `##`)".to_string(),
                        ));
                    }
                    heading = Some((level, Vec::new(), String::new(), line_of(text, range.start)));
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let info = match kind {
                        CodeBlockKind::Fenced(info) => info.to_string(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    if info.split_whitespace().next() == Some("svgbob") {
                        diagrams += 1;
                    }
                    in_code = Some((info, String::new()));
                }
                Event::Start(Tag::BlockQuote(Some(kind))) => {
                    let (class, title) = callout(kind);
                    events.push(Event::Html(
                        format!("<aside class=\"callout callout-{class}\" role=\"note\"><p class=\"callout-title\">{title}</p>\n").into(),
                    ));
                }
                Event::End(TagEnd::BlockQuote(Some(_))) => {
                    events.push(Event::Html(CowStr::from("</aside>\n")))
                }
                Event::Text(t) => {
                    prose.push_str(&t);
                    events.push(Event::Text(t));
                }
                Event::Code(_) | Event::SoftBreak | Event::HardBreak | Event::End(_) => {
                    // Word boundaries: the parser splits one word into several
                    // text events (at `'` or `_`), so words are counted at the end.
                    prose.push(' ');
                    events.push(event);
                }
                Event::Start(Tag::Link { ref dest_url, .. }) if dest_url.starts_with('/') => {
                    site_links.push((line_of(text, range.start), dest_url.to_string()));
                    events.push(event);
                }
                e => events.push(e),
            }
        }
        let mut html_out = String::with_capacity(text.len() * 2);
        html::push_html(&mut html_out, events.into_iter());
        (
            LessonBody {
                html: html_out,
                toc,
                words: prose.split_whitespace().count(),
                diagrams,
                site_links,
            },
            problems,
        )
    }

    /// Renders a short inline fragment (quiz prompts, choices, explanations):
    /// Markdown without the wrapping paragraph.
    pub fn render_inline(&self, text: &str) -> String {
        let mut out = String::new();
        html::push_html(&mut out, Parser::new_ext(text, options()));
        let t = out.trim();
        match t.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>")) {
            Some(inner) if !inner.contains("<p>") => inner.to_string(),
            _ => t.to_string(),
        }
    }
}

fn callout(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_unique_anchors_and_toc() {
        let r = Renderer::new();
        let (body, problems) =
            r.render_body("## Why it matters\n\ntext\n\n### Details\n\n## Why it matters\n");
        assert!(problems.is_empty());
        let ids: Vec<_> = body.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["why-it-matters", "details", "why-it-matters-2"]);
        assert!(body.html.contains("<h2 id=\"why-it-matters\">"));
        assert!(body.html.contains("href=\"#why-it-matters-2\""));
    }

    #[test]
    fn h1_is_a_problem_with_its_line() {
        let r = Renderer::new();
        let (_, problems) = r.render_body("intro\n\n# Big title\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, 3);
    }

    #[test]
    fn code_is_highlighted_with_classes() {
        let r = Renderer::new();
        let (body, _) = r.render_body("```rust\nfn main() { let x = 1; }\n```\n");
        assert!(body
            .html
            .contains("<pre class=\"code\" data-lang=\"rust\">"));
        assert!(body.html.contains("class=\"hl-"), "{}", body.html);
    }

    #[test]
    fn unknown_language_is_escaped_plain_text() {
        let r = Renderer::new();
        let (body, _) = r.render_body("```nosuchlang\n<b>&</b>\n```\n");
        assert!(body.html.contains("&lt;b&gt;&amp;&lt;/b&gt;"));
    }

    #[test]
    fn svgbob_becomes_svg_figure_with_caption() {
        let r = Renderer::new();
        let (body, _) = r.render_body("```svgbob caption=\"Two boxes\"\n+---+    +---+\n| A |--->| B |\n+---+    +---+\n```\n");
        assert!(body.html.contains("<figure class=\"diagram\""));
        assert!(body.html.contains("<svg"));
        assert!(body.html.contains("<figcaption>Two boxes</figcaption>"));
    }

    #[test]
    fn callouts_tables_and_footnotes() {
        let r = Renderer::new();
        let md = "> [!WARNING]\n> Careful.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nClaim.[^1]\n\n[^1]: Source.\n";
        let (body, _) = r.render_body(md);
        assert!(body.html.contains("callout-warning"));
        assert!(body.html.contains("<table>"));
        assert!(body.html.contains("footnote-definition"));
    }

    #[test]
    fn inline_drops_paragraph() {
        let r = Renderer::new();
        assert_eq!(r.render_inline("Use `x`"), "Use <code>x</code>");
    }

    #[test]
    fn anchor_slugs() {
        assert_eq!(anchor("Log replication (Raft)"), "log-replication-raft");
        assert_eq!(anchor("  "), "section");
    }
}
