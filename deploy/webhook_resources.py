"""The template's part for webhooks: the delivery queue and its dead-letter queue, the KMS
key of endpoints' secrets, the delivery function's mapping and role, and their alarms.

The API and the stream handlers queue attempts (sqs:SendMessage) and the API encrypts new
secrets (kms:Encrypt); only the delivery function decrypts them (kms:Decrypt).
"""

__all__ = ["resources", "PUBLISHING_STATEMENTS", "API_STATEMENTS", "ENVIRONMENT",
           "DELIVERY_HANDLER", "DELIVERY_MAX_RECEIVES", "DELIVERY_CONCURRENCY"]

DELIVERY_HANDLER = "on_webhook_delivery"
#: Receives of one message (each a failure of our own, not of the receiver: those are
#: retried by re-sending on the schedule) before it goes to the dead-letter queue.
DELIVERY_MAX_RECEIVES = 5
#: Deliveries that run at once (the queue mapping's maximum concurrency): however slow or
#: failing receivers are, deliveries hold at most this many of the account's Lambda
#: executions, which the API shares. With 15 s attempts, 5 is at least 20 attempts a minute
#: against receivers that all stall, and hundreds a second against healthy ones.
DELIVERY_CONCURRENCY = 5
#: The oldest message of the delivery queue may wait this long (seconds) before it alarms:
#: longer than SQS's longest delay (15 minutes), so a scheduled retry does not.
QUEUE_AGE_ALARM_SECONDS = 1800

QUEUE_ARN = {"Fn::GetAtt": ["WebhookDeliveryQueue", "Arn"]}
KEY_ARN = {"Fn::GetAtt": ["WebhookSecretsKey", "Arn"]}
SEND = {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": QUEUE_ARN}
ENVIRONMENT = {"SERVICEDESK_WEBHOOK_QUEUE_URL": {"Ref": "WebhookDeliveryQueue"},
               "SERVICEDESK_WEBHOOK_KEY_ID": {"Ref": "WebhookSecretsKey"}}
PUBLISHING_STATEMENTS = [SEND]
API_STATEMENTS = [SEND, {"Effect": "Allow", "Action": ["kms:Encrypt"], "Resource": KEY_ARN}]


def _alarm(description: str, metric: str, queue: str, threshold: int) -> dict:
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmDescription": description, "Namespace": "AWS/SQS", "MetricName": metric,
        "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}],
        "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 5, "Threshold": threshold,
        "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching",
        "AlarmActions": [{"Ref": "AlarmTopic"}]}}


def resources(role, function, log_group, table_arns, table_read, table_write,
              send_email, explained) -> dict:
    """The resources, given template.py's helpers (so that roles are built as the others)."""
    function_id = "OnWebhookDelivery"
    statements = [
        {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage",
                                       "sqs:GetQueueAttributes", "sqs:SendMessage"],
         "Resource": QUEUE_ARN},
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": KEY_ARN},
        {"Effect": "Allow", "Action": table_read + table_write,
         "Resource": table_arns(["webhook_attempts", "webhook_endpoints", "history",
                                 "unique_keys"])},
        # the event, and the endpoint's owner as it is now (what it may be sent)
        {"Effect": "Allow", "Action": table_read, "Resource": table_arns(["events",
                                                                          "api_clients"])},
        send_email]
    return {
        "WebhookDeliveryQueue": {
            "Type": "AWS::SQS::Queue", "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete", "Properties": {
                "VisibilityTimeout": 360,  # six times the function's timeout, as AWS advises
                "MessageRetentionPeriod": 4 * 24 * 3600, "SqsManagedSseEnabled": True,
                "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": [
                    "WebhookDeliveryDeadLetterQueue", "Arn"]},
                    "maxReceiveCount": DELIVERY_MAX_RECEIVES}}},
        "WebhookDeliveryDeadLetterQueue": {
            "Type": "AWS::SQS::Queue", "DeletionPolicy": "Delete",
            "Metadata": explained("ES6000", "This queue is the last stop (the delivery "
                                  "queue's dead letters); its alarm fires on the first "
                                  "message."),
            "UpdateReplacePolicy": "Delete", "Properties": {
                "MessageRetentionPeriod": 14 * 24 * 3600, "SqsManagedSseEnabled": True}},
        "WebhookSecretsKey": {
            "Type": "AWS::KMS::Key", "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain", "Properties": {
                "Description": "Encrypts webhook endpoints' signing secrets.",
                "EnableKeyRotation": True,
                # The account's IAM policies decide (each role names what it may do).
                "KeyPolicy": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": "kms:*", "Resource": "*",
                    "Principal": {"AWS": {"Fn::Sub":
                                          "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
                }]}}},
        function_id: {"Properties": {**function(function_id), "Events": {
            function_id + "SqsEventSource": {"Type": "SQS", "Properties": {
                "Queue": QUEUE_ARN, "BatchSize": 1,
                "ScalingConfig": {"MaximumConcurrency": DELIVERY_CONCURRENCY},
                "FunctionResponseTypes": ["ReportBatchItemFailures"]}}}}},
        function_id + "Role": role(function_id, statements),
        function_id + "LogGroup": log_group(function_id),
        "WebhookDeliveryAgeAlarm": _alarm(
            "Webhook deliveries wait in their queue: the delivery function is failing or "
            "throttled.", "ApproximateAgeOfOldestMessage", "WebhookDeliveryQueue",
            QUEUE_AGE_ALARM_SECONDS),
        "WebhookDeliveryDeadLetterAlarm": _alarm(
            "A webhook delivery failed in the delivery function itself "
            f"{DELIVERY_MAX_RECEIVES} times: it waits in the dead-letter queue.",
            "ApproximateNumberOfMessagesVisible", "WebhookDeliveryDeadLetterQueue", 0),
    }
