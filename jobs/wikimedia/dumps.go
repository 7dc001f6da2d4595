package wikimedia

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/mozilla-services/merino-go/jobs"
)

// DefaultDumpsURL is where Wikimedia publishes the CirrusSearch index exports (merino-py's
// jobs.wikipedia_indexer.export_base_url).
const DefaultDumpsURL = "https://dumps.wikimedia.org/other/cirrus_search_index/"

// SuccessMarker is the file Wikimedia writes in an export's directory once every shard is
// published (about 12 hours after the directory appears): an export without it is not
// complete.
const SuccessMarker = "_SUCCESS"

// maxListing bounds one directory listing page.
const maxListing = 16 << 20

// Export is one complete CirrusSearch content export of a wiki.
type Export struct {
	// Date is the snapshot's (its directory, YYYYMMDD/).
	Date time.Time
	// Shards are the URLs of its bzip2 shards in shard order: concatenated, they are the
	// whole dump.
	Shards []string
}

// ListHrefs fetches an Apache-style directory listing and returns the href of every link in
// it, percent-decoded (Wikimedia escapes the "=" of index_name=<wiki>_content/).
func ListHrefs(ctx context.Context, dl *jobs.Downloader, listing string) ([]string, error) {
	data, err := dl.Fetch(ctx, listing, "the listing "+listing, maxListing)
	if err != nil {
		return nil, err
	}
	var hrefs []string
	z := html.NewTokenizer(bytes.NewReader(data))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return hrefs, nil
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "a" {
				continue
			}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if string(k) == "href" {
					h, err := url.PathUnescape(string(v))
					if err != nil {
						h = string(v)
					}
					hrefs = append(hrefs, h)
				}
			}
		}
	}
}

var snapshotDir = regexp.MustCompile(`^(\d{8})/$`)

// LatestExport finds the newest complete export of <lang>wiki under the listing base that is
// newer than after, as merino-py's FileManager does: snapshot directories newest first,
// stopping at the first not newer than after; a snapshot is skipped when its export of the
// wiki has no success marker or no shard, or when its listing cannot be read. It returns nil
// when no snapshot qualifies.
func LatestExport(ctx context.Context, dl *jobs.Downloader, base, lang string, after time.Time, log *slog.Logger) (*Export, error) {
	baseURL, err := url.Parse(base)
	if err != nil || (baseURL.Scheme != "http" && baseURL.Scheme != "https") || baseURL.Host == "" {
		return nil, fmt.Errorf("cannot use %q as the export listing: want an absolute http(s) URL", base)
	}
	hrefs, err := ListHrefs(ctx, dl, base)
	if err != nil {
		return nil, err
	}
	type snapshot struct {
		url  *url.URL
		date time.Time
	}
	var snaps []snapshot
	for _, h := range hrefs {
		m := snapshotDir.FindStringSubmatch(h)
		if m == nil {
			continue
		}
		date, err := time.Parse("20060102", m[1])
		if err != nil {
			log.Warn("Skipping unparseable snapshot directory: " + h)
			continue
		}
		snaps = append(snaps, snapshot{baseURL.ResolveReference(&url.URL{Path: h}), date})
	}
	sort.SliceStable(snaps, func(i, j int) bool { return snaps[i].date.After(snaps[j].date) })
	shardName := regexp.MustCompile(`^` + regexp.QuoteMeta(lang) + `wiki_content-(\d+)-(\d+)\.json\.bz2$`)
	for _, s := range snaps {
		if !s.date.After(after) {
			break // newest first: nothing older qualifies either
		}
		index := s.url.ResolveReference(&url.URL{Path: "index_name=" + lang + "wiki_content/"})
		entries, err := ListHrefs(ctx, dl, index.String())
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			log.Warn(fmt.Sprintf("Failed to list shards under %s: %v", s.url, err))
			continue
		}
		complete := false
		type shard struct {
			n   int64
			url string
		}
		var shards []shard
		for _, e := range entries {
			if e == SuccessMarker {
				complete = true
			}
			if m := shardName.FindStringSubmatch(e); m != nil {
				n, err := strconv.ParseInt(m[2], 10, 64)
				if err != nil {
					continue
				}
				shards = append(shards, shard{n, index.ResolveReference(&url.URL{Path: e}).String()})
			}
		}
		if !complete {
			log.Warn("Skipping export without a success marker", "url", index.String(), "language", lang)
			continue
		}
		if len(shards) == 0 {
			continue
		}
		sort.SliceStable(shards, func(i, j int) bool { return shards[i].n < shards[j].n })
		e := &Export{Date: s.date}
		for _, sh := range shards {
			e.Shards = append(e.Shards, sh.url)
		}
		return e, nil
	}
	return nil, nil
}

// ShardDate returns the date in a shard's name (<lang>wiki_content-<date>-<n>.json.bz2), as
// merino-py names the copy after the first shard.
func ShardDate(shardURL string) string {
	name := shardURL[strings.LastIndexByte(shardURL, '/')+1:]
	parts := strings.Split(name, "-")
	if len(parts) < 3 {
		return ""
	}
	return parts[1]
}
