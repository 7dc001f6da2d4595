# Writes the attachment merino-py's amo-rs-uploader makes when AMO answers every add-on with
# the fake's icon (loaders/amo/amotest.Icon), an average of 4.5586 and the static rating
# counts: merino-py's own merge (ADDON_DATA | dynamic, "title" for "name", sorted lower-case
# keywords, score 0.25), in SupportedAddon order, add-ons without keywords left out.
# Usage: python3 golden.py <merino-py checkout at 690d625d> > amo-suggestions-0-7.json
import importlib.util, json, sys, types

root = sys.argv[1]
# Load the two modules by path: merino-py's package __init__ files import its whole runtime.
for pkg in ["merino", "merino.providers", "merino.providers.suggest", "merino.providers.suggest.amo", "merino.providers.suggest.amo.backends"]:
    sys.modules[pkg] = types.ModuleType(pkg)
protocol = types.ModuleType("merino.providers.suggest.amo.backends.protocol")
protocol.Addon = object
sys.modules[protocol.__name__] = protocol
def load(name, path):
    spec = importlib.util.spec_from_file_location(name, f"{root}/{path}")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod
data = load("merino.providers.suggest.amo.addons_data", "merino/providers/suggest/amo/addons_data.py")
static = load("merino.providers.suggest.amo.backends.static", "merino/providers/suggest/amo/backends/static.py")
ADDON_DATA, ADDON_KEYWORDS, STATIC_RATING_AND_ICONS = data.ADDON_DATA, data.ADDON_KEYWORDS, static.STATIC_RATING_AND_ICONS
out = []
for addon, data in ADDON_DATA.items():
    if addon not in ADDON_KEYWORDS:
        continue
    dynamic = {"icon": f"https://addons.mozilla.org/user-media/addon_icons/{addon.value}-64.png?modified=1",
               "rating": f"{4.5586:.1f}", "number_of_ratings": STATIC_RATING_AND_ICONS[addon]["number_of_ratings"]}
    s = data | dynamic
    s["title"] = s["name"]
    del s["name"]
    s["keywords"] = sorted([kw.lower() for kw in ADDON_KEYWORDS[addon]])
    s |= {"score": 0.25}
    out.append(s)
sys.stdout.write(json.dumps(out))
