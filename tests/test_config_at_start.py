"""Every YAML file of the configuration directory is checked when the app
is built: a mistake stops the start, naming the file and the key, instead of
reaching a caller or the first report."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from config.settings import SHIPPED_CONFIG_DIR
from knowledge.articles import KnowledgeError
from reports.settings import SettingsError
from understanding.corpus import CorpusError
from wiring import services


@pytest.fixture
def config_dir(tmp_path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(SHIPPED_CONFIG_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


# Every YAML file shipped in config/, as a path relative to it.
SHIPPED_YAML = sorted(path.relative_to(SHIPPED_CONFIG_DIR).as_posix() for path in SHIPPED_CONFIG_DIR.rglob("*.yaml"))


def build(config_dir: Path, tmp_path: Path, **extra):
    from app import create_app
    return create_app({"config_dir": config_dir, "instance_dir": tmp_path / "instance", "env": "testing",
                       "database_url": f"sqlite:///{tmp_path}/start.sqlite3", **extra})


def test_a_broken_assessment_yaml_stops_the_start_naming_the_file_and_the_key(config_dir, tmp_path):
    (config_dir / "assessment.yaml").write_text("assessment:\n  trend_months: 99\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"assessment\.yaml: assessment: trend_months must be"):
        build(config_dir, tmp_path, understanding=None)


def test_an_assessment_yaml_that_is_not_yaml_is_named(config_dir, tmp_path):
    (config_dir / "assessment.yaml").write_text("assessment: [unclosed\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"assessment\.yaml: not valid YAML"):
        build(config_dir, tmp_path, understanding=None)


def test_a_broken_knowledge_article_stops_the_start(config_dir, tmp_path):
    path = config_dir / "knowledge" / "articles.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["articles"][0]["lines"] = ["nowhere"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"articles\.yaml: urban-hotline-scope\.lines: must name lines"):
        build(config_dir, tmp_path, understanding=None)


def test_a_broken_training_example_stops_the_start(config_dir, tmp_path):
    path = config_dir / "understanding" / "training" / "C01.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["examples"]["C0999"] = ["a category the catalogue does not have"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"C01\.yaml: examples\.C0999: no such category"):
        build(config_dir, tmp_path)


def test_the_shipped_configuration_starts(config_dir, tmp_path):
    app = build(config_dir, tmp_path)
    assert services(app).assessment.trend_months == 12


def test_a_broken_sms_template_stops_the_start_naming_the_file_and_the_key(config_dir, tmp_path):
    from sms.settings import SmsConfigError

    path = config_dir / "sms.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sms"]["templates"]["zh-CN"]["intake"] = "案件{case_number}，{phone}"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SmsConfigError,
                       match=r"sms\.yaml: sms\.templates\.zh-CN\.intake: unknown placeholder \{phone\}"):
        build(config_dir, tmp_path, understanding=None)


def test_sms_templates_are_needed_for_every_language_of_the_lines(config_dir, tmp_path):
    from sms.settings import SmsConfigError

    path = config_dir / "sms.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["sms"]["templates"]["en-US"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SmsConfigError, match=r"sms\.yaml: sms\.templates: no templates for en-US"):
        build(config_dir, tmp_path, understanding=None)


def test_a_broken_quality_yaml_stops_the_start(config_dir, tmp_path):
    from quality.settings import QualityConfigError
    path = config_dir / "quality.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["quality"]["checklist"][1]["points"] = 0
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(QualityConfigError, match=r"quality\.yaml: quality\.checklist\[1\]\.points: must be a whole"):
        build(config_dir, tmp_path, understanding=None)


@pytest.mark.parametrize("name", SHIPPED_YAML)
def test_each_yaml_file_that_is_not_yaml_stops_the_start_naming_it(config_dir, tmp_path, name):
    (config_dir / name).write_text("key: [unclosed\n", encoding="utf-8")
    with pytest.raises(Exception, match=re.escape(name)):
        build(config_dir, tmp_path)         # the classifier's corpora are checked only when it is loaded


def test_a_broken_english_report_stops_the_start(config_dir, tmp_path):
    path = config_dir / "knowledge" / "complaints-en.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["complaints"][2] = {"text": " "}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"complaints-en\.yaml: complaints\[2\]: needs text"):
        build(config_dir, tmp_path, understanding=None)
