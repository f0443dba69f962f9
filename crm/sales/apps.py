from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "crm.sales"
    label = "sales"
    verbose_name = _("Продажи")

    def ready(self) -> None:
        from crm.core.registry import Section, register_section

        register_section(Section(code="deals", title=_("Сделки"), icon="kanban", order=30))
