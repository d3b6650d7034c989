"""Benchmarks: ``python -m bench [name ...]`` runs ``bench/bench_<name>.py``, each on a throwaway database."""
