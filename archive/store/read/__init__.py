"""Reading the archive: listing, search and history queries, the last capture of a URL (for
incremental crawls), and diffs between versions."""
