from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "crm.core"
    label = "core"
    verbose_name = _("Ядро")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from crm.core import jobs  # noqa: F401  (registers the built-in job kinds)
        from crm.core.db import configure_connection

        connection_created.connect(configure_connection, dispatch_uid="svod-configure-connection")
        from crm.core.registry import Section, SettingsTab, register_section, register_settings_tab

        register_section(
            Section(
                code="dashboard",
                title=_("Рабочий стол"),
                icon="house",
                url_name="core:dashboard",
                order=0,
            )
        )
        register_settings_tab(
            SettingsTab(_("Журнал изменений"), "core:audit_log", ("core:audit_log",), order=40)
        )
        register_settings_tab(
            SettingsTab(_("Фоновые задачи"), "core:jobs", ("core:jobs",), order=50)
        )
        register_settings_tab(
            SettingsTab(
                _("Производственный календарь"),
                "core:workday_calendar",
                ("core:workday_calendar",),
                order=85,
            )
        )
