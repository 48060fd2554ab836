"""Files fetched by URL on a client's behalf, so that no URL reaches what the internet could not.

Fetching a URL for a caller is the classic way into a server's own network (SSRF: the cloud's
metadata at 169.254.169.254, the database on 127.0.0.1, an admin panel on 10.x). The rules, each
applied to every hop of a redirect (at most MAX_REDIRECTS):

- http or https only, no user name or password in the URL, ports 80 and 443 only unless
  OCR_URL_ALLOWED_PORTS says more, the host in OCR_URL_ALLOWED_HOSTS when that is set;
- the host resolved and every address it resolves to checked: public unicast only (no loopback,
  private, link-local, CGNAT, multicast, reserved or unspecified address, nor an IPv4-mapped, 6to4
  or Teredo form of one); a literal written oddly (`2130706433`, `0x7f.1`) is what the resolver
  makes of it;
- the connection made to the address that was checked, not to a second resolution of the name, so a
  DNS answer that changes between the check and the connection (rebinding) cannot move it: this is
  requests-hardened's session (Saleor's, maintained), whose adapter resolves the name once, refuses
  a private address and connects to the address it resolved, TLS still verified against the name;
- a connect limit and a total limit (OCR_URL_TIMEOUT_S) over the whole fetch, redirects included,
  a body read as a stream, chunk by chunk, and cut at OCR_MAX_UPLOAD_BYTES (a `Content-Length`
  over it refused before any of the body is read): a server that trickles a byte a second or sends
  without end is cut off at the limit;
- the type decided by the bytes, not by `Content-Type`.

OCR_URL_ALLOW_PRIVATE (tests, closed networks) lets private addresses through; every other rule
stays. Every failure to connect (refused, reset, unreachable, timed out) is said the same way, so
that the answers cannot map what listens where.
"""

import concurrent.futures
import contextlib
import ipaddress
import logging
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from requests_hardened import Config, HTTPSession
from requests_hardened.ip_filter import InvalidIPAddress

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 3
CHUNK_BYTES = 64 * 1024
_CONNECT_S = 3.0


class UrlRefused(Exception):
    """A URL not fetched: a stable `code`, a message in words, and the HTTP status it is answered
    with (`url_invalid`, `url_not_allowed`, `url_fetch_failed`, `url_too_slow`: 400;
    `url_too_large`: 413)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class UrlRules:
    allowed_ports: tuple[int, ...]
    allowed_hosts: tuple[str, ...]
    allow_private: bool
    timeout_s: float
    max_bytes: int


@dataclass(frozen=True)
class Fetched:
    url: str
    content: bytes


def fetch(url: str, rules: UrlRules, *, deadline: float | None = None) -> Fetched:
    """The body of `url` fetched within `rules`, by `deadline` (time.monotonic()) at the latest.
    Raises UrlRefused."""
    deadline = deadline or time.monotonic() + rules.timeout_s
    session = HTTPSession(
        Config(
            ip_filter_enable=not rules.allow_private,
            ip_filter_allow_loopback_ips=False,
            never_redirect=True,
            default_timeout=(_CONNECT_S, rules.timeout_s),
            user_agent_override="django-ocr (fetching an image a client sent the link of)",
        )
    )
    with session:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, rules, deadline)
            response = _get(session, url, deadline)
            with response:
                if not response.is_redirect:
                    return Fetched(url, _body(response, rules, deadline))
                url = urljoin(url, response.headers.get("Location", ""))
    raise UrlRefused("url_fetch_failed", f"The URL redirects more than {MAX_REDIRECTS} times.")


class FetchingBusy(Exception):
    """This process is fetching as many requests' links as it may (OCR_URL_MAX_FETCHES)."""


_fetching_lock = threading.Lock()
_fetching_now = 0


@contextlib.contextmanager
def fetch_slot(most: int):
    """One of the `most` requests of this process that may be fetching links at once, or
    FetchingBusy at once (never a wait: a wait would hold the thread the limit is there to keep)."""
    global _fetching_now
    with _fetching_lock:
        if _fetching_now >= most:
            raise FetchingBusy
        _fetching_now += 1
    try:
        yield
    finally:
        with _fetching_lock:
            _fetching_now -= 1


def fetch_all(urls: list[str], rules: UrlRules) -> list[Fetched | UrlRefused]:
    """Each URL fetched at once, all within the one time limit: a request with several links
    holds its worker no longer than one would."""
    if not urls:
        return []
    deadline = time.monotonic() + rules.timeout_s
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=len(urls), thread_name_prefix="fetch")
    try:
        futures = [pool.submit(_fetch_or_refusal, url, rules, deadline) for url in urls]
        # A read already waiting when the time runs out is not waited for: its thread ends at its
        # socket's own time limit, the request goes on now.
        concurrent.futures.wait(futures, timeout=max(0.0, deadline - time.monotonic()) + 0.25)
        return [future.result() if future.done() else _too_slow() for future in futures]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _fetch_or_refusal(url: str, rules: UrlRules, deadline: float) -> Fetched | UrlRefused:
    try:
        return fetch(url, rules, deadline=deadline)
    except UrlRefused as refused:
        return refused
    except Exception:  # noqa: BLE001 (whatever a link does, its request answers a 4xx, never a 500)
        logger.exception("Fetching %s failed unexpectedly", url)
        return UrlRefused("url_fetch_failed", "The link could not be fetched.")


def check_url(url: str, rules: UrlRules, deadline: float) -> None:
    """The rules a URL must keep before any connection: its form, scheme, port, host, and every
    address its host resolves to. Raises UrlRefused naming the rule."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        raise UrlRefused("url_invalid", "The URL is malformed.") from None
    if parts.scheme not in ("http", "https"):
        raise UrlRefused("url_invalid", "Only http and https URLs are fetched.")
    if not parts.hostname:
        raise UrlRefused("url_invalid", "The URL has no host.")
    if parts.username or parts.password:
        raise UrlRefused("url_not_allowed", "A URL with a user name or password is not fetched.")
    if port not in rules.allowed_ports:
        allowed = ", ".join(str(number) for number in rules.allowed_ports)
        raise UrlRefused("url_not_allowed", f"Port {port} is not fetched from (allowed: {allowed}).")
    host = parts.hostname.rstrip(".").lower()
    if rules.allowed_hosts and not any(
        host == allowed or host.endswith(f".{allowed}") for allowed in rules.allowed_hosts
    ):
        raise UrlRefused("url_not_allowed", f"The host {host} is not among the hosts images are fetched from.")
    if rules.allow_private:
        return
    for address in _addresses(host, port, deadline):
        if why := not_public(address):
            raise UrlRefused("url_not_allowed", f"The host {host} is {why}: only public addresses are fetched from.")


def not_public(address: str) -> str | None:
    """Why `address` is no public unicast address (its IPv4-mapped, 6to4 and Teredo forms read as
    the IPv4 address they carry), or None when it is one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        carried = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if carried is not None:
            return not_public(str(carried))
    if ip.is_loopback:
        return f"a loopback address ({ip})"
    if ip.is_link_local:
        return f"a link-local address ({ip}), where cloud metadata services answer"
    if ip.is_multicast:
        return f"a multicast address ({ip})"
    if ip.is_unspecified:
        return f"the unspecified address ({ip})"
    if not ip.is_global:
        return f"a private or reserved address ({ip})"
    return None


def _addresses(host: str, port: int, deadline: float) -> list[str]:
    """Every address `host` resolves to, within the time left (a resolver that does not answer
    holds nobody)."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="resolve")
    try:
        future = pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        answers = future.result(timeout=max(0.0, deadline - time.monotonic()))
    except concurrent.futures.TimeoutError:
        raise UrlRefused("url_too_slow", f"The name {host} did not resolve in time.") from None
    except (socket.gaierror, UnicodeError):
        raise UrlRefused("url_fetch_failed", f"The name {host} does not resolve.") from None
    finally:
        pool.shutdown(wait=False)  # a resolver that hangs is left to its own time-out, not waited for
    return [answer[4][0] for answer in answers]


def _get(session: HTTPSession, url: str, deadline: float) -> requests.Response:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _too_slow()
    try:
        return session.get(
            url, stream=True, timeout=(min(_CONNECT_S, left), left), headers={"Accept": "image/*, application/pdf"}
        )
    except InvalidIPAddress:
        raise UrlRefused(
            "url_not_allowed", "The host is not a public address: only public addresses are fetched from."
        ) from None
    except requests.exceptions.SSLError:
        raise UrlRefused("url_fetch_failed", "The server's TLS certificate could not be verified.") from None
    except requests.exceptions.ReadTimeout:
        raise _too_slow() from None
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout):
        # Refused, reset, unreachable or timed out: one answer, so that no caller maps a network.
        raise UrlRefused("url_fetch_failed", "The server could not be reached.") from None
    except requests.exceptions.RequestException:
        raise UrlRefused("url_invalid", "The URL is malformed.") from None


def _body(response: requests.Response, rules: UrlRules, deadline: float) -> bytes:
    if response.status_code != 200:
        raise UrlRefused(
            "url_fetch_failed", f"The server answered {response.status_code} {response.reason or ''}".strip() + "."
        )
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > rules.max_bytes:
        raise _too_large(rules)
    chunks, size = [], 0
    try:
        while chunk := response.raw.read1(CHUNK_BYTES, decode_content=True):
            size += len(chunk)
            if size > rules.max_bytes:
                raise _too_large(rules)
            if time.monotonic() > deadline:
                raise _too_slow()
            chunks.append(chunk)
    except (requests.exceptions.RequestException, OSError, ValueError) as error:
        if "timed out" in str(error).lower():
            raise _too_slow() from None
        raise UrlRefused("url_fetch_failed", "The server broke off while sending.") from None
    return b"".join(chunks)


def _too_large(rules: UrlRules) -> UrlRefused:
    return UrlRefused(
        "url_too_large", f"The file at the URL is larger than the limit of one upload ({rules.max_bytes} bytes).", 413
    )


def _too_slow() -> UrlRefused:
    return UrlRefused("url_too_slow", "The file at the URL did not arrive within the time limit.")
