"""The pure core: sources, fields, configuration, content, the site model, dates, URLs, errors. No I/O but reading what it is given."""
