"""Administrative maps: which units exist in a review year, their legal types, and how the July 2025
reform converted the old units into new ones. One concept per module:

- `names`: how the official files' names and notes are normalised;
- `sources`: reading the official tables in `data/admin/` (and the explicit patch table);
- `maps`: `AdminMap` and `admin_map(year)`, chosen by `data/admin/maps.yaml`.
"""

from rasoat.admin.maps import (
    AdminMap,
    ClosedUnitError,
    Constituent,
    NoMapError,
    Successor,
    Unit,
    UnknownUnitError,
    admin_map,
    all_maps,
)

__all__ = [
    "AdminMap",
    "ClosedUnitError",
    "Constituent",
    "NoMapError",
    "Successor",
    "Unit",
    "UnknownUnitError",
    "admin_map",
    "all_maps",
]
