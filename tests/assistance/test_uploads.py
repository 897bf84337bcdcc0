"""Supporting documents are checked (type, size, content) before anything is stored."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from assistance import uploads

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
ALL_TYPES = ["pdf", "docx", "xlsx", "odt", "ods", "png", "jpg"]


def zipped(members: dict[str, bytes], *, encrypted: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    data = bytearray(buffer.getvalue())
    if encrypted:
        # Set the "encrypted" flag that password-protected members carry (Python writes no such zip),
        # in each local header (offset 6) and central directory entry (offset 8).
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            start = data.find(signature)
            while start != -1:
                data[start + offset] |= 0x1
                start = data.find(signature, start + 4)
    return bytes(data)


def docx(**extra: bytes) -> bytes:
    return zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>", **extra})


def xlsx() -> bytes:
    return zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def odf(mimetype: str, **extra: bytes) -> bytes:
    return zipped({"mimetype": mimetype.encode(), "content.xml": b"<office:document-content/>", **extra})


def check(name: str, content: bytes, *, types=ALL_TYPES, limit_mb: int = 10):
    return uploads.check_upload(SimpleUploadedFile(name, content), upload_types=types, max_upload_mb=limit_mb)


def refused(name: str, content: bytes, **kw) -> str:
    with pytest.raises(ValidationError) as error:
        check(name, content, **kw)
    return " ".join(error.value.messages)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Survey plan.pdf", PDF, "application/pdf"),
        ("map.PNG", PNG, "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("budget.docx", docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("budget.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("plan.odt", odf("application/vnd.oasis.opendocument.text"), "application/vnd.oasis.opendocument.text"),
        (
            "costs.ods",
            odf("application/vnd.oasis.opendocument.spreadsheet"),
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
    ],
)
def test_real_documents_are_accepted_with_the_content_type_of_their_format(name, content, content_type):
    checked = check(name, content)
    assert checked.content_type == content_type
    assert checked.size == len(content)
    assert checked.name == name


def test_a_type_not_accepted_is_refused_naming_the_file_and_the_accepted_types():
    message = refused("x.exe", b"MZ\x90\x00")
    assert message == "“x.exe” is not an accepted type: PDF, DOCX, XLSX, ODT, ODS, PNG, JPG."
    assert "not an accepted type: PDF." in refused("plan.docx", docx(), types=["pdf"])
    assert "not an accepted type" in refused("no-extension", PDF)


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit():
    big = PDF + b"0" * int(14.2 * 1024 * 1024)
    assert refused("big.pdf", big) == "“big.pdf” is 14.2 MB; the limit is 10 MB."
    assert check("big.pdf", big, limit_mb=15).size == len(big)


def test_an_empty_file_is_refused():
    assert refused("empty.pdf", b"") == "“empty.pdf” is empty."


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", b"MZ\x90\x00 this is a program"),
        ("picture.png", JPEG),
        ("picture.jpg", PNG),
        ("report.docx", PDF),
        ("report.docx", xlsx()),  # a workbook renamed
        ("sheet.xlsx", docx()),
        ("text.odt", odf("application/vnd.oasis.opendocument.spreadsheet")),
        ("text.odt", zipped({"content.xml": b"<x/>"})),  # no mimetype member
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(name, content):
    assert "content does not match its extension" in refused(name, content)


def test_macro_enabled_documents_are_refused():
    assert "contains macros" in refused("budget.docx", docx(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}))
    assert "contains macros" in refused(
        "plan.odt", odf("application/vnd.oasis.opendocument.text", **{"Basic/Standard/Module1.xml": b"<x/>"})
    )


def test_encrypted_and_broken_archives_are_refused():
    assert "damaged or encrypted" in refused(
        "secret.docx", zipped({"word/document.xml": b"<w:document/>"}, encrypted=True)
    )
    assert "damaged or encrypted" in refused("broken.docx", b"PK\x03\x04" + b"\x00" * 100)
    assert "damaged or encrypted" in refused("cut.xlsx", xlsx()[:-30])
    # Office's password protection wraps the document in an OLE container.
    assert "password-protected" in refused("locked.xlsx", uploads.OLE_MAGIC + b"\x00" * 64)
    assert "damaged or encrypted" in refused(
        "locked.odt",
        odf(
            "application/vnd.oasis.opendocument.text",
            **{"META-INF/manifest.xml": b"<manifest:encryption-data manifest:checksum-type='SHA1'/>"},
        ),
    )


def test_a_zip_bomb_is_refused_before_it_is_read_through(monkeypatch):
    monkeypatch.setattr(uploads, "ZIP_MAX_UNPACKED", 1000)
    assert "damaged or encrypted" in refused("big.docx", docx(**{"word/media/filler.bin": b"0" * 5000}))


def test_the_name_is_kept_without_folders_or_control_characters():
    assert check("../../etc/passwd.pdf", PDF).name == "passwd.pdf"
    assert check("C:\\Users\\me\\Plan d’action 2027.pdf", PDF).name == "Plan d’action 2027.pdf"
    assert check('bad\x00"name<>.pdf', PDF).name == "bad_name__.pdf"
    long = check("a" * 300 + ".pdf", PDF).name
    assert len(long) == 200 and long.endswith(".pdf")
    assert check(".pdf", PDF).name == "document.pdf"


def test_the_file_can_be_read_again_after_the_checks():
    upload = SimpleUploadedFile("budget.docx", docx())
    uploads.check_upload(upload, upload_types=ALL_TYPES, max_upload_mb=10)
    assert upload.read(4) == b"PK\x03\x04"


def test_validate_upload_types_names_the_unknown_types():
    uploads.validate_upload_types(["pdf", "DOCX", ".jpeg", "png"])
    with pytest.raises(ValidationError) as error:
        uploads.validate_upload_types(["pdf", "exe", "docm"])
    message = " ".join(error.value.messages)
    assert "exe, docm" in message and "pdf, docx, xlsx" in message
    with pytest.raises(ValidationError):
        uploads.validate_upload_types([])
    with pytest.raises(ValidationError):
        uploads.validate_upload_types("pdf")  # a string, not a list
    assert set(uploads.KNOWN_TYPES) == set(ALL_TYPES)


def test_the_isu_cannot_accept_a_document_type_the_portal_cannot_check(reference_data):
    from django.core.exceptions import ValidationError

    from assistance.models import AssistanceSettings

    settings_row = AssistanceSettings.current()
    settings_row.upload_types = ["pdf", "exe"]
    with pytest.raises(ValidationError) as error:
        settings_row.full_clean()
    assert "exe" in " ".join(error.value.message_dict["upload_types"])
    settings_row.upload_types = ["pdf", "jpeg"]
    settings_row.full_clean()
