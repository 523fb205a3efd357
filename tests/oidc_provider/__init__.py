"""Run the tests' OpenID Connect provider (see ``settings``) in a process of its own, and
talk to it: register clients, and sign in as a person to get real tokens."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

ROOT = Path(__file__).resolve().parents[2]
# People with accounts at the provider: (username, e-mail, first name, last name).
PEOPLE = [
    ("invited", "invited.nurse@trust.example", "Ines", "Vited"),
    ("staff", "new.starter@trust.example", "Nia", "Starter"),
    ("stranger", "stranger@elsewhere.example", "Stan", "Ranger"),
    ("leaver", "leaver@trust.example", "Lee", "Ver"),
    ("member", "member@trust.example", "Mel", "Member"),
]
PASSWORD = "provider-password"


def _free_port() -> int:
    wanted = os.environ.get("RIPPLE_TEST_OIDC_PORT")
    if wanted:
        return int(wanted)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rsa_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


class Provider:
    """A running provider at ``issuer``; ``stop()`` ends it."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.base}/o"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
            "OIDC_PROVIDER_DB": str(folder / "provider.sqlite3"),
            "OIDC_PROVIDER_KEY": _rsa_key(),
            "OIDC_PROVIDER_ISSUER": self.issuer,
            "PYTHONPATH": str(ROOT),
        }
        self._manage("migrate", "--noinput", "-v", "0")
        people = ";".join(
            f"User.objects.create_user({name!r}, {email!r}, {PASSWORD!r}, "
            f"first_name={first!r}, last_name={last!r})"
            for name, email, first, last in PEOPLE
        )
        self._manage("shell", "-c", f"from django.contrib.auth.models import User; {people}")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait()

    def _manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "django", *args], cwd=ROOT, env=self.env, check=True)

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the test OpenID provider did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def register_client(self, client_id: str, secret: str, redirect_uri: str) -> None:
        """A relying party (a confidential client using the code flow, RS256 ID tokens)."""
        self._manage(
            "createapplication",
            "confidential",
            "authorization-code",
            "--client-id",
            client_id,
            "--client-secret",
            secret,
            "--redirect-uris",
            redirect_uri,
            "--name",
            client_id,
            "--skip-authorization",
            "--algorithm",
            "RS256",
        )

    def signed_in(self, username: str) -> requests.Session:
        """A browser-like session signed in at the provider as ``username``."""
        session = requests.Session()
        login = f"{self.base}/accounts/login/"
        session.get(login, timeout=10)
        response = session.post(
            login,
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
                "next": "/o/",
            },
            headers={"Referer": login},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text
        return session

    def authorize(self, session: requests.Session, url: str) -> str:
        """Follow an authorisation request as the signed-in person; the redirect back."""
        response = session.get(url, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def tokens(
        self, username: str, *, client_id: str, secret: str, redirect_uri: str, nonce: str
    ) -> dict:
        """Real tokens for ``username`` through the code flow with PKCE, as a relying party
        gets them."""
        verifier = secrets.token_urlsafe(48)
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        query = urlencode(
            {
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "scope": "openid email profile",
                "state": "state",
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        back = self.authorize(self.signed_in(username), f"{self.issuer}/authorize/?{query}")
        code = parse_qs(urlsplit(back).query)["code"][0]
        response = requests.post(
            f"{self.issuer}/token/",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": client_id,
                "client_secret": secret,
                "code_verifier": verifier,
            },
            timeout=10,
        )
        response.raise_for_status()
        return response.json()
