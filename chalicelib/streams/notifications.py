"""E-mail through SES and text messages through SNS, each sent at most once per named message
even when a batch is replayed.

Before sending, a worker leases a marker item (``email#...`` beside the history entries);
after SES accepts the message the marker becomes ``sent``. A failed send releases the lease
and raises, so the stream record is retried; a worker that died mid-send leaves a lease (20
s), which a retry that meets it waits out, once, before it sends. DynamoDB deletes a marker
30 days after its e-mail: stream records live 24 hours, so nothing can replay it by then.

Every message counts against its customer account's hourly budget
(``SERVICEDESK_NOTIFICATIONS_PER_ACCOUNT_HOUR``, e-mails and texts together): past it, a
message is not sent, but logged, counted (``NotificationsSuppressed``) and marked
``suppressed``, so that one tenant cannot make the desk's SES identity a spam relay.

Each message goes to one recipient. A refusal that no retry can change (SES's
``MessageRejected`` or an invalid address, SNS's invalid number) is logged, counted
(``NotificationsRefused``) and marked ``refused``: the record goes on, and the other
recipients get theirs. Only throttling and outages raise, so that the record is retried.
"""
import logging
import re
import time
from datetime import timedelta

from botocore.exceptions import ClientError
from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.models import Model

from ..core import clients, observability, timestamps
from ..core.config import settings
from ..core.db import is_conditional_failure, meta, shares_connection
from ..core.errors import TryAgain
from ..core.unique_keys import UniqueKey, claim_key

__all__ = ["SentEmail", "Email", "send_once", "text_once", "ses_client", "sns_client",
           "use_ses_client", "EmailInFlight"]

#: A send holds its message this long (SES answers in well under a second); a stream function
#: may wait one out within its timeout (60 s).
LEASE_SECONDS = 20
#: The error codes of a refusal that is final: a retry would be refused the same way.
PERMANENT_REFUSALS = {"MessageRejected", "InvalidParameterValue", "InvalidParameter"}
log = logging.getLogger(__name__)
MARKER_LIFETIME = timedelta(days=30)
_ses = None
_sns = None


@shares_connection
class SentEmail(Model):
    """The marker of one e-mail; it shares the history table (same key shape)."""
    Meta = meta("history")
    entity = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)  # "email#<message key>" or "sms#<message key>"
    # sending | sent | refused (for good) | suppressed (past its account's budget)
    status = UnicodeAttribute()
    lease_until = NumberAttribute()
    message_id = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)  # the history table's TTL; history entries have none


# Control characters (C0, DEL, C1) and Unicode's line and paragraph separators: in a header
# they would end it (CR/LF from a support request's summary reached the subject).
_NOT_IN_HEADERS = re.compile("[\u0000-\u001f\u007f-\u009f\u2028\u2029]+")


def header_text(value: str) -> str:
    """``value`` fit for one line of a mail header: each run of control characters is one
    space."""
    return _NOT_IN_HEADERS.sub(" ", value).strip()


class Email:
    """One message to one address; the subject and the address, which become headers, carry
    no control characters."""

    def __init__(self, to: str, subject: str, text: str, html: str) -> None:
        self.to, self.subject = header_text(to), header_text(subject)
        self.text, self.html = text, html


class EmailInFlight(TryAgain):
    """Another worker holds the lease on this e-mail: retry the record later."""


def ses_client():
    """The SES client, created on first use."""
    global _ses
    if _ses is None:
        _ses = clients.client("ses")
    return _ses


def sns_client():
    """The SNS client for text messages, created on first use."""
    global _sns
    if _sns is None:
        _sns = clients.client("sns")
    return _sns


def use_ses_client(client) -> None:
    """Replace the SES client (tests inject one that fails, for instance)."""
    global _ses
    _ses = client


def _lease(entity: str, key: str) -> SentEmail | None:
    """The lease on the message ``(entity, key)``, or None when it was sent (or refused for
    good). A live lease of another worker is waited out, once (it is shorter than a stream
    function's timeout): a worker that died mid-send left it, and the record's few quick
    retries would all meet it and end in the failure queue, the message never sent."""
    for attempt in range(2):
        now = time.time()
        marker = SentEmail(entity, key, status="sending", lease_until=now + LEASE_SECONDS,
                           expires_at=MARKER_LIFETIME)
        try:
            marker.save(condition=SentEmail.entity.does_not_exist()
                        | ((SentEmail.status == "sending") & (SentEmail.lease_until < now)))
            return marker
        except PutError as error:
            if not is_conditional_failure(error):
                raise
        held = SentEmail.get(entity, key, consistent_read=True)
        if held.status in ("sent", "refused", "suppressed"):
            return None
        if attempt == 0:
            time.sleep(min(max(held.lease_until - time.time(), 0), LEASE_SECONDS) + 0.05)
    raise EmailInFlight(f"{entity} {key} is being sent by another worker")


def _within_budget(account: str) -> bool:
    """Take one notification of ``account``'s budget for this hour; False when it is spent.
    The counter is a unique key of (account, hour) that DynamoDB forgets two hours later."""
    limit = settings.notifications_per_account_hour
    if not limit:
        return True
    hour = timestamps.storage_now()[:13]
    counter = UniqueKey(claim_key("notification-budget", f"{account}#{hour}"))
    try:
        counter.update(actions=[UniqueKey.value.add(1), UniqueKey.expires_at.set(
            timedelta(hours=2))], condition=UniqueKey.value.does_not_exist()
            | (UniqueKey.value < limit))
        return True
    except UpdateError as error:
        if is_conditional_failure(error):
            return False
        raise


def _once(entity: str, key: str, send, account: str) -> bool:
    """Run ``send()`` (which answers the provider's message id) unless the message
    ``(entity, key)`` was sent, or ``account``'s budget for the hour is spent; True if sent
    now."""
    marker = _lease(entity, key)
    if marker is None:
        return False
    channel = key.split("#", 1)[0]  # email | sms
    if not _within_budget(account):
        log.warning("notification suppressed: the account's hourly budget is spent", extra={
            "entity": entity, "channel": channel, "account": account})
        observability.count_notification_suppressed(channel)
        marker.update(actions=[SentEmail.status.set("suppressed")])
        return False
    try:
        message_id = send()
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code not in PERMANENT_REFUSALS:
            marker.delete()
            raise
        log.warning("message refused for good, not retried", extra={
            "entity": entity, "channel": channel, "refusal": code})
        observability.count_notification_refused(channel)
        marker.update(actions=[SentEmail.status.set("refused")])
        return False
    except Exception:
        marker.delete()
        raise
    marker.update(actions=[SentEmail.status.set("sent"), SentEmail.message_id.set(message_id)])
    return True


def send_once(entity: str, key: str, email: Email, account: str) -> bool:
    """Send ``email`` for the customer ``account`` unless the message ``(entity, key)`` was
    sent; True if sent now."""
    def send() -> str:
        answer = ses_client().send_email(
            Source=settings.mail_from, Destination={"ToAddresses": [email.to]},
            Message={"Subject": {"Data": email.subject, "Charset": "UTF-8"},
                     "Body": {"Text": {"Data": email.text, "Charset": "UTF-8"},
                              "Html": {"Data": email.html, "Charset": "UTF-8"}}})
        observability.count_email_sent()
        return answer.get("MessageId")
    return _once(entity, f"email#{key}", send, account)


def text_once(entity: str, key: str, phone: str, text: str, account: str) -> bool:
    """Text ``text`` to ``phone`` (E.164) through SNS unless the message ``(entity, key)`` was
    sent; True if sent now."""
    def send() -> str:
        answer = sns_client().publish(PhoneNumber=phone, Message=text)
        observability.count_sms_sent()
        return answer.get("MessageId")
    return _once(entity, f"sms#{key}", send, account)
