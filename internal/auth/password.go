// Package auth holds passwords (argon2id), roles and permissions. It does no
// I/O: sessions and users are persisted by the store; randomness is passed in.
package auth

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id parameters. Defaults follow RFC 9106's second
// recommended option (64 MiB, 3 passes) scaled to one lane per core of a
// small server.
type Params struct {
	Time    uint32
	MemKiB  uint32
	Threads uint8
	KeyLen  uint32
}

// DefaultParams are used for new hashes.
func DefaultParams() Params { return Params{Time: 3, MemKiB: 64 * 1024, Threads: 2, KeyLen: 32} }

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 12

// HashPassword returns a PHC-format argon2id hash of pw with a 16-byte salt
// read from rnd.
func HashPassword(pw string, p Params, rnd io.Reader) (string, error) {
	salt := make([]byte, 16)
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemKiB, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMismatch is returned by CheckPassword when the password is wrong.
var ErrMismatch = errors.New("password does not match")

// CheckPassword verifies pw against a hash made by HashPassword, in constant time.
func CheckPassword(pw, hash string) error {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return errors.New("unsupported password hash format")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return errors.New("unsupported argon2 version")
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemKiB, &p.Time, &p.Threads); err != nil {
		return fmt.Errorf("bad argon2 parameters: %w", err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return errors.New("bad salt")
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return errors.New("bad key")
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemKiB, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// CheckNewPassword says why a proposed password is not acceptable, or nil.
func CheckNewPassword(pw string) error {
	if len([]rune(pw)) < MinPasswordLen {
		return fmt.Errorf("password must be at least %d characters", MinPasswordLen)
	}
	return nil
}

// NewToken returns a random URL-safe token of n random bytes read from rnd.
func NewToken(rnd io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(rnd, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
