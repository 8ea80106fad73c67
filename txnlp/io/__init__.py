"""Edges of the pipeline: reading inputs, writing tables, rendering the report."""
