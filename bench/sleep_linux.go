//go:build linux

package main

import (
	"syscall"
	"time"
)

// sleep pauses the calling goroutine's thread for d with nanosleep(2). Go's timers wake
// about 1 ms late on Linux (the netpoller waits in whole milliseconds), which at 1500
// requests/s is more than the interval between requests and would be counted as latency;
// nanosleep is late by the kernel's timer slack, about 50-100 µs. The dispatcher is a single
// goroutine, so holding one thread in the syscall costs nothing else.
func sleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	_ = syscall.Nanosleep(&ts, nil)
}
