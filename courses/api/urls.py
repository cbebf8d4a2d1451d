from django.urls import path

import lms.converters  # noqa: F401  (registers <id:...>)
from courses.api import catalog, certificates, enrollments, lessons, ratings

urlpatterns = [
    path("courses/", catalog.CourseListApi.as_view(), name="courses"),
    path("courses/<slug:slug>/", catalog.CourseDetailApi.as_view(), name="course"),
    path("courses/<slug:slug>/publish/", catalog.CoursePublishApi.as_view(), name="course-publish"),
    path("courses/<slug:slug>/archive/", catalog.CourseArchiveApi.as_view(), name="course-archive"),
    path("courses/<slug:slug>/modules/", catalog.ModuleCreateApi.as_view(), name="course-modules"),
    path("courses/<slug:slug>/modules/<id:module_id>/activities/", catalog.ActivityCreateApi.as_view(),
         name="module-activities"),
    path("courses/<slug:slug>/enroll/", enrollments.EnrollApi.as_view(), name="course-enroll"),
    path("courses/<slug:slug>/enrollments/bulk/", enrollments.BulkEnrollApi.as_view(), name="course-bulk-enroll"),
    path("courses/<slug:slug>/ratings/", ratings.RatingListApi.as_view(), name="course-ratings"),
    path("courses/<slug:slug>/rating/", ratings.MyRatingApi.as_view(), name="course-my-rating"),
    path("enrollments/", enrollments.EnrollmentListApi.as_view(), name="enrollments"),
    path("enrollments/<id:enrollment_id>/", enrollments.EnrollmentDetailApi.as_view(), name="enrollment"),
    path("enrollments/<id:enrollment_id>/withdraw/", enrollments.EnrollmentWithdrawApi.as_view(),
         name="enrollment-withdraw"),
    path("enrollments/<id:enrollment_id>/activities/<id:activity_id>/complete/",
         enrollments.ActivityCompleteApi.as_view(), name="activity-complete"),
    path("enrollments/<id:enrollment_id>/activities/<id:activity_id>/heartbeat/",
         enrollments.ActivityHeartbeatApi.as_view(), name="activity-heartbeat"),
    path("certificates/", certificates.CertificateListApi.as_view(), name="certificates"),
    path("certificates/<str:code>/", certificates.CertificateDetailApi.as_view(), name="certificate"),
    path("certificates/<str:code>/pdf/", certificates.CertificatePdfApi.as_view(), name="certificate-pdf"),
    path("certificates/<str:code>/revoke/", certificates.CertificateRevokeApi.as_view(), name="certificate-revoke"),
    path("certificates/<str:code>/reissue/", certificates.CertificateReissueApi.as_view(),
         name="certificate-reissue"),
    path("verify/<str:code>/", certificates.VerifyApi.as_view(), name="verify"),
    path("activities/<id:activity_id>/lesson/", lessons.LessonApi.as_view(), name="lesson"),
    path("activities/<id:activity_id>/lesson/ebook/", lessons.EbookDownloadApi.as_view(), name="lesson-ebook"),
    path("activities/<id:activity_id>/lesson/ebook/upload/", lessons.EbookUploadApi.as_view(),
         name="lesson-ebook-upload"),
    path("activities/<id:activity_id>/lesson/captions/", lessons.CaptionsUploadApi.as_view(),
         name="lesson-captions"),
]
