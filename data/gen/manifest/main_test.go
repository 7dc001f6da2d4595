package main

import (
	"bytes"
	"os"
	"testing"
)

const mockPath = "../../../../shared/data/merino-py/extracted-fixtures/manifest/mock_manifest.json"

func TestBuild(t *testing.T) {
	mock := []byte(`{"domains":[{"rank":1,"domain":"spotify","categories":["Entertainment"],"serp_categories":[0],"url":"https://www.spotify.com","title":"Spotify","icon":"i"}],"partners":[]}`)
	tp := []byte(`{"domains":[{"rank":7,"domain":"b","title":"B – \u00e9 <&>","url":"https://b.test","icon":"","categories":["X"],"serp_categories":[3],"source":"top-picks","similars":["bb"]}]}`)
	got, n, err := build(mock, tp)
	if err != nil || n != 1 {
		t.Fatalf("build: %d, %v", n, err)
	}
	want := `{
  "domains": [
    {
      "rank": 7,
      "domain": "b",
      "categories": [
        "X"
      ],
      "serp_categories": [
        3
      ],
      "url": "https://b.test",
      "title": "B – \u00e9 <&>",
      "icon": "",
      "source": "top-picks"
    }
  ],
  "partners": []
}
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if _, _, err := build(mock, []byte(`{"domains":[{"rank":1}]}`)); err == nil {
		t.Error("a record without the manifest's keys was accepted")
	}
	if _, _, err := build(mock, []byte(`{"domains":[]}`)); err == nil {
		t.Error("no domains was accepted")
	}
}

// The committed sample is what the generator makes from the committed top picks.
func TestSampleUpToDate(t *testing.T) {
	mock, err := os.ReadFile(mockPath)
	if err != nil {
		t.Skipf("shared data not here (%v): cannot check data/manifest.json", err)
	}
	tp, err := os.ReadFile("../../top_picks.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := build(mock, tp)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("data/manifest.json is stale: run go run ./data/gen/manifest")
	}
}
