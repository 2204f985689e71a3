"""Files for tickets and notes: uploaded to S3, then referred to by id.

The bytes are the object ``<account>/<id>`` of the attachments bucket; the item in the
attachments table says whose file it is, so that a reference from another account is refused
and a download by another account is a 404, as if the file did not exist.
"""
import uuid

from ..core import clients, timestamps
from ..core.config import settings
from ..core.errors import ApiError, BadRequest, FieldError, NotFound
from .models import CaseAttachment

__all__ = ["MAX_BYTES", "MAX_PER_ITEM", "upload", "find", "download_url", "referenced"]

MAX_BYTES = 5 * 1024 * 1024
MAX_PER_ITEM = 5  # attachments of one ticket or one note
DOWNLOAD_URL_SECONDS = 300


def upload(account: str, client_id: str, name: str, data: bytes) -> CaseAttachment:
    if len(data) > MAX_BYTES:  # the spec's x-max-body-bytes already refused it; kept as a rule
        raise ApiError(f"An attachment may hold at most {MAX_BYTES} bytes.", status=413)
    attachment = CaseAttachment(str(uuid.uuid4()), account=account, name=name, size=len(data),
                                uploaded=timestamps.storage_now(), client_id=client_id)
    clients.client("s3").put_object(Bucket=settings.attachments_bucket,
                                    Key=attachment.object_key, Body=data,
                                    ContentType="application/octet-stream")
    # The object first: an item always names bytes that exist.
    attachment.save(condition=CaseAttachment.attachment_id.does_not_exist())
    return attachment


def find(attachment_id: str, account: str | None) -> CaseAttachment:
    """The attachment ``attachment_id`` of ``account`` (None: of any account), else 404."""
    try:
        attachment = CaseAttachment.get(attachment_id)
    except CaseAttachment.DoesNotExist:
        attachment = None
    if attachment is None or (account is not None and attachment.account != account):
        raise NotFound(f"No attachment {attachment_id}.", code="EQ-4040002")
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
