package weathertest

import "syscall"

// Pause stops the server (SIGSTOP): connections stay open and nothing answers, as with a
// Redis stuck in a long command or a frozen host. Resume continues it.
func (r *Redis) Pause() error { return r.cmd.Process.Signal(syscall.SIGSTOP) }

// Resume continues a paused server (SIGCONT).
func (r *Redis) Resume() error { return r.cmd.Process.Signal(syscall.SIGCONT) }
