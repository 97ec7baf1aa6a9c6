"""What an inbound SMS asks for, read from its words (pure: no web, no
database).

    退订 / TD / STOP / UNSUBSCRIBE      stop SMS to this number
    恢复 / START / UNSTOP               SMS again
    查询 2611300001 / STATUS 2611300001  the status of a case
    anything else                       help

The language of the reply follows the keyword: Chinese words answer in
Chinese, English ones in English.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

STOP, START, STATUS, HELP = "stop", "start", "status", "help"

_STOP = {"退订": "zh-CN", "td": "zh-CN", "stop": "en-US", "unsubscribe": "en-US"}
_START = {"恢复": "zh-CN", "start": "en-US", "unstop": "en-US"}
_STATUS = {"查询": "zh-CN", "查": "zh-CN", "status": "en-US", "query": "en-US"}
# Full-width digits and spaces, as phones' Chinese keyboards type them.
_WIDE = str.maketrans("０１２３４５６７８９　：", "0123456789 :")
_CASE_NUMBER = re.compile(r"(?<![0-9])([0-9]{10})(?![0-9])")


@dataclass(frozen=True)
class Request:
    kind: str                      # stop, start, status or help
    language: str = "zh-CN"
    case_number: str | None = None


def read(body: str | None) -> Request:
    text = (body or "").translate(_WIDE).strip()
    word = re.sub(r"[\s\.,!，。！:]+", "", text).lower()
    if word in _STOP:
        return Request(STOP, _STOP[word])
    if word in _START:
        return Request(START, _START[word])
    lowered = text.lower()
    for keyword, language in _STATUS.items():
        if lowered.startswith(keyword):
            match = _CASE_NUMBER.search(text[len(keyword):])
            if match:
                return Request(STATUS, language, match.group(1))
    match = _CASE_NUMBER.fullmatch(re.sub(r"\s+", "", text))
    if match:                                  # a bare case number asks for its status too
        return Request(STATUS, "zh-CN", match.group(1))
    return Request(HELP, "en-US" if text.isascii() and any(c.isalpha() for c in text) else "zh-CN")
