"""servicedesk: the Chalice app. It wires the pipeline, the APIs and the stream handlers."""
from chalice import Chalice

from chalicelib.accounts.changes import handle_account_record
from chalicelib.cases.attachment_quota import handle_attachment_record
from chalicelib.cases.changes import handle_case_note_record, handle_case_record
from chalicelib.cases.routes import blueprint as cases
from chalicelib.core import http
from chalicelib.core.config import settings
from chalicelib.customers.routes import blueprint as customers
from chalicelib.desk.projection import projecting
from chalicelib.desk.routes import blueprint as desk
from chalicelib.docs.routes import blueprint as docs
from chalicelib.events.delivery import handle_delivery_message
from chalicelib.events.publish import publishing
from chalicelib.oauth2.routes import blueprint as oauth2
from chalicelib.open311.routes import blueprint as open311
from chalicelib.properties.routes import blueprint as properties
from chalicelib.property_relationships.routes import blueprint as property_relationships
from chalicelib.service_requests.changes import handle_service_request_record
from chalicelib.service_requests.routes import blueprint as service_requests
from chalicelib.streams.batch import process_batch, process_messages
from chalicelib.streams.history import recorder
from chalicelib.support_requests.changes import handle_support_request_record
from chalicelib.support_requests.routes import blueprint as support_requests
from chalicelib.trouble_tickets.routes import blueprint as trouble_tickets
from chalicelib.webhooks.routes import blueprint as webhooks

app = Chalice(app_name="servicedesk")
app.register_middleware(http.handle, "http")
app.register_blueprint(oauth2)
app.register_blueprint(docs)
for blueprint in (support_requests, customers, properties, property_relationships):
    app.register_blueprint(blueprint, url_prefix="/api/v1")
app.register_blueprint(service_requests, url_prefix="/crmapi/rest/v2")
app.register_blueprint(cases, url_prefix="/support/v2")
app.register_blueprint(webhooks, url_prefix="/webhooks/v1")
app.register_blueprint(trouble_tickets, url_prefix="/tmf-api/troubleTicket/v5")
app.register_blueprint(open311, url_prefix="/open311/v2")
app.register_blueprint(desk, url_prefix="/desk/v1")

STREAM = {"starting_position": "TRIM_HORIZON", "batch_size": 100}


@app.on_dynamodb_record(stream_arn=settings.stream_arn("support_requests"), **STREAM)
def on_support_request_change(event):
    handle = projecting("support-request", handle_support_request_record)
    return process_batch(event, publishing("support-request", handle),
                         "on_support_request_change")


@app.on_dynamodb_record(stream_arn=settings.stream_arn("accounts"), **STREAM)
def on_account_change(event):
    return process_batch(event, publishing("account", handle_account_record),
                         "on_account_change")


@app.on_dynamodb_record(stream_arn=settings.stream_arn("properties"), **STREAM)
def on_property_change(event):
    return process_batch(event, publishing("property", recorder("property")),
                         "on_property_change")


@app.on_dynamodb_record(stream_arn=settings.stream_arn("property_relationships"), **STREAM)
def on_property_relationship_change(event):
    handle = publishing("property-relationship", recorder("property-relationship"))
    return process_batch(event, handle, "on_property_relationship_change")


@app.on_dynamodb_record(stream_arn=settings.stream_arn("service_requests"), **STREAM)
def on_service_request_change(event):
    handle = projecting("service-request", handle_service_request_record)
    return process_batch(event, publishing("service-request", handle),
                         "on_service_request_change")


@app.on_dynamodb_record(stream_arn=settings.stream_arn("cases"), **STREAM)
def on_case_change(event):
    return process_batch(event, publishing("case", projecting("ticket", handle_case_record)),
                         "on_case_change")


@app.on_dynamodb_record(stream_arn=settings.stream_arn("case_notes"), **STREAM)
def on_case_note_change(event):
    return process_batch(event, publishing("case-note", handle_case_note_record),
                         "on_case_note_change")


@app.on_dynamodb_record(stream_arn=settings.stream_arn("case_attachments"), **STREAM)
def on_case_attachment_change(event):
    return process_batch(event, handle_attachment_record, "on_case_attachment_change")


@app.on_sqs_message(queue_arn=settings.webhook_queue_arn, batch_size=10)
def on_webhook_delivery(event):
    """Delivery attempts (chalicelib/events/delivery.py); each message on its own, so a
    failed one comes again after its visibility timeout and the others do not."""
    return process_messages(event, handle_delivery_message, "on_webhook_delivery")
