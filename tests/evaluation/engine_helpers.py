"""Builders shared by the engine tests (pure: no database)."""
import polars as pl

from zoneops.evaluation.engine import FIGURES

SCHEMA = {"key": pl.Int64, "scale": pl.Utf8, "is_lessee": pl.Boolean, "producing": pl.Boolean,
          **{c: pl.Float64 for c in FIGURES}, "merge_key": pl.Utf8, "exempt_reason": pl.Utf8}
DEFAULTS = {"scale": "above", "is_lessee": False, "producing": True, "merge_key": None, "exempt_reason": None}


def figures(rows):
    """A figures frame from dicts; unspecified figures are missing (null)."""
    full = [{**DEFAULTS, **{c: None for c in FIGURES}, **r} for r in rows]
    return pl.DataFrame(full, schema=SCHEMA)


def row(frame, key):
    return frame.filter(pl.col("key") == key).row(0, named=True)
