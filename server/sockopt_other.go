//go:build !unix

package server

import (
	"errors"
	"syscall"
)

func reusePort(_, _ string, _ syscall.RawConn) error {
	return errors.New("http.reuse_port needs a Unix system")
}

// RaiseOpenFileLimit reports that this system has no file limit to read (0).
func RaiseOpenFileLimit() (uint64, error) { return 0, nil }
