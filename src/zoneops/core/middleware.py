import uuid

from django.conf import settings
from django.utils import translation

from .changelog import change_context


class LanguageMiddleware:
    """Chinese unless the user chose another language (cookie set by /i18n/setlang/).

    Django's LocaleMiddleware would follow the browser's Accept-Language, turning the UI English
    for staff whose browser happens to be English."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.codes = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.codes else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


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
