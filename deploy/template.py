"""Build ``.chalice/resources.json``, the template that ``chalice package --merge-template``
merges into chalice's own (SAM) template.

Chalice describes the functions, their event sources and the REST API; it cannot express the
tables, the settings that make a stream handler lose nothing, least-privilege roles that name
the stage's own tables, or the API stage's limits and logs. This module adds them, and derives
every table from the PynamoDB models, so that the models and the deployed tables cannot drift
(``make template`` writes the file; a test fails when it is stale).

Chalice's merge is deep for objects and replaces lists, which is how the roles' policies and the
event sources' ARNs below override chalice's placeholders.
"""
import json
import pathlib
import sys

from deploy import webhook_resources

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = ROOT / ".chalice" / "resources.json"

#: What each stream may still hold when its handler has failed every retry: how often a failed
#: batch is retried (then halved, BisectBatchOnFunctionError, until the bad record is alone),
#: and how old a record may grow before it goes to the failure queue untried.
MAXIMUM_RETRY_ATTEMPTS = 5
MAXIMUM_RECORD_AGE_SECONDS = 6 * 3600
#: Alarm when a stream's oldest unprocessed record is older than this.
ITERATOR_AGE_ALARM_MS = 5 * 60 * 1000
#: Per-stage API Gateway throttling (requests per second, and the burst above it).
THROTTLING_RATE_LIMIT = 50
THROTTLING_BURST_LIMIT = 100
TABLE_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
              "dynamodb:DescribeTable"]
TABLE_WRITE = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
               "dynamodb:ConditionCheckItem", "dynamodb:BatchWriteItem"]

#: What each stream handler of app.py reads and writes, beside its own stream: the history
#: table for every one of them, and the tables a handler reads to write its e-mails.
#: The three stores' handlers keep the desk's work items (desk.projection).
DESK = ["work_items", "work_queue"]
STREAM_HANDLER_ACCESS = {
    "on_support_request_change": {"reads": ["support_request_updates", *DESK],
                                  "sends_email": True, "writes": DESK},
    # a renamed account (or a new login) is copied onto its service requests
    "on_account_change": {"reads": ["service_requests"], "sends_email": True,
                          "writes": ["service_requests"]},
    "on_property_change": {"reads": [], "sends_email": False},
    "on_property_relationship_change": {"reads": [], "sends_email": False},
    "on_service_request_change": {"reads": ["service_request_configuration", *DESK],
                                  "sends_email": True, "sends_sms": True, "writes": DESK},
    "on_case_change": {"reads": DESK, "sends_email": True, "writes": DESK},
    "on_case_note_change": {"reads": ["cases"], "sends_email": True},
    # a removed file leaves its account's quota counters (and a marker that it did)
    "on_case_attachment_change": {"reads": [], "sends_email": False,
                                  "writes": ["unique_keys"]},
}


#: What a stream handler reads to show a changed record as its API does (events/sources.py).
EVENT_READS = ["webhook_endpoints", "support_request_updates", "catalog", "accounts",
               "property_relationships", "service_request_configuration", "cases",
               "case_notes", "api_clients"]  # an endpoint reads as its owner reads now


def logical_id(name: str) -> str:
    """``support_requests`` -> ``SupportRequests``; ``on_account_change`` -> ``OnAccountChange``
    (chalice's own rule for function resources)."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def table_id(logical_table: str) -> str:
    return logical_id(logical_table) + "Table"


def _tables_by_name() -> dict[str, dict]:
    """Physical default name -> {"logical", "models"}: several models may share a table."""
    from chalicelib.core.config import TABLES
    from chalicelib.tables import MODELS
    logical_of = {physical: logical for logical, physical in TABLES.items()}
    tables: dict[str, dict] = {}
    for model in MODELS:
        name = model.Meta.table_name
        tables.setdefault(name, {"logical": logical_of[name], "models": []})["models"].append(model)
    return tables


def _keys(key_schema: list) -> list:
    """HASH before RANGE, as CloudFormation wants them (PynamoDB keeps declaration order)."""
    return sorted(key_schema, key=lambda key: key["KeyType"] != "HASH")


def _index(index: dict) -> dict:
    return {"IndexName": index["index_name"], "KeySchema": _keys(index["key_schema"]),
            "Projection": index["projection"]}


def table_resource(logical_table: str, models: list) -> dict:
    """The AWS::DynamoDB::Table of ``models`` (the first one holds the keys and indexes)."""
    schema = models[0]._get_schema()
    definitions = {d["AttributeName"]: d for d in schema["attribute_definitions"]}
    properties = {
        "TableName": {"Fn::Sub": "${AWS::StackName}-" + logical_table.replace("_", "-")},
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [definitions[name] for name in sorted(definitions)],
        "KeySchema": _keys(schema["key_schema"]),
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "DeletionProtectionEnabled": {"Fn::If": ["IsProduction", True, False]},
    }
    if schema.get("global_secondary_indexes"):
        properties["GlobalSecondaryIndexes"] = [_index(i) for i in
                                                schema["global_secondary_indexes"]]
    if schema.get("local_secondary_indexes"):
        properties["LocalSecondaryIndexes"] = [_index(i) for i in
                                               schema["local_secondary_indexes"]]
    views = {getattr(m.Meta, "stream_view_type", None) for m in models} - {None}
    if views:
        properties["StreamSpecification"] = {"StreamViewType": views.pop()}
    ttl = [m._ttl_attribute().attr_name for m in models if m._ttl_attribute()]
    if ttl:
        properties["TimeToLiveSpecification"] = {"AttributeName": ttl[0], "Enabled": True}
    # Production tables are also protected by DeletionProtectionEnabled: deleting that stack
    # fails until an operator turns protection off, table by table.
    return {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete", "Properties": properties}


def _table_arns(logical_tables) -> list:
    arns = []
    for logical in sorted(logical_tables):
        arn = {"Fn::GetAtt": [table_id(logical), "Arn"]}
        arns += [arn, {"Fn::Sub": "${" + table_id(logical) + ".Arn}/index/*"}]
    return arns


def function_name(function_id: str) -> dict:
    """Functions are named after their stack, so that a role can name its function's log group
    without referring to the function (which refers to the role: a cycle)."""
    return {"Fn::Sub": "${AWS::StackName}-" + function_id}


#: Refused callers in 5 minutes that alarm the operator.
AUTH_FAILURES_ALARM_THRESHOLD = 50


def _function(function_id: str, tables: dict) -> dict:
    """What every function gets: its name, the stage's table names by reference, and the
    base of the URLs it writes (the PublicBaseUrl parameter: a custom domain; when it is
    empty the API takes API Gateway's own domain and stage from each request's context, as
    the API refers to its function, which so cannot refer to the API)."""
    variables = {"SERVICEDESK_TABLE_" + t["logical"].upper(): {"Ref": table_id(t["logical"])}
                 for t in tables.values()}
    variables["SERVICEDESK_MAIL_FROM"] = {"Ref": "MailFrom"}
    variables["SERVICEDESK_PUBLIC_BASE_URL"] = {"Ref": "PublicBaseUrl"}
    variables.update(webhook_resources.ENVIRONMENT)
    return {"FunctionName": function_name(function_id),
            "Environment": {"Variables": variables}}


def _api_function(tables: dict) -> dict:
    function = _function("APIHandler", tables)
    function["Environment"]["Variables"]["SERVICEDESK_ATTACHMENTS_BUCKET"] = {
        "Ref": "CaseAttachmentsBucket"}
    return function


def _attachments_bucket() -> dict:
    """Where the Case Management API keeps uploaded files: private, encrypted, and kept when
    its stack is deleted (CloudFormation cannot delete a bucket that holds files)."""
    return {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain", "Properties": {
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [{
                    "ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True, "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                # What no ticket cited within a day (its item's TTL) is removed a day later;
                # a cited file was copied out of staging/ (see chalicelib/cases/attachments.py).
                "LifecycleConfiguration": {"Rules": [{
                    "Id": "uncited-uploads", "Status": "Enabled", "Prefix": "staging/",
                    "ExpirationInDays": 2,
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]}}}


def _log_group(function_id: str) -> dict:
    """chalice's log group of a function (with the retention of chalice's config), deleted
    with its stack. The name refers to the function, so that cfn-lint links the two; it is
    the name that the function's role allows (see ``function_name``)."""
    return {"DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete", "Properties": {
        "LogGroupName": {"Fn::Sub": "/aws/lambda/${" + function_id + "}"}}}


def _log_statement(function_id: str) -> dict:
    # The log group exists (chalice declares it, with its retention), so no CreateLogGroup.
    return {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}"
                                    ":log-group:/aws/lambda/${AWS::StackName}-" + function_id
                                    + ":*"}}


#: X-Ray's PutTraceSegments and PutTelemetryRecords take no resource: "*" is the only value.
TRACING_STATEMENT = {"Effect": "Allow", "Action": ["xray:PutTraceSegments",
                                                   "xray:PutTelemetryRecords"], "Resource": "*"}

SEND_EMAIL_STATEMENT = {
    "Effect": "Allow", "Action": ["ses:SendEmail"],
    "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}"
                            ":identity/*"},
    "Condition": {"StringEquals": {"ses:FromAddress": {"Ref": "MailFrom"}}},
}


#: A text to a phone number is an sns:Publish with no resource to name; what it may reach is
#: every resource but a topic (the alarm topic included): phone numbers only.
SEND_SMS_STATEMENT = {"Effect": "Allow", "Action": ["sns:Publish"],
                      "NotResource": {"Fn::Sub": "arn:${AWS::Partition}:sns:*:*:*"}}
#: What the API does to the clients' table: read a client (an endpoint's owner too), check in a
#: token's transaction that it is enabled, and note its last day of use. Clients are created
#: and removed by operators.
CLIENTS_TABLE_ACCESS = ["dynamodb:GetItem", "dynamodb:BatchGetItem",
                        "dynamodb:ConditionCheckItem", "dynamodb:UpdateItem"]


def _role(function_id: str, statements: list) -> dict:
    return {"Properties": {"Policies": [{
        "PolicyName": function_id + "Policy",
        "PolicyDocument": {"Version": "2012-10-17",
                           "Statement": [_log_statement(function_id), TRACING_STATEMENT,
                                         *statements]}}]}}


def _stream_handlers() -> list[tuple[str, str]]:
    """(handler name, logical table) of every stream handler that app.py declares."""
    import app
    from chalicelib.core.config import TABLES
    logical_of = {physical: logical for logical, physical in TABLES.items()}
    return [(source.name, logical_of[source.stream_arn.split(":table/")[1].split("/")[0]])
            for source in app.app.event_sources if hasattr(source, "stream_arn")]


def _stream_handler_resources(handler: str, logical_table: str, tables: dict) -> dict:
    function_id = logical_id(handler)
    access = STREAM_HANDLER_ACCESS[handler]
    stream_arn = {"Fn::GetAtt": [table_id(logical_table), "StreamArn"]}
    statements = [
        # The event source mapping reads the stream with the function's role; ListStreams
        # takes no resource.
        {"Effect": "Allow", "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords",
                                       "dynamodb:GetShardIterator"], "Resource": stream_arn},
        {"Effect": "Allow", "Action": ["dynamodb:ListStreams"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["sqs:SendMessage"],
         "Resource": {"Fn::GetAtt": ["StreamFailuresQueue", "Arn"]}},
        {"Effect": "Allow", "Action": TABLE_READ + TABLE_WRITE,
         "Resource": _table_arns(["history", "events", "webhook_attempts"])},
        # Events: the resource as its API shows it (which reads what it refers to), and the
        # endpoints it goes to, queued for delivery.
        {"Effect": "Allow", "Action": TABLE_READ, "Resource": _table_arns(EVENT_READS)},
        # the enabled endpoints, read whole per event (a client has 20 at most)
        {"Effect": "Allow", "Action": ["dynamodb:Scan"],
         "Resource": {"Fn::GetAtt": [table_id("webhook_endpoints"), "Arn"]}},
        *webhook_resources.PUBLISHING_STATEMENTS,
    ]
    if access["reads"]:
        statements.append({"Effect": "Allow", "Action": TABLE_READ,
                           "Resource": _table_arns(access["reads"])})
    if access.get("writes"):
        statements.append({"Effect": "Allow", "Action": TABLE_WRITE,
                           "Resource": _table_arns(access["writes"])})
    if access["sends_email"] or access.get("sends_sms"):
        # each account's hourly budget of notifications is a counter in the unique keys
        statements.append({"Effect": "Allow", "Action": ["dynamodb:UpdateItem"],
                           "Resource": {"Fn::GetAtt": [table_id("unique_keys"), "Arn"]}})
    if access["sends_email"]:
        statements.append(SEND_EMAIL_STATEMENT)
    if access.get("sends_sms"):
        statements.append(SEND_SMS_STATEMENT)
    properties = _function(function_id, tables)
    # where a record that no retry can mend is set aside at once (streams.batch)
    properties["Environment"]["Variables"]["SERVICEDESK_STREAM_FAILURES_QUEUE_URL"] = {
        "Ref": "StreamFailuresQueue"}
    function = {"Properties": {**properties, "Events": {
        function_id + "DynamodbEventSource": {"Properties": {
        "Stream": stream_arn,
        "StartingPosition": "TRIM_HORIZON",
        # Only the records a handler names in batchItemFailures come again.
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "BisectBatchOnFunctionError": True,
        "MaximumRetryAttempts": MAXIMUM_RETRY_ATTEMPTS,
        "MaximumRecordAgeInSeconds": MAXIMUM_RECORD_AGE_SECONDS,
        "ParallelizationFactor": 1,  # one batch per shard at a time: changes stay in order
        "DestinationConfig": {"OnFailure": {
            "Type": "SQS", "Destination": {"Fn::GetAtt": ["StreamFailuresQueue", "Arn"]}}},
    }}}}}
    alarm = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmDescription": f"{handler} lags behind its stream: records wait for more than "
                            f"{ITERATOR_AGE_ALARM_MS // 60000} minutes.",
        "Namespace": "AWS/Lambda", "MetricName": "IteratorAge", "Statistic": "Maximum",
        "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": function_id}}],
        "Period": 60, "EvaluationPeriods": 5, "Threshold": ITERATOR_AGE_ALARM_MS,
        "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching",
        "AlarmActions": [{"Ref": "AlarmTopic"}], "OKActions": [{"Ref": "AlarmTopic"}]}}
    return {function_id: function, function_id + "Role": _role(function_id, statements),
            function_id + "LogGroup": _log_group(function_id),
            function_id + "IteratorAgeAlarm": alarm}


def _api_routes() -> list[str]:
    import app
    return sorted(app.app.routes)


def _any_method() -> dict:
    """Sends a method that no route declares to the API handler, which answers the API's own
    405 (or 404), instead of API Gateway's 403 "Missing Authentication Token"."""
    return {"x-amazon-apigateway-any-method": {
        "consumes": ["*/*"], "produces": ["application/json"],
        "responses": {"200": {"description": "200 response"}},
        "x-amazon-apigateway-integration": {
            "type": "aws_proxy", "httpMethod": "POST", "passthroughBehavior": "when_no_match",
            "contentHandling": "CONVERT_TO_TEXT",
            "responses": {"default": {"statusCode": "200"}},
            "uri": {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/"
                               "2015-03-31/functions/${APIHandler.Arn}/invocations"}}}}


ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime", "httpMethod": "$context.httpMethod",
    "path": "$context.path", "resourcePath": "$context.resourcePath",
    "status": "$context.status", "responseLength": "$context.responseLength",
    "integrationLatency": "$context.integrationLatency",
    "latency": "$context.responseLatency", "userAgent": "$context.identity.userAgent",
    "error": "$context.error.message"}, separators=(",", ":"))


#: What API Gateway answers itself (throttled, payload too large, ...): the LEAP error document,
#: the format of most of the API, instead of API Gateway's JSON {"message": ...}.
GATEWAY_ERROR = {
    "responseParameters": {"gatewayresponse.header.Content-Type": "'application/xml'"},
    "responseTemplates": {"application/json": (
        '<?xml version="1.0" encoding="UTF-8"?><error xmlns="http://schema.majitek.com/'
        'leap-ws-v1.0"><message>$context.error.message</message></error>')}}


def _api_resources(tables: dict) -> dict:
    paths = {route: _any_method() for route in _api_routes()}
    # Every path that no route has: /{proxy+} covers all but the root.
    paths["/"] = _any_method()
    paths["/{proxy+}"] = _any_method()
    api_tables = [t["logical"] for t in tables.values() if t["logical"] != "history"]
    return {
        # API Gateway's logging role is the account stack's (account_template): every stage
        # shares that per-region setting, so no stage stack may own it.
        "RestAPI": {"Properties": {
            "DefinitionBody": {"paths": paths, "x-amazon-apigateway-gateway-responses": {
                "DEFAULT_4XX": GATEWAY_ERROR, "DEFAULT_5XX": GATEWAY_ERROR}},
            "TracingEnabled": True,
            "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*",
                                "ThrottlingRateLimit": THROTTLING_RATE_LIMIT,
                                "ThrottlingBurstLimit": THROTTLING_BURST_LIMIT,
                                "MetricsEnabled": True, "LoggingLevel": "ERROR"}],
            "AccessLogSetting": {"DestinationArn": {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]},
                                 "Format": ACCESS_LOG_FORMAT}}},
        # /{proxy+} and the ANY methods call the handler too: allow every path of this API.
        "APIHandlerInvokePermission": {"Properties": {"SourceArn": {"Fn::Sub": (
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestAPI}/*")}}},
        "ApiAccessLogs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Delete",
                          "UpdateReplacePolicy": "Delete", "Properties": {
                              "LogGroupName": {"Fn::Sub": "/aws/apigateway/${AWS::StackName}"},
                              "RetentionInDays": {"Fn::If": ["IsProduction", 365, 30]}}},
        # chalice names the API handler's log group after "ApiHandler", a resource that does
        # not exist (its function is "APIHandler").
        "ApiHandlerLogGroup": _log_group("APIHandler"),
        "ApiHandlerRole": _role("APIHandler", [
            {"Effect": "Allow", "Action": TABLE_READ + TABLE_WRITE,
             "Resource": _table_arns(set(api_tables) - {"api_clients"})},
            {"Effect": "Allow", "Action": CLIENTS_TABLE_ACCESS,
             "Resource": {"Fn::GetAtt": [table_id("api_clients"), "Arn"]}},
            # The audit history is the stream handlers' to write; the desk reads a work
            # item's timeline from it.
            {"Effect": "Allow", "Action": ["dynamodb:Query"],
             "Resource": {"Fn::GetAtt": [table_id("history"), "Arn"]}},
            # Files of tickets: stored on upload, read through short-lived URLs that this
            # role signs.
            {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
             "Resource": {"Fn::Sub": "${CaseAttachmentsBucket.Arn}/*"}},
            # An upload refused by its account's quota is removed from the staging area (and
            # a concurrent citation's copy of other bytes from its own key).
            {"Effect": "Allow", "Action": ["s3:DeleteObject"],
             "Resource": {"Fn::Sub": "${CaseAttachmentsBucket.Arn}/*"}},
            # On the bucket, not its objects: without it S3 answers a file not uploaded yet
            # with 403 (which would be a 500), not with 404.
            {"Effect": "Allow", "Action": ["s3:ListBucket"],
             "Resource": {"Fn::GetAtt": ["CaseAttachmentsBucket", "Arn"]}},
            *webhook_resources.API_STATEMENTS]),
        "APIHandler": {"Properties": _api_function(tables)},
        "Api5xxAlarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmDescription": "The API answered 5xx (a fault of ours, or AWS unreachable).",
            "Namespace": "AWS/ApiGateway", "MetricName": "5XXError", "Statistic": "Sum",
            "Dimensions": [{"Name": "ApiName", "Value": "servicedesk"}],
            "Period": 300, "EvaluationPeriods": 1, "Threshold": 5,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching", "AlarmActions": [{"Ref": "AlarmTopic"}]}},
        # A customer account that spent its hourly budget of e-mails and texts: a tenant
        # using the desk's SES identity as a relay, or a runaway integration.
        "NotificationsSuppressedAlarm": _metric_sum_alarm(
            "NotificationsSuppressed", "channel", 1,
            "An account's e-mails or texts were suppressed past its hourly budget (log lines "
            "'notification suppressed' name it)."),
        # A stream record that no retry could mend, set aside at once (chalicelib/streams/
        # batch.py): described in the stream failures queue, to replay once mended.
        "StreamRecordsSetAsideAlarm": _metric_sum_alarm(
            "StreamRecordsSetAside", "handler", 1,
            "A stream record failed in a way no retry can mend and was set aside: the stream "
            "failures queue holds its keys, sequence number and reason."),
        # Every refused caller counts once in AuthFailures, by reason (chalicelib/core/
        # observability.py): an attack, or an integration whose secret changed.
        "AuthFailuresAlarm": _metric_sum_alarm(
            "AuthFailures", "reason", AUTH_FAILURES_ALARM_THRESHOLD,
            "Many callers were refused (401/403) in 5 minutes: the audit log lines 'caller "
            "refused' say who claimed what, and why."),
    }


def _metric_sum_alarm(metric: str, dimension: str, threshold: int, description: str) -> dict:
    """An alarm on the sum over 5 minutes of one of our metrics, whatever its ``dimension``
    (a Metrics Insights query: a plain alarm would need one per value)."""
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmDescription": description,
        "Metrics": [{"Id": "total", "ReturnData": True, "Period": 300,
                     "Expression": f"SELECT SUM({metric}) FROM "
                                   f"SCHEMA(servicedesk, {dimension}, service)"}],
        "EvaluationPeriods": 1, "Threshold": threshold,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching", "AlarmActions": [{"Ref": "AlarmTopic"}]}}


def _explained(check: str, reason: str) -> dict:
    """Silences one cfn-lint finding on a resource, with the reason beside it."""
    return {"cfn-lint": {"config": {"ignore_checks": [check]}}, "cfn-lint-reason": reason}


def _failure_resources() -> dict:
    return {
        "StreamFailuresQueue": {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Delete",
                                "Metadata": _explained("ES6000", "This queue is the last stop "
                                                       "(the streams' on-failure destination); "
                                                       "its alarm fires on the first message."),
                                "UpdateReplacePolicy": "Delete", "Properties": {
                                    "MessageRetentionPeriod": 14 * 24 * 3600,
                                    "SqsManagedSseEnabled": True}},
        "StreamFailuresAlarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmDescription": "A stream record failed every retry: its batch's coordinates "
                                "wait in the stream failures queue (see docs/operating.md).",
            "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName",
                            "Value": {"Fn::GetAtt": ["StreamFailuresQueue", "QueueName"]}}],
            "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}]}},
        # Not encrypted with the aws/sns key: CloudWatch alarms cannot publish to a topic under
        # that key (its policy cannot be changed to let CloudWatch use it).
        "AlarmTopic": {"Type": "AWS::SNS::Topic"},
        "AlarmSubscription": {"Type": "AWS::SNS::Subscription", "Condition": "HasAlarmEmail",
                              "Metadata": _explained("ES7000", "An e-mail subscription: an alarm "
                                                     "that cannot be delivered stays visible "
                                                     "in CloudWatch, so no queue keeps it."),
                              "Properties": {"TopicArn": {"Ref": "AlarmTopic"},
                                             "Protocol": "email",
                                             "Endpoint": {"Ref": "AlarmEmail"}}},
    }


def build() -> dict:
    tables = _tables_by_name()
    resources = {table_id(t["logical"]): table_resource(t["logical"], t["models"])
                 for t in tables.values()}
    resources.update(_failure_resources())
    resources["CaseAttachmentsBucket"] = _attachments_bucket()
    resources.update(_api_resources(tables))
    for handler, logical_table in _stream_handlers():
        resources.update(_stream_handler_resources(handler, logical_table, tables))
    resources.update(webhook_resources.resources(
        _role, lambda function_id: _function(function_id, tables), _log_group, _table_arns,
        TABLE_READ, TABLE_WRITE, SEND_EMAIL_STATEMENT, _explained))
    return {
        "Parameters": {
            "Stage": {"Type": "String", "Default": "dev", "AllowedPattern": "[a-z][a-z0-9-]*",
                      "Description": "The chalice stage; prod turns deletion protection on."},
            "MailFrom": {"Type": "String", "Default": "servicedesk@example.com",
                         "Description": "SES sender; the only address the handlers may use."},
            "AlarmEmail": {"Type": "String", "Default": "",
                           "Description": "Where alarms are e-mailed (empty: no subscription)."},
            "PublicBaseUrl": {"Type": "String", "Default": "",
                              "AllowedPattern": "(https://[^/?#\\s]+(/[^?#\\s]*[^/?#\\s])?)?",
                              "Description": "The base of every URL the service writes, for a "
                                             "custom domain (empty: the stage's API URL)."},
        },
        "Conditions": {
            "IsProduction": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
            "HasAlarmEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]},
        },
        "Resources": resources,
        "Outputs": {
            "StreamFailuresQueueUrl": {"Value": {"Ref": "StreamFailuresQueue"}},
            "WebhookDeliveryQueueUrl": {"Value": {"Ref": "WebhookDeliveryQueue"}},
            "WebhookDeliveryQueueArn": {"Value": {"Fn::GetAtt": ["WebhookDeliveryQueue", "Arn"]}},
            "WebhookSecretsKeyId": {"Value": {"Ref": "WebhookSecretsKey"}},
            "AlarmTopicArn": {"Value": {"Ref": "AlarmTopic"}},
            "AttachmentsBucket": {"Value": {"Ref": "CaseAttachmentsBucket"}},
            **{"Table" + logical_id(t["logical"]): {"Value": {"Ref": table_id(t["logical"])}}
               for t in tables.values()},
        },
    }


#: The stack of what a region's stages share, deployed once before the first stage's.
ACCOUNT_STACK = "servicedesk-account"


def account_template() -> dict:
    """What every stage of a region shares: API Gateway's role for writing logs, set as the
    region's AWS::ApiGateway::Account. A stage stack that owned it (each pointing it at its
    own role) would stop the others' API logs when it was destroyed."""
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "servicedesk: API Gateway's logging role for every stage of the region.",
        "Resources": {
            "ApiGatewayLogsRole": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
                    "Action": "sts:AssumeRole"}]},
                "ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/"
                                       "service-role/AmazonAPIGatewayPushToCloudWatchLogs"}]}},
            "ApiGatewayAccount": {"Type": "AWS::ApiGateway::Account", "Properties": {
                "CloudWatchRoleArn": {"Fn::GetAtt": ["ApiGatewayLogsRole", "Arn"]}}},
        },
    }


def rendered() -> str:
    return json.dumps(build(), indent=1, sort_keys=True) + "\n"


def main() -> int:
    TARGET.write_text(rendered(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
