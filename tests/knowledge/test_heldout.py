"""The held-out enquiries stay as they were frozen, and the figure on them
is measured the way the docs say."""
from pathlib import Path

import pytest

from config.loader import load_config
from knowledge.articles import CURRENT_HELDOUT, HELDOUT_SETS, HeldOutEnquiry, load_articles, load_heldout
from knowledge.evaluation import choose_threshold, evaluate, frozen_digest, heldout_digest
from knowledge.search import ANSWER_MARGIN, Index, answer_margin, margin

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.mark.parametrize("which", sorted(HELDOUT_SETS))
def test_the_heldout_enquiries_are_the_frozen_ones(which):
    assert frozen_digest(CONFIG, which) == heldout_digest(CONFIG, which)


def test_the_figure_is_published_on_the_second_set_which_names_only_articles_that_exist():
    config = load_config(CONFIG)
    known = {a.id for a in load_articles(CONFIG, config.lines, config.departments)}
    second = load_heldout(CONFIG)
    assert CURRENT_HELDOUT == "second" and len(second) >= 100
    assert {e.article for e in second} <= known and {e.text for e in second}.isdisjoint(
        e.text for e in load_heldout(CONFIG, "first"))


def test_evaluation_counts_first_places_and_the_answers_the_ivr_would_give():
    config = load_config(CONFIG)
    index = Index(load_articles(CONFIG, config.lines, config.departments))
    enquiries = (HeldOutEnquiry("占道经营要办什么手续", "urban", "street-vending-permit"),
                 HeldOutEnquiry("占道经营要办什么手续", "urban", "emergency-numbers"))
    figures = evaluate(index, enquiries, ANSWER_MARGIN)
    assert (figures.enquiries, figures.top1) == (2, 1)
    assert figures.misses == (("占道经营要办什么手续", "emergency-numbers", "street-vending-permit"),)


def test_the_threshold_is_the_lowest_lead_that_keeps_answers_right():
    scored = [(0.05, False), (0.1, True), (0.1, False), (0.2, True), (0.3, True)]
    assert choose_threshold(scored, precision=0.9) == 0.2
    assert choose_threshold(scored, precision=0.75) == 0.1


def test_the_lead_is_over_the_second_best():
    config = load_config(CONFIG)
    hits = Index(load_articles(CONFIG, config.lines, config.departments)).search("占道经营要办什么手续", "urban")
    assert margin(hits) == hits[0].score - hits[1].score and margin(()) == 0.0


def test_english_is_searched_in_english_and_answered_above_its_own_margin():
    """Once, an English question was compared with the Chinese asks and
    answered, confidently, with the article on stopping text messages."""
    config = load_config(CONFIG)
    articles = load_articles(CONFIG, config.lines, config.departments)
    hits = Index(articles, "en-US").search("How do I get a permit to sell food from a stall on the street?", "urban")
    assert hits[0].article.id == "street-vending-permit" and margin(hits) >= answer_margin("en-US")
    assert answer_margin("zh-CN") == ANSWER_MARGIN and answer_margin("en-US") > ANSWER_MARGIN
    by_id = {a.id: a for a in articles}
    assert by_id["street-lamps"].asks_in("en-US") and by_id["street-lamps"].asks_in("fr-FR") == ()


def test_the_english_asks_name_only_articles_that_exist(tmp_path):
    import shutil

    from knowledge.articles import KnowledgeError

    config = load_config(CONFIG)
    shutil.copytree(CONFIG / "knowledge", tmp_path / "knowledge")
    (tmp_path / "knowledge" / "asks.en-US.yaml").write_text("asks:\n  no-such-article: [where is it]\n")
    with pytest.raises(KnowledgeError, match="asks.no-such-article: no such article"):
        load_articles(tmp_path, config.lines, config.departments)


def test_the_english_reports_are_frozen_too():
    from knowledge.articles import COMPLAINTS_EN, load_complaints

    assert frozen_digest(CONFIG, files=COMPLAINTS_EN) == heldout_digest(CONFIG, files=COMPLAINTS_EN)
    assert len(load_complaints(CONFIG)) == 150 and len(load_heldout(CONFIG, "english")) == 195
