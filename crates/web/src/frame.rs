//! The page frame every HTML page is drawn in: title, asset URLs, the offer
//! banner and the header's signed-in learner; and the one short message
//! page (a heading, a sentence and a way on) that handlers and errors use.

use crate::assets;
use crate::session::CurrentUser;
use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

pub struct Layout {
    pub title: String,
    pub description: String,
    pub css: &'static str,
    pub js: &'static str,
    pub theme_js: &'static str,
    pub favicon: &'static str,
    /// Show the limited-time offer banner.
    pub offer: bool,
    /// Stylesheet for forms (sign-in, account...).
    pub forms_css: &'static str,
    /// Who is signed in; `None` on anonymous (cached) pages.
    pub viewer: Option<Viewer>,
}

/// The signed-in user, as the page header shows them.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub email: String,
    pub is_admin: bool,
    /// Whether they have confirmed their address; until then the frame
    /// shows a banner with a button for a new link.
    pub email_verified: bool,
}

/// What a frame shows besides its title: the banner and the header. Pages
/// built for a request take it from the learner context
/// (`Learner::layout`); pages rendered once (the anonymous catalog, error
/// pages) build it here.
#[derive(Debug, Clone, Default)]
pub struct Header {
    pub offer: bool,
    pub viewer: Option<Viewer>,
}

impl Header {
    /// The header of `user` (a visitor when `None`), with or without the
    /// offer banner.
    pub fn of(user: Option<&CurrentUser>, offer: bool) -> Header {
        Header {
            offer,
            viewer: user.map(|u| Viewer {
                email: u.email.clone(),
                is_admin: u.is_admin,
                email_verified: u.email_verified,
            }),
        }
    }
}

impl Layout {
    pub fn new(title: impl Into<String>, description: impl Into<String>, header: Header) -> Layout {
        Layout {
            title: title.into(),
            description: description.into(),
            css: assets::url("app.css"),
            js: assets::url("app.js"),
            theme_js: assets::url("theme.js"),
            favicon: assets::url("favicon.svg"),
            offer: header.offer,
            forms_css: assets::url("forms.css"),
            viewer: header.viewer,
        }
    }
}

/// [`message`] for a request's own viewer (signed in or not), without the
/// offer banner: the answer to a form on the account and sign-in pages.
pub fn viewer_message(
    status: StatusCode,
    viewer: Option<&CurrentUser>,
    heading: &str,
    text: &str,
    link: (&str, &str),
) -> Response {
    message(Header::of(viewer, false), status, heading, text, link)
}

/// What a visitor sees when a page cannot be drawn (the cause is logged).
pub const BROKEN_PAGE: &str = "<!doctype html><title>Error</title><h1>Something went wrong</h1><p>The error has been logged. Please try again.</p>";

/// Renders a page that answers one request (a form, an account page):
/// private and never stored by caches.
pub fn private_page(status: StatusCode, t: impl Template) -> Response {
    match t.render() {
        Ok(body) => (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, Html(BROKEN_PAGE)).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessageTemplate<'a> {
    layout: Layout,
    heading: &'a str,
    message: &'a str,
    link: &'a str,
    link_text: &'a str,
}

/// A short page: `heading`, one `text`, and a button to `link`. Never
/// stored by caches (it answers one request).
pub fn message(
    header: Header,
    status: StatusCode,
    heading: &str,
    text: &str,
    (link, link_text): (&str, &str),
) -> Response {
    let page = MessageTemplate {
        layout: Layout::new(format!("{heading} — devpath"), heading, header),
        heading,
        message: text,
        link,
        link_text,
    };
    match page.render() {
        Ok(html) => (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "message page failed to render");
            (status, text.to_string()).into_response()
        }
    }
}
