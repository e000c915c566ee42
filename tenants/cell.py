"""The cell this installation is: the one jurisdiction it serves and the AWS region it runs in.

Each cell (England in eu-west-2, Victoria in ap-southeast-4) is a complete installation holding only its
jurisdiction's councils, all with their data in the cell's region: that is how data stays where the law
wants it (docs/adr/0027-a-cell-knows-its-jurisdiction.md). Production names the cell in
``PATCHWORK_JURISDICTION`` and ``AWS_REGION``. In development and tests ``PATCHWORK_JURISDICTION`` is
empty: one installation serves every jurisdiction (the demo has English and Victorian councils in one
database) and there is no cell, so no residency rule applies.
"""

from dataclasses import dataclass

from django.conf import settings

from tenants.jurisdictions import DataRegion, Jurisdiction, data_regions_for


@dataclass(frozen=True)
class Cell:
    jurisdiction: str
    region: str


def this_cell() -> Cell | None:
    """This installation's cell, or None where it serves every jurisdiction (development, tests)."""
    jurisdiction = (getattr(settings, "PATCHWORK_JURISDICTION", "") or "").strip()
    if not jurisdiction:
        return None
    return Cell(jurisdiction=jurisdiction, region=(getattr(settings, "AWS_REGION", "") or "").strip())


def jurisdiction_label(jurisdiction: str) -> str:
    return Jurisdiction(jurisdiction).label if jurisdiction in Jurisdiction.values else repr(jurisdiction)


def region_label(region: str) -> str:
    return DataRegion(region).label if region in DataRegion.values else repr(region)


def cell_problem(cell: Cell) -> str | None:
    """What is wrong with the cell's own description (an unknown jurisdiction, a region not its own), or None."""
    if cell.jurisdiction not in Jurisdiction.values:
        return (
            f"PATCHWORK_JURISDICTION is {cell.jurisdiction!r}, which is not a jurisdiction Patchwork serves "
            f"({', '.join(Jurisdiction.values)})."
        )
    allowed = data_regions_for(cell.jurisdiction)
    if cell.region not in allowed:
        return (
            f"AWS_REGION is {cell.region!r}, but a {jurisdiction_label(cell.jurisdiction)} cell must run in "
            f"{' or '.join(allowed)}: its councils' data may not be held anywhere else."
        )
    return None


def residency_problem(*, jurisdiction: str, data_region: str) -> str | None:
    """Why a council of this jurisdiction and data region does not belong in this cell, or None if it does
    (always None where there is no cell)."""
    cell = this_cell()
    if cell is None:
        return None
    if jurisdiction != cell.jurisdiction:
        return (
            f"This installation serves councils in {jurisdiction_label(cell.jurisdiction)} only; a council in "
            f"{jurisdiction_label(jurisdiction)} belongs in that jurisdiction's own installation."
        )
    if data_region != cell.region:
        return (
            f"This installation holds its councils' data in {region_label(cell.region)}; a council whose data is "
            f"to be held in {region_label(data_region)} belongs in an installation in that region."
        )
    return None
