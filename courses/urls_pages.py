"""Page URLs of the courses app, mounted in the `pages` namespace by lms/urls.py."""
from django.urls import path

from courses.announcements import pages as announcement_pages
from courses.catalog.pages import authoring, catalog, covers, lesson_editor, lessons, video
from courses.enrollments.pages import gradebook as gradebook_pages
from courses.enrollments.pages import learning as enrollment_pages
from courses.hr_reports.pages import api_keys as hr_api_keys
from courses.hr_reports.pages import exports as hr_exports
from courses.hr_reports.pages import home as hr_home
from courses.hr_reports.pages import people as hr_people
from courses.hr_reports.pages import webhooks as hr_webhooks
from courses.ratings import pages as rating_pages
from courses.reminders import pages as reminder_pages
from courses.teaching import pages as teaching
from courses.workshops.pages import attendance as workshop_attendance
from courses.workshops.pages import learner as workshops
from courses.workshops.pages import teach as workshop_teaching
from courses.workshops.pages import teach_session as session_teaching
from lms import converters  # noqa: F401  (registers <id:...>, at most 18 digits: a 404, never an overflow)

urlpatterns = [
    path("", catalog.catalog, name="catalog"),
    path("courses/<slug:slug>/", catalog.course_page, name="course"),
    path("courses/<slug:slug>/cover.svg", covers.course_cover_generated, name="course-cover-generated"),
    path("courses/<slug:slug>/covers/<id:rendition_id>.<slug:format>", covers.course_cover,
         name="course-cover"),
    path("courses/<slug:slug>/enroll/", catalog.course_enroll, name="course-enroll"),
    path("courses/<slug:slug>/withdraw/", catalog.course_withdraw, name="course-withdraw"),
    path("courses/<slug:slug>/activities/<id:activity_id>/", lessons.activity_page, name="activity"),
    path("courses/<slug:slug>/activities/<id:activity_id>/complete/", lessons.lesson_complete,
         name="lesson-complete"),
    path("courses/<slug:slug>/activities/<id:activity_id>/ebook/", lessons.lesson_ebook, name="lesson-ebook"),
    path("courses/<slug:slug>/activities/<id:activity_id>/images/<id:image_id>.<slug:format>", lessons.lesson_image,
         name="lesson-image"),
    path("workshops/", workshops.workshop_list, name="workshops"),
    path("workshops/sessions/<int:session_id>/", workshops.session_page, name="workshop-session"),
    path("my/", enrollment_pages.my_learning, name="my-learning"),
    path("my/certificates/<id:certificate_id>/", enrollment_pages.my_certificate, name="my-certificate"),
    path("my/notifications/", reminder_pages.notification_preferences, name="notifications"),
    path("courses/<slug:slug>/rating/", catalog.course_rate, name="course-rate"),
    path("courses/<slug:slug>/reviews/", rating_pages.reviews_page, name="course-reviews"),
    path("courses/<slug:slug>/reviews/<id:rating_id>/report/", rating_pages.review_flag, name="review-report"),
    path("courses/<slug:slug>/reviews/<id:rating_id>/hide/", rating_pages.review_hide, name="review-hide"),
    path("courses/<slug:slug>/reviews/<id:rating_id>/show/", rating_pages.review_show, name="review-show"),
    path("courses/<slug:slug>/activities/<id:activity_id>/captions/", lessons.lesson_captions,
         name="lesson-captions"),
    path("courses/<slug:slug>/activities/<id:activity_id>/captions/<slug:language>.vtt", video.lesson_caption_file,
         name="lesson-caption-track"),
    path("courses/<slug:slug>/activities/<id:activity_id>/video/", video.lesson_video, name="lesson-video"),
    path("workshops/sessions/<int:session_id>/register/", workshops.session_register, name="workshop-register"),
    path("workshops/sessions/<int:session_id>/cancel/", workshops.session_cancel_registration,
         name="workshop-cancel"),
    path("workshops/calendar-feed/", workshops.calendar_feed_create, name="workshop-calendar-feed"),
    path("workshops/calendar-feed/revoke/", workshops.calendar_feed_revoke, name="workshop-calendar-feed-revoke"),
    # HR's workspace (courses/hr_reports/pages frames it; other apps add sections through hr_reports.sections).
    path("hr/", hr_home.hr_home, name="hr"),
    path("hr/api-keys/", hr_api_keys.hr_api_keys, name="hr-api-keys"),
    path("hr/api-keys/<slug:prefix>/revoke/", hr_api_keys.hr_api_key_confirm_revoke, name="hr-api-key-confirm-revoke"),
    path("hr/api-keys/<slug:prefix>/revoked/", hr_api_keys.hr_api_key_revoke, name="hr-api-key-revoke"),
    path("hr/webhooks/", hr_webhooks.hr_webhooks, name="hr-webhooks"),
    path("hr/webhooks/<id:endpoint_id>/", hr_webhooks.hr_webhook, name="hr-webhook"),
    path("hr/webhooks/<id:endpoint_id>/rotate/", hr_webhooks.hr_webhook_rotate, name="hr-webhook-rotate"),
    path("hr/webhooks/<id:endpoint_id>/deliveries/<id:delivery_id>/replay/", hr_webhooks.hr_webhook_replay,
         name="hr-webhook-replay"),
    path("hr/people/", hr_people.hr_people, name="hr-people"),
    path("hr/people/<id:user_id>/", hr_people.hr_person, name="hr-person"),
    path("hr/people/<id:user_id>/remind/", hr_people.hr_person_remind, name="hr-person-remind"),
    path("hr/exports/", hr_exports.hr_exports, name="hr-exports"),
    # The instructor's workspace (courses/teaching frames it; each domain adds its screens below).
    path("teach/", teaching.teach_home, name="teach"),
    path("teach/courses/", authoring.teach_courses, name="teach-courses"),
    path("teach/workshops/", workshop_teaching.teach_workshops, name="teach-workshops"),
    # The attendance screen: take attendance on a phone, correct and undo marks.
    path("teach/workshops/sessions/<id:session_id>/attendance/", workshop_attendance.teach_attendance,
         name="teach-attendance"),
    # Announcements to a course's or a session's learners.
    path("teach/courses/<slug:slug>/announcements/", announcement_pages.teach_course_announcements,
         name="teach-course-announcements"),
    path("teach/workshops/sessions/<int:session_id>/announcements/", announcement_pages.teach_session_announcements,
         name="teach-session-announcements"),
    # Authoring: a course's fields, its modules and activities, publish and archive.
    path("teach/courses/new/", authoring.teach_course_new, name="teach-course-new"),
    path("teach/courses/<slug:slug>/", authoring.teach_course, name="teach-course"),
    path("teach/courses/<slug:slug>/edit/", authoring.teach_course_edit, name="teach-course-edit"),
    path("teach/courses/<slug:slug>/publish/", authoring.teach_course_publish, name="teach-course-publish"),
    path("teach/courses/<slug:slug>/archive/", authoring.teach_course_archive, name="teach-course-archive"),
    path("teach/courses/<slug:slug>/modules/", authoring.teach_module_add, name="teach-module-add"),
    path("teach/courses/<slug:slug>/modules/order/", authoring.teach_module_order, name="teach-module-order"),
    path("teach/courses/<slug:slug>/modules/<id:module_id>/", authoring.teach_module_edit, name="teach-module-edit"),
    path("teach/courses/<slug:slug>/modules/<id:module_id>/delete/", authoring.teach_module_delete,
         name="teach-module-delete"),
    path("teach/courses/<slug:slug>/modules/<id:module_id>/activities/", authoring.teach_activity_add,
         name="teach-activity-add"),
    path("teach/courses/<slug:slug>/modules/<id:module_id>/activities/order/", authoring.teach_activity_order,
         name="teach-activity-order"),
    path("teach/courses/<slug:slug>/activities/<id:activity_id>/settings/", authoring.teach_activity_settings,
         name="teach-activity-settings"),
    path("teach/courses/<slug:slug>/activities/<id:activity_id>/delete/", authoring.teach_activity_delete,
         name="teach-activity-delete"),
    # The activity and lesson editor (article with preview, pictures, video and captions, ebook).
    path("teach/courses/<slug:slug>/activities/<id:activity_id>/", lesson_editor.teach_activity,
         name="teach-activity"),
    path("teach/courses/<slug:slug>/activities/<id:activity_id>/preview/", lesson_editor.teach_activity_preview,
         name="teach-activity-preview"),
    # Workshops for instructors: creating workshops and sessions, managing a session (edit, reschedule, waitlist,
    # capacity, cancel, messages).
    path("teach/workshops/new/", workshop_teaching.teach_workshop_new, name="teach-workshop-new"),
    path("teach/workshops/<int:workshop_id>/sessions/new/", workshop_teaching.teach_session_new,
         name="teach-session-new"),
    path("teach/workshops/sessions/<int:session_id>/", session_teaching.teach_session, name="teach-session"),
    path("teach/workshops/sessions/<int:session_id>/edit/", session_teaching.teach_session_edit,
         name="teach-session-edit"),
    path("teach/workshops/sessions/<int:session_id>/capacity/", session_teaching.teach_session_capacity,
         name="teach-session-capacity"),
    path("teach/workshops/sessions/<int:session_id>/cancel/", session_teaching.teach_session_cancel,
         name="teach-session-cancel"),
    path("teach/workshops/sessions/<int:session_id>/message/", session_teaching.teach_session_message,
         name="teach-session-message"),
    path("teach/workshops/sessions/<int:session_id>/registrations/<int:registration_id>/approve/",
         session_teaching.teach_registration_action, {"action": "approve"}, name="teach-registration-approve"),
    path("teach/workshops/sessions/<int:session_id>/registrations/<int:registration_id>/decline/",
         session_teaching.teach_registration_action, {"action": "decline"}, name="teach-registration-decline"),
    path("teach/workshops/sessions/<int:session_id>/registrations/<int:registration_id>/move/",
         session_teaching.teach_registration_action, {"action": "move"}, name="teach-registration-move"),
    # The gradebook (courses/enrollments/pages/gradebook.py): learners by activities, downloads, one learner's
    # page with overrides and extensions.
    path("teach/courses/<slug:slug>/gradebook/", gradebook_pages.teach_gradebook, name="teach-gradebook"),
    path("teach/courses/<slug:slug>/gradebook/gradebook.csv", gradebook_pages.teach_gradebook_csv,
         name="teach-gradebook-csv"),
    path("teach/courses/<slug:slug>/gradebook/gradebook.xlsx", gradebook_pages.teach_gradebook_xlsx,
         name="teach-gradebook-xlsx"),
    path("teach/courses/<slug:slug>/gradebook/<id:enrollment_id>/", gradebook_pages.teach_gradebook_learner,
         name="teach-gradebook-learner"),
    path("teach/courses/<slug:slug>/gradebook/<id:enrollment_id>/override/", gradebook_pages.teach_gradebook_override,
         name="teach-gradebook-override"),
    path("teach/courses/<slug:slug>/gradebook/<id:enrollment_id>/extend/", gradebook_pages.teach_gradebook_extend,
         name="teach-gradebook-extend"),
]

