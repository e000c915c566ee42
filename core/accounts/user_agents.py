"""A browser's user-agent string as a person would name it: "Firefox on Windows", "Safari on iPhone"."""

from functools import lru_cache

from ua_parser import parse

UNKNOWN = "an unknown browser"

# ua-parser's browser families, folded into the name a person knows (its mobile and iOS builds are the same
# browser to them). A family not listed here is shown as ua-parser names it.
_BROWSERS = {
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "Chrome",
    "HeadlessChrome": "Chrome",
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari",
    "Edge Mobile": "Edge",
    "Opera Mobile": "Opera",
}
_SYSTEMS = {
    "Mac OS X": "macOS",
    "Chrome OS": "ChromeOS",
}
_APPLE_DEVICES = ("iPhone", "iPad", "iPod")


@lru_cache(maxsize=512)
def user_agent_describe(user_agent: str) -> str:
    """The browser and system a user-agent string names, in words; "an unknown browser" when it names neither.

    Parsing is many regular expressions, so results are kept (bounded): a person's sessions come from the same
    few browsers."""
    parsed = parse(user_agent or "")
    family = parsed.user_agent.family if parsed.user_agent else None
    system = parsed.os.family if parsed.os else None
    browser = _BROWSERS.get(family, family) if family and family != "Other" else None
    if system == "iOS" and parsed.device and parsed.device.family in _APPLE_DEVICES:
        system = parsed.device.family
    system = _SYSTEMS.get(system, system) if system and system != "Other" else None
    if browser and system:
        return f"{browser} on {system}"
    if browser:
        return browser
    if system:
        return f"a browser on {system}"
    return UNKNOWN
