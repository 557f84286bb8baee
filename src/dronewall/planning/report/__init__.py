"""Self-contained HTML reports (inline CSS and SVG plots, nothing fetched) and JSON/GeoJSON."""
