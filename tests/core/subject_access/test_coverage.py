"""The export covers every model that refers to a client, found by introspection (GDPR-2): the real registry
covers everything, and a model, a field or a free-form id the registry does not know about is a gap — the test
fails and the export refuses to run."""

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from core.clients.models import Client
from core.subject_access import registry
from core.subject_access.coverage import client_references, coverage_gaps
from core.subject_access.registry import Section


@dataclass
class Registry:
    SECTIONS: dict[str, Section]
    FREE_FORM: dict[str, registry.FreeForm]


def _real() -> Registry:
    return Registry(dict(registry.SECTIONS), dict(registry.FREE_FORM))


def _models() -> list[type[models.Model]]:
    return list(apps.get_models(include_auto_created=True))


def test_the_export_covers_everything_that_refers_to_a_client() -> None:
    assert coverage_gaps() == []


def test_the_walk_finds_direct_and_indirect_references() -> None:
    found = client_references()
    assert found["clients.Involvement"].paths == ("client",)
    assert found["clients.FamilyMember"].paths == ("client",)
    assert found["subject_access.SubjectAccessExtension"].paths == ("request__client",)  # through a model that does
    assert "clients.Family" not in found  # referred to by the membership rows, refers to no client itself
    assert "directory.Practitioner" not in found
    # The consent's services: Django's own many-to-many table, stood for by Consent.services in its section.
    assert "services" in {
        field.name for field in registry.SECTIONS["clients.Consent"].shown(apps.get_model("clients.Consent"))
    }


def test_a_model_left_out_of_the_registry_is_a_gap() -> None:
    partial = _real()
    del partial.SECTIONS["clients.BreakGlassAccess"]
    assert coverage_gaps(registry=partial) == [
        "clients.BreakGlassAccess refers to a client but the subject access export does not cover it"
    ]


@isolate_apps("core.clients")
def test_a_new_model_that_refers_to_a_client_is_a_gap_until_it_is_registered() -> None:
    class CaseConference(models.Model):  # noqa: DJ008 -- a model someone might add tomorrow
        client = models.ForeignKey(Client, on_delete=models.CASCADE)
        held_on = models.DateField()

        class Meta:
            app_label = "clients"

    class ConferenceAttendee(models.Model):  # noqa: DJ008 -- refers to the client only through the conference
        conference = models.ForeignKey(CaseConference, on_delete=models.CASCADE)
        name = models.CharField(max_length=100)

        class Meta:
            app_label = "clients"

    everything = [*_models(), CaseConference, ConferenceAttendee]
    assert coverage_gaps(all_models=everything) == [
        "clients.CaseConference refers to a client but the subject access export does not cover it",
        "clients.ConferenceAttendee refers to a client but the subject access export does not cover it",
    ]
    covered = _real()
    covered.SECTIONS["clients.CaseConference"] = Section("clients.CaseConference", "Case conferences")
    covered.SECTIONS["clients.ConferenceAttendee"] = Section("clients.ConferenceAttendee", "Who attended")
    assert coverage_gaps(all_models=everything, registry=covered) == []


@isolate_apps("core.clients")
def test_a_new_field_that_could_hold_client_ids_must_be_classified() -> None:
    class Meeting(models.Model):  # noqa: DJ008
        attendees = models.JSONField(default=list)
        subject_id = models.CharField(max_length=64)

        class Meta:
            app_label = "clients"

    assert coverage_gaps(all_models=[*_models(), Meeting]) == [
        "clients.Meeting.attendees could hold a client's id: say in the subject access registry whether it does",
        "clients.Meeting.subject_id could hold a client's id: say in the subject access registry whether it does",
    ]


def test_a_field_a_section_neither_shows_nor_leaves_out_is_a_gap() -> None:
    narrowed = _real()
    narrowed.SECTIONS["clients.Involvement"] = Section(
        "clients.Involvement", "The team", show=("practitioner", "role", "started_on", "ended_on")
    )
    gaps = coverage_gaps(registry=narrowed)
    assert (
        "clients.Involvement.is_lead is neither shown in the subject access export nor left out with a reason" in gaps
    )
    assert (
        "clients.Involvement.join_reason is neither shown in the subject access export nor left out with a reason"
        in gaps
    )


def test_a_stale_entry_is_a_gap() -> None:
    stale = _real()
    stale.SECTIONS["clients.Gone"] = Section("clients.Gone", "Gone")
    stale.SECTIONS["clients.Involvement"] = Section("clients.Involvement", "Team", left_out={"notes": "no such field"})
    assert coverage_gaps(registry=stale) == [
        "clients.Gone is in the subject access registry but no such model exists",
        "clients.Involvement.notes is in the subject access registry but the model has no such field",
    ]


@pytest.mark.parametrize("label", sorted(registry.SECTIONS))
def test_every_section_shows_something(label: str) -> None:
    section = registry.SECTIONS[label]
    assert section.shown(section.model_class())
