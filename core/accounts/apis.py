"""API views for the signed-in person (``/api/v1/``). Thin: parse, one selector, serialise."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.accounts.selectors import account_summary


class MeApi(APIView):
    """Who I am signed in as, and in which council."""

    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        first_name = serializers.CharField()
        last_name = serializers.CharField()
        email = serializers.EmailField()
        council = serializers.CharField()
        agency = serializers.CharField(allow_null=True)
        job_title = serializers.CharField(allow_null=True)

    @extend_schema(responses=OutputSerializer, operation_id="me_retrieve")
    def get(self, request: Request) -> Response:
        summary = account_summary(user=request.user, council_name=request.council.name)
        return Response(self.OutputSerializer(summary).data)
