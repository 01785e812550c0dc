"""Reading the site: site.yml, content files, Markdown, UI strings, themes, bundle media, translation units."""
