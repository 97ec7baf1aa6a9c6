"""Quality review of operators' calls: the checklist and sampling rule
(config/quality.yaml), the supervisors' reviews, and the arithmetic of
scores and averages (issue 14, item 4)."""
