from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


class ApiRootApi(APIView):
    """Where to start: links to the main collections and the documentation."""

    permission_classes = [AllowAny]

    @extend_schema(tags=["health"], auth=[], responses=inline_serializer(
        "ApiRoot", {"name": serializers.CharField(), "version": serializers.CharField(),
                    "links": serializers.DictField(child=serializers.URLField())}))
    def get(self, request):
        def link(name: str) -> str:
            return reverse(name, request=request)

        return Response({
            "name": "Empathy LMS API",
            "version": "v1",
            "links": {
                "docs": link("api-docs"), "schema": link("schema"), "health": link("v1:health"),
                "token": link("v1:auth-token"), "me": link("v1:me"), "organizations": link("v1:organizations"),
            },
        })
