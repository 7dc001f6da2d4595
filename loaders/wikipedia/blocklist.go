package wikipedia

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// ReadCategoryBlocklist reads merino-py's category blocklist CSV (mozilla/search-terms-
// sanitization's blocklist_cats.csv): a header `name,seed,parent,level,topic`, then one
// category a row. Only the `name` column is used, compared exactly (merino-py's set
// intersection). Rows may have fewer or more fields than the header.
func ReadCategoryBlocklist(r io.Reader) (map[string]bool, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("cannot read the blocklist header: %w", err)
	}
	col := -1
	for i, h := range header {
		if h == "name" || (i == 0 && h == "\ufeffname") {
			col = i
			break
		}
	}
	if col < 0 {
		return nil, fmt.Errorf("cannot use the blocklist: its header %q has no name column", header)
	}
	names := map[string]bool{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return names, nil
		}
		if err != nil {
			return nil, fmt.Errorf("cannot read the blocklist: %w", err)
		}
		if col < len(rec) {
			names[rec[col]] = true
		}
	}
}
