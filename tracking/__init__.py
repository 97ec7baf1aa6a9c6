"""The citizen's tracking page, ``/track/``: a case's progress in plain words
for whoever holds its number and the last four digits of the reporting phone."""
