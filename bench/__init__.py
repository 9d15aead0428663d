"""Benchmarks and the generator of world-sized datasets (`bench.generate`), run from the top
of the repository as ``python -m bench.NAME``."""
