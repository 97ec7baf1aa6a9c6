"""The data the models learn from and are judged on, kept in the repository
beside the catalogue they describe (``config/understanding/``).

* ``training/<class>.yaml``: what callers say, per category (``examples``),
  and ``training/enquiries.yaml``: callers asking rather than reporting.
* ``heldout/complaints.yaml`` and ``heldout/enquiries.yaml``: the frozen
  held-out sets.  They were written before any tuning, by someone who had
  not seen the training examples, and are never trained or tuned on.
  ``heldout/FROZEN`` holds their SHA-256: ``classifier evaluate`` refuses
  to report on a held-out set that has changed since it was frozen.

Pure: files in, plain data out.  Every problem names the file and the entry.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from config.files import read_mapping

TRAINING = Path("understanding") / "training"
HELDOUT = Path("understanding") / "heldout"
HELDOUT_FILES = ("complaints.yaml", "enquiries.yaml")
MIN_EXAMPLES = 15


# libyaml's loader when PyYAML has it: the corpus is thousands of lines.
class CorpusError(ValueError):
    """The training or held-out data is malformed; the message says where."""


@dataclass(frozen=True)
class Example:
    text: str
    code: str | None            # a category code; None for an enquiry
    source: str = "corpus"      # corpus | correction | confirmation


@dataclass(frozen=True)
class HeldOutComplaint:
    text: str
    code: str
    place: str | None
    urgent: bool
    line: str


@dataclass(frozen=True)
class HeldOutEnquiry:
    text: str
    line: str


@dataclass(frozen=True)
class Corpus:
    examples: tuple[Example, ...]            # complaints, labelled with a category
    enquiries: tuple[Example, ...]           # questions

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for example in self.examples:
            counts[example.code or ""] = counts.get(example.code or "", 0) + 1
        return counts

    def with_examples(self, more: Iterable[Example]) -> "Corpus":
        return Corpus(self.examples + tuple(more), self.enquiries)


def load_training(config_dir: Path | str, codes: Mapping[str, object]) -> Corpus:
    """Every training example under ``config_dir``; ``codes`` is the catalogue."""
    directory = Path(config_dir) / TRAINING
    if not directory.is_dir():
        raise CorpusError(f"{directory}: no training data (expected one YAML file per major class)")
    examples: list[Example] = []
    enquiries: list[Example] = []
    for path in sorted(directory.glob("*.yaml")):
        data = _read(path)
        for index, item in enumerate(data.get("enquiries") or ()):
            enquiries.append(Example(_text(path, f"enquiries[{index}]", item), None))
        for code, texts in (data.get("examples") or {}).items():
            if code not in codes:
                raise CorpusError(f"{path}: examples.{code}: no such category in categories.yaml")
            if not isinstance(texts, list):
                raise CorpusError(f"{path}: examples.{code}: must be a list of what callers say")
            examples.extend(Example(_text(path, f"examples.{code}[{i}]", t), code) for i, t in enumerate(texts))
    corpus = Corpus(tuple(examples), tuple(enquiries))
    thin = sorted(code for code in codes if corpus.counts().get(code, 0) < MIN_EXAMPLES)
    if thin:
        raise CorpusError(f"{directory}: these categories have fewer than {MIN_EXAMPLES} training examples: "
                          f"{', '.join(thin)}")
    if not enquiries:
        raise CorpusError(f"{directory}: no enquiries (training/enquiries.yaml)")
    return corpus


def load_heldout(config_dir: Path | str, codes: Mapping[str, object]
                 ) -> tuple[tuple[HeldOutComplaint, ...], tuple[HeldOutEnquiry, ...]]:
    directory = Path(config_dir) / HELDOUT
    complaints = []
    for index, item in enumerate(_read(directory / "complaints.yaml").get("complaints") or ()):
        where = f"{directory / 'complaints.yaml'}: complaints[{index}]"
        if not isinstance(item, dict) or item.get("category") not in codes:
            raise CorpusError(f"{where}: needs text and a category of the catalogue")
        complaints.append(HeldOutComplaint(
            text=_text(directory, where, item.get("text")), code=item["category"],
            place=item.get("place") or None, urgent=bool(item.get("urgent")), line=str(item.get("line") or "")))
    enquiries = [HeldOutEnquiry(_text(directory, f"enquiries[{i}]", item), str(item.get("line") or ""))
                 for i, item in enumerate(_read(directory / "enquiries.yaml").get("enquiries") or ())]
    return tuple(complaints), tuple(enquiries)


def heldout_digest(config_dir: Path | str) -> str:
    """SHA-256 of the held-out files, in a fixed order."""
    directory = Path(config_dir) / HELDOUT
    digest = hashlib.sha256()
    for name in HELDOUT_FILES:
        digest.update(name.encode() + b"\0" + (directory / name).read_bytes())
    return digest.hexdigest()


def frozen_digest(config_dir: Path | str) -> str | None:
    path = Path(config_dir) / HELDOUT / "FROZEN"
    if not path.exists():
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            return line.split()[0]
    return None


def training_digest(corpus: Corpus) -> str:
    """What the model learnt from, so a stored model knows when it is stale."""
    digest = hashlib.sha256()
    for example in sorted(corpus.examples + corpus.enquiries, key=lambda e: (e.code or "", e.text, e.source)):
        digest.update(f"{example.code or '?'}\t{example.text}\n".encode())
    return digest.hexdigest()


def _read(path: Path) -> dict:
    return read_mapping(path, CorpusError)


def _text(path, where: str, item) -> str:
    value = item.get("text") if isinstance(item, dict) else item
    if not isinstance(value, str) or not value.strip():
        raise CorpusError(f"{path}: {where}: must be a non-empty text")
    return value.strip()
