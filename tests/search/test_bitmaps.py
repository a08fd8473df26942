"""PostgreSQL's search bitmaps stay equal to the keys of the rows they index, whatever
the catalog writes in between (each write applies only its differences)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from market.db.database import Database
from tests.support.catalog import add_course, add_intake, add_location, add_provider, today

# Every (key, slot) whose bit is set.
STORED = """
SELECT b.key, (b.chunk << 12) + i AS slot
FROM search_bitmaps b, generate_series(0, 4095) i
WHERE get_bit(b.bits, i) = 1
"""
# Every (key, slot) the rows have now, as a bulk rebuild would set them.
EXPECTED = """
SELECT k AS key, s.slot
FROM search_courses s
JOIN search_course_texts t ON t.course_id = s.course_id
CROSS JOIN unnest(search_keys(s, t.document, t.names,
                              (now() AT TIME ZONE 'Europe/Amsterdam')::date)) k
"""


async def bits(db: Database, query: str) -> set[tuple[str, int]]:
    async with db.reader() as session:
        return {(row.key, row.slot) for row in await session.execute(text(query))}


async def write(db: Database, statement: str, **values: object) -> None:
    async with db.transaction() as session:
        await session.execute(text(statement), values)


async def test_bitmaps_follow_every_kind_of_catalog_change(db: Database) -> None:
    provider = await add_provider(db, name="Taalhuis Bitmap")
    location = await add_location(db, provider)
    cheap = await add_course(db, provider, title="Avondles Nederlands", price_cents=150_000)
    dear = await add_course(db, provider, price_cents=900_000)
    gone = await add_course(db, provider)
    for course in (cheap, dear, gone):
        await add_intake(db, course, location, starts_on=today() + timedelta(days=20))
    listed = await bits(db, STORED)
    assert ("n:avondles", await slot_of(db, cheap)) in listed
    assert listed == await bits(db, EXPECTED)

    # A course changes price, title and schedule; one is archived; an intake goes; the
    # provider is renamed and loses its mark.
    await write(
        db,
        "UPDATE courses SET price_cents = 480000, title = 'Weekendcursus',"
        " schedule_kinds = '{weekend}' WHERE id = :id",
        id=cheap,
    )
    await write(db, "UPDATE courses SET status = 'archived' WHERE id = :id", id=gone)
    await write(db, "DELETE FROM intakes WHERE course_id = :id", id=dear)
    await write(
        db, "UPDATE organisations SET name = 'Taalhuis Hernoemd' WHERE id = :id", id=provider
    )
    await write(
        db,
        "UPDATE provider_profiles SET certification_verified_at = NULL WHERE organisation_id = :id",
        id=provider,
    )

    after = await bits(db, STORED)
    assert after == await bits(db, EXPECTED)
    cheap_slot = await slot_of(db, cheap)
    assert ("n:avondles", cheap_slot) not in after
    assert {("n:weekendcursus", cheap_slot), ("p:000048", cheap_slot)} <= after
    assert ("live", await slot_of(db, dear)) not in after  # no intake left: not listed
    assert ("c", cheap_slot) not in after
    assert ("n:hernoemd", cheap_slot) in after


async def slot_of(db: Database, course_id: object) -> int:
    async with db.reader() as session:
        slot = await session.scalar(
            text("SELECT slot FROM search_courses WHERE course_id = :id"), {"id": course_id}
        )
    assert slot is not None
    return int(slot)
