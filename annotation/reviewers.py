"""Reviewers: a team in Label Studio Community Edition.

The Community Edition signs people up by invite link only (the API can create a user but not
give them a password, so such an account could never log in). `invite` checks each e-mail,
says who is already a member, and prints the organisation's invite link with what each new
reviewer does next. The project sends every task to `RABAT_LS_OVERLAP` reviewers (setup).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from label_studio_sdk import LabelStudio

from annotation.client import call
from annotation.project import find_project
from annotation.settings import Settings

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def members(client: LabelStudio, settings: Settings) -> dict[str, int]:
    """The organisation's members: e-mail (lower case) -> user id."""

    def fetch() -> dict[str, int]:
        users: Any = client.users.list()
        return {str(u.email).lower(): int(u.id) for u in users if u.email}

    return call(settings, "list users", fetch, read=True)


def invite_link(client: LabelStudio, settings: Settings) -> str:
    """The organisation's sign-up link (absolute)."""
    found: Any = call(
        settings,
        "get the invite link",
        lambda: client.organizations.invites.get_invite_link(),
        read=True,
    )
    return f"{settings.base_url.rstrip('/')}{found.invite_url}"


def invite(client: LabelStudio, settings: Settings, emails: Sequence[str]) -> list[str]:
    """Lines to print: per e-mail, whether they are in, and what they do next."""
    bad = [e for e in emails if not EMAIL.match(e)]
    if bad:
        raise ValueError(f"not an e-mail address: {', '.join(bad)} (expected name@domain.tld)")
    known = members(client, settings)
    project = find_project(client, settings)
    where = (
        f"{settings.base_url}/projects/{project.id}"
        if project is not None
        else f"{settings.base_url} (no project {settings.project!r} yet: run setup)"
    )
    new = [e for e in emails if e.lower() not in known]
    lines = [
        f"{e}: already a member (user {known[e.lower()]}): log in at {settings.base_url} and "
        f"open {where}"
        for e in emails
        if e.lower() in known
    ]
    if new:
        link = invite_link(client, settings)
        lines.append(f"invite link (send it to each new reviewer, privately): {link}")
        lines += [
            f"{e}: open the invite link, sign up with {e} and a password of your own, then "
            f"open {where} and press Label All Tasks"
            for e in new
        ]
        lines.append(
            "anyone with the link can join: after the team has signed up, reset it in "
            "Organization > Invite People > Reset link"
        )
    return lines
