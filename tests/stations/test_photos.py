"""Receipt photos: real images only, 5 MB at most, served through the access rules."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wanghua.stations import services
from wanghua.stations.models import ErrandAttachment


def png(size=(20, 20)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def errand(desk):
    return services.accept_errand(desk.agent, resident=desk.resident, category="shopping", description="买药")


def test_photo_upload_and_serving(desk, errand, client_for):
    client = client_for(desk.agent)
    response = client.post(f"/services/errands/{errand.pk}/photos/",
                           {"image": SimpleUploadedFile("receipt.gif", png(), "image/gif"), "caption": "小票"})
    assert response.status_code == 302
    attachment = ErrandAttachment.objects.get()
    assert attachment.image_format == "png" and attachment.image.name.endswith(".png")
    served = client.get(f"/services/photos/{attachment.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png()
    assert client_for(desk.other_agent).get(f"/services/photos/{attachment.pk}/").status_code == 404


@pytest.mark.parametrize("content,name", [
    (b"%PDF-1.4 not an image", "receipt.jpg"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "receipt.png"),
    (png()[:40], "broken.png"),
])
def test_files_that_are_not_photos_are_refused(desk, errand, client_for, content, name):
    response = client_for(desk.agent).post(f"/services/errands/{errand.pk}/photos/",
                                           {"image": SimpleUploadedFile(name, content, "image/png")})
    assert response.status_code == 400 and "不是 JPEG、PNG 或 WebP 照片" in response.content.decode()
    assert not ErrandAttachment.objects.exists()


def test_oversized_photo_is_refused(desk, errand):
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 1), "image/png")
    with pytest.raises(Exception, match="5 MB"):
        services.attach_photo(desk.agent, errand.pk, big)
    assert not ErrandAttachment.objects.exists()


def test_photo_through_the_api(desk, errand, client_for):
    client = client_for(desk.agent)
    response = client.post(f"/api/v1/services/errands/{errand.pk}/photos",
                           {"image": SimpleUploadedFile("r.png", png(), "image/png"), "caption": "发票"})
    assert response.status_code == 201 and response.json()["caption"] == "发票"
    refused = client.post(f"/api/v1/services/errands/{errand.pk}/photos",
                          {"image": SimpleUploadedFile("r.png", b"nope", "image/png")})
    assert refused.status_code == 400
