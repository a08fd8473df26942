"""Per-request DataLoaders of enrollment (see market.api.graphql.catalog.loaders)."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from market.api.graphql.context import Info
from market.api.graphql.dataloaders import loader
from market.enrollment import service


def places_in_line(info: Info) -> DataLoader[uuid.UUID, int | None]:
    return loader(info, "enrollment.places_in_line", service.places_in_line)
