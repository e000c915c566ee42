"""Every write of support access: asking, deciding, ending, recording what ran out and what was seen.

Each service writes the council's own audit trail (in its schema), and an operator's own steps the platform's too.
"""


class SupportRefused(Exception):
    """The step cannot be taken now; the message says why, in words for the person. Nothing was changed."""


class SupportGrantNotFound(Exception):
    """No such request in this council (another council's, or none at all): the page answers 404."""
