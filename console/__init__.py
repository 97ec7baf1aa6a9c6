"""The operators' console: server-rendered pages for operators, dispatchers,
supervisors, department staff, inspectors and administrators."""
