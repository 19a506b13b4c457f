//go:build !unix

package storetest

import "syscall"

func detached() *syscall.SysProcAttr { return nil }
