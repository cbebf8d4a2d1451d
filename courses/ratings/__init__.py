"""Course ratings: one per learner and course, the course's average and count."""
