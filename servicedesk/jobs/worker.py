"""The RQ worker: one app per process, one app context per job."""

from __future__ import annotations

from flask import Flask
from rq import SimpleWorker

from servicedesk.extensions import db


class AppWorker(SimpleWorker):
    """A worker that runs each job inside a fresh application context (own DB session).

    Jobs run in the worker process itself (no fork per job): delivery jobs are short I/O, and
    the database connection pool survives from job to job.
    """

    app: Flask

    def execute_job(self, job, queue):
        with self.app.app_context():
            try:
                return super().execute_job(job, queue)
            finally:
                db.session.remove()
