"""The incremental engine of `build` and `serve`: records and their one question, the two stores (on disk the kept
output with the last build's record, in memory the dev server's), the Markdown cache and the staging writer."""
