"""Exercise media library: the curated catalog, name lookup and importers for open data."""
