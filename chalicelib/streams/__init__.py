"""What follows a write through DynamoDB Streams: history records and e-mail, idempotently."""
