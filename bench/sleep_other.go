//go:build !linux

package main

import "time"

// sleep pauses for d; see sleep_linux.go for why Linux does better than time.Sleep.
func sleep(d time.Duration) { time.Sleep(d) }
