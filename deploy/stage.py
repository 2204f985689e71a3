"""``make deploy`` and ``make destroy``: one stage of the service as one CloudFormation stack.

    python -m deploy.stage deploy --stage dev [--mail-from ADDRESS] [--alarm-email ADDRESS]
        [--public-base-url https://desk.example.org]
    python -m deploy.stage destroy --stage dev
    (--dry-run prints the commands instead of running them)

deploy: ``chalice package --merge-template`` into build/<stage>/, then the aws CLI uploads the
Lambda package to an artifacts bucket (``servicedesk-artifacts-<account>-<region>``, created on
first use) and deploys the template as stack ``servicedesk-<stage>``; finally it prints the
API's URL and the commands that create the first API client, topic and community.
destroy: deletes the stack of a stage other than ``prod``. What the region's stages share (API
Gateway's logging role) is the stack ``servicedesk-account``, which deploy makes once and
destroy never deletes.
"""
import argparse
import json
import os
import subprocess
import sys

from . import package as packaging
from . import template

ROOT = packaging.ROOT
PROTECTED_STAGES = {"prod"}


class Runner:
    def __init__(self, dry_run: bool) -> None:
        self.dry_run = dry_run
        self.aws = [os.path.join(os.path.dirname(sys.executable), "aws")]

    def __call__(self, *args: str, capture: bool = False) -> str:
        command = self.aws + list(args)
        if self.dry_run:
            print("would run:", " ".join(command))
            return ""
        done = subprocess.run(command, check=True, text=True,
                              stdout=subprocess.PIPE if capture else None)
        return done.stdout or ""


def _account_and_region(aws: Runner) -> tuple[str, str]:
    identity = json.loads(aws("sts", "get-caller-identity", "--output", "json",
                              capture=True) or "{}")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or \
        aws("configure", "get", "region", capture=True).strip() or "us-east-1"
    return identity.get("Account", "ACCOUNT"), region


def _artifacts_bucket(aws: Runner, account: str, region: str) -> str:
    """The artifacts bucket, created on first use, and refused unless this account owns it:
    its name is predictable, and a bucket of another account's would let that account swap
    the Lambda code between upload and deploy."""
    bucket = f"servicedesk-artifacts-{account}-{region}"
    if not _owned(aws, bucket, account):
        try:
            aws("s3", "mb", f"s3://{bucket}", "--region", region)
        except subprocess.CalledProcessError:
            pass  # taken by another account, or made meanwhile: the check below tells
        if not _owned(aws, bucket, account):
            raise SystemExit(f"make deploy: the bucket {bucket} is not this account's "
                             f"({account}); refusing to upload the Lambda code to it")
    return bucket


def _owned(aws: Runner, bucket: str, account: str) -> bool:
    try:
        aws("s3api", "head-bucket", "--bucket", bucket, "--expected-bucket-owner", account,
            capture=True)
        return True
    except subprocess.CalledProcessError:  # absent, or another account's (403)
        return False


def deploy_account_stack(aws: Runner, out) -> None:
    """The stack of what the region's stages share (API Gateway's logging role): made by the
    first deploy, left unchanged by the next, never deleted by make destroy."""
    path = out / "account.json"
    path.write_text(json.dumps(template.account_template(), indent=1), encoding="utf-8")
    aws("cloudformation", "deploy", "--template-file", str(path), "--stack-name",
        template.ACCOUNT_STACK, "--capabilities", "CAPABILITY_IAM",
        "--no-fail-on-empty-changeset")


def deploy(stage: str, mail_from: str, alarm_email: str, aws: Runner,
           public_base_url: str = "") -> int:
    out = ROOT / "build" / stage
    out.mkdir(parents=True, exist_ok=True)
    account, region = _account_and_region(aws)
    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    print(f"packaging stage {stage} into {out.relative_to(ROOT)}/")
    packaging.package(out, stage, bytecode=True)
    bucket = _artifacts_bucket(aws, account, region)
    deploy_account_stack(aws, out)
    stack = f"servicedesk-{stage}"
    aws("cloudformation", "package", "--template-file", str(out / "sam.json"),
        "--s3-bucket", bucket, "--s3-prefix", stack, "--use-json",
        "--output-template-file", str(out / "packaged.json"))
    aws("cloudformation", "deploy", "--template-file", str(out / "packaged.json"),
        "--stack-name", stack, "--s3-bucket", bucket, "--s3-prefix", stack,
        "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND",
        "--no-fail-on-empty-changeset", "--parameter-overrides", f"Stage={stage}",
        f"MailFrom={mail_from}", f"AlarmEmail={alarm_email}",
        f"PublicBaseUrl={public_base_url.rstrip('/')}")
    described = json.loads(aws("cloudformation", "describe-stacks", "--stack-name", stack,
                               "--output", "json", capture=True) or "{}")
    outputs = {o["OutputKey"]: o["OutputValue"]
               for s in described.get("Stacks", []) for o in s.get("Outputs", [])}
    url = outputs.get("EndpointURL", "<the stack's EndpointURL output>")
    admin = f".venv/bin/python -m ops.admin --stack {stack}"
    print(f"""
stage {stage} is deployed as stack {stack}
  API:       {url}
  API docs:  {url}docs
  first API client (its secret is printed once):
    {admin} create-client "My CRM" --scopes requests,customers,property-relationships
  what support requests and customers need first:
    {admin} add-topic Parking
    {admin} add-community original --label Original
  e-mail goes out from {mail_from}: verify it in SES (docs/deploying.md)
  check the stage end to end:
    make smoke URL={url} CLIENT_ID=<id> CLIENT_SECRET=<secret>""")
    return 0


def destroy(stage: str, aws: Runner) -> int:
    if stage in PROTECTED_STAGES:
        print(f"make destroy: stage {stage} is protected; its tables also have deletion "
              f"protection. Delete it by hand if you really mean to.", file=sys.stderr)
        return 2
    stack = f"servicedesk-{stage}"
    aws("cloudformation", "delete-stack", "--stack-name", stack)
    aws("cloudformation", "wait", "stack-delete-complete", "--stack-name", stack)
    print(f"stack {stack} deleted (the artifacts bucket stays; it holds only packages)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.stage", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["deploy", "destroy"])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--mail-from", default="servicedesk@example.com")
    parser.add_argument("--alarm-email", default="")
    parser.add_argument("--public-base-url", default="",
                        help="a custom domain's base URL (default: the stage's API URL)")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    aws = Runner(args.dry_run)
    if args.action == "deploy":
        return deploy(args.stage, args.mail_from, args.alarm_email, aws, args.public_base_url)
    return destroy(args.stage, aws)


if __name__ == "__main__":
    sys.exit(main())
