//! The devpath web server: one `router()` per feature, merged in [`app`].

mod assets;
mod cached;
mod error;
mod health;
mod layout;
mod pages;

use axum::http::{header, HeaderValue, StatusCode};
use axum::Router;
use devpath_content::Catalog;
use devpath_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use error::AppError;
pub use pages::PageCache;

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Largest request body accepted, in bytes; larger ones get 413.
    pub body_limit: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            body_limit: 64 * 1024,
        }
    }
}

/// Shared by every request; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<Catalog>,
    pub store: Arc<dyn Store>,
    pub pages: Arc<PageCache>,
    pub config: Arc<WebConfig>,
}

impl AppState {
    /// Renders every anonymous page once, up front.
    pub fn new(
        catalog: Catalog,
        store: Arc<dyn Store>,
        config: WebConfig,
    ) -> Result<AppState, AppError> {
        let catalog = Arc::new(catalog);
        let pages = Arc::new(PageCache::build(&catalog)?);
        Ok(AppState {
            catalog,
            store,
            pages,
            config: Arc::new(config),
        })
    }
}

/// The whole application with its middleware.
pub fn app(state: AppState) -> Router {
    let body_limit = state.config.body_limit;
    Router::new()
        .merge(pages::router())
        .merge(assets::router())
        .merge(health::router())
        .fallback(pages::not_found)
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            // Inline styles only for the <style> svgbob puts in its diagrams.
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
            ),
        ))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
