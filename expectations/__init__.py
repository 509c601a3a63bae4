"""Great Expectations 1.x suites over the warehouse marts, and the validation that gates publishing.

One suite per mart, named exactly like the dbt model (`suites/<model>.py`); `registry.py` maps model
names to suites; `validate.py` reads each mart through a read-only DuckDB connection into pandas and runs
a GX checkpoint (the SQLAlchemy route to DuckDB is broken upstream: see ../shared/research/stack.md).
"""
