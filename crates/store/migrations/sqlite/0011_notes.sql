-- A learner's private note and bookmark on a lesson; gone with the account.
CREATE TABLE lesson_notes (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    path_slug TEXT NOT NULL,
    lesson_slug TEXT NOT NULL,
    bookmarked BOOLEAN NOT NULL,
    note TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, path_slug, lesson_slug)
);
