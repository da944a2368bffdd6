"""Use cases: one job function per scheduled job, plus the runner that claims and records runs."""
