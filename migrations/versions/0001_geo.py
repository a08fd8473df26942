"""Reference geography: regions, municipalities, postcode areas, with their data.

Revision ID: 0001_geo
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from market.geo import reference

revision: str = "0001_geo"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    regions = op.create_table(
        "labour_market_regions",
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("provinces", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_labour_market_regions")),
    )
    municipalities = op.create_table(
        "municipalities",
        sa.Column("cbs_code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("province", sa.String(length=50), nullable=False),
        sa.Column("region_code", sa.String(length=4), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["labour_market_regions.code"],
            name=op.f("fk_municipalities_region_code_labour_market_regions"),
        ),
        sa.PrimaryKeyConstraint("cbs_code", name=op.f("pk_municipalities")),
    )
    op.create_index(op.f("ix_municipalities_name"), "municipalities", ["name"])
    op.create_index(op.f("ix_municipalities_region_code"), "municipalities", ["region_code"])
    postcodes = op.create_table(
        "postcode_areas",
        sa.Column("pc4", sa.String(length=4), nullable=False),
        sa.Column("municipality_code", sa.String(length=6), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.cbs_code"],
            name=op.f("fk_postcode_areas_municipality_code_municipalities"),
        ),
        sa.PrimaryKeyConstraint("pc4", name=op.f("pk_postcode_areas")),
    )
    op.bulk_insert(regions, reference.regions())
    op.bulk_insert(municipalities, reference.municipalities())
    op.bulk_insert(postcodes, reference.postcode_areas())


def downgrade() -> None:
    op.drop_table("postcode_areas")
    op.drop_table("municipalities")
    op.drop_table("labour_market_regions")
