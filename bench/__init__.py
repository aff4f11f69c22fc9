"""Benchmarks and benchmark fixtures; `python -m bench.population` loads a synthetic province."""
