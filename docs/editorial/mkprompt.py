#!/usr/bin/env python3
"""mkprompt.py KIND N: write the brief for one helper session to /work/briefs/prompts/KIND-NNN.md.

KIND is writer, reviewer or fixer. The brief is the kind's file from this folder, the lesson's
seed line, the paths it needs, and the checking-tools note. A reviewer gets only what
shared/lesson-review.md names: the lesson, its seed line, the style guide and that brief.
"""
import csv
import glob
import os
import sys

ROOT = "/work/main"
HERE = os.path.dirname(os.path.abspath(__file__))
LESSONS = f"{ROOT}/content/systems-engineering/lessons"
SEED = "/work/shared/seed/lessons.tsv"


def lesson_path(n):
    hits = glob.glob(f"{LESSONS}/{n:03d}-*.md")
    return hits[0] if hits else None


def seed_line(n):
    with open(SEED, newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            if row and row[0] == str(n):
                return f"{row[0]}. {row[1]}: {row[2]}"
    sys.exit(f"lesson {n} not in {SEED}")


def points(n):
    path = f"{HERE}/points-047-060.tsv"
    if not os.path.exists(path):
        return None
    with open(path, newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            if row and row[0].lstrip("0") == str(n):
                return row[-1]
    return None


def read(name):
    with open(f"{HERE}/{name}") as f:
        return f.read()


def main():
    kind, n = sys.argv[1], int(sys.argv[2])
    path = lesson_path(n)
    parts = [read(f"{kind}.md"), "", "## This lesson", f"- File: `{path}`", f"- Seed line: {seed_line(n)}"]
    parts.append("- Style guide: `/work/main/docs/lesson-style.md`")
    if kind == "reviewer":
        parts.append("- Review brief: `/work/shared/lesson-review.md`")
        parts.append(f"- Write your review to `/work/briefs/reviews/{n:03d}-review.md`")
    else:
        for label, m in (("Previous lesson", n - 1), ("Next lesson", n + 1)):
            p = lesson_path(m)
            if p:
                parts.append(f"- {label} (for cross-links): `{p}`")
        pts = points(n)
        if pts:
            parts.append(f"- Points it must cover: {pts}")
        parts.append(f"- Notes file: `/work/briefs/notes/{n:03d}.md`")
        if kind == "fixer":
            parts.append(f"- Review to answer: `/work/briefs/reviews/{n:03d}-review.md`")
            parts.append(f"- Answers to write: `/work/briefs/reviews/{n:03d}-answers.md`")
    parts += ["", read("checking-tools.md")]
    os.makedirs("/work/briefs/prompts", exist_ok=True)
    out = f"/work/briefs/prompts/{kind}-{n:03d}.md"
    with open(out, "w") as f:
        f.write("\n".join(parts))
    print(out)


if __name__ == "__main__":
    main()
