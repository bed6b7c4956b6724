//! What every page's frame needs: titles, asset URLs, the banner, the viewer.

use crate::assets;

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
}

impl Layout {
    pub fn new(title: impl Into<String>, description: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            description: description.into(),
            css: assets::url("app.css"),
            js: assets::url("app.js"),
            theme_js: assets::url("theme.js"),
            favicon: assets::url("favicon.svg"),
            // Pages that know the offer window set this (billing::layout).
            offer: false,
            forms_css: assets::url("forms.css"),
            viewer: None,
        }
    }

    /// A page for a signed-in user (never cache it publicly).
    pub fn signed_in(
        title: impl Into<String>,
        description: impl Into<String>,
        user: &crate::session::CurrentUser,
    ) -> Layout {
        Layout::new(title, description).with_viewer(Some(user))
    }

    /// Sets the viewer from an optional user (e.g. `MaybeUser.0.as_ref()`).
    pub fn with_viewer(mut self, user: Option<&crate::session::CurrentUser>) -> Layout {
        self.viewer = user.map(|u| Viewer {
            email: u.email.clone(),
            is_admin: u.is_admin,
        });
        self
    }
}
