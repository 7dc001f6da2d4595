//go:build !race

package csvuploader_test

const raceEnabled = false
