from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "xinfang.stations"
    label = "stations"
    verbose_name = _("Reception stations")

    def ready(self) -> None:
        from xinfang.assessment.indicators import register

        from .indicators import WalkInsResolved

        # replace: ready() may run again (a test runner re-populating the apps); one entry per code.
        register(WalkInsResolved(), replace=True)
