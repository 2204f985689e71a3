"""Deploying the service: its CloudFormation template (make template), a stage (make deploy,
make destroy) and the end-to-end check of a stage (make smoke)."""
