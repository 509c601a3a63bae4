"""Expectation suites, one module per dbt mart; each exposes `build_suite() -> ExpectationSuite`."""
