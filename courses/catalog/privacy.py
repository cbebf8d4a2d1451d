"""The catalog holds no one's data but who teaches: courses, lessons and their files are what instructors wrote
for everyone, with no author recorded. An erased instructor is removed from the courses they taught."""
from lms.privacy.registry import Row, not_personal, personal_data

personal_data(
    "courses.Course",
    people={"instructors": Row.DETACH},
    fields={},
    purpose="Who teaches a course: shown on its page, and what they may manage.",
)

not_personal("courses.Category", ["name"], reason="a category's name")
not_personal("courses.Tag", ["name"], reason="a tag's name")
not_personal("courses.Course", ["cover_image"], reason="the course's cover picture")
not_personal("courses.CourseCoverRendition", ["file"], reason="a size of the course's cover picture")
not_personal(
    "courses.Lesson", ["body", "body_html", "transcript", "transcript_html", "video", "ebook"],
    reason="lesson content instructors authored for every learner of the course; no author is recorded")
not_personal("courses.LessonCaption", ["file"], reason="a lesson video's caption track")
not_personal("courses.LessonImage", ["name", "file"], reason="a picture of a lesson's article and its name")
