"""Tracker settings, with the reason for each default."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TrackerConfig:
    """Every knob of the tracker. Defaults suit drones among airliners and birds."""

    # Motion: an IMM of nearly constant velocity and coordinated turns left and right at a
    # gentle and a fast rate: airliners and drones on route turn at ≤ 3–4°/s (a standard-rate
    # turn is 3°/s), thermalling gliders, helicopters and quadcopters at 10–20°/s (a glider
    # circling in a thermal at 25 m/s with 45° of bank: ~22°/s).
    process_noise: float = 1.0  # m²/s³ per axis for the NCV model (white-noise acceleration)
    turn_rate_deg_s: float = 4.0  # the gentle turn models' rate; 0 or imm=False: NCV only
    fast_turn_rate_deg_s: float = 15.0  # the fast turn models' rate; 0: none
    turn_process_noise: float = 1.0  # m²/s³ per axis in the turn models
    imm: bool = True
    mean_sojourn_s: float = 20.0  # how long a target stays in one motion mode on average
    # Association: Mahalanobis gate (χ², chance the right detection falls outside ~1e-3).
    gate_chi2: dict[int, float] | None = None  # by measurement dimension; None → 99.9% quantiles
    # Initiation
    initial_speed_sigma: float = 60.0  # m/s per axis: velocity uncertainty of a one-point track
    default_altitude_m: float = 150.0  # assumed for bearings without elevation
    triangulation_window_s: float = 1.5  # bearings from different sensors this close in time
    max_bearing_miss_m: float = 300.0  # a third bearing must pass this close to join a fix
    # Track management
    confirm_hits: int = 3  # at least this many updates before confirmation (Stone Soup's 3)
    tentative_timeout_s: float = 2.5  # a tentative track dies after this long without update
    # A confirmed track dies after this long without update, or after ``coast_revisits`` of
    # its expected revisit (the mean interval between its updates: 8.5 s for an ADS-B/FLARM
    # network feed, 4 s for a surveillance radar), whichever is longer.
    coast_timeout_s: float = 10.0
    coast_revisits: float = 2.5
    # A track carrying a cooperative identity (ADS-B, FLARM, Remote ID) is an aircraft or a
    # registered drone, not clutter: it survives this long without update (network feeds
    # relay each aircraft every 7–10 s and may skip a beat).
    cooperative_timeout_s: float = 25.0
    max_position_sigma_m: float = 5_000.0  # or when its position uncertainty grows beyond this
    # Existence (``existence``): confirmation and deletion by a sequential likelihood ratio of
    # "object" against "clutter"; False: by ``confirm_hits`` and timeouts alone.
    existence: bool = True
    false_confirm_probability: float = 1e-4  # α of Wald's test: a clutter track confirmed
    # β: a real track deleted. Small (≈ 13 misses at P_D 0.8), since a radar's P_D falls with
    # range below what it declares and reports delayed past the reorder window look like
    # misses: a run of them far out must not end a real track (the crossing test, the
    # out-of-sequence tests); the quiet timeouts end tracks that are gone.
    false_delete_probability: float = 1e-9
    # New objects per m² per look: the prior odds of a first report being real
    new_target_density: float = 1e-9
    clutter_cell_m: float = 1_000.0  # clutter map cells: a wind farm or motorway stretch
    clutter_sector_deg: float = 2.0  # clutter map sectors of bearing sensors
    clutter_memory_s: float = 60.0  # the clutter map forgets with this time constant
    clutter_prior_looks: float = 10.0  # weight of the declared density, in looks
    # Evidence for identify: a track counts the distinct RF detectors that updated it in this
    # window (TrackBatch.rf_stations). A DF station reports an emitter about once a second, so
    # a minute spans the gaps of a drone turning or dipping behind a building, while a bird
    # crossing the ray of a second station within the same minute is rare.
    rf_station_window_s: float = 60.0
    # Time
    reorder_window_s: float = 2.0  # reports up to this late are used; older ones dropped
    # True: reports wait the reorder window and are processed in time order, in whole slices
    # (offline: results do not depend on how reports were chunked). False (the live
    # pipeline): reports are released as soon as every sensor still reporting has reported up
    # to their time (a watermark), so only a late sensor holds the others back, by its own
    # lateness. Either way a report later still updates its track out of sequence: the
    # late-reports part (default ``retrodiction.Refiltering``) re-filters the track from its
    # stored history of the last 10 s. tests/tracking/test_out_of_sequence.py measures both
    # modes against in-order processing.
    hold_back: bool = True
    batch_s: float = 1.0  # reports are associated in time slices of this length, per sensor

    def gate(self, dimension: int) -> float:
        table = self.gate_chi2 or _CHI2_999
        return table[dimension]


# χ² 99.9% quantiles for 1, 2 and 3 degrees of freedom.
_CHI2_999 = {1: 10.83, 2: 13.82, 3: 16.27}
