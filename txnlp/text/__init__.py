"""Text stages, frame in and frame out: screen, normalise, detect language, redact, split into sentences."""
