"""The LEAP Property Relationship web service (``/api/v1/property-relationship``)."""
