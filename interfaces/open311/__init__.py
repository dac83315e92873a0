"""Open311 GeoReport v2 at ``/open311/v2/`` (docs/interfaces.md): discovery, services, service
definitions, and service requests read and created, in JSON and XML."""
