"""The SQL target: the lowered plan as a sqlglot expression tree, run on DuckDB (or Spark) over a population.

``lower_sql`` translates the plan, ``population`` draws and loads enterprise records as columns,
``engine`` runs the query, ``simulate`` writes the budget report.
"""
