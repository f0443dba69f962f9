from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "crm.clients"
    label = "clients"
    verbose_name = _("Клиенты")

    def ready(self) -> None:
        from crm.clients.hooks import register
        from crm.core.registry import Section, register_section

        register_section(
            Section(
                code="clients", title=_("Клиенты"), icon="people", url_name="clients:list", order=10
            )
        )
        register()
