"""Files for tickets and notes: uploaded to S3, then referred to by id.

The item in the attachments table says whose file it is, so that a reference from another
account is refused and a download by another account is a 404, as if the file did not exist.

A file comes in one of two ways. ``upload`` takes its bytes in the request: simple, but behind
API Gateway and Lambda a request carries at most 6 MB once base64-encoded, about 4.4 MB of
file. ``upload_form`` answers a presigned S3 form instead, which S3 itself holds to the
declared size (up to ``MAX_BYTES``); the file is known from the moment it is in S3, which
the first reference or download finds out.

Either way the bytes land on the file's staging key, which a form may write again for as long
as it lasts. The first ticket or note that cites the file copies the bytes it checked (by
their ETag) to a key of their own, which nothing writes again: what the desk downloads is
what was cited. A file that no ticket cites is forgotten a day after it came (DynamoDB's TTL
removes its item, S3's lifecycle rule its staging object), and every file counts against its
account's quota (``attachment_quota``).
"""
import uuid
from datetime import timedelta

from botocore.exceptions import ClientError
from pynamodb.exceptions import UpdateError

from ..core import clients, db, timestamps
from ..core.config import settings
from ..core.errors import ApiError, BadRequest, FieldError, NotFound
from .attachment_quota import QuotaExceeded, record_within_quota
from .models import CaseAttachment

__all__ = ["MAX_BYTES", "upload", "upload_form", "find", "download_url", "referenced"]

MAX_BYTES = 5 * 1024 * 1024
DOWNLOAD_URL_SECONDS = 300
UPLOAD_FORM_SECONDS = 900
#: How long a file that no ticket or note cites is kept (its form lasts UPLOAD_FORM_SECONDS).
UNCITED_LIFETIME = timedelta(days=1)
_MEDIA_TYPE = "application/octet-stream"
_ABSENT = ("404", "NoSuchKey", "NotFound", "412", "PreconditionFailed")


def _new(account: str, client_id: str, name: str, size: int, pending: bool) -> CaseAttachment:
    return CaseAttachment(str(uuid.uuid4()), account=account, name=name, size=size,
                          uploaded=timestamps.storage_now(), client_id=client_id,
                          pending=pending or None, staged=True,
                          expires_at=UNCITED_LIFETIME)


def upload(account: str, client_id: str, name: str, data: bytes) -> CaseAttachment:
    if len(data) > MAX_BYTES:  # the spec's x-max-body-bytes already refused it; kept as a rule
        raise ApiError(f"An attachment may hold at most {MAX_BYTES} bytes.", status=413)
    attachment = _new(account, client_id, name, len(data), pending=False)
    s3 = clients.client("s3")
    s3.put_object(Bucket=settings.attachments_bucket, Key=attachment.staging_key, Body=data,
                  ContentType=_MEDIA_TYPE)
    # The object first: an item always names bytes that exist.
    try:
        record_within_quota(attachment)
    except QuotaExceeded:
        s3.delete_object(Bucket=settings.attachments_bucket, Key=attachment.staging_key)
        raise
    return attachment


def upload_form(account: str, client_id: str, name: str,
                size: int) -> tuple[CaseAttachment, dict, str]:
    """A file to come: (its attachment, S3's presigned form {"url", "fields"}, the time the
    form expires). S3 takes exactly ``size`` bytes through it, within the time."""
    attachment = _new(account, client_id, name, size, pending=True)
    record_within_quota(attachment)
    form = clients.client("s3").generate_presigned_post(
        Bucket=settings.attachments_bucket, Key=attachment.staging_key,
        Fields={"Content-Type": _MEDIA_TYPE},
        Conditions=[{"Content-Type": _MEDIA_TYPE}, ["content-length-range", size, size]],
        ExpiresIn=UPLOAD_FORM_SECONDS)
    expires = timestamps.to_storage(timestamps.now() + timedelta(seconds=UPLOAD_FORM_SECONDS))
    return attachment, form, expires


def _staged_tag(attachment: CaseAttachment) -> str | None:
    """The ETag of the bytes on the file's staging key when they have the declared size (S3
    enforces it for a form; the check stands for a store that does not), else None."""
    s3 = clients.client("s3")
    try:
        head = s3.head_object(Bucket=settings.attachments_bucket, Key=attachment.staging_key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _ABSENT:
            return None
        raise
    return head["ETag"].strip('"') if head["ContentLength"] == attachment.size else None


def _arrived(attachment: CaseAttachment) -> bool:
    """Whether a file announced by ``upload_form`` is in S3 now; if so, it is known from now."""
    if _staged_tag(attachment) is None:
        return False
    attachment.update(actions=[CaseAttachment.pending.remove()])
    return True


def find(attachment_id: str, account: str | None) -> CaseAttachment:
    """The uploaded file ``attachment_id`` of ``account`` (None: of any account), else 404."""
    try:
        attachment = CaseAttachment.get(attachment_id, consistent_read=True)  # just uploaded
    except CaseAttachment.DoesNotExist:
        attachment = None
    # DynamoDB deletes an expired item within days, not at once: until then it is gone too.
    if (attachment is None or (account is not None and attachment.account != account)
            or (attachment.expires_at is not None
                and attachment.expires_at <= timestamps.now())):
        raise NotFound(f"No attachment {attachment_id}.", code="EQ-4040002")
    if attachment.pending and not _arrived(attachment):
        raise NotFound(f"Attachment {attachment_id} has not been uploaded (its form was not "
                       "used, or not with the declared size).", code="EQ-4040002")
    return attachment


def _cite(attachment: CaseAttachment) -> None:
    """Fix the file's bytes for good, at its first citation: copy exactly the staged bytes
    checked here to their own key, and record that key unless a concurrent first citation
    recorded its own first (then this copy, if of other bytes, is removed)."""
    if attachment.content_tag or not attachment.staged:
        return
    s3, bucket = clients.client("s3"), settings.attachments_bucket
    tag = _staged_tag(attachment)
    if tag is not None:
        key = f"{attachment.account}/{attachment.attachment_id}/{tag}"
        try:  # only the bytes whose ETag was checked: a form may write the staging key again
            s3.copy_object(Bucket=bucket, Key=key, CopySourceIfMatch=f'"{tag}"',
                           CopySource={"Bucket": bucket, "Key": attachment.staging_key},
                           MetadataDirective="COPY")
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in _ABSENT:
                raise
            tag = None
    if tag is not None:
        try:
            attachment.update(
                actions=[CaseAttachment.content_tag.set(tag), CaseAttachment.pending.remove(),
                         CaseAttachment.expires_at.remove()],
                condition=(CaseAttachment.attachment_id.exists()
                           & CaseAttachment.content_tag.does_not_exist()))
            return
        except UpdateError as error:
            if not db.is_conditional_failure(error):
                raise
    attachment.refresh(consistent_read=True)  # another citation was first, or none could be
    if tag is not None and attachment.content_tag != tag:
        s3.delete_object(Bucket=bucket, Key=key)
    if not attachment.content_tag:
        raise NotFound(f"Attachment {attachment.attachment_id} has not been uploaded.",
                       code="EQ-4040002")


def download_url(attachment: CaseAttachment) -> str:
    """A URL that fetches the file for the next few minutes, named as it was uploaded."""
    safe_name = attachment.name.replace('"', "'").encode("ascii", "replace").decode()
    return clients.client("s3").generate_presigned_url("get_object", Params={
        "Bucket": settings.attachments_bucket, "Key": attachment.object_key,
        "ResponseContentDisposition": f'attachment; filename="{safe_name}"'},
        ExpiresIn=DOWNLOAD_URL_SECONDS)


def referenced(references: list[dict], account: str, field: str) -> list[dict]:
    """``[{"id", "name"}]`` of a ticket or note, each id an upload of ``account`` (the name is
    the uploaded file's); 400 naming every reference that is not."""
    found, problems = [], []
    for position, reference in enumerate(references):
        try:
            attachment = find(reference["id"], account)
            _cite(attachment)
        except (NotFound, CaseAttachment.DoesNotExist):
            problems.append(FieldError(f"{field}/{position}/id", "unknown"))
            continue
        found.append({"id": attachment.attachment_id, "name": attachment.name})
    if problems:
        raise BadRequest("No uploaded file of this account has the attachment id(s) "
                         + ", ".join(references[int(p.xpath.split("/")[1])]["id"]
                                     for p in problems) + ".", problems, code="EQ-4000007")
    return found
