"""Client API (``/api/v1/clients/...``), split as the pages are: search, add, the team (and its FHIR
CareTeam), and involvements (join, update, end, invite).

Thin views: parse and allow-list the input, call one recorded read or one service, serialise. Reads go
through ``core.clients.recorded`` so that every search and every view of a team is audited and
searching is rate-limited, exactly as on the pages. What a viewer may see is decided by the
visibility policy alone: a sensitive involvement the council's rules hide from the viewer is not in the
answer at all, and one they show as a placeholder reaches the API with two keys, ``kind`` and
``contact_via``, and nothing else.

Input serializers refuse any field they do not declare (DP-4): ``practitioner_id``, ``client_id``,
``council``, ``is_lead`` on a join and the like answer 400, and are never applied.
"""
