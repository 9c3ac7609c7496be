"""Members contribute tips, projects and events; moderators approve them; the community sees them."""
