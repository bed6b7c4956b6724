//! Accounts over HTTP against the real server and database: sign-up, sign-in,
//! sign-out, password change and reset, deletion, CSRF, sessions and rate
//! limits. The core flows also run on PostgreSQL.

mod support;

use devpath_web::time::DAY;
use support::{spawn_app, TestApp, PW};

const PW2: &str = "Tr0ub4dor&3x-new";

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

fn set_cookie(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("devpath_session="))
        .unwrap_or_default()
}

async fn body(r: reqwest::Response) -> String {
    support::decode(&r.text().await.unwrap())
}

/// Is the client signed in? (`/account` answers 200 instead of redirecting.)
async fn signed_in(app: &TestApp) -> bool {
    app.get("/account").await.status() == 200
}

fn reset_path(email_text: &str) -> String {
    let start = email_text.find("/reset/").expect("reset link in email");
    email_text[start..start + 7 + 64].to_string()
}

// --- the core flow, on both databases ---------------------------------------

async fn full_account_lifecycle(app: TestApp) {
    // Sign up: 303 to the dashboard welcome, session cookie set.
    let r = app.signup("Ada@Example.com", PW).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/dashboard?welcome=1");
    let cookie = set_cookie(&r);
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http public_url: {cookie}"
    );
    let user = app
        .store
        .user_by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.email, "ada@example.com");
    assert!(!user.is_admin);

    // The account page shows the email and the header shows the viewer.
    let r = app.get("/account").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let page = body(r).await;
    assert!(page.contains("ada@example.com"));
    assert!(page.contains("Member since"));
    assert!(page.contains("action=\"/signout\""));
    assert!(page.contains("href=\"/dashboard\""));
    assert!(page.contains("Danger zone"));

    // Sign out: cookie cleared, session gone server-side.
    let before = app.session_cookie().unwrap();
    let r = app.signout().await;
    assert_eq!(r.status(), 303);
    assert!(set_cookie(&r).contains("Max-Age=0"));
    assert!(!signed_in(&app).await);
    // The old token no longer works even if replayed.
    app.set_session_cookie(&before);
    assert!(!signed_in(&app).await);

    // Sign in, with the email in another case.
    let r = app.signin("ADA@example.COM", PW).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/dashboard");
    assert!(signed_in(&app).await);

    // Wrong password and unknown email: the same message.
    let other = second_client(&app);
    let wrong = other.signin("ada@example.com", "Wrong password 1").await;
    assert_eq!(wrong.status(), 401);
    let wrong = body(wrong).await;
    let unknown = other.signin("nobody@example.com", "Wrong password 1").await;
    assert_eq!(unknown.status(), 401);
    let unknown = body(unknown).await;
    assert!(wrong.contains("Email or password is incorrect."));
    assert!(unknown.contains("Email or password is incorrect."));
    assert!(
        wrong.contains("value=\"ada@example.com\""),
        "email preserved"
    );
    assert!(!wrong.contains("Wrong password 1"), "password never echoed");

    // Change password (current one required); the other session ends.
    let other = second_client(&app);
    assert_eq!(other.signin("ada@example.com", PW).await.status(), 303);
    let r = app
        .post_form(
            "/account/password",
            &[("current_password", "nope nope 1"), ("new_password", PW2)],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(body(r)
        .await
        .contains("Your current password is incorrect."));
    let r = app
        .post_form(
            "/account/password",
            &[("current_password", PW), ("new_password", PW2)],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/account?notice=password");
    assert!(signed_in(&app).await, "this session stays");
    assert!(!signed_in2(&other).await, "other sessions end");
    assert_eq!(other.signin("ada@example.com", PW).await.status(), 401);
    assert_eq!(other.signin("ada@example.com", PW2).await.status(), 303);

    // Delete: wrong password refused, right one removes the row.
    let r = app.post_form("/account/delete", &[("password", PW)]).await;
    assert_eq!(r.status(), 422);
    assert!(app.store.user_by_id(user.id).await.unwrap().is_some());
    let r = app.post_form("/account/delete", &[("password", PW2)]).await;
    assert_eq!(r.status(), 200);
    assert!(body(r).await.contains("Your account has been deleted"));
    assert!(app.store.user_by_id(user.id).await.unwrap().is_none());
    assert!(!signed_in(&app).await);
    assert!(!signed_in2(&other).await, "all sessions cascade");
    assert_eq!(app.signin("ada@example.com", PW2).await.status(), 401);
    let audit = app.store.audit_entries(None, 10).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "account.deleted"));
    // The address can be used again.
    assert_eq!(app.signup("ada@example.com", PW).await.status(), 303);
}

async fn password_reset_flow(app: TestApp) {
    assert_eq!(app.signup("grace@example.com", PW).await.status(), 303);
    app.confirm_email("grace@example.com").await;
    let other = second_client(&app);
    assert_eq!(other.signin("grace@example.com", PW).await.status(), 303);

    app.signout().await;
    // Same answer for a known and an unknown address.
    let known = app
        .post_form("/forgot", &[("email", "Grace@Example.com")])
        .await;
    assert_eq!(known.status(), 200);
    let known = body(known).await;
    let unknown = app
        .post_form("/forgot", &[("email", "nobody@example.com")])
        .await;
    assert_eq!(unknown.status(), 200);
    let unknown = body(unknown).await;
    let strip = |s: &str, e: &str| s.replace(e, "EMAIL");
    assert_eq!(
        strip(&known, "grace@example.com"),
        strip(&unknown, "nobody@example.com")
    );
    assert!(known.contains("If an account with a confirmed address exists for grace@example.com"));

    let mail = app
        .wait_for_email("grace@example.com", support::RESET_SUBJECT)
        .await;
    assert!(mail.contains(&format!("{}/reset/", app.origin())));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(app.emails("nobody@example.com").is_empty());
    let path = reset_path(&mail);

    // The link shows a form; a weak password is refused without using it up.
    assert_eq!(app.get(&path).await.status(), 200);
    let r = app.post_form(&path, &[("password", "short")]).await;
    assert_eq!(r.status(), 422);
    assert!(body(r).await.contains("at least 10 characters"));
    let r = app.post_form(&path, &[("password", PW2)]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/signin?notice=reset");

    // Used once: the second use is refused; all sessions ended.
    let r = app
        .post_form(&path, &[("password", "Another good one 9")])
        .await;
    assert_eq!(r.status(), 400);
    assert!(body(r).await.contains("invalid or has expired"));
    assert_eq!(app.get(&path).await.status(), 400);
    assert!(!signed_in(&app).await);
    assert!(!signed_in2(&other).await);
    assert_eq!(app.signin("grace@example.com", PW).await.status(), 401);
    assert_eq!(app.signin("grace@example.com", PW2).await.status(), 303);
}

#[tokio::test]
async fn lifecycle_sqlite() {
    full_account_lifecycle(spawn_app().await).await;
}

#[tokio::test]
async fn lifecycle_postgres() {
    full_account_lifecycle(TestApp::builder().postgres().spawn().await).await;
}

#[tokio::test]
async fn password_reset_sqlite() {
    password_reset_flow(spawn_app().await).await;
}

#[tokio::test]
async fn password_reset_postgres() {
    password_reset_flow(TestApp::builder().postgres().spawn().await).await;
}

// --- details -------------------------------------------------------------------

#[tokio::test]
async fn expired_reset_link_is_rejected() {
    let app = spawn_app().await;
    let user = app.learner("lin@example.com").await;
    let token = "ab".repeat(32);
    let now = support::now();
    app.store
        .create_password_reset(
            &devpath_web::credentials::token_hash(&token),
            user,
            now - 7200,
            now - 3600,
        )
        .await
        .unwrap();
    let path = format!("/reset/{token}");
    assert_eq!(app.get(&path).await.status(), 400);
    assert_eq!(
        app.post_form(&path, &[("password", PW2)]).await.status(),
        400
    );
    assert_eq!(app.get("/reset/garbage").await.status(), 400);
}

#[tokio::test]
async fn signup_validation() {
    let app = spawn_app().await;
    // Malformed email: 422, message, entered email kept, password not echoed.
    let r = app.signup("not-an-email", PW).await;
    assert_eq!(r.status(), 422);
    let page = body(r).await;
    assert!(page.contains("Enter a valid email address"));
    assert!(page.contains("value=\"not-an-email\""));
    assert!(!page.contains(PW));
    // Weak passwords.
    for (pw, msg) in [
        ("short1!", "at least 10 characters"),
        ("abcdefghijklmn", "Mix at least two kinds"),
        ("password123", "most common"),
        ("kim@example.com", "must not be your email"),
    ] {
        let r = app.signup("kim@example.com", pw).await;
        assert_eq!(r.status(), 422, "{pw}");
        let page = body(r).await;
        assert!(page.contains(msg), "{pw}: {msg}");
        assert!(page.contains("value=\"kim@example.com\""));
    }
    assert!(app.session_cookie().is_none());
    // Duplicate in a different case.
    assert_eq!(app.signup("kim@example.com", PW).await.status(), 303);
    let fresh = second_client(&app);
    let r = fresh.signup("  KIM@Example.com ", PW).await;
    assert_eq!(r.status(), 409);
    let page = body(r).await;
    assert!(page.contains("An account with this email already exists"));
    assert!(page.contains("reset your password"));
    assert_eq!(app.store.count_users().await.unwrap(), 1);
}

#[tokio::test]
async fn forms_need_our_origin() {
    let app = spawn_app().await;
    // No Origin and no Sec-Fetch-Site: refused.
    let r = app
        .client
        .post(app.url("/signup"))
        .form(&[("email", "eve@example.com"), ("password", PW)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("cross-site request refused"));
    // Another site's Origin: refused.
    for origin in ["https://evil.example", "null", "http://127.0.0.1:1"] {
        let r = app
            .client
            .post(app.url("/signin"))
            .header("Origin", origin)
            .form(&[("email", "eve@example.com"), ("password", PW)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{origin}");
    }
    let r = app
        .client
        .post(app.url("/signout"))
        .header("Sec-Fetch-Site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.store.count_users().await.unwrap(), 0);
    // Sec-Fetch-Site: same-origin without Origin is fine (what browsers send).
    let r = app
        .client
        .post(app.url("/signup"))
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("email", "eve@example.com"), ("password", PW)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // The webhook path is exempt (404 here until billing adds it, never 403).
    let r = app
        .client
        .post(app.url("/billing/webhook"))
        .header("Origin", "https://stripe.example")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 403);
}

#[tokio::test]
async fn forged_and_expired_sessions_are_anonymous() {
    let app = spawn_app().await;
    app.set_session_cookie("garbage");
    assert!(!signed_in(&app).await);
    app.set_session_cookie(&"f".repeat(64));
    let r = app.get("/account").await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/signin?next=/account");
    // POST without a session: 401.
    let r = app.post_form("/account/delete", &[("password", PW)]).await;
    assert_eq!(r.status(), 401);

    // A session past its absolute expiry, and one idle too long.
    let user = app.learner("old@example.com").await;
    let now = support::now();
    let hash = devpath_web::credentials::token_hash;
    let expired = "1".repeat(64);
    app.store
        .create_session(&hash(&expired), user, now - 100, now - 1, None)
        .await
        .unwrap();
    app.set_session_cookie(&expired);
    assert!(!signed_in(&app).await);
    let idle = "2".repeat(64);
    app.store
        .create_session(&hash(&idle), user, now - 8 * DAY, now + DAY, None)
        .await
        .unwrap();
    app.set_session_cookie(&idle);
    assert!(!signed_in(&app).await);
    // A fresh one works and is touched at most once a minute.
    let fresh = "3".repeat(64);
    app.store
        .create_session(&hash(&fresh), user, now - 120, now + DAY, None)
        .await
        .unwrap();
    app.set_session_cookie(&fresh);
    assert!(signed_in(&app).await);
    let (s, _) = app
        .store
        .session_with_user(&hash(&fresh))
        .await
        .unwrap()
        .unwrap();
    assert!(s.last_seen_at >= now, "touched");
}

#[tokio::test]
async fn sign_in_rotates_the_session_id() {
    let app = spawn_app().await;
    assert_eq!(app.signup("rot@example.com", PW).await.status(), 303);
    let first = app.session_cookie().unwrap();
    // A cookie planted before sign-in (session fixation) is replaced.
    let planted = "c".repeat(64);
    app.set_session_cookie(&planted);
    let r = app.signin("rot@example.com", PW).await;
    assert_eq!(r.status(), 303);
    let after = app.session_cookie().unwrap();
    assert_ne!(after, planted);
    assert_ne!(after, first);
    assert_eq!(after.len(), 64);
    // Signing in again (over a valid session) also rotates and ends the old one.
    let r = app.signin("rot@example.com", PW).await;
    assert_eq!(r.status(), 303);
    let again = app.session_cookie().unwrap();
    assert_ne!(again, after);
    let hash = devpath_web::credentials::token_hash;
    assert!(app
        .store
        .session_with_user(&hash(&after))
        .await
        .unwrap()
        .is_none());
    // The database holds hashes, never the token.
    assert!(app.store.session_with_user(&again).await.unwrap().is_none());
    assert!(app
        .store
        .session_with_user(&hash(&again))
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn signin_redirects_to_next_but_only_on_site() {
    let app = spawn_app().await;
    assert_eq!(app.signup("nx@example.com", PW).await.status(), 303);
    app.signout().await;
    let (status, page) = app.get_text("/signin?next=/account").await;
    assert_eq!(status, 200);
    assert!(page.contains("name=\"next\" value=\"/account\""));
    let r = app
        .post_form(
            "/signin",
            &[
                ("email", "nx@example.com"),
                ("password", PW),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/account");
    app.signout().await;
    let r = app
        .post_form(
            "/signin",
            &[
                ("email", "nx@example.com"),
                ("password", PW),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/dashboard");
}

#[tokio::test]
async fn anonymous_header_and_signed_in_header() {
    let app = spawn_app().await;
    let (_, page) = app.get_text("/signin").await;
    assert!(page.contains("href=\"/signin\">Sign in</a>"));
    assert!(page.contains("href=\"/signup\">Start free trial</a>"));
    assert!(page.contains("forms."), "forms.css linked");
    let (status, _) = app.get_text(&page_asset(&page)).await;
    assert_eq!(status, 200);
}

fn page_asset(page: &str) -> String {
    let start = page.find("/assets/forms.").unwrap();
    let end = start + page[start..].find('"').unwrap();
    page[start..end].to_string()
}

#[tokio::test]
async fn rate_limit_per_account() {
    let app = spawn_app().await;
    assert_eq!(app.signup("rl@example.com", PW).await.status(), 303);
    app.signout().await;
    for _ in 0..5 {
        assert_eq!(
            app.signin("rl@example.com", "Wrong password 1")
                .await
                .status(),
            401
        );
    }
    // Sixth attempt, even with the right password: 429 with Retry-After.
    let r = app.signin("rl@example.com", PW).await;
    assert_eq!(r.status(), 429);
    let retry: i64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    assert!(body(r).await.contains("Too many failed sign-in attempts"));
    // Another account from the same address is not locked (under the IP limit).
    assert_eq!(app.signup("rl2@example.com", PW).await.status(), 303);
    app.signout().await;
    assert_eq!(app.signin("rl2@example.com", PW).await.status(), 303);
}

#[tokio::test]
async fn rate_limit_per_ip_and_success_clears_account_counter() {
    let app = spawn_app().await;
    assert_eq!(app.signup("ok@example.com", PW).await.status(), 303);
    app.signout().await;
    // Four failures, then success: the account counter resets.
    for _ in 0..4 {
        assert_eq!(
            app.signin("ok@example.com", "Wrong password 1")
                .await
                .status(),
            401
        );
    }
    assert_eq!(app.signin("ok@example.com", PW).await.status(), 303);
    app.signout().await;
    for _ in 0..4 {
        assert_eq!(
            app.signin("ok@example.com", "Wrong password 1")
                .await
                .status(),
            401
        );
    }
    assert_eq!(app.signin("ok@example.com", PW).await.status(), 303);
    app.signout().await;
    // 20 failures from this address across many (unknown) accounts.
    let n = app.store.counted_attempts("ip:127.0.0.1").await.unwrap();
    for i in n..20 {
        let r = app
            .signin(&format!("u{i}@example.com"), "Wrong password 1")
            .await;
        assert_eq!(r.status(), 401);
    }
    let r = app.signin("ok@example.com", PW).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn secure_cookie_when_public_url_is_https() {
    let app = TestApp::builder()
        .config(|c| c.public_url = "https://learn.example.com".into())
        .spawn()
        .await;
    // Our own Host still counts as same-origin for local use.
    let r = app.signup("sec@example.com", PW).await;
    assert_eq!(r.status(), 303);
    assert!(set_cookie(&r).contains("; Secure"));
}

#[tokio::test]
async fn change_password_page_requires_sign_in() {
    let app = spawn_app().await;
    let r = app.get("/account/password").await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/signin?next=/account/password");
    assert_eq!(app.signup("cp@example.com", PW).await.status(), 303);
    let (status, page) = app.get_text("/account/password").await;
    assert_eq!(status, 200);
    assert!(page.contains("name=\"current_password\""));
    let r = app
        .post_form(
            "/account/password",
            &[("current_password", PW), ("new_password", "weak")],
        )
        .await;
    assert_eq!(r.status(), 422);
}

/// A second client (another browser) for the same server.
fn second_client(app: &TestApp) -> Client2 {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    Client2 {
        base: app.origin(),
        client,
    }
}

struct Client2 {
    base: String,
    client: reqwest::Client,
}

impl Client2 {
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("Origin", &self.base)
            .form(fields)
            .send()
            .await
            .unwrap()
    }
    async fn signin(&self, email: &str, pw: &str) -> reqwest::Response {
        self.post("/signin", &[("email", email), ("password", pw)])
            .await
    }
    async fn signup(&self, email: &str, pw: &str) -> reqwest::Response {
        self.post("/signup", &[("email", email), ("password", pw)])
            .await
    }
    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }
}

/// Signed-in check for a second client.
async fn signed_in2(c: &Client2) -> bool {
    c.get("/account").await.status() == 200
}

#[tokio::test]
async fn forwarded_for_is_used_only_with_trust_proxy() {
    async fn fail_from(app: &TestApp, ip: &str, n: usize) {
        for i in 0..n {
            let r = app
                .client
                .post(app.url("/signin"))
                .header("Origin", app.origin())
                .header("X-Forwarded-For", format!("203.0.113.9, {ip}"))
                .form(&[
                    ("email", format!("x{i}@example.com").as_str()),
                    ("password", "Wrong password 1"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401);
        }
    }
    let app = TestApp::builder()
        .config(|c| c.trust_proxy = true)
        .spawn()
        .await;
    fail_from(&app, "10.0.0.1", 3).await;
    assert_eq!(app.store.counted_attempts("ip:10.0.0.1").await.unwrap(), 3);
    assert_eq!(app.store.counted_attempts("ip:127.0.0.1").await.unwrap(), 0);

    let app = spawn_app().await;
    fail_from(&app, "10.0.0.1", 2).await;
    assert_eq!(app.store.counted_attempts("ip:10.0.0.1").await.unwrap(), 0);
    assert_eq!(app.store.counted_attempts("ip:127.0.0.1").await.unwrap(), 2);
}

#[tokio::test]
async fn forgot_validates_the_address() {
    let app = spawn_app().await;
    let r = app.post_form("/forgot", &[("email", "nope")]).await;
    assert_eq!(r.status(), 422);
    assert!(body(r).await.contains("value=\"nope\""));
    let (status, page) = app.get_text("/forgot").await;
    assert_eq!(status, 200);
    assert!(page.contains("action=\"/forgot\""));
}

#[tokio::test]
async fn reset_emails_are_throttled_per_account() {
    let app = spawn_app().await;
    assert_eq!(app.signup("mb@example.com", PW).await.status(), 303);
    app.confirm_email("mb@example.com").await;
    app.signout().await;
    for _ in 0..5 {
        let r = app
            .post_form("/forgot", &[("email", "mb@example.com")])
            .await;
        assert_eq!(r.status(), 200);
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.email_count("mb@example.com", support::RESET_SUBJECT), 3);
}
