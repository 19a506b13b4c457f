// Command icarus runs the Icarus urban-security platform: see 'icarus --help'.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/icarus-city/icarus/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fi, err := os.Stderr.Stat()
	interactive := err == nil && fi.Mode()&os.ModeCharDevice != 0
	code := cli.Main(ctx, os.Args[1:], &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.LookupEnv, Interactive: interactive})
	stop()
	os.Exit(code)
}
