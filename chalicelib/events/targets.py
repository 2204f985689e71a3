"""Where a webhook may be sent: a public address, reached over https.

The host is resolved and every address it has is checked: loopback, private, link-local,
CGNAT, multicast, documentation, reserved and unspecified ranges, unique-local IPv6 are
refused, and so is a name that does not resolve. An IPv6 address that embeds an IPv4 one
(mapped ``::ffff:0:0/96``, compatible ``::/96``, translated ``::ffff:0:0:0/96``, NAT64
``64:ff9b::/96`` and ``64:ff9b:1::/48``, 6to4 ``2002::/16``, Teredo ``2001::/32``) is public
only if what it embeds is. A URL with whitespace or a control character is refused. A
delivery connects to the address checked here (no second lookup), so a name that changes its
answer between the check and the connection reaches nothing new. ``make run`` alone allows loopback
targets over http (``SERVICEDESK_WEBHOOKS_ALLOW_LOOPBACK``), for a developer's receiver.
"""
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..core.config import settings

__all__ = ["Target", "check", "RefusedTarget"]

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
#: ``address >> 32`` of the /96 prefixes whose last 32 bits are an IPv4 address.
_EMBEDDING_PREFIXES = (0, 0xFFFF, 0xFFFF0000, 0x64FF9B << 64)


class RefusedTarget(ValueError):
    """Why a URL is no place to send webhooks (the message names it, for the field error)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as the URL names it: the Host header and the TLS server name
    port: int
    address: str  # the checked address to connect to
    path: str  # with the query


def _embedded(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses that ``address`` carries (see the module's note)."""
    found = [a for a in (address.sixtofour, *(address.teredo or ())) if a is not None]
    if int(address) >> 32 in _EMBEDDING_PREFIXES or address in _NAT64_LOCAL:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def _public(address: ipaddress._BaseAddress) -> bool:
    if isinstance(address, ipaddress.IPv4Address):
        return address.is_global and address not in _CGNAT
    embedded = _embedded(address)
    if embedded and int(address) >> 32 in (0, 0xFFFF):  # mapped or compatible: it is the v4
        return all(_public(inner) for inner in embedded)
    return address.is_global and all(_public(inner) for inner in embedded)


def _printable(url: str) -> bool:
    return all(32 < ord(character) != 127 for character in url)


def _names_this_machine(host: str) -> bool:
    """``localhost``, or an address literal (any IPv4 spelling: 2130706433, 0x7f.1), which
    getaddrinfo reads without asking a resolver."""
    if host.lower() == "localhost":
        return True
    try:
        socket.inet_aton(host)
        return True
    except OSError:
        pass
    try:
        ipaddress.IPv6Address(host)
        return True
    except ValueError:
        return False


def check(url: str) -> Target:
    """The target of ``url`` at one checked address, or RefusedTarget."""
    if not _printable(url):
        raise RefusedTarget("The URL may not hold whitespace or control characters "
                            "(percent-encode them).")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedTarget(f"The URL is malformed ({error}).") from None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in ("https", "http") or not host:
        raise RefusedTarget("The URL must be an https URL with a host.")
    if parts.username is not None or parts.password is not None:
        raise RefusedTarget("The URL may not carry credentials.")
    port = port or (443 if scheme == "https" else 80)
    if settings.webhooks_loopback_only and not _names_this_machine(host):
        # the stand-in's fuzzing, soak and test runs: no lookup may leave this machine
        raise RefusedTarget(f"This stand-in sends webhooks only to this machine, not {host}.")
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RefusedTarget(f"The host {host} does not resolve.") from None
    addresses = [ipaddress.ip_address(entry[4][0].split("%")[0]) for entry in found]
    loopback = all(a.is_loopback or (getattr(a, "ipv4_mapped", None) or a).is_loopback
                   for a in addresses)
    if settings.webhooks_loopback_only and not loopback:
        raise RefusedTarget(f"This stand-in sends webhooks only to this machine, not {host}.")
    if loopback and settings.webhooks_allow_loopback:
        pass  # make run: a receiver on this machine, over http or https
    elif not all(_public(address) for address in addresses):
        raise RefusedTarget(f"The host {host} has an address that is not public: webhooks go "
                            "only to the internet.")
    elif scheme != "https":
        raise RefusedTarget("The URL must be https.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, port, str(addresses[0]), path)
