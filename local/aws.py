"""The embedded AWS stand-in (moto in server mode) and the environment that points at it."""
import os

DEFAULT_PORT = 4566


def use_test_credentials() -> None:
    """moto accepts any credentials; real AWS needs real ones, so only fill in the blanks."""
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        os.environ.setdefault(name, value)


def configured_endpoint() -> str | None:
    return os.environ.get("SERVICEDESK_AWS_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL")


def start_moto(host: str = "127.0.0.1", port: int = DEFAULT_PORT):
    """Start moto's server in this process; return (server, endpoint URL)."""
    from moto.server import ThreadedMotoServer
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    endpoint = f"http://{host}:{port}"
    os.environ["SERVICEDESK_AWS_ENDPOINT"] = endpoint
    return server, endpoint


def stream_arn(table_name: str) -> str:
    import boto3
    client = boto3.client("dynamodb", endpoint_url=configured_endpoint())
    return client.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]


def streams_client():
    import boto3
    return boto3.client("dynamodbstreams", endpoint_url=configured_endpoint())


def verify_sender(address: str) -> None:
    import boto3
    boto3.client("ses", endpoint_url=configured_endpoint()).verify_email_identity(
        EmailAddress=address)
