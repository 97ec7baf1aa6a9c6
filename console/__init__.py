"""The console: server-rendered pages for the people at the centre.  Sign-in and
the start page (``views``), the operators' live board and case form (``board``),
and the monthly assessment (``reports.views``) for supervisors, dispatchers,
administrators and department staff.  Inspectors and departments' own systems
work through the JSON API (``api``)."""
