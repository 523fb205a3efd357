"""A notification as an e-mail: plain text and HTML from templates, with the measure's chart
inline for a celebration."""

from __future__ import annotations

from email.mime.image import MIMEImage
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from notifications import links
from notifications.chart_png import chart_png
from notifications.models import CELEBRATION_KINDS, Kind, Notification
from projects.selectors import measure_spc

CHART_CID = "chart"


def message_id(notification: Notification) -> str:
    """The same Message-ID for every send of one notification, so a mail system that
    de-duplicates by it folds a repeat (see the delivery guard's trade-off)."""
    host = urlsplit(settings.RIPPLE_BASE_URL).hostname or "ripple.invalid"
    return f"<notification-{notification.pk}@{host}>"


def _chart(notification: Notification) -> bytes | None:
    if notification.kind not in CELEBRATION_KINDS or notification.measure_id is None:
        return None
    measure = notification.measure
    # A chart draws every point: the full result, cached per revision like the chart's.
    result = measure_spc(measure)
    return chart_png(result, target=measure.target) if result else None


def notification_email(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail for one notification, addressed to its recipient."""
    chart = _chart(notification)
    context = {
        "notification": notification,
        "recipient": notification.recipient,
        "link": links.absolute(notification.link),
        "is_digest": notification.kind == Kind.DIGEST,
        "is_celebration": notification.kind in CELEBRATION_KINDS,
        "caseload": notification.evidence.get("caseload", []),
        "chart_cid": CHART_CID if chart else None,
        "chart_link": (
            links.absolute(links.measure_chart_svg_link(notification.measure_id))
            if notification.measure_id
            else None
        ),
        "preferences_link": links.absolute(links.preferences_link()),
    }
    message = EmailMultiAlternatives(
        subject=notification.title,
        body=render_to_string("notifications/email/notification.txt", context),
        to=[notification.recipient.email],
        headers={"Message-ID": message_id(notification)},
    )
    message.attach_alternative(
        render_to_string("notifications/email/notification.html", context), "text/html"
    )
    if chart:
        # multipart/related: the HTML part shows the image by its Content-ID.
        message.mixed_subtype = "related"
        image = MIMEImage(chart, "png")
        image.add_header("Content-ID", f"<{CHART_CID}>")
        image.add_header("Content-Disposition", "inline", filename="chart.png")
        message.attach(image)
    return message
