"""Testing helpers for projects that support many torch releases: the release table and a pytest plugin."""
