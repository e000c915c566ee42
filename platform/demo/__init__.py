"""The demo and benchmark tooling: fabricated councils for the demo, the large-council generator and
the benchmarks, with their management commands. Not part of the product: nothing in the product
imports it, and only the local and test settings install it (production settings only with
``PATCHWORK_DEMO``).

Fabricated demo data for one council is realistic to look at, never real. Email domains use the
reserved ``.example`` top-level domain, phone numbers come from the ranges set aside for drama
(Ofcom, ACMA), NHS numbers from the range NHS England never issues. Entry points:
``demo.populate.council_demo_populate`` (the demo) and ``demo.scale.council_generate_large`` (a
council at scale, for the benchmarks).
"""
