"""Put a planning laydown into a simulator scenario.

Each planning sensor type names the simulator model that stands for it (``sim_model`` in the
catalogue); its range parameters are passed as the model's parameter overrides, so the
simulator flies the raid against exactly the ranges planning assumed. The raid's own
sensors are replaced by the laydown; civil traffic and birds are dropped unless asked for —
they cost time. Dropping them does not change "detected", but it spares the tracker the
confusion they would add, so "tracked" is measured against the drones alone (optimistic
where birds or light aircraft are common).
"""

from __future__ import annotations

from dronewall.core.errors import ConfigError
from dronewall.planning.catalogue import SensorCatalogue, SensorClass, SensorType
from dronewall.planning.laydown import Laydown
from dronewall.sim.catalogue import SENSOR_MODELS
from dronewall.sim.scenario import Scenario, Sensor

_RADAR_PARAMS = ("range_pd50_m", "reference_rcs_m2", "pfa")
_COMMON_PARAMS = ("max_range_m", "min_range_m", "max_elevation_deg")
TRUTH_INTERVAL_S = 5  # truth every 5 s: ~250 m of a Shahed's flight, enough to score depth


def sim_params(sensor_type: SensorType) -> dict[str, float]:
    """Simulator parameter overrides that reproduce the planning type's range model."""
    names = _COMMON_PARAMS + (
        _RADAR_PARAMS if sensor_type.sensor_class is SensorClass.RADAR else ("range_scale",)
    )
    return {name: float(getattr(sensor_type, name)) for name in names}


def check_sim_models(catalogue: SensorCatalogue) -> None:
    """Every type used in a proof must name a simulator model; ConfigError otherwise."""
    for sensor_type in catalogue.types.values():
        if sensor_type.sim_model not in SENSOR_MODELS:
            known = ", ".join(SENSOR_MODELS)
            raise ConfigError(
                f"sensor type {sensor_type.id!r}: sim_model {sensor_type.sim_model!r} is not a "
                f"simulator model ({known})",
                field=f"sensor.{sensor_type.id}.sim_model",
            )


def with_laydown(
    raid: Scenario, laydown: Laydown, catalogue: SensorCatalogue, *, background: bool = False
) -> Scenario:
    """The raid with the laydown as its only sensors (and, by default, no traffic or birds)."""
    check_sim_models(catalogue)
    sensors = []
    for sensor_id, type_id, lat, lon in zip(
        laydown.ids, laydown.types, laydown.lat, laydown.lon, strict=True
    ):
        sensor_type = catalogue.get(type_id)
        sensors.append(
            Sensor.model_validate(
                {
                    "id": sensor_id,
                    "model": sensor_type.sim_model,
                    "lat": float(lat),
                    "lon": float(lon),
                    "mast_m": sensor_type.mast_m,
                    "params": sim_params(sensor_type),
                }
            )
        )
    header = raid.scenario.model_copy(update={"truth_interval_s": TRUTH_INTERVAL_S})
    update: dict[str, object] = {
        "scenario": header,
        "sensor": sensors,
        "sensor_line": [],
        "sensor_ring": [],
    }
    if not background:
        update |= {"traffic": [], "birds": []}
    return raid.model_copy(update=update)
