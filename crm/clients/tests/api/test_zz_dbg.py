import pytest
from rest_framework.test import APIClient
from crm.clients.tests.factories import ClientFactory
pytestmark = pytest.mark.django_db
def test_x(manager, other_manager):
    api = APIClient()
    ClientFactory(owner=manager, name="ООО «Ромашка»", inn="7707083893", kpp="770701001")
    ClientFactory(owner=other_manager, name="АО «Ромашка Плюс»", inn="", kpp="", phone="+74951234567")
    api.force_authenticate(manager)
    print(api.post("/api/v1/clients/duplicate-check/", {"name": "Ромашка", "inn": "7707083893", "phone": "8 (495) 123-45-67"}, format="json").json())
