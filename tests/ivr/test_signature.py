"""Every Twilio webhook checks X-Twilio-Signature against the URL Twilio called."""
from __future__ import annotations

import pytest

from tests.support.caller import AUTH_TOKEN, PUBLIC_URL, URBAN, Webhooks, sign
from wiring import services

WEBHOOKS = ["/voice/incoming", "/voice/step?step=1", "/voice/status", "/voice/recording",
            "/voice/fallback", "/voice/fallback/recorded"]
PARAMS = {"CallSid": "CA" + "1" * 32, "AccountSid": "AC" + "0" * 32, "From": "+8613812345678",
          "To": URBAN, "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01"}


def test_signed_request_is_answered(webhooks):
    response = webhooks.post("/voice/incoming", PARAMS)
    assert response.status_code == 200 and b"<Gather" in response.data


@pytest.mark.parametrize("path", WEBHOOKS)
def test_forged_signature_is_refused(webhooks, path):
    forged = sign(PUBLIC_URL + path, PARAMS, token="not-our-token")
    assert webhooks.post(path, PARAMS, signature=forged).status_code == 403


@pytest.mark.parametrize("path", WEBHOOKS)
def test_missing_signature_is_refused(webhooks, path):
    assert webhooks.post(path, PARAMS, signature="").status_code == 403


def test_signature_over_other_parameters_is_refused(webhooks):
    signature = sign(PUBLIC_URL + "/voice/incoming", PARAMS)
    tampered = {**PARAMS, "From": "+8613900000000"}
    assert webhooks.post("/voice/incoming", tampered, signature=signature).status_code == 403


def test_signature_for_another_host_is_refused(client):
    # Twilio signed a different public URL than the one configured.
    other = Webhooks(client, public_url="https://attacker.example.com")
    assert other.post("/voice/incoming", PARAMS).status_code == 403


def test_refused_request_changes_nothing(webhooks, session):
    from call_log.models import Call
    webhooks.post("/voice/incoming", PARAMS, signature="bogus")
    assert session.query(Call).count() == 0


def test_hmac_sha256_signature_named_in_header_is_accepted(webhooks):
    from twilio.request_validator import RequestValidator
    url = PUBLIC_URL + "/voice/incoming"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, PARAMS, "HMAC_SHA256")
    response = webhooks.post("/voice/incoming", PARAMS, signature=signature,
                             headers={"X-Twilio-Webhooks-Signature-Settings": "algorithm=HMAC_SHA256"})
    assert response.status_code == 200


@pytest.fixture
def proxied_app(migrated, tmp_path):
    """No public URL: the app trusts one proxy's X-Forwarded-* headers instead."""
    from app import create_app
    return create_app({"database_url": migrated, "public_url": None, "trusted_proxies": 1,
                       "twilio_auth_token": AUTH_TOKEN, "instance_dir": tmp_path})


def test_behind_a_trusted_proxy_the_forwarded_url_is_validated(proxied_app):
    client = proxied_app.test_client()
    public = "https://hotline.city.gov.cn/voice/status"
    params = {**PARAMS, "CallStatus": "completed", "SequenceNumber": "0"}
    headers = {"X-Twilio-Signature": sign(public, params), "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "hotline.city.gov.cn", "X-Forwarded-For": "54.172.60.1"}
    with proxied_app.app_context():
        from database import db
        from routing.models import sync_configuration
        sync_configuration(db.session(), services(proxied_app).config)
        db.session().commit()
    assert client.post("/voice/status", data=params, headers=headers).status_code == 204
    # Without the forwarded headers the app sees http://localhost/..., which Twilio never signed.
    bare = {"X-Twilio-Signature": sign(public, params)}
    assert client.post("/voice/status", data=params, headers=bare).status_code == 403


def test_without_public_url_or_trusted_proxy_forwarded_headers_are_ignored(migrated, tmp_path):
    from app import create_app
    app = create_app({"database_url": migrated, "public_url": None, "trusted_proxies": 0,
                      "twilio_auth_token": AUTH_TOKEN, "instance_dir": tmp_path})
    public = "https://hotline.city.gov.cn/voice/incoming"
    headers = {"X-Twilio-Signature": sign(public, PARAMS), "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "hotline.city.gov.cn"}
    assert app.test_client().post("/voice/incoming", data=PARAMS, headers=headers).status_code == 403
