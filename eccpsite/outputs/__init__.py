"""From the site model to outputs: pages, feeds, calendars, redirects, the map, e-mail, the search index, the link check, editors' schemas."""
