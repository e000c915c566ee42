from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm, for fuzzy name search, installed once in ``public`` (on every schema's search path)."""

    dependencies = [("tenants", "0001_initial")]

    operations = [TrigramExtension()]
