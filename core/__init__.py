"""Everything inside a council: it lives in the council's own schema (TENANT_APPS).

``core`` never imports from ``billing``, ``onboarding`` or ``console``.
"""
