"""KPIs, report sections, charts, strings and the self-contained report.html."""
