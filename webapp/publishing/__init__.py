"""Publishing beyond the PDF: the static web edition (site.py) and open data (opendata.py)."""
