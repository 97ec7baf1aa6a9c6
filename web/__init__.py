"""What every face of the service does the same over HTTP: refuse text no
database can hold before any view reads it (``guards``), and send the
browser's security headers with every answer (``headers``).  ``create_app``
installs both.  The console's and the reports' pages draw their charts with
``charts`` (server-rendered SVG)."""
