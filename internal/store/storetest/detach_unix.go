//go:build unix

package storetest

import "syscall"

// detached puts a child in its own session so that it outlives the test
// binary (and its signals).
func detached() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
