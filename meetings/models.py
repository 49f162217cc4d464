# Meetings: see issue 5.
