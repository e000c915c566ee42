"""No search_path leaks between councils when connections are reused across threads (TEN-4).

Each thread keeps its own database connection for the whole run and switches council on every
iteration, as a web worker does between requests. Every read must return its own council's marker:
the legal bases, which differ between an English and a Victorian council.
"""

import threading

import pytest
from django.db import connection, connections
from django_tenants.utils import schema_context

from core.governance.models import LegalBasis
from tenants.models import Council

pytestmark = pytest.mark.council_side

ITERATIONS_PER_THREAD = 600
THREADS = 2
MARKERS = {"council_alpha": "children-act-2004-s10-s11", "council_beta": "cwsa-2005-part-6a"}


def test_threads_alternating_councils_never_see_the_other_council(
    council_a: Council, council_b: Council, django_db_blocker: pytest.FixtureRequest
) -> None:
    councils = [council_a, council_b]
    leaks: list[str] = []
    reads = [0] * THREADS

    def work(thread_index: int) -> None:
        try:
            for iteration in range(ITERATIONS_PER_THREAD):
                council = councils[(iteration + thread_index) % 2]
                with schema_context(council.schema_name):
                    codes = set(LegalBasis.objects.values_list("code", flat=True))
                    schema = connection.schema_name
                expected, other = (
                    MARKERS[council.schema_name],
                    MARKERS[councils[(iteration + thread_index + 1) % 2].schema_name],
                )
                if expected not in codes or other in codes or schema != council.schema_name:
                    leaks.append(f"thread {thread_index} iteration {iteration}: {council.schema_name} saw {codes}")
                reads[thread_index] += 1
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=work, args=(index,)) for index in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert leaks == []
    assert sum(reads) == ITERATIONS_PER_THREAD * THREADS >= 1000
