//! Progress: mark complete and undo, progress bars, "continue where you
//! left off", and the dashboard's figures (minutes, streak).

mod support;

use devpath_web::time::DAY;
use support::fixture::{
    AFTER_CAP_SLUG, AFTER_CAP_TITLE, CAP, CAP_COMPLETE, CAP_SLUG, CAP_UNCOMPLETE, FREE_SLUG,
    FREE_TITLE, LESSONS, PATH, PATH_SLUG,
};
use support::{now, spawn_app};

/// The `value` of the first element carrying `data-testid="{id}"`.
fn value_of(page: &str, id: &str) -> String {
    let tag = page
        .split(&format!("data-testid=\"{id}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {id}"));
    tag.split("value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

fn stat(page: &str, id: &str) -> String {
    page.split(&format!("data-testid=\"{id}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {id}"))
        .split_once('>')
        .unwrap()
        .1
        .split('<')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn complete_and_undo_move_the_bars() {
    let app = spawn_app().await;
    app.learner_on_trial("progress@example.com").await;

    let (_, path) = app.get_text(PATH).await;
    assert_eq!(value_of(&path, "path-progress"), "0");
    assert!(path.contains(&format!("Start with: {FREE_TITLE}")));

    let (_, lesson) = app.get_text(CAP).await;
    assert!(lesson.contains("Mark as complete"));
    let r = app.post_form(CAP_COMPLETE, &[]).await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with(CAP));
    // Twice is harmless.
    app.post_form(CAP_COMPLETE, &[]).await;

    let (_, lesson) = app.get_text(CAP).await;
    assert!(lesson.contains("Completed ✓"));
    assert!(lesson.contains("(undo)"));
    let (_, path) = app.get_text(PATH).await;
    assert_eq!(value_of(&path, "path-progress"), "1");
    assert_eq!(value_of(&path, "module-progress"), "1");
    assert!(path.contains(&format!(
        "1 of {LESSONS} lessons completed ({}%)",
        100 / LESSONS
    )));
    assert!(support::lesson_item(&path, CAP_SLUG).contains("Completed ✓"));
    // Continue where you left off: the lesson after the last one completed.
    assert!(
        support::decode(&path).contains(&format!("Continue where you left off: {AFTER_CAP_TITLE}"))
    );
    let (_, home) = app.get_text("/").await;
    assert!(home.contains("Continue where you left off"));
    assert!(home.contains(&format!("{PATH}/lessons/{AFTER_CAP_SLUG}")));

    let (_, dash) = app.get_text("/dashboard").await;
    assert_eq!(stat(&dash, "lessons-completed"), "1");
    assert_eq!(stat(&dash, "paths-started"), "1");
    assert!(dash.contains("data-minutes=\"28\""));
    assert!(dash.contains("data-days=\"1\""));

    let r = app.post_form(CAP_UNCOMPLETE, &[]).await;
    assert_eq!(r.status(), 303);
    let (_, path) = app.get_text(PATH).await;
    assert_eq!(value_of(&path, "path-progress"), "0");
    let (_, lesson) = app.get_text(CAP).await;
    assert!(lesson.contains("Mark as complete"));
}

#[tokio::test]
async fn dashboard_sums_minutes_and_counts_the_streak() {
    let app = spawn_app().await;
    let id = app.learner("streak@example.com").await;
    let t = now();
    let day = devpath_web::time::day_of;
    // Today, yesterday and the day before; and one a week ago (not in the streak).
    for (lesson, ago) in [
        (FREE_SLUG, 0),              // 30 min
        (CAP_SLUG, 1),               // 28 min
        (AFTER_CAP_SLUG, 2),         // 30 min
        ("consensus-algorithms", 7), // 35 min
    ] {
        let at = t - ago * DAY;
        app.store
            .complete_lesson(id, PATH_SLUG, lesson, at, &day(at))
            .await
            .unwrap();
    }
    let (_, dash) = app.get_text("/dashboard").await;
    assert_eq!(stat(&dash, "lessons-completed"), "4");
    assert!(dash.contains("data-minutes=\"123\""));
    assert_eq!(stat(&dash, "time-invested"), "2h 03m");
    assert!(dash.contains("data-days=\"3\""), "streak of 3 days");
    assert!(dash.contains("data-testid=\"trial-cta\""), "no trial yet");
    // The most recent completion is the overview (today): continue after it,
    // skipping lessons already done.
    assert!(dash.contains(&format!("{PATH}/lessons/distributed-clocks-ordering")));
}

#[tokio::test]
async fn free_preview_progress_without_a_plan_and_unknown_lessons() {
    let app = spawn_app().await;
    app.learner("free@example.com").await;
    let free_complete = format!("/progress/{PATH_SLUG}/{FREE_SLUG}/complete");
    let r = app.post_form(&free_complete, &[]).await;
    assert_eq!(r.status(), 303);
    let r = app
        .post_form(&format!("/progress/{PATH_SLUG}/nope/complete"), &[])
        .await;
    assert_eq!(r.status(), 404);
    app.signout().await;
    let r = app.post_form(&free_complete, &[]).await;
    assert_eq!(r.status(), 401);
    let r = app.get("/dashboard").await;
    assert_eq!(r.status(), 303);
}
