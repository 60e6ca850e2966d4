"""Request body parsers of the API."""
import json

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with errors that say where, in the user's language: DRF's own message is
    English only, and a body nested too deep to decode (Python's decoder raises RecursionError)
    went through as a server error."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON 嵌套层数过多，无法解析。")) from None
        except ParseError as e:
            cause = e.__context__
            if isinstance(cause, json.JSONDecodeError):
                raise ParseError(_("JSON 格式有误：第 %(line)s 行第 %(col)s 列附近（%(reason)s）。") % {
                    "line": cause.lineno, "col": cause.colno, "reason": cause.msg}) from None
            if isinstance(cause, UnicodeDecodeError):
                raise ParseError(_("请求内容不是 UTF-8 编码的 JSON。")) from None
            # the one other ValueError of DRF's strict decoding
            raise ParseError(_("JSON 格式有误：NaN、Infinity 不是合法的 JSON 数值。")) from None
