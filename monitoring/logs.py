"""One JSON object per log line (HOTLINE_LOG_FORMAT=json), for log shippers.

Phone numbers are masked in the message (``MaskPhoneNumbers`` does that on
every handler) and in the exception text, which the filter does not see.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from call_log.phones import mask_text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_text(record.getMessage()),
            "process": record.process,
            "thread": record.threadName,
        }
        if record.exc_info:
            entry["exception"] = mask_text(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = mask_text(record.exc_text)
        return json.dumps(entry, ensure_ascii=False)
