from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "crm.accounts"
    label = "accounts"
    verbose_name = _("Пользователи и доступ")

    def ready(self) -> None:
        from crm.accounts.access import can_administer
        from crm.accounts.hooks import register
        from crm.core.registry import Section, register_section

        register_section(
            Section(
                code="settings",
                title=_("Настройки"),
                icon="gear",
                url_name="accounts:user_list",
                order=90,
                visible=can_administer,
            )
        )
        register()
