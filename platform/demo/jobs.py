"""Who works in each kind of agency, what they are called, and which clients they tend to work with.

An agency's ``kind`` (see ``demo.places``) picks its workforce. Titles differ by jurisdiction: a
"Police community support officer" in England, a "Youth Resource Officer" in Victoria.
"""

from dataclasses import dataclass

from tenants.jurisdictions import Jurisdiction

# Age bands of clients, in the order of ``Workforce.reach``.
UNDER_FIVE, PRIMARY, SECONDARY, ADULT = range(4)

OFFICE = ("Mon–Fri", "Mon–Fri", "Mon–Fri, 9am–5pm", "Mon–Wed", "Tue–Thu", "Mon, Tue, Thu", "Wed–Fri")
SHIFTS = ("Shifts — 4 on, 4 off", "Shifts; mobile when on duty", "Lates this month", "Mon–Fri, days")
TERM_TIME = ("Term time, Mon–Fri 8am–4pm", "Term time, Mon–Fri", "Term time, Mon–Thu")


@dataclass(frozen=True)
class Job:
    title: str
    role: str  # the practitioner's role in a client's team


@dataclass(frozen=True)
class Workforce:
    manager: Job
    staff: tuple[Job, ...]
    expertise: tuple[str, ...]
    availability: tuple[str, ...]
    reach: tuple[int, int, int, int]  # how often it works with under-fives, 5–10s, 11–17s, adults
    lead_rank: int = 0  # 1 leads first; 0 never leads
    min_age: int = 0

    def reaches(self, age: int) -> int:
        if age < self.min_age:
            return 0
        return self.reach[age_band(age)]


def age_band(age: int) -> int:
    if age < 5:
        return UNDER_FIVE
    if age < 11:
        return PRIMARY
    if age < 18:
        return SECONDARY
    return ADULT


ENGLAND: dict[str, Workforce] = {
    "social-care": Workforce(
        Job("Team manager", "Team manager"),
        (
            Job("Social worker", "Social worker"),
            Job("Social worker", "Social worker"),
            Job("Senior social worker", "Social worker"),
            Job("Advanced practitioner", "Social worker"),
            Job("Family practitioner", "Family practitioner"),
        ),
        (
            "Child protection",
            "Court work",
            "Neglect",
            "Children in care",
            "Child exploitation",
            "Disabled children",
            "Parenting assessments",
            "Domestic abuse",
        ),
        OFFICE,
        (5, 5, 5, 1),
        lead_rank=1,
    ),
    "early-help": Workforce(
        Job("Early help team manager", "Early help team manager"),
        (
            Job("Family support worker", "Family support worker"),
            Job("Early help practitioner", "Early help practitioner"),
            Job("Early help coordinator", "Early help coordinator"),
        ),
        (
            "Parenting support",
            "Early help assessments",
            "School attendance",
            "Routines and boundaries",
            "Debt and benefits",
            "Triple P parenting",
        ),
        OFFICE,
        (5, 4, 3, 2),
        lead_rank=2,
    ),
    "housing": Workforce(
        Job("Housing options team leader", "Housing team leader"),
        (
            Job("Housing officer", "Housing officer"),
            Job("Housing options officer", "Housing options officer"),
            Job("Tenancy sustainment officer", "Tenancy support"),
        ),
        ("Homelessness prevention", "Temporary accommodation", "Rent arrears", "Hoarding", "Tenancy enforcement"),
        OFFICE,
        (1, 1, 1, 6),
        lead_rank=6,
    ),
    "youth": Workforce(
        Job("Youth service manager", "Youth service manager"),
        (
            Job("Youth worker", "Youth worker"),
            Job("Detached youth worker", "Detached youth worker"),
            Job("Youth support worker", "Youth support worker"),
        ),
        (
            "Detached youth work",
            "Young people not in education or work",
            "Exploitation",
            "Mentoring",
            "LGBTQ+ young people",
        ),
        ("Tue–Sat, afternoons and evenings", "Mon–Thu, 12pm–8pm", "Wed–Sat"),
        (0, 1, 6, 1),
        lead_rank=5,
        min_age=9,
    ),
    "police-neighbourhood": Workforce(
        Job("Police sergeant", "Neighbourhood sergeant"),
        (
            Job("Police community support officer (PCSO)", "Neighbourhood PCSO"),
            Job("Police community support officer (PCSO)", "Neighbourhood PCSO"),
            Job("Police constable", "Neighbourhood officer"),
            Job("Police constable (schools and youth)", "Schools liaison officer"),
        ),
        ("Anti-social behaviour", "Schools liaison", "Missing from home", "Knife crime prevention", "Community safety"),
        SHIFTS,
        (0, 1, 4, 4),
        min_age=8,
    ),
    "police-protection": Workforce(
        Job("Detective sergeant", "Detective sergeant"),
        (
            Job("Detective constable", "Investigating officer"),
            Job("Detective constable (child exploitation)", "Child exploitation officer"),
            Job("Domestic abuse officer", "Domestic abuse officer"),
        ),
        (
            "Child abuse investigation",
            "Child sexual exploitation",
            "Domestic abuse",
            "Online harm",
            "Achieving best evidence interviews",
        ),
        SHIFTS,
        (1, 1, 2, 3),
    ),
    "health-visiting": Workforce(
        Job("Health visiting team leader", "Health visiting team leader"),
        (
            Job("Health visitor", "Health visitor"),
            Job("Health visitor", "Health visitor"),
            Job("Community staff nurse", "Health visiting nurse"),
            Job("Community nursery nurse", "Nursery nurse"),
        ),
        (
            "Perinatal mental health",
            "Infant feeding",
            "Safe sleep",
            "Development reviews",
            "Speech and language",
            "Young parents",
        ),
        OFFICE,
        (12, 0, 0, 1),
        lead_rank=3,
    ),
    "school-nursing": Workforce(
        Job("School nursing team leader", "School nursing team leader"),
        (
            Job("School nurse", "School nurse"),
            Job("Specialist community public health nurse", "School nurse"),
            Job("Community staff nurse (school health)", "School health nurse"),
        ),
        ("Emotional health", "Sexual health", "Continence", "Health assessments for children in care", "Immunisations"),
        TERM_TIME,
        (0, 3, 4, 0),
        lead_rank=7,
        min_age=4,
    ),
    "secondary-school": Workforce(
        Job("Deputy headteacher", "Deputy designated safeguarding lead"),
        (
            Job("Designated safeguarding lead", "Designated safeguarding lead"),
            Job("Head of year", "Head of year"),
            Job("SENCo", "Special educational needs coordinator"),
            Job("Pastoral support officer", "Pastoral support"),
            Job("Attendance officer", "Attendance"),
        ),
        ("Safeguarding", "Attendance", "Special educational needs", "Exclusions", "Emotional wellbeing"),
        TERM_TIME,
        (0, 0, 10, 0),
        lead_rank=4,
        min_age=11,
    ),
    "primary-school": Workforce(
        Job("Headteacher", "Headteacher"),
        (
            Job("Designated safeguarding lead", "Designated safeguarding lead"),
            Job("Family support worker (school)", "School family support"),
            Job("SENCo", "Special educational needs coordinator"),
        ),
        ("Safeguarding", "Special educational needs", "Attendance", "Speech and language", "Nurture groups"),
        TERM_TIME,
        (1, 10, 0, 0),
        lead_rank=4,
        min_age=3,
    ),
    "fire": Workforce(
        Job("Watch manager", "Watch manager"),
        (
            Job("Firefighter (home safety)", "Safe and well visit"),
            Job("Community safety advisor", "Community safety advisor"),
            Job("Firesetter intervention advisor", "Firesetter intervention"),
        ),
        ("Safe and well visits", "Hoarding", "Firesetting behaviour", "Smoke alarms", "Arson reduction"),
        SHIFTS,
        (0, 0, 1, 3),
        min_age=8,
    ),
    "family-support": Workforce(
        Job("Scheme manager", "Scheme manager"),
        (
            Job("Family support coordinator", "Family support"),
            Job("Volunteer coordinator", "Volunteer home visiting"),
            Job("Parenting practitioner", "Parenting support"),
        ),
        ("Parenting support", "Isolation", "Postnatal depression", "Twins and multiple births", "Routines"),
        OFFICE,
        (5, 2, 1, 3),
        lead_rank=2,
    ),
    "substance-misuse": Workforce(
        Job("Service manager", "Service manager"),
        (
            Job("Recovery worker", "Recovery worker"),
            Job("Young people's substance misuse worker", "Young people's worker"),
            Job("Recovery nurse", "Recovery nurse"),
        ),
        (
            "Young people's substance use",
            "Alcohol",
            "Cannabis",
            "Harm reduction",
            "Hidden harm",
            "Parental substance misuse",
        ),
        OFFICE,
        (0, 0, 2, 5),
        lead_rank=8,
        min_age=12,
    ),
}

VICTORIA: dict[str, Workforce] = {
    "child-protection": Workforce(
        Job("Team manager, Child Protection", "Team manager"),
        (
            Job("Child protection practitioner", "Child protection practitioner"),
            Job("Child protection practitioner", "Child protection practitioner"),
            Job("Senior child protection practitioner", "Child protection practitioner"),
            Job("Advanced child protection practitioner", "Child protection practitioner"),
        ),
        (
            "Investigation and response",
            "Protective intervention",
            "Out-of-home care",
            "Family violence",
            "Aboriginal children (Aboriginal Children's Forum)",
            "Court work",
        ),
        OFFICE,
        (5, 5, 5, 1),
        lead_rank=1,
    ),
    "family-services": Workforce(
        Job("Team leader", "Team leader"),
        (
            Job("Practitioner — family services", "Family services practitioner"),
            Job("Practitioner — family violence", "Family violence practitioner"),
            Job("Practice leader", "Practice leader"),
        ),
        ("Family violence risk assessment (MARAM)", "Parenting support", "Child FIRST referrals", "Safety planning"),
        OFFICE,
        (5, 4, 3, 3),
        lead_rank=2,
    ),
    "public-housing": Workforce(
        Job("Housing services team leader", "Housing team leader"),
        (
            Job("Housing services officer", "Housing services officer"),
            Job("Tenancy and property officer", "Tenancy officer"),
            Job("Homelessness support worker", "Housing support"),
        ),
        ("Public housing tenancies", "Priority access", "Rent arrears", "High-rise estates", "Homelessness"),
        OFFICE,
        (1, 1, 1, 6),
        lead_rank=6,
    ),
    "youth": Workforce(
        Job("Youth services team leader", "Youth services team leader"),
        (
            Job("Youth worker", "Youth worker"),
            Job("Youth outreach worker", "Youth outreach worker"),
            Job("Youth participation officer", "Youth participation"),
        ),
        (
            "Outreach",
            "Young people disengaged from school",
            "Music and arts programs",
            "Mentoring",
            "Multicultural young people",
        ),
        ("Tue–Sat, afternoons and evenings", "Mon–Thu, 12pm–8pm", "Wed–Sat"),
        (0, 1, 6, 1),
        lead_rank=5,
        min_age=10,
    ),
    "maternal-child-health": Workforce(
        Job("MCH team leader", "MCH team leader"),
        (
            Job("Maternal and child health nurse", "Maternal and child health nurse"),
            Job("Maternal and child health nurse", "Maternal and child health nurse"),
            Job("Enhanced MCH nurse", "Enhanced MCH nurse"),
        ),
        (
            "Key ages and stages visits",
            "Breastfeeding",
            "Sleep and settling",
            "Perinatal mental health",
            "Enhanced home visiting",
        ),
        OFFICE,
        (12, 0, 0, 1),
        lead_rank=3,
    ),
    "community-health": Workforce(
        Job("Team leader, child and family health", "Team leader"),
        (
            Job("Community health nurse", "Community health nurse"),
            Job("Paediatric occupational therapist", "Occupational therapist"),
            Job("Speech pathologist", "Speech pathologist"),
            Job("Social worker", "Community health social worker"),
        ),
        ("Child development", "Speech and language", "Refugee health", "Counselling", "Chronic conditions"),
        OFFICE,
        (3, 3, 2, 3),
        lead_rank=7,
    ),
    "police-neighbourhood": Workforce(
        Job("Sergeant", "Sergeant"),
        (
            Job("Senior Constable", "Local police"),
            Job("Constable", "Local police"),
            Job("Youth Resource Officer", "Youth resource officer"),
        ),
        ("Youth engagement", "Public order", "Crime prevention", "Missing persons", "Community liaison"),
        SHIFTS,
        (0, 1, 4, 4),
        min_age=8,
    ),
    "police-protection": Workforce(
        Job("Detective Sergeant", "Detective Sergeant"),
        (
            Job("Detective Senior Constable", "Investigator"),
            Job("Family violence investigator", "Family violence investigator"),
            Job("Family violence liaison officer", "Family violence liaison"),
        ),
        ("Family violence", "Child abuse investigation (SOCIT)", "Intervention orders", "Risk assessment"),
        SHIFTS,
        (1, 1, 2, 3),
    ),
    "secondary-school": Workforce(
        Job("Assistant principal", "Assistant principal (wellbeing)"),
        (
            Job("Student wellbeing coordinator", "Student wellbeing coordinator"),
            Job("Year level coordinator", "Year level coordinator"),
            Job("Mental health practitioner", "School mental health practitioner"),
            Job("Disability inclusion coordinator", "Disability inclusion"),
        ),
        ("Student wellbeing", "Attendance and engagement", "Disability inclusion", "Mental health"),
        TERM_TIME,
        (0, 1, 10, 0),
        lead_rank=4,
        min_age=10,
    ),
    "primary-school": Workforce(
        Job("Principal", "Principal"),
        (
            Job("Wellbeing leader", "Wellbeing leader"),
            Job("Classroom teacher", "Classroom teacher"),
            Job("Education support officer", "Education support"),
        ),
        ("Student wellbeing", "Disability inclusion", "Attendance", "English as an additional language"),
        TERM_TIME,
        (1, 10, 0, 0),
        lead_rank=4,
        min_age=4,
    ),
    "fire": Workforce(
        Job("Station officer", "Station officer"),
        (
            Job("Firefighter (community safety)", "Home fire safety visit"),
            Job("Community safety officer", "Community safety officer"),
            Job("Juvenile fire awareness officer", "Juvenile fire awareness program"),
        ),
        ("Home fire safety visits", "Hoarding", "Juvenile fire awareness", "Smoke alarms"),
        SHIFTS,
        (0, 0, 1, 3),
        min_age=8,
    ),
    "family-support": Workforce(
        Job("Team leader, family services", "Team leader"),
        (
            Job("Integrated family services practitioner", "Family services practitioner"),
            Job("Case manager", "Case manager"),
            Job("Cradle to Kinder practitioner", "Cradle to Kinder"),
        ),
        ("Parenting support", "Young parents", "Emergency relief", "Family violence", "Financial counselling"),
        OFFICE,
        (5, 3, 2, 3),
        lead_rank=2,
    ),
    "substance-misuse": Workforce(
        Job("AOD team leader", "AOD team leader"),
        (
            Job("AOD clinician", "AOD clinician"),
            Job("Youth AOD outreach worker", "AOD outreach"),
            Job("Care and recovery coordinator", "Care and recovery coordinator"),
        ),
        (
            "Youth alcohol and other drugs",
            "Harm reduction",
            "Methamphetamine",
            "Pharmacotherapy",
            "Parental substance use",
        ),
        OFFICE,
        (0, 0, 2, 5),
        lead_rank=8,
        min_age=12,
    ),
}

WORKFORCES: dict[str, dict[str, Workforce]] = {Jurisdiction.ENGLAND: ENGLAND, Jurisdiction.VICTORIA: VICTORIA}


def workforce(jurisdiction: str, kind: str) -> Workforce:
    return WORKFORCES[jurisdiction][kind]
