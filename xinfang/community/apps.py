from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "xinfang.community"
    label = "community"
    verbose_name = _("Social forces and mediation")

    def ready(self) -> None:
        from xinfang.assessment.indicators import register

        from .indicators import MediationsAgreed

        # replace: ready() may run again (a test runner re-populating the apps); one entry per code.
        register(MediationsAgreed(), replace=True)
