"""dronewall: fused counter-drone air picture."""

__version__ = "0.1.0"
