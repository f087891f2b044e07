"""Data contracts of the flywheel: declared once as pydantic models.

Arrow/Parquet schemas are derived from these models in `schemas.arrow`, never written by hand.
"""

SCHEMA_VERSION = 1
