"""The signed-in user's name as a sign-in proxy passes it, trusted only when told to."""

from __future__ import annotations

from collections.abc import Mapping

from csc_inequalities.settings import flag_setting

# Most readable first: oauth2-proxy's preferred username and e-mail (auth_request headers, or
# X-Forwarded-* in its reverse-proxy mode), then plain user ids, then ShinyProxy's.
USER_HEADERS = (
    "x-auth-request-preferred-username",
    "x-forwarded-preferred-username",
    "x-auth-request-email",
    "x-forwarded-email",
    "x-forwarded-user",
    "x-auth-request-user",
    "x-sp-userid",
)
MAX_NAME_LENGTH = 120


def proxy_user_trusted(environ: Mapping[str, str] | None = None) -> bool:
    """CSC_TRUST_PROXY_USER=1 says every request comes through a proxy that sets the headers."""
    return flag_setting("CSC_TRUST_PROXY_USER", environ)


def signed_in_user(headers: Mapping[str, str], trusted: bool) -> str | None:
    """The name to show, or None without a trusted proxy (anyone could send these headers)."""
    if not trusted:
        return None
    for header in USER_HEADERS:
        name = printable(headers.get(header, ""))
        if name:
            return name
    return None


def printable(value: str) -> str:
    """The value without control characters, trimmed to a length a page header can show."""
    cleaned = "".join(ch for ch in value if ch.isprintable()).strip()
    return cleaned[:MAX_NAME_LENGTH]
