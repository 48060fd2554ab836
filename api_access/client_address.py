"""Who is calling: the client's address, told by a proxy only when that proxy is trusted.

Throttles, the login lockout and the request log count clients by address. `X-Forwarded-For` is
whatever the client wrote unless a proxy we run wrote it: the header is believed only from the
addresses in OCR_TRUSTED_PROXIES, and read from the right, hop by hop, for as long as each hop is
a trusted proxy. The first address that is not one is the client. Anything else (no trusted
proxy, a malformed entry) leaves REMOTE_ADDR, the peer of the TCP connection, as it is.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(entries: list[str]) -> tuple[Network, ...]:
    """OCR_TRUSTED_PROXIES' addresses and networks ("10.0.0.5", "172.16.0.0/12")."""
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as error:
        raise ImproperlyConfigured(f"OCR_TRUSTED_PROXIES: {error}") from None


def client_address(peer: str, forwarded_for: str, trusted: tuple[Network, ...]) -> str:
    address = peer
    hops = [hop.strip() for hop in forwarded_for.split(",")] if forwarded_for else []
    while hops and _is_trusted(address, trusted):
        hop = hops.pop()
        try:
            address = str(ipaddress.ip_address(hop))
        except ValueError:  # garbage from before the first trusted proxy: the proxy is the last we know
            break
    return address


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def remote_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


class ClientAddressMiddleware:
    """Sets REMOTE_ADDR to the client's address before anything reads it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.trusted = trusted_networks(settings.OCR_TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.trusted:
            request.META["REMOTE_ADDR"] = client_address(
                request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""), self.trusted
            )
        return self.get_response(request)
