//go:build race

package main

// raceEnabled: the race detector makes reading the shared corpus (JSON) several times slower.
const raceEnabled = true
