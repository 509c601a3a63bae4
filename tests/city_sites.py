"""The two city sites of the mirror (嘉兴 on Hanweb, 海宁 on TRS: corpus documents 000–002).

Tests that count documents, targets or e-mails exactly scrape these two only; the nightly DAG test
scrapes the whole registry.
"""

CITY_SITES = ["haining_gov", "jiaxing_fgw"]
