"""Schemathesis hooks for Tsuna: real sample files for the multipart file fields.

The server recognises uploads from their first bytes (SPEC section 7), so random bytes are always refused.
The document names the accepted types in each file field's `encoding.contentType`; these strategies give
schemathesis a small valid file of each type, so valid requests really are valid.
"""
import schemathesis
from hypothesis import strategies as st

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
SAMPLES = {
    "image/png": PNG,
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9",
    "image/gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    "image/webp": b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00",
    "video/mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 32,
    "video/quicktime": b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 32,
    "video/webm": b"\x1a\x45\xdf\xa3" + b"\x00" * 40,
    "video/x-matroska": b"\x1a\x45\xdf\xa3" + b"\x00" * 40,
    "video/ogg": b"OggS" + b"\x00" * 40,
    "audio/mpeg": b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 32,
    "audio/aac": b"\xff\xf1\x50\x80\x00\x1f\xfc" + b"\x00" * 32,
    "audio/flac": b"fLaC" + b"\x00" * 40,
    "audio/ogg": b"OggS" + b"\x00" * 40,
    "audio/wav": b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32,
    "audio/mp4": b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom" + b"\x00" * 32,
}

for media_type, sample in SAMPLES.items():
    schemathesis.openapi.media_type(media_type, st.just(sample))


FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


@schemathesis.hook
def filter_case(context, case):
    """Skip two kinds of generated case that prove nothing about the server:

    - the coverage case "Multipart body with custom encoding" sends every required text field of a form with a
      file as "" whatever its schema says (minLength 1), yet counts the request as valid;
    - a negative form case whose only change is a field turned into an object or an array: a form part is text,
      so what goes on the wire is that value's JSON text, which a text field rightly takes.
    """
    data = getattr(getattr(case.meta, "phase", None), "data", None)
    if getattr(data, "description", None) == "Multipart body with custom encoding":
        return not (isinstance(case.body, dict) and "" in case.body.values())
    mutations = getattr(data, "mutations", None) or []
    if case.media_type in FORMS and mutations and all(
        getattr(m, "operator", None) == "change_type" and getattr(m, "new_value", None) in ("object", "array")
        for m in mutations
    ):
        return False
    return True
