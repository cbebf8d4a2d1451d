import pytest
from tests.lms.scim.conftest import user_body

pytestmark = pytest.mark.django_db


def test_create_and_read(scim):
    r = scim.send("post", "/scim/v2/Users", user_body("ana@example.com"))
    print(r.status_code, r.content)
    assert r.status_code == 201
    r2 = scim.send("get", "/scim/v2/Users?filter=userName%20eq%20%22ana@example.com%22")
    print(r2.content)
    assert r2.json()["totalResults"] == 1
    r3 = scim.send("get", "/scim/v2/Schemas")
    assert r3.status_code == 200
    assert scim.send("get", "/scim/v2/Nope").status_code == 404
