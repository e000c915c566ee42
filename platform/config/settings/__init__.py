"""Split settings: base, local (the default), test and production.

Choose one with ``DJANGO_SETTINGS_MODULE`` (``config.settings.local`` unless set).
"""
