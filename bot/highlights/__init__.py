"""Weekly highlights: what the community did in an ISO week, composed from the database and rendered."""
