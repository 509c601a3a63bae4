"""carbonpeak: a validated DuckDB warehouse of China's carbon-peak policy targets, refreshed nightly.

Library code the DAG and the CLI share: settings, the pipeline stages, the target extractor,
alerts, the landing-zone records and the offline mirror. Scrapers live in the `scrapers` package,
Great Expectations suites in `expectations`.
"""
