package jobs

import "strconv"

// PrettySize formats a byte count as merino-py's pretty_file_size does: metric units up to
// GB and Python's %g ("1 bytes", "999 bytes", "1 KB", "1.001 KB", "1.23457 MB", "1000 GB").
// merino-py fails on 0; here it is "0 bytes".
func PrettySize(n int64) string {
	units := [...]string{"bytes", "KB", "MB", "GB"}
	exp, div := 0, 1.0
	// Whole-number thresholds give the same unit as merino-py's floor(log(n, 1000)), whose
	// floating point result is exact at the powers of 1000 that matter.
	for p := int64(1000); exp < len(units)-1 && n >= p; p *= 1000 {
		exp++
		div *= 1000
	}
	return strconv.FormatFloat(float64(n)/div, 'g', 6, 64) + " " + units[exp]
}
