"""Use cases of understanding callers that touch the database: learn from a
case a person labelled, train and store a model, load the newest.

Each takes a session.  A stored model is a pickle of an ``Understanding``:
the database is the service's own and trusted, and every app server loads
the same model from it at start.
"""
from __future__ import annotations

import logging
import pickle
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from config.catalog import HotlineConfig
from database import dialect_insert
from understanding.corpus import Corpus, Example, load_training
from understanding.models import ClassifierModel, TrainingExample
from understanding.reading import Understanding
from understanding.training import fingerprint, train

log = logging.getLogger(__name__)

# Models newer than this many are dropped when a new one is stored.
KEEP_MODELS = 3


def learn(session: Session, case_id: int, text: str | None, category_code: str, source: str,
          actor: str | None, now: datetime) -> bool:
    """Remember that what was said on case ``case_id`` was ``category_code``.

    ``source`` is ``correction`` (a person changed the category) or
    ``confirmation`` (a person filed it as it was).  A correction is never
    overwritten by a later confirmation."""
    text = (text or "").strip()
    if not text:
        return False
    values = dict(case_id=case_id, text=text[:2000], category_code=category_code, source=source, actor=actor,
                  created_at=now)
    statement = dialect_insert(session, TrainingExample).values(**values)
    update = dict(text=statement.excluded.text, category_code=statement.excluded.category_code,
                  source=statement.excluded.source, actor=statement.excluded.actor,
                  created_at=statement.excluded.created_at)
    where = None if source == "correction" else (TrainingExample.source != "correction")
    session.execute(statement.on_conflict_do_update(index_elements=["case_id"], set_=update, where=where))
    return True


def centre_examples(session: Session, codes) -> list[Example]:
    rows = session.execute(select(TrainingExample.text, TrainingExample.category_code, TrainingExample.source)
                           .order_by(TrainingExample.id))
    return [Example(text, code, source) for text, code, source in rows if code in codes]


def corpus_with_centre(session: Session, config_dir: Path, config: HotlineConfig) -> Corpus:
    corpus = load_training(config_dir, config.categories)
    return corpus.with_examples(centre_examples(session, config.categories))


@dataclass(frozen=True)
class ModelStatus:
    stored: str | None          # the newest stored model's version
    trained_at: datetime | None
    current: str                # the digest of today's training data

    @property
    def stale(self) -> bool:
        return self.stored != self.current


def status(session: Session, config_dir: Path, config: HotlineConfig) -> ModelStatus:
    current = fingerprint(corpus_with_centre(session, config_dir, config), config.categories)
    row = session.execute(select(ClassifierModel.version, ClassifierModel.trained_at)
                          .order_by(ClassifierModel.trained_at.desc(), ClassifierModel.id.desc()).limit(1)).first()
    return ModelStatus(row.version if row else None, row.trained_at if row else None, current)


def train_and_store(session: Session, config_dir: Path, config: HotlineConfig, now: datetime,
                    tune_thresholds: bool = True) -> Understanding:
    corpus = corpus_with_centre(session, config_dir, config)
    understanding = train(corpus, config.categories, now, tune_thresholds=tune_thresholds)
    store(session, understanding)
    return understanding


def store(session: Session, understanding: Understanding) -> ClassifierModel:
    blob = zlib.compress(pickle.dumps(understanding, protocol=pickle.HIGHEST_PROTOCOL), 6)
    row = ClassifierModel(version=understanding.version, trained_at=understanding.trained_at,
                          examples=understanding.examples, figures=dict(understanding.figures), model=blob)
    session.add(row)
    session.flush()
    keep = select(ClassifierModel.id).order_by(ClassifierModel.trained_at.desc(), ClassifierModel.id.desc()) \
        .limit(KEEP_MODELS)
    for old in session.scalars(select(ClassifierModel).options(load_only(ClassifierModel.id))
                               .where(ClassifierModel.id.not_in(keep))):
        session.delete(old)
    session.flush()
    log.info("classifier %s stored: %d examples, %d bytes", understanding.version[:12], understanding.examples,
             len(blob))
    return row


def load_for_service(session: Session, config_dir: Path, config: HotlineConfig) -> Understanding | None:
    """The newest stored model, as a web worker or the scheduler loads it at
    start, saying clearly in the log when there is none or it is stale."""
    understanding = load_latest(session)
    if understanding is None:
        log.warning("no trained classifier in the database: callers are understood by the catalogue's keywords "
                    "only, and always asked to choose; run `flask --app app init` (or `classifier train`)")
        return None
    try:
        current = status(session, config_dir, config)
    except Exception as exc:  # noqa: BLE001 - a broken corpus must not stop the service; say so
        log.warning("could not check the classifier against the training data: %s", exc)
        return understanding
    if current.stale:
        log.warning("the classifier %s was trained on other data than today's (%s): run "
                    "`flask --app app classifier train` and restart", understanding.version[:12], current.current[:12])
    else:
        log.info("classifier %s loaded (%d examples)", understanding.version[:12], understanding.examples)
    unknown = set(understanding.categories.classes_) - set(config.categories)
    if unknown:
        log.warning("the classifier knows categories the catalogue no longer has (%s): retrain it",
                    ", ".join(sorted(unknown)))
    understanding.warm()
    return understanding


def load_latest(session: Session) -> Understanding | None:
    row = session.scalars(select(ClassifierModel)
                          .order_by(ClassifierModel.trained_at.desc(), ClassifierModel.id.desc()).limit(1)).first()
    if row is None:
        return None
    try:
        return pickle.loads(zlib.decompress(row.model))
    except (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError, zlib.error) as exc:
        # A model stored by another version of this code: never a reason not to start.
        log.warning("the stored classifier %s cannot be loaded by this version of the service (%s: %s): "
                    "run `flask --app app init` (or `classifier train`)", row.version[:12],
                    exc.__class__.__name__, exc)
        return None
