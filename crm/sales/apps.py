from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "crm.sales"
    label = "sales"
    verbose_name = _("Продажи")

    def ready(self) -> None:
        from crm.core.registry import Section, register_section

        register_section(
            Section(
                code="deals", title=_("Сделки"), icon="kanban", url_name="sales:board", order=30
            )
        )

        from crm.sales.shell_deals import register as register_deal_pages

        register_deal_pages()

        from crm.sales.shell_proposals import register as register_proposal_pages

        register_proposal_pages()

        from crm.sales import hooks_catalog

        hooks_catalog.register()

        from crm.sales import hooks_setup

        hooks_setup.register()

        import crm.sales.documents  # registers the proposal documents
        import crm.sales.jobs  # noqa: F401  (registers the overdue-stage periodic job)
        from crm.sales.services.handover import register_deal_handover

        register_deal_handover()
