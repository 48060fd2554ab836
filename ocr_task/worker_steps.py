"""A Celery worker step: every OCR_TASK_SWEEP_S, send again what a broker lost (see
`tasks.resend_forgotten_work`), so that a broker restarted without its queue costs no page even
while the workers keep running. Imported by ocr_project.celery before Django is set up: nothing
from Django at the top."""

from celery import bootsteps


class ResendForgottenWork(bootsteps.StartStopStep):
    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_entry = None

    def start(self, worker):
        from django.conf import settings

        from ocr_task.tasks import resend_forgotten_work

        self.timer_entry = worker.timer.call_repeatedly(settings.OCR_TASK_SWEEP_S, resend_forgotten_work, priority=10)

    def stop(self, worker):
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None
