#!/usr/bin/env python3
"""Derive the fake AccuWeather's response bodies from merino-py's unit test fixtures.

Usage (from the repository root):
    git -C /work/.mirror/mozilla-services+merino-py/repo show \
        HEAD:tests/unit/providers/suggest/weather/backends/test_accuweather.py \
      | python3 suggest/weather/weathertest/testdata/gen_fixtures.py suggest/weather/weathertest/testdata

Only literals are read (ast.literal_eval); no test code is executed. The hourly list is
rebuilt the way merino-py's fixture_accuweather_hourly_forecast_response builds it.
"""
import ast
import json
import os
import sys

out_dir = sys.argv[1]
tree = ast.parse(sys.stdin.read())
funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def literal(fn_name):
    """The first dict/list literal returned or assigned in a fixture function."""
    for node in ast.walk(funcs[fn_name]):
        value = None
        if isinstance(node, (ast.Return, ast.Assign, ast.AnnAssign)):
            value = node.value
        if isinstance(value, ast.Call) and value.args:  # orjson.dumps(...)
            value = value.args[0]
        if isinstance(value, (ast.List, ast.Dict)):
            return ast.literal_eval(value)
    raise SystemExit("no literal in " + fn_name)


def write(name, obj):
    with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


locations = literal("fixture_accuweather_location_response")
write("locations_san_francisco.json", locations)
write("currentconditions_39376.json", literal("fixture_accuweather_current_conditions_response"))
forecast = literal("fixture_accuweather_forecast_response")
forecast["DailyForecasts"][0]["Temperature"] = {
    "Minimum": {"Value": 13.9, "Unit": "C", "UnitType": 17},
    "Maximum": {"Value": 21.1, "Unit": "C", "UnitType": 17},
}
write("forecast_39376_celsius.json", forecast)
write("autocomplete_new.json", literal("fixture_location_completion_sample_cities"))
hourly = []
base_time = 1708281600
for i in range(12):
    hour = 14 + i
    hourly.append({
        "DateTime": f"2026-02-18T{hour:02d}:00:00-05:00",
        "EpochDateTime": base_time + (i * 3600),
        "Temperature": {"Unit": "F", "Value": 60 + i},
        "WeatherIcon": 6,
        "IconPhrase": "Sunny",
        "Link": f"http://www.accuweather.com/en/us/san-francisco/94105/hourly-weather-forecast/39376?day=1&hbhhour={hour}&lang=en-us",
    })
write("hourly_39376.json", hourly)
