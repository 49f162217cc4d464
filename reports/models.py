# Reports: see issue 7.
