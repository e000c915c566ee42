"""The load test (``manage.py bench_load``): a locustfile and the page helpers it uses.

Nothing here imports Django or the product: the simulated practitioners talk HTTP only, from locust's own
environment (``var/bench-locust``), and ``pages`` is plain Python the tests can check against real responses.
"""
