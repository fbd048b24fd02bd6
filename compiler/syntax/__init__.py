"""Syntax: source text to the attrs syntax tree, and back to one canonical layout."""
