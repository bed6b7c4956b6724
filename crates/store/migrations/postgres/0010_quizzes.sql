-- Graded quiz attempts and their answers. Times are Unix seconds (UTC).
-- Answers name the question by its stable id from the lesson's quiz.
CREATE TABLE quiz_attempts (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    path_slug TEXT NOT NULL,
    lesson_slug TEXT NOT NULL,
    correct BIGINT NOT NULL,
    total BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX quiz_attempts_lesson ON quiz_attempts (user_id, path_slug, lesson_slug);

CREATE TABLE quiz_answers (
    attempt_id BIGINT NOT NULL REFERENCES quiz_attempts(id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    -- chosen choice indices, ascending, comma-separated ("0,2"); empty when unanswered
    chosen TEXT NOT NULL,
    correct BOOLEAN NOT NULL,
    PRIMARY KEY (attempt_id, question_id)
);
