"""A small HTTP client for tests against the app served on a loopback port.

Real cookies, real redirects left unfollowed (so each answer can be checked),
and a way to replay a cookie saved earlier, as an attacker with a copy would.
"""
from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Answer:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.text = status, headers, body.decode("utf-8", "replace")

    @property
    def location_path(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("Location", "")).path


class Browser:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, path: str, data: dict | None = None, cookie: str | None = None) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base_url + path, data=body)
        if cookie is not None:
            # A replayed cookie goes alone, past the jar.
            opener = urllib.request.build_opener(_NoRedirect)
            req.add_header("Cookie", cookie)
        else:
            opener = self.opener
        try:
            with opener.open(req, timeout=30) as response:
                return Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as err:
            return Answer(err.code, err.headers, err.read())

    def cookie(self, name: str) -> str:
        """`name=value` of a cookie the browser holds now."""
        for c in self.jar:
            if c.name == name:
                return f"{c.name}={c.value}"
        raise AssertionError(f"no {name} cookie held; have {[c.name for c in self.jar]}")

    def csrf_token(self, path: str) -> str:
        page = self.request(path)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) or \
            re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post_form(self, path: str, data: dict, token_from: str | None = None) -> Answer:
        return self.request(path, {**data, "csrf_token": self.csrf_token(token_from or path)})

    def log_in(self, email: str, password: str, remember: bool = False) -> Answer:
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        answer = self.post_form("/login", data)
        assert answer.status == 302, answer.text[:300]
        return answer
