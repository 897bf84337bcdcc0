"""One router per subject of the API (``api.v1`` mounts them)."""
