"""What a request says about the client that sent it."""

import ipaddress

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme


def client_address_from(*, remote_addr, forwarded_for, trusted_proxies):
    """Return the client's address given the proxies in front of us.

    Each trusted proxy appends the address it received the request from to
    ``X-Forwarded-For``, so with ``trusted_proxies`` of them the client is
    that many entries from the end; anything further left was sent by the
    client and can be forged. With fewer entries than proxies the leftmost
    is the furthest hop we can see. A value that is no address falls back
    to ``remote_addr``.
    """
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    if trusted_proxies <= 0 or not hops:
        return remote_addr
    candidate = hops[-min(trusted_proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr


def server_origin(request):
    """Return ``scheme://host[:port]`` of this server, as the request reached it.

    It is the address the Extension page hands the extension, so it is also
    the origin of the pages the extension must not record.
    """
    return f"{request.scheme}://{request.get_host()}"


def referer_on_this_site(request):
    """Return the page the request came from, if on this site and not itself."""
    referer = request.META.get("HTTP_REFERER", "")
    allowed = url_has_allowed_host_and_scheme(
        referer,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    )
    return referer if allowed and referer != request.build_absolute_uri() else None


def keep_private(response):
    """Keep a page out of caches, search engines and other sites.

    ``same-origin`` rather than ``no-referrer``: a shared page's token never
    leaves for another site, and its password form still posts with an
    Origin that the CSRF check can verify (``no-referrer`` makes it ``null``).
    """
    response["Cache-Control"] = "no-store, max-age=0"
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    response["Referrer-Policy"] = "same-origin"
    return response


def prefers_json(request):
    """Return whether an error is best answered with the API's JSON shape.

    A client asking for JSON gets it anywhere; under ``/api/`` only a
    browser, which asks for HTML first, gets a page.
    """
    if request.path.startswith("/api/"):
        offered = ["application/json", "text/html"]
        return request.get_preferred_type(offered) != "text/html"
    offered = ["text/html", "application/json"]
    return request.get_preferred_type(offered) == "application/json"


def client_address(request):
    """Return the address of the client, past ``LEDGERIUM_TRUSTED_PROXIES``."""
    return client_address_from(
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.headers.get("X-Forwarded-For", ""),
        trusted_proxies=settings.LEDGERIUM_TRUSTED_PROXIES,
    )


# One IPv6 client holds a whole /64 and may send from any address in it.
IPV6_CLIENT_PREFIX = 64


def address_group(address):
    """Return what one client's requests share: ``address``, or its IPv6 /64.

    For counting attempts per client: an IPv4 address stands for itself,
    and an IPv4 address written as IPv6 (``::ffff:198.51.100.7``) too.
    """
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.IPv6Network((int(parsed), IPV6_CLIENT_PREFIX), strict=False))


# The largest id a BigAutoField holds in PostgreSQL.
MAX_ID = 2**63 - 1


def number_from(value, *, maximum=MAX_ID):
    """Return ``value``, a parameter, as a whole number up to ``maximum``, or None.

    Only ASCII digits count: ``str.isdigit`` holds for "²" and "①", which
    ``int`` refuses, and ``int`` reads digits of other scripts, which no
    address of ours holds. Length is checked first, since ``int`` refuses
    a string of more than a few thousand digits.
    """
    digits = value.lstrip("0")
    if not (value.isascii() and value.isdecimal()):
        return None
    if len(digits) > len(str(maximum)):
        return None
    number = int(digits or "0")
    return number if number <= maximum else None
