"""Terrain: the height of the ground above the WGS-84 ellipsoid, anywhere on Earth.

Two public-domain grids, both installed offline from Debian packages (``docs/terrain.md``):

* ETOPO5 (NOAA NGDC, 1988; 5 arc-minute grid, heights in metres above mean sea level, sea
  floor negative) from ``ferret-datasets``: ``/usr/share/ferret-vis/data/etopo5.cdf``;
* the EGM96 geoid (NGA, Lemoine et al. 1998, NASA/TP-1998-206861; undulation N on a
  15 arc-minute grid) from ``proj-data``: ``/usr/share/proj/egm96_15.gtx``.

Ground above the ellipsoid = max(ETOPO5, 0) + N: tracks and the simulator carry ellipsoidal
heights (GNSS and ADS-B geometric heights are ellipsoidal), so a height above ground is
``h - ground_height_m(lat, lon)``. Over the sea the "ground" is the sea surface (the geoid).
Both grids are interpolated bilinearly, vectorised (millions of points per second).
``terrain_clear`` tells whether terrain hides one point from another: the ray between them,
bent by standard refraction (4/3 Earth radius), against the ground sampled along the path.

The files are read once, on the first call that needs them (importing reads nothing). The
environment variables ``DRONEWALL_ETOPO5`` and ``DRONEWALL_EGM96`` point at copies elsewhere.
A missing file raises ``TerrainDataMissingError`` naming the file and the package that installs it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from dronewall.core.errors import DataError
from dronewall.core.geodesy import EARTH_MEAN_RADIUS_M

FloatArray = npt.NDArray[np.float64]

ETOPO5_DEFAULT = Path("/usr/share/ferret-vis/data/etopo5.cdf")  # Debian ferret-datasets
EGM96_DEFAULT = Path("/usr/share/proj/egm96_15.gtx")  # Debian proj-data
STANDARD_REFRACTION_K = 4.0 / 3.0  # effective Earth radius factor of the standard atmosphere
PROFILE_SAMPLES = 16  # ground samples along a path: ~1 km apart at 16 km, a grid cell at 150 km
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


class GroundModel(Protocol):
    """Anything that says how high the ground is: ``Terrain``, or ``FlatGround`` in tests."""

    def ground_height_m(self, lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray: ...


@dataclass(frozen=True, slots=True)
class FlatGround:
    """Ground at a fixed height above the ellipsoid everywhere (0: the ellipsoid itself) — a
    smooth Earth for tests and for comparisons with a world without terrain."""

    height_m: float = 0.0

    def ground_height_m(self, lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
        lat, _ = np.broadcast_arrays(np.asarray(lat_deg, float), np.asarray(lon_deg, float))
        return np.full(lat.shape, self.height_m)


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
        lat, lon = np.asarray(lat_deg, float), np.asarray(lon_deg, float)
        if lat.shape != lon.shape:
            lat, lon = np.broadcast_arrays(lat, lon)
        rows, cols = self.values.shape
        fi = (lat - self.lat0) / self.step_deg
        fj = np.mod(lon - self.lon0, 360.0) / self.step_deg
        finite = np.isfinite(fi) & np.isfinite(fj)
        whole = bool(finite.all())
        if not whole:
            fi, fj = np.where(finite, fi, 0.0), np.where(finite, fj, 0.0)
        if fi.size and (fi.min() < -1e-9 or fi.max() > rows - 1 + 1e-9):
            raise ValueError("latitude outside [-90, 90]")
        fi = np.clip(fi, 0.0, rows - 1.000001)
        i0, j0 = fi.astype(np.intp), fj.astype(np.intp)
        wi, wj = fi - i0, fj - j0
        j0 %= cols  # fj may round up to exactly 360°
        base = i0 * cols
        j1 = np.where(j0 == cols - 1, 0, j0 + 1)
        flat = self.values.ravel()
        south = flat[base + j0] + (flat[base + j1] - flat[base + j0]) * wj
        base += cols
        north = flat[base + j0] + (flat[base + j1] - flat[base + j0]) * wj
        out = south + (north - south) * wi
        return np.asarray(out if whole else np.where(finite, out, np.nan), float)

    def at_nodes_of(self, other: Grid) -> npt.NDArray[np.float32]:
        """This grid bilinearly interpolated at every node of ``other`` (separably: along
        latitude, then along longitude; exactly what ``sample`` gives at those nodes)."""
        rows, cols = other.values.shape
        lat = other.lat0 + other.step_deg * np.arange(rows)
        lon = other.lon0 + other.step_deg * np.arange(cols)
        fi = np.clip((lat - self.lat0) / self.step_deg, 0.0, self.values.shape[0] - 1.000001)
        i0 = fi.astype(np.intp)
        w = (fi - i0).astype(np.float32)[:, None]
        along_lat = self.values[i0] + (self.values[i0 + 1] - self.values[i0]) * w
        fj = np.mod(lon - self.lon0, 360.0) / self.step_deg
        j0 = fj.astype(np.intp) % self.values.shape[1]
        j1 = (j0 + 1) % self.values.shape[1]
        v = (fj - np.floor(fj)).astype(np.float32)[None, :]
        west = along_lat[:, j0]
        return np.asarray(west + (along_lat[:, j1] - west) * v, np.float32)


@dataclass(frozen=True, slots=True)
class Terrain:
    """Ground and geoid heights. ``ground`` is max(ETOPO5, 0) + N on the ETOPO5 grid, so a
    ground height is one bilinear lookup (the geoid is smooth: its bilinear interpolation
    at the 5' nodes differs from direct interpolation by well under a centimetre)."""

    ground: Grid  # metres above the WGS-84 ellipsoid, sea surface over water
    geoid: Grid  # EGM96 undulation N, metres of the geoid above the ellipsoid

    @classmethod
    def from_grids(cls, relief: Grid, geoid: Grid) -> Terrain:
        ground = np.maximum(relief.values, 0.0) + geoid.at_nodes_of(relief)
        return cls(Grid(ground, relief.lat0, relief.lon0, relief.step_deg), geoid)

    def geoid_height_m(self, lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
        """EGM96 geoid undulation N (m): mean sea level above the WGS-84 ellipsoid."""
        return self.geoid.sample(lat_deg, lon_deg)

    def height_msl_m(self, lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
        """Ground (land) or sea surface height above mean sea level (m), never below 0."""
        msl = self.ground.sample(lat_deg, lon_deg) - self.geoid.sample(lat_deg, lon_deg)
        return np.maximum(msl, 0.0)

    def ground_height_m(self, lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
        """Ground (or sea surface) height above the WGS-84 ellipsoid (m)."""
        return self.ground.sample(lat_deg, lon_deg)

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
    return Terrain.from_grids(read_etopo5(etopo), read_gtx(egm))


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


def terrain_clear(
    ground: GroundModel,
    from_lat: npt.ArrayLike,
    from_lon: npt.ArrayLike,
    from_h: npt.ArrayLike,
    to_lat: npt.ArrayLike,
    to_lon: npt.ArrayLike,
    to_h: npt.ArrayLike,
    samples: int = PROFILE_SAMPLES,
    k: float = STANDARD_REFRACTION_K,
) -> npt.NDArray[np.bool_]:
    """True where no terrain rises above the path between two points (heights above the
    ellipsoid). The path is sampled at ``samples`` interior points, evenly spaced; at a
    fraction f of a path of ground length d the refracted ray lies
    h = h₁ + (h₂ − h₁) f − f (1 − f) d² / (2 k R) above the ellipsoid (the Earth-bulge form of
    ITU-R P.526 §5), and it is hidden where the ground is higher. Paths of a few hundred km or
    less (the sample points are interpolated in latitude and longitude)."""
    lat1, lon1, h1, lat2, lon2, h2 = np.broadcast_arrays(
        *(np.asarray(x, float) for x in (from_lat, from_lon, from_h, to_lat, to_lon, to_h))
    )
    d_lon = np.mod(lon2 - lon1 + 180.0, 360.0) - 180.0
    mid = np.radians(0.5 * (lat1 + lat2))
    north = np.radians(lat2 - lat1) * EARTH_MEAN_RADIUS_M
    east = np.radians(d_lon) * EARTH_MEAN_RADIUS_M * np.cos(mid)
    d2 = north**2 + east**2
    f = (np.arange(1, samples + 1) / (samples + 1.0)).reshape((samples,) + (1,) * lat1.ndim)
    ray = h1 + (h2 - h1) * f - f * (1.0 - f) * d2 / (2.0 * k * EARTH_MEAN_RADIUS_M)
    terrain = ground.ground_height_m(lat1 + (lat2 - lat1) * f, lon1 + d_lon * f)
    return np.asarray(np.all(ray > terrain, axis=0))
