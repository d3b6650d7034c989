from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencesConfig(AppConfig):
    name = "xinfang.conferences"
    label = "conferences"
    verbose_name = _("Joint conferences")

    def ready(self) -> None:
        from xinfang.assessment.indicators import register

        from .indicators import DecisionsOnTime

        # replace: ready() may run again (a test runner re-populating the apps); one entry per code.
        register(DecisionsOnTime(), replace=True)
