package web

import (
	"context"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/open311"
	"github.com/icarus-city/icarus/internal/store"
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

// o311Service returns one active service of the organisation by code (one
// query on the POST path instead of the whole list), seeding the default
// services the first time.
func (s *Server) o311Service(ctx context.Context, orgID int64, code string) (open311.ServiceSpec, store.Service311, bool, error) {
	row, err := s.st.Service311ByCode(ctx, orgID, code)
	if apperr.CodeOf(err) == apperr.NotFound {
		seeded, serr := s.st.ServicesSeeded(ctx, orgID)
		if serr != nil || seeded {
			return open311.ServiceSpec{}, row, false, serr
		}
		if _, _, err := s.o311Services(ctx, orgID, true); err != nil { // seeds
			return open311.ServiceSpec{}, row, false, err
		}
		row, err = s.st.Service311ByCode(ctx, orgID, code)
		if apperr.CodeOf(err) == apperr.NotFound {
			return open311.ServiceSpec{}, row, false, nil
		}
	}
	if err != nil || !row.Active {
		return open311.ServiceSpec{}, row, false, err
	}
	sp, err := serviceFromStore(row)
	return sp, row, err == nil, err
}
