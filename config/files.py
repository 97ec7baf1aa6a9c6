"""Reading one YAML data file of the configuration directory: what the
catalogue's neighbours (the knowledge base, the classifier's corpora) share."""
from __future__ import annotations

from pathlib import Path

import yaml

# The C loader where PyYAML was built with it: the corpora are thousands of lines.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_mapping(path: Path, error: type[Exception]) -> dict:
    """The mapping at the top of ``path``; ``error`` naming the file when it
    is missing, not YAML, or not a mapping."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
    except FileNotFoundError:
        raise error(f"{path}: missing") from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise error(f"{path}: must be a mapping")
    return data
