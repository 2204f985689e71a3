"""Files for tickets and notes: uploaded to S3, then referred to by id.

The bytes are the object ``<account>/<id>`` of the attachments bucket; the item in the
attachments table says whose file it is, so that a reference from another account is refused
and a download by another account is a 404, as if the file did not exist.

A file comes in one of two ways. ``upload`` takes its bytes in the request: simple, but behind
API Gateway and Lambda a request carries at most 6 MB once base64-encoded, about 4.4 MB of
file. ``upload_form`` answers a presigned S3 form instead, which S3 itself holds to the
declared size (up to ``MAX_BYTES``); the file is known from the moment it is in S3, which
the first reference or download finds out. An announced file that never comes is forgotten
a day later (TTL).
"""
import uuid
from datetime import timedelta

from ..core import clients, timestamps
from ..core.config import settings
from ..core.errors import ApiError, BadRequest, FieldError, NotFound
from .models import CaseAttachment

__all__ = ["MAX_BYTES", "upload", "upload_form", "find", "download_url", "referenced"]

MAX_BYTES = 5 * 1024 * 1024
DOWNLOAD_URL_SECONDS = 300
UPLOAD_FORM_SECONDS = 900
#: How long an announced file that never came is kept (its form lasts UPLOAD_FORM_SECONDS).
PENDING_LIFETIME = timedelta(days=1)
_MEDIA_TYPE = "application/octet-stream"


def _new(account: str, client_id: str, name: str, size: int, pending: bool) -> CaseAttachment:
    return CaseAttachment(str(uuid.uuid4()), account=account, name=name, size=size,
                          uploaded=timestamps.storage_now(), client_id=client_id,
                          pending=pending or None,
                          expires_at=PENDING_LIFETIME if pending else None)


def upload(account: str, client_id: str, name: str, data: bytes) -> CaseAttachment:
    if len(data) > MAX_BYTES:  # the spec's x-max-body-bytes already refused it; kept as a rule
        raise ApiError(f"An attachment may hold at most {MAX_BYTES} bytes.", status=413)
    attachment = _new(account, client_id, name, len(data), pending=False)
    clients.client("s3").put_object(Bucket=settings.attachments_bucket,
                                    Key=attachment.object_key, Body=data,
                                    ContentType=_MEDIA_TYPE)
    # The object first: an item always names bytes that exist.
    attachment.save(condition=CaseAttachment.attachment_id.does_not_exist())
    return attachment


def upload_form(account: str, client_id: str, name: str,
                size: int) -> tuple[CaseAttachment, dict, str]:
    """A file to come: (its attachment, S3's presigned form {"url", "fields"}, the time the
    form expires). S3 takes exactly ``size`` bytes through it, once, within the time."""
    attachment = _new(account, client_id, name, size, pending=True)
    form = clients.client("s3").generate_presigned_post(
        Bucket=settings.attachments_bucket, Key=attachment.object_key,
        Fields={"Content-Type": _MEDIA_TYPE},
        Conditions=[{"Content-Type": _MEDIA_TYPE}, ["content-length-range", size, size]],
        ExpiresIn=UPLOAD_FORM_SECONDS)
    attachment.save(condition=CaseAttachment.attachment_id.does_not_exist())
    expires = timestamps.to_storage(timestamps.now() + timedelta(seconds=UPLOAD_FORM_SECONDS))
    return attachment, form, expires


def _arrived(attachment: CaseAttachment) -> bool:
    """Whether a file announced by ``upload_form`` is in S3 now, at its declared size (S3
    enforces it; the check stands for a store that does not); if so, it is known from now."""
    s3 = clients.client("s3")
    try:
        size = s3.head_object(Bucket=settings.attachments_bucket,
                              Key=attachment.object_key)["ContentLength"]
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    if size != attachment.size:
        return False
    attachment.update(actions=[CaseAttachment.pending.remove(),
                               CaseAttachment.expires_at.remove()])
    return True


def find(attachment_id: str, account: str | None) -> CaseAttachment:
    """The uploaded file ``attachment_id`` of ``account`` (None: of any account), else 404."""
    try:
        attachment = CaseAttachment.get(attachment_id, consistent_read=True)  # just uploaded
    except CaseAttachment.DoesNotExist:
        attachment = None
    if attachment is None or (account is not None and attachment.account != account):
        raise NotFound(f"No attachment {attachment_id}.", code="EQ-4040002")
    if attachment.pending and not _arrived(attachment):
        raise NotFound(f"Attachment {attachment_id} has not been uploaded (its form was not "
                       "used, or not with the declared size).", code="EQ-4040002")
    return attachment


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
        except NotFound:
            problems.append(FieldError(f"{field}/{position}/id", "unknown"))
            continue
        found.append({"id": attachment.attachment_id, "name": attachment.name})
    if problems:
        raise BadRequest("No uploaded file of this account has the attachment id(s) "
                         + ", ".join(references[int(p.xpath.split("/")[1])]["id"]
                                     for p in problems) + ".", problems, code="EQ-4000007")
    return found
