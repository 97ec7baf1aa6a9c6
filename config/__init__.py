"""Configuration: settings from the environment (``settings``) and the YAML beside
this package (lines, prompts, categories, departments, calendars, routing), loaded
and checked at start (``loader``, ``catalog``, ``speech``)."""
