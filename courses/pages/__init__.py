"""The learner pages of the courses app: server-rendered views over the same services and selectors as the API."""
