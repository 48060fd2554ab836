"""Who may call: open or required auth, login and lockout, refresh, API keys, visibility, throttles."""

import datetime
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from api_access import tokens as api_tokens
from api_access.models import ClientApiKey, RevokedTokenFamily
from ocr_record.models import OcrRecord, OcrRecordRequest
from tests.helpers import LIST_URL, PARSE_LETTER_URL, draw_text, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth_required(settings):
    settings.OCR_API_AUTH = "required"


@pytest.fixture
def alice():
    return User.objects.create_user("alice", password="correct horse battery", first_name="Alice")


@pytest.fixture
def bob():
    return User.objects.create_user("bob", password="another long secret")


def login(api_client, username, password):
    return api_client.post("/auth/login", {"username": username, "password": password}, format="json")


def bearer(api_client, user, password):
    token = login(api_client, user.username, password).json()["access_token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api_client


def parse(api_client, text):
    return api_client.post(PARSE_LETTER_URL, {"image": upload(draw_text(text))}, format="multipart")


def test_the_open_api_needs_no_credentials(api_client):
    assert parse(api_client, "open").status_code == 200
    assert api_client.get(LIST_URL).status_code == 200
    assert OcrRecord.objects.count() == 1
    assert not OcrRecordRequest.objects.exists()  # an anonymous request is not kept


@pytest.mark.parametrize("method, url", [("get", LIST_URL), ("get", "/api/ocr_record/1/"), ("post", PARSE_LETTER_URL)])
def test_anonymous_requests_get_401_when_auth_is_required(api_client, auth_required, method, url):
    response = getattr(api_client, method)(url)

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"}
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not OcrRecord.objects.exists()


def test_login_gives_tokens_that_open_the_api(api_client, auth_required, alice):
    response = login(api_client, "alice", "correct horse battery")

    body = response.json()
    assert response.status_code == 200
    assert (body["user_id"], body["nickname"]) == (alice.id, "Alice")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert api_client.get(LIST_URL).status_code == 200


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_wrong_credentials_get_the_same_400_whether_the_user_exists_or_not(api_client, alice, username):
    response = login(api_client, username, "wrong password")

    assert response.status_code == 400
    assert response.json() == {"detail": "wrong username or password", "code": "login_failed"}


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_five_failures_lock_the_user_name_out_even_for_the_right_password(api_client, alice, username):
    for _ in range(5):
        login(api_client, username, "wrong password")

    response = login(api_client, username, "correct horse battery")

    assert response.status_code == 400
    assert response.json() == {"detail": "too many failed logins, try again later", "code": "login_locked"}


def test_the_lockout_ends_after_15_minutes(api_client, alice):
    for _ in range(5):
        login(api_client, "alice", "wrong password")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))

    response = login(api_client, "alice", "correct horse battery")

    assert response.status_code == 200
    assert set(response.json()) == {"access_token", "refresh_token", "user_id", "nickname"}
    assert not AccessAttempt.objects.filter(username="alice").exists()  # a success clears them


def test_login_needs_a_username_and_a_password(api_client):
    response = api_client.post("/auth/login", {"username": "alice"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["password"]


def test_a_refresh_token_gives_a_new_access_token(api_client, auth_required, alice):
    refresh = login(api_client, "alice", "correct horse battery").json()["refresh_token"]

    response = api_client.post("/auth/refresh", {"refresh_token": refresh}, format="json")

    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    assert api_client.get(LIST_URL).status_code == 200


def test_an_invalid_refresh_token_gets_401(api_client):
    response = api_client.post("/auth/refresh", {"refresh_token": "not.a.token"}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_an_invalid_bearer_token_gets_401(api_client, auth_required):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")

    response = api_client.get(LIST_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_an_api_key_opens_the_api_for_its_user(api_client, auth_required, alice):
    api_key, key = ClientApiKey.objects.create_key(name="scanner", user=alice)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    assert parse(api_client, "keyed").status_code == 200
    assert OcrRecordRequest.objects.get().user == alice
    assert api_key.hashed_key != key  # only the hash is stored


@pytest.mark.parametrize("state", ["revoked", "expired", "wrong"])
def test_a_revoked_expired_or_wrong_api_key_gets_401(api_client, auth_required, alice, state):
    api_key, key = ClientApiKey.objects.create_key(name="scanner", user=alice)
    if state == "revoked":
        ClientApiKey.objects.filter(pk=api_key.pk).update(revoked=True)
    if state == "expired":
        ClientApiKey.objects.filter(pk=api_key.pk).update(expiry_date=timezone.now() - datetime.timedelta(days=1))
    if state == "wrong":
        key = key[:-1] + ("A" if key[-1] != "A" else "B")
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    response = api_client.get(LIST_URL)

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid, expired or revoked API key.", "code": "invalid_api_key"}


def test_a_client_sees_only_its_own_records_and_staff_see_all(api_client, auth_required, alice, bob):
    shared = draw_text("shared")
    alice_client = bearer(api_client.__class__(), alice, "correct horse battery")
    bob_client = bearer(api_client.__class__(), bob, "another long secret")
    alice_client.post(PARSE_LETTER_URL, {"image": upload(shared)}, format="multipart")
    parse(alice_client, "alicesown")
    bob_client.post(PARSE_LETTER_URL, {"image": upload(shared)}, format="multipart")
    alices_shared, bobs_shared = OcrRecord.objects.filter(content_text="shared").order_by("id")
    alices_own = OcrRecord.objects.get(content_text="alicesown")
    User.objects.create_user("staff", password="staff password here", is_staff=True)
    staff_client = bearer(api_client.__class__(), User.objects.get(username="staff"), "staff password here")

    assert [r["id"] for r in alice_client.get(LIST_URL).json()["results"]] == [alices_own.id, alices_shared.id]
    assert [r["id"] for r in bob_client.get(LIST_URL).json()["results"]] == [bobs_shared.id]
    assert bob_client.get(f"/api/ocr_record/{alices_own.id}/").status_code == 404
    assert bob_client.get(f"/api/ocr_record/{alices_shared.id}/").status_code == 404
    assert staff_client.get(LIST_URL).json()["count"] == 3
    assert (alices_shared.owner, bobs_shared.owner) == (alice, bob)


def test_a_file_another_client_sent_looks_new_and_is_not_read_again(
    api_client, auth_required, alice, bob, counting_engine
):
    alice_client = bearer(api_client.__class__(), alice, "correct horse battery")
    bob_client = bearer(api_client.__class__(), bob, "another long secret")
    image = draw_text("confidential")
    alice_client.post(
        "/api/ocr_record/parse_text/", {"image": upload(image), "tag": "alices-invoices"}, format="multipart"
    )

    letters = bob_client.post(PARSE_LETTER_URL, {"image": upload(image)}, format="multipart")
    calls_before_bobs_text = counting_engine.calls
    text = bob_client.post("/api/ocr_record/parse_text/", {"image": upload(image)}, format="multipart")
    again = bob_client.post("/api/ocr_record/parse_text/", {"image": upload(image)}, format="multipart")

    assert letters["X-OCR-Cache"] == "miss"  # Bob never sent it
    assert text.json()["results"][0]["cached"] is False
    assert again.json()["results"][0]["cached"] is True  # now he has
    bobs = bob_client.get(f"/api/ocr_record/{text.json()['results'][0]['record_id']}/result/").json()
    alices = OcrRecord.objects.get(owner=alice)
    assert bobs["tags"] == []
    assert bobs["created_at"] > alices.created_at.isoformat().replace("+00:00", "Z")
    assert bobs["result"] == alices.result
    assert counting_engine.calls == calls_before_bobs_text  # Alice's reading, copied


@pytest.fixture
def throttled(settings):
    cache.clear()
    settings.OCR_THROTTLE_RATES = {"parse": "3/min", "read": None, "anon_parse": "2/min", "anon_read": None}
    yield
    cache.clear()


def test_anonymous_parses_beyond_the_rate_get_429_with_retry_after(api_client, throttled):
    statuses = [parse(api_client, f"word{number}").status_code for number in range(3)]
    response = parse(api_client, "more")

    assert statuses == [200, 200, 429]
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60
    assert api_client.get(LIST_URL).status_code == 200  # reads are limited apart


def test_each_client_has_its_own_allowance(api_client, throttled, alice):
    for number in range(2):
        parse(api_client, f"anon{number}")
    alice_client = bearer(api_client.__class__(), alice, "correct horse battery")

    assert [parse(alice_client, f"alice{n}").status_code for n in range(4)] == [200, 200, 200, 429]


# Tokens: rotation, revocation, logout ----------------------------------------------------------


def refresh(api_client, token):
    return api_client.post("/auth/refresh", {"refresh_token": token}, format="json")


def test_a_refresh_token_works_once_and_the_next_comes_with_the_new_access_token(api_client, auth_required, alice):
    first = login(api_client, "alice", "correct horse battery").json()["refresh_token"]

    renewed = refresh(api_client, first)
    replayed = refresh(api_client, first)

    assert renewed.status_code == 200
    assert renewed.json()["refresh_token"] != first
    assert replayed.status_code == 401
    assert replayed.json() == {
        "detail": "This refresh token was used already: every token of its login is revoked.",
        "code": "token_not_valid",
    }


def test_a_replayed_refresh_token_revokes_its_newer_sibling_and_the_login_s_access_tokens(
    api_client, auth_required, alice
):
    first = login(api_client, "alice", "correct horse battery").json()["refresh_token"]
    renewed = refresh(api_client, first).json()  # the owner's (or the thief's) newer tokens
    other_login = login(api_client, "alice", "correct horse battery").json()

    replayed = refresh(api_client, first)

    assert replayed.status_code == 401
    sibling = refresh(api_client, renewed["refresh_token"])
    assert sibling.status_code == 401
    assert sibling.json() == {"detail": "This login was ended; log in again.", "code": "token_not_valid"}
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {renewed['access_token']}")
    assert api_client.get(LIST_URL).status_code == 401
    # Alice's other login is not this one: it goes on.
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {other_login['access_token']}")
    assert api_client.get(LIST_URL).status_code == 200
    assert RevokedTokenFamily.objects.count() == 1


def test_logout_revokes_the_refresh_token(api_client, auth_required, alice):
    token = login(api_client, "alice", "correct horse battery").json()["refresh_token"]

    response = api_client.post("/auth/logout", {"refresh_token": token}, format="json")

    assert response.status_code == 204
    assert refresh(api_client, token).status_code == 401
    assert api_client.post("/auth/logout", {"refresh_token": "not.a.token"}, format="json").status_code == 401


def test_logout_ends_the_login_s_access_tokens_in_every_process_within_a_minute(api_client, auth_required, alice):
    tokens = login(api_client, "alice", "correct horse battery").json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert api_client.get(LIST_URL).status_code == 200  # this process now remembers the login as valid
    api_client.post("/auth/logout", {"refresh_token": tokens["refresh_token"]}, format="json")

    assert api_client.get(LIST_URL).status_code == 401  # here at once
    # Another process remembered it valid: it asks the database again after FAMILY_CHECK_SECONDS.
    family = AccessToken(tokens["access_token"])["family"]
    api_tokens._families_seen[family] = (time.monotonic() - api_tokens.FAMILY_CHECK_SECONDS - 1, False)
    assert api_tokens.FAMILY_CHECK_SECONDS <= 60
    assert api_client.get(LIST_URL).status_code == 401


@pytest.mark.parametrize("change", ["password", "deactivation"])
def test_every_token_of_a_user_stops_working_when_the_password_changes_or_the_user_is_deactivated(
    api_client, auth_required, alice, change
):
    tokens = login(api_client, "alice", "correct horse battery").json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert api_client.get(LIST_URL).status_code == 200

    if change == "password":
        alice.set_password("a brand new passphrase")
    else:
        alice.is_active = False
    alice.save()

    assert api_client.get(LIST_URL).status_code == 401
    api_client.credentials()
    assert refresh(api_client, tokens["refresh_token"]).status_code == 401


def test_a_refresh_token_of_a_deleted_user_gets_401_not_500(api_client, alice):
    token = login(api_client, "alice", "correct horse battery").json()["refresh_token"]
    User.objects.filter(pk=alice.pk).delete()

    response = refresh(api_client, token)

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


# One lockout for every login (django-axes) ------------------------------------------------------


def test_the_admin_login_locks_out_after_five_failures_even_for_the_right_password(client, alice):
    alice.is_staff = True
    alice.save()
    for _ in range(5):
        client.post("/admin/login/", {"username": "alice", "password": "wrong password"})

    response = client.post("/admin/login/", {"username": "alice", "password": "correct horse battery"})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert login(APIClient(), "alice", "correct horse battery").json()["code"] == "login_locked"  # the same policy


def test_a_success_clears_the_failures(api_client, alice):
    for _ in range(4):
        login(api_client, "alice", "wrong password")
    assert login(api_client, "alice", "correct horse battery").status_code == 200

    assert [login(api_client, "alice", "wrong password").json()["code"] for _ in range(4)] == ["login_failed"] * 4


# Client addresses and the auth throttle ----------------------------------------------------------


def test_a_forged_x_forwarded_for_does_not_make_a_new_anonymous_client(api_client, throttled):
    statuses = [
        parse(api_client.__class__(HTTP_X_FORWARDED_FOR=f"203.0.113.{number}"), f"word{number}").status_code
        for number in range(3)
    ]

    assert statuses == [200, 200, 429]


def test_x_forwarded_for_is_believed_from_a_trusted_proxy_only(api_client, throttled, settings):
    settings.OCR_TRUSTED_PROXIES = ["127.0.0.1"]  # the test client's own address stands for the proxy

    statuses = [
        parse(APIClient(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}"), f"w{number}").status_code
        for number in range(3)
    ]
    untrusted = parse(APIClient(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9"), "x").status_code

    assert statuses == [200, 200, 200]  # three clients behind the proxy, each within its allowance
    assert untrusted == 200
    assert parse(APIClient(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.10"), "y").status_code == 200
    assert parse(APIClient(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.11"), "z").status_code == 429


def test_logins_and_refreshes_are_throttled_per_address(api_client, settings, alice):
    settings.OCR_THROTTLE_RATES = {**settings.OCR_THROTTLE_RATES, "auth": "3/min"}

    statuses = [login(api_client, f"user{number}", "guess").status_code for number in range(3)]
    refused = refresh(api_client, "not.a.token")

    assert statuses == [400, 400, 400]
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"


def test_a_user_name_that_grows_when_lower_cased_is_an_ordinary_failure(api_client):
    # 150 × "İ" is 300 characters lower-cased: once a 500 on PostgreSQL (a column of 150).
    response = login(api_client, "İ" * 150, "wrong password")

    assert response.status_code == 400
    assert response.json()["code"] == "login_failed"
