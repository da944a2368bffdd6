"""The settings build the jobs' parameters by field name: a parameter and a setting cannot drift apart."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import pytest
from pydantic import BaseModel, TypeAdapter

from kalshi_bots.config import VARIABLES, Settings, Variable
from kalshi_bots.config.parsers import BadValueError
from kalshi_bots.config.sections import StoreSettings
from kalshi_bots.config.setting import Reasons, Section, Sources, params_drift, setting
from kalshi_bots.domain.hourly_model import hourly_model
from kalshi_bots.domain.models import BudgetLimits
from kalshi_bots.domain.params import AlertParams, EdgeParams, HourlyParams, JobParams, RecorderParams
from kalshi_bots.domain.weather_model import WeatherParams


def sections(kind: type[BaseModel] = Settings) -> list[type[Section]]:
    """``kind`` and every section nested in it (walked here, not by the code under test)."""
    found = [kind] if issubclass(kind, Section) else []
    for info in kind.model_fields.values():
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            found += sections(info.annotation)
    return found


def test_every_section_agrees_with_the_parameters_it_builds():
    problems = [problem for kind in sections() for problem in params_drift(kind)]
    assert not problems, "\n".join(problems)


def test_every_parameter_value_of_the_jobs_comes_from_a_section():
    built = {kind.PARAMS for kind in sections() if kind.PARAMS is not None}
    assert built == {
        JobParams,
        HourlyParams,
        hourly_model,
        WeatherParams,
        BudgetLimits,
        RecorderParams,
        EdgeParams,
        AlertParams,
    }


def by_name_settings() -> list[tuple[type[Section], str]]:
    """(section, field) for every setting that is an argument of its section's dataclass by name."""
    found = []
    for kind in sections():
        if kind.PARAMS is None or not dataclasses.is_dataclass(kind.PARAMS):
            continue
        arguments = {f.name for f in dataclasses.fields(kind.PARAMS)}
        for name, info in kind.model_fields.items():
            nested = isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
            if name in arguments and name not in kind.DERIVED and not nested:
                found.append((kind, name))
    return found


@pytest.mark.parametrize(("kind", "name"), by_name_settings(), ids=lambda x: getattr(x, "__name__", x))
def test_each_setting_lands_in_the_parameter_of_the_same_name(kind, name):
    marker = object()  # the dataclasses do not validate: whatever the setting holds is what the job reads
    params = kind().model_copy(update={name: marker}).params()
    assert getattr(params, name) is marker


def test_the_trading_settings_are_all_checked_by_name():
    checked = {(kind.__name__, name) for kind, name in by_name_settings()}
    assert ("HourlySettings", "min_edge") in checked and ("WeatherSettings", "cities") in checked
    assert ("Settings", "max_price_jump_pct") in checked and ("AlertSettings", "error_streak") in checked
    assert len(checked) >= 20


# --- the checker itself catches each way of drifting ----------------------------------------------


@dataclasses.dataclass(frozen=True)
class ToyParams:
    edge: float = 0.1
    size: int = 1
    timeout: int = 30


def toy(fixed: Reasons | None = None, derived: Sources | None = None, elsewhere: Reasons | None = None):
    class Toy(Section):
        PARAMS = ToyParams
        FIXED: ClassVar[Reasons] = fixed or {}
        DERIVED: ClassVar[Sources] = derived or {}
        ELSEWHERE: ClassVar[Reasons] = elsewhere or {}

        edge: float = setting("TOY_EDGE", float, 0.2, "Toy edge.")
        size: int = setting("TOY_SIZE", int, 2, "Toy size.")

    return Toy


def test_a_parameter_without_a_setting_or_a_reason_is_drift():
    [problem] = params_drift(toy())
    assert "timeout is neither a setting, nor derived, nor FIXED" in problem
    assert params_drift(toy(fixed={"timeout": "not a knob"})) == []


def test_a_setting_that_reaches_no_parameter_is_drift():
    class Extra(toy(fixed={"timeout": "not a knob"})):
        colour: str = setting("TOY_COLOUR", str, "red", "Toy colour.")

    [problem] = params_drift(Extra)
    assert "field colour reaches no argument" in problem


def test_reasons_and_sources_must_name_real_fields():
    problems = params_drift(toy(fixed={"timeout": "x", "gone": "y"}, elsewhere={"missing": "z"}))
    assert any("gone is listed in FIXED or DERIVED but is no argument" in p for p in problems)
    assert any("missing is listed in DERIVED or ELSEWHERE but is no field" in p for p in problems)
    both = params_drift(toy(fixed={"timeout": "x", "edge": "y"}))
    assert any("edge is a setting and FIXED" in p for p in both)


def test_by_name_params_of_a_toy_section():
    assert toy(fixed={"timeout": "x"})(edge=0.5).params() == ToyParams(edge=0.5, size=2, timeout=30)


def test_a_copy_with_a_field_the_settings_do_not_have_is_refused():
    settings = Settings.from_env({})
    with pytest.raises(TypeError, match="Settings has no field nws_contact"):
        settings.model_copy(update={"nws_contact": "a@b.c"})  # the layout before the sections
    with pytest.raises(TypeError, match="StoreSettings has no field path"):
        settings.store.model_copy(update={"path": "x.db"})
    assert settings.model_copy(update={"trade_eth": True}).trade_eth is True


def test_a_section_without_parameters_builds_none():
    with pytest.raises(TypeError, match="StoreSettings builds no parameters"):
        StoreSettings().params()


# --- from_env assembles the parsed values without validating them again: each parser must return
# exactly the field's type (an enum member, not its text; a Decimal, not a float) ---------------------

SAMPLES = ("https://example.com/hook", "ops@example.com")  # for settings unset by default


def parsed_examples() -> list[tuple[Variable, object]]:
    found = []
    for var in VARIABLES:
        raws = [var.default_text] if var.default_text else list(SAMPLES)
        for raw in raws:
            try:
                found.append((var, var.parse(raw)))
                break
            except BadValueError:
                continue
        else:
            pytest.fail(f"no example value parses for {var.name}")
    return found


@pytest.mark.parametrize(("var", "value"), parsed_examples(), ids=lambda x: getattr(x, "name", ""))
def test_each_parser_returns_exactly_the_field_type(var, value):
    kind: type[BaseModel] = Settings
    for name in var.path[:-1]:
        kind = kind.model_fields[name].annotation
    annotation = kind.model_fields[var.path[-1]].annotation
    TypeAdapter(annotation).validate_python(value, strict=True)  # no coercion: the type itself


def test_settings_from_the_environment_equal_the_validated_ones(tmp_path):
    key = tmp_path / "k.pem"
    key.write_text("x")
    env = {var.name: var.text(value) for var, value in parsed_examples() if not var.secret}
    env |= {
        "KALSHI_BOTS_MODE": "demo",
        "KALSHI_BOTS_STORE": "dynamodb",
        "KALSHI_BOTS_KALSHI_PRIVATE_KEY_PATH": str(key),
        "KALSHI_BOTS_API_TOKEN": "tok",
    }
    settings = Settings.from_env(env)
    assert settings.store.dynamodb_endpoint_url == "https://example.com/hook"  # the samples reached it
    validated = Settings.model_validate(settings.model_dump())
    assert validated == settings
    for var in VARIABLES:
        assert type(var.value_in(validated)) is type(var.value_in(settings)), var.name
