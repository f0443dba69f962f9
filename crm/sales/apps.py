from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "crm.sales"
    label = "sales"
    verbose_name = _("Продажи")

    def ready(self) -> None:
        from crm.sales import hooks

        hooks.register()

        import crm.sales.documents  # registers the proposal documents
        import crm.sales.jobs  # noqa: F401  (registers the overdue-stage periodic job)
        from crm.sales.services.handover import register_deal_handover

        register_deal_handover()
