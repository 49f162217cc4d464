# Annual review and rating: see issue 6.
