"""The import benchmark's file is one the import takes whole: every row a different person of the bench agency."""

from core.directory.imports import csv_rows, csv_text_of
from core.directory.models import ImportKind
from demo.management.commands.bench_import import AGENCY, DOMAIN, practitioners_csv


def test_the_benchmark_file_is_an_importable_csv_of_distinct_people_of_the_bench_agency() -> None:
    data = practitioners_csv(300)
    rows = csv_rows(kind=ImportKind.PRACTITIONERS, text=csv_text_of(data, file_name="practitioners.csv"))
    assert len(rows) == 300
    assert len({row.values["email"] for row in rows}) == 300
    assert all(row.values["email"].endswith(f"@{DOMAIN}") for row in rows)
    assert {row.values["agency"] for row in rows} == {AGENCY}
    assert {row.values["role"] for row in rows} == {"practitioner", "agency_manager"}
    assert practitioners_csv(300) == data  # the same file each run
