"""The solver target: the plan as z3 formulas, for proofs of caps and for the review's logical checks."""
