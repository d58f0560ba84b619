"""The dev server: the watcher, the incremental rebuild in memory, the HTTP server."""
