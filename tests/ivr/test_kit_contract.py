"""Other packages use ivr/ through its public names only (``ivr.kit`` and
the pure ``ivr.voice``): the ``ivr-kit-only`` import contract protects
every other module of ivr/, so a module added to ivr/ must be listed there."""
from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = {"ivr.kit", "ivr.voice"}


def test_every_module_behind_the_kit_is_protected():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    [contract] = [c for c in contracts if c["id"] == "ivr-kit-only"]
    modules = {f"ivr.{path.stem}" for path in (ROOT / "ivr").glob("*.py") if path.stem != "__init__"}
    assert set(contract["protected_modules"]) == modules - PUBLIC
    assert contract["allowed_importers"] == ["ivr"]


def test_the_kit_re_exports_the_pure_half():
    from ivr import kit, voice

    assert set(voice.__all__) <= set(kit.__all__)
    assert all(getattr(kit, name) is getattr(voice, name) for name in voice.__all__)
    assert all(hasattr(kit, name) for name in kit.__all__)
