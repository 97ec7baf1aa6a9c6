"""Reading TwiML documents and checking them against a vocabulary of
``carrier.twiml_schema``: voice TwiML, or messaging TwiML for a reply to a text.
The tests check the hotline's TwiML with this same ``parse`` (strict).

A document that is not well-formed XML, or whose root is not ``<Response>``,
is a parse failure (Twilio's 12100).  An unknown element, an attribute the
element does not take, a value it cannot have or a verb nested where it may
not be is a schema problem (Twilio's 12200).  Twilio logs schema problems as
warnings and carries on; the carrier is strict by default and fails the call
instead, because a development tool should stop at the first wrong attribute
rather than hide it.  ``strict=False`` behaves like Twilio.  Valid TwiML the
carrier does not emulate always fails the call, naming what is missing.

Every problem names the element, the attribute where there is one, and the
line, so the report points at the offending TwiML.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.parsers import expat

from carrier.twiml_schema import DEEPGRAM_ONLY_LANGUAGES, ELEMENTS, Spec

PARSE_FAILURE = 12100
SCHEMA_WARNING = 12200


class TwimlProblem(Exception):
    def __init__(self, message: str, *, code: int | None, element: str | None = None,
                 attribute: str | None = None, line: int | None = None, emulated: bool = True) -> None:
        self.message, self.code, self.element, self.attribute = message, code, element, attribute
        self.line, self.emulated = line, emulated
        super().__init__(str(self))

    @property
    def kind(self) -> str:
        if not self.emulated:
            return "not-emulated"
        return "parse-failure" if self.code == PARSE_FAILURE else "schema"

    def __str__(self) -> str:
        where = ""
        if self.element:
            where = f"<{self.element}>" + (f" attribute {self.attribute!r}" if self.attribute else "")
            where += f" (line {self.line})" if self.line else ""
            where += ": "
        prefix = f"{self.code} " if self.code else "not emulated: "
        return f"{prefix}{where}{self.message}"

    def to_json(self) -> dict:
        return {"code": self.code, "problem": self.kind, "element": self.element,
                "attribute": self.attribute, "line": self.line, "message": str(self)}


@dataclass
class Node:
    """One XML element: attributes, and text and child elements in order."""

    name: str
    attrs: dict[str, str]
    line: int
    content: list = field(default_factory=list)   # str | Node

    @property
    def children(self) -> list[Node]:
        return [part for part in self.content if isinstance(part, Node)]

    @property
    def text(self) -> str:
        """All the text inside, nested elements included."""
        return "".join(part if isinstance(part, str) else part.text for part in self.content).strip()

    @property
    def own_text(self) -> str:
        """The text directly inside, without nested elements' (a number in <Dial>)."""
        return "".join(part for part in self.content if isinstance(part, str)).strip()

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.attrs.get(name)
        return default if value is None else value == "true"

    def number(self, name: str, default: int | None) -> int | None:
        value = self.attrs.get(name)
        return default if value is None else int(value)

    def method(self, name: str = "method") -> str:
        return self.attrs.get(name, "POST").upper()


@dataclass(frozen=True)
class Document:
    verbs: tuple[Node, ...]
    url: str | None                      # where it came from; the base for relative URLs
    warnings: tuple[TwimlProblem, ...] = ()


def parse(text: str | bytes, *, url: str | None = None, strict: bool = True,
          vocabulary: Mapping[str, Spec] = ELEMENTS) -> Document:
    """Read and check a document: voice TwiML unless ``vocabulary`` says
    otherwise (``twiml_schema.MESSAGING`` for a reply to a text)."""
    root = _read_xml(text)
    if root.name != "Response":
        raise TwimlProblem(f"the root element must be <Response>, not <{root.name}>",
                           code=PARSE_FAILURE, element=root.name, line=root.line)
    warnings: list[TwimlProblem] = []
    _check(root, vocabulary["Response"], strict, warnings, vocabulary)
    return Document(tuple(root.children), url, tuple(warnings))


def check_allowed(document: Document, allowed: frozenset[str], purpose: str) -> None:
    """Some documents may only use a few verbs (a queue's wait music, a whisper)."""
    for verb in document.verbs:
        if verb.name not in allowed:
            raise TwimlProblem(f"is not allowed in {purpose}; only " + ", ".join(sorted(allowed)),
                               code=SCHEMA_WARNING, element=verb.name, line=verb.line)


# --- XML ------------------------------------------------------------------------

def _read_xml(text: str) -> Node:
    """Build the element tree with expat directly: TwiML's SSML uses prefixes
    such as ``amazon:effect`` that are never declared, which a namespace-aware
    parser rejects.  Document type declarations are refused outright, which
    also rules out entity expansion attacks."""
    parser = expat.ParserCreate("UTF-8")
    stack: list[Node] = []
    roots: list[Node] = []

    def start(name: str, attrs: dict) -> None:
        node = Node(name, dict(attrs), parser.CurrentLineNumber)
        if stack:
            stack[-1].content.append(node)
        else:
            roots.append(node)
        stack.append(node)

    def end(_name: str) -> None:
        stack.pop()

    def characters(data: str) -> None:
        if stack:
            content = stack[-1].content
            if content and isinstance(content[-1], str):
                content[-1] += data
            else:
                content.append(data)

    def doctype(*_args) -> None:
        raise TwimlProblem("document type declarations are not allowed in TwiML", code=PARSE_FAILURE)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(text.encode("utf-8") if isinstance(text, str) else text, True)
    except expat.ExpatError as exc:
        raise TwimlProblem(f"the document is not well-formed XML ({expat.errors.messages[exc.code]}, "
                           f"line {exc.lineno})", code=PARSE_FAILURE, line=exc.lineno) from exc
    if not roots:
        raise TwimlProblem("the document is empty", code=PARSE_FAILURE)
    return roots[0]


# --- the vocabulary ---------------------------------------------------------------

def _check(node: Node, spec: Spec, strict: bool, warnings: list[TwimlProblem],
           vocabulary: Mapping[str, Spec]) -> None:
    for name, value in list(node.attrs.items()):
        attr = spec.attrs.get(name)
        if attr is None:
            _problem(TwimlProblem(f"<{node.name}> takes no attribute {name!r}", code=SCHEMA_WARNING,
                                  element=node.name, attribute=name, line=node.line), strict, warnings)
            node.attrs.pop(name)
            continue
        if not attr.emulated or value in attr.not_emulated:
            raise TwimlProblem(f"{name}={value!r} is valid TwiML that the local carrier does not emulate "
                               "(see docs/carrier.md)", code=None, element=node.name, attribute=name,
                               line=node.line, emulated=False)
        wrong = attr.check(value)
        if wrong:
            _problem(TwimlProblem(f"{name}={value!r} {wrong}", code=SCHEMA_WARNING, element=node.name,
                                  attribute=name, line=node.line), strict, warnings)
            node.attrs.pop(name)
    language = node.attrs.get("language", "")
    if node.name == "Gather" and language in DEEPGRAM_ONLY_LANGUAGES and \
            not node.attrs.get("speechModel", "").startswith("deepgram"):
        _problem(TwimlProblem(f"language={language!r} is a Deepgram tag: it needs a deepgram speechModel "
                              "(Google's models take cmn-Hans-CN)", code=SCHEMA_WARNING, element=node.name,
                              attribute="language", line=node.line), strict, warnings)
        node.attrs.pop("language")
    if not spec.text and any(isinstance(p, str) and p.strip() for p in node.content):
        _problem(TwimlProblem(f"<{node.name}> holds no text", code=SCHEMA_WARNING, element=node.name,
                              line=node.line), strict, warnings)
    kept: list = []
    for part in node.content:
        if isinstance(part, str):
            kept.append(part)
            continue
        child_spec = vocabulary.get(part.name)
        if child_spec is None or part.name not in spec.children:
            what = "is not a TwiML element" if child_spec is None else f"cannot be nested in <{node.name}>"
            _problem(TwimlProblem(what, code=SCHEMA_WARNING, element=part.name, line=part.line),
                     strict, warnings)
            continue
        if not child_spec.emulated:
            raise TwimlProblem("is valid TwiML that the local carrier does not emulate (see docs/carrier.md)",
                               code=None, element=part.name, line=part.line, emulated=False)
        _check(part, child_spec, strict, warnings, vocabulary)
        kept.append(part)
    node.content = kept


def _problem(problem: TwimlProblem, strict: bool, warnings: list[TwimlProblem]) -> None:
    if strict:
        raise problem
    warnings.append(problem)
