package geolocation

import (
	"context"
	"testing"

	"github.com/mozilla-services/merino-go/geoip"
	"github.com/mozilla-services/merino-go/suggest"
)

func TestDetails(t *testing.T) {
	p := New(Settings{Base: suggest.Base{Name: "geo"}, URL: "https://merino.services.mozilla.com/"})
	f := func(req *suggest.Request, want string) {
		t.Helper()
		out, err := p.Query(context.Background(), req, nil)
		if err != nil || len(out) != 1 {
			t.Fatalf("%v %v", out, err)
		}
		got := string(out[0].Head) + "0.0" + string(out[0].Tail)
		if got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
	head := `{"title":"","url":"https://merino.services.mozilla.com/","provider":"geo","is_sponsored":false,"score":0.0,"custom_details":{"geolocation":`
	f(&suggest.Request{}, head+`{}}}`)
	// Found, but the record has no coordinates: an empty location object, as merino-py's
	// Coordinates with None members.
	f(&suggest.Request{HasLocation: true, Location: geoip.Location{Country: "JP", CountryName: "Japan"}},
		head+`{"country":"Japan","country_code":"JP","location":{}}}}`)
	f(&suggest.Request{HasLocation: true, Location: geoip.Location{
		Country: "GB", CountryName: "United Kingdom", Regions: []string{"WBK", "ENG"}, RegionNames: []string{"West Berkshire", "England"},
		City: "Boxford", Latitude: 51.75, Longitude: -1.25, Radius: 100, HasCoordinates: true,
	}}, head+`{"country":"United Kingdom","country_code":"GB","region_code":"WBK","region":"West Berkshire","city":"Boxford","location":{"latitude":51.75,"longitude":-1.25,"radius":100}}}}`)
	// The request's own country without a database record.
	f(&suggest.Request{Location: geoip.Location{Country: "US", Regions: []string{"MA"}, City: "Boston"}},
		head+`{"country_code":"US","region_code":"MA","city":"Boston"}}}`)
}
