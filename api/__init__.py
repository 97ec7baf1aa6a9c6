"""The JSON API under /api/v1 for the console, departments and integrations
(``api.views.bp``), documented by the OpenAPI document in ``api.openapi``."""
