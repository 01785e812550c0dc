"""What is published: pages (the renderer), feeds, calendars, SEO files, social posts, search, share cards, the
register, headers."""
