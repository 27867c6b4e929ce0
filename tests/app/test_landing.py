from __future__ import annotations

from flask.testing import FlaskClient

from app.pages import PAGES


def test_the_landing_page_links_every_page_in_the_registry(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    for page in PAGES:
        assert f'href="{page.path}"' in html and page.title_en in html
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "<script" not in html
    assert "http://" not in html.replace("http://rabta.test", ""), "no asset from another origin"
    stylesheet = client.get("/landing/static/landing.css")
    assert stylesheet.status_code == 200
    stylesheet.close()


def test_the_landing_page_speaks_urdu_right_to_left(client: FlaskClient) -> None:
    html = client.get("/", headers={"Accept-Language": "ur"}).get_data(as_text=True)
    assert 'lang="ur" dir="rtl"' in html and "API کی دستاویزات" in html
    english = client.get("/?lang=en", headers={"Accept-Language": "ur"}).get_data(as_text=True)
    assert 'lang="en" dir="ltr"' in english and "API documentation" in english
