"""Pages of commercial proposals (mounted at /deals/proposals/)."""

from django.urls import path

from crm.sales.views import proposals

urlpatterns = [
    path("deal/<int:pk>/", proposals.deal_proposals, name="deal_proposals"),
    path("deal/<int:pk>/new/", proposals.proposal_create, name="proposal_create"),
    path("<int:pk>/", proposals.proposal_detail, name="proposal_detail"),
    path("<int:pk>/totals/", proposals.proposal_totals, name="proposal_totals"),
    path("<int:pk>/issue/", proposals.proposal_issue, name="proposal_issue"),
    path("<int:pk>/new-version/", proposals.proposal_new_version, name="proposal_new_version"),
    path(
        "<int:pk>/decision/<str:decision>/",
        proposals.proposal_decision,
        name="proposal_decision",
    ),
    path("<int:pk>/print/", proposals.proposal_print, name="proposal_print"),
    path("<int:pk>/pdf/", proposals.proposal_pdf, name="proposal_pdf"),
    path("<int:pk>/send/", proposals.proposal_send, name="proposal_send"),
]
