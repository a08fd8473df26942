"""A deterministic, clearly fictional world of providers, courses and intakes.

Shaped by the figures in DOMAIN.md: 137 certified providers (plus a few uncertified and
a few whose mark expired), spread over the labour-market regions in proportion to
population; 2 to 6 courses each, mostly B1, some Z, a few Onderwijsroute at ROC- or
hbo-like providers; more than half of the providers with a waitlist averaging 10 weeks;
evening lessons mostly in the larger municipalities. The same seed and date always give
the same world. No real school is named: every name is made from invented words.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

CERTIFIED_PROVIDERS = 137
UNCERTIFIED_PROVIDERS = 5
EXPIRED_PROVIDERS = 4
# Share of certified providers with an Onderwijsroute diploma recognition (34 of 137).
DIPLOMA_RECOGNISED = 34
LARGE_MUNICIPALITY = 100_000

_FIRST = [
    "Woord",
    "Taal",
    "Zin",
    "Klank",
    "Letter",
    "Praat",
    "Spreek",
    "Lees",
    "Vertel",
    "Luister",
]
_SECOND = [
    "brug",
    "pad",
    "huis",
    "haven",
    "tuin",
    "atelier",
    "werf",
    "lijn",
    "kompas",
    "veld",
]
_KINDS = ["Taalschool", "Taalinstituut", "Taalcentrum", "Leerhuis"]
_COLLEGE = ["ROC", "Vakcollege", "Hogeschool"]
_SUPPORT_LANGUAGES = ["en", "ar", "tr", "uk", "ti", "fa", "so", "pl", "es", "fr"]
_STREETS = ["Kerkstraat", "Stationsplein", "Marktweg", "Schoolstraat", "Dorpsstraat", "Lindelaan"]


@dataclass
class DemoIntake:
    location_index: int | None  # index into the provider's locations; None for online
    start_date: date | None  # None: continuous intake
    weekly_schedule: list[dict[str, Any]]
    capacity: int
    seats_taken: int
    waitlist_weeks: int


@dataclass
class DemoCourse:
    title: str
    description: str
    route: str  # B1 | ONDERWIJS | Z
    target_level: str  # A1 | A2 | B1 | B2
    stream: str | None  # MBO | HBO | WO for ONDERWIJS
    components: list[str]
    total_hours: int
    language_hours: int
    hours_per_week: int
    format: str  # CLASSROOM | ONLINE | BLENDED
    schedule_kinds: list[str]  # DAYTIME | EVENING | WEEKEND
    max_class_size: int
    support_languages: list[str]
    price_cents: int
    price_includes: list[str]
    exam_training_included: bool
    cancellation_terms: str
    intakes: list[DemoIntake] = field(default_factory=list)


@dataclass
class DemoLocation:
    name: str
    address: str
    postcode: str
    municipality_code: str
    latitude: float
    longitude: float


@dataclass
class DemoProvider:
    name: str
    slug: str
    kvk_number: str | None
    municipality_code: str
    website: str
    description: str
    certification_number: str | None
    certified_from: date | None
    certified_until: date | None
    certification_verified: bool
    diploma_recognition: bool
    star_rating: str | None  # "1".."4" or "aspirant"
    locations: list[DemoLocation] = field(default_factory=list)
    courses: list[DemoCourse] = field(default_factory=list)


@dataclass(frozen=True)
class Municipal:
    code: str
    name: str
    region_code: str
    population: int


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), summing exactly."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


class Generator:
    def __init__(
        self,
        municipalities: Sequence[Municipal],
        postcodes: dict[str, list[tuple[str, float, float]]],
        *,
        today: date,
        seed: int = 2021,
    ) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.municipalities = sorted(municipalities, key=lambda m: m.code)
        self.postcodes = postcodes  # municipality code -> its PC4 areas with centroids
        self._names: set[str] = set()

    def providers(self) -> list[DemoProvider]:
        kinds = (
            ["certified"] * CERTIFIED_PROVIDERS
            + ["uncertified"] * UNCERTIFIED_PROVIDERS
            + ["expired"] * EXPIRED_PROVIDERS
        )
        homes = self._homes(len(kinds))
        recognised = set(self.rng.sample(range(CERTIFIED_PROVIDERS), DIPLOMA_RECOGNISED))
        return [
            self._provider(i, kind, home, i in recognised)
            for i, (kind, home) in enumerate(zip(kinds, homes, strict=True))
        ]

    def scale_providers(self, course_count: int) -> list[DemoProvider]:
        """A large world for benchmarks: 4 courses of 3 intakes per provider, all certified."""
        count = -(-course_count // 4)
        homes = self._homes(count)
        providers = []
        for i, home in enumerate(homes):
            courses = min(4, course_count - 4 * i)
            provider = self._provider(i, "certified", home, i % 4 == 0, courses=courses, intakes=3)
            provider.kvk_number = None  # unique in the database: leave it out at scale
            providers.append(provider)
        return providers

    def _homes(self, count: int) -> list[Municipal]:
        """Home municipalities: regions by population share, towns weighted by size."""
        by_region: dict[str, list[Municipal]] = {}
        for m in self.municipalities:
            by_region.setdefault(m.region_code, []).append(m)
        regions = sorted(by_region)
        counts = allocate(count, [sum(m.population for m in by_region[r]) for r in regions])
        homes: list[Municipal] = []
        for region, n in zip(regions, counts, strict=True):
            towns = by_region[region]
            homes += self.rng.choices(towns, weights=[m.population for m in towns], k=n)
        self.rng.shuffle(homes)
        return homes

    def _name(self, college: bool, town: str) -> str:
        word = self.rng.choice(_FIRST) + self.rng.choice(_SECOND)
        kind = self.rng.choice(_COLLEGE if college else _KINDS)
        name = f"{kind} {word} {town}" if college else f"{word} {kind} {town}"
        if name in self._names:
            name = f"{name} {len(self._names)}"
        self._names.add(name)
        return name

    def _provider(
        self,
        index: int,
        kind: str,
        home: Municipal,
        recognised: bool,
        *,
        courses: int | None = None,
        intakes: int | None = None,
    ) -> DemoProvider:
        rng = self.rng
        name = self._name(recognised, home.name.replace("'s-", ""))
        slug = "".join(c for c in name.lower() if c.isalnum())[:40]
        if kind == "uncertified":
            number, valid_from, valid_until, stars = None, None, None, None
        else:
            number = f"BoW-{10000 + index}"
            valid_from = self.today - timedelta(days=rng.randint(200, 1000))
            valid_until = (
                self.today - timedelta(days=rng.randint(10, 200))
                if kind == "expired"
                else self.today + timedelta(days=rng.randint(60, 1100))
            )
            stars = rng.choices(["aspirant", "1", "2", "3", "4"], weights=[1, 2, 4, 4, 2])[0]
        provider = DemoProvider(
            name=name,
            slug=slug,
            kvk_number=f"9{index:07d}",
            municipality_code=home.code,
            website=f"https://{slug}.example",
            description=(
                f"{name} is a fictitious provider in the demo data of the market, "
                f"teaching Dutch to newcomers in and around {home.name}."
            ),
            certification_number=number,
            certified_from=valid_from,
            certified_until=valid_until,
            certification_verified=kind != "uncertified",
            diploma_recognition=recognised,
            star_rating=stars,
        )
        provider.locations = self._locations(provider, home)
        # More than half of providers have a waitlist, of about 10 weeks where they have one.
        wait_weeks = max(2, round(rng.gauss(10, 3))) if rng.random() < 0.55 else 0
        for _ in range(courses if courses is not None else rng.randint(2, 6)):
            provider.courses.append(self._course(provider, home, wait_weeks, intakes))
        return provider

    def _locations(self, provider: DemoProvider, home: Municipal) -> list[DemoLocation]:
        neighbours = [m for m in self.municipalities if m.region_code == home.region_code]
        extra = self.rng.sample(neighbours, k=min(len(neighbours), self.rng.randint(0, 2)))
        towns = [home, *extra]
        locations = []
        for town in dict.fromkeys(towns):
            pc4, latitude, longitude = self.rng.choice(self.postcodes[town.code])
            letters = "".join(self.rng.choice("ABCDEGHJKLMNPRSTVWXZ") for _ in range(2))
            locations.append(
                DemoLocation(
                    name=f"Leslocatie {town.name}",
                    address=f"{self.rng.choice(_STREETS)} {self.rng.randint(1, 180)}",
                    postcode=f"{pc4} {letters}",
                    municipality_code=town.code,
                    latitude=latitude,
                    longitude=longitude,
                )
            )
        return locations

    def _course(
        self, provider: DemoProvider, home: Municipal, wait_weeks: int, intakes: int | None
    ) -> DemoCourse:
        rng = self.rng
        certified = provider.certification_verified
        route = rng.choices(["B1", "Z", "ONDERWIJS"], weights=[78, 15 if certified else 0, 7])[0]
        if route == "ONDERWIJS" and not provider.diploma_recognition:
            route = "B1"
        large = home.population >= LARGE_MUNICIPALITY
        kinds = ["DAYTIME"]
        if rng.random() < (0.6 if large else 0.15) and route != "ONDERWIJS":
            kinds.append("EVENING")
        if rng.random() < (0.2 if large else 0.05) and route != "ONDERWIJS":
            kinds.append("WEEKEND")
        if route == "B1":
            level = rng.choices(["B1", "A2", "B2"], weights=[80, 15, 5])[0]
            hours = rng.choice([200, 300, 400, 500, 600])
            per_hour = rng.randint(1100, 2600)
            components = ["LANGUAGE", "KNM"] + (["MAP"] if rng.random() < 0.4 else [])
            stream, title = None, f"B1-route Nederlands {level}"
        elif route == "Z":
            level, stream = "A1", None
            hours = rng.choice([800, 900, 1000])
            per_hour = rng.randint(900, 1300)
            components = ["LANGUAGE", "KNM", "LITERACY"][: rng.randint(2, 3)]
            title = "Z-route: zelfredzaam in het Nederlands"
        else:
            level = rng.choice(["B1", "B2"])
            stream = rng.choice(["MBO", "MBO", "HBO", "WO"])
            hours = rng.choice([900, 1000, 1200])
            per_hour = rng.randint(1300, 1800)
            components = ["LANGUAGE", "KNM", "MAP"]
            title = f"Schakeltraject naar {stream.lower()} ({level})"
        if "EVENING" in kinds:
            title += " (avondles)"
        per_week = rng.choice([6, 8, 10, 12]) if route != "ONDERWIJS" else rng.choice([16, 20])
        course_format = rng.choices(["CLASSROOM", "BLENDED", "ONLINE"], weights=[70, 20, 10])[0]
        if route == "Z":
            course_format = "CLASSROOM"
        language_hours = hours if route == "Z" else int(hours * 0.9)
        course = DemoCourse(
            title=title,
            description=(
                f"{title} bij {provider.name}: {hours} lesuren, {per_week} uur per week. "
                "Fictitious course in the demo data."
            ),
            route=route,
            target_level=level,
            stream=stream,
            components=components,
            total_hours=hours,
            language_hours=language_hours,
            hours_per_week=per_week,
            format=course_format,
            schedule_kinds=kinds,
            max_class_size=rng.choice([8, 10, 12, 14, 16]),
            support_languages=sorted(rng.sample(_SUPPORT_LANGUAGES, k=rng.randint(0, 3))),
            price_cents=hours * per_hour // 100 * 100,
            price_includes=["lesmateriaal"] + (["examentraining"] if rng.random() < 0.6 else []),
            exam_training_included=rng.random() < 0.6,
            cancellation_terms=(
                "14 dagen bedenktijd; daarna kosteloos annuleren tot 4 weken voor de start, "
                "daarna 50% van de cursusprijs."
            ),
        )
        course.intakes = self._intakes(provider, course, wait_weeks, kinds, intakes)
        return course

    def _intakes(
        self,
        provider: DemoProvider,
        course: DemoCourse,
        wait_weeks: int,
        kinds: list[str],
        count: int | None,
    ) -> list[DemoIntake]:
        rng = self.rng
        continuous = count is None and course.route != "ONDERWIJS" and rng.random() < 0.3
        starts: list[date | None] = (
            [None]
            if continuous
            else [
                self.today + timedelta(weeks=rng.randint(1, 20))
                for _ in range(count or rng.randint(1, 3))
            ]
        )
        intakes = []
        for start in starts:
            capacity = course.max_class_size
            full = wait_weeks > 0 and rng.random() < 0.7
            taken = capacity if full else rng.randint(0, capacity - 1)
            wait = wait_weeks if full else 0
            location = None if course.format == "ONLINE" else rng.randrange(len(provider.locations))
            intakes.append(
                DemoIntake(
                    location_index=location,
                    start_date=start,
                    weekly_schedule=_schedule(kinds, course.hours_per_week),
                    capacity=capacity,
                    seats_taken=taken,
                    waitlist_weeks=wait,
                )
            )
        return intakes


def _schedule(kinds: list[str], hours_per_week: int) -> list[dict[str, Any]]:
    """Lessons of 2 to 4 hours on weekdays (mornings or evenings) and Saturdays."""
    slots: list[tuple[int, time]] = []
    if "EVENING" in kinds:
        slots += [(day, time(18, 30)) for day in (1, 3)]
    if "WEEKEND" in kinds:
        slots.append((6, time(10, 0)))
    slots += [(day, time(9, 0)) for day in (1, 2, 3, 4, 5)]
    lessons = []
    remaining = hours_per_week
    for weekday, start in slots:
        if remaining <= 0:
            break
        length = min(remaining, 4 if start.hour < 12 else 3)
        end = time(start.hour + length, start.minute)
        lessons.append({"weekday": weekday, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"})
        remaining -= length
    return sorted(lessons, key=lambda lesson: lesson["weekday"])
