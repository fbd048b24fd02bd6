"""Shared .pol modules: the enterprise schema, units, levels and recognitions."""
