"""The SEC framework as data: taxonomy, benchmark profiles, industry presets. No Qt here."""

from sec_desktop.framework.loader import FrameworkError, framework_from_data, load_framework
from sec_desktop.framework.model import (
    AmbiguousActivity,
    Band,
    BenchmarkProfile,
    Framework,
    Level,
    Node,
    Preset,
    UnknownActivity,
)

__all__ = [
    "AmbiguousActivity",
    "Band",
    "BenchmarkProfile",
    "Framework",
    "FrameworkError",
    "Level",
    "Node",
    "Preset",
    "UnknownActivity",
    "framework_from_data",
    "load_framework",
]
