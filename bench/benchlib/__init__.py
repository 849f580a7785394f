"""Helpers for the leakgate benchmark suite (bench/run.py).

Modules:
  measure  - running a child process and reading its wall/CPU/peak-RSS figures
  tools    - one adapter class per scanner (command lines per corpus, report parsing)
  corpora  - building the tree, history and pre-commit corpora under bench/work/
  accuracy - the seeded planted-credential corpus and its scoring
  report   - machine facts, Markdown/JSON results and the target checks
"""
