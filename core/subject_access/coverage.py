"""What in the council's database refers to a client, found by walking the app registry rather than listed by
hand, and whether the export covers all of it.

A model refers to a client when it has a foreign key, one-to-one or many-to-many field to ``clients.Client``,
or to a model that does (a family's membership rows; an extension of a subject access request); the walk goes
on until nothing new is found. Many-to-many tables Django makes itself (a consent's services) belong to the
model that declares the field. Beside foreign keys, ids of clients are kept in a few free-form fields (the
audit trail's ``object_id`` and ``related_ids``, an alert's evidence, the links in emails): every such field —
JSON, arrays, long text, UUIDs and ``*_id`` strings that are not keys — must be classified in the registry as
holding client ids or not, so a new one is looked at by a person before the export runs again.

``coverage_gaps()`` lists what the registry (core/subject_access/registry.py) does not cover, in words; the
export refuses to run while it lists anything, and a test keeps it empty.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

CLIENT = "clients.Client"


@dataclass(frozen=True)
class Reference:
    """A model that refers to a client, and the lookups from it to the client's id (``pk`` for the client)."""

    model: type[models.Model]
    paths: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label


def _forward_relations(model: type[models.Model]) -> Iterable[models.Field]:
    for field in model._meta.get_fields():
        if field.is_relation and field.concrete and (field.many_to_one or field.one_to_one or field.many_to_many):
            yield field  # type: ignore[misc]


def client_references(*, all_models: Iterable[type[models.Model]] | None = None) -> dict[str, Reference]:
    """Every model that refers to a client, directly or through models that do, keyed by label, each with every
    way from it to the client. Found level by level: a model is placed at the first level it reaches, so
    cycles end. Django's own many-to-many tables are left out (their field's model stands for them)."""
    candidates = [
        model
        for model in (all_models if all_models is not None else apps.get_models(include_auto_created=True))
        if not model._meta.auto_created
    ]
    client = apps.get_model(CLIENT)
    found: dict[type[models.Model], tuple[str, ...]] = {client: ("pk",)}
    while True:
        level: dict[type[models.Model], tuple[str, ...]] = {}
        for model in candidates:
            if model in found:
                continue
            paths = []
            for field in _forward_relations(model):
                target = field.related_model
                if target in found:
                    paths += [field.name if path == "pk" else f"{field.name}__{path}" for path in found[target]]
            if paths:
                level[model] = tuple(paths)
        if not level:
            break
        found.update(level)
    return {model._meta.label: Reference(model, paths) for model, paths in found.items()}


def model_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a row holds: its columns and its many-to-many fields, in declaration order."""
    return [
        field  # type: ignore[misc]
        for field in model._meta.get_fields()
        if field.concrete and (not field.is_relation or field.many_to_one or field.one_to_one or field.many_to_many)
    ]


def _may_hold_ids(field: models.Field) -> bool:
    if isinstance(field, (models.JSONField, ArrayField, models.TextField)):
        return True
    if field.is_relation or field.primary_key:
        return False
    if isinstance(field, models.UUIDField):
        return True
    return isinstance(field, models.CharField) and (field.name.endswith("_id") or field.name.endswith("_ids"))


def _in_a_council(model: type[models.Model]) -> bool:
    """Whether the model's table is in every council's schema (the platform's tables hold no client)."""
    return model._meta.app_config is not None and model._meta.app_config.name in settings.TENANT_APPS


def free_form_fields(*, covered: set[str], all_models: Iterable[type[models.Model]] | None = None) -> set[str]:
    """``"app.Model.field"`` of every field of a council's tables, outside the covered models, that could hold a
    client's id without being a key: JSON, arrays, long text, non-key UUIDs and ``*_id`` strings."""
    fields = set()
    for model in all_models if all_models is not None else apps.get_models():
        if model._meta.label in covered or model._meta.auto_created or not _in_a_council(model):
            continue
        for field in model._meta.concrete_fields:
            if _may_hold_ids(field):
                fields.add(f"{model._meta.label}.{field.name}")
    return fields


def coverage_gaps(*, all_models: Iterable[type[models.Model]] | None = None, registry: object = None) -> list[str]:
    """What the export would miss, one sentence each; empty when everything is covered. ``registry`` (the
    sections and free-form fields) and ``all_models`` default to the real ones; tests pass their own."""
    from core.subject_access import registry as default_registry

    registry = registry or default_registry
    models_now = list(all_models) if all_models is not None else list(apps.get_models(include_auto_created=True))
    sections = registry.SECTIONS  # type: ignore[attr-defined]
    free_form = registry.FREE_FORM  # type: ignore[attr-defined]
    gaps = []
    references = client_references(all_models=models_now)
    for label in sorted(set(references) - set(sections)):
        gaps.append(f"{label} refers to a client but the subject access export does not cover it")
    by_label = {model._meta.label: model for model in models_now}
    for label, section in sorted(sections.items()):
        model = by_label.get(label)
        if model is None:
            gaps.append(f"{label} is in the subject access registry but no such model exists")
            continue
        if label not in references:
            gaps.append(f"{label} is in the subject access registry but does not refer to a client")
            continue
        names = {field.name for field in model_fields(model)}
        classified = section.classified_fields(model)
        for name in sorted(names - classified):
            gaps.append(f"{label}.{name} is neither shown in the subject access export nor left out with a reason")
        for name in sorted(classified - names):
            gaps.append(f"{label}.{name} is in the subject access registry but the model has no such field")
    candidates = free_form_fields(
        covered=set(references), all_models=[m for m in models_now if not m._meta.auto_created]
    )
    for name in sorted(candidates - set(free_form)):
        gaps.append(f"{name} could hold a client's id: say in the subject access registry whether it does")
    for name in sorted(set(free_form) - candidates):
        gaps.append(f"{name} is in the subject access registry's free-form fields but no such field exists")
    return gaps


class ExportNotCovered(RuntimeError):
    """The export would leave out something held about the client; it refuses to run."""

    def __init__(self, gaps: list[str]) -> None:
        self.gaps = gaps
        super().__init__("; ".join(gaps))


def coverage_check() -> None:
    gaps = coverage_gaps()
    if gaps:
        raise ExportNotCovered(gaps)
