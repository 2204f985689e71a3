"""servicedesk: the Chalice app. It wires the pipeline, the APIs and the stream handlers."""
from chalice import Chalice

from chalicelib.core import http
from chalicelib.core.config import settings
from chalicelib.oauth2.routes import blueprint as oauth2
from chalicelib.streams.batch import process_batch
from chalicelib.support_requests.changes import handle_support_request_record
from chalicelib.support_requests.routes import blueprint as support_requests

app = Chalice(app_name="servicedesk")
app.register_middleware(http.handle, "http")
app.register_blueprint(oauth2)
app.register_blueprint(support_requests, url_prefix="/api/v1")


@app.on_dynamodb_record(stream_arn=settings.support_requests_stream_arn,
                        starting_position="TRIM_HORIZON", batch_size=100)
def on_support_request_change(event):
    return process_batch(event, handle_support_request_record)
