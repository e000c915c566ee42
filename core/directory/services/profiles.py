"""A practitioner keeps their own phonebook entry current: names, job, how to reach them, a photo.

The work email is not edited here: it is how the person signs in, and it must stay an address of
their agency. Photos are checked with Pillow, then re-encoded (which drops their metadata, such as
where a phone took them) and stored under the council's own prefix in the default storage (S3 in
production), so that one council's files are never another's.
"""

import io
import secrets

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Model
from PIL import Image, ImageOps, UnidentifiedImageError

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.directory.models import ContactMethod, Practitioner
from core.directory.phones import phone_clean

USER_FIELDS = ("first_name", "last_name")
PRACTITIONER_FIELDS = ("job_title", "expertise", "availability", "mobile", "landline", "preferred_contact")

PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000  # a 2 MB file can hold far more; decoding it would exhaust a worker
PHOTO_FORMATS = {"JPEG": "JPG", "PNG": "PNG"}
PHOTO_STORED_SIDE = 800  # stored photos fit in 800 × 800 pixels

PHOTO_INVALID = "The selected file must be a JPG or PNG photo"
PHOTO_TOO_BIG = "The selected file must be smaller than 2 MB"
PHOTO_TOO_MANY_PIXELS = "The selected photo must be smaller than 40 megapixels"


def practitioner_contact_check(*, preferred_contact: str, mobile: str, landline: str) -> None:
    """The preferred way to be contacted must be one the person has given. Raises ValidationError."""
    if preferred_contact not in ContactMethod.values:
        raise ValidationError({"preferred_contact": "Select how you prefer to be contacted"})
    if preferred_contact == ContactMethod.MOBILE and not mobile.strip():
        raise ValidationError({"mobile": "Enter your mobile number, or choose another way to be contacted"})
    if preferred_contact == ContactMethod.LANDLINE and not landline.strip():
        raise ValidationError({"landline": "Enter your landline number, or choose another way to be contacted"})


def photo_check(*, photo: File) -> None:
    """A JPG or PNG of at most 2 MB and 40 megapixels, that Pillow can read. Raises ValidationError."""
    if photo.size is None or photo.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": PHOTO_TOO_BIG})
    try:
        photo.seek(0)
        with Image.open(photo) as image:  # reads the header only
            image_format, pixels = image.format, image.width * image.height
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError({"photo": PHOTO_INVALID}) from error
    finally:
        photo.seek(0)
    if image_format not in PHOTO_FORMATS:
        raise ValidationError({"photo": PHOTO_INVALID})
    if pixels > PHOTO_MAX_PIXELS:
        raise ValidationError({"photo": PHOTO_TOO_MANY_PIXELS})


def photo_prefix() -> str:
    """Where this council's practitioner photos live in the default storage."""
    return f"practitioners/{connection.schema_name}/"


def _photo_store(photo: File) -> str:
    """Re-encode the photo as a JPEG no bigger than needed, store it, and return its storage name."""
    photo.seek(0)
    try:
        with Image.open(photo) as original:
            original.draft("RGB", (PHOTO_STORED_SIDE, PHOTO_STORED_SIDE))  # JPEG: decode at a reduced size
            image = ImageOps.exif_transpose(original)
            image.thumbnail((PHOTO_STORED_SIDE, PHOTO_STORED_SIDE))
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                flattened = Image.new("RGB", image.size, "white")
                flattened.paste(image, mask=image.getchannel("A"))
                image = flattened
            elif image.mode != "RGB":
                image = image.convert("RGB")
            encoded = io.BytesIO()
            image.save(encoded, format="JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError({"photo": PHOTO_INVALID}) from error
    # Not guessable, and short enough for the field (100 characters) with any schema name (≤ 63).
    name = f"{photo_prefix()}{secrets.token_urlsafe(12)}.jpg"
    max_length = Practitioner._meta.get_field("photo").max_length
    return default_storage.save(name, ContentFile(encoded.getvalue()), max_length=max_length)


@transaction.atomic
def practitioner_profile_update(
    *,
    practitioner: Practitioner,
    origin: Origin,
    photo: File | None = None,
    remove_photo: bool = False,
    **fields: str,
) -> Practitioner:
    """Change the given fields of ``practitioner``'s own profile (and names on their account).

    ``fields`` may hold first_name, last_name, job_title, expertise, availability, mobile, landline
    and preferred_contact; anything else is refused. Only what changed is saved, with one audit
    event naming the fields (never their values). All or nothing: ValidationError saves nothing.
    """
    unknown = set(fields) - set(USER_FIELDS) - set(PRACTITIONER_FIELDS)
    if unknown:
        raise TypeError(f"Not part of a profile: {', '.join(sorted(unknown))}")
    for name in ("mobile", "landline"):  # stored in E.164 (core/directory/phones.py), whoever calls
        if name in fields:
            try:
                fields[name] = phone_clean(fields[name], what=name)
            except ValidationError as error:
                raise ValidationError({name: error.messages}) from error
    user = practitioner.user
    user_changes = [name for name in USER_FIELDS if name in fields and fields[name] != getattr(user, name)]
    practitioner_changes = [
        name for name in PRACTITIONER_FIELDS if name in fields and fields[name] != getattr(practitioner, name)
    ]
    practitioner_contact_check(
        preferred_contact=fields.get("preferred_contact", practitioner.preferred_contact),
        mobile=fields.get("mobile", practitioner.mobile),
        landline=fields.get("landline", practitioner.landline),
    )
    _fields_check(user, {name: fields[name] for name in user_changes})
    _fields_check(practitioner, {name: fields[name] for name in practitioner_changes})
    if photo is not None:
        photo_check(photo=photo)
    for name in user_changes:
        setattr(user, name, fields[name])
    for name in practitioner_changes:
        setattr(practitioner, name, fields[name])

    old_photo = practitioner.photo.name
    new_photo = ""
    try:
        if photo is not None:
            new_photo = _photo_store(photo)
            practitioner.photo.name = new_photo
            practitioner_changes.append("photo")
        elif remove_photo and old_photo:
            practitioner.photo.name = ""
            practitioner_changes.append("photo")
        if not user_changes and not practitioner_changes:
            return practitioner
        if user_changes:
            user.save(update_fields=user_changes)
        if practitioner_changes:
            practitioner.save(update_fields=practitioner_changes)
        audit_record(
            action=AuditAction.PROFILE_UPDATED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=practitioner.user_id,
            object_type="practitioner",
            object_id=practitioner.pk,
            reason="changed " + ", ".join(user_changes + practitioner_changes),
        )
    except BaseException:
        if new_photo:
            default_storage.delete(new_photo)
        raise
    if "photo" in practitioner_changes and old_photo:
        transaction.on_commit(lambda: default_storage.delete(old_photo))
    return practitioner


def _fields_check(instance: Model, values: dict[str, str]) -> None:
    """The model's own rules (lengths, choices, blank) for the values about to be saved."""
    problems: dict[str, list[ValidationError]] = {}
    for name, value in values.items():
        try:
            instance._meta.get_field(name).clean(value, instance)  # type: ignore[union-attr]
        except ValidationError as error:
            problems[name] = error.error_list
    if problems:
        raise ValidationError(problems)
