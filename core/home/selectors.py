"""What the placeholder home page shows: who you are, where, and how much the council holds."""

from dataclasses import dataclass

from core.accounts.models import User
from core.clients.models import Client, Family, Involvement
from core.directory.models import Agency, Practitioner


@dataclass(frozen=True)
class CouncilOverview:
    practitioner: Practitioner | None
    agencies: int
    practitioners: int
    clients: int
    families: int
    current_involvements: int


def council_overview(*, user: User) -> CouncilOverview:
    practitioner = Practitioner.objects.select_related("agency").filter(user=user).first()
    return CouncilOverview(
        practitioner=practitioner,
        agencies=Agency.objects.count(),
        practitioners=Practitioner.objects.count(),
        clients=Client.objects.count(),
        families=Family.objects.count(),
        current_involvements=Involvement.objects.filter(ended_on__isnull=True).count(),
    )
