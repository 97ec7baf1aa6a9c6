"""Discovery, the service list from the categories, and service definitions."""
from __future__ import annotations

import pytest

from tests.open311.conftest import as_text, xml_as_json
from tests.support.caller import PUBLIC_URL
from wiring import services as app_services


def test_discovery_names_this_endpoint_with_both_formats(open311):
    answer = open311.get("discovery")
    assert answer.status == 200
    document = answer.data
    assert set(document) == {"changeset", "contact", "key_service", "endpoints"}
    [endpoint] = document["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == f"{PUBLIC_URL}/open311/v2"
    assert endpoint["type"] == "test", "only a production deployment says production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert "+8652388012319" in document["contact"]


def test_discovery_in_xml_mirrors_the_json(open311):
    xml = open311.get("discovery", "xml").data
    assert xml.tag == "discovery"
    assert [f.text for f in xml.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert xml_as_json(xml) == as_text(open311.get("discovery").data)


def test_every_category_is_a_realtime_service_grouped_by_its_line(open311, app):
    config = app_services(app).config
    answer = open311.get("services")
    assert answer.status == 200
    services = {service["service_code"]: service for service in answer.data}
    assert set(services) == set(config.categories)
    cover = services["C0101"]
    assert cover["service_name"] == "上水井盖"
    assert cover["type"] == "realtime" and cover["metadata"] is False
    assert cover["group"] == config.lines["urban"].name("zh-CN")
    assert cover["keywords"].split(", ")[:2] == ["上水井盖", "自来水井盖"]
    conduct = [s for s in answer.data if s["service_code"].startswith("E90")]
    assert conduct and {s["group"] for s in conduct} == {config.lines["conduct"].name("zh-CN")}


def test_service_list_in_xml_mirrors_the_json(open311):
    xml = open311.get("services", "xml").data
    assert xml.tag == "services" and {child.tag for child in xml} == {"service"}
    assert xml.find("service/metadata").text == "false"
    assert xml_as_json(xml) == as_text(open311.get("services").data)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_no_service_has_a_definition_while_no_category_declares_attributes(open311, fmt):
    answer = open311.get("services/C0101", fmt)
    assert answer.status == 404
    errors = answer.data if fmt == "json" else xml_as_json(answer.data)
    assert [e["code"] for e in errors] == ["404" if fmt == "xml" else 404]
    assert "no service definition" in errors[0]["description"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_code_is_not_found(open311, fmt):
    answer = open311.get("services/X9999", fmt)
    assert answer.status == 404
    if fmt == "xml":
        assert answer.data.tag == "errors" and answer.data.find("error/code").text == "404"
        assert "X9999" in answer.data.find("error/description").text
    else:
        assert answer.error_codes == [404] and "X9999" in answer.descriptions


def test_an_unknown_format_is_not_served(client):
    assert client.get("/open311/v2/services.html").status_code == 404
