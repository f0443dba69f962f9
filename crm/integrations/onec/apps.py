from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OneCConfig(AppConfig):
    name = "crm.integrations.onec"
    label = "onec"
    verbose_name = _("Обмен с 1С")

    def ready(self) -> None:
        from crm.core.registry import Section, register_section

        register_section(
            Section(code="onec", title=_("Обмен с 1С"), icon="arrow-left-right", order=50)
        )
