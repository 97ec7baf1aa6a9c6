"""Where a case goes and by when: departments by category and place, normalised
addresses, working calendars and time limits; and the months and days that
reports and reviews count in, cut at local midnight (``periods``)."""
