"""Controllers of the Image API v2."""
