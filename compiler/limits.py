"""Deterministic work limits of ``polc verify``, here so the command line can show them without
loading the solver. They count the solver's resource units, never time: the same query gets the
same answer on any machine and under any load."""

RLIMIT = 5_000_000  # solver resource units per query
BUDGET = 100_000_000  # units per run (the Minhang policy with its 细则 uses about half)
QUERY_COST = 200_000  # charged for building each query, so that many cheap queries also end
