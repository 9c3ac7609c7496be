"""Privacy (AVG): pseudonyms for analytics, a member's data export, forget-me and retention."""
