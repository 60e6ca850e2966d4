import uuid

from .changelog import change_context


class RequestContextMiddleware:
    """Gives each request an id and makes the acting user known to the change log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = uuid.uuid4()
        with change_context(user=getattr(request, "user", None), request_id=request.id):
            response = self.get_response(request)
        response["X-Request-ID"] = str(request.id)
        return response
