"""Reference data for the places a demo council can be: towns, streets, postcodes, local agencies, demo people.

Street and agency names are local so the demo feels familiar; every email domain is ``.example`` and every
phone number is from the ranges reserved for fiction, so nothing here reaches a real person.
"""

from dataclasses import dataclass

from core.directory.models import AgencyType
from core.governance.rules import FamilyTeams, SensitiveMode
from tenants.jurisdictions import Jurisdiction


@dataclass(frozen=True)
class Town:
    """Where clients live. ``postcodes`` are UK outward codes (districts) or Australian postcodes."""

    name: str
    postcodes: tuple[str, ...]
    streets: tuple[str, ...]
    area: str = ""  # a neighbourhood shown in the address line, e.g. "Moulsecoomb"
    weight: int = 1


@dataclass(frozen=True)
class AgencySpec:
    key: str
    name: str
    agency_type: str
    kind: str  # the workforce it employs, see demo.jobs
    services: str
    domain: str
    mailbox: str  # local part of the agency's contact email
    phone: str
    staff: int
    gateway_contact: str = ""

    @property
    def is_sensitive(self) -> bool:
        return bool(self.gateway_contact)


@dataclass(frozen=True)
class DemoPerson:
    """A practitioner with a stable email that a newcomer can sign in as."""

    key: str  # "admin", "manager", "social-worker", "police", "sensitive"
    first_name: str
    last_name: str
    agency: str  # AgencySpec.key
    job_title: str
    role: str  # role in a client's team
    teams: int = 0  # at least this many current involvements
    leads: int = 0  # lead professional in at least this many of them
    is_council_admin: bool = False
    is_agency_manager: bool = False


@dataclass(frozen=True)
class Governance:
    """The council's first rulebook in the demo, and who holds its roles (DemoPerson keys)."""

    sensitive_mode: SensitiveMode  # for each of its sensitive services
    reason: str  # why the council administrator set these rules
    break_glass_roles: tuple[str, ...]  # names; the first is held by ``break_glass_holder``
    break_glass_holder: str
    privacy_officer: str
    seen_in_full_by: tuple[str, ...] = ()  # AgencySpec keys whose staff see the sensitive services in full
    family_teams: FamilyTeams = FamilyTeams.AGENCIES
    alerts: bool = False  # a past break-glass access and a few alerts for the privacy officer to look at


@dataclass(frozen=True)
class Place:
    key: str
    council: str
    jurisdiction: str
    towns: tuple[Town, ...]
    agencies: tuple[AgencySpec, ...]
    people: tuple[DemoPerson, ...]
    case_id_prefix: str
    la_code: str = ""  # DfE local-authority number, used in Unique Pupil Numbers (England only)
    governance: Governance | None = None


DUTY_HOURS = "(Mon–Fri, 9am–5pm); they will pass your message on"

STAFFORDSHIRE = Place(
    key="staffordshire",
    council="Staffordshire",
    jurisdiction=Jurisdiction.ENGLAND,
    case_id_prefix="LCS",
    la_code="860",
    towns=(
        Town(
            "Lichfield",
            ("WS13",),
            (
                "Beacon Street",
                "Stowe Street",
                "Netherstowe",
                "Curborough Road",
                "Eastern Avenue",
                "Dimbles Lane",
                "Purcell Avenue",
                "Ponesfield Road",
                "Brownsfield Road",
                "Anglesey Road",
                "Field Farm Road",
                "Hawthorn Close",
            ),
            weight=5,
        ),
        Town(
            "Lichfield",
            ("WS14",),
            (
                "Tamworth Road",
                "Walsall Road",
                "Boley Lane",
                "Leyfields",
                "Cherry Orchard",
                "Shaw Lane",
                "Scotch Orchard",
                "Christ Church Lane",
                "Windmill Lane",
                "Falkland Road",
            ),
            weight=4,
        ),
        Town(
            "Burntwood",
            ("WS7",),
            (
                "Cannock Road",
                "Rugeley Road",
                "Chase Road",
                "Ogley Hay Road",
                "Church Street",
                "Sycamore Road",
                "Cedar Drive",
                "Springhill Road",
                "Princess Street",
            ),
            weight=3,
        ),
        Town(
            "Stafford",
            ("ST16", "ST17"),
            (
                "Corporation Street",
                "Sandon Road",
                "Marston Road",
                "Tixall Road",
                "Weston Road",
                "Rowley Avenue",
                "Bodmin Avenue",
                "Wolverhampton Road",
                "Newport Road",
                "Merrey Road",
            ),
            weight=2,
        ),
        Town("Rugeley", ("WS15",), ("Lichfield Street", "Bryans Lane", "Heron Street", "Armitage Road"), weight=1),
        Town("Alrewas", ("DE13",), ("Main Street", "Post Office Road", "Fox Lane", "Essex Drive"), weight=1),
    ),
    agencies=(
        AgencySpec(
            "social-care",
            "Staffordshire County Council — Children's Social Care",
            AgencyType.STATUTORY,
            "social-care",
            "Assessment, child protection, children in care",
            "staffordshire-childrens.example",
            "duty.lichfield",
            "01632 960 101",
            staff=8,
        ),
        AgencySpec(
            "early-help",
            "Staffordshire County Council — Early Help",
            AgencyType.STATUTORY,
            "early-help",
            "Family support, early help assessments, Families First",
            "staffordshire-earlyhelp.example",
            "earlyhelp.lichfield",
            "01632 960 102",
            staff=4,
        ),
        AgencySpec(
            "housing",
            "Lichfield District Council — Housing",
            AgencyType.STATUTORY,
            "housing",
            "Housing options, homelessness prevention, tenancy support",
            "lichfield-housing.example",
            "housing",
            "01632 960 110",
            staff=3,
        ),
        AgencySpec(
            "youth",
            "Staffordshire Youth Service — Lichfield",
            AgencyType.STATUTORY,
            "youth",
            "Youth clubs, detached youth work, support into education and work",
            "staffs-youth.example",
            "youth.lichfield",
            "01632 960 115",
            staff=3,
        ),
        AgencySpec(
            "police",
            "Staffordshire Police — Lichfield Neighbourhood Team",
            AgencyType.POLICE,
            "police-neighbourhood",
            "Neighbourhood policing, anti-social behaviour, schools liaison",
            "staffs-police.example",
            "lichfield.neighbourhood",
            "01632 960 120",
            staff=4,
        ),
        AgencySpec(
            "police-ppu",
            "Staffordshire Police — Public Protection Unit",
            AgencyType.POLICE,
            "police-protection",
            "Child abuse investigation, domestic abuse, child exploitation",
            "staffs-police-ppu.example",
            "ppu.referrals",
            "01632 960 121",
            staff=3,
        ),
        AgencySpec(
            "health-visiting",
            "Midlands Partnership NHS Foundation Trust — Health Visiting",
            AgencyType.HEALTH,
            "health-visiting",
            "Health visiting for families with children under five",
            "mpft-healthvisiting.example",
            "hv.lichfield",
            "01632 960 130",
            staff=5,
        ),
        AgencySpec(
            "school-nursing",
            "Midlands Partnership NHS Foundation Trust — School Nursing",
            AgencyType.HEALTH,
            "school-nursing",
            "School nursing, health assessments, drop-ins for young people",
            "mpft-schoolnursing.example",
            "schoolnursing.lichfield",
            "01632 960 131",
            staff=3,
        ),
        AgencySpec(
            "nether-stowe",
            "Nether Stowe School",
            AgencyType.EDUCATION,
            "secondary-school",
            "Secondary school, ages 11–16",
            "netherstowe-school.example",
            "safeguarding",
            "01632 960 140",
            staff=4,
        ),
        AgencySpec(
            "chadsmead",
            "Chadsmead Primary Academy",
            AgencyType.EDUCATION,
            "primary-school",
            "Primary school and nursery, ages 3–11",
            "chadsmead-primary.example",
            "office",
            "01632 960 141",
            staff=2,
        ),
        AgencySpec(
            "scotch-orchard",
            "Scotch Orchard Primary School",
            AgencyType.EDUCATION,
            "primary-school",
            "Primary school, ages 4–11",
            "scotchorchard-primary.example",
            "office",
            "01632 960 142",
            staff=2,
        ),
        AgencySpec(
            "fire",
            "Staffordshire Fire and Rescue Service",
            AgencyType.FIRE,
            "fire",
            "Safe and well visits, firesetter intervention, fire safety advice",
            "staffs-fire.example",
            "safeandwell",
            "01632 960 150",
            staff=3,
        ),
        AgencySpec(
            "home-start",
            "Home-Start Lichfield and Burntwood",
            AgencyType.VOLUNTARY,
            "family-support",
            "Volunteer home visiting for families with young children",
            "homestart-lichfield.example",
            "info",
            "01632 960 160",
            staff=3,
        ),
        AgencySpec(
            "cgl",
            "Change Grow Live — Staffordshire",
            AgencyType.VOLUNTARY,
            "substance-misuse",
            "Drug and alcohol support for young people and adults",
            "cgl-staffordshire.example",
            "staffordshire.duty",
            "01632 960 123",
            staff=4,
            gateway_contact=f"the duty worker on 01632 960 123 {DUTY_HOURS}.",
        ),
    ),
    people=(
        DemoPerson(
            "admin",
            "Helen",
            "Bradbury",
            "early-help",
            "Early help service manager",
            "Early help service manager",
            is_council_admin=True,
            is_agency_manager=True,
        ),
        DemoPerson(
            "manager",
            "Mark",
            "Jennings",
            "social-care",
            "Team manager",
            "Team manager",
            teams=2,
            is_agency_manager=True,
        ),
        DemoPerson("social-worker", "Amy", "Collier", "social-care", "Social worker", "Social worker", 11, 5),
        DemoPerson("police", "Gareth", "Hollis", "police", "Police constable", "Neighbourhood officer", 5),
        DemoPerson(
            "sensitive", "Kate", "Lowe", "cgl", "Young people's substance misuse worker", "Young people's worker", 6
        ),
    ),
    governance=Governance(
        sensitive_mode=SensitiveMode.PLACEHOLDER,
        seen_in_full_by=("social-care",),
        reason=(
            "Data-sharing agreement 2026: substance-misuse support stays brokered through its duty worker; "
            "Children's Social Care sees it in full for child protection; MASH and EDT may open a team in an emergency."
        ),
        break_glass_roles=(
            "Multi-Agency Safeguarding Hub (MASH)",
            "Out-of-hours emergency duty team",
            "Police Public Protection Unit",
        ),
        break_glass_holder="social-worker",
        privacy_officer="admin",
        alerts=True,
    ),
)

BRIGHTON_HOVE = Place(
    key="brighton-hove",
    council="Brighton & Hove",
    jurisdiction=Jurisdiction.ENGLAND,
    case_id_prefix="MOS",
    la_code="846",
    towns=(
        Town(
            "Brighton",
            ("BN2",),
            ("Hodshrove Road", "Moulsecoomb Way", "Barcombe Road", "Hillside", "Natal Road"),
            area="Moulsecoomb",
            weight=3,
        ),
        Town(
            "Brighton",
            ("BN2",),
            ("Whitehawk Road", "Findon Road", "Swanborough Drive", "Manor Way", "Whitehawk Crescent"),
            area="Whitehawk",
            weight=3,
        ),
        Town(
            "Brighton",
            ("BN2",),
            ("Elm Grove", "Southover Street", "Islingword Road", "Hanover Terrace", "Lewes Road"),
            area="Hanover",
            weight=2,
        ),
        Town(
            "Brighton",
            ("BN1",),
            ("Carden Avenue", "Ditchling Road", "Hollingbury Road", "Coldean Lane", "Beatty Avenue"),
            area="Hollingbury",
            weight=2,
        ),
        Town(
            "Hove",
            ("BN3",),
            ("Portland Road", "Church Road", "Hangleton Way", "Hangleton Road", "Nevill Road", "Sackville Road"),
            weight=3,
        ),
        Town(
            "Portslade",
            ("BN41",),
            ("Mile Oak Road", "Fox Way", "Locks Hill", "Abinger Road", "Trafalgar Road", "Station Road"),
            weight=2,
        ),
    ),
    agencies=(
        AgencySpec(
            "social-care",
            "Brighton & Hove City Council — Children's Social Work",
            AgencyType.STATUTORY,
            "social-care",
            "Assessment, child protection, children in care",
            "bhcc-childrens.example",
            "front.door",
            "01632 960 201",
            staff=8,
        ),
        AgencySpec(
            "early-help",
            "Brighton & Hove City Council — Family Hubs",
            AgencyType.STATUTORY,
            "early-help",
            "Early help, family coaching, parenting groups",
            "bhcc-familyhubs.example",
            "familyhubs",
            "01632 960 202",
            staff=4,
        ),
        AgencySpec(
            "housing",
            "Brighton & Hove City Council — Housing Options",
            AgencyType.STATUTORY,
            "housing",
            "Homelessness prevention, temporary accommodation, tenancy support",
            "bhcc-housing.example",
            "housing.options",
            "01632 960 210",
            staff=3,
        ),
        AgencySpec(
            "youth",
            "Brighton & Hove City Council — Youth Service",
            AgencyType.STATUTORY,
            "youth",
            "Youth work, targeted support, youth participation",
            "bhcc-youth.example",
            "youth",
            "01632 960 215",
            staff=3,
        ),
        AgencySpec(
            "police",
            "Sussex Police — Brighton & Hove Neighbourhood Policing Team",
            AgencyType.POLICE,
            "police-neighbourhood",
            "Neighbourhood policing, prevention, schools liaison",
            "sussex-police.example",
            "brighton.npt",
            "01632 960 220",
            staff=4,
        ),
        AgencySpec(
            "police-siu",
            "Sussex Police — Safeguarding Investigations Unit",
            AgencyType.POLICE,
            "police-protection",
            "Child abuse investigation, domestic abuse, child exploitation",
            "sussex-police-siu.example",
            "siu.brighton",
            "01632 960 221",
            staff=3,
        ),
        AgencySpec(
            "health-visiting",
            "Sussex Community NHS Foundation Trust — Health Visiting",
            AgencyType.HEALTH,
            "health-visiting",
            "Health visiting for families with children under five",
            "sussexcommunity-hv.example",
            "hv.brighton",
            "01632 960 230",
            staff=5,
        ),
        AgencySpec(
            "school-nursing",
            "Sussex Community NHS Foundation Trust — School Nursing",
            AgencyType.HEALTH,
            "school-nursing",
            "School nursing, health assessments, drop-ins for young people",
            "sussexcommunity-schoolnursing.example",
            "schoolnursing.brighton",
            "01632 960 231",
            staff=3,
        ),
        AgencySpec(
            "dorothy-stringer",
            "Dorothy Stringer School",
            AgencyType.EDUCATION,
            "secondary-school",
            "Secondary school, ages 11–16",
            "dorothystringer-school.example",
            "safeguarding",
            "01632 960 240",
            staff=4,
        ),
        AgencySpec(
            "moulsecoomb",
            "Moulsecoomb Primary School",
            AgencyType.EDUCATION,
            "primary-school",
            "Primary school and nursery, ages 3–11",
            "moulsecoomb-primary.example",
            "office",
            "01632 960 241",
            staff=3,
        ),
        AgencySpec(
            "fire",
            "East Sussex Fire and Rescue Service — Brighton",
            AgencyType.FIRE,
            "fire",
            "Home safety visits, firesetter intervention, fire safety advice",
            "esfrs-brighton.example",
            "homesafety",
            "01632 960 250",
            staff=3,
        ),
        AgencySpec(
            "home-start",
            "Home-Start Brighton & Hove",
            AgencyType.VOLUNTARY,
            "family-support",
            "Volunteer home visiting for families with young children",
            "homestart-brightonhove.example",
            "info",
            "01632 960 260",
            staff=3,
        ),
        AgencySpec(
            "cgl",
            "Change Grow Live — Brighton & Hove",
            AgencyType.VOLUNTARY,
            "substance-misuse",
            "Drug and alcohol support for young people and adults",
            "cgl-brightonhove.example",
            "brighton.duty",
            "01632 960 223",
            staff=4,
            gateway_contact=f"the duty worker on 01632 960 223 {DUTY_HOURS}.",
        ),
    ),
    people=(
        DemoPerson(
            "admin",
            "Fiona",
            "Marsh",
            "early-help",
            "Family hubs service manager",
            "Family hubs service manager",
            is_council_admin=True,
            is_agency_manager=True,
        ),
        DemoPerson(
            "manager",
            "Rob",
            "Ellis",
            "social-care",
            "Practice manager",
            "Practice manager",
            teams=2,
            is_agency_manager=True,
        ),
        DemoPerson("social-worker", "Nadia", "Rahman", "social-care", "Social worker", "Social worker", 11, 5),
        DemoPerson("police", "Luke", "Barnes", "police", "Police constable", "Neighbourhood officer", 5),
        DemoPerson(
            "sensitive", "Sophie", "Carter", "cgl", "Young people's substance misuse worker", "Young people's worker", 6
        ),
    ),
    governance=Governance(
        sensitive_mode=SensitiveMode.HIDDEN,
        family_teams=FamilyTeams.FULL,
        reason=(
            "Data-sharing agreement 2026: drug and alcohol support is not shown to other agencies at all; "
            "family members' teams are shared in full; the Front Door for Families may open a team in an emergency."
        ),
        break_glass_roles=("Front Door for Families (MASH)", "Out-of-hours emergency duty service"),
        break_glass_holder="social-worker",
        privacy_officer="admin",
    ),
)

YARRA = Place(
    key="yarra",
    council="City of Yarra",
    jurisdiction=Jurisdiction.VICTORIA,
    case_id_prefix="CRIS",
    towns=(
        Town(
            "Fitzroy",
            ("3065",),
            ("Brunswick Street", "Gertrude Street", "Napier Street", "Johnston Street", "King William Street"),
            weight=3,
        ),
        Town(
            "Collingwood",
            ("3066",),
            ("Hoddle Street", "Wellington Street", "Smith Street", "Hotham Street", "Vere Street", "Cambridge Street"),
            weight=3,
        ),
        Town(
            "Abbotsford",
            ("3067",),
            ("Victoria Street", "Nicholson Street", "Trenerry Crescent", "Lulie Street", "Gipps Street"),
            weight=2,
        ),
        Town(
            "Clifton Hill",
            ("3068",),
            ("Queens Parade", "Rae Street", "Michael Street", "Noone Street", "Gold Street"),
            weight=1,
        ),
        Town(
            "Fitzroy North",
            ("3068",),
            ("St Georges Road", "Scotchmer Street", "Best Street", "Alfred Crescent"),
            weight=1,
        ),
        Town(
            "Richmond",
            ("3121",),
            ("Church Street", "Swan Street", "Bridge Road", "Elizabeth Street", "Lennox Street", "Highett Street"),
            weight=4,
        ),
        Town("Burnley", ("3121",), ("Madden Grove", "Barkly Avenue", "Stawell Street"), weight=1),
    ),
    agencies=(
        AgencySpec(
            "social-care",
            "Department of Families, Fairness and Housing — Child Protection (North Division)",
            AgencyType.STATUTORY,
            "child-protection",
            "Child protection investigation, case management, out-of-home care",
            "dffh-childprotection.example",
            "north.intake",
            "(03) 5550 1000",
            staff=8,
        ),
        AgencySpec(
            "orange-door",
            "The Orange Door — Inner North",
            AgencyType.STATUTORY,
            "family-services",
            "Family services and family violence support, one front door",
            "orangedoor-innernorth.example",
            "innernorth",
            "(03) 5550 1100",
            staff=3,
        ),
        AgencySpec(
            "housing",
            "Homes Victoria — Collingwood Housing Office",
            AgencyType.STATUTORY,
            "public-housing",
            "Public housing tenancies, transfers, homelessness support",
            "homesvic-collingwood.example",
            "collingwood.office",
            "(03) 5550 1200",
            staff=3,
        ),
        AgencySpec(
            "youth",
            "City of Yarra — Youth Services",
            AgencyType.STATUTORY,
            "youth",
            "Youth programs, outreach, support for young people aged 12–25",
            "yarra-youth.example",
            "youth",
            "(03) 5550 1300",
            staff=3,
        ),
        AgencySpec(
            "mch",
            "City of Yarra — Maternal and Child Health",
            AgencyType.HEALTH,
            "maternal-child-health",
            "Maternal and child health visits from birth to school age",
            "yarra-mch.example",
            "mch",
            "(03) 5550 1400",
            staff=4,
        ),
        AgencySpec(
            "cohealth",
            "cohealth — Collingwood",
            AgencyType.HEALTH,
            "community-health",
            "Community health: nursing, allied health, counselling",
            "cohealth-collingwood.example",
            "collingwood",
            "(03) 5550 1500",
            staff=3,
        ),
        AgencySpec(
            "police",
            "Victoria Police — Yarra Police Service Area",
            AgencyType.POLICE,
            "police-neighbourhood",
            "Local policing, youth resource officers, crime prevention",
            "vicpol-yarra.example",
            "yarra.psa",
            "(03) 5550 1600",
            staff=4,
        ),
        AgencySpec(
            "police-fviu",
            "Victoria Police — Family Violence Investigation Unit (North West Metro)",
            AgencyType.POLICE,
            "police-protection",
            "Family violence investigation, high-risk cases, child abuse",
            "vicpol-fviu.example",
            "fviu.nwm",
            "(03) 5550 1610",
            staff=3,
        ),
        AgencySpec(
            "collingwood-college",
            "Collingwood College",
            AgencyType.EDUCATION,
            "secondary-school",
            "Prep to Year 12 school",
            "collingwood-college.example",
            "wellbeing",
            "(03) 5550 1700",
            staff=3,
        ),
        AgencySpec(
            "fitzroy-primary",
            "Fitzroy Primary School",
            AgencyType.EDUCATION,
            "primary-school",
            "Primary school, Prep to Year 6",
            "fitzroy-primary.example",
            "office",
            "(03) 5550 1710",
            staff=2,
        ),
        AgencySpec(
            "richmond-west",
            "Richmond West Primary School",
            AgencyType.EDUCATION,
            "primary-school",
            "Primary school, Prep to Year 6",
            "richmondwest-primary.example",
            "office",
            "(03) 5550 1720",
            staff=2,
        ),
        AgencySpec(
            "fire",
            "Fire Rescue Victoria — Community Safety",
            AgencyType.FIRE,
            "fire",
            "Home fire safety visits, juvenile fire awareness program",
            "frv-communitysafety.example",
            "communitysafety",
            "(03) 5550 1800",
            staff=2,
        ),
        AgencySpec(
            "uniting",
            "Uniting Vic.Tas — Yarra Family Services",
            AgencyType.VOLUNTARY,
            "family-support",
            "Integrated family services, parenting support, emergency relief",
            "uniting-yarra.example",
            "familyservices",
            "(03) 5550 1900",
            staff=3,
        ),
        AgencySpec(
            "anglicare",
            "Anglicare Victoria — Family Support",
            AgencyType.VOLUNTARY,
            "family-support",
            "Family support, Cradle to Kinder, youth support",
            "anglicare-northern.example",
            "northern",
            "(03) 5550 1910",
            staff=3,
        ),
        AgencySpec(
            "cohealth-aod",
            "cohealth — Alcohol and Other Drugs",
            AgencyType.HEALTH,
            "substance-misuse",
            "Alcohol and other drugs counselling and outreach",
            "cohealth-aod.example",
            "aod.intake",
            "(03) 5550 4100",
            staff=4,
            gateway_contact="the AOD intake worker on (03) 5550 4100 (Mon–Fri, 9am–5pm); "
            "they will pass your message on.",
        ),
    ),
    people=(
        DemoPerson(
            "admin",
            "Megan",
            "O'Brien",
            "youth",
            "Coordinator, Family, Youth and Children's Services",
            "Coordinator",
            is_council_admin=True,
            is_agency_manager=True,
        ),
        DemoPerson(
            "manager",
            "Daniel",
            "Papadopoulos",
            "social-care",
            "Team manager, Child Protection",
            "Team manager",
            teams=2,
            is_agency_manager=True,
        ),
        DemoPerson(
            "social-worker",
            "Sarah",
            "Kowalski",
            "social-care",
            "Child protection practitioner",
            "Child protection practitioner",
            11,
            5,
        ),
        DemoPerson("police", "Ben", "Murray", "police", "Senior Constable", "Local police", 5),
        DemoPerson("sensitive", "Linh", "Tran", "cohealth-aod", "AOD clinician", "AOD clinician", 6),
    ),
    governance=Governance(
        sensitive_mode=SensitiveMode.WITH_CONSENT,
        reason=(
            "Information sharing agreement 2026: AOD involvement is shared only where the client consents; "
            "Child Protection After Hours may open a team in an emergency."
        ),
        break_glass_roles=("Child Protection After Hours", "Family violence unit on call"),
        break_glass_holder="social-worker",
        privacy_officer="admin",
    ),
)

PLACES: dict[str, Place] = {place.key: place for place in (STAFFORDSHIRE, BRIGHTON_HOVE, YARRA)}


def place_for(key: str, *, jurisdiction: str) -> Place:
    """The place called ``key``; it must belong to ``jurisdiction``."""
    try:
        place = PLACES[key]
    except KeyError:
        raise ValueError(f"Unknown demo place {key!r}; choose one of {', '.join(PLACES)}.") from None
    if place.jurisdiction != jurisdiction:
        raise ValueError(f"{place.council} is in {place.jurisdiction}, not {jurisdiction}.")
    return place
