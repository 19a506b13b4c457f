package store

import "context"

// SetUserDisabledForTest flips a user's disabled flag; the Store has no
// method for it yet, and the conformance suite needs one.
func SetUserDisabledForTest(ctx context.Context, s *Store, userID int64, disabled bool) error {
	_, err := s.w.ExecContext(ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, disabled, userID)
	return err
}
