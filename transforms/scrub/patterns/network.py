"""Network patterns: IPv4 / IPv6 addresses (entity type IP_ADDRESS), validated with ``ipaddress``."""

from __future__ import annotations

import ipaddress

from transforms.scrub.patterns.rules import rule


def ipv4_valid(value: str) -> bool:
    try:
        ip = ipaddress.IPv4Address(value)
    except ValueError:
        return False
    first = int(value.split(".", 1)[0])
    # not personal: unspecified, loopback, netmasks / broadcast
    return not (ip.is_unspecified or ip.is_loopback or first == 255 or first == 0)


def ipv6_valid(value: str) -> bool:
    if value.count(":") < 2:
        return False
    try:
        ip = ipaddress.IPv6Address(value)
    except ValueError:
        return False
    if ip.is_loopback or ip.is_unspecified:
        return False
    groups = [g for g in value.split(":") if g]
    # "ab::cd" (C++-ish) is a valid address but almost never meant as one
    return len(groups) >= 3 or any(len(g) == 4 for g in groups)

IP_RULES = (
    rule(
        "ipv4",
        # letters may touch the left ("陌生IP218.95.6.117", "ip:..."): a dotted quad glued to a
        # word is still an address; a lone "v" / "V" before it is a version ("v1.2.3.4")
        r"(?<![0-9.])(?<!(?<![A-Za-z])[vV])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}"
        r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?![0-9A-Za-z]|\.[0-9])",
        0.6,
        validate=ipv4_valid,
    ),
    rule(
        "ipv6",
        r"(?<![0-9A-Za-z:])(?=(?:[0-9A-Fa-f]*:){2})[0-9A-Fa-f:]{3,39}(?![0-9A-Za-z:])",
        0.6,
        validate=ipv6_valid,
    ),
)
