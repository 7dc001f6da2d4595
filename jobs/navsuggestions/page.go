package navsuggestions

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/cases"

	"github.com/mozilla-services/merino-go/pystr"
)

// attrs are an element's attributes (the first of each name, as BeautifulSoup keeps).
type attrs map[string]string

// page is what the job reads of a site's home page.
type page struct {
	// title is the text of <head>'s <title>; hasTitle says whether there is one.
	title    string
	hasTitle bool
	// links are the icon <link> elements (merino-py's LINK_SELECTOR), metas the icon
	// <meta> elements (META_SELECTOR), manifests the <link rel="manifest"> of <head>, each in
	// document order.
	links, metas, manifests []attrs
	// challenge is a bot-protection element: div#challenge-form or div.cf-browser-verification.
	challenge bool
}

// iconRels are the rel values LINK_SELECTOR matches: the attribute's words joined by one
// space must be one of these, exactly (case included).
var iconRels = map[string]bool{
	"apple-touch-icon": true, "apple-touch-icon-precomposed": true, "icon shortcut": true,
	"shortcut icon": true, "icon": true, "SHORTCUT ICON": true, "fluid-icon": true,
}

func attrsOf(n *html.Node) attrs {
	a := make(attrs, len(n.Attr))
	for _, at := range n.Attr {
		if _, ok := a[at.Key]; !ok {
			a[at.Key] = at.Val
		}
	}
	return a
}

// words normalises a multi-valued attribute (rel, class) as BeautifulSoup compares it.
func words(s string) string { return strings.Join(strings.Fields(s), " ") }

// parsePage reads an HTML document with the HTML5 parser, which takes any bytes.
func parsePage(body []byte) *page {
	p := &page{}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return p
	}
	var walk func(n *html.Node, inHead bool)
	walk = func(n *html.Node, inHead bool) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Head:
				inHead = true
			case atom.Title:
				if inHead && !p.hasTitle {
					p.title, p.hasTitle = text(n), true
				}
			case atom.Link:
				a := attrsOf(n)
				rel := words(a["rel"])
				if iconRels[rel] {
					p.links = append(p.links, a)
				}
				if inHead && rel == "manifest" {
					p.manifests = append(p.manifests, a)
				}
			case atom.Meta:
				a := attrsOf(n)
				if name := a["name"]; name == "apple-touch-icon" || name == "msapplication-TileImage" {
					p.metas = append(p.metas, a)
				}
			case atom.Div:
				a := attrsOf(n)
				if a["id"] == "challenge-form" || strings.Contains(" "+words(a["class"])+" ", " cf-browser-verification ") {
					p.challenge = true
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inHead)
		}
	}
	walk(doc, false)
	return p
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// botIndicators are the title phrases of bot walls (merino-py's WebScraper.is_bot_blocked).
var botIndicators = []string{
	"access denied", "captcha", "cloudflare", "security check", "robot or human", "just a moment",
	"checking your browser", "ddos protection", "are you a robot", "bot protection", "please verify",
	"attention required",
}

// botBlocked reports whether the page is a bot wall: a title with one of botIndicators
// (lower-cased), or a challenge element.
func (p *page) botBlocked() bool {
	if p.hasTitle {
		lower := pystr.Lower(p.title)
		for _, ind := range botIndicators {
			if strings.Contains(lower, ind) {
				return true
			}
		}
	}
	return p.challenge
}

// invalidTitles are merino-py's INVALID_TITLES: a title holding one of them (case-folded)
// is an error page, not the site's name.
var invalidTitles = []string{
	"Attention Required", "Access denied", "Access Denied", "Access to this page has been denied",
	"Loading…", "Page loading", "Just a moment...", "Site Maintenance", "502 Bad Gateway",
	"503 Service Temporarily Unavailable", "Your request has been blocked",
	"This page is either unavailable or restricted", "Let's Get Your Identity Verified",
	"Your Access To This Website Has Been Blocked", "Error", "This page is not allowed",
	"Robot or human", "Captcha Challenge", "Let us know you're not a robot", "Verification", "404",
	"Please try again", "Access to this page", "We'll be right back", "Bot or Not?",
	"Too Many Requests", "IP blocked", "Service unavailable", "Unsupported browser",
}

var folder = cases.Fold()

var foldedInvalid = func() []string {
	out := make([]string, len(invalidTitles))
	for i, t := range invalidTitles {
		out[i] = folder.String(t)
	}
	return out
}()

// sanitizeTitle is merino-py's sanitize_title: white space collapsed (Python's str.split),
// "" for an empty or invalid title.
func sanitizeTitle(title string) string {
	norm := strings.Join(strings.FieldsFunc(title, pystr.IsSpace), " ")
	if norm == "" {
		return ""
	}
	folded := folder.String(norm)
	for _, bad := range foldedInvalid {
		if strings.Contains(folded, bad) {
			return ""
		}
	}
	return norm
}

// capitalize is Python's str.capitalize: the first character in title case, the rest lower
// case ("youTube" → "Youtube").
func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToTitle(r)) + pystr.Lower(s[size:])
}
