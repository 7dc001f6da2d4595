package curated

import (
	"time"

	"github.com/mozilla-services/merino-go/curated/ranking"
	"github.com/mozilla-services/merino-go/curated/sections"
	"github.com/mozilla-services/merino-go/curated/surface"
	"github.com/mozilla-services/merino-go/jsonw"
)

// pickerTitle is the interest picker's fixed title.
const pickerTitle = "Follow topics to fine-tune your experience"

// sectionsPath answers a request for the sections feed (merino-py's get_sections and the
// interest picker): it writes `[]` for data, then the feeds and interestPicker members.
// region is surface.Region of the request, as Recommend found it.
func (p *Provider) sectionsPath(dst []byte, x *exchange, s *surface.Surface, region string, r *Request) ([]byte, error) {
	f, err := p.sectionsFeed(s)
	if err != nil {
		return dst, err
	}
	interests := x.interests(s, p.logDP)
	req := sections.Request{
		Surface: s, Region: region, EngagementRegion: surface.EngagementRegion(r.Locale, r.Region, r.Experiment),
		Experiment: r.Experiment, Configs: r.Sections, Interests: interests, InferredInterests: r.InferredInterests >= 0,
		Picker: r.EnableInterestPicker, Now: p.opts.Now(),
	}
	eng := p.opts.Engagement.Load()
	x.reporter = takedownLog{p: p, f: f, region: region}
	env := sections.Env{Engagement: eng, View: f.engagementView(eng), Priors: p.priors(), Sampler: p.opts.Sampler, Reporter: &x.reporter}
	if p.opts.SectionsRanker != nil {
		env.Ranker = p.opts.SectionsRanker(s, interests)
	}
	res := x.builder.Build(f.feed, &req, &env)

	dst = append(dst, `[],"feeds":{`...)
	stories := 0
	for i := range res.Sections {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = p.appendSection(dst, f, s, res, &res.Sections[i])
		stories += len(res.Sections[i].Items)
	}
	storiesPerAnswer.Update(float64(stories))
	dst = append(dst, `},"interestPicker":`...)
	if !res.HasPicker {
		return append(dst, "null"...), nil
	}
	dst = append(dst, `{"receivedFeedRank":`...)
	dst = jsonw.AppendInt(dst, int64(res.PickerRank))
	dst = append(dst, `,"title":"`+pickerTitle+`","subtitle":null,"sections":[`...)
	for i, si := range res.Picker {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"sectionId":`...)
		dst = jsonw.AppendString(dst, res.Sections[si].ID)
		dst = append(dst, '}')
	}
	return append(dst, "]}"...), nil
}

// takedownLog logs the stories a sections request takes down (it lives in the pooled exchange).
type takedownLog struct {
	p      *Provider
	f      *sectionsFeed
	region string
}

func (l *takedownLog) Report(r ranking.Reported) {
	it := &l.f.items[r.Candidate.Ref]
	l.p.logTakedown(it.title, it.url, l.region, r)
}

// appendSection writes one member of feeds: the section's id and its Section object.
func (p *Provider) appendSection(dst []byte, f *sectionsFeed, s *surface.Surface, res *sections.Result, sec *sections.Section) []byte {
	dst = jsonw.AppendString(dst, sec.ID)
	dst = append(dst, `:{"receivedFeedRank":`...)
	dst = jsonw.AppendInt(dst, int64(sec.Rank))
	dst = append(dst, `,"recommendations":[`...)
	for i, ref := range sec.Items {
		if i > 0 {
			dst = append(dst, ',')
		}
		it := &f.items[ref]
		dst = append(dst, it.secHead...)
		dst = jsonw.AppendInt(dst, int64(i))
		dst = append(dst, `,"serverScore":`...)
		if v, ok := res.ServerScore(ref); ok {
			dst = jsonw.AppendFloat(dst, v)
		} else {
			dst = append(dst, "null"...)
		}
		dst = append(dst, ',')
		dst = append(dst, it.features...)
	}
	dst = append(dst, "],"...)
	if sec.Slate < 0 {
		dst = append(dst, `"title":`...)
		dst = jsonw.AppendString(dst, s.PopularToday)
		dst = append(dst, `,"iab":null,"subtitle":null,"heroTitle":null,"heroSubtitle":null`...)
	} else {
		dst = append(dst, f.meta[sec.Slate]...)
	}
	dst = append(dst, `,"layout":`...)
	dst = sec.Layout.AppendJSON(dst, sec.Ads)
	dst = append(dst, `,"isFollowed":`...)
	dst = jsonw.AppendBool(dst, sec.Followed)
	dst = append(dst, `,"isBlocked":`...)
	dst = jsonw.AppendBool(dst, sec.Blocked)
	dst = append(dst, `,"followedAt":`...)
	if sec.Followed && sec.HasFollowedAt {
		dst = append(dst, '"')
		dst = appendPydanticTime(dst, sec.FollowedAt)
		dst = append(dst, '"')
	} else {
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"isInitiallyVisible":`...)
	dst = jsonw.AppendBool(dst, sec.Visible)
	dst = append(dst, `,"followable":`...)
	dst = jsonw.AppendBool(dst, sec.Followable)
	dst = append(dst, `,"allowAds":`...)
	dst = jsonw.AppendBool(dst, sec.AllowAds)
	return append(dst, '}')
}

// appendPydanticTime writes a timezone-aware datetime as pydantic serialises it (speedate):
// YYYY-MM-DDTHH:MM:SS, six fraction digits when there is a fraction, then Z for a zero offset
// or ±HH:MM (seconds of the offset dropped).
func appendPydanticTime(dst []byte, t time.Time) []byte {
	pad := func(b []byte, v, width int) []byte {
		var buf [8]byte
		for i := width - 1; i >= 0; i-- {
			buf[i] = byte('0' + v%10)
			v /= 10
		}
		return append(b, buf[:width]...)
	}
	dst = pad(dst, t.Year(), 4)
	dst = append(dst, '-')
	dst = pad(dst, int(t.Month()), 2)
	dst = append(dst, '-')
	dst = pad(dst, t.Day(), 2)
	dst = append(dst, 'T')
	dst = pad(dst, t.Hour(), 2)
	dst = append(dst, ':')
	dst = pad(dst, t.Minute(), 2)
	dst = append(dst, ':')
	dst = pad(dst, t.Second(), 2)
	if us := t.Nanosecond() / 1000; us != 0 {
		dst = append(dst, '.')
		dst = pad(dst, us, 6)
	}
	_, off := t.Zone()
	if off == 0 {
		return append(dst, 'Z')
	}
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	minutes := off / 60
	dst = append(dst, sign)
	dst = pad(dst, minutes/60, 2)
	dst = append(dst, ':')
	return pad(dst, minutes%60, 2)
}

// logDP logs merino-py's error for values shorter than the model's features.
func (p *Provider) logDP(msg string) {
	p.log.Error(msg, "logger", "merino.curated_recommendations.ml_backends.protocol")
}
