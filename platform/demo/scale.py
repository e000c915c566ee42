"""Fabricated data at the scale of a large council (PERFORMANCE.md, "Scale to design for").

``council_generate_large`` fills the current council schema with agencies, practitioners and their accounts,
clients (with previous names), families, involvements and the team activity they imply (each client added, each
practitioner joining and leaving): Staffordshire's 300,000 clients and a million involvements in a few minutes.
Rows are generated in Python from one seeded ``random.Random`` (names are sampled from pools built once from
Faker's en_GB lists and ``demo.people``; Faker is never called per row) and streamed to PostgreSQL with
``COPY``. Table and column names come from the models' ``_meta``; a column the generator does not fill gets its
field's default, so a new nullable or defaulted field needs nothing here.

Realistic, never real: surnames at their published frequencies (Smith is about one client in eighty), the towns,
streets and postcode districts of Staffordshire, ``.example`` email domains, phone numbers from the ranges Ofcom
keeps for drama, NHS numbers from the 999 range. The practitioners' accounts have unusable passwords: these are
accounts nobody signs in to.

Within the database's rules: one current involvement per client and practitioner, at most one current lead
professional per client, ended involvements end after they start, sensitive agencies have a gateway contact.
"""

import bisect
import dataclasses
import datetime
import itertools
import random
import string
import uuid
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import NOT_PROVIDED, Field, Model
from django.db.models.fields import AutoFieldMixin
from django.utils.text import slugify
from django_tenants.utils import get_public_schema_name
from faker.providers.person import en_GB, en_IE, en_IN, en_NZ
from psycopg import sql

from core.accounts.models import User
from core.clients.models import Client, ClientAlias, Family, FamilyMember, Involvement, TeamActivity
from core.directory.models import Agency, AgencyType, ApprovalState, ContactMethod, Practitioner
from core.governance.models import LegalBasis
from demo.addresses import uk_postcode
from demo.identifiers import local_case_id, nhs_number, unique_pupil_number
from demo.jobs import ADULT, PRIMARY, SECONDARY, UNDER_FIVE, Job, Workforce, age_band, workforce
from demo.people import ADULT_NAMES, CHILD_NAMES, SURNAMES, email_local_part
from demo.phones import e164, uk_landline, uk_mobile
from demo.places import DUTY_HOURS, STAFFORDSHIRE
from demo.populate import TODAY
from demo.staff import MOBILE_FIRST_KINDS
from demo.teams import ADULT_ENDED, ADULT_TEAM_SIZES, CHILD_ENDED, CHILD_TEAM_SIZES, FAMILY_KINDS, JOIN_REASONS
from tenants.jurisdictions import Jurisdiction

Progress = Callable[[str, int, int], None]

ENDED_SHARE = 0.25  # of involvements
MAX_TEAM = 50  # current involvements of one client
MAX_ENDED = 12
FAMILY_SIZES = ((2, 3, 4, 5, 6), (30, 30, 22, 12, 6))
AGENCIES = 300  # at full size; fewer for a small council (about one per 25 practitioners, every kind present)
PRACTITIONERS_PER_AGENCY = 25
PROGRESS_EVERY = 50_000
ATTEMPTS = 40  # draws from a weighted pool before falling back to any free practitioner
SAME_AGENCY_REJECTED = 0.9  # a second worker from an agency already in the team is unusual
HOUSEHOLD_WORKER_SHARE = 0.8  # siblings mostly see the same family-facing worker
LA_CODE = STAFFORDSHIRE.la_code
CASE_ID_PREFIX = STAFFORDSHIRE.case_id_prefix
GENERATED_AT = datetime.datetime.combine(TODAY, datetime.time(6, 0), tzinfo=datetime.UTC)
MINUTES_A_DAY = 24 * 60

Relationship = FamilyMember.Relationship
_UNUSABLE_CHARACTERS = string.ascii_letters + string.digits  # after "!": Django's mark of an unusable password


# Columns -------------------------------------------------------------------------------------------------------


class _Table:
    """COPY into one model's table: the fields a generated row gives, in order, then every other column's default.

    Names come from ``_meta``; a column the database fills itself (serial primary key, generated column, database
    default) is left out; a NOT NULL column with no default that the generator does not fill is an error here, not
    a failed COPY a minute later.
    """

    def __init__(self, model: type[Model], fields: Sequence[str]) -> None:
        meta = model._meta
        given = [meta.get_field(name) for name in fields]
        rest = [field for field in meta.concrete_fields if field not in given and not _database_fills(field)]
        self.name: str = meta.db_table
        self.columns = [field.column for field in (*given, *rest)]
        self.model = model
        self.constant = all(not _default_per_row(field) for field in rest)
        self._rest = rest
        self.constants = tuple(_default(model, field) for field in rest) if self.constant else ()

    def defaults(self) -> tuple[object, ...]:
        return self.constants if self.constant else tuple(_default(self.model, field) for field in self._rest)

    def statement(self) -> sql.Composed:
        columns = sql.SQL(", ").join(sql.Identifier(column) for column in self.columns)
        return sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(self.name), columns)


def _database_fills(field: Field) -> bool:
    if field.primary_key and isinstance(field, AutoFieldMixin):
        return True
    if getattr(field, "generated", False):
        return True
    return getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED


def _default_per_row(field: Field) -> bool:
    """A unique column with a callable default (a token, say) needs a fresh value on every row."""
    return bool(field.unique and field.has_default() and callable(field.default))


def _default(model: type[Model], field: Field) -> object:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return GENERATED_AT
    if field.has_default():
        return field.get_db_prep_save(field.get_default(), connection)
    if field.null:
        return None
    if field.empty_strings_allowed:
        return ""
    raise RuntimeError(
        f"{model.__name__}.{field.name} is NOT NULL without a default: teach core/demo/scale.py to fill it."
    )


# Names ---------------------------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


class _Weighted:
    """Draw from a fixed population with fixed weights, quickly (one bisect per draw)."""

    def __init__(self, population: Sequence[str], weights: Sequence[float]) -> None:
        self.population = tuple(population)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random) -> str:
        return self.population[bisect.bisect(self.cumulative, rng.random() * self.total)]


# Surname-like place names, for the long tail of rare surnames ("Ashworth", "Whitfield", "Brockhurst").
_TOPONYM_HEADS = _words(
    "Ash Brad Brom Cal Chad Craw Dal Elm Farn Fen Gold Hal Hart Hol Kirk Lang Mar Nor Pen Rad Ren Sand Shel Stan "
    "Thorn Wad Wen Whit Wil Win Ald Bar Brock Cran Dun Fair Gar Ham Hen Lid Long Mil Mor New Red Ros Sher Stock Thur "
    "Wal West Wool Ack Barn Birk Bish Black Brant Brook Burn Carl Cold Dart Dray Ever Fox Grim"
)
_TOPONYM_TAILS = _words(
    "ley ton worth field ford wood by ham stead well bridge combe dale hurst more shaw wick cott den ridge thorpe bury "
    "land gate croft"
)


def _surname_draw(rng: random.Random) -> _Weighted:
    """England's top forty at their published frequency, then a long tail that falls away like real surnames.

    The top forty (``demo.people``, per 10,000 people) cover 11% of people. The rest share the other 89% with
    weights that fall as a power of the rank, starting just below the fortieth name: Faker's en_GB surnames (ranked
    by their own frequency), then Irish, New Zealand and Indian surnames and surname-like place names, shuffled.
    """
    top = SURNAMES[Jurisdiction.ENGLAND]
    seen = set(top)
    british = sorted(en_GB.Provider.last_names.items(), key=lambda item: (-item[1], item[0]))
    tail = [name for name, _ in british if name not in seen]
    seen.update(tail)
    others = [
        *en_NZ.Provider.last_names,
        *en_IE.Provider.last_names,
        *en_IN.Provider.last_names,
        *(head + ending for head in _TOPONYM_HEADS for ending in _TOPONYM_TAILS),
    ]
    extra = sorted({name for name in others if name not in seen and name.isascii() and name.isalpha()})
    rng.shuffle(extra)
    tail += extra
    first = min(top.values())
    start = len(top)
    wanted = 10_000 - sum(top.values())

    def tail_weights(power: float) -> list[float]:
        return [first * (start / (start + rank)) ** power for rank in range(1, len(tail) + 1)]

    low, high = 0.0, 4.0
    if sum(tail_weights(low)) < wanted:  # too few names for the tail: share it evenly
        weights = [wanted / len(tail)] * len(tail)
    else:
        for _ in range(60):
            middle = (low + high) / 2
            low, high = (middle, high) if sum(tail_weights(middle)) > wanted else (low, middle)
        weights = tail_weights(low)
    return _Weighted([*top, *tail], [*top.values(), *weights])


def _first_name_draw(preferred: Sequence[str], preferred_share: float, others: Sequence[str]) -> _Weighted:
    """``preferred`` in order of popularity (falling like 1/rank), the others evenly, ``preferred_share`` of draws."""
    popularity = [1 / (rank + 4) for rank in range(len(preferred))]
    scale = preferred_share / sum(popularity)
    rest = [name for name in dict.fromkeys(others) if name not in preferred]
    return _Weighted(
        [*preferred, *rest],
        [*(weight * scale for weight in popularity), *([(1 - preferred_share) / len(rest)] * len(rest))],
    )


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.surname = _surname_draw(rng)
        england = Jurisdiction.ENGLAND
        british = {"F": en_GB.Provider.first_names_female, "M": en_GB.Provider.first_names_male}
        irish = {"F": en_IE.Provider.first_names_female, "M": en_IE.Provider.first_names_male}
        indian = {"F": en_IN.Provider.first_names_female, "M": en_IN.Provider.first_names_male}
        # Children's names beyond England's top forty: Victoria's (much the same generation), some of their
        # parents' generation, and South Asian names.
        young = {sex: [*CHILD_NAMES[Jurisdiction.VICTORIA][sex], *ADULT_NAMES[england][sex]] for sex in "FM"}
        self.child = {
            sex: _first_name_draw(CHILD_NAMES[england][sex], 0.85, [*young[sex], *indian[sex][:40]]) for sex in "FM"
        }
        self.adult = {
            sex: _first_name_draw(ADULT_NAMES[england][sex], 0.6, [*british[sex], *irish[sex][:60], *indian[sex][:30]])
            for sex in "FM"
        }

    def first_name(self, rng: random.Random, sex: str, *, adult: bool) -> str:
        return (self.adult if adult else self.child)[sex](rng)


# Places --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Town:
    name: str
    districts: tuple[str, ...]  # postcode districts (outward codes)
    population: int  # thousands, roughly
    streets: tuple[str, ...] = ()


@dataclass(frozen=True)
class _District:
    name: str
    slug: str
    council: str
    towns: tuple[_Town, ...]


_DEMO_STREETS = {(town.name, town.postcodes): town.streets for town in STAFFORDSHIRE.towns}

DISTRICTS: tuple[_District, ...] = (
    _District(
        "Lichfield",
        "lichfield",
        "Lichfield District Council",
        (
            _Town("Lichfield", ("WS13",), 18, _DEMO_STREETS[("Lichfield", ("WS13",))]),
            _Town("Lichfield", ("WS14",), 15, _DEMO_STREETS[("Lichfield", ("WS14",))]),
            _Town("Burntwood", ("WS7",), 27, _DEMO_STREETS[("Burntwood", ("WS7",))]),
            _Town("Alrewas", ("DE13",), 3, _DEMO_STREETS[("Alrewas", ("DE13",))]),
            _Town("Fazeley", ("B78",), 5),
        ),
    ),
    _District(
        "Cannock Chase",
        "cannock",
        "Cannock Chase District Council",
        (
            _Town("Cannock", ("WS11",), 30),
            _Town("Hednesford", ("WS12",), 18),
            _Town("Rugeley", ("WS15",), 24, _DEMO_STREETS[("Rugeley", ("WS15",))]),
            _Town("Norton Canes", ("WS11",), 7),
        ),
    ),
    _District(
        "East Staffordshire",
        "east-staffs",
        "East Staffordshire Borough Council",
        (
            _Town("Burton upon Trent", ("DE13", "DE14", "DE15"), 75),
            _Town("Uttoxeter", ("ST14",), 14),
            _Town("Barton-under-Needwood", ("DE13",), 5),
        ),
    ),
    _District(
        "Newcastle-under-Lyme",
        "newcastle",
        "Newcastle-under-Lyme Borough Council",
        (
            _Town("Newcastle-under-Lyme", ("ST5",), 75),
            _Town("Kidsgrove", ("ST7",), 24),
            _Town("Audley", ("ST7",), 7),
        ),
    ),
    _District(
        "South Staffordshire",
        "south-staffs",
        "South Staffordshire Council",
        (
            _Town("Codsall", ("WV8",), 10),
            _Town("Perton", ("WV6",), 11),
            _Town("Wombourne", ("WV5",), 14),
            _Town("Penkridge", ("ST19",), 9),
            _Town("Cheslyn Hay", ("WS6",), 7),
            _Town("Great Wyrley", ("WS6",), 11),
            _Town("Kinver", ("DY7",), 7),
        ),
    ),
    _District(
        "Stafford",
        "stafford",
        "Stafford Borough Council",
        (
            _Town("Stafford", ("ST16", "ST17"), 70, _DEMO_STREETS[("Stafford", ("ST16", "ST17"))]),
            _Town("Stone", ("ST15",), 17),
            _Town("Eccleshall", ("ST21",), 5),
            _Town("Gnosall", ("ST20",), 4),
        ),
    ),
    _District(
        "Staffordshire Moorlands",
        "moorlands",
        "Staffordshire Moorlands District Council",
        (
            _Town("Leek", ("ST13",), 20),
            _Town("Biddulph", ("ST8",), 17),
            _Town("Cheadle", ("ST10",), 12),
            _Town("Werrington", ("ST9",), 6),
        ),
    ),
    _District(
        "Tamworth",
        "tamworth",
        "Tamworth Borough Council",
        (_Town("Tamworth", ("B77", "B78", "B79"), 78),),
    ),
)

_STREET_WORDS = _words(
    "Church Mill Station Park Victoria Queen King School Oak Beech Ash Birch Chestnut Elm Hawthorn Willow Meadow "
    "Orchard Brook Green Manor Hall Grange Windmill Chapel Castle Bridge Market Springfield Highfield Fairfield "
    "Woodland Riverside Canal Forge Albert Princess Rectory Vicarage Priory Abbey Heath Common Hill Valley Lime "
    "Sycamore Poplar Laburnum Holly Rowan Cedar Larch Hazel Maple Foxglove Primrose Bluebell Kingfisher Swallow Lark "
    "Wren Falcon Chase Trent Dove Sow Tame Churnet Wharf Lock Tollgate Pinfold Cross Bank Cliff Croft Field Lodge Farm "
    "Nursery Well Pool Marsh Moor Wood Ridge Hollow Stone Tudor York Lancaster Windsor Balmoral Sandringham "
    "Wellington Nelson Milton Shakespeare Tennyson Wordsworth Chaucer Brindley Wedgwood Johnson Darwin Garrick Minster "
    "Beacon Cherry Juniper Heather Fern Thistle Clover Linden Spinney Coppice Dingle Glebe Malthouse Tannery Forest"
)
_STREET_KINDS = (
    ("Road", "Street", "Lane", "Avenue", "Close", "Drive", "Way", "Crescent", "Grove", "Gardens", "Place", "View"),
    (20, 14, 12, 10, 14, 10, 6, 6, 5, 3, 3, 3),
)
STREETS_PER_THOUSAND = 3  # people per street: roughly 330


def _streets(rng: random.Random, town: _Town) -> tuple[str, ...]:
    wanted = max(24, STREETS_PER_THOUSAND * town.population)
    streets = dict.fromkeys(("High Street", "Church Street", "Station Road", *town.streets))
    while len(streets) < wanted:
        kind = rng.choices(_STREET_KINDS[0], weights=_STREET_KINDS[1])[0]
        streets[f"{rng.choice(_STREET_WORDS)} {kind}"] = None
    return tuple(streets)


@dataclass(frozen=True)
class _Home:
    line: str
    town: str
    postcode: str
    district: int


class _Addresses:
    def __init__(self, rng: random.Random) -> None:
        self.towns = [
            (index, town, _streets(rng, town)) for index, district in enumerate(DISTRICTS) for town in district.towns
        ]
        self.cumulative = list(itertools.accumulate(town.population for _, town, _ in self.towns))

    def home(self, rng: random.Random) -> _Home:
        district, town, streets = self.towns[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]
        street = streets[rng.randrange(len(streets))]
        number = rng.randint(1, 160)
        line = f"Flat {rng.randint(1, 12)}, {number} {street}" if rng.random() < 0.2 else f"{number} {street}"
        return _Home(line, town.name, uk_postcode(rng, rng.choice(town.districts)), district)

    def town_names(self, district: int, *, minimum: int) -> list[str]:
        """The district's towns of at least ``minimum`` thousand people."""
        people: dict[str, int] = {}
        for index, town, _ in self.towns:
            if index == district:
                people[town.name] = people.get(town.name, 0) + town.population
        return [name for name, population in people.items() if population >= minimum]


# Agencies ------------------------------------------------------------------------------------------------------

# Services the demo's workforces (demo.jobs) do not cover.
EXTRA_WORKFORCES: dict[str, Workforce] = {
    "youth-justice": Workforce(
        Job("Youth justice team manager", "Youth justice team manager"),
        (
            Job("Youth justice officer", "Youth justice officer"),
            Job("Youth justice case manager", "Youth justice case manager"),
            Job("Restorative justice worker", "Restorative justice"),
        ),
        ("Court orders", "Out-of-court disposals", "Restorative justice", "Serious youth violence"),
        ("Mon–Fri", "Mon–Fri, 9am–5pm", "Tue–Sat"),
        (0, 0, 2, 0),
        lead_rank=5,
        min_age=10,
    ),
    "virtual-school": Workforce(
        Job("Virtual school headteacher", "Virtual school headteacher"),
        (
            Job("Education adviser (children in care)", "Virtual school adviser"),
            Job("Personal education plan coordinator", "PEP coordinator"),
        ),
        ("Personal education plans", "Pupil premium plus", "School moves", "Exclusions"),
        ("Term time, Mon–Fri", "Mon–Fri"),
        (0, 1, 1, 0),
        min_age=4,
    ),
    "domestic-abuse": Workforce(
        Job("Domestic abuse service manager", "Service manager"),
        (
            Job("Independent domestic violence adviser (IDVA)", "IDVA"),
            Job("Children and young people's domestic abuse worker", "Children's domestic abuse worker"),
            Job("Refuge support worker", "Refuge support worker"),
        ),
        ("Risk assessment (DASH)", "MARAC", "Safety planning", "Refuge", "Children affected by domestic abuse"),
        ("Mon–Fri", "Mon–Fri, 9am–5pm", "Shifts (refuge)"),
        (1, 1, 1, 3),
    ),
    "sexual-health": Workforce(
        Job("Sexual health clinical lead", "Clinical lead"),
        (
            Job("Sexual health nurse", "Sexual health nurse"),
            Job("Young people's sexual health worker", "Young people's sexual health worker"),
            Job("Health adviser", "Health adviser"),
        ),
        ("Contraception", "Young people's clinics", "Outreach", "Child sexual exploitation"),
        ("Mon–Fri, clinics and drop-ins", "Tue–Sat"),
        (0, 0, 1, 2),
        min_age=13,
    ),
    "camhs": Workforce(
        Job("CAMHS team manager", "CAMHS team manager"),
        (
            Job("Child and adolescent mental health practitioner", "CAMHS practitioner"),
            Job("Clinical psychologist", "Clinical psychologist"),
            Job("CAMHS nurse", "CAMHS nurse"),
            Job("Family therapist", "Family therapist"),
        ),
        ("Anxiety", "Self-harm", "Eating disorders", "Neurodevelopmental assessment", "Trauma"),
        ("Mon–Fri", "Mon–Fri, 9am–5pm", "Mon–Thu"),
        (0, 2, 3, 0),
        min_age=3,
    ),
    "advice": Workforce(
        Job("Advice service manager", "Advice service manager"),
        (Job("Adviser", "Adviser"), Job("Debt adviser", "Debt adviser"), Job("Welfare benefits adviser", "Adviser")),
        ("Debt", "Benefits", "Housing", "Employment"),
        ("Mon–Fri", "Mon, Wed, Fri", "Tue–Thu"),
        (0, 0, 0, 3),
        min_age=18,
    ),
}


# How many clients a practitioner of each kind of service works with at once, relative to the others.
CASELOADS: dict[str, float] = {
    "social-care": 0.6,
    "police-neighbourhood": 0.6,
    "police-protection": 0.6,
    "youth-justice": 0.6,
    "fire": 0.5,
    "family-support": 0.7,
    "camhs": 0.8,
    "sexual-health": 0.8,
    "housing": 1.2,
    "secondary-school": 1.2,
    "health-visiting": 1.5,
    "school-nursing": 1.5,
    "virtual-school": 1.5,
}


def _workforce(kind: str) -> Workforce:
    return EXTRA_WORKFORCES.get(kind) or workforce(Jurisdiction.ENGLAND, kind)


@dataclass(frozen=True)
class _AgencyPlan:
    name: str
    agency_type: str
    kind: str
    services: str
    mailbox: str
    staff_weight: float
    district: int | None  # index into DISTRICTS; None: county-wide
    sensitive: bool = False
    domain: str = ""


_SAINTS = _words(
    "Mary Peter Paul John Joseph Michael Chad Werburgh Modwen Giles Luke Mark Matthew Andrew Anne Bernadette Patrick "
    "Thomas Dominic Edward Leonard Lawrence Benedict Gabriel Margaret Editha Bartholomew Augustine Dominic Francis"
)
_SCHOOL_WORDS = _words(
    "Oakridge Highfields Springfield Greenhill Westfield Moorside Heathfield Brookside Woodlands Meadowbank Fairview "
    "Hillside Parkside Chasetown Redbrook Churchfield Glenthorne Ashcroft Elmhurst Foxfields Queensway Kingsmead "
    "Riverview Millfield Windmill Beechwood Cedars Hawthorns Thornbury Orchard Lakeside Valley Holly Grove Rowan "
    "Willows Manor Castle Abbey Priory Chapel Fernwood Larkhill Hazelbrook Kingfisher Charnwood Shenstone Stowe"
)


def _school_names(rng: random.Random, town: str, *, secondary: bool) -> list[str]:
    word = rng.choice(_SCHOOL_WORDS)
    saint = rng.choice(_SAINTS)
    if secondary:
        return [
            f"{town} High School",
            f"{word} Academy",
            f"The {word} School",
            f"{word} High School",
            f"St {saint}'s Catholic College",
            f"{town} {word} Academy",
        ]
    return [
        f"{word} Primary School",
        f"{word} Primary Academy",
        f"St {saint}'s CofE Primary School",
        f"St {saint}'s Catholic Primary School",
        f"{word} Community Primary School",
        f"{word} Infant School",
        f"{word} Junior School",
        f"{town} {word} Primary School",
    ]


def _agency_catalogue(rng: random.Random, addresses: _Addresses) -> list[_AgencyPlan]:
    """About 300 agencies: council services and health in each district, county-wide services, then schools."""
    plans: list[_AgencyPlan] = []
    for index, district in enumerate(DISTRICTS):
        name = district.name
        plans += [
            _AgencyPlan(
                f"Staffordshire County Council — Children's Social Care ({name})",
                AgencyType.STATUTORY,
                "social-care",
                "Assessment, child protection, children in care",
                "duty",
                110,
                index,
            ),
            _AgencyPlan(
                f"Staffordshire County Council — Early Help ({name})",
                AgencyType.STATUTORY,
                "early-help",
                "Family support, early help assessments, family hubs",
                "earlyhelp",
                55,
                index,
            ),
            _AgencyPlan(
                f"{district.council} — Housing",
                AgencyType.STATUTORY,
                "housing",
                "Housing options, homelessness prevention, tenancy support",
                "housing",
                25,
                index,
            ),
            _AgencyPlan(
                f"Staffordshire Youth Service — {name}",
                AgencyType.STATUTORY,
                "youth",
                "Youth clubs, detached youth work, support into education and work",
                "youth",
                18,
                index,
            ),
            _AgencyPlan(
                f"Staffordshire Police — {name} Neighbourhood Policing Team",
                AgencyType.POLICE,
                "police-neighbourhood",
                "Neighbourhood policing, anti-social behaviour, schools liaison",
                "neighbourhood",
                55,
                index,
            ),
            _AgencyPlan(
                f"Midlands Partnership NHS Foundation Trust — Health Visiting ({name})",
                AgencyType.HEALTH,
                "health-visiting",
                "Health visiting for families with children under five",
                "healthvisiting",
                45,
                index,
            ),
            _AgencyPlan(
                f"Midlands Partnership NHS Foundation Trust — School Nursing ({name})",
                AgencyType.HEALTH,
                "school-nursing",
                "School nursing, health assessments, drop-ins for young people",
                "schoolnursing",
                18,
                index,
            ),
            _AgencyPlan(
                f"Home-Start {name}",
                AgencyType.VOLUNTARY,
                "family-support",
                "Volunteer home visiting for families with young children",
                "info",
                8,
                index,
            ),
            _AgencyPlan(
                f"Citizens Advice {name}",
                AgencyType.VOLUNTARY,
                "advice",
                "Advice on debt, benefits, housing and work",
                "advice",
                8,
                index,
            ),
        ]
    county = (
        ("Staffordshire Police — Public Protection Unit (North)", AgencyType.POLICE, "police-protection", 70, False),
        ("Staffordshire Police — Public Protection Unit (South)", AgencyType.POLICE, "police-protection", 70, False),
        (
            "Staffordshire Police — Child Exploitation and Missing Team",
            AgencyType.POLICE,
            "police-protection",
            35,
            False,
        ),
        ("Staffordshire County Council — Youth Justice Service", AgencyType.STATUTORY, "youth-justice", 45, False),
        ("Staffordshire County Council — Children with Disabilities", AgencyType.STATUTORY, "social-care", 40, False),
        ("Staffordshire County Council — Children in Care", AgencyType.STATUTORY, "social-care", 50, False),
        ("Staffordshire County Council — Virtual School", AgencyType.EDUCATION, "virtual-school", 20, False),
        (
            "Midlands Partnership NHS Foundation Trust — Family Nurse Partnership",
            AgencyType.HEALTH,
            "health-visiting",
            15,
            False,
        ),
        ("Change Grow Live — Staffordshire", AgencyType.VOLUNTARY, "substance-misuse", 70, True),
        ("Staffordshire Young People's Drug and Alcohol Service", AgencyType.VOLUNTARY, "substance-misuse", 30, True),
        ("Staffordshire Domestic Abuse Service", AgencyType.VOLUNTARY, "domestic-abuse", 40, True),
        ("Moorlands and Newcastle Refuge Partnership", AgencyType.VOLUNTARY, "domestic-abuse", 15, True),
        ("Staffordshire Sexual Health Service", AgencyType.HEALTH, "sexual-health", 30, True),
        ("Staffordshire CAMHS — North", AgencyType.HEALTH, "camhs", 45, True),
        ("Staffordshire CAMHS — South", AgencyType.HEALTH, "camhs", 45, True),
    )
    services = {
        "police-protection": "Child abuse investigation, domestic abuse, child exploitation",
        "youth-justice": "Court orders, out-of-court disposals, restorative justice",
        "social-care": "Social work for children with disabilities and children in care",
        "virtual-school": "Education of children in care",
        "health-visiting": "Intensive home visiting for young first-time parents",
        "substance-misuse": "Drug and alcohol support for young people and adults",
        "domestic-abuse": "Domestic abuse advice, refuge and support for children",
        "sexual-health": "Sexual health clinics and outreach for young people",
        "camhs": "Child and adolescent mental health services",
    }
    for name, agency_type, kind, weight, sensitive in county:
        plans.append(_AgencyPlan(name, agency_type, kind, services[kind], "referrals", weight, None, sensitive))
    for index in range(len(DISTRICTS)):
        for town_name in addresses.town_names(index, minimum=9):
            plans.append(
                _AgencyPlan(
                    f"Staffordshire Fire and Rescue Service — {town_name} Fire Station",
                    AgencyType.FIRE,
                    "fire",
                    "Safe and well visits, firesetter intervention, fire safety advice",
                    "safeandwell",
                    8,
                    index,
                )
            )
    plans += _schools(rng, AGENCIES - len(plans))
    taken: set[str] = set()
    with_domains = []
    for plan in plans:
        domain = _domain(plan.name)
        number = 1
        while domain in taken:
            number += 1
            domain = f"{_domain(plan.name)[:56]}-{number}"
        taken.add(domain)
        with_domains.append(dataclasses.replace(plan, domain=f"{domain}.example"))
    return with_domains


_DOMAIN_WORDS = (
    ("staffordshire-county-council", "staffs"),
    ("midlands-partnership-nhs-foundation-trust", "mpft"),
    ("fire-and-rescue-service", "fire"),
    ("staffordshire", "staffs"),
    ("district-council", "dc"),
    ("borough-council", "bc"),
    ("neighbourhood-policing-team", "npt"),
    ("-fire-station", ""),
    ("newcastle-under-lyme", "newcastle"),
    ("primary-school", "primary"),
    ("community", "comm"),
    ("catholic", "rc"),
)


def _domain(name: str) -> str:
    """A work-email domain's first label from an agency's name: "staffs-childrens-social-care-lichfield"."""
    label = slugify(name.replace("'", ""))
    for long, short in _DOMAIN_WORDS:
        label = label.replace(long, short)
    return label[:60].strip("-")


def _schools(rng: random.Random, count: int) -> list[_AgencyPlan]:
    """Primary and secondary schools, about four primaries to each secondary, by the towns' populations."""
    towns = [(index, town) for index, district in enumerate(DISTRICTS) for town in district.towns]
    weights = [town.population for _, town in towns]
    names: set[str] = set()
    schools = []
    while len(schools) < count:
        district, town = rng.choices(towns, weights=weights)[0]
        secondary = rng.random() < 0.2
        for name in _school_names(rng, town.name, secondary=secondary):
            if name not in names:
                break
        else:
            continue
        names.add(name)
        schools.append(
            _AgencyPlan(
                name,
                AgencyType.EDUCATION,
                "secondary-school" if secondary else "primary-school",
                "Secondary school, ages 11–16" if secondary else "Primary school, ages 4–11",
                "safeguarding" if secondary else "office",
                12 if secondary else 4,
                district,
            )
        )
    return schools


def _choose_agencies(rng: random.Random, catalogue: list[_AgencyPlan], practitioners: int) -> list[_AgencyPlan]:
    """All of them for a large council; for a small one, about one per 25 practitioners with every kind present.

    A small council's agencies serve the whole county: it has too few to give every district its own.
    """
    wanted = min(len(catalogue), max(1, practitioners // PRACTITIONERS_PER_AGENCY))
    if wanted >= len(catalogue):
        return catalogue
    first_of_kind = list({plan.kind: plan for plan in reversed(catalogue)}.values())
    chosen = {plan.name: plan for plan in first_of_kind[: min(len(first_of_kind), practitioners)]}
    others = [plan for plan in catalogue if plan.name not in chosen]
    for plan in rng.sample(others, k=max(0, wanted - len(chosen))):
        chosen[plan.name] = plan
    return [dataclasses.replace(plan, district=None) for plan in catalogue if plan.name in chosen]


def _share(total: int, weights: Sequence[float], minimum: int = 1) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), each at least ``minimum`` where possible."""
    floor = minimum if total >= minimum * len(weights) else 0
    left = total - floor * len(weights)
    scale = left / sum(weights)
    exact = [weight * scale for weight in weights]
    counts = [floor + int(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda index: int(exact[index]) - exact[index])
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


# Practitioners -------------------------------------------------------------------------------------------------


@dataclass
class _Staff:
    """What the team planner needs to know about each practitioner, in parallel lists indexed by practitioner."""

    ids: list[uuid.UUID]
    agency: array  # index into the chosen agencies
    kind: list[str]
    district: list[int | None]
    workforce: list[Workforce]
    role: list[str]
    manager: array  # 1 for agency managers
    load: list[float]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class _Pool:
    members: tuple[int, ...]
    cumulative: list[float]

    @property
    def total(self) -> float:
        return self.cumulative[-1] if self.cumulative else 0.0


def _pools(staff: _Staff, districts: int) -> list[list[_Pool]]:
    """For each district (and one more: the whole county) and age band, who works with such clients, and how much.

    A practitioner's weight is how much their service works with the age band (``reach``) times their caseload.
    Agencies of one district serve that district; county-wide ones serve every district, a share of their
    caseload in each.
    """
    pools = []
    for district in [*range(districts), None]:
        per_band = []
        for band in (UNDER_FIVE, PRIMARY, SECONDARY, ADULT):
            members: list[int] = []
            weights: list[float] = []
            for index in range(len(staff)):
                reach = staff.workforce[index].reach[band]
                home = staff.district[index]
                if not reach or (district is not None and home not in (district, None)):
                    continue
                spread = districts if district is not None and home is None else 1
                members.append(index)
                weights.append(reach * staff.load[index] / spread)
            per_band.append(_Pool(tuple(members), list(itertools.accumulate(weights))))
        pools.append(per_band)
    return pools


# The generator -------------------------------------------------------------------------------------------------


def council_generate_large(
    *,
    clients: int,
    practitioners: int,
    involvements: int,
    families: int,
    seed: int = 7,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Fill the current council schema with fabricated data at scale; return rows written per table.

    All or nothing (one transaction). Deterministic for a seed: the same seed gives the same rows, ids included.
    ``progress(table, done, total)`` hears of each table as it starts (0 rows), every 50,000 rows, and once more
    when it is complete (done == total), then of ``ANALYZE`` table by table.
    The council must have its governance defaults (an accepted legal basis) and no agencies, practitioners or
    clients yet: agency names and work emails are unique.
    """
    if connection.schema_name == get_public_schema_name():
        raise RuntimeError("Generate into a council's schema (schema_context), not the platform's.")
    _check_sizes(clients=clients, practitioners=practitioners, involvements=involvements, families=families)
    generator = _Generator(seed=seed, progress=progress or (lambda table, done, total: None))
    with transaction.atomic(), connection.cursor() as cursor:
        # Check foreign keys at the end of each COPY rather than at commit, so each table's time is its own.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        counts = generator.run(
            cursor, clients=clients, practitioners=practitioners, involvements=involvements, families=families
        )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django expects them for the rest of the transaction
    return counts


def _check_sizes(*, clients: int, practitioners: int, involvements: int, families: int) -> None:
    if clients < 1 or practitioners < 1 or involvements < 0 or families < 0:
        raise ValueError("Clients and practitioners must be at least 1; involvements and families not negative.")
    if families * FAMILY_SIZES[0][0] > clients:
        raise ValueError(f"{families} families of at least two need {families * 2} clients; there are {clients}.")
    ended = round(involvements * ENDED_SHARE)
    current_cap = min(MAX_TEAM, practitioners)
    if involvements - ended > clients * current_cap:
        raise ValueError(f"{involvements - ended} current involvements do not fit {clients} clients' teams.")
    if ended > clients * min(MAX_ENDED, max(0, practitioners - 1)) and ended:
        raise ValueError(f"{ended} ended involvements do not fit {clients} clients' histories.")


class _Generator:
    staff: _Staff  # once the practitioners are made
    pools: list[list[_Pool]]

    def __init__(self, *, seed: int, progress: Progress) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - fabricated data, not security
        self.progress = progress
        self.today = TODAY.toordinal()
        self.names = _Names(self.rng)
        self.addresses = _Addresses(self.rng)

    def run(
        self, cursor: CursorWrapper, *, clients: int, practitioners: int, involvements: int, families: int
    ) -> dict[str, int]:
        counts: dict[str, int] = {}
        agencies = _choose_agencies(self.rng, _agency_catalogue(self.rng, self.addresses), practitioners)
        agency_ids = [self._uuid() for _ in agencies]
        counts.update(self._agencies(cursor, agencies, agency_ids))
        staff, users, practitioner_rows = self._staff(agencies, agency_ids, practitioners)
        counts.update(self._copy(cursor, users, total=practitioners))
        counts.update(self._copy(cursor, practitioner_rows, total=practitioners))
        self.staff = staff
        self.pools = _pools(staff, len(DISTRICTS))
        households = _Households(self, legal_bases=_legal_bases())
        counts.update(self._copy(cursor, households.clients(clients=clients, families=families), total=clients))
        counts.update(self._copy(cursor, households.alias_rows(), total=len(households.aliases)))
        counts.update(self._copy(cursor, households.family_rows(), total=len(households.families)))
        counts.update(self._copy(cursor, households.member_rows(), total=len(households.members)))
        teams = _Teams(self, households)
        counts.update(self._copy(cursor, teams.involvements(involvements), total=involvements))
        counts.update(self._copy(cursor, teams.activity_rows(), total=len(teams.activity_when)))
        self._analyze(cursor, list(counts))
        return counts

    # Helpers ------------------------------------------------------------------------------------------------

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _copy(self, cursor: CursorWrapper, rows: tuple[_Table, Iterable[tuple]], *, total: int) -> dict[str, int]:
        table, generated = rows
        progress = self.progress
        if total:
            progress(table.name, 0, total)
        done = 0
        with cursor.copy(table.statement()) as copy:
            write = copy.write_row
            if table.constant:
                constants = table.constants
                for done, row in enumerate(generated, 1):
                    write(row + constants)
                    if done % PROGRESS_EVERY == 0 and done != total:
                        progress(table.name, done, total)
            else:
                for done, row in enumerate(generated, 1):
                    write(row + table.defaults())
                    if done % PROGRESS_EVERY == 0 and done != total:
                        progress(table.name, done, total)
        progress(table.name, done, done)  # once, when the table is complete and its constraints checked
        return {table.name: done}

    def _analyze(self, cursor: CursorWrapper, tables: list[str]) -> None:
        self.progress("ANALYZE", 0, len(tables))
        for done, table in enumerate(tables, 1):
            cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
            self.progress("ANALYZE", done, len(tables))

    def date(self, first: int, last: int) -> int:
        """A day (ordinal) from ``first`` to ``last``; ``first`` when the range is empty."""
        return first + self.rng.randint(0, max(0, last - first))

    def minute(self, day: int) -> int:
        """A minute in working hours on ``day`` (an ordinal), counted from the start of the ordinal calendar."""
        return day * MINUTES_A_DAY + self.rng.randrange(8 * 60, 18 * 60)

    def stamp(self, day: int) -> datetime.datetime:
        """A time in working hours on ``day`` (an ordinal), in UTC."""
        return _at(self.minute(day))

    # Agencies and practitioners ----------------------------------------------------------------------------

    def _agencies(self, cursor: CursorWrapper, agencies: list[_AgencyPlan], ids: list[uuid.UUID]) -> dict[str, int]:
        table = _Table(
            Agency,
            (
                "id",
                "name",
                "agency_type",
                "services",
                "contact_email",
                "contact_phone",
                "email_domains",
                "is_sensitive",
                "gateway_contact",
                "approval_state",
                "created_at",
            ),
        )
        numbers = list(range(1000))
        self.rng.shuffle(numbers)
        rows = []
        for plan, agency_id, number in zip(agencies, ids, itertools.cycle(numbers), strict=False):
            phone = uk_landline(number)
            gateway = f"the duty worker on {phone} {DUTY_HOURS}." if plan.sensitive else ""
            created = self.stamp(self.today - self.rng.randint(400, 1000))
            rows.append(
                (
                    agency_id,
                    plan.name,
                    plan.agency_type,
                    plan.services,
                    f"{plan.mailbox}@{plan.domain}",
                    phone,
                    [plan.domain],
                    plan.sensitive,
                    gateway,
                    ApprovalState.APPROVED,
                    created,
                )
            )
        return self._copy(cursor, (table, rows), total=len(rows))

    def _staff(
        self, agencies: list[_AgencyPlan], agency_ids: list[uuid.UUID], practitioners: int
    ) -> tuple[_Staff, tuple[_Table, list[tuple]], tuple[_Table, list[tuple]]]:
        rng = self.rng
        users_table = _Table(User, ("id", "email", "first_name", "last_name", "password", "date_joined"))
        practitioners_table = _Table(
            Practitioner,
            (
                "id",
                "user_id",
                "agency_id",
                "job_title",
                "expertise",
                "availability",
                "mobile",
                "landline",
                "preferred_contact",
                "is_agency_manager",
                "is_council_admin",
                "verified_at",
                "created_at",
            ),
        )
        staff = _Staff([], array("i"), [], [], [], [], array("b"), [])
        users: list[tuple] = []
        rows: list[tuple] = []
        emails: set[str] = set()
        sizes = _share(practitioners, [plan.staff_weight for plan in agencies])
        admins = 2  # council administrators: the first early help managers
        for agency_index, (plan, agency_id, size) in enumerate(zip(agencies, agency_ids, sizes, strict=True)):
            force = _workforce(plan.kind)
            mobile_first = plan.kind in MOBILE_FIRST_KINDS
            for position in range(size):
                is_manager = position == 0
                job = force.manager if is_manager else rng.choice(force.staff)
                sex = rng.choice("FM")
                first_name = self.names.first_name(rng, sex, adult=True)
                surname = self.names.surname(rng)
                local = email_local_part(first_name, surname)
                email = f"{local}@{plan.domain}"
                suffix = 1
                while email in emails:
                    suffix += 1
                    email = f"{local}{suffix}@{plan.domain}"
                emails.add(email)
                joined = self.stamp(self.today - rng.randint(20, 900))
                user_id = self._uuid()
                password = "!" + "".join(rng.choices(_UNUSABLE_CHARACTERS, k=40))  # unusable: nobody signs in
                users.append((user_id, email, first_name, surname, password, joined))
                mobile = (
                    e164(uk_mobile(rng.randrange(1000)), jurisdiction=Jurisdiction.ENGLAND)
                    if rng.random() < (0.9 if mobile_first else 0.6)
                    else ""
                )
                landline = (
                    e164(uk_landline(rng.randrange(1000)), jurisdiction=Jurisdiction.ENGLAND)
                    if rng.random() < (0.4 if mobile_first else 0.8) or not mobile
                    else ""
                )
                preferred = self._preferred(mobile, landline, mobile_first=mobile_first)
                expertise = rng.sample(force.expertise, k=rng.randint(1, min(3, len(force.expertise))))
                is_admin = is_manager and plan.kind == "early-help" and admins > 0
                admins -= is_admin
                verified = (
                    joined + datetime.timedelta(days=rng.randint(0, 10), minutes=rng.randrange(120))
                    if rng.random() < 0.95
                    else None
                )
                practitioner_id = self._uuid()
                rows.append(
                    (
                        practitioner_id,
                        user_id,
                        agency_id,
                        job.title,
                        ", ".join(expertise),
                        rng.choice(force.availability),
                        mobile,
                        landline,
                        preferred,
                        is_manager,
                        is_admin,
                        verified,
                        joined,
                    )
                )
                staff.ids.append(practitioner_id)
                staff.agency.append(agency_index)
                staff.kind.append(plan.kind)
                staff.district.append(plan.district)
                staff.workforce.append(force)
                staff.role.append(job.role)
                staff.manager.append(is_manager)
                # Managers carry few cases; caseloads differ by service, and vary about twofold either way.
                caseload = CASELOADS.get(plan.kind, 1.0)
                staff.load.append(caseload * (0.1 if is_manager else rng.lognormvariate(0, 0.4)))
        return staff, (users_table, users), (practitioners_table, rows)

    def _preferred(self, mobile: str, landline: str, *, mobile_first: bool) -> str:
        methods = [ContactMethod.EMAIL]
        weights = [4.0]
        if mobile:
            methods.append(ContactMethod.MOBILE)
            weights.append(8.0 if mobile_first else 4.0)
        if landline:
            methods.append(ContactMethod.LANDLINE)
            weights.append(2.0)
        return self.rng.choices(methods, weights=weights)[0]

    # Choosing practitioners --------------------------------------------------------------------------------

    def pick(self, district: int, age: int, taken: set[int], agencies: set[int]) -> int:
        """A practitioner who works with clients of this age in this district, not already in ``taken``."""
        rng = self.rng
        staff = self.staff
        band = age_band(age)
        for pool in (self.pools[district][band], self.pools[-1][band]):
            total = pool.total
            if not total:
                continue
            members, cumulative = pool.members, pool.cumulative
            for _ in range(ATTEMPTS):
                member = members[bisect.bisect(cumulative, rng.random() * total)]
                if member in taken or staff.workforce[member].min_age > age:
                    continue
                if staff.agency[member] in agencies and rng.random() < SAME_AGENCY_REJECTED:
                    continue
                return member
        start = rng.randrange(len(staff))  # anyone free: only for small councils with few practitioners
        for offset in range(len(staff)):
            member = (start + offset) % len(staff)
            if member not in taken:
                return member
        raise RuntimeError("No practitioner left to pick: the team is larger than the workforce.")


def _legal_bases() -> tuple[list[LegalBasis], list[LegalBasis]]:
    accepted = list(LegalBasis.objects.filter(is_accepted=True).order_by("position", "code"))
    if not accepted:
        raise RuntimeError("The council accepts no legal basis; install its governance defaults first.")
    consent = [basis for basis in accepted if basis.requires_consent]
    statutory = [basis for basis in accepted if not basis.requires_consent] or consent
    return consent, statutory


# Clients and families ------------------------------------------------------------------------------------------


class _Households:
    """Clients, built household by household: a family shares a surname and an address, mostly.

    Families come first, so a family's members are next to each other (the team planner shares workers between
    siblings); then clients known to services on their own, mostly children and young people.
    """

    CONSENT_SHARE = 0.4
    NHS_NUMBER_SHARE = 0.7
    UPN_SHARE = 0.6
    CASE_ID_SHARE = 0.5
    ADULT_ON_THEIR_OWN = 0.28

    def __init__(self, generator: _Generator, *, legal_bases: tuple[list[LegalBasis], list[LegalBasis]]) -> None:
        self.g = generator
        self.rng = generator.rng
        self.consent_bases = [basis.pk for basis in legal_bases[0]]
        self.statutory_bases = [basis.pk for basis in legal_bases[1]]
        self.statutory_weights = [70, *[30] * (len(self.statutory_bases) - 1)]
        # One entry per client, in the order written.
        self.ids: list[uuid.UUID] = []
        self.born = array("i")  # date of birth, as an ordinal
        self.age = array("b")
        self.district = array("b")
        self.family = array("i")  # index into self.families, or -1
        self.creator = array("i")  # index of the practitioner who added the client
        self.created = array("q")  # when, as a minute (see _Generator.minute)
        self.families: list[tuple] = []
        self.members: list[tuple] = []
        self.aliases: list[tuple] = []
        self._nhs_numbers: set[str] = set()
        self._pupil_numbers: set[str] = set()
        self._case_ids: set[str] = set()

    # Rows ---------------------------------------------------------------------------------------------------

    def clients(self, *, clients: int, families: int) -> tuple[_Table, Iterator[tuple]]:
        table = _Table(
            Client,
            (
                "id",
                "first_name",
                "surname",
                "date_of_birth",
                "address_line",
                "town",
                "postcode",
                "nhs_number",
                "unique_pupil_number",
                "local_case_id",
                "legal_basis_id",
                "consent_given_by",
                "consent_given_on",
                "created_by_id",
                "created_at",
                "updated_at",
            ),
        )
        return table, self._clients(clients, families)

    def alias_rows(self) -> tuple[_Table, list[tuple]]:
        return _Table(ClientAlias, ("client_id", "first_name", "surname", "kind")), self.aliases

    def family_rows(self) -> tuple[_Table, list[tuple]]:
        return _Table(Family, ("id", "name", "created_at")), self.families

    def member_rows(self) -> tuple[_Table, list[tuple]]:
        return _Table(FamilyMember, ("family_id", "client_id", "relationship")), self.members

    # Households ---------------------------------------------------------------------------------------------

    def _clients(self, clients: int, families: int) -> Iterator[tuple]:
        rng = self.rng
        # Family sizes, then shrunk at random while they would leave too few clients for the families' members.
        sizes = rng.choices(FAMILY_SIZES[0], weights=FAMILY_SIZES[1], k=families)
        excess = sum(sizes) - clients
        while excess > 0:
            index = rng.randrange(families)
            if sizes[index] > FAMILY_SIZES[0][0]:
                sizes[index] -= 1
                excess -= 1
        for size in sizes:
            yield from self._household(size)
        while len(self.ids) < clients:
            yield self._on_their_own()

    def _household(self, size: int) -> Iterator[tuple]:
        rng = self.rng
        names = self.g.names
        family_index = len(self.families)
        surname = names.surname(rng)
        home = self.g.addresses.home(rng)
        family_id = self.g._uuid()
        self.families.append((family_id, f"{surname} household", self.g.stamp(self.g.today - rng.randint(1, 1000))))
        couple_only = size == 2 and rng.random() < 0.15
        adults = 2 if couple_only or (size >= 3 and rng.random() < 0.35) else 1
        children = size - adults
        ages = self._child_ages(children) if children else []
        if ages:
            head_relationship = rng.choices(
                (Relationship.PARENT, Relationship.CARER, Relationship.GRANDPARENT), weights=(82, 8, 10)
            )[0]
            low, high = {
                Relationship.PARENT: (18, 36),
                Relationship.CARER: (22, 45),
                Relationship.GRANDPARENT: (40, 55),
            }[head_relationship]
            head_age = min(95, ages[0] + rng.randint(low, high))
        else:
            head_relationship = Relationship.PARTNER
            head_age = rng.randint(18, 80)
        head_sex = "F" if rng.random() < 0.85 else "M"
        head_name = names.first_name(rng, head_sex, adult=True)
        giver = "mother" if head_sex == "F" else "father"
        if head_relationship != Relationship.PARENT:
            giver = "carer"
        yield self._client(head_name, surname, head_age, home, family_index, head_relationship, "the client")
        if head_sex == "F" and rng.random() < 0.2:
            self._alias(len(self.ids) - 1, head_name, names.surname(rng))
        if adults == 2:
            partner_sex = ("M" if head_sex == "F" else "F") if rng.random() < 0.9 else head_sex
            partner_surname = surname if rng.random() < 0.6 else names.surname(rng)
            relationship = (
                Relationship.PARENT
                if head_relationship == Relationship.PARENT and rng.random() < 0.6
                else Relationship.PARTNER
            )
            partner_age = max(18, head_age + rng.randint(-6, 6))
            first_name = names.first_name(rng, partner_sex, adult=True)
            yield self._client(first_name, partner_surname, partner_age, home, family_index, relationship, "the client")
        other_surname = names.surname(rng)
        for position, age in enumerate(ages):
            differs = rng.random() < 0.15
            sex = rng.choice("FM")
            first_name = names.first_name(rng, sex, adult=False)
            lives_here = age < 16 or rng.random() < 0.9
            relationship = Relationship.SIBLING if position and rng.random() < 0.15 else Relationship.CHILD
            address = home if lives_here else self.g.addresses.home(rng)
            consent_by = "the client" if age >= 13 and rng.random() < 0.3 else giver
            yield self._client(
                first_name, other_surname if differs else surname, age, address, family_index, relationship, consent_by
            )
            if differs and rng.random() < 0.3:
                self._alias(len(self.ids) - 1, first_name, surname)

    def _child_ages(self, count: int) -> list[int]:
        """Ages of ``count`` children, oldest first, one to four years apart (twins now and then)."""
        rng = self.rng
        ages = [rng.randint(min(17, count - 1), 17)]
        while len(ages) < count:
            room = ages[-1] - (count - len(ages) - 1)
            gap = 0 if room <= 0 or rng.random() < 0.04 else rng.randint(1, max(1, min(4, room)))
            ages.append(max(0, ages[-1] - gap))
        return ages

    def _on_their_own(self) -> tuple:
        """A client known to services without a household on record: mostly a child or young person."""
        rng = self.rng
        names = self.g.names
        adult = rng.random() < self.ADULT_ON_THEIR_OWN
        if adult:
            low, high = rng.choices(((18, 24), (25, 44), (45, 64), (65, 95)), weights=(30, 35, 22, 13))[0]
        else:
            low, high = rng.choices(((0, 4), (5, 10), (11, 17)), weights=(15, 25, 60))[0]
        age = rng.randint(low, high)
        sex = rng.choice("FM")
        first_name = names.first_name(rng, sex, adult=adult)
        surname = names.surname(rng)
        giver = "the client" if adult else rng.choices(("mother", "father", "carer"), weights=(60, 15, 25))[0]
        row = self._client(first_name, surname, age, self.g.addresses.home(rng), -1, "", giver)
        if adult and sex == "F" and rng.random() < 0.15:
            self._alias(len(self.ids) - 1, first_name, names.surname(rng))
        elif age >= 12 and rng.random() < 0.04:
            self._alias(len(self.ids) - 1, names.first_name(rng, sex, adult=False), surname, previous=False)
        return row

    # Clients ------------------------------------------------------------------------------------------------

    def _client(
        self,
        first_name: str,
        surname: str,
        age: int,
        home: _Home,
        family: int,
        relationship: str,
        consent_by: str,
    ) -> tuple:
        rng = self.rng
        today = self.g.today
        born = self._born(age)
        client_id = self.g._uuid()
        creator = self.g.pick(home.district, age, set(), set())
        self.ids.append(client_id)
        self.born.append(born)
        self.age.append(age)
        self.district.append(home.district)
        self.family.append(family)
        self.creator.append(creator)
        if family >= 0:
            self.members.append((self.families[family][0], client_id, relationship))

        nhs = pupil = case_id = ""
        if rng.random() < self.NHS_NUMBER_SHARE:
            nhs = self._unique(self._nhs_numbers, lambda: nhs_number(rng))
        if 5 <= age < 18 and rng.random() < self.UPN_SHARE:
            year = TODAY.year - (age - 4)
            pupil = self._unique(
                self._pupil_numbers, lambda: unique_pupil_number(rng, la_code=LA_CODE, year_allocated=year)
            )
        if rng.random() < self.CASE_ID_SHARE:
            case_id = self._unique(self._case_ids, lambda: local_case_id(rng, prefix=CASE_ID_PREFIX))

        recent = max(born, today - 3 * 365)
        if self.consent_bases and rng.random() < self.CONSENT_SHARE:
            basis = rng.choice(self.consent_bases)
            consent_on = datetime.date.fromordinal(self.g.date(recent, today - 1))
        else:
            basis = rng.choices(self.statutory_bases, weights=self.statutory_weights)[0]
            consent_by = ""
            consent_on = None
        created_minute = self.g.minute(self.g.date(recent, today - 1))
        self.created.append(created_minute)
        created = _at(created_minute)
        updated = created + datetime.timedelta(days=rng.randint(0, max(0, today - created.toordinal())))
        return (
            client_id,
            first_name,
            surname,
            datetime.date.fromordinal(born),
            home.line,
            home.town,
            home.postcode,
            nhs,
            pupil,
            case_id,
            basis,
            consent_by,
            consent_on,
            self.g.staff.ids[creator],
            created,
            min(updated, GENERATED_AT),
        )

    def _born(self, age: int) -> int:
        """A date of birth (ordinal) that makes the person ``age`` today, never in the last fortnight."""
        latest = _years_before(age) if age else TODAY - datetime.timedelta(days=14)
        earliest = _years_before(age + 1) + datetime.timedelta(days=1)
        return self.g.date(earliest.toordinal(), latest.toordinal())

    @staticmethod
    def _unique(seen: set[str], make: Callable[[], str]) -> str:
        value = make()
        while value in seen:
            value = make()
        seen.add(value)
        return value

    def _alias(self, client: int, first_name: str, surname: str, *, previous: bool = True) -> None:
        kind = ClientAlias.Kind.PREVIOUS if previous else ClientAlias.Kind.ALIAS
        self.aliases.append((self.ids[client], first_name, surname, kind))


def _years_before(years: int) -> datetime.date:
    try:
        return TODAY.replace(year=TODAY.year - years)
    except ValueError:  # 29 February
        return TODAY.replace(year=TODAY.year - years, day=28)


# Teams ---------------------------------------------------------------------------------------------------------


class _Teams:
    """Involvements: how many each client has (exactly the totals asked for), with whom, and when."""

    TAIL_SHARE = {True: 0.004, False: 0.02}  # adults, children: a long tail of big teams, up to MAX_TEAM

    def __init__(self, generator: _Generator, households: _Households) -> None:
        self.g = generator
        self.rng = generator.rng
        self.h = households
        self.has_join_reason = any(field.name == "join_reason" for field in Involvement._meta.concrete_fields)
        # What happened in each team (TeamActivity), kept compact until its rows are written.
        self.activity_client = array("i")
        self.activity_kind = array("b")  # index into ACTIVITY_KINDS
        self.activity_actor = array("i")
        self.activity_when = array("q")  # a minute (see _Generator.minute)

    def involvements(self, total: int) -> tuple[_Table, Iterator[tuple]]:
        fields = [
            "id",
            "client_id",
            "practitioner_id",
            "role",
            "is_lead",
            "started_on",
            "ended_on",
            "last_contact_on",
            "next_contact_on",
            "created_at",
            "updated_at",
        ]
        if self.has_join_reason:
            fields.append("join_reason")
        return _Table(Involvement, fields), self._rows(total)

    def activity_rows(self) -> tuple[_Table, Iterator[tuple]]:
        """The team activity of every client: added (by whoever added them), who joined, who left."""
        table = _Table(TeamActivity, ("client_id", "kind", "actor_id", "occurred_at"))
        clients, practitioners = self.h.ids, self.g.staff.ids
        rows = (
            (clients[client], ACTIVITY_KINDS[kind], practitioners[actor], _at(when))
            for client, kind, actor, when in zip(
                self.activity_client, self.activity_kind, self.activity_actor, self.activity_when, strict=True
            )
        )
        return table, rows

    def _happened(self, client: int, kind: int, actor: int, when: int) -> None:
        self.activity_client.append(client)
        self.activity_kind.append(kind)
        self.activity_actor.append(actor)
        self.activity_when.append(when)

    # Team sizes ---------------------------------------------------------------------------------------------

    def _sizes(self, total: int) -> tuple[list[int], list[int]]:
        rng = self.rng
        h = self.h
        ended_total = round(total * ENDED_SHARE)
        people = len(h.ids)
        workforce = len(self.g.staff)
        cap = min(MAX_TEAM, workforce)
        current = []
        for index in range(people):
            adult = h.age[index] >= 18
            if rng.random() < self.TAIL_SHARE[adult]:
                size = 6 + int(rng.paretovariate(1.1))
            else:
                size = _draw(rng, ADULT_TEAM_SIZES if adult else CHILD_TEAM_SIZES)
            current.append(min(cap, size))
        _balance(rng, current, total - ended_total, caps=[cap] * people)
        caps = [min(MAX_ENDED, workforce - size) for size in current]
        ended = []
        for index in range(people):
            adult = h.age[index] >= 18
            history = 0 if self.g.today - h.born[index] < 90 else _draw(rng, ADULT_ENDED if adult else CHILD_ENDED)
            ended.append(min(caps[index], history))
        _balance(rng, ended, ended_total, caps=caps)
        return current, ended

    # Rows ---------------------------------------------------------------------------------------------------

    def _rows(self, total: int) -> Iterator[tuple]:
        current_sizes, ended_sizes = self._sizes(total)
        h = self.h
        g = self.g
        household_workers: dict[int, int] = {}  # agency → practitioner, within the current family
        family = -2
        for index in range(len(h.ids)):
            if h.family[index] != family or family < 0:
                family = h.family[index]
                household_workers = {}
            age = h.age[index]
            district = h.district[index]
            taken: set[int] = set()
            agencies: set[int] = set()
            team: list[int] = []
            for position in range(current_sizes[index]):
                if position == 0:
                    member = h.creator[index]
                else:
                    member = self._household_worker(
                        g.pick(district, age, taken, agencies), household_workers, age, taken
                    )
                team.append(member)
                taken.add(member)
                agencies.add(g.staff.agency[member])
            history: list[int] = []
            for position in range(ended_sizes[index]):
                if position == 0 and not team and h.creator[index] not in taken:
                    member = h.creator[index]
                else:
                    member = g.pick(district, age, taken, agencies)
                history.append(member)
                taken.add(member)
            lead = self._lead(team, adult=age >= 18)
            added = h.created[index]
            self._happened(index, ADDED, h.creator[index], added)
            for position, member in enumerate(team):
                # Whoever added the client joined the team that day.
                started = added // MINUTES_A_DAY if position == 0 and added // MINUTES_A_DAY <= g.today - 3 else None
                yield self._involvement(index, member, current=True, lead=member == lead, started=started)
            for member in history:
                yield self._involvement(index, member, current=False, lead=False)

    def _household_worker(self, member: int, workers: dict[int, int], age: int, taken: set[int]) -> int:
        """Siblings mostly see the same family-facing worker from an agency."""
        staff = self.g.staff
        if staff.kind[member] not in FAMILY_KINDS:
            return member
        agency = staff.agency[member]
        usual = workers.setdefault(agency, member)
        if usual not in taken and staff.workforce[usual].reaches(age) and self.rng.random() < HOUSEHOLD_WORKER_SHARE:
            return usual
        return member

    def _lead(self, team: list[int], *, adult: bool) -> int | None:
        staff = self.g.staff
        leaders = [member for member in team if staff.workforce[member].lead_rank]
        if not leaders:
            return None
        chance = 0.35 if adult else (0.8 if len(team) >= 2 else 0.25)
        if self.rng.random() >= chance:
            return None
        return min(leaders, key=lambda member: (staff.manager[member], staff.workforce[member].lead_rank))

    def _involvement(self, client: int, member: int, *, current: bool, lead: bool, started: int | None = None) -> tuple:
        rng = self.rng
        g = self.g
        today = g.today
        staff = g.staff
        born = self.h.born[client]
        if current:
            started = started or g.date(max(born, today - 3 * 365), today - 3)
            ended = None
            last = g.date(max(started, today - 90), today - 1) if rng.random() < 0.9 else None
            upcoming = today + rng.randint(1, 42) if rng.random() < 0.5 else None
            updated_on = last or started
        else:
            started = g.date(max(born, today - 5 * 365), today - 60)
            ended = g.date(started + 14, today - 7)
            last = g.date(started, ended)
            upcoming = None
            updated_on = ended
            lead = staff.workforce[member].lead_rank in (1, 2) and rng.random() < 0.3
            self._happened(client, LEFT, member, g.minute(ended))
        created_minute = g.minute(started)
        self._happened(client, JOINED, member, created_minute)
        created = _at(created_minute)
        row = (
            g._uuid(),
            self.h.ids[client],
            staff.ids[member],
            staff.role[member],
            lead,
            datetime.date.fromordinal(started),
            ended and datetime.date.fromordinal(ended),
            last and datetime.date.fromordinal(last),
            upcoming and datetime.date.fromordinal(upcoming),
            created,
            max(created, g.stamp(updated_on)),
        )
        if self.has_join_reason:
            row += (rng.choice(JOIN_REASONS.get(staff.workforce[member].lead_rank, JOIN_REASONS[0])),)
        return row


ACTIVITY_KINDS = (TeamActivity.Kind.CLIENT_ADDED, TeamActivity.Kind.JOINED, TeamActivity.Kind.LEFT)
ADDED, JOINED, LEFT = range(len(ACTIVITY_KINDS))


def _at(minute: int) -> datetime.datetime:
    """The time (UTC) of a minute counted from the start of the ordinal calendar."""
    day, minute = divmod(minute, MINUTES_A_DAY)
    return datetime.datetime.combine(
        datetime.date.fromordinal(day), datetime.time(minute // 60, minute % 60), tzinfo=datetime.UTC
    )


def _draw(rng: random.Random, sizes: tuple[tuple[int, ...], tuple[int, ...]]) -> int:
    return rng.choices(sizes[0], weights=sizes[1])[0]


def _balance(rng: random.Random, sizes: list[int], target: int, *, caps: list[int]) -> None:
    """Add or take one at a time, at random, until ``sizes`` sums to ``target``; keep the shape of the distribution.

    Additions go first to teams of one to five, removals first to teams of two to six, so the long tail stays long
    and few clients are left with none.
    """
    difference = target - sum(sizes)
    if not difference:
        return
    step = 1 if difference > 0 else -1
    if step > 0:
        stages: tuple[Callable[[int, int], bool], ...] = (
            lambda size, cap: 1 <= size <= 5 and size < cap,
            lambda size, cap: size < cap,
        )
    else:
        stages = (lambda size, cap: 2 <= size <= 6, lambda size, cap: size >= 2, lambda size, cap: size >= 1)
    for eligible in stages:
        while difference:
            chosen = [index for index in range(len(sizes)) if eligible(sizes[index], caps[index])]
            if not chosen:
                break
            rng.shuffle(chosen)
            for index in chosen[: abs(difference)]:
                sizes[index] += step
            difference -= step * min(len(chosen), abs(difference))
        if not difference:
            return
    raise ValueError(f"Cannot fit {target} involvements into these clients' teams.")
