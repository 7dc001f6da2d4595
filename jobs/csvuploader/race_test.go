//go:build race

package csvuploader_test

const raceEnabled = true
