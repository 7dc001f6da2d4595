// Package configs holds merino-go's configuration layers. They are embedded in the binary so
// that it runs from any directory and a deployment cannot lose them.
package configs

import "embed"

// FS holds default.toml and one file per environment (development, testing, stage,
// production).
//
//go:embed *.toml
var FS embed.FS
