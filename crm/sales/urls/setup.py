"""/deals/settings/: the settings tab «Воронки продаж» (administrators only)."""

from django.urls import path

from crm.sales.views import setup as views

urlpatterns = [
    path("", views.pipeline_list, name="setup_pipelines"),
    path("pipelines/new/", views.pipeline_edit, name="setup_pipeline_create"),
    path("pipelines/<int:pk>/", views.pipeline_edit, name="setup_pipeline_edit"),
    path("pipelines/<int:pipeline_pk>/stages/new/", views.stage_edit, name="setup_stage_create"),
    path("stages/<int:pk>/", views.stage_edit, name="setup_stage_edit"),
    path("stages/<int:pk>/move/", views.stage_move, name="setup_stage_move"),
    path("stages/<int:pk>/delete/", views.stage_delete, name="setup_stage_delete"),
    path("lost-reasons/", views.lost_reason_list, name="setup_lost_reasons"),
    path("lost-reasons/new/", views.lost_reason_edit, name="setup_lost_reason_create"),
    path("lost-reasons/<int:pk>/", views.lost_reason_edit, name="setup_lost_reason_edit"),
    path("rules/", views.rule_list, name="setup_rules"),
    path("rules/new/", views.rule_edit, name="setup_rule_create"),
    path("rules/<int:pk>/", views.rule_edit, name="setup_rule_edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="setup_rule_delete"),
]
