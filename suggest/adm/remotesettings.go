package adm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/bytedance/sonic"

	"github.com/mozilla-services/merino-go/loaders"
)

// Record types the AMP loader reads: `data` (the legacy quicksuggest collection, read by Rust
// Merino and Firefox), `amp` (merino-py's quicksuggest-amp collection) and `icon`.
const (
	TypeData = "data"
	TypeAMP  = "amp"
	TypeIcon = "icon"
)

// RemoteSettingsSource is a loaders.Source over a collection: its content is a bundle of every data/amp
// record's verified attachment and the icon URLs, which RemoteSettingsLoader turns into indexes. Its version
// is the collection timestamp (LastModified) and a fingerprint of the relevant records (ETag).
type RemoteSettingsSource struct {
	c *KintoClient

	mu    sync.Mutex
	cache map[string][]byte // attachments of the last fetch, by sha256
}

// NewRemoteSettingsSource returns the source of a client's collection.
func NewRemoteSettingsSource(c *KintoClient) *RemoteSettingsSource {
	return &RemoteSettingsSource{c: c}
}

// String implements loaders.Source.
func (s *RemoteSettingsSource) String() string { return s.c.String() }

// bundle is what Fetch hands to the RemoteSettingsLoader.
type bundle struct {
	Icons   map[string]string `json:"icons"`
	Records []bundleRecord    `json:"records"`
}

type bundleRecord struct {
	ID          string          `json:"id"`
	Country     *string         `json:"country"`
	FormFactor  *string         `json:"form_factor"`
	Suggestions json.RawMessage `json:"suggestions"`
}

// Fetch implements loaders.Source. Unchanged when the collection timestamp is the last one
// applied, or when no data, amp or icon record changed; any failed request or attachment that
// does not match its hash and size fails the whole fetch, so the indexes being served stay.
func (s *RemoteSettingsSource) Fetch(ctx context.Context, prev loaders.Version) ([]byte, loaders.Version, bool, error) {
	ts, err := s.c.CollectionTimestamp(ctx)
	if err != nil {
		return nil, prev, false, err
	}
	tsStr := strconv.FormatInt(ts, 10)
	if tsStr == prev.LastModified {
		return nil, prev, false, nil
	}
	cs, err := s.c.Changeset(ctx, ts)
	if err != nil {
		return nil, prev, false, err
	}
	var data, icons []Record
	for _, r := range cs.Changes {
		if r.Deleted {
			continue
		}
		switch r.Type {
		case TypeData, TypeAMP:
			if r.Attachment == nil {
				return nil, prev, false, fmt.Errorf("record %q of type %q has no attachment", clip(r.ID), r.Type)
			}
			data = append(data, r)
		case TypeIcon:
			if r.Attachment != nil && strings.HasPrefix(r.ID, "icon-") {
				icons = append(icons, r)
			}
		}
	}
	sort.Slice(data, func(i, j int) bool { return data[i].ID < data[j].ID })
	sort.Slice(icons, func(i, j int) bool { return icons[i].ID < icons[j].ID })
	fp := fingerprint(data, icons)
	if fp == prev.ETag {
		// Other record types moved the timestamp; nothing the index uses changed.
		return nil, prev, false, nil
	}
	v := loaders.Version{ETag: fp, LastModified: tsStr}
	base, err := s.c.AttachmentsBaseURL(ctx)
	if err != nil {
		return nil, prev, false, err
	}
	b := bundle{Icons: map[string]string{}}
	for _, r := range icons {
		u, err := AttachmentURL(base, r.Attachment.Location)
		if err != nil {
			return nil, prev, false, err
		}
		b.Icons[strings.TrimPrefix(r.ID, "icon-")] = u
	}
	s.mu.Lock()
	old := s.cache
	s.mu.Unlock()
	cache := map[string][]byte{}
	for _, r := range data {
		a := r.Attachment
		body, ok := old[strings.ToLower(a.Hash)]
		if !ok || Verify(body, a) != nil {
			if body, err = s.c.Download(ctx, base, a); err != nil {
				return nil, prev, false, fmt.Errorf("record %q: %w", clip(r.ID), err)
			}
		}
		if !json.Valid(body) {
			return nil, prev, false, fmt.Errorf("record %q: the attachment is not JSON", clip(r.ID))
		}
		cache[strings.ToLower(a.Hash)] = body
		b.Records = append(b.Records, bundleRecord{ID: r.ID, Country: r.Country, FormFactor: r.FormFactor, Suggestions: body})
	}
	s.mu.Lock()
	s.cache = cache
	s.mu.Unlock()
	out, err := json.Marshal(b)
	if err != nil {
		return nil, prev, false, fmt.Errorf("BUG: cannot encode the bundle: %w", err)
	}
	return out, v, true, nil
}

func fingerprint(data, icons []Record) string {
	h := sha256.New()
	for _, list := range [][]Record{data, icons} {
		for _, r := range list {
			fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s\x00%s\x00%s\n", r.ID, r.Type, r.LastModified, r.Attachment.Hash, deref(r.Country), deref(r.FormFactor))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func deref(p *string) string {
	if p == nil {
		return "\x01"
	}
	return *p
}

// DefaultSegment is the segment of a record without country and form_factor fields.
var DefaultSegment = Segment{Country: "US", FormFactor: Desktop}

// RemoteSettingsLoader returns the Apply function of the provider's Syncer: read a bundle, group the records
// by segment (a record's country and form_factor, US/desktop when absent), parse their
// attachments as AMP suggestions (Remote Settings rules: see ParseOptions.Attachment;
// icons resolved through the icon records, merino-py's "-1" when missing), and swap in every
// segment's index at once. A bad attachment fails the whole load: the old indexes stay.
//
// merino-py's removed Remote Settings backend kept only the last record of each segment;
// merino-go concatenates them in record id order, as Rust Merino and Firefox read every data
// record of the collection.
func RemoteSettingsLoader(p *Provider, opts LoadOptions, log *slog.Logger) func([]byte) (int, error) {
	return func(data []byte) (int, error) {
		var b bundle
		if err := sonic.ConfigStd.Unmarshal(data, &b); err != nil {
			return 0, fmt.Errorf("cannot read the Remote Settings bundle: %w", err)
		}
		icon := func(id string) string {
			if u, ok := b.Icons[id]; ok {
				return u
			}
			return MissingIcon
		}
		items := map[Segment][]Item{}
		var order []Segment
		for _, r := range b.Records {
			seg := DefaultSegment
			if r.Country != nil {
				seg.Country = *r.Country
			}
			if r.FormFactor != nil {
				ff, err := ParseFormFactor(*r.FormFactor)
				if err != nil {
					log.Warn("skipping a Remote Settings record", "record", r.ID, "error", err.Error())
					continue
				}
				seg.FormFactor = ff
			}
			list, err := ParseItems(r.Suggestions, ParseOptions{Attachment: true, Icon: icon}, log)
			if err != nil {
				return 0, fmt.Errorf("record %q: %w", clip(r.ID), err)
			}
			if _, ok := items[seg]; !ok {
				order = append(order, seg)
			}
			items[seg] = append(items[seg], list...)
		}
		all := map[Segment]*Snapshot{}
		total := 0
		for _, seg := range order {
			if len(items[seg]) == 0 {
				continue
			}
			snap := NewSnapshot(items[seg], opts.ProviderID, opts.Index)
			all[seg] = snap
			total += snap.Len()
			st := snap.Stats()
			log.Info("built the AMP keyword index", "segment", seg.String(), "suggestions", st.Suggestions,
				"keys", st.KeywordIndexSize, "bytes", st.Bytes, "unservable", snap.Unservable)
		}
		if total == 0 {
			return 0, fmt.Errorf("%w (no AMP suggestions in the collection)", loaders.ErrEmpty)
		}
		p.StoreAll(all)
		return total, nil
	}
}
