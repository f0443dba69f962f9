from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "crm.analytics"
    label = "analytics"
    verbose_name = _("Аналитика")

    def ready(self) -> None:
        from crm.core.registry import Section, register_section

        register_section(
            Section(code="analytics", title=_("Аналитика"), icon="bar-chart-line", order=60)
        )
