"""The deployable template, created as a stack in the AWS stand-in.

``make run``, the tests, the soak run and the bench get their AWS resources this way: the same
``chalice package --merge-template`` output that ``make deploy`` sends to CloudFormation is
translated from SAM to plain CloudFormation (aws-sam-translator, as CloudFormation's own
transform does) and created by moto's CloudFormation. So the tables, their streams and TTL, the
stream failures queue and the event source mappings (with their retry and destination
settings) are the deployed ones, not a copy.

What the stand-in cannot do, and so what it skips or fakes:
- it runs no Lambda code: the functions exist, holding a placeholder package, and the local
  stream poller calls the same handlers in-process, under each mapping's settings; SQS
  mappings are turned off once made (moto would take the messages for a function it cannot
  run), and the local queue poller delivers them to their handler instead;
- it has no CloudWatch alarms, SNS subscriptions or API Gateway stages, responses and access
  logs in CloudFormation: moto skips those resources (the REST API is chalice's local server);
- IAM policies are stored, not enforced;
- moto's CloudFormation ignores a table's TimeToLiveSpecification and point-in-time recovery,
  and a bucket's LifecycleConfiguration, so ``create_stack`` applies them through the DynamoDB
  and S3 APIs afterwards (the stand-in stores a lifecycle rule but never runs it).
"""
import io
import json
import pathlib
import zipfile

from deploy.package import ROOT, package  # noqa: F401 - deploy owns the package

#: The stand-in's stack: its tables are servicedesk-<name>, the names configured by default.
STACK_NAME = "servicedesk"
CODE_BUCKET = "servicedesk-standin-artifacts"
CODE_KEY = "deployment.zip"

__all__ = ["translate", "create_stack", "STACK_NAME"]


class _NoManagedPolicies:
    """The template names no AWS managed policy, so the translator never needs IAM's list."""

    def load(self) -> dict:
        return {}


def translate(sam_template: dict, parameters: dict, code_uri: dict) -> dict:
    """SAM -> CloudFormation, with every function's package at ``code_uri``."""
    from samtranslator.translator.transform import transform
    template = json.loads(json.dumps(sam_template))
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = code_uri
    return transform(template, parameters, _NoManagedPolicies())


def _refers_to(value, logical_ids: set) -> bool:
    text = json.dumps(value)
    return any(f'"{name}"' in text or "${" + name in text for name in logical_ids)


def without_rest_api(template: dict) -> dict:
    """The template less API Gateway and what refers to it: moto's CloudFormation cannot
    deploy a REST API from its OpenAPI body, and chalice's local server stands in for it."""
    resources = dict(template["Resources"])
    gone = {name for name, r in resources.items() if r["Type"].startswith("AWS::ApiGateway::")}
    while gone:
        for name in gone:
            del resources[name]
        removed = set(template["Resources"]) - set(resources)
        gone = {name for name, r in resources.items() if _refers_to(r, removed)}
    removed = set(template["Resources"]) - set(resources)
    outputs = {name: output for name, output in template.get("Outputs", {}).items()
               if not _refers_to(output, removed)}
    return {**template, "Resources": resources, "Outputs": outputs}


def _placeholder_package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "# The stand-in runs no Lambda code: make run serves app.py "
                                   "in-process.\n")
    return buffer.getvalue()


def _apply_table_settings(dynamodb, template: dict, stack_resources: dict) -> None:
    physical = {r.get("LogicalResourceId"): r.get("PhysicalResourceId")
                for r in stack_resources["StackResources"]}  # moto lists skipped ones empty
    for logical, resource in template["Resources"].items():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        properties = resource["Properties"]
        if "TimeToLiveSpecification" in properties:
            dynamodb.update_time_to_live(TableName=physical[logical],
                                         TimeToLiveSpecification=properties[
                                             "TimeToLiveSpecification"])
        if "PointInTimeRecoverySpecification" in properties:
            dynamodb.update_continuous_backups(
                TableName=physical[logical],
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": properties[
                    "PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]})


def _api_lifecycle_rule(rule: dict) -> dict:
    """A LifecycleConfiguration rule of CloudFormation, as S3's API spells it."""
    api_rule = {"ID": rule["Id"], "Status": rule["Status"],
                "Filter": {"Prefix": rule.get("Prefix", "")},
                "Expiration": {"Days": rule["ExpirationInDays"]}}
    if "AbortIncompleteMultipartUpload" in rule:
        api_rule["AbortIncompleteMultipartUpload"] = rule["AbortIncompleteMultipartUpload"]
    return api_rule


def _apply_bucket_settings(s3, template: dict, stack_resources: dict) -> None:
    physical = {r.get("LogicalResourceId"): r.get("PhysicalResourceId")
                for r in stack_resources["StackResources"]}
    for logical, resource in template["Resources"].items():
        rules = (resource["Properties"].get("LifecycleConfiguration", {}).get("Rules")
                 if resource["Type"] == "AWS::S3::Bucket" else None)
        if rules:
            s3.put_bucket_lifecycle_configuration(
                Bucket=physical[logical],
                LifecycleConfiguration={"Rules": [_api_lifecycle_rule(r) for r in rules]})


def _turn_off_queue_mappings(lambda_client) -> None:
    for mapping in lambda_client.list_event_source_mappings()["EventSourceMappings"]:
        if ":sqs:" in mapping["EventSourceArn"]:
            lambda_client.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)


def create_stack(endpoint: str, out_dir: pathlib.Path, stack_name: str = STACK_NAME,
                 stage: str = "local", mail_from: str = "servicedesk@example.com") -> dict:
    """Create the packaged template as ``stack_name`` in the stand-in; its outputs."""
    import boto3

    from .aws import quiet_moto
    quiet_moto()  # when the stand-in runs in this process (the tests)
    s3 = boto3.client("s3", endpoint_url=endpoint)
    s3.create_bucket(Bucket=CODE_BUCKET)
    s3.put_object(Bucket=CODE_BUCKET, Key=CODE_KEY, Body=_placeholder_package())
    template = without_rest_api(translate(package(out_dir), {"Stage": stage,
                                                             "MailFrom": mail_from},
                                          {"Bucket": CODE_BUCKET, "Key": CODE_KEY}))
    (out_dir / "standin-template.json").write_text(json.dumps(template, indent=1))
    cloudformation = boto3.client("cloudformation", endpoint_url=endpoint)
    cloudformation.create_stack(
        StackName=stack_name, TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "Stage", "ParameterValue": stage},
                    {"ParameterKey": "MailFrom", "ParameterValue": mail_from}],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise RuntimeError(f"stack {stack_name}: {stack['StackStatus']} "
                           f"{stack.get('StackStatusReason', '')}")
    resources = cloudformation.describe_stack_resources(StackName=stack_name)
    _apply_table_settings(boto3.client("dynamodb", endpoint_url=endpoint), template, resources)
    _apply_bucket_settings(s3, template, resources)
    _turn_off_queue_mappings(boto3.client("lambda", endpoint_url=endpoint))
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}
