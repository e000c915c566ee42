"""The version of the terms a council accepts when it orders: each order records the one it accepted.

When the terms change, the page (onboarding/templates/onboarding/terms.html) and this version change
together, and the earlier text is kept in the repository's history.
"""

TERMS_VERSION = "2026-12-03"
