package main

import (
	"strings"
	"testing"
)

func TestConvert(t *testing.T) {
	src := `_mapping: dict[str, list[Category]]
if settings.env_for_dynaconf in ["testing", "ci"]:
    _mapping = {
        "3hcN3vfGxlXjlaHR2TGGDA==": [Category.Education],
    }
else:
    _mapping = {
        "BPNrX9JDOSGaN/1l4qozIg==": [Category.Home],
        "xhD+bEE3ynJRg6FDyfYnxA==": [Category.Business, Category.Sports],
    }
`
	table, n, err := convert(strings.NewReader(src))
	if err != nil || n != 2 || string(table) != "BPNrX9JDOSGaN/1l4qozIg==\t13\nxhD+bEE3ynJRg6FDyfYnxA==\t4,17\n" {
		t.Errorf("%d %q %v", n, table, err)
	}
	if _, _, err := convert(strings.NewReader("else:\n    \"BPNrX9JDOSGaN/1l4qozIg==\": [Category.Health],\n")); err == nil || !strings.Contains(err.Error(), "Category.Health") {
		t.Errorf("unknown category: %v", err)
	}
	if _, _, err := convert(strings.NewReader("nothing")); err == nil {
		t.Error("no entries: no error")
	}
}
