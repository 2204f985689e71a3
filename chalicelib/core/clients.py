"""botocore clients of AWS services beside DynamoDB (SES, SNS, S3), one per service, created
on first use: boto3 is not needed at runtime, and a client costs tens of milliseconds."""
from functools import cache

from .config import settings

__all__ = ["client"]


@cache
def client(service: str):
    import botocore.session
    return botocore.session.get_session().create_client(
        service, region_name=settings.region, endpoint_url=settings.aws_endpoint)
