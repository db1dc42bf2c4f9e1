import pytest

from apps.core.http import address_group, client_address_from, number_from

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


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::9", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("unknown", "unknown"),
    ],
)
def test_address_group_holds_an_ipv6_client_to_its_64(address, expected):
    assert address_group(address) == expected


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("42", 42),
        ("007", 7),
        ("0", 0),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        ("9" * 5000, None),
        ("0" * 5000 + "1", 1),
        ("²", None),
        ("①", None),
        ("١٢", None),
        ("-1", None),
        (" 1", None),
        ("", None),
    ],
)
def test_number_from_reads_only_ascii_digits_within_the_maximum(value, number):
    assert number_from(value) == number
