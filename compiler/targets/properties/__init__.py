"""The properties target: hypothesis tests generated from the plan, and their pytest plugin."""
