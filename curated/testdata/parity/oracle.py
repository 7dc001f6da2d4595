"""Computes merino-py's own answers to the sections requests in cases.json (golden.json).

merino-py's curated_recommendations package is imported from a checkout at the commit the
reference describes (690d625d7b0617d577e7f6ded579c7f891f880be), its services (GCS, HTTP,
statsd, Sentry, the ML tier) stubbed out, and run on the offline bundle (data/curated) with
every random draw pinned as merino-go's sampler.Fixed(u) pins it: Beta draws are their means,
uniform draws are u, integer draws floor(u*n); the clock is NOW. merino-go's TestMerinoPyParity
replays the cases and compares.

Needs Python 3.11+, pydantic 2 and numpy (Debian: python3-numpy works through NUMPY_PATH).

    python3 curated/testdata/parity/oracle.py --merino-py /path/to/merino-py \
        > curated/testdata/parity/golden.json
"""
import argparse, asyncio, bisect, json, os, sys, types
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLE = os.path.join(HERE, "..", "..", "..", "data", "curated")
NOW = datetime.fromisoformat("2026-06-15T12:00:00+00:00")

ap = argparse.ArgumentParser()
ap.add_argument("--merino-py", required=True, help="a merino-py checkout (its merino/ directory is imported)")
ap.add_argument("--numpy-path", default=os.environ.get("NUMPY_PATH", ""), help="a directory holding numpy/")
args = ap.parse_args()
if args.numpy_path:
    sys.path.insert(0, args.numpy_path)
sys.path.insert(0, args.merino_py)


def stub(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m


class Anything(float):
    """Stands in for settings and clients merino-py reads at import time."""
    def __new__(cls, *a, **k): return float.__new__(cls, 1.0)
    def __init__(self, *a, **k): pass
    def __getattr__(self, k): return Anything()
    def __call__(self, *a, **k): return Anything()


identity = lambda *a, **k: (lambda f: f)
stub("merino.configs", settings=Anything())
stub("merino.exceptions", BackendError=type("BackendError", (Exception,), {}))
stub("merino.providers")
stub("merino.providers.manifest", Provider=Anything, get_provider=Anything)
stub("merino.utils")
stub("merino.utils.gcs", initialize_storage_client=Anything)
stub("merino.utils.metrics", get_metrics_client=Anything)
stub("merino.utils.synced_gcs_blob", SyncedGcsBlob=Anything)
stub("merino_common")
stub("merino_common.utils")
stub("merino_common.utils.http_client", create_http_client=Anything)
stub("merino_common.utils.version", fetch_app_version_from_file=Anything)
stub("sentry_sdk", capture_message=Anything)
stub("safetensors", safe_open=None)
stub("aiodogstatsd", Client=Anything)
stub("circuitbreaker", CircuitBreaker=type("CircuitBreaker", (), {"__init__": lambda s, *a, **k: None, "__call__": lambda s, f: f}))
stub("httpx", AsyncClient=Anything, HTTPError=type("HTTPError", (Exception,), {}), Response=Anything)
stub("tenacity", retry=identity, retry_if_exception_type=Anything, stop_after_attempt=Anything,
     wait_exponential_jitter=Anything, before_sleep_log=Anything, RetryCallState=Anything, wait_random=Anything)
stub("scipy")
stub("scipy.stats", beta=types.SimpleNamespace(rvs=lambda a, b: a / (a + b)))  # the mean
stub("scipy.linalg")
stub("scipy.linalg.blas", stpsv=None)
# The package's __init__ wires production backends: load its modules without it.
pkg = types.ModuleType("merino.curated_recommendations")
pkg.__path__ = [os.path.join(args.merino_py, "merino", "curated_recommendations")]
sys.modules["merino.curated_recommendations"] = pkg
from merino.curated_recommendations.engagement_backends.protocol import EngagementBackend, Engagement  # noqa: E402
from merino.curated_recommendations.prior_backends.constant_prior import ConstantPrior  # noqa: E402
from merino.curated_recommendations.ml_backends.protocol import LocalModelBackend, MLRecsBackend  # noqa: E402
pkg.EngagementBackend, pkg.ConstantPrior = EngagementBackend, ConstantPrior
pkg.LocalModelBackend, pkg.MLRecsBackend = LocalModelBackend, MLRecsBackend
from merino.curated_recommendations import sections, provider, interest_picker, article_balancer  # noqa: E402
from merino.curated_recommendations.rankers import utils as rutils  # noqa: E402
from merino.curated_recommendations.prior_backends import engagment_rescaler  # noqa: E402
from merino.curated_recommendations.ml_backends import static_local_model  # noqa: E402
from merino.curated_recommendations.ml_backends.empty_ml_recs import EmptyMLRecs  # noqa: E402
from merino.curated_recommendations.ml_backends.lints_interest_model import EmptyLinTSInterestBackend  # noqa: E402
from merino.curated_recommendations.corpus_backends.protocol import CorpusSection  # noqa: E402
from merino.curated_recommendations.corpus_backends.sections_backend import parse_section_external_id  # noqa: E402
from merino.curated_recommendations.corpus_backends.utils import build_corpus_item, get_utm_source  # noqa: E402
from merino.curated_recommendations.prior_backends.protocol import Prior  # noqa: E402
from merino.curated_recommendations.protocol import CuratedRecommendationsRequest  # noqa: E402


class NoIcons:
    def get_icon_url(self, url):
        return None


class RecordedSections:
    """SectionsBackend.fetch's parsing, on the bundle's recorded responses."""
    async def fetch(self, surface_id):
        path = os.path.join(BUNDLE, f"sections.{surface_id.value}.json")
        if not os.path.exists(path):
            path = os.path.join(BUNDLE, "sections.json")
        utm = get_utm_source(surface_id)
        parsed = []
        for s in json.load(open(path))["data"]["getSections"]:
            if not s.get("active") or s.get("externalId", "").endswith("_crawl"):
                continue
            eid, variant = parse_section_external_id(s["externalId"])
            parsed.append(CorpusSection(
                externalId=eid, title=s["title"], description=s.get("description"), heroTitle=s.get("heroTitle"),
                heroSubtitle=s.get("heroDescription"), iab=s["iab"], createSource=s["createSource"],
                experimentVariant=variant, followable=s["followable"], allowAds=s["allowAds"],
                sectionItems=[build_corpus_item(i["corpusItem"], NoIcons(), utm) for i in s["sectionItems"]]))
        base = [s for s in parsed if s.experimentVariant == 0]
        by_id = {s.externalId: s for s in base}
        for s in parsed:
            if s.experimentVariant != 0 and by_id.get(s.externalId) and by_id[s.externalId].alternateSection is None:
                by_id[s.externalId].alternateSection = s
        return base


class Engagements:
    """GcsEngagement's index: rows summed by (corpus_item_id, region)."""
    def __init__(self, rows):
        self.rows = {}
        for r in rows:
            k = (r.get("corpus_item_id"), r.get("region"))
            e = self.rows.get(k)
            if e is None:
                self.rows[k] = Engagement(corpus_item_id=k[0], region=k[1], click_count=r["click_count"],
                                          impression_count=r["impression_count"], report_count=r.get("report_count"))
            else:
                e.click_count += r["click_count"]
                e.impression_count += r["impression_count"]
                e.report_count = (e.report_count or 0) + (r.get("report_count") or 0)

    def get(self, corpus_item_id, region=None):
        return self.rows.get((corpus_item_id, region))

    update_count = 1


class Priors:
    """GcsPrior's derivation: beta = 0.05 x impressions_per_item, alpha = beta x top-2 CTR."""
    def __init__(self, rows):
        self.priors = {}
        for r in rows:
            b = 0.05 * r["impressions_per_item"]
            self.priors[r.get("region")] = Prior(alpha=b * r["average_ctr_top2_items"], beta=b,
                                                 total_impressions_per_day=r["total_impressions_per_day"])

    def get(self, region=None):
        return self.priors.get(region)

    update_count = 1


def pin(u):
    """Every draw merino-py makes on this path, pinned as sampler.Fixed(u) pins merino-go's."""
    def choices(population, weights, k=1):
        cum, total = [], 0
        for w in weights:
            total += w
            cum.append(total)
        if total <= 0:
            raise ValueError("Total of weights must be greater than zero")
        return [population[bisect.bisect(cum, u * total, 0, len(cum) - 1)]]
    r = types.SimpleNamespace(
        random=lambda: u, choices=choices,
        sample=lambda seq, k: [seq[min(int(u * len(seq)), len(seq) - 1)]],
        randint=lambda a, b: a + min(int(u * (b - a + 1)), b - a))
    sections.random = article_balancer.random = interest_picker.random = r
    rutils.random = r.random


class FrozenClock(datetime):
    @classmethod
    def now(cls, tz=None):
        return NOW.astimezone(tz) if tz else NOW.replace(tzinfo=None)


engagment_rescaler.datetime = rutils.datetime = static_local_model.datetime = FrozenClock


def digest(body):
    """The response as TestMerinoPyParity compares it: every section field but the layout's
    tiles (their ads as a string of 0s and 1s), each story as [the first 8 characters of its
    corpusItemId, receivedRank, serverScore], the first one with its features too."""
    feeds = None
    if body["feeds"] is not None:
        feeds = []
        for sid, s in body["feeds"].items():
            d = {k: v for k, v in s.items() if k not in ("recommendations", "layout")}
            d["id"] = sid
            d["layout"] = s["layout"]["name"]
            d["ads"] = "".join("1" if t["hasAd"] else "0" for rl in s["layout"]["responsiveLayouts"] for t in rl["tiles"])
            d["stories"] = [[r["corpusItemId"][:8], r["receivedRank"], r["serverScore"]] for r in s["recommendations"]]
            if d["stories"]:
                d["stories"][0].append(s["recommendations"][0]["features"])
            feeds.append(d)
    return {"surfaceId": body["surfaceId"], "data": [r["corpusItemId"] for r in body["data"]], "feeds": feeds,
            "interestPicker": body["interestPicker"], "inferredLocalModel": body["inferredLocalModel"]}


async def main():
    cases = json.load(open(os.path.join(HERE, "cases.json")))
    base = json.load(open(os.path.join(BUNDLE, "engagement.json")))
    out = []
    for c in cases:
        pin(c["u"])
        prior = ConstantPrior() if c.get("prior") == "none" else Priors(json.load(open(os.path.join(BUNDLE, "prior.json"))))
        p = provider.CuratedRecommendationsProvider(
            scheduled_surface_backend=None, engagement_backend=Engagements(base + c.get("engagement", [])),
            prior_backend=prior, sections_backend=RecordedSections(),
            local_model_backend=static_local_model.SuperInferredModel(), ml_recommendations_backend=EmptyMLRecs(),
            cohort_model_backend=None, lints_interest_backend=EmptyLinTSInterestBackend())
        resp = await p.fetch(CuratedRecommendationsRequest(**c["body"]))
        body = resp.model_dump(mode="json")
        body["recommendedAt"] = 0
        out.append(json.dumps({"name": c["name"], "response": digest(body)}, ensure_ascii=False, separators=(",", ":")))
    # One case per line, for readable diffs.
    sys.stdout.write("[\n" + ",\n".join(out) + "\n]\n")


asyncio.run(main())
