"""make deploy refuses an artifacts bucket that this account does not own (its name is
predictable: another account could create it first and swap the Lambda code)."""
import subprocess

import pytest

from deploy import stage

ACCOUNT, OTHER = "111111111111", "222222222222"


class AwsCli:
    """The aws CLI as S3 answers it, for buckets of known owners (S3 answers head-bucket
    with --expected-bucket-owner 403 for another account's bucket, 404 for none)."""

    def __init__(self, owners: dict[str, str], caller: str = ACCOUNT) -> None:
        self.owners, self.caller, self.calls = dict(owners), caller, []

    def __call__(self, *args: str, capture: bool = False) -> str:
        self.calls.append(args)
        if args[:2] == ("s3api", "head-bucket"):
            bucket, expected = args[args.index("--bucket") + 1], \
                args[args.index("--expected-bucket-owner") + 1]
            if self.owners.get(bucket) != expected:
                raise subprocess.CalledProcessError(254, args)
        elif args[:2] == ("s3", "mb"):
            bucket = args[2].removeprefix("s3://")
            if bucket in self.owners:
                raise subprocess.CalledProcessError(1, args)  # BucketAlreadyExists
            self.owners[bucket] = self.caller
        return ""


BUCKET = f"servicedesk-artifacts-{ACCOUNT}-us-east-1"


def test_the_artifacts_bucket_is_made_once_and_then_checked_to_be_ours():
    cli = AwsCli({})
    assert stage._artifacts_bucket(cli, ACCOUNT, "us-east-1") == BUCKET
    assert ("s3", "mb", f"s3://{BUCKET}", "--region", "us-east-1") in cli.calls
    cli.calls.clear()
    assert stage._artifacts_bucket(cli, ACCOUNT, "us-east-1") == BUCKET
    assert [call[:2] for call in cli.calls] == [("s3api", "head-bucket")]
    assert all("--expected-bucket-owner" in call for call in cli.calls)


def test_another_accounts_bucket_of_that_name_stops_the_deploy():
    cli = AwsCli({BUCKET: OTHER})
    with pytest.raises(SystemExit) as refused:
        stage._artifacts_bucket(cli, ACCOUNT, "us-east-1")
    assert "is not this account's" in str(refused.value)
    assert not any(call[:2] == ("cloudformation", "package") for call in cli.calls)
