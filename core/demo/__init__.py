"""Fabricated demo data for one council: realistic to look at, never real.

Email domains use the reserved ``.example`` top-level domain, phone numbers come from the ranges set aside
for drama (Ofcom, ACMA), NHS numbers from the range NHS England never issues. Entry point:
``core.demo.populate.council_demo_populate``.
"""
