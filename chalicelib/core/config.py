"""Settings from environment variables, each with a default that works on a laptop.

Read once at import: Lambda sets the environment before the first import, and the local runner
and the tests set it before they import ``app``.
"""
import os

__all__ = ["settings", "Settings", "TABLES"]

#: Logical table name -> default physical name; ``SERVICEDESK_TABLE_<LOGICAL>`` overrides.
TABLES = {
    "api_clients": "servicedesk-api-clients",
    "access_tokens": "servicedesk-access-tokens",
    "accounts": "servicedesk-accounts",
    "topics": "servicedesk-topics",
    "support_requests": "servicedesk-support-requests",
    "support_request_updates": "servicedesk-support-request-updates",
    "unique_keys": "servicedesk-unique-keys",
    "history": "servicedesk-history",
    "account_fields": "servicedesk-account-fields",
    "catalog": "servicedesk-catalog",
    "properties": "servicedesk-properties",
    "property_relationships": "servicedesk-property-relationships",
    "service_request_configuration": "servicedesk-service-request-configuration",
    "service_requests": "servicedesk-service-requests",
    "cases": "servicedesk-cases",
    "case_notes": "servicedesk-case-notes",
    "case_attachments": "servicedesk-case-attachments",
    "events": "servicedesk-events",
    "webhook_endpoints": "servicedesk-webhook-endpoints",
    "webhook_attempts": "servicedesk-webhook-attempts",
    "reports": "servicedesk-reports",
    "open311_keys": "servicedesk-open311-keys",
    "work_items": "servicedesk-work-items",
    "work_queue": "servicedesk-work-queue",
    "desk_directory": "servicedesk-desk-directory",
}


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


class Settings:
    """A snapshot of the environment; build a new one to see later changes."""

    def __init__(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the environment again (the local runner learns stream ARNs after start)."""
        self.region = _env("AWS_DEFAULT_REGION", _env("AWS_REGION", "us-east-1"))
        # None means "the real AWS endpoint of the region".
        self.aws_endpoint = (os.environ.get("SERVICEDESK_AWS_ENDPOINT")
                             or os.environ.get("AWS_ENDPOINT_URL") or None)
        self.mail_from = _env("SERVICEDESK_MAIL_FROM", "servicedesk@example.com")
        # Who signs what the desk writes to customers (never an API client's name).
        self.desk_name = _env("SERVICEDESK_DESK_NAME", "The service desk")
        self.public_base_url = _env("SERVICEDESK_PUBLIC_BASE_URL", "").rstrip("/")
        # Source addresses (or networks) of the proxies whose X-Forwarded-Host and
        # X-Forwarded-Proto name the public address; nobody else's are read.
        self.trusted_proxies = [part.strip() for part in _env(
            "SERVICEDESK_TRUSTED_PROXIES", "").split(",") if part.strip()]
        self.token_lifetime_seconds = int(_env("SERVICEDESK_TOKEN_LIFETIME_SECONDS", "3600"))
        # The CRM-style API's login (/crmapi/rest/v2/authentication/token).
        self.crm_organisation = _env("SERVICEDESK_CRM_ORGANISATION", "servicedesk")
        self.crm_token_lifetime_seconds = int(_env("SERVICEDESK_CRM_TOKEN_LIFETIME_SECONDS",
                                                   "7200"))
        self.max_body_bytes = int(_env("SERVICEDESK_MAX_BODY_BYTES", str(1024 * 1024)))
        # E-mails and texts that one customer account's changes may send in an hour (0: no
        # limit); past it, nothing more is sent for it that hour.
        self.notifications_per_account_hour = int(_env(
            "SERVICEDESK_NOTIFICATIONS_PER_ACCOUNT_HOUR", "200"))
        # Where the Case Management API keeps uploaded files (the stack's bucket).
        self.attachments_bucket = _env("SERVICEDESK_ATTACHMENTS_BUCKET",
                                       "servicedesk-case-attachments")
        # What one customer account may hold in uploaded files (count and bytes); past it,
        # an upload answers 403.
        self.attachment_files_per_account = int(_env(
            "SERVICEDESK_ATTACHMENT_FILES_PER_ACCOUNT", "10000"))
        self.attachment_bytes_per_account = int(_env(
            "SERVICEDESK_ATTACHMENT_BYTES_PER_ACCOUNT", str(5 * 1024 ** 3)))
        # Webhooks: the delivery queue (the template and the stand-in's stack set it), the KMS
        # key that encrypts endpoints' secrets, the retry waits (comma-separated seconds;
        # empty: Standard Webhooks' schedule) and whether loopback targets are allowed
        # (make run only: a developer's receiver on 127.0.0.1).
        self.webhook_queue_url = _env("SERVICEDESK_WEBHOOK_QUEUE_URL", "")
        self.webhook_queue_arn = _env("SERVICEDESK_WEBHOOK_QUEUE_ARN",
                                      f"arn:aws:sqs:{self.region}:000000000000:"
                                      "servicedesk-webhook-deliveries")
        self.webhook_key_id = _env("SERVICEDESK_WEBHOOK_KEY_ID", "")
        self.webhook_retry_schedule = _env("SERVICEDESK_WEBHOOK_RETRY_SCHEDULE", "")
        # Where a stream handler sets aside a record that no retry can mend (the stack's
        # stream failures queue, the mappings' on-failure destination too).
        self.stream_failures_queue_url = _env("SERVICEDESK_STREAM_FAILURES_QUEUE_URL", "")
        # The deadline of one delivery attempt, from the connection to the answer's end.
        self.webhook_attempt_seconds = float(_env("SERVICEDESK_WEBHOOK_ATTEMPT_SECONDS", "15"))
        self.webhooks_allow_loopback = _env("SERVICEDESK_WEBHOOKS_ALLOW_LOOPBACK",
                                            "false").lower() == "true"
        # Tests, the fuzzer and the soak run: refuse every other host without a DNS lookup.
        self.webhooks_loopback_only = _env("SERVICEDESK_WEBHOOKS_LOOPBACK_ONLY",
                                           "false").lower() == "true"
        # How long a warm instance keeps configuration it read (core.kept); 0: not at all.
        self.configuration_cache_seconds = float(_env(
            "SERVICEDESK_CONFIGURATION_CACHE_SECONDS", "60"))
        # 0: no limit. Above it, creating a customer account answers 403.
        self.account_limit = int(_env("SERVICEDESK_ACCOUNT_LIMIT", "0"))


    def table_name(self, logical: str) -> str:
        return _env("SERVICEDESK_TABLE_" + logical.upper(), TABLES[logical])

    def stream_arn(self, logical: str) -> str:
        """The stream of a table, as its handler's event source (a placeholder by default)."""
        return _env(f"SERVICEDESK_{logical.upper()}_STREAM_ARN",
                    f"arn:aws:dynamodb:{self.region}:000000000000:table/"
                    f"{self.table_name(logical)}/stream/1970-01-01T00:00:00.000")


settings = Settings()
