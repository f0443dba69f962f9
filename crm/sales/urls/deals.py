from django.urls import path

from crm.sales.views import board, deals

urlpatterns = [
    path("", board.board, name="board"),
    path("list/", deals.deal_list, name="deal_list"),
    path("new/", deals.deal_create, name="deal_create"),
    path("<int:pk>/", deals.deal_detail, name="deal_detail"),
    path("<int:pk>/edit/", deals.deal_edit, name="deal_edit"),
    path("<int:pk>/move/", board.deal_move, name="deal_move"),
    path("<int:pk>/reopen/", deals.deal_reopen, name="deal_reopen"),
    path("<int:pk>/tab/<str:tab>/", deals.deal_tab, name="deal_tab"),
    path("<int:pk>/activities/new/", deals.deal_activity_create, name="deal_activity_create"),
]
