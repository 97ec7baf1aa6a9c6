"""Photos kept with cases: the files under the photo directory, their rows,
and an inspector's report that brings them.

A photo's file is written before its row, under a name nobody can guess, so
a failed transaction leaves at worst a file no row names; the caller removes
those (``PhotoFiles.remove``) when it rolls back.
"""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import inspections
from cases.models import Case, CaseEvent, CasePhoto, InspectorTask
from cases.photos import Photo
from config.catalog import HotlineConfig

log = logging.getLogger(__name__)


class PhotoFiles:
    """The photo directory: one folder a case, one file a photo."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def write(self, case: Case, photo: Photo) -> str:
        """Keep ``photo``'s bytes; the stored name (relative to the root)."""
        folder = self.root / str(case.id)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{case.id}/{secrets.token_urlsafe(18)}{photo.extension}"
        partial = self.root / (name + ".part")
        with open(partial, "xb") as out:
            out.write(photo.data)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(self.root / name)
        return name

    def path(self, stored_name: str) -> Path | None:
        """The file of a stored name, if it is inside the root and there."""
        path = (self.root / stored_name).resolve()
        root = self.root.resolve()
        if root not in path.parents or not path.is_file():
            return None
        return path

    def remove(self, stored_names: list[str]) -> None:
        for name in stored_names:
            try:
                (self.root / name).unlink(missing_ok=True)
            except OSError:
                log.exception("could not remove photo file %s", name)


def keep_photos(session: Session, files: PhotoFiles, case: Case, photos: list[Photo], actor: str, now: datetime,
                written: list[str], task: InspectorTask | None = None) -> list[CasePhoto]:
    """Write the photos and their rows, with an event in the case's history.
    Each stored name is appended to ``written`` as soon as its file exists,
    so a caller that fails later knows what to remove."""
    rows = []
    for photo in photos:
        stored = files.write(case, photo)
        written.append(stored)
        rows.append(CasePhoto(case_id=case.id, task_id=task.id if task else None, stored_name=stored,
                              content_type=photo.content_type, size_bytes=len(photo.data),
                              sha256=hashlib.sha256(photo.data).hexdigest(), original_name=photo.name,
                              uploaded_by=actor, uploaded_at=now))
    if rows:
        case.photos.extend(rows)
        case.events.append(CaseEvent(
            at=now, actor=actor, role="inspector" if task else None, action="photos", from_status=case.status,
            to_status=case.status, department_code=case.department_code,
            note=None, data={"count": len(rows), "task": task.id if task else None}))
        session.flush()
    return rows


def report_with_photos(session: Session, config: HotlineConfig, files: PhotoFiles, task_id: int, result: str,
                       actor: str, now: datetime, note: str | None, photos: list[Photo],
                       written: list[str]) -> Case:
    """An inspector's finding on a task, with the photos taken on site: the
    photos join the case's history first, then the step the finding implies
    (``cases.inspections.report_result``).  Refused, it raises and the
    caller rolls back and removes ``written``."""
    task = session.scalars(select(InspectorTask).where(InspectorTask.id == task_id)).one_or_none()
    if task is None:
        raise inspections.TaskError(f"no inspector task {task_id}")
    if task.status != "open":
        raise inspections.TaskError(f"task {task_id} is already {task.status}")
    keep_photos(session, files, task.case, photos, actor, now, written, task)
    return inspections.report_result(session, config, task_id, result, actor, now, note=note)


def photo_of(session: Session, case: Case, photo_id: int) -> CasePhoto | None:
    if not 0 < photo_id < 2**31:
        return None
    photo = session.get(CasePhoto, photo_id)
    return photo if photo is not None and photo.case_id == case.id else None
