"""The HTTP plumbing every API app shares: the one exception handler and its error body, the API's
exceptions, the upload-size handler, pagination, the JSON parser, JSON 404/500 and the docs pages.
It knows no app: the apps import it, never the other way round."""
