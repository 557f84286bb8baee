"""Dev only: write the mock server's basemap and sites fixtures from the installed dronewall
package (Natural Earth countries, shipped protected sites) into web/dev/.cache/.

Run with the project venv: ../../.venv/bin/python make-fixtures.py  (the mock runs it itself
when the cache is missing). Not shipped, not used by tests."""

import json
import sys
from pathlib import Path

import shapely

from dronewall.world.countries import load_countries
from dronewall.world.sites import default_sites_path, load_sites

out = Path(__file__).parent / ".cache"
out.mkdir(exist_ok=True)

features = []
for c in load_countries().values():
    g = shapely.simplify(c.geometry, 0.01, preserve_topology=True)
    if g.is_empty:
        continue
    geom = shapely.geometry.mapping(g)
    features.append(
        {"type": "Feature", "properties": {"a3": c.a3, "name": c.name}, "geometry": geom}
    )
(out / "basemap.json").write_text(json.dumps({"type": "FeatureCollection", "features": features}))

sites = [
    {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
        "properties": {
            "site_id": s.id,
            "name": s.name,
            "kind": str(s.kind),
            "radius_m": s.radius_m,
        },
    }
    for s in load_sites(default_sites_path())
]
(out / "sites.json").write_text(json.dumps({"type": "FeatureCollection", "features": sites}))
print(f"wrote {len(features)} countries, {len(sites)} sites to {out}", file=sys.stderr)
