from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_access.login import user_login
from api_access.serializers import (
    LoginRequestSerializer,
    LoginResponseSerializer,
    RefreshRequestSerializer,
    TokensSerializer,
)
from api_access.throttles import AuthRateThrottle
from api_access.tokens import refreshed_tokens, revoke, tokens_for
from ocr_api.serializers import ErrorSerializer


# What the /auth endpoints share: no credentials but what is sent, a rate per address, and a 401
# for a bad token. (A comment, not a docstring: drf-spectacular would show it as each endpoint's
# description.)
class AuthView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]

    def get_authenticate_header(self, request: Request) -> str:
        # An invalid refresh token is a 401, which DRF sends only with a scheme to authenticate by.
        return 'Bearer realm="api"'

    @staticmethod
    def refresh_token_of(request: Request) -> str:
        serializer = RefreshRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["refresh_token"]


class LoginView(AuthView):
    @extend_schema(
        tags=["auth"],
        summary="用户登入 (log in)",
        request=LoginRequestSerializer,
        responses={
            200: LoginResponseSerializer,
            400: OpenApiResponse(
                description='`{"detail": ..., "code": "login_failed"}` or `"login_locked"`; '
                'or, for a missing field, `{"<field>": ["..."]}`.'
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = LoginRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_login(request=request._request, **serializer.validated_data)
        return Response(
            {
                **tokens_for(user),
                "user_id": user.pk,
                "nickname": user.get_full_name() or user.get_username(),
            }
        )


class RefreshView(AuthView):
    @extend_schema(
        tags=["auth"],
        summary="New tokens for a refresh token (which is used up)",
        request=RefreshRequestSerializer,
        responses={
            200: TokensSerializer,
            401: OpenApiResponse(
                ErrorSerializer, description="`token_not_valid`: malformed, expired, used or revoked."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        return Response(refreshed_tokens(self.refresh_token_of(request)))


class LogoutView(AuthView):
    @extend_schema(
        tags=["auth"],
        summary="Log out: the refresh token is revoked",
        request=RefreshRequestSerializer,
        responses={204: None, 401: OpenApiResponse(ErrorSerializer, description="`token_not_valid`.")},
    )
    def post(self, request: Request) -> Response:
        revoke(self.refresh_token_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
