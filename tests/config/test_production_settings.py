"""The service refuses to start in production with secrets that cannot be
secrets, an account SID that is not one, or no way to know the URL Twilio
signs; each refusal names the variable and what it should be."""
from __future__ import annotations

import pytest

from config.settings import SettingsError, load_settings

GOOD = {
    "HOTLINE_ENV": "production",
    "TWILIO_ACCOUNT_SID": "AC" + "3f" * 16,
    "TWILIO_AUTH_TOKEN": "9c" * 16,
    "HOTLINE_SECRET_KEY": "Jq3v-8Rk_2mWzP5xTn7cLb4HsYd6Ea1Fg0Uo9Vi",
    "HOTLINE_PUBLIC_URL": "https://hotline.city.gov.cn",
}


def refusal(tmp_path, **changes) -> str:
    env = {**GOOD, "HOTLINE_INSTANCE_DIR": str(tmp_path), **changes}
    env = {name: value for name, value in env.items() if value is not None}
    with pytest.raises(SettingsError) as refused:
        load_settings(env)
    return str(refused.value)


def test_good_production_settings_start(tmp_path):
    settings = load_settings({**GOOD, "HOTLINE_INSTANCE_DIR": str(tmp_path)})
    assert settings.is_production and settings.public_url == "https://hotline.city.gov.cn"
    assert not (tmp_path / "dev-secrets.json").exists()


@pytest.mark.parametrize("key", ["a", "secret", "x" * 64, "0123456789" * 2])
def test_a_weak_secret_key_is_refused(tmp_path, key):
    message = refusal(tmp_path, HOTLINE_SECRET_KEY=key)
    assert "HOTLINE_SECRET_KEY is too weak" in message and "secrets.token_urlsafe(32)" in message


@pytest.mark.parametrize("sid", ["AC123", "ac" + "3f" * 16, "SK" + "3f" * 16, "AC" + "3F" * 16, "AC" + "3f" * 17])
def test_a_malformed_account_sid_is_refused(tmp_path, sid):
    assert "TWILIO_ACCOUNT_SID must be AC followed by 32 lowercase hex digits" in refusal(tmp_path,
                                                                                         TWILIO_ACCOUNT_SID=sid)


def test_an_auth_token_that_is_not_one_is_refused(tmp_path):
    assert "TWILIO_AUTH_TOKEN must be the account's auth token" in refusal(tmp_path, TWILIO_AUTH_TOKEN="password")


def test_no_public_url_and_no_trusted_proxies_is_refused(tmp_path):
    message = refusal(tmp_path, HOTLINE_PUBLIC_URL=None)
    assert "set HOTLINE_PUBLIC_URL" in message and "HOTLINE_TRUSTED_PROXIES" in message
    assert "a signature made for another host is accepted" in message


def test_trusted_proxies_without_a_public_url_start(tmp_path):
    settings = load_settings({**GOOD, "HOTLINE_PUBLIC_URL": "", "HOTLINE_TRUSTED_PROXIES": "1",
                              "HOTLINE_INSTANCE_DIR": str(tmp_path)})
    assert settings.public_url is None and settings.trusted_proxies == 1


@pytest.mark.parametrize("url", ["http://hotline.city.gov.cn", "hotline.city.gov.cn", "https://", "https://x/?a=1"])
def test_a_public_url_that_is_not_an_https_base_is_refused(tmp_path, url):
    assert "HOTLINE_PUBLIC_URL must be an https:// base URL" in refusal(tmp_path, HOTLINE_PUBLIC_URL=url)


def test_every_problem_is_named_at_once(tmp_path):
    message = refusal(tmp_path, HOTLINE_SECRET_KEY="a", TWILIO_ACCOUNT_SID="AC1", HOTLINE_PUBLIC_URL=None)
    assert message.count("\n  - ") == 3


def test_development_still_starts_with_whatever_it_is_given(tmp_path):
    settings = load_settings({"HOTLINE_SECRET_KEY": "a", "TWILIO_ACCOUNT_SID": "AC1",
                              "HOTLINE_INSTANCE_DIR": str(tmp_path)})
    assert settings.secret_key == "a" and settings.env == "development"
