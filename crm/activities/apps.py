from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "crm.activities"
    label = "activities"
    verbose_name = _("События")

    def ready(self) -> None:
        from crm.activities.shell import navigation_badge
        from crm.activities.shell import register as register_core
        from crm.activities.shell_reminders import register as register_reminders
        from crm.core.registry import Section, register_section

        register_section(
            Section(
                code="activities",
                title=_("События"),
                icon="check2-square",
                url_name="activities:list",
                order=20,
                badge=navigation_badge,
            )
        )
        register_core()
        register_reminders()
        register_section(
            Section(
                code="calendar",
                title=_("Календарь"),
                icon="calendar3",
                url_name="activities:calendar",
                order=25,
            )
        )
