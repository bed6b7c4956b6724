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
            offer: true,
        }
    }
}
