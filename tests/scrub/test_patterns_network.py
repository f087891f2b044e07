"""Network patterns (transforms.scrub.patterns.network): IPv4 / IPv6 addresses."""

from __future__ import annotations

from scrub_helpers import found, types


def test_ip_addresses(regex):
    assert ("IP_ADDRESS", "192.168.10.20") in found(regex, "服务器192.168.10.20挂了")
    assert ("IP_ADDRESS", "2001:db8:85a3::8a2e:370:7334") in found(
        regex, "ipv6 2001:db8:85a3::8a2e:370:7334 ok")
    assert "IP_ADDRESS" not in types(regex, "localhost 127.0.0.1 and 0.0.0.0 and ::1")
    assert "IP_ADDRESS" not in types(regex, "upgrade to v1.2.3.4 or 1.2.3.4.5 at 12:30:45")
    assert "IP_ADDRESS" not in types(regex, "std::vector<int> and a::b")


def test_ip_after_letters(regex):
    assert ("IP_ADDRESS", "218.95.6.117") in found(
        regex, "登录日志里有个陌生IP218.95.6.117，是不是被盗号了？")
    assert ("IP_ADDRESS", "10.1.2.3") in found(regex, "ip:10.1.2.3")
    assert "IP_ADDRESS" not in types(regex, "released v1.2.3.4 and V2.0.1.7")
