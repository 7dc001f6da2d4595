package useragent

import (
	"fmt"
	"strings"
	"sync"
	"unicode"

	"gopkg.in/yaml.v3"
)

// rules are the compiled uap-core matchers, applied with ua-parser 1.0's
// Python semantics (ua_parser/matchers.py), which differ from uap-go's:
//
//   - The first regex that matches decides, even if its replacement comes
//     out empty (uap-go skips to the next regex).
//   - A browser family replacement only substitutes "$1"; its version
//     replacements are static strings. OS and device replacements
//     substitute "$1".."$9" and are then stripped.
//   - regex_flag is honoured for device regexes only.
//   - A missing or empty group is "no value" (Python None).
//
// Python's re also differs from Go's RE2 in that \d, \w, \s and \b are
// Unicode-aware there and ASCII-only here (and RE2's \s lacks \v). Only a
// User-Agent with control characters or latin-1 letters can tell the
// difference.
type rules struct {
	ua     []uaRule
	os     []familyRule
	device []familyRule
}

type uaRule struct {
	m                   matcher
	family              string // "$1" when the YAML has no replacement
	major, minor, patch string // static replacements, "" for the group
}

// familyRule is an OS or device matcher; merino only reads their family.
type familyRule struct {
	m          matcher
	family     string // template with $1..$9, "$1" when the YAML has none
	needGroups bool   // family refers to a group
}

type regexesFile struct {
	UA []struct {
		Regex  string `yaml:"regex"`
		Family string `yaml:"family_replacement"`
		Major  string `yaml:"v1_replacement"`
		Minor  string `yaml:"v2_replacement"`
		Patch  string `yaml:"v3_replacement"`
	} `yaml:"user_agent_parsers"`
	OS []struct {
		Regex  string `yaml:"regex"`
		Family string `yaml:"os_replacement"`
	} `yaml:"os_parsers"`
	Device []struct {
		Regex  string `yaml:"regex"`
		Flag   string `yaml:"regex_flag"`
		Family string `yaml:"device_replacement"`
	} `yaml:"device_parsers"`
}

func compileRules(data []byte, shortcuts bool) (*rules, error) {
	var f regexesFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("cannot parse the user agent regexes: %w", err)
	}
	if len(f.UA) == 0 || len(f.OS) == 0 || len(f.Device) == 0 {
		return nil, fmt.Errorf("cannot use the user agent regexes: %d browser, %d OS and %d device parsers, want some of each",
			len(f.UA), len(f.OS), len(f.Device))
	}
	r := &rules{
		ua:     make([]uaRule, len(f.UA)),
		os:     make([]familyRule, len(f.OS)),
		device: make([]familyRule, len(f.Device)),
	}
	var err error
	for i, u := range f.UA {
		// Browser rules always need their groups: the family may be "$1"
		// and Firefox versions come from groups 2-4.
		if r.ua[i].m, err = newMatcher(u.Regex, true, shortcuts); err != nil {
			return nil, fmt.Errorf("cannot compile user_agent_parsers[%d]: %w", i, err)
		}
		r.ua[i].family = orGroup1(u.Family)
		r.ua[i].major, r.ua[i].minor, r.ua[i].patch = u.Major, u.Minor, u.Patch
	}
	for i, o := range f.OS {
		if r.os[i], err = newFamilyRule(o.Regex, o.Family, shortcuts); err != nil {
			return nil, fmt.Errorf("cannot compile os_parsers[%d]: %w", i, err)
		}
	}
	for i, d := range f.Device {
		expr := d.Regex
		if d.Flag == "i" {
			expr = "(?i)" + expr
		}
		if r.device[i], err = newFamilyRule(expr, d.Family, shortcuts); err != nil {
			return nil, fmt.Errorf("cannot compile device_parsers[%d]: %w", i, err)
		}
	}
	return r, nil
}

func newFamilyRule(expr, family string, shortcuts bool) (familyRule, error) {
	fr := familyRule{family: orGroup1(family)}
	fr.needGroups = hasGroupRef(fr.family)
	var err error
	fr.m, err = newMatcher(expr, fr.needGroups, shortcuts)
	return fr, err
}

// hasGroupRef reports whether a replacement template refers to a group.
func hasGroupRef(tmpl string) bool {
	for i := 0; i+1 < len(tmpl); i++ {
		if tmpl[i] == '$' && tmpl[i+1] >= '0' && tmpl[i+1] <= '9' {
			return true
		}
	}
	return false
}

func orGroup1(s string) string {
	if s == "" {
		return "$1"
	}
	return s
}

// parse applies merino-py's parse() to s, which must already be the
// latin-1 decoded User-Agent.
func (r *rules) parse(s string) Info {
	in := inputPool.Get().(*input)
	in.reset(lowerString(s))
	osFamily := mapOSFamily(firstFamily(r.os, s, in))
	info := Info{
		Browser:    r.browser(s, in),
		OSFamily:   osFamily,
		FormFactor: formFactor(firstFamily(r.device, s, in), osFamily),
	}
	inputPool.Put(in)
	return info
}

// inputPool recycles the 8 KiB prefilter bitmaps between misses.
var inputPool = sync.Pool{New: func() any { return new(input) }}

// browser is merino-py's _parse_browser over ua-parser's user agent
// result; "Other" is what with_defaults() fills in when nothing matches.
func (r *rules) browser(s string, in *input) string {
	for i := range r.ua {
		u := &r.ua[i]
		if !u.m.possible(in) {
			continue
		}
		loc := u.m.re.FindStringSubmatchIndex(s)
		if loc == nil {
			continue
		}
		family := u.family
		if strings.Contains(family, "$1") {
			// Python raises here if group 1 did not take part in the
			// match (a 500 in merino-py); no uap-core regex does that, and
			// an empty substitution is the only thing Parse can return.
			family = strings.ReplaceAll(family, "$1", group(s, loc, 1))
		}
		switch family {
		case "Firefox", "Firefox iOS", "Firefox Mobile", "Firefox Alpha":
		default:
			// merino-py does not look at other browsers' versions.
			return family
		}
		major := orGroup(u.major, s, loc, 2)
		if major == "" {
			return "Firefox"
		}
		// f"{major}.{minor or ''}.{patch or ''}".rstrip("."), so
		// "106", "0", "a1" gives "106.0.a1" and "130", "0", "" gives "130.0".
		v := major + "." + orGroup(u.minor, s, loc, 3) + "." + orGroup(u.patch, s, loc, 4)
		return "Firefox(" + strings.TrimRight(v, ".") + ")"
	}
	return "Other"
}

// firstFamily returns the family of the first rule matching s, or "Other"
// (with_defaults()) when none does. A family whose replacement comes out
// empty makes ua-parser raise (so merino-py would answer 500); it is
// returned as "" here, which maps to "other" everywhere.
func firstFamily(rs []familyRule, s string, in *input) string {
	for i := range rs {
		fr := &rs[i]
		if !fr.m.possible(in) {
			continue
		}
		if !fr.needGroups {
			if fr.m.match(s) {
				return replace(fr.family, s, nil)
			}
			continue
		}
		if loc := fr.m.re.FindStringSubmatchIndex(s); loc != nil {
			return replace(fr.family, s, loc)
		}
	}
	return "Other"
}

// orGroup is ua-parser's `static or get(m, i)` for version fields.
func orGroup(static, s string, loc []int, i int) string {
	if static != "" {
		return static
	}
	return group(s, loc, i)
}

// group returns submatch i, or "" when the regex has no such group or it
// did not take part in the match.
func group(s string, loc []int, i int) string {
	if 2*i+1 >= len(loc) || loc[2*i] < 0 {
		return ""
	}
	return s[loc[2*i]:loc[2*i+1]]
}

// replace is ua-parser's replacer(): "$<digit>" becomes that group ("" if
// absent; "$0" is never the whole match), then the result is stripped.
func replace(tmpl, s string, loc []int) string {
	if tmpl == "$1" {
		return strings.TrimFunc(group(s, loc, 1), isPySpace)
	}
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] == '$' && i+1 < len(tmpl) && tmpl[i+1] >= '0' && tmpl[i+1] <= '9' {
			if n := int(tmpl[i+1] - '0'); n > 0 {
				b.WriteString(group(s, loc, n))
			}
			i++
			continue
		}
		b.WriteByte(tmpl[i])
	}
	return strings.TrimFunc(b.String(), isPySpace)
}

// isPySpace is Python's str.isspace() for one character: Go's
// unicode.IsSpace plus the four ASCII separators 0x1c-0x1f.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// mapOSFamily is merino-py's _parse_os_family.
func mapOSFamily(family string) string {
	switch family {
	case "Windows":
		return "windows"
	case "iOS":
		return "ios"
	case "Mac OS X":
		return "macos"
	case "Android":
		return "android"
	case "Chrome OS":
		return "chromeos"
	case "Ubuntu", "Fedora", "Debian", "Arch Linux", "Linux":
		return "linux"
	}
	return "other"
}

// formFactor is merino-py's _parse_form_factor. ua-parser reports no device
// ("Other") for desktop Windows and Linux, which merino-py calls desktop.
func formFactor(device, osFamily string) string {
	switch device {
	case "iPhone", "Generic Smartphone":
		return "phone"
	case "iPad", "Generic Tablet":
		return "tablet"
	case "Mac":
		return "desktop"
	case "Other":
		if osFamily == "linux" || osFamily == "windows" {
			return "desktop"
		}
	}
	return "other"
}
