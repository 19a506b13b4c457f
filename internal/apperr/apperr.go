// Package apperr defines the error codes Icarus uses everywhere. The web
// package maps them to HTTP statuses, in one place (web.httpStatus).
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error for callers and for the HTTP layer.
type Code string

// The codes. Messages of errors with these codes are fit for a user, except
// Internal, whose message is logged and replaced by a short safe one.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Forbidden    Code = "forbidden"
	Unauthorized Code = "unauthorized"
	RateLimited  Code = "rate_limited"
	Internal     Code = "internal"
)

// Error is an error with a code and a user-facing message.
type Error struct {
	Code    Code
	Message string
	Err     error // wrapped cause, may be nil
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with code and a formatted message.
func New(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with code and message wrapping err.
func Wrap(code Code, err error, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// CodeOf returns the code of err, Internal for errors without one.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// MessageOf returns the user-facing message of err ("" for internal errors).
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Message
	}
	return ""
}
