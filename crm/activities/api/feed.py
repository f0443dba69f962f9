"""The secret calendar feed URL over the API, and replacing it."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.accounts.models import User
from crm.activities.models import CalendarFeed
from crm.activities.services import feed as services

FeedSerializer = inline_serializer(
    "CalendarFeed",
    {"url": serializers.URLField(), "created_at": serializers.DateTimeField()},
)


def _answer(request: Request, feed: CalendarFeed) -> Response:
    base_url = f"{request.scheme}://{request.get_host()}"
    return Response(
        {"url": services.feed_url(feed, base_url=base_url), "created_at": feed.created_at}
    )


class CalendarFeedView(APIView):
    """The current user's secret iCalendar URL (created on first request): subscribe to it in a
    phone or Outlook; it answers without a login."""

    @extend_schema(responses=FeedSerializer)
    def get(self, request: Request) -> Response:
        return _answer(request, services.calendar_feed_get_or_create(user=cast(User, request.user)))


class CalendarFeedRotateView(APIView):
    """Replace the URL: the old one answers 404 from now on."""

    @extend_schema(request=None, responses=FeedSerializer)
    def post(self, request: Request) -> Response:
        return _answer(request, services.calendar_feed_rotate(user=cast(User, request.user)))
