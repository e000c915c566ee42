"""Response-header security settings shared by every environment (CSP, permissions, caching).

Imported at the end of ``base.py``, so every environment (local, test, production) sends the same
headers. ``config.security.SecurityHeadersMiddleware`` adds ``Cache-Control`` and
``Permissions-Policy``; the Content-Security-Policy comes from django-csp 4 (``CSPMiddleware``).

The policy allows nothing inline except what carries the request's nonce: templates write
``nonce="{{ csp_nonce }}"`` (context processor ``config.security.csp_nonce``) on the one inline
``<style>`` in ``base.html``. Never add ``'unsafe-inline'`` or ``'unsafe-eval'``.
"""

from csp.constants import NONCE, NONE, SELF

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Sent on every response by config.security.SecurityHeadersMiddleware: no powerful features at all.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"
