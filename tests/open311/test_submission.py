"""Reading a POST requests form, without Flask or a database."""
from __future__ import annotations

import pytest

from config.loader import load_config
from config.settings import SHIPPED_CONFIG_DIR
from open311.errors import InvalidRequest
from open311.submission import read_submission


@pytest.fixture(scope="module")
def config():
    return load_config(SHIPPED_CONFIG_DIR)


def form(**params) -> dict[str, list[str]]:
    return {name: value if isinstance(value, list) else [value] for name, value in params.items()}


def refusal(config, **params) -> list[str]:
    with pytest.raises(InvalidRequest) as refused:
        read_submission(form(**params), config)
    return list(refused.value.descriptions)


def test_a_complete_form_is_read_with_the_categorys_line_and_an_e164_phone(config):
    submission = read_submission(form(service_code="E9001", lat="32.45", long="119.92", phone="0523-86012345",
                                      description="  办事窗口推诿  ", media_url="http://photos.example.org/1.jpg"),
                                 config)
    assert submission.line_id == "conduct" and submission.service_code == "E9001"
    assert (submission.lat, submission.long, submission.location) == (32.45, 119.92, None)
    assert submission.phone_e164 == "+8652386012345" and submission.description == "办事窗口推诿"


def test_an_empty_parameter_is_the_same_as_none(config):
    submission = read_submission(form(service_code="C0118", address_string="凤凰路88号", phone="", media_url=" ",
                                      description=""), config)
    assert (submission.phone_e164, submission.media_url, submission.description) == (None, None, "")


def test_address_string_wins_over_address_id_as_the_location(config):
    submission = read_submission(form(service_code="C0118", address_string="凤凰路88号", address_id="545483"), config)
    assert submission.location == "凤凰路88号"


@pytest.mark.parametrize("lat, long", [("-90", "-180"), ("90", "180"), ("0", "0")])
def test_coordinates_at_the_edges_are_accepted(config, lat, long):
    assert read_submission(form(service_code="C0118", lat=lat, long=long), config).lat == float(lat)


@pytest.mark.parametrize("lat, long", [("-90.1", "0"), ("0", "180.5"), ("inf", "0"), ("0", "1e999"), ("1,5", "2")])
def test_coordinates_off_the_globe_are_refused(config, lat, long):
    [problem] = refusal(config, service_code="C0118", lat=lat, long=long)
    assert "must be a number of degrees" in problem


def test_a_multivaluelist_attribute_is_refused_like_any_other(config):
    [problem] = refusal(config, service_code="C0118", address_id="1", **{"attribute[KIND][]": ["a", "b"]})
    assert problem == "attribute[KIND] is not an attribute of service C0118: it takes no attributes"


def test_a_blank_attribute_is_no_attribute(config):
    read_submission(form(service_code="C0118", address_id="1", **{"attribute[KIND]": ""}), config)
