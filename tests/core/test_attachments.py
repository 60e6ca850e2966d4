import pytest
from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from zoneops.core.attachments import AttachmentField, attachment_response, clean_attachment


@pytest.mark.parametrize("name", ["说明.pdf", "照片.JPG", "合同.docx", "材料.zip", "公文.ofd"])
def test_accepted(name):
    f = SimpleUploadedFile(name, b"x")
    assert clean_attachment(f) is f


@pytest.mark.parametrize("name, message", [
    ("page.html", "类型不允许"), ("run.exe", "类型不允许"), ("noext", "类型不允许"), ("../../etc/passwd", "类型不允许"),
])
def test_refused_types(name, message):
    with pytest.raises(forms.ValidationError) as e:
        clean_attachment(SimpleUploadedFile(name, b"x"))
    assert message in str(e.value)


def test_size_limits(settings):
    settings.ZONEOPS_ATTACHMENT_MAX_MB = 1
    with pytest.raises(forms.ValidationError, match="超过 1 MB"):
        clean_attachment(SimpleUploadedFile("大.pdf", b"x" * (1024 * 1024 + 1)))
    with pytest.raises(forms.ValidationError, match="空文件"):
        clean_attachment(SimpleUploadedFile("空.pdf", b""))


def test_field_is_required_by_default():
    with pytest.raises(forms.ValidationError):
        AttachmentField().clean(None)
    assert AttachmentField(required=False).clean(None) is None


def test_response_is_a_nosniff_download(tmp_path, settings):
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("a.html.pdf", ContentFile(b"%PDF-1.4"))

    class Holder:
        pass

    from django.db.models.fields.files import FieldFile

    class Field:
        storage = None

    Field.storage = storage
    ff = FieldFile(Holder(), Field(), name)
    r = attachment_response(ff, "佐证.pdf")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in r["Content-Disposition"]
    assert b"".join(r.streaming_content) == b"%PDF-1.4"
    storage.delete(name)
    with pytest.raises(Http404):
        attachment_response(FieldFile(Holder(), Field(), name))
    with pytest.raises(Http404):
        attachment_response(None)
