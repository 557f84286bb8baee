"""Runtime: wiring of the stages into pipelines (offline runs now; live pipeline, bus and
store to come)."""
