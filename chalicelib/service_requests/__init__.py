"""The CRM-style Service Requests web API (/crmapi/rest/v2)."""
