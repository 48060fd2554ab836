"""The URL fetcher (ocr_record/fetching.py) against real servers on loopback: each refusal a real
attempt, and the server's own log says the refused ones never reached it.

127.0.0.2 plays a public host where a test needs one (a loopback address the tests call public, by
patching only the question "is this address public?"); everything else is the real network path."""

import socket
import time

import pytest
import requests_hardened.ip_filter

from ocr_record import fetching
from ocr_record.fetching import UrlRefused, UrlRules, fetch, fetch_all
from tests.urlserver import UrlServer

PUBLIC_STAND_IN = "127.0.0.2"


def rules(server: UrlServer, **changes) -> UrlRules:
    return UrlRules(
        **{
            "allowed_ports": (80, 443, server.port),
            "allowed_hosts": (),
            "allow_private": False,
            "timeout_s": 3.0,
            "max_bytes": 1024 * 1024,
            **changes,
        }
    )


@pytest.fixture
def server():
    with UrlServer() as running:
        yield running


@pytest.fixture
def public_server(monkeypatch):
    """A server on 127.0.0.2, which the fetcher's two checks (ours and requests-hardened's) take
    for a public address; 127.0.0.1 stays private."""
    original_not_public, original_get_ip = fetching.not_public, requests_hardened.ip_filter.get_ip_address

    def not_public(address):
        return None if address == PUBLIC_STAND_IN else original_not_public(address)

    def get_ip_address(hostname, port, allow_loopback):
        resolved = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)[0][4][0]
        if resolved == PUBLIC_STAND_IN:
            import ipaddress  # noqa: PLC0415

            return ipaddress.ip_address(resolved), port
        return original_get_ip(hostname, port, allow_loopback)

    monkeypatch.setattr(fetching, "not_public", not_public)
    monkeypatch.setattr(requests_hardened.ip_filter, "get_ip_address", get_ip_address)
    with UrlServer(PUBLIC_STAND_IN) as running:
        yield running


def refusal(url: str, rules_: UrlRules) -> UrlRefused:
    with pytest.raises(UrlRefused) as refused:
        fetch(url, rules_)
    return refused.value


def test_an_image_on_a_server_allowed_to_be_private_is_fetched_whatever_its_content_type_says(server):
    fetched = fetch(server.url("/image.png"), rules(server, allow_private=True))

    assert fetched.content == server.image
    assert server.requests == ["/image.png"]


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::1]", "0.0.0.0", "2130706433", "0x7f.1", "169.254.169.254", "[::ffff:127.0.0.1]"],
)
def test_every_form_of_a_private_address_is_refused_before_any_connection(server, host):
    refused = refusal(server.url("/image.png", host=host), rules(server, timeout_s=2.0))

    assert refused.code == "url_not_allowed"
    assert "only public addresses" in refused.message
    assert server.requests == []


def test_a_name_that_resolves_to_a_private_address_is_refused(server, monkeypatch):
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        return real("10.0.0.5" if host == "intranet.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    refused = refusal(server.url("/image.png", host="intranet.example"), rules(server))

    assert (refused.code, "10.0.0.5" in refused.message) == ("url_not_allowed", True)


def test_a_public_url_that_redirects_to_a_private_one_is_refused_at_the_second_hop(public_server, server):
    redirect = public_server.url(f"/redirect?to={server.url('/image.png')}")

    refused = refusal(redirect, rules(server, allowed_ports=(public_server.port, server.port)))

    assert refused.code == "url_not_allowed"
    assert public_server.requests == [redirect.split(str(public_server.port), 1)[1]]
    assert server.requests == []


def test_a_dns_answer_that_changes_between_the_check_and_the_connection_cannot_move_it(
    public_server, server, monkeypatch
):
    # The name first resolves to the public stand-in (the check passes), then to the private
    # server: the connection must not go there.
    answers = iter([PUBLIC_STAND_IN, "127.0.0.1", "127.0.0.1", "127.0.0.1"])
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        return real(next(answers) if host == "rebind.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"http://rebind.example:{server.port}/image.png"

    refused = refusal(url, rules(server))

    assert refused.code == "url_not_allowed"
    assert server.requests == []


def test_redirects_are_followed_three_times_at_most_each_hop_checked(server):
    allowed = rules(server, allow_private=True)
    target = server.url("/image.png")
    for _ in range(3):
        target = server.url(f"/redirect?to={target}")

    assert fetch(target, allowed).content == server.image
    assert refusal(server.url(f"/redirect?to={target}"), allowed).code == "url_fetch_failed"


@pytest.mark.parametrize(
    "url, code",
    [
        ("ftp://example.com/a.png", "url_invalid"),
        ("http://", "url_invalid"),
        ("http://user:secret@example.com/a.png", "url_not_allowed"),
        ("http://example.com:22/a.png", "url_not_allowed"),
        ("not a url", "url_invalid"),
        ("http://[::1/a.png", "url_invalid"),
    ],
)
def test_a_malformed_or_disallowed_url_is_refused_naming_the_rule(server, url, code):
    assert refusal(url, rules(server)).code == code


def test_a_host_outside_the_allow_list_is_refused(server):
    refused = refusal(server.url(), rules(server, allow_private=True, allowed_hosts=("images.example.com",)))

    assert (refused.code, server.requests) == ("url_not_allowed", [])
    assert "127.0.0.1 is not among the hosts" in refused.message


def test_a_server_that_trickles_a_byte_a_second_is_cut_off_at_the_time_limit(server):
    started = time.monotonic()

    refused = refusal(server.url("/trickle"), rules(server, allow_private=True, timeout_s=2.0))

    assert refused.code == "url_too_slow"
    assert time.monotonic() - started < 2.0 + 20  # the limit, and room for a busy machine


def test_an_endless_body_is_cut_at_the_upload_limit(server):
    refused = refusal(server.url("/endless"), rules(server, allow_private=True, max_bytes=512 * 1024))

    assert (refused.code, refused.status) == ("url_too_large", 413)


def test_a_ten_gigabyte_content_length_is_refused_before_the_body(server):
    refused = refusal(server.url("/huge"), rules(server, allow_private=True))

    assert (refused.code, refused.status) == ("url_too_large", 413)


def test_an_error_status_is_said_without_the_page_it_came_with(server):
    refused = refusal(server.url("/missing"), rules(server, allow_private=True))

    assert (refused.code, refused.message) == ("url_fetch_failed", "The server answered 404 Not Found.")
    assert "private details" not in refused.message


def test_a_closed_port_and_an_unanswered_address_are_said_the_same_way(server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    allowed = rules(server, allow_private=True, allowed_ports=(closed, 9), timeout_s=2.0)

    refused_closed = refusal(f"http://127.0.0.1:{closed}/a.png", allowed)
    refused_unanswered = refusal("http://192.0.2.1:9/a.png", allowed)  # TEST-NET-1: nothing answers

    assert (refused_closed.code, refused_closed.message) == (refused_unanswered.code, refused_unanswered.message)


def test_several_urls_are_fetched_together_within_one_time_limit(server):
    allowed = rules(server, allow_private=True, timeout_s=2.0)
    started = time.monotonic()

    results = fetch_all([server.url("/trickle"), server.url("/trickle"), server.url("/image.png")], allowed)

    assert [getattr(result, "code", "fetched") for result in results] == ["url_too_slow", "url_too_slow", "fetched"]
    assert time.monotonic() - started < 2.0 + 20  # one limit, not three


def test_a_resolver_that_does_not_answer_holds_nobody_past_the_time_limit(server, monkeypatch):
    real, release = socket.getaddrinfo, __import__("threading").Event()

    def hanging(host, *args, **kwargs):
        if host == "slow-dns.example":
            release.wait(60)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    started = time.monotonic()

    refused = refusal(f"http://slow-dns.example:{server.port}/image.png", rules(server, timeout_s=1.0))
    release.set()

    assert refused.code == "url_too_slow"
    assert time.monotonic() - started < 1.0 + 20


def test_a_fetch_that_fails_unexpectedly_is_a_refusal_not_a_500(server, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a library's own bug")

    monkeypatch.setattr(fetching, "fetch", broken)

    (result,) = fetch_all([server.url()], rules(server, allow_private=True))

    assert (result.code, result.message) == ("url_fetch_failed", "The link could not be fetched.")
