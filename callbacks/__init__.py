"""Callbacks to complainants: the outcome survey, queued and missed calls."""
