from rest_framework import serializers


class LoginRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=512, trim_whitespace=False, style={"input_type": "password"})


class TokensSerializer(serializers.Serializer):
    access_token = serializers.CharField(help_text="Send as `Authorization: Bearer <access_token>`.")
    refresh_token = serializers.CharField(help_text="Exchange at /auth/refresh for a new access token.")


class LoginResponseSerializer(TokensSerializer):
    user_id = serializers.IntegerField()
    nickname = serializers.CharField()


class RefreshRequestSerializer(serializers.Serializer):
    refresh_token = serializers.CharField()
