"""Forms of the import pages: the upload step (the mapping step is built from the file's
header in the view)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.clients.models import ImportBatch


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Что загружаем"),
        choices=ImportBatch.KIND_CHOICES,
        initial="clients",
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("Файл CSV или XLSX"),
        help_text=_(
            "До 10 МБ. Первая строка — названия колонок. CSV в кодировке UTF-8 или "
            "windows-1251, разделитель «;» или «,»."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
