//! Notes and bookmarks against both backends: saved, updated, listed newest
//! first, removed when emptied, and gone with the account.

mod common;

use common::{postgres, sqlite};
use devpath_store::Store;
use std::sync::Arc;

async fn scenario(s: Arc<dyn Store>) {
    let ada = s
        .create_user("ada@example.com", "h", false, 1)
        .await
        .unwrap();
    let bob = s
        .create_user("bob@example.com", "h", false, 1)
        .await
        .unwrap();
    let p = "systems-engineering";
    assert!(s
        .lesson_note(ada.id, p, "the-cap-theorem")
        .await
        .unwrap()
        .is_none());

    s.save_lesson_note(ada.id, p, "the-cap-theorem", true, "", 10)
        .await
        .unwrap();
    s.save_lesson_note(
        ada.id,
        p,
        "consistency-models",
        false,
        "read <b>again</b>",
        20,
    )
    .await
    .unwrap();
    s.save_lesson_note(ada.id, p, "the-cap-theorem", true, "PACELC!", 30)
        .await
        .unwrap();
    s.save_lesson_note(bob.id, p, "the-cap-theorem", true, "bob's", 40)
        .await
        .unwrap();

    let cap = s
        .lesson_note(ada.id, p, "the-cap-theorem")
        .await
        .unwrap()
        .unwrap();
    assert!(cap.bookmarked);
    assert_eq!((cap.note.as_str(), cap.updated_at), ("PACELC!", 30));
    let all = s.lesson_notes(ada.id).await.unwrap();
    let order: Vec<&str> = all.iter().map(|n| n.lesson_slug.as_str()).collect();
    assert_eq!(order, ["the-cap-theorem", "consistency-models"]);
    assert_eq!(all[1].note, "read <b>again</b>");

    // Neither a note nor a bookmark: the row goes.
    s.save_lesson_note(ada.id, p, "consistency-models", false, "", 50)
        .await
        .unwrap();
    assert_eq!(s.lesson_notes(ada.id).await.unwrap().len(), 1);

    s.delete_user(ada.id).await.unwrap();
    assert!(s.lesson_notes(ada.id).await.unwrap().is_empty());
    assert_eq!(s.lesson_notes(bob.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn notes_on_sqlite() {
    let (_d, s) = sqlite().await;
    scenario(s).await;
}

#[tokio::test]
async fn notes_on_postgres() {
    let (_d, s) = postgres().await;
    scenario(s).await;
}
