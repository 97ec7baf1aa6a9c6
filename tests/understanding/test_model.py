"""The trained model: deterministic, knows the whole catalogue, fast enough
to be read in a webhook (timed in bench/understanding.py, not here)."""
from __future__ import annotations

from datetime import datetime, timezone

import numpy as np

from config.loader import load_config
from config.settings import SHIPPED_CONFIG_DIR
from understanding.corpus import Example, load_training
from understanding.reading import CONFIRM, OFFER, UNSURE, KeywordReader, Reading, Thresholds
from understanding.training import catalogue_examples, train

CONFIG = load_config(SHIPPED_CONFIG_DIR)
SAMPLES = ["西仓路银春旅馆门前有两个上水井盖丢失", "楼下饭店油烟熏得人没法开窗", "几点下班啊你们"]


def test_it_knows_every_category_of_the_catalogue(understanding):
    assert set(understanding.categories.classes_) == set(CONFIG.categories)


def test_the_same_examples_give_the_same_model(understanding):
    corpus = load_training(SHIPPED_CONFIG_DIR, CONFIG.categories)
    again = train(corpus, CONFIG.categories, datetime(2026, 10, 1, tzinfo=timezone.utc), tune_thresholds=False)
    assert again.version == understanding.version
    for said in SAMPLES:
        first, second = understanding.read(said, None), again.read(said, None)
        assert [g.code for g in first.guesses] == [g.code for g in second.guesses]
        assert np.allclose([g.probability for g in first.guesses], [g.probability for g in second.guesses])


def test_a_line_only_hears_its_own_categories(understanding):
    conduct = {c.code for c in CONFIG.categories_of("conduct")}
    reading = understanding.read("窗口的工作人员态度很差还骂人", conduct)
    assert reading.best.code == "E9002"
    assert {g.code for g in understanding.read("路灯不亮", conduct).guesses} <= conduct


def test_the_catalogue_words_are_examples_of_their_category():
    words = {(e.text, e.code) for e in catalogue_examples(CONFIG.categories.values())}
    assert ("上水井盖", "C0101") in words and ("占道经营", "E0503") in words
    assert all(isinstance(e, Example) for e in catalogue_examples(CONFIG.categories.values()))


def test_the_tiers_follow_the_thresholds():
    thresholds = Thresholds(confirm=0.85, offer=0.55, offer_best=0.25)
    from understanding.classifier import Guess
    sure = Reading("青年路路灯不亮", (Guess("C0118", 0.9),))
    likely = Reading("那边的井盖没了", (Guess("C0101", 0.4), Guess("C0102", 0.3)))
    vague = Reading("那边的井盖没了", (Guess("C0101", 0.2), Guess("C0102", 0.2)))
    too_short = Reading("事情", (Guess("C0118", 0.99),))
    assert [thresholds.tier(r) for r in (sure, likely, vague, too_short)] == [CONFIRM, OFFER, UNSURE, UNSURE]
    assert thresholds.tier(sure, speech_confidence=0.1) == OFFER


def test_without_a_model_the_keywords_offer_but_never_confirm():
    reader = KeywordReader(CONFIG.categories.values())
    reading = reader.read("青年路路灯不亮了", None)
    assert reading.best.code == "C0118" and not reading.trained
    assert Thresholds().tier(reading) == OFFER
    assert reader.read("The street light is broken", None).best.code == "C0118"
