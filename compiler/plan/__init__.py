"""The plan: a checked program lowered to what every target translates, and cases read against it."""
