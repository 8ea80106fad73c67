"""The theme stage: units, clustering, stable ids, labels, analyst edits, ranking and shared pain points."""
