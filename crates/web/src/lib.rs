//! The devpath web server: one `router()` per feature, merged in [`app`].

mod account;
mod admin;
mod assets;
mod auth;
pub mod billing;
mod cached;
pub mod config;
pub mod credentials;
pub mod csrf;
pub mod entitlements;
mod error;
mod frame;
mod health;
mod labs;
mod learner;
pub mod limits;
mod links;
pub mod mail;
mod money;
mod notes;
mod pages;
mod progress;
mod quiz;
mod reset;
pub mod server;
pub mod session;
pub mod time;
mod trial_memory;
mod verify;
mod viewcache;

use axum::http::{header, HeaderValue, StatusCode};
use axum::Router;
use devpath_content::Catalog;
use devpath_store::Store;
use secrecy::ExposeSecret;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use config::{BillingConfig, StripeConfig, WebConfig};
pub use error::AppError;
pub use labs::run_router as labs_api;
pub use pages::PageCache;
pub use time::Clock;
pub use viewcache::follow_other_servers;

/// Shared by every request; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<Catalog>,
    pub store: Arc<dyn Store>,
    pub pages: Arc<PageCache>,
    pub config: Arc<WebConfig>,
    pub mailer: Arc<mail::Mailer>,
    pub cache: Arc<viewcache::ViewCache>,
    /// "Now" for every handler; tests may fix it (see [`AppState::with_clock`]).
    pub clock: Clock,
    /// One HTTP client for the payment provider, built once.
    pub stripe: Arc<billing::StripeClient>,
    /// Bounds concurrent Argon2 work, so a burst of sign-ups cannot take the
    /// memory of the machine.
    pub hashing: Arc<credentials::HashGate>,
    /// The key of remembered trials (trial_memory.rs), read from the
    /// database on first use.
    pub trial_secret: Arc<tokio::sync::OnceCell<String>>,
}

impl AppState {
    /// Renders every anonymous page once, up front.
    pub fn new(
        catalog: Catalog,
        store: Arc<dyn Store>,
        config: WebConfig,
    ) -> Result<AppState, AppError> {
        let catalog = Arc::new(catalog);
        let pages = Arc::new(PageCache::build(&catalog, &config)?);
        let mailer = mail::Mailer::new(
            config.smtp_url.as_ref().map(ExposeSecret::expose_secret),
            &config.mail_from,
            &config.data_dir,
        )
        .map_err(AppError::Config)?;
        credentials::warm_up();
        Ok(AppState {
            cache: Arc::new(viewcache::ViewCache::new(config.session_cache)),
            hashing: Arc::new(credentials::HashGate::new(config.password_hashing)),
            trial_secret: Arc::new(tokio::sync::OnceCell::new()),
            mailer: Arc::new(mailer),
            catalog,
            store,
            pages,
            config: Arc::new(config),
            clock: Clock::system(),
            stripe: Arc::new(billing::StripeClient::new()),
        })
    }

    /// The same state reading time from `clock` (tests move it to end
    /// trials or offers without touching the database).
    pub fn with_clock(mut self, clock: Clock) -> AppState {
        self.clock = clock;
        self
    }
}

/// The whole application with its middleware.
pub fn app(state: AppState) -> Router {
    let body_limit = state.config.body_limit;
    let origins = Arc::new(csrf::Origins::new(&state.config.public_url));
    // Browsers that reached us over https once keep using https for a year.
    let hsts = state
        .config
        .public_url
        .starts_with("https://")
        .then(|| HeaderValue::from_static("max-age=31536000"));
    Router::new()
        .merge(pages::router())
        .merge(quiz::router())
        .merge(notes::router())
        .merge(billing::router())
        .merge(progress::router())
        .merge(admin::router())
        .merge(assets::router())
        .merge(health::router())
        .merge(labs::router())
        .merge(auth::router())
        .merge(reset::router())
        .merge(verify::router())
        .merge(account::router())
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            viewcache::invalidate_on_write,
        ))
        .layer(axum::middleware::from_fn_with_state(origins, csrf::protect))
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &axum::response::Response| hsts.clone(),
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

/// Serves `app` on `listener` until `shutdown` resolves, then drains
/// in-flight requests; with the default connection limits (server.rs).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::serve(listener, app, server::Limits::default(), shutdown).await
}
