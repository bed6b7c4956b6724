//! Notes and bookmarks over HTTP: saved from a lesson, listed on /notes,
//! shown escaped, refused on locked lessons and when too long, and gone
//! with the account.

mod support;

use support::fixture::{CAP, CAP_NOTES, FREE, FREE_NOTES, FREE_SLUG, FREE_TITLE, PATH_SLUG};
use support::{spawn_app, TestApp, PW};

#[tokio::test]
async fn a_note_and_a_bookmark_are_saved_escaped_and_listed() {
    let app = spawn_app().await;
    let user = app.learner("ada@example.com").await;
    let (_, page) = app.get_text(FREE).await;
    assert!(page.contains(&format!("action=\"{FREE_NOTES}\"")));

    let note = "Remember <script>alert(1)</script> & the three outcomes";
    let r = app
        .post_form(FREE_NOTES, &[("note", note), ("bookmark", "1")])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("{FREE}#notes"));
    let stored = app
        .store
        .lesson_note(user, PATH_SLUG, FREE_SLUG)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.bookmarked);
    assert_eq!(stored.note, note);

    let (status, list) = app.get_text("/notes").await;
    assert_eq!(status, 200);
    assert!(list.contains(FREE_TITLE));
    assert!(list.contains("★ Bookmarked"));
    // Escaped: the markup is text on the page, never an element.
    assert!(!list.contains("<script>alert(1)"));
    assert!(support::decode(&list).contains(note));
    let (_, lesson) = app.get_text(FREE).await;
    assert!(!lesson.contains("<script>alert(1)"));
    assert!(support::decode(&lesson).contains(note));
    assert!(lesson.contains("value=\"1\" checked"));

    // Emptying both removes it from the list.
    assert_eq!(
        app.post_form(FREE_NOTES, &[("note", "  ")]).await.status(),
        303
    );
    let (_, list) = app.get_text("/notes").await;
    assert!(list.contains("data-testid=\"no-notes\""));
}

#[tokio::test]
async fn locked_lessons_long_notes_and_visitors_are_refused() {
    let app = spawn_app().await;
    let user = app.learner("bob@example.com").await;
    // No trial: the CAP lesson is locked, and so are notes on it.
    assert_eq!(
        app.post_form(CAP_NOTES, &[("note", "x")]).await.status(),
        403
    );
    let (_, page) = app.get_text(CAP).await;
    assert!(!page.contains(CAP_NOTES));
    // Too long: refused with a clear message, nothing stored.
    let long = "n".repeat(4_001);
    let r = app.post_form(FREE_NOTES, &[("note", long.as_str())]).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("at most 4000 characters"));
    assert!(app.store.lesson_notes(user).await.unwrap().is_empty());
    assert_eq!(
        app.post_form(&format!("/notes/{PATH_SLUG}/nope"), &[("note", "x")])
            .await
            .status(),
        404
    );
    // Visitors have no notes.
    app.signout().await;
    assert_eq!(app.get("/notes").await.status(), 303);
    assert_eq!(
        app.post_form(FREE_NOTES, &[("note", "x")]).await.status(),
        401
    );
}

#[tokio::test]
async fn deleting_the_account_deletes_the_notes() {
    let app = TestApp::builder().postgres().spawn().await;
    let user = app.learner("cy@example.com").await;
    assert_eq!(
        app.post_form(FREE_NOTES, &[("note", "mine")])
            .await
            .status(),
        303
    );
    assert_eq!(app.store.lesson_notes(user).await.unwrap().len(), 1);
    let r = app.post_form("/account/delete", &[("password", PW)]).await;
    assert_eq!(r.status(), 200);
    assert!(app.store.lesson_notes(user).await.unwrap().is_empty());
}
