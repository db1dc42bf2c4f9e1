import pytest

from apps.core.http import client_address_from

PROXY = "10.0.0.5"


@pytest.mark.parametrize(
    ("forwarded_for", "trusted_proxies", "expected"),
    [
        ("", 0, PROXY),
        ("203.0.113.9", 0, PROXY),
        ("203.0.113.9", 1, "203.0.113.9"),
        ("6.6.6.6, 203.0.113.9", 1, "203.0.113.9"),
        ("6.6.6.6, 203.0.113.9, 10.0.0.4", 2, "203.0.113.9"),
        ("203.0.113.9", 2, "203.0.113.9"),
        ("", 1, PROXY),
        ("not an address", 1, PROXY),
        (" 2001:db8::1 ", 1, "2001:db8::1"),
    ],
)
def test_client_address_counts_trusted_proxies_from_the_end(
    forwarded_for, trusted_proxies, expected
):
    address = client_address_from(
        remote_addr=PROXY,
        forwarded_for=forwarded_for,
        trusted_proxies=trusted_proxies,
    )

    assert address == expected
