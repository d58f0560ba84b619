"""The incremental engine of `build`: page keys, the kept output, the manifest and the Markdown cache, the staging writer."""
