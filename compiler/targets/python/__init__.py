"""The Python target: the reference interpreter, the generated module, its input schema and portal results."""
