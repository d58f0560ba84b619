"""The edges: the project reader, git history, the output folder's swap and lock, child processes, kept files, fingerprints."""
