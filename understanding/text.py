"""One spelling for what speech recognition returns, and the features the
models see.

Pure functions.  Speech recognition hands us text with or without
punctuation, in full- or half-width forms, with numbers as digits or words,
and with homophones for words it did not know (井盖 heard as 景盖).  The
models see three views of the same utterance:

* characters: single characters and pairs of the normalised text, which in
  Chinese are most of the words and robust to where a segmenter would cut;
* sounds: toneless pinyin syllables and pairs of them, with the initials and
  finals that Jiangsu speakers (and recognisers hearing them) merge folded
  together, so a homophone lands on the same features as the word it stands
  for (景盖 and 井盖 both sound jin gai).

A third view, words from a segmenter (jieba, taught the catalogue's
vocabulary), was tried and dropped: on cross-validated training examples it
lowered top-1 accuracy (docs/understanding.md).
"""
from __future__ import annotations

import functools
import re

from routing.addresses import normalise_text

# Words that carry no meaning on the phone: hesitations and politeness.
_FILLERS = re.compile(
    r"(嗯+|呃+|啊+|哎+|喂+|那个|这个|就是说|就是|然后|我跟你说|我跟你讲|你好|您好|谢谢)")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def normalise(text: str | None) -> str:
    """Half-width, simplified where addresses need it, lower case, without
    spaces, punctuation or filler words."""
    return _FILLERS.sub("", normalise_text(text))


def is_chinese(text: str) -> bool:
    return bool(_HAN.search(text or ""))


# --- sounds --------------------------------------------------------------------

# Southern Mandarin merges these; a recogniser often picks the wrong one.
_FOLD_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_FOLD_FINALS = (("ing", "in"), ("eng", "en"), ("iang", "ian"), ("uang", "uan"))


def _fold(syllable: str) -> str:
    for long, short in _FOLD_INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long):]
            break
    if syllable.startswith("n"):
        syllable = "l" + syllable[1:]
    for long, short in _FOLD_FINALS:
        if syllable.endswith(long):
            return syllable[: -len(long)] + short
    return syllable


class Sounds:
    """The sounds view: each character's toneless, folded syllable, and
    pairs of them.

    The table covers the CJK Unified Ideographs block and is built from
    pypinyin once, when a model is trained, and kept in the model: web
    workers read a tuple instead of loading pypinyin's dictionaries (about
    55 MiB each).  Each character gets its commonest reading; the same
    character always sounds the same, which is all the features need."""

    FIRST, LAST = 0x4E00, 0x9FFF

    def __init__(self, table: tuple[str, ...]) -> None:
        self.table = table

    @classmethod
    def build(cls) -> "Sounds":
        return cls(_sound_table(cls.FIRST, cls.LAST))

    def syllables(self, text: str) -> list[str]:
        found = []
        for ch in text:
            point = ord(ch)
            if self.FIRST <= point <= self.LAST and self.table[point - self.FIRST]:
                found.append(self.table[point - self.FIRST])
        return found

    def __call__(self, text: str) -> list[str]:
        """Syllables and syllable pairs of a normalised utterance."""
        sounds = self.syllables(text)
        return sounds + [f"{a}_{b}" for a, b in zip(sounds, sounds[1:], strict=False)]


@functools.lru_cache(maxsize=1)
def _sound_table(first: int, last: int) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin
    table = []
    for point in range(first, last + 1):
        readings = lazy_pinyin(chr(point), style=Style.NORMAL, errors="ignore")
        table.append(_fold(readings[0]) if readings and readings[0].isascii() else "")
    return tuple(table)
