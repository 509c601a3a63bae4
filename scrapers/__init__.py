"""carbonpeak scrapers: find carbon-peak policy documents on government sites by CMS family.

Layout: `http.py` (the polite session, the only HTTP client), `rawstore.py` (pristine bodies),
`parsing.py` (pure helpers), `families/` (one adapter per CMS: hanweb, trs), `sources.toml` +
`registry.py` (the sites), `runner.py` (`scrape_source`, the entry point for the CLI and Airflow).
Importing the package imports nothing heavy.
"""
