"""Services and recorded reads take what they need (the actor, an ``Origin``), never a web request
(STYLE.md): they are called the same way from a page, the API, a scheduled job or a command."""

import importlib
import inspect
import pkgutil
import re
from types import ModuleType

import core

# Service modules named for their part of the domain rather than ``services``.
SERVICES_BY_DOMAIN_NAME = {"core.teamwork.messages", "core.teamwork.meetings"}
REQUEST_TYPE = re.compile(r"\b(HttpRequest|Request|WSGIRequest|ASGIRequest)\b")


def service_modules() -> list[ModuleType]:
    """Every ``services`` module or package member, and every ``recorded`` module, under core/."""
    names = [
        info.name
        for info in pkgutil.walk_packages(core.__path__, prefix="core.")
        if ".services" in info.name or info.name.endswith(".recorded") or info.name in SERVICES_BY_DOMAIN_NAME
    ]
    return [importlib.import_module(name) for name in sorted(names)]


def functions_of(module: ModuleType) -> list[tuple[str, object]]:
    found = []
    for name, value in vars(module).items():
        if inspect.isfunction(value) and value.__module__ == module.__name__:
            found.append((name, value))
        elif inspect.isclass(value) and value.__module__ == module.__name__:
            found += [(f"{name}.{attr}", member) for attr, member in vars(value).items() if inspect.isfunction(member)]
    return found


def test_no_service_or_recorded_read_takes_a_web_request() -> None:
    modules = service_modules()
    checked, offenders = 0, []
    for module in modules:
        for name, function in functions_of(module):
            checked += 1
            for parameter in inspect.signature(function).parameters.values():
                annotation = "" if parameter.annotation is inspect.Parameter.empty else str(parameter.annotation)
                if parameter.name == "request" or REQUEST_TYPE.search(annotation):
                    offenders.append(f"{module.__name__}.{name}({parameter.name})")
    assert {module.__name__ for module in modules} >= {
        "core.accounts.services.sign_in",
        "core.audit.services.events",
        "core.clients.services",
        "core.clients.recorded",
        "core.directory.services.invitations",
    }
    assert checked > 40, "the walk found too few functions to mean anything"
    assert offenders == []
