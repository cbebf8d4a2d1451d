"""Role-plays: versioned rubrics, scenarios, performances, peer allocation, reviews by self, peers and
supervisors, calibration, scoring and rater agreement."""
