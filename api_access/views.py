from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.tokens import RefreshToken

from api_access.login import user_login
from api_access.serializers import (
    LoginRequestSerializer,
    LoginResponseSerializer,
    RefreshRequestSerializer,
    TokensSerializer,
)
from ocr_project.exception_handler import ErrorSerializer


class LoginView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        tags=["auth"],
        summary="用户登入 (log in)",
        request=LoginRequestSerializer,
        responses={
            200: LoginResponseSerializer,
            400: OpenApiResponse(
                description="`{\"detail\": ..., \"code\": \"login_failed\"}` or `\"login_locked\"`; "
                "or, for a missing field, `{\"<field>\": [\"...\"]}`."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = LoginRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_login(request=request._request, **serializer.validated_data)
        refresh = RefreshToken.for_user(user)
        return Response({
            "access_token": str(refresh.access_token),
            "refresh_token": str(refresh),
            "user_id": user.pk,
            "nickname": user.get_full_name() or user.get_username(),
        })


class RefreshView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def get_authenticate_header(self, request: Request) -> str:
        # An invalid refresh token is a 401, which DRF sends only with a scheme to authenticate by.
        return 'Bearer realm="api"'

    @extend_schema(
        tags=["auth"],
        summary="A new access token for a refresh token",
        request=RefreshRequestSerializer,
        responses={200: TokensSerializer, 401: OpenApiResponse(ErrorSerializer, description="`token_not_valid`.")},
    )
    def post(self, request: Request) -> Response:
        serializer = RefreshRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refreshed = TokenRefreshSerializer(data={"refresh": serializer.validated_data["refresh_token"]})
        try:
            refreshed.is_valid(raise_exception=True)
        except TokenError as error:
            raise InvalidToken(error.args[0]) from error
        tokens = refreshed.validated_data
        return Response({
            "access_token": tokens["access"],
            "refresh_token": tokens.get("refresh", serializer.validated_data["refresh_token"]),
        })
