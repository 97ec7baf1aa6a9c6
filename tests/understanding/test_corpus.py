"""The training data and the frozen held-out set: kept apart, and frozen."""
from __future__ import annotations

import pytest

from config.loader import load_config
from config.settings import SHIPPED_CONFIG_DIR
from understanding.corpus import MIN_EXAMPLES, CorpusError, frozen_digest, heldout_digest, load_heldout, load_training
from understanding.text import normalise

CONFIG = load_config(SHIPPED_CONFIG_DIR)


def test_the_held_out_set_is_the_one_that_was_frozen():
    assert heldout_digest(SHIPPED_CONFIG_DIR) == frozen_digest(SHIPPED_CONFIG_DIR), (
        "config/understanding/heldout changed after it was frozen: never edit it to improve a figure")


def test_no_held_out_utterance_is_in_the_training_data():
    corpus = load_training(SHIPPED_CONFIG_DIR, CONFIG.categories)
    trained = {normalise(e.text) for e in corpus.examples + corpus.enquiries}
    complaints, enquiries = load_heldout(SHIPPED_CONFIG_DIR, CONFIG.categories)
    leaked = [item.text for item in complaints + enquiries if normalise(item.text) in trained]
    assert leaked == []


def test_every_category_has_enough_examples_and_the_held_out_set_covers_every_major_class():
    corpus = load_training(SHIPPED_CONFIG_DIR, CONFIG.categories)
    counts = corpus.counts()
    assert min(counts[code] for code in CONFIG.categories) >= MIN_EXAMPLES
    complaints, enquiries = load_heldout(SHIPPED_CONFIG_DIR, CONFIG.categories)
    assert len(complaints) >= 300 and len(enquiries) >= 100
    assert {item.code[:3] for item in complaints} == set(CONFIG.classes)


def test_malformed_training_data_names_the_file_and_the_entry(tmp_path):
    training = tmp_path / "understanding" / "training"
    training.mkdir(parents=True)
    (training / "C01.yaml").write_text("examples:\n  C0999:\n    - 井盖没了\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"C01.yaml: examples.C0999: no such category"):
        load_training(tmp_path, CONFIG.categories)
    (training / "C01.yaml").write_text("examples:\n  C0101:\n    - 自来水井盖没了\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"fewer than 15 training examples: .*C0102"):
        load_training(tmp_path, CONFIG.categories)
