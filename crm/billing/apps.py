from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "crm.billing"
    label = "billing"
    verbose_name = _("Договоры и расчёты")

    def ready(self) -> None:
        from crm.core.registry import Section, register_section

        register_section(
            Section(
                code="contracts", title=_("Договоры и счета"), icon="file-earmark-text", order=40
            )
        )
        register_section(Section(code="payments", title=_("Оплаты"), icon="cash-coin", order=45))
