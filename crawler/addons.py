"""Scrapy add-ons that derive settings from other settings once all overrides are known."""

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings


class ContactAddon:
    """Append ``ARCHIVE_CONTACT`` to ``USER_AGENT`` so site owners can reach the operator.

    This runs as an add-on, after ``-s`` overrides are in place, so a contact given on the
    command line counts too. A ``USER_AGENT`` the user set explicitly (above the project's
    priority, e.g. with ``-s USER_AGENT=...``) is left exactly as given.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        contact = (settings.get("ARCHIVE_CONTACT") or "").strip()
        priority = settings.getpriority("USER_AGENT") or 0
        if not contact or priority > SETTINGS_PRIORITIES["project"]:
            return
        agent = settings.get("USER_AGENT") or ""
        settings.set("USER_AGENT", with_contact(agent, contact), priority=priority)


def with_contact(agent: str, contact: str) -> str:
    """``"name/1.0 (+url)"`` gives ``"name/1.0 (+url; contact)"``; others get ``(contact)``."""
    if agent.endswith(")"):
        return f"{agent[:-1]}; {contact})"
    return f"{agent} ({contact})".strip()
