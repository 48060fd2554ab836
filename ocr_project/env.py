"""Read typed settings from environment variables, failing loudly on values that make no sense."""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, *, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE)}, not {value!r}.")


def env_int(name: str, *, default: int, minimum: int | None = None) -> int:
    return _env_number(name, int, "a whole number", default=default, minimum=minimum)


def env_float(name: str, *, default: float, minimum: float | None = None) -> float:
    return _env_number(name, float, "a number", default=default, minimum=minimum)


def _env_number(name: str, parse, what: str, *, default, minimum):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = parse(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {what}, not {value!r}.") from None
    if minimum is not None and not number >= minimum:  # NaN is refused too
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return number


def env_list(name: str, *, default: list[str]) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_ports(name: str, *, default: list[int]) -> list[int]:
    """A comma-separated list of TCP ports (1-65535)."""
    ports = []
    for item in env_list(name, default=[str(port) for port in default]):
        if not item.isdigit() or not 1 <= int(item) <= 65535:
            raise ImproperlyConfigured(f"{name} must be a comma-separated list of ports (1-65535), not {item!r}.")
        ports.append(int(item))
    return ports


def env_choice(name: str, *, choices: list[str], default: str) -> str:
    value = os.environ.get(name, "").strip().lower() or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {choices}, not {value!r}.")
    return value


def env_rate(name: str, *, default: str | None) -> str | None:
    """A throttle rate such as "60/min" (s, min, hour, day), or "off" for none."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value == "off":
        return None
    count, _, period = value.partition("/")
    if not count.isdigit() or period not in ("s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"):
        raise ImproperlyConfigured(f"{name} must be like 60/min (s, min, hour, day) or off, not {value!r}.")
    return value
