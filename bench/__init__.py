"""Benchmarks: `make bench` (or `python -m bench [NAME ...]`) runs every bench_*.py main()."""
