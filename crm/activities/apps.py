from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "crm.activities"
    label = "activities"
    verbose_name = _("События")

    def ready(self) -> None:
        from crm.core.registry import Section, register_section

        register_section(
            Section(code="activities", title=_("События"), icon="check2-square", order=20)
        )
        register_section(Section(code="calendar", title=_("Календарь"), icon="calendar3", order=25))
