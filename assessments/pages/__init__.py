"""The learner pages of the assessments app: quizzes, role-plays and peer reviews in the browser."""
