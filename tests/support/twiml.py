"""Parsing TwiML in tests, and checking it uses only what Twilio defines.

The check is the local carrier's own (``carrier.twiml.parse``, strict), over
its vocabulary (``carrier.twiml_schema``: Twilio's TwiML reference, elements,
attributes, their values, the languages of <Say> and <Gather>, and what
nests where).  A typo, an invented attribute, a wrong value or valid TwiML the
carrier cannot run fails the test, so what the tests accept the carrier runs.
The tests then read the document with ElementTree.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from carrier import twiml
from carrier.twiml_schema import ELEMENTS, MESSAGING


class TwimlError(AssertionError):
    pass


def _checked(body: str | bytes, vocabulary) -> ET.Element:
    try:
        twiml.parse(body, strict=True, vocabulary=vocabulary)
    except twiml.TwimlProblem as problem:
        raise TwimlError(str(problem)) from problem
    return ET.fromstring(body)


def check(element: ET.Element) -> None:
    """Check a whole voice document already read (its root is <Response>)."""
    _checked(ET.tostring(element, encoding="unicode"), ELEMENTS)


def parse(body: str | bytes) -> ET.Element:
    """A voice TwiML document, checked."""
    return _checked(body, ELEMENTS)


def parse_messaging(body: str | bytes) -> ET.Element:
    """A messaging TwiML document (the reply to a text), checked."""
    return _checked(body, MESSAGING)


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
