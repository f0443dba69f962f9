"""/api/v1/ of the catalog and our organizations — the same selectors and services as the
pages. Everyone logged in reads; only administrators write (others get 403).

- products/ — list (q: name or article, group: id with its subgroups, kind, active: 1/0/all,
  default 1), retrieve, create, update (PUT/PATCH); search/ — the short list of the line
  editors (?q=, the same as the page's JSON search);
- units/ and product-groups/ — list, retrieve, create, update;
- organizations/ — list, retrieve (with bank accounts), create, update; default/ — the
  default organization; organization-bank-accounts/ — list (?organization=), create, update,
  delete.

Bad input answers 400 with Russian messages per field; nothing is changed."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from crm.sales.api import common
from crm.sales.models import (
    Organization,
    OrganizationBankAccount,
    Product,
    ProductGroup,
    ProductKind,
    Unit,
    VatKind,
)
from crm.sales.selectors import catalog as selectors
from crm.sales.services import catalog as services
from crm.sales.services import organizations as org_services

ERROR_NOT_ADMINISTRATOR = _("Изменять номенклатуру и организации может только администратор")


class AdministratorWrites(common.AdministratorWrites):
    message = ERROR_NOT_ADMINISTRATOR


_fmt = common.lazy_format
_bool = common.bool_field


def _related(model: type, label: Any) -> dict[str, Any]:
    return {
        "does_not_exist": _fmt(
            _("Нет такого значения в поле «%(field)s»: %(pk)s"),
            {"field": label, "pk": "{pk_value}"},
        ),
        "incorrect_type": _fmt(_("Поле «%(field)s»: ожидался номер записи"), {"field": label}),
    }


def _text(label: Any, max_length: int, *, required: bool = False) -> serializers.CharField:
    return serializers.CharField(
        required=required,
        allow_blank=True,
        max_length=max_length,
        error_messages={
            "max_length": _fmt(
                _("Поле «%(field)s» — не длиннее %(max)s символов"),
                {"field": label, "max": max_length},
            ),
            "required": _fmt(_("Укажите поле «%(field)s»"), {"field": label}),
            "invalid": _fmt(_("Поле «%(field)s»: ожидался текст"), {"field": label}),
            "null": _fmt(_("Поле «%(field)s» не может быть пустым"), {"field": label}),
        },
    )


def _choice(label: Any, choices: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices,
        required=False,
        error_messages={
            "invalid_choice": _fmt(
                _("Поле «%(field)s»: неизвестное значение «{input}»"), {"field": label}
            )
        },
    )


# --- Products ---------------------------------------------------------------------------------


class ProductSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    okei_code = serializers.CharField(source="unit.okei_code", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True, default="")

    class Meta:
        model = Product
        fields = (
            "id",
            "name",
            "kind",
            "article",
            "unit",
            "unit_name",
            "okei_code",
            "price",
            "currency",
            "vat_kind",
            "group",
            "group_name",
            "description",
            "is_active",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class ProductWriteSerializer(serializers.Serializer):
    name = _text(_("Наименование"), 500)
    kind = _choice(_("Вид"), ProductKind.choices)
    article = _text(_("Артикул"), 100)
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        allow_null=True,
        error_messages=_related(Unit, _("Единица измерения")),
    )
    price = serializers.CharField(
        required=False,
        max_length=30,
        error_messages={"invalid": _("Цена — число, например 1500.00")},
    )
    currency = _text(_("Валюта"), 3)
    vat_kind = _choice(_("НДС"), VatKind.choices)
    group = serializers.PrimaryKeyRelatedField(
        queryset=ProductGroup.objects.all(),
        required=False,
        allow_null=True,
        error_messages=_related(ProductGroup, _("Группа")),
    )
    description = serializers.CharField(required=False, allow_blank=True)
    is_active = _bool(_("Используется"))


class ProductViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The catalog. Filters: q (name or article), group (id, with subgroups), kind
    (goods/service), active (1 — default, 0, all)."""

    queryset = Product.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = ProductSerializer
    permission_classes = [AdministratorWrites]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Product]:
        if self.action != "list":
            return Product.objects.select_related("unit", "group")
        params = self.request.query_params
        active_param = params.get("active", "1")
        group = params.get("group", "")
        return selectors.product_list(
            selectors.ProductFilter(
                query=params.get("q", "")[:100],
                group_id=int(group) if group.isdigit() else None,
                kind=params.get("kind", "") if params.get("kind") in ProductKind.values else "",
                active=None if active_param == "all" else active_param != "0",
            )
        )

    def _save(self, request: Request, product: Product | None, partial: bool) -> Product:
        serializer = ProductWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if product is not None:
            current = {name: getattr(product, name) for name in services.PRODUCT_FIELDS}
            data = current | data
        return services.product_save(by=request.user, data=data, product=product)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        product = self._save(request, None, partial=False)
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        product = self._save(request, self.get_object(), partial=bool(kwargs.get("partial")))
        return Response(ProductSerializer(product).data)

    @action(detail=False, methods=["get"], pagination_class=None)
    def search(self, request: Request) -> Response:
        """The line editors' search: active products by name or article (?q=, ?limit=)."""
        try:
            limit = max(1, min(int(request.query_params.get("limit", 20)), 50))
        except ValueError:
            limit = 20
        return Response(selectors.product_search(request.query_params.get("q", ""), limit))


# --- Units and groups ---------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    okei_code = _text(_("Код ОКЕИ"), 4, required=True)
    name = _text(_("Обозначение"), 20, required=True)
    full_name = _text(_("Наименование"), 100)

    class Meta:
        model = Unit
        fields = ("id", "okei_code", "name", "full_name")
        validators: list[Any] = []  # uniqueness is the service's, with a Russian message


class UnitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Unit.objects.order_by("name", "okei_code")
    serializer_class = UnitSerializer
    permission_classes = [AdministratorWrites]
    pagination_class = None
    filter_backends: list[Any] = []

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit = services.unit_save(by=request.user, **serializer.validated_data)
        return Response(UnitSerializer(unit).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        unit = self.get_object()
        serializer = self.get_serializer(unit, data=request.data, partial=kwargs.get("partial"))
        serializer.is_valid(raise_exception=True)
        data = {"okei_code": unit.okei_code, "name": unit.name, "full_name": unit.full_name}
        unit = services.unit_save(by=request.user, unit=unit, **(data | serializer.validated_data))
        return Response(UnitSerializer(unit).data)


class ProductGroupSerializer(serializers.ModelSerializer):
    name = _text(_("Название"), 255, required=True)
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=ProductGroup.objects.all(),
        required=False,
        allow_null=True,
        error_messages=_related(ProductGroup, _("Входит в группу")),
    )
    order = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=32767,
        error_messages={
            "invalid": _("Порядок — целое число"),
            "min_value": _("Порядок — от 0 до 32767"),
            "max_value": _("Порядок — от 0 до 32767"),
        },
    )

    class Meta:
        model = ProductGroup
        fields = ("id", "name", "parent", "order")


class ProductGroupViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = ProductGroup.objects.order_by("order", "name", "id")
    serializer_class = ProductGroupSerializer
    permission_classes = [AdministratorWrites]
    pagination_class = None
    filter_backends: list[Any] = []

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        group = services.group_save(by=request.user, **serializer.validated_data)
        return Response(ProductGroupSerializer(group).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        group = self.get_object()
        serializer = self.get_serializer(group, data=request.data, partial=kwargs.get("partial"))
        serializer.is_valid(raise_exception=True)
        data = {"name": group.name, "parent": group.parent, "order": group.order}
        group = services.group_save(
            by=request.user, group=group, **(data | serializer.validated_data)
        )
        return Response(ProductGroupSerializer(group).data)


# --- Organizations ------------------------------------------------------------------------------


class BankAccountSerializer(serializers.ModelSerializer):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        error_messages=_related(Organization, _("Организация"))
        | {"required": _("Укажите организацию"), "null": _("Укажите организацию")},
    )
    bik = _text(_("БИК"), 9)
    bank_name = _text(_("Банк"), 255)
    correspondent_account = _text(_("Корр. счёт"), 20)
    account = _text(_("Расчётный счёт"), 20)
    currency = _text(_("Валюта"), 3)
    is_main = _bool(_("Основной"))

    class Meta:
        model = OrganizationBankAccount
        fields = (
            "id",
            "organization",
            "bik",
            "bank_name",
            "correspondent_account",
            "account",
            "currency",
            "is_main",
        )
        validators: list[Any] = []


class OrganizationSerializer(serializers.ModelSerializer):
    bank_accounts = BankAccountSerializer(many=True, read_only=True)
    name = _text(_("Краткое название"), 255)
    full_name = _text(_("Полное наименование"), 500)
    inn = _text(_("ИНН"), 12)
    kpp = _text(_("КПП"), 9)
    ogrn = _text(_("ОГРН / ОГРНИП"), 15)
    legal_address = _text(_("Юридический адрес"), 500)
    postal_address = _text(_("Почтовый адрес"), 500)
    phone = _text(_("Телефон"), 40)
    email = _text(_("Эл. почта"), 254)
    director = _text(_("Руководитель (ФИО)"), 255)
    director_position = _text(_("Должность руководителя"), 255)
    chief_accountant = _text(_("Главный бухгалтер (ФИО)"), 255)
    is_vat_payer = _bool(_("Плательщик НДС"))
    is_default = _bool(_("По умолчанию"))
    is_active = _bool(_("Используется"))

    class Meta:
        model = Organization
        fields = (
            "id",
            *org_services.ORGANIZATION_FIELDS,
            "bank_accounts",
        )


class OrganizationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Our organizations (the seller of documents); `default/` is the default one, with the
    requisites snapshot documents copy."""

    queryset = Organization.objects.prefetch_related("bank_accounts").order_by(
        "-is_default", "name"
    )
    serializer_class = OrganizationSerializer
    permission_classes = [AdministratorWrites]
    pagination_class = None
    filter_backends: list[Any] = []

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization = org_services.organization_save(
            by=request.user, data=dict(serializer.validated_data)
        )
        return Response(OrganizationSerializer(organization).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        organization = self.get_object()
        serializer = self.get_serializer(
            organization, data=request.data, partial=kwargs.get("partial")
        )
        serializer.is_valid(raise_exception=True)
        current = {name: getattr(organization, name) for name in org_services.ORGANIZATION_FIELDS}
        organization = org_services.organization_save(
            by=request.user,
            organization=organization,
            data=current | dict(serializer.validated_data),
        )
        return Response(OrganizationSerializer(organization).data)

    @action(detail=False, methods=["get"], url_path="default")
    def default(self, request: Request) -> Response:
        organization = org_services.default_organization()
        if organization is None:
            return Response(None)
        data = OrganizationSerializer(organization).data
        data["requisites"] = org_services.organization_requisites(organization)
        return Response(data)


class BankAccountViewSet(viewsets.ModelViewSet):
    queryset = OrganizationBankAccount.objects.none()
    serializer_class = BankAccountSerializer
    permission_classes = [AdministratorWrites]
    pagination_class = None
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[OrganizationBankAccount]:
        accounts = OrganizationBankAccount.objects.order_by("organization", "-is_main", "id")
        organization = self.request.query_params.get("organization", "")
        if organization.isdigit():
            accounts = accounts.filter(organization_id=int(organization))
        return accounts

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        account = org_services.bank_account_save(
            by=request.user, organization=organization, data=data
        )
        return Response(BankAccountSerializer(account).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        account = self.get_object()
        serializer = self.get_serializer(account, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("organization", None)  # an account does not move to another organization
        current = {name: getattr(account, name) for name in org_services.BANK_ACCOUNT_FIELDS}
        account = org_services.bank_account_save(
            by=request.user,
            organization=account.organization,
            bank_account=account,
            data=current | data,
        )
        return Response(BankAccountSerializer(account).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org_services.bank_account_delete(by=request.user, bank_account=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: Any) -> None:
    router.register("products", ProductViewSet, basename="product")
    router.register("units", UnitViewSet, basename="unit")
    router.register("product-groups", ProductGroupViewSet, basename="product-group")
    router.register("organizations", OrganizationViewSet, basename="organization")
    router.register(
        "organization-bank-accounts", BankAccountViewSet, basename="organization-bank-account"
    )


urlpatterns: list[URLPattern] = []
