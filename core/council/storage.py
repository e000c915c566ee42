"""Where the council's private documents (data-sharing agreements) are kept.

The ``private`` storage of ``STORAGES``: a folder outside ``MEDIA_ROOT`` locally and in tests
(``VAR_DIR/private``), a prefix of the private S3 bucket in production. Nothing there has a public
address: a document is read only through a view that checks who asks and records it.
"""

from django.core.files.storage import FileSystemStorage, Storage, storages

PRIVATE = "private"


def private_storage() -> Storage:
    return storages[PRIVATE]


def document_prefix() -> str:
    """This council's folder in the private storage (the schema keeps councils apart there too)."""
    from django.db import connection

    return f"agreements/{connection.schema_name}/"


class PrivateFileSystemStorage(FileSystemStorage):
    """Files on local disk with no web address: ``url()`` refuses, so no template can link one."""

    def url(self, name: str | None) -> str:
        raise ValueError("Private documents have no web address: they are read through their view.")
