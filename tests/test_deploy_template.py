"""The deployable template: generated from the models, clean under cfn-lint, created in the
stand-in's CloudFormation (the session's tables come from it), and losing nothing on AWS."""
import json
import os
import subprocess
import sys

import boto3
import pytest

import app as app_module
from chalicelib.tables import MODELS
from deploy import package as packaging
from deploy import template

from .conftest import ENDPOINT


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    """stage -> the SAM template that ``make deploy`` would send for it."""
    return {stage: packaging.package(tmp_path_factory.mktemp(stage), stage)
            for stage in ("dev", "prod")}


def client(service: str):
    return boto3.client(service, endpoint_url=ENDPOINT)


def test_the_merge_template_is_the_one_generated_from_the_models():
    assert template.TARGET.read_text(encoding="utf-8") == template.rendered(), \
        "stale .chalice/resources.json: run make template"


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_each_table_created_from_the_template_is_the_one_its_model_declares(stack_outputs,
                                                                           model):
    described = client("dynamodb").describe_table(TableName=model.Meta.table_name)["Table"]
    schema = model._get_schema()

    def keys(key_schema):
        return sorted((k["AttributeName"], k["KeyType"]) for k in key_schema)

    assert keys(described["KeySchema"]) == keys(schema["key_schema"])
    declared_indexes = {i["index_name"]: (keys(i["key_schema"]), i["projection"]["ProjectionType"])
                        for i in schema.get("global_secondary_indexes", [])}
    created_indexes = {i["IndexName"]: (keys(i["KeySchema"]), i["Projection"]["ProjectionType"])
                       for i in described.get("GlobalSecondaryIndexes", [])}
    assert created_indexes == declared_indexes
    declared_types = {d["AttributeName"]: d["AttributeType"]
                      for d in schema["attribute_definitions"]}
    created_types = {d["AttributeName"]: d["AttributeType"]
                     for d in described["AttributeDefinitions"]}
    assert created_types == declared_types
    view = getattr(model.Meta, "stream_view_type", None)
    if view:
        assert described["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": view}
    ttl = client("dynamodb").describe_time_to_live(TableName=model.Meta.table_name)[
        "TimeToLiveDescription"]
    if model._ttl_attribute():
        assert ttl == {"TimeToLiveStatus": "ENABLED",
                       "AttributeName": model._ttl_attribute().attr_name}
    backups = client("dynamodb").describe_continuous_backups(TableName=model.Meta.table_name)
    assert backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
        "PointInTimeRecoveryStatus"] == "ENABLED"


def test_expiring_records_have_ttl_and_only_production_tables_are_protected(packaged):
    resources = packaged["prod"]["Resources"]
    for name in ("AccessTokensTable", "HistoryTable"):
        assert resources[name]["Properties"]["TimeToLiveSpecification"] == {
            "AttributeName": "expires_at", "Enabled": True}
    tables = [r for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table"]
    assert len(tables) == len({m.Meta.table_name for m in MODELS})
    assert all(t["Properties"]["DeletionProtectionEnabled"] == {
        "Fn::If": ["IsProduction", True, False]} for t in tables)
    assert packaged["prod"]["Conditions"]["IsProduction"] == {
        "Fn::Equals": [{"Ref": "Stage"}, "prod"]}


@pytest.mark.parametrize("stage", ["dev", "prod", "account"])
def test_the_packaged_template_passes_cfn_lint_with_the_serverless_rules(packaged, stage,
                                                                        tmp_path):
    path = tmp_path / "sam.json"
    path.write_text(json.dumps(packaged[stage] if stage != "account"
                               else template.account_template()))
    lint = subprocess.run([os.path.join(os.path.dirname(sys.executable), "cfn-lint"),
                           "--append-rules", "cfn_lint_serverless.rules",
                           "--include-checks", "I", "--", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert (lint.returncode, lint.stdout) == (0, "")


def test_every_stream_mapping_reports_failures_retries_boundedly_and_keeps_what_fails(
        stack_outputs):
    mappings = client("lambda").list_event_source_mappings()["EventSourceMappings"]
    queue_arn = client("sqs").get_queue_attributes(
        QueueUrl=stack_outputs["StreamFailuresQueueUrl"],
        AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    handlers = {source.name for source in app_module.app.event_sources}
    assert len(mappings) == len(handlers) == 9
    [deliveries] = [m for m in mappings if ":sqs:" in m["EventSourceArn"]]
    assert deliveries["EventSourceArn"] == stack_outputs["WebhookDeliveryQueueArn"]
    assert deliveries["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    for mapping in (m for m in mappings if m is not deliveries):
        table = mapping["EventSourceArn"].split(":table/")[1].split("/")[0]
        assert mapping["EventSourceArn"] == client("dynamodb").describe_table(
            TableName=table)["Table"]["LatestStreamArn"]  # by reference, not a placeholder
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["BisectBatchOnFunctionError"] is True
        assert mapping["MaximumRetryAttempts"] == template.MAXIMUM_RETRY_ATTEMPTS
        assert mapping["MaximumRecordAgeInSeconds"] == template.MAXIMUM_RECORD_AGE_SECONDS
        assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == queue_arn


def _statements(stack_template: dict, role: str) -> list[dict]:
    [policy] = stack_template["Resources"][role]["Properties"]["Policies"]
    return policy["PolicyDocument"]["Statement"]


def _resources(statement: dict) -> list:
    resource = statement.get("Resource", statement.get("NotResource"))
    return resource if isinstance(resource, list) else [resource]


def test_each_role_reaches_only_what_its_function_needs(packaged):
    stack_template = packaged["dev"]
    unavoidable_wildcards = {"xray:PutTraceSegments", "xray:PutTelemetryRecords",
                             "dynamodb:ListStreams"}
    roles = [name for name, r in stack_template["Resources"].items()
             if r["Type"] == "AWS::IAM::Role"]
    assert sorted(roles) == sorted(
        ["ApiHandlerRole"] + [template.logical_id(source.name) + "Role"
                              for source in app_module.app.event_sources])
    for role in roles:
        for statement in _statements(stack_template, role):
            if "*" in _resources(statement):
                assert set(statement["Action"]) <= unavoidable_wildcards, (role, statement)
            assert not any(a.endswith(":*") or a == "*" for a in statement["Action"])
    api_tables = {r["Fn::GetAtt"][0] for s in _statements(stack_template, "ApiHandlerRole")
                  for r in _resources(s) if isinstance(r, dict) and "Fn::GetAtt" in r}
    assert "HistoryTable" in api_tables and "SupportRequestsTable" in api_tables
    # the history is the stream handlers' to write: the API only reads a desk's timeline
    assert [s["Action"] for s in _statements(stack_template, "ApiHandlerRole")
            if {"Fn::GetAtt": ["HistoryTable", "Arn"]} in _resources(s)] == [["dynamodb:Query"]]
    assert not any(a.startswith("ses:") for s in _statements(
        stack_template, "ApiHandlerRole") for a in s["Action"])
    # the API queues deliveries and encrypts new secrets; only the delivery function decrypts
    api_queue = [s for s in _statements(stack_template, "ApiHandlerRole")
                 if any(a.startswith(("sqs:", "kms:")) for a in s["Action"])]
    assert api_queue == [
        {"Effect": "Allow", "Action": ["sqs:SendMessage"],
         "Resource": {"Fn::GetAtt": ["WebhookDeliveryQueue", "Arn"]}},
        {"Effect": "Allow", "Action": ["kms:Encrypt"],
         "Resource": {"Fn::GetAtt": ["WebhookSecretsKey", "Arn"]}}]
    decrypting = [role for role in roles for s in _statements(stack_template, role)
                  if "kms:Decrypt" in s["Action"]]
    assert decrypting == ["OnWebhookDeliveryRole"]
    property_handler = _statements(stack_template, "OnPropertyChangeRole")
    streams = [s for s in property_handler if "dynamodb:GetRecords" in s["Action"]]
    assert [s["Resource"] for s in streams] == [{"Fn::GetAtt": ["PropertiesTable", "StreamArn"]}]
    assert not any(a.startswith("ses:") for s in property_handler for a in s["Action"])
    assert not any("sns:Publish" in s["Action"] for s in _statements(
        stack_template, "OnSupportRequestChangeRole"))  # only service requests are texted
    files = [s for s in _statements(stack_template, "ApiHandlerRole")
             if any(a.startswith("s3:") for a in s["Action"])]
    assert files == [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
                      "Resource": {"Fn::Sub": "${CaseAttachmentsBucket.Arn}/*"}},
                     {"Effect": "Allow", "Action": ["s3:DeleteObject"],
                      "Resource": {"Fn::Sub": "${CaseAttachmentsBucket.Arn}/*"}},
                     # on the bucket itself: a file not uploaded yet is S3's 404, not 403
                     {"Effect": "Allow", "Action": ["s3:ListBucket"],
                      "Resource": {"Fn::GetAtt": ["CaseAttachmentsBucket", "Arn"]}}]
    # texts reach phone numbers only: no topic, the alarm topic included
    [text] = [s for s in _statements(stack_template, "OnServiceRequestChangeRole")
              if "sns:Publish" in s["Action"]]
    assert "Resource" not in text
    assert text["NotResource"] == {"Fn::Sub": "arn:${AWS::Partition}:sns:*:*:*"}
    # the API reads clients (endpoints' owners too) and notes their use; operators create and
    # remove them; stream handlers and deliveries only read them (an endpoint's owner now)
    clients = [s for s in _statements(stack_template, "ApiHandlerRole")
               if {"Fn::GetAtt": ["ApiClientsTable", "Arn"]} in _resources(s)]
    assert [s["Action"] for s in clients] == [
        ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem",
         "dynamodb:UpdateItem"]]
    # the fan-out reads every enabled endpoint (a Scan) and marks its messages pending (a
    # batch write): moto enforces no policy, so the policy is read here
    handler = _statements(stack_template, "OnCaseChangeRole")
    assert any(s["Action"] == ["dynamodb:Scan"] and _resources(s) == [
        {"Fn::GetAtt": ["WebhookEndpointsTable", "Arn"]}] for s in handler)
    assert any("dynamodb:BatchWriteItem" in s["Action"] and {
        "Fn::GetAtt": ["WebhookAttemptsTable", "Arn"]} in _resources(s) for s in handler)
    for role in ("OnWebhookDeliveryRole", "OnCaseChangeRole"):
        reads = [s["Action"] for s in _statements(stack_template, role)
                 if {"Fn::GetAtt": ["ApiClientsTable", "Arn"]} in _resources(s)]
        assert reads and not any(a.startswith(("dynamodb:Put", "dynamodb:Update",
                                               "dynamodb:Delete")) for a in reads[0])
    assert not any(a.startswith("s3:") for role in roles if role != "ApiHandlerRole"
                   for s in _statements(stack_template, role) for a in s["Action"])
    bucket = stack_template["Resources"]["CaseAttachmentsBucket"]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    # uploads that no ticket cited leave the staging area; cited files were copied out of it
    assert bucket["LifecycleConfiguration"]["Rules"] == [{
        "Id": "uncited-uploads", "Status": "Enabled", "Prefix": "staging/",
        "ExpirationInDays": 2, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]
    quota = _statements(stack_template, "OnCaseAttachmentChangeRole")
    [counters] = [s for s in quota if s["Action"] == template.TABLE_WRITE
                  and {"Fn::GetAtt": ["UniqueKeysTable", "Arn"]} in _resources(s)]
    assert not any("HistoryTable" in str(r) for r in _resources(counters))
    [send] = [s for s in _statements(stack_template, "OnSupportRequestChangeRole")
              if "ses:SendEmail" in s["Action"]]
    assert send["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "MailFrom"}}}


def test_functions_get_their_tables_by_reference_and_the_api_is_throttled_traced_and_logged(
        packaged):
    resources = packaged["dev"]["Resources"]
    variables = resources["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert variables["SERVICEDESK_TABLE_SUPPORT_REQUESTS"] == {"Ref": "SupportRequestsTable"}
    assert variables["SERVICEDESK_MAIL_FROM"] == {"Ref": "MailFrom"}
    # the base of every URL the API writes: a custom domain, or (empty) API Gateway's own
    assert variables["SERVICEDESK_PUBLIC_BASE_URL"] == {"Ref": "PublicBaseUrl"}
    assert packaged["dev"]["Parameters"]["PublicBaseUrl"]["Default"] == ""
    # refused callers alarm the operator, whatever their reason
    refused = resources["AuthFailuresAlarm"]["Properties"]
    assert "SUM(AuthFailures)" in refused["Metrics"][0]["Expression"]
    assert refused["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    # an account past its hourly budget of notifications alarms too; its counters are unique
    # keys, which only the notifying handlers update
    suppressed = resources["NotificationsSuppressedAlarm"]["Properties"]
    assert "SUM(NotificationsSuppressed)" in suppressed["Metrics"][0]["Expression"]
    counters = {"Effect": "Allow", "Action": ["dynamodb:UpdateItem"],
                "Resource": {"Fn::GetAtt": ["UniqueKeysTable", "Arn"]}}
    assert counters in _statements(packaged["dev"], "OnCaseChangeRole")
    assert counters not in _statements(packaged["dev"], "OnPropertyChangeRole")
    for name, resource in resources.items():
        if resource["Type"] == "AWS::Serverless::Function":
            assert resource["Properties"]["Tracing"] == "Active", name
            assert "DynamodbEventSource" not in json.dumps(resource) or \
                "1970-01-01" not in json.dumps(resource), name  # no placeholder stream ARN
        if resource["Type"] == "AWS::Logs::LogGroup":
            assert resource["Properties"]["RetentionInDays"], name
    api = resources["RestAPI"]["Properties"]
    assert api["TracingEnabled"] is True
    [settings] = api["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == template.THROTTLING_RATE_LIMIT
    assert api["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]}
    paths = api["DefinitionBody"]["paths"]
    assert set(paths) == set(app_module.app.routes) | {"/", "/{proxy+}"}
    assert all("x-amazon-apigateway-any-method" in methods for methods in paths.values())
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):  # a throttled call, say: still a LEAP error
        response = api["DefinitionBody"]["x-amazon-apigateway-gateway-responses"][kind]
        assert "<message>$context.error.message</message>" in response["responseTemplates"][
            "application/json"]


def _gateway_event(method: str, path: str, resource: str) -> dict:
    """What API Gateway hands the API handler (REST API, proxy integration)."""
    return {"resource": resource, "path": path, "httpMethod": method,
            "headers": {"Accept": "*/*"}, "multiValueHeaders": {"Accept": ["*/*"]},
            "queryStringParameters": None, "multiValueQueryStringParameters": None,
            "pathParameters": {"proxy": path.lstrip("/")} if "proxy" in resource else None,
            "stageVariables": None, "body": None, "isBase64Encoded": False,
            "requestContext": {"resourcePath": resource, "httpMethod": method,
                               "path": "/api" + path, "stage": "api", "requestId": "r-1",
                               "identity": {"sourceIp": "192.0.2.1"}}}


def test_on_aws_an_unknown_path_is_the_apis_own_404_and_an_unknown_method_its_405():
    unknown = app_module.app(_gateway_event("GET", "/api/v1/nothing", "/{proxy+}"), None)
    assert unknown["statusCode"] == 404
    assert "There is no resource at /api/v1/nothing." in unknown["body"]
    assert unknown["headers"]["Content-Type"] == "application/xml"
    method = app_module.app(_gateway_event("DELETE", "/api/v1/requests", "/api/v1/requests"),
                            None)
    assert method["statusCode"] == 405
    assert method["headers"]["Allow"] == "GET, POST"
    assert "Method DELETE is not allowed on /api/v1/requests." in method["body"]


def test_no_stage_stack_owns_what_every_stage_of_the_region_shares(packaged):
    """AWS::ApiGateway::Account is one setting per account and region: each stage stack had
    pointed it at its own role, so destroying one stage silently stopped the others' logs."""
    for stage in ("dev", "prod"):
        assert not [name for name, r in packaged[stage]["Resources"].items()
                    if r["Type"] == "AWS::ApiGateway::Account"
                    or name == "ApiGatewayLogsRole"], stage
    shared = template.account_template()["Resources"]
    assert shared["ApiGatewayAccount"]["Properties"]["CloudWatchRoleArn"] == {
        "Fn::GetAtt": ["ApiGatewayLogsRole", "Arn"]}
    # API Gateway's logging role is AWS's own narrow policy
    assert shared["ApiGatewayLogsRole"]["Properties"]["ManagedPolicyArns"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/"
                    "AmazonAPIGatewayPushToCloudWatchLogs"}]


def test_deploy_makes_the_shared_stack_before_the_stage_and_destroy_leaves_it(capsys):
    from deploy import stage
    assert stage.deploy("dev", "desk@example.org", "", stage.Runner(dry_run=True)) == 0
    deploys = [line for line in capsys.readouterr().out.splitlines()
               if line.startswith("would run:") and " cloudformation deploy " in line]
    assert [f"--stack-name {template.ACCOUNT_STACK} " in line for line in deploys] == [
        True, False]  # the shared stack first, then the stage's
    assert "--stack-name servicedesk-dev " in deploys[1]
    stage.destroy("dev", stage.Runner(dry_run=True))
    destroyed = capsys.readouterr().out
    assert "servicedesk-dev" in destroyed and template.ACCOUNT_STACK not in destroyed
