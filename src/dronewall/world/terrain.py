"""Terrain: the height of the ground above the WGS-84 ellipsoid, anywhere on Earth.

Two public-domain grids, both installed offline from Debian packages (``docs/terrain.md``):

* ETOPO5 (NOAA NGDC, 1988; 5 arc-minute grid, heights in metres above mean sea level, sea
  floor negative) from ``ferret-datasets``: ``/usr/share/ferret-vis/data/etopo5.cdf``;
* the EGM96 geoid (NGA, Lemoine et al. 1998, NASA/TP-1998-206861; undulation N on a
  15 arc-minute grid) from ``proj-data``: ``/usr/share/proj/egm96_15.gtx``.

Ground above the ellipsoid = max(ETOPO5, 0) + N: tracks and the simulator carry ellipsoidal
heights (GNSS and ADS-B geometric heights are ellipsoidal), so a height above ground is
``h - ground_height_m(lat, lon)``. Over the sea the "ground" is the sea surface (the geoid).
Both grids are interpolated bilinearly, vectorised (tens of millions of points per second).

The files are read once, on the first call that needs them (importing reads nothing). The
environment variables ``DRONEWALL_ETOPO5`` and ``DRONEWALL_EGM96`` point at copies elsewhere.
A missing file raises ``TerrainDataMissingError`` naming the file and the package that installs it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from dronewall.core.errors import DataError

FloatArray = npt.NDArray[np.float64]

ETOPO5_DEFAULT = Path("/usr/share/ferret-vis/data/etopo5.cdf")  # Debian ferret-datasets
EGM96_DEFAULT = Path("/usr/share/proj/egm96_15.gtx")  # Debian proj-data
ETOPO5_CELLS_PER_DEGREE = 12  # 5 arc-minutes; the file's float32 axis drifts, the grid is exact
_INSTALL = "apt-get install --no-install-recommends ferret-datasets proj-data"


class TerrainDataMissingError(DataError):
    """A terrain grid file is not installed where dronewall looks for it."""

    def __init__(self, what: str, path: Path, package: str, variable: str):
        self.path = path
        self.package = package
        super().__init__(
            f"{what} not found at {path}: install the Debian package {package!r} "
            f"({_INSTALL}) or set {variable} to the file"
        )


@dataclass(frozen=True, slots=True)
class Grid:
    """A regular latitude/longitude grid, global in longitude, sampled bilinearly.

    Row ``i`` lies at latitude ``lat0 + i * step``, column ``j`` at longitude
    ``lon0 + j * step``; columns wrap around the globe (the grid has 360 / step of them).
    """

    values: npt.NDArray[np.float32]  # (rows, cols)
    lat0: float
    lon0: float
    step_deg: float

    def sample(self, lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
        """Bilinear value at each point (NaN where a coordinate is NaN)."""
        lat, lon = np.broadcast_arrays(np.asarray(lat_deg, float), np.asarray(lon_deg, float))
        bad = ~(np.isfinite(lat) & np.isfinite(lon))
        if np.any(np.abs(lat[~bad]) > 90.0):
            raise ValueError("latitude outside [-90, 90]")
        rows, cols = self.values.shape
        fi = np.where(bad, 0.0, (lat - self.lat0) / self.step_deg)
        fj = np.where(bad, 0.0, np.mod(lon - self.lon0, 360.0) / self.step_deg)
        i0 = np.clip(np.floor(fi), 0, rows - 2).astype(np.intp)
        j0 = np.floor(fj).astype(np.intp) % cols
        wi = np.clip(fi - i0, 0.0, 1.0)
        wj = fj - np.floor(fj)
        j1 = (j0 + 1) % cols
        flat = self.values.ravel()
        base, above = i0 * cols, (i0 + 1) * cols
        south = flat[base + j0] * (1.0 - wj) + flat[base + j1] * wj
        north = flat[above + j0] * (1.0 - wj) + flat[above + j1] * wj
        out = south * (1.0 - wi) + north * wi
        return np.where(bad, np.nan, out)


@dataclass(frozen=True, slots=True)
class Terrain:
    """Ground and geoid heights from the two grids."""

    relief: Grid  # ETOPO5, metres above mean sea level (sea floor negative)
    geoid: Grid  # EGM96 undulation N, metres of the geoid above the ellipsoid

    def geoid_height_m(self, lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
        """EGM96 geoid undulation N (m): mean sea level above the WGS-84 ellipsoid."""
        return self.geoid.sample(lat_deg, lon_deg)

    def height_msl_m(self, lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
        """Ground (land) or sea surface height above mean sea level (m), never below 0."""
        return np.maximum(self.relief.sample(lat_deg, lon_deg), 0.0)

    def ground_height_m(self, lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
        """Ground (or sea surface) height above the WGS-84 ellipsoid (m)."""
        return self.height_msl_m(lat_deg, lon_deg) + self.geoid_height_m(lat_deg, lon_deg)

    def height_above_ground_m(
        self, lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike, height_m: npt.ArrayLike
    ) -> FloatArray:
        """Height above the ground (m) of points at ellipsoidal height ``height_m``."""
        return np.asarray(height_m, float) - self.ground_height_m(lat_deg, lon_deg)


def read_etopo5(path: Path) -> Grid:
    """The ETOPO5 relief (variable ``ROSE``) of Ferret's netCDF-3 file as a grid."""
    from scipy.io import netcdf_file  # scipy's import is slow; only terrain users pay it

    with netcdf_file(path, "r", mmap=False) as nc:
        relief = np.array(nc.variables["ROSE"].data, dtype=np.float32)
        lat0 = float(nc.variables["ETOPO05_Y"].data[0])
        lon0 = float(nc.variables["ETOPO05_X"].data[0])
    step = 1.0 / ETOPO5_CELLS_PER_DEGREE
    if relief.shape != (180 * 12 + 1, 360 * 12) or lat0 != -90.0:
        raise DataError(f"{path}: not the 5' ETOPO5 grid (shape {relief.shape}, south {lat0})")
    return Grid(relief, lat0, lon0, step)


def read_gtx(path: Path) -> Grid:
    """A global NOAA VDatum ``.gtx`` grid (big-endian header: south latitude, west longitude,
    latitude step, longitude step as doubles, rows and columns as int32; then float32 rows
    from south to north)."""
    raw = path.read_bytes()
    lat0, lon0, dlat, dlon = np.frombuffer(raw, ">f8", 4, 0)
    rows, cols = (int(x) for x in np.frombuffer(raw, ">i4", 2, 32))
    if dlat != dlon or abs(cols * dlon - 360.0) > 1e-9 or len(raw) != 40 + 4 * rows * cols:
        raise DataError(f"{path}: not a global .gtx grid with square cells")
    values = np.frombuffer(raw, ">f4", rows * cols, 40).astype(np.float32).reshape(rows, cols)
    return Grid(values, float(lat0), float(lon0), float(dlat))


def _located(default: Path, variable: str) -> Path:
    return Path(os.environ.get(variable) or default)


@cache
def load_terrain() -> Terrain:
    """The process-wide terrain, read on first use. ``TerrainDataMissingError`` if not installed."""
    etopo = _located(ETOPO5_DEFAULT, "DRONEWALL_ETOPO5")
    egm = _located(EGM96_DEFAULT, "DRONEWALL_EGM96")
    if not etopo.is_file():
        raise TerrainDataMissingError("ETOPO5 relief", etopo, "ferret-datasets", "DRONEWALL_ETOPO5")
    if not egm.is_file():
        raise TerrainDataMissingError("EGM96 geoid grid", egm, "proj-data", "DRONEWALL_EGM96")
    return Terrain(relief=read_etopo5(etopo), geoid=read_gtx(egm))


def ground_height_m(lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
    """Ground (or sea surface) height above the WGS-84 ellipsoid (m), bilinear, vectorised."""
    return load_terrain().ground_height_m(lat_deg, lon_deg)


def geoid_height_m(lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
    """EGM96 geoid undulation (m) at each point."""
    return load_terrain().geoid_height_m(lat_deg, lon_deg)


def height_above_ground_m(
    lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike, height_m: npt.ArrayLike
) -> FloatArray:
    """Height above the ground (m) of points at ellipsoidal height ``height_m``."""
    return load_terrain().height_above_ground_m(lat_deg, lon_deg, height_m)
