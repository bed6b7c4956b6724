//! In a real headless Chromium: the path page lists every lesson; lesson 1
//! opens and its table of contents jumps to a section.

mod support;

use fantoccini::Locator;
use support::fixture::{FREE_SLUG, FREE_TITLE, LESSONS, PATH, PATH_TITLE};
use support::{browser::Browser, spawn_app};

#[tokio::test]
async fn path_page_lesson_and_table_of_contents() {
    let app = spawn_app().await;
    let browser = Browser::start().await;
    let c = &browser.client;

    c.goto(&app.url(PATH)).await.unwrap();
    let items = c.find_all(Locator::Css(".lesson-item")).await.unwrap();
    assert_eq!(items.len(), LESSONS);
    let title = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(title, PATH_TITLE);

    c.find(Locator::Css(&format!("[data-lesson='{FREE_SLUG}'] h4 a")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("#lesson-body"))
        .await
        .unwrap();
    assert!(c
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with(&format!("/lessons/{FREE_SLUG}")));
    let h1 = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h1, FREE_TITLE);

    // Follow the third table-of-contents link.
    let links = c.find_all(Locator::Css(".toc a")).await.unwrap();
    assert!(links.len() >= 6);
    let href = links[2].attr("href").await.unwrap().unwrap();
    let before: f64 = c
        .execute("return window.scrollY", vec![])
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    links[2].click().await.unwrap();
    let url = c.current_url().await.unwrap();
    assert_eq!(url.fragment(), Some(&href[1..]));
    let target_top: f64 = c
        .execute(
            "return document.getElementById(arguments[0]).getBoundingClientRect().top",
            vec![href[1..].into()],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    let after: f64 = c
        .execute("return window.scrollY", vec![])
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(after > before, "the page should scroll to the section");
    assert!(
        target_top.abs() < 200.0,
        "the section should be near the top, at {target_top}"
    );
    browser.close().await;
}
