"""Meaning: a whole program (policy, 细则, stdlib) loaded, names resolved, types and units checked."""
