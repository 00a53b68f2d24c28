"""志愿服务证明: frozen hours, a PDF with a QR, a public check that notices a changed record."""

from django.test import Client

from tests.culture.conftest import served
from wanghua.culture import services
from wanghua.culture.models import ServiceCertificate


def test_a_volunteer_prints_a_certificate_that_verifies(culture, world, client_for):
    served(culture.person, culture.team, world.community1, "3.5", title="学雷锋义诊")
    client = client_for(culture.volunteer)
    response = client.post("/culture/me/certificate/")
    certificate = ServiceCertificate.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/culture/certificates/{certificate.pk}.pdf"
    pdf = client.get(response["Location"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert certificate.content["hours"] == "3.50" and certificate.number.startswith("ZYFW")
    check = Client().get(certificate.verify_path())
    assert check.status_code == 200 and 'data-intact="1"' in check.content.decode()
    assert "志愿者甲" in check.content.decode()


def test_a_tampered_certificate_fails_its_check(culture, world):
    served(culture.person, culture.team, world.community1, "2")
    certificate = services.issue_certificate(culture.volunteer)
    ServiceCertificate.objects.filter(pk=certificate.pk).update(content={**certificate.content, "hours": "200.00"})
    assert 'data-intact="0"' in Client().get(certificate.verify_path()).content.decode()


def test_no_certificate_without_hours(culture, client_for):
    response = client_for(culture.volunteer).post("/culture/me/certificate/")
    assert response.status_code == 400 and "志愿服务时长" in response.content.decode()
    assert ServiceCertificate.objects.count() == 0


def test_another_volunteer_cannot_open_the_pdf(culture, world, make_user, client_for):
    served(culture.person, culture.team, world.community1, "2")
    certificate = services.issue_certificate(culture.volunteer)
    stranger = make_user("volunteer2", "volunteer", unit=culture.team)
    assert client_for(stranger).get(f"/culture/certificates/{certificate.pk}.pdf").status_code == 404


def test_the_community_opens_its_volunteers_pdf_and_no_other_community_does(culture, world, client_for):
    served(culture.person, culture.team, world.community1, "2")
    certificate = services.issue_certificate(culture.volunteer)
    path = f"/culture/certificates/{certificate.pk}.pdf"
    assert client_for(culture.secretary).get(path).status_code == 200
    assert client_for(culture.other_secretary).get(path).status_code == 404
