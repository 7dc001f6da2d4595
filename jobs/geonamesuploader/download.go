package geonamesuploader

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"

	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/pycsv"
	"github.com/mozilla-services/merino-go/pystr"
)

// Columns of GeoNames' geoname table and alternate names table
// (https://download.geonames.org/export/dump/readme.txt) that the job reads.
const (
	colID, colName, colASCIIName, colLatitude, colLongitude = 0, 1, 2, 4, 5
	colFeatureClass, colFeatureCode, colCountry             = 6, 7, 8
	colAdmin1, colPopulation                                = 10, 14

	altColGeonameID, altColLanguage, altColName, altColPreferred, altColShort = 1, 2, 3, 4, 5
)

// geoname is one place: a row of a country's GeoNames dump.
type geoname struct {
	id                        int64
	name, asciiName           string
	latitude, longitude       string
	featureClass, featureCode string
	country                   string
	admin                     [4]string
	population                int64
}

// AppendJSON writes the place as merino-py's attachments hold it (_rs_geoname): id, name,
// ascii_name (left out when it equals name), latitude, longitude, feature_class,
// feature_code, country, admin1..admin4, population, in this order, empty values (and a
// population of 0) left out.
func (g *geoname) AppendJSON(dst []byte, s jsonw.Style) []byte {
	dst = s.Open(dst, '{', 1)
	dst = s.AppendKey(dst, "id")
	dst = strconv.AppendInt(dst, g.id, 10)
	str := func(key, v string) {
		dst = s.Next(dst, 1)
		dst = s.AppendKey(dst, key)
		dst = s.AppendString(dst, v)
	}
	str("name", g.name)
	if g.asciiName != g.name {
		str("ascii_name", g.asciiName)
	}
	for _, kv := range [][2]string{{"latitude", g.latitude}, {"longitude", g.longitude}} {
		if kv[1] != "" {
			str(kv[0], kv[1])
		}
	}
	str("feature_class", g.featureClass)
	str("feature_code", g.featureCode)
	str("country", g.country)
	for i, a := range g.admin {
		if a != "" {
			str("admin"+strconv.Itoa(i+1), a)
		}
	}
	if g.population != 0 {
		dst = s.Next(dst, 1)
		dst = s.AppendKey(dst, "population")
		dst = strconv.AppendInt(dst, g.population, 10)
	}
	return s.Close(dst, '}', 1)
}

// alternate is an alternate name of a place.
type alternate struct {
	name             string
	preferred, short bool
}

// AppendJSON writes merino-py's _rs_alternate: the bare name when it has no flags, else
// {"name", "is_preferred": true, "is_short": true} with only the true flags.
func (a alternate) AppendJSON(dst []byte, s jsonw.Style) []byte {
	if !a.preferred && !a.short {
		return s.AppendString(dst, a.name)
	}
	dst = s.Open(dst, '{', 1)
	dst = s.AppendKey(dst, "name")
	dst = s.AppendString(dst, a.name)
	if a.preferred {
		dst = s.Next(dst, 1)
		dst = s.AppendKey(dst, "is_preferred")
		dst = append(dst, "true"...)
	}
	if a.short {
		dst = s.Next(dst, 1)
		dst = s.AppendKey(dst, "is_short")
		dst = append(dst, "true"...)
	}
	return s.Close(dst, '}', 1)
}

// languageAlternates are the alternates of one language, by place, places in the order
// their first alternate appears in the file.
type languageAlternates struct {
	order []int64
	byID  map[int64][]alternate
}

// downloader fetches GeoNames zips into a temporary directory.
type downloader struct {
	dl  *jobs.Downloader
	dir string
	env *jobs.Env
	log *slog.Logger
}

func newDownloader(env *jobs.Env, log *slog.Logger, dir string) (*downloader, error) {
	dl, err := env.Downloader(log)
	if err != nil {
		return nil, err
	}
	return &downloader{dl: dl, dir: dir, env: env, log: log}, nil
}

// fetch downloads url, which names file (US.zip), into the temporary directory, streaming,
// and returns the file's path.
func (d *downloader) fetch(ctx context.Context, rawURL, file string) (string, error) {
	body, size, err := d.dl.Open(ctx, rawURL, file)
	if err != nil {
		return "", err
	}
	defer body.Close()
	f, err := os.CreateTemp(d.dir, "download-*.zip")
	if err != nil {
		return "", err
	}
	defer f.Close()
	progress := d.env.Progress(d.log, "geonames-uploader: "+file, "bytes", max(size, 0))
	defer progress.Finish()
	if _, err := io.Copy(f, jobs.CountBytes(body, progress)); err != nil {
		return "", fmt.Errorf("cannot download %s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return f.Name(), nil
}

// member opens the member of a zip file: GeoNames' zips hold <CC>.txt.
func member(path, zipName, name string, each func(io.Reader) error) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("%s is not a zip file: %w", zipName, err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("cannot extract %s from %s: %w", name, zipName, err)
		}
		defer rc.Close()
		return each(rc)
	}
	return fmt.Errorf("%s has no member %s", zipName, name)
}

// rowError names the file, line and column of a bad row.
func rowError(file string, line int, column, format string, args ...any) error {
	return fmt.Errorf("%s line %d: %s: %s", file, line, column, fmt.Sprintf(format, args...))
}

// pyInt is Python's int() of a column, as far as GeoNames needs: an optional sign and
// digits, white space around allowed.
func pyInt(s string) (int64, bool) {
	v, err := strconv.ParseInt(pystr.TrimSpace(s), 10, 64)
	return v, err == nil
}

// eachRow calls fn with every non-blank row of a tab-separated file and its line, after
// checking that it has the columns up to last (named lastName); it returns the rows read.
func eachRow(r io.Reader, file string, last int, lastName string, fn func(rec []string, line int) error) (int, error) {
	tsv := pycsv.NewTSVReader(r)
	rows := 0
	for {
		rec, err := tsv.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, fmt.Errorf("%s %w", file, err)
		}
		if len(rec) == 0 {
			continue
		}
		rows++
		if len(rec) <= last {
			return rows, rowError(file, tsv.StartLine(), lastName, "missing: the row has %d fields, want at least %d", len(rec), last+1)
		}
		if err := fn(rec, tsv.StartLine()); err != nil {
			return rows, err
		}
	}
}

// readGeonames reads a geoname table and keeps the populated places (feature class P) and
// administrative divisions (A) of at least minPopulation. Every row must have the columns the
// job reads and integer id and population, checked on every row as merino-py parses them.
// It returns the places and the number of rows.
func readGeonames(r io.Reader, file string, minPopulation int64) ([]geoname, int, error) {
	var out []geoname
	rows, err := eachRow(r, file, colPopulation, "population", func(rec []string, line int) error {
		id, ok := pyInt(rec[colID])
		if !ok {
			return rowError(file, line, "geonameid", "%q is not an integer", clip(rec[colID]))
		}
		pop, ok := pyInt(rec[colPopulation])
		if !ok {
			return rowError(file, line, "population", "%q is not an integer", clip(rec[colPopulation]))
		}
		class := rec[colFeatureClass]
		if (class != "P" && class != "A") || pop < minPopulation {
			return nil
		}
		out = append(out, geoname{
			id: id, name: rec[colName], asciiName: rec[colASCIIName],
			latitude: rec[colLatitude], longitude: rec[colLongitude],
			featureClass: class, featureCode: rec[colFeatureCode], country: rec[colCountry],
			admin:      [4]string{rec[colAdmin1], rec[colAdmin1+1], rec[colAdmin1+2], rec[colAdmin1+3]},
			population: pop,
		})
		return nil
	})
	if err != nil {
		return nil, rows, err
	}
	return out, rows, nil
}

// readAlternates reads an alternate names table and keeps the alternates of the places ids
// in the languages langs, by language. It returns them and the number of rows.
func readAlternates(r io.Reader, file string, ids map[int64]bool, langs map[string]bool) (map[string]*languageAlternates, int, error) {
	out := map[string]*languageAlternates{}
	rows, err := eachRow(r, file, altColShort, "isShortName", func(rec []string, line int) error {
		id, ok := pyInt(rec[altColGeonameID])
		if !ok {
			return rowError(file, line, "geonameid", "%q is not an integer", clip(rec[altColGeonameID]))
		}
		lang := rec[altColLanguage]
		if !ids[id] || !langs[lang] {
			return nil
		}
		la := out[lang]
		if la == nil {
			la = &languageAlternates{byID: map[int64][]alternate{}}
			out[lang] = la
		}
		if _, ok := la.byID[id]; !ok {
			la.order = append(la.order, id)
		}
		la.byID[id] = append(la.byID[id], alternate{name: rec[altColName], preferred: rec[altColPreferred] == "1", short: rec[altColShort] == "1"})
		return nil
	})
	if err != nil {
		return nil, rows, err
	}
	return out, rows, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
