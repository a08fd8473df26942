"""Every page area's routes, under /{lang}/: one module per area, one line each here."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from market.web.pages import account, auth, booking, bookings, compare, courses, search

PAGES: list[ControllerRouterHandler] = [
    *auth.ROUTES,
    *account.ROUTES,
    *booking.ROUTES,
    *bookings.ROUTES,
    *search.ROUTES,
    *courses.ROUTES,
    *compare.ROUTES,
]
