"""Answer-quality evaluation: metrics (pure functions), the runner, and the report."""
