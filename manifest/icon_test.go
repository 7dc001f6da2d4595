package manifest

import "testing"

func TestFullDomain(t *testing.T) {
	for host, want := range map[string]string{
		"www.google.com": "google.com", "www.bbc.co.uk": "bbc.co.uk", "news.bbc.co.uk": "news.bbc.co.uk",
		"www.news.bbc.co.uk": "www.news.bbc.co.uk", "go.abc.com": "go.abc.com", "businessinsider.es": "businessinsider.es",
		"localhost": "localhost", "": "",
	} {
		if got, _ := FullDomain(host); got != want {
			t.Errorf("FullDomain(%q) = %q, want %q", host, got, want)
		}
	}
}

func TestIcon(t *testing.T) {
	var h Holder
	if h.Icon("https://www.example.com/") != "" {
		t.Error("an icon without a manifest")
	}
	doc := `{"domains":[
	 {"rank":1,"domain":"example","categories":[],"serp_categories":[],"url":"https://www.example.com","title":"Example","icon":"https://icons.example/e.png"},
	 {"rank":2,"domain":"bbc","categories":[],"serp_categories":[],"url":"https://news.bbc.co.uk","title":"BBC","icon":"not a url"},
	 {"rank":3,"domain":"example","categories":[],"serp_categories":[],"url":"https://example.com/x","title":"Example 2","icon":"https://icons.example/e2.png"}],
	 "partners":[]}`
	if _, err := h.Apply([]byte(doc)); err != nil {
		t.Fatal(err)
	}
	f := func(page, want string) {
		t.Helper()
		if got := h.Icon(page); got != want {
			t.Errorf("Icon(%q) = %q, want %q", page, got, want)
		}
	}
	f("https://www.example.com/article?utm_source=x", "https://icons.example/e2.png") // the later entry wins
	f("https://EXAMPLE.com/a", "https://icons.example/e2.png")
	f("https://blog.example.com/a", "")
	f("https://news.bbc.co.uk/a", "") // invalid icon URL
	f("https://www.bbc.co.uk/a", "")
	f("not a url", "")
}
