"""The integration tests (test_*.py, loaded by tests/run_tests.py) and the
Strata shell helpers they share (common.py, imported as integration.common).
A package so that the import finds this directory first."""
