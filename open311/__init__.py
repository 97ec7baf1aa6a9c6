"""Open311 GeoReport v2 under ``/open311/v2/``: the city's 311 clients list
the categories as services, report problems that become cases through the
same intake as the IVR, and follow them by case number.

``georeport`` holds the spec's documents and how cases and categories map
onto them, ``submission`` and ``query`` read a client's parameters,
``services`` does one use case each, ``formats`` renders JSON and XML, and
``views`` is the blueprint that translates HTTP.
"""
