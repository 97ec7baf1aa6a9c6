"""Where a case goes and by when: departments by category and place, normalised
addresses, working calendars and time limits."""
