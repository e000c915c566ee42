"""API permission: a signed-in user who passed both factors (the middleware checks too)."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class IsVerified(BasePermission):
    message = "Sign in with your password and second factor first."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_verified())
