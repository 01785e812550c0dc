"""site.yml's official channels, security contact and contact details (generator/mission.py), and what the
demo publishes of them: the channels page, sameAs, rel="me", the footer and Embassy JSON-LD."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.core.errors import ConfigError
from generator.sources.config import parse_config

BASE = "base_url: https://embassy.example.org/\nlanguages: [{code: en}, {code: ar}]\n"


def test_profile_addresses_and_old_handles_become_channels() -> None:
    config = parse_config(BASE + """\
social:
  x: VeloriaInBaku
  telegram: "@veloria_baku"
  mastodon: "VeloriaBaku@mastodon.social"
  facebook: https://www.facebook.com/VeloriaEmbassyBaku
  bluesky: https://bsky.app/profile/baku.embassy.example.org
""")
    assert [(c.platform, c.name, c.url, c.handle) for c in config.channels] == [
        ("x", "X", "https://x.com/VeloriaInBaku", "VeloriaInBaku"),
        ("telegram", "Telegram", "https://t.me/veloria_baku", "veloria_baku"),
        ("mastodon", "Mastodon", "https://mastodon.social/@VeloriaBaku", "@VeloriaBaku@mastodon.social"),
        ("facebook", "Facebook", "https://www.facebook.com/VeloriaEmbassyBaku", "VeloriaEmbassyBaku"),
        ("bluesky", "Bluesky", "https://bsky.app/profile/baku.embassy.example.org", "baku.embassy.example.org"),
    ]
    assert config.social["x"] == "VeloriaInBaku"  # twitter:site


@pytest.mark.parametrize(("text", "line", "expected"), [
    ("social:\n  x: http://x.com/VeloriaInBaku\n", 4, "is not https"),
    ("social:\n  x: https://evil.example/VeloriaInBaku\n", 4, "is not a X address (its host is evil.example)"),
    ("social:\n  facebok: https://www.facebook.com/a\n", 4, 'did you mean "facebook"'),
    ("social:\n  mastodon: VeloriaBaku\n", 4, "is neither a Mastodon profile address nor a handle"),
    ("social:\n  facebook: https://www.facebook.com/\n", 4, "home page, not the mission's profile"),
    ("security:\n  contact: [security@example.org]\n", 4, "is not a security contact"),
    ("security:\n  contact: [mailto:s@example.org]\n  expires_days: 500\n", 5, "should expire within a year"),
    ("contact:\n  emergency: 555-0100\n", 4, "is not an international telephone number"),
    ("contact:\n  offices:\n    - {address: {en: x}}\n", 5, "name"),
    ("atproto_did: did:web\n", 3, "is not a DID"),
])
def test_bad_values_are_errors_at_their_line(text: str, line: int, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(BASE + text)
    message = str(caught.value)
    assert message.startswith(f"site.yml:{line}:"), message
    assert expected in message.lower() if expected.islower() else expected in message


def test_the_demo_lists_its_channels_proves_them_and_shows_its_offices(demo: Path) -> None:
    for lang in ("en", "ar", "az", "uz"):
        page = (demo / lang / "channels/index.html").read_text(encoding="utf-8")
        assert page.count('<span class="channel-name">') == 6
        assert '<span class="channel-name">Mastodon</span> <a href="https://mastodon.social/@VeloriaBaku" rel="me">' in page
        home = (demo / lang / "index.html").read_text(encoding="utf-8")
        assert '<link rel="me" href="https://mastodon.social/@VeloriaBaku">' in home
        assert f'href="/{lang}/channels/"' in home  # the footer links it
        data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', home, re.S).group(1))
        assert "https://x.com/VeloriaInBaku" in data["sameAs"]
        assert data["location"][0]["@type"] == "Embassy" and data["location"][0]["telephone"] == "+994125550000"
        assert data["contactPoint"] == {"@type": "ContactPoint", "contactType": "emergency", "telephone": "+994125550100"}
    arabic = (demo / "ar/index.html").read_text(encoding="utf-8")
    assert '<a href="tel:+994125550100"><bdi dir="ltr">+994 12 555 0100</bdi></a>' in arabic  # a number stays LTR
    assert "12 جادة نفتشيلار، باكو AZ1000، أذربيجان" in arabic
    contact = (demo / "ar/contact/index.html").read_text(encoding="utf-8")
    assert 'class="contact-page"' in contact and "القسم القنصلي" in contact
