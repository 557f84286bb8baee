"""The pipeline's health in Prometheus terms. Each pipeline owns its registry, so several can
live in one process (tests) and ``/metrics`` shows exactly one."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

disable_created_metrics()  # type: ignore[no-untyped-call]  # *_created only repeats start times

# Stage latencies range from sub-millisecond (publish) to seconds (a tracker slice under load).
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class PipelineMetrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry(auto_describe=True)
        self.reports_in = Counter(
            "dronewall_reports_in", "Reports that entered the pipeline", ["sensor_kind"], registry=r
        )
        self.reports_rejected = Counter(
            "dronewall_reports_rejected", "Malformed reports rejected at the source", registry=r
        )
        self.tracks = Gauge("dronewall_tracks", "Confirmed tracks in the picture", registry=r)
        self.tracks_by_class = Gauge(
            "dronewall_tracks_by_class", "Confirmed tracks by class label", ["label"], registry=r
        )
        self.alerts_active = Gauge("dronewall_alerts_active", "Alerts not cleared", registry=r)
        self.alert_events = Counter(
            "dronewall_alert_events", "Alert events by kind", ["kind"], registry=r
        )
        self.frames = Counter("dronewall_frames", "Picture frames published", registry=r)
        self.queue_depth = Gauge(
            "dronewall_queue_depth", "Items waiting in a stage's queue", ["queue"], registry=r
        )
        self.queue_capacity = Gauge(
            "dronewall_queue_capacity", "Bound of a stage's queue", ["queue"], registry=r
        )
        self.stage_latency = Histogram(
            "dronewall_stage_latency_seconds",
            "Wall time a stage spent on one item",
            ["stage"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.ingest_to_publish = Histogram(
            "dronewall_ingest_to_publish_seconds",
            "From the oldest report of a frame entering the pipeline to the frame's publication",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.shed = Counter(
            "dronewall_shed",
            "Work dropped under overload, by what was dropped",
            ["work"],
            registry=r,
        )
        self.backpressure = Counter(
            "dronewall_backpressure_seconds",
            "Time the source waited for room in the ingest queue",
            registry=r,
        )
        self.data_time = Gauge(
            "dronewall_data_time_seconds", "Data time of the picture", registry=r
        )
        self.speed = Gauge(
            "dronewall_speed_ratio", "Data seconds processed per wall second (recent)", registry=r
        )
        self.actions = Counter(
            "dronewall_operator_actions", "Operator actions on alerts", ["action"], registry=r
        )
        self.errors = Counter(
            "dronewall_stage_errors",
            "Items a stage failed on (logged, skipped)",
            ["stage"],
            registry=r,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
