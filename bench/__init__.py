"""Benchmarks of the portal: a small harness (``bench.harness``) and one module per scenario.

Run them as modules from the project's root: ``python -m bench`` runs every scenario (``make bench``),
``python -m bench.pages`` one of them. See bench/README.md.
"""
