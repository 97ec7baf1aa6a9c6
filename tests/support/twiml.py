"""Parsing TwiML in tests, and checking it uses only what Twilio defines.

The vocabulary is the local carrier's, the one in the project
(``carrier.twiml_schema``: Twilio's TwiML reference, elements, attributes, their
values and what nests where).  A typo, an invented attribute or a wrong value
fails the test, whether or not the carrier emulates it.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from carrier.twiml_schema import ELEMENTS

# <Gather language> speech recognition codes used here; zh-CN is NOT one.
GATHER_LANGUAGES = {"cmn-Hans-CN", "cmn-Hant-TW", "yue-Hant-HK", "en-US", "en-GB"}
SAY_LANGUAGES = {"cmn-CN", "zh-CN", "en-US", "en-GB"}


class TwimlError(AssertionError):
    pass


def check(element: ET.Element, path: str = "") -> None:
    name = element.tag
    here = f"{path}/{name}"
    parent = path.rsplit("/", 1)[-1]
    allowed_here = ELEMENTS[parent].children if parent else frozenset({"Response"})
    spec = ELEMENTS.get(name)
    if spec is None or name not in allowed_here:
        raise TwimlError(f"{here}: <{name}> is not a TwiML element here")
    for attribute, value in element.attrib.items():
        if attribute not in spec.attrs:
            raise TwimlError(f"{here}: attribute {attribute!r} is not defined on <{name}>")
        wrong = spec.attrs[attribute].check(value)
        if wrong:
            raise TwimlError(f"{here}: {attribute}={value!r} {wrong}")
    if name == "Gather" and "speech" in element.get("input", "dtmf"):
        language = element.get("language", "en-US")
        if language not in GATHER_LANGUAGES:
            raise TwimlError(f"{here}: <Gather language={language!r}> is not a speech recognition language")
    if name == "Say" and element.get("language") not in SAY_LANGUAGES | {None}:
        raise TwimlError(f"{here}: <Say language={element.get('language')!r}> is not supported")
    for child in element:
        check(child, here)


def parse(body: str | bytes) -> ET.Element:
    root = ET.fromstring(body)
    if root.tag != "Response":
        raise TwimlError(f"the root element is <{root.tag}>, not <Response>")
    check(root)
    return root


def spoken(element: ET.Element) -> str:
    """The text of every <Say> under element, digits joined as heard."""
    return " ".join("".join(say.itertext()).strip() for say in element.iter("Say"))


@dataclass
class Document:
    root: ET.Element

    @property
    def text(self) -> str:
        return spoken(self.root)

    @property
    def gather(self) -> ET.Element | None:
        return self.root.find("Gather")

    @property
    def record(self) -> ET.Element | None:
        return self.root.find("Record")

    @property
    def hangs_up(self) -> bool:
        return self.root.find("Hangup") is not None

    def verbs(self) -> list[str]:
        return [child.tag for child in self.root]
