package web

import (
	"context"
	"time"
)

// rateLimit counts one hit in bucket and reports whether it is within limit
// per window; limit 0 means no limit (config.Open311Limits), and nothing is
// counted.
func (s *Server) rateLimit(ctx context.Context, bucket string, limit int, window time.Duration) (bool, error) {
	if limit <= 0 {
		return true, nil
	}
	return s.st.RateLimit(ctx, bucket, limit, window)
}
