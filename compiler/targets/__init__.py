"""Targets: each package is one translation of the plan (Python, properties, solver, docs)."""
