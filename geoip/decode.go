package geoip

import (
	"fmt"
	"slices"

	"github.com/oschwald/maxminddb-golang/v2/mmdbdata"
)

// maxSubdivisions bounds the subdivisions array of one record. GeoIP2 City
// data has at most two levels; a larger array means a broken or hostile
// database, and rejecting it keeps the appends into Location bounded.
const maxSubdivisions = 8

// record is Location with a hand-written MMDB decoder. The reflection decoder
// would allocate a fresh subdivisions slice on every lookup (and, for presence
// of latitude/longitude, pointers); walking the record with a cursor lets us
// read only the keys Merino needs, take names["en"] without building a map,
// and append subdivisions into the caller's reused slices.
//
// The walk has a fixed depth (record → section → names → string), never
// follows pointers recursively on its own, and skips unknown values with
// Cursor.Skip, so its work is bounded by the record's size.
type record Location

// UnmarshalMaxMindDBCursor implements mmdbdata.CursorUnmarshaler.
func (l *record) UnmarshalMaxMindDBCursor(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	m, err := c.Map()
	if err != nil {
		return mmdbdata.Cursor{}, mmdbdata.NormalizeUnmarshalError[record](err)
	}
	var next mmdbdata.Cursor
	for {
		key, v, ok := m.Next(next)
		if !ok {
			break
		}
		// switch on string(key) does not allocate.
		switch string(key) {
		case "city":
			next, err = l.decodeCity(v)
		case "country":
			next, err = l.decodeCountry(v)
		case "location":
			next, err = l.decodeLocation(v)
		case "postal":
			next, err = l.decodePostal(v)
		case "subdivisions":
			next, err = l.decodeSubdivisions(v)
		default:
			next, err = v.Skip()
		}
		if err != nil {
			return mmdbdata.Cursor{}, fmt.Errorf("%s: %w", key, err)
		}
	}
	return m.End()
}

// decodeCity reads city.names["en"].
func (l *record) decodeCity(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	return fields(c, func(key []byte, v mmdbdata.Cursor) (mmdbdata.Cursor, error) {
		if string(key) == "names" {
			return readEnName(v, &l.City)
		}
		return v.Skip()
	})
}

// decodeCountry reads country.iso_code and country.names["en"].
func (l *record) decodeCountry(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	return fields(c, func(key []byte, v mmdbdata.Cursor) (next mmdbdata.Cursor, err error) {
		switch string(key) {
		case "iso_code":
			l.Country, next, err = v.ReadString()
			return next, err
		case "names":
			return readEnName(v, &l.CountryName)
		}
		return v.Skip()
	})
}

// decodeLocation reads the location section: coordinates, accuracy radius,
// metro (DMA) code and time zone.
func (l *record) decodeLocation(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	var hasLat, hasLon bool
	end, err := fields(c, func(key []byte, v mmdbdata.Cursor) (next mmdbdata.Cursor, err error) {
		switch string(key) {
		case "latitude":
			l.Latitude, next, err = v.ReadFloat()
			hasLat = err == nil
		case "longitude":
			l.Longitude, next, err = v.ReadFloat()
			hasLon = err == nil
		case "accuracy_radius":
			l.Radius, next, err = readInt(v)
		case "metro_code":
			l.DMA, next, err = readInt(v)
		case "time_zone":
			l.TimeZone, next, err = v.ReadString()
		default:
			next, err = v.Skip()
		}
		return next, err
	})
	l.HasCoordinates = hasLat && hasLon
	return end, err
}

// decodePostal reads postal.code.
func (l *record) decodePostal(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	return fields(c, func(key []byte, v mmdbdata.Cursor) (next mmdbdata.Cursor, err error) {
		if string(key) == "code" {
			l.PostalCode, next, err = v.ReadString()
			return next, err
		}
		return v.Skip()
	})
}

// decodeSubdivisions appends each subdivision's iso_code and English name,
// then reverses both slices so the most specific subdivision comes first, as
// merino-py's get_regions/get_region_names do. Indexes stay aligned: a
// subdivision missing either field contributes "".
func (l *record) decodeSubdivisions(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	s, err := c.SliceMaxSize(maxSubdivisions)
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	// Truncate rather than append to whatever is there, so a (malformed)
	// duplicate subdivisions key replaces instead of mixing.
	l.Regions, l.RegionNames = l.Regions[:0], l.RegionNames[:0]
	var next mmdbdata.Cursor
	for {
		_, v, ok := s.Next(next)
		if !ok {
			break
		}
		var code, name string
		next, err = readSubdivision(v, &code, &name)
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
		l.Regions = append(l.Regions, code)
		l.RegionNames = append(l.RegionNames, name)
	}
	end, err := s.End()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	slices.Reverse(l.Regions)
	slices.Reverse(l.RegionNames)
	return end, nil
}

// readSubdivision reads one subdivisions[] entry.
func readSubdivision(c mmdbdata.Cursor, code, name *string) (mmdbdata.Cursor, error) {
	return fields(c, func(key []byte, v mmdbdata.Cursor) (next mmdbdata.Cursor, err error) {
		switch string(key) {
		case "iso_code":
			*code, next, err = v.ReadString()
			return next, err
		case "names":
			return readEnName(v, name)
		}
		return v.Skip()
	})
}

// readEnName reads the "en" entry of a names map into dst and skips the other
// locales without materialising them.
func readEnName(c mmdbdata.Cursor, dst *string) (mmdbdata.Cursor, error) {
	return fields(c, func(key []byte, v mmdbdata.Cursor) (next mmdbdata.Cursor, err error) {
		if string(key) == "en" {
			*dst, next, err = v.ReadString()
			return next, err
		}
		return v.Skip()
	})
}

// fields walks the map at c, handing each key and value cursor to read, which returns the
// cursor after the value (or skips it). One walk for every section of the record: the
// callbacks do not escape, so the walk allocates nothing.
func fields(c mmdbdata.Cursor, read func(key []byte, v mmdbdata.Cursor) (mmdbdata.Cursor, error)) (mmdbdata.Cursor, error) {
	m, err := c.Map()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	var next mmdbdata.Cursor
	for {
		key, v, ok := m.Next(next)
		if !ok {
			return m.End()
		}
		if next, err = read(key, v); err != nil {
			return mmdbdata.Cursor{}, err
		}
	}
}

// readInt reads an unsigned or signed MMDB integer (GeoIP2 stores metro_code
// and accuracy_radius as uint16) into an int.
func readInt(c mmdbdata.Cursor) (int, mmdbdata.Cursor, error) {
	u, signed, next, err := c.ReadInteger()
	if err != nil {
		return 0, mmdbdata.Cursor{}, err
	}
	if !signed && u > 1<<31-1 {
		return 0, mmdbdata.Cursor{}, mmdbdata.NewInvalidDatabaseError("integer %d out of range", u)
	}
	return int(int64(u)), next, nil
}
